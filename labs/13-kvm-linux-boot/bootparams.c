/*
 * bootparams.c — the Linux x86 boot protocol, from the boot loader's side: where the
 * kernel, its command line and its initramfs go in guest memory, the memory map
 * (e820) the kernel trusts, and the "zero page" (struct boot_params) that tells the
 * kernel all of it (Documentation/arch/x86/boot.rst and zero-page.rst).
 *
 * With no firmware in the guest, vmm is the BIOS and the boot loader at once: the
 * kernel believes the memory map it finds here and nothing else. Pure functions:
 * tests/unit/test_bzimage.c runs them without KVM.
 */
#include "vmm.h"

#include <asm/e820.h> /* E820_RAM, E820_RESERVED */
#include <string.h>

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(PAGE_SIZE - 1);
}

int linux_plan(const struct bzimage *k, uint64_t mem_size, uint64_t initrd_size, size_t cmdline_len,
               struct linux_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->boot_params = BOOT_PARAMS_ADDR;
	l->cmdline = CMDLINE_ADDR;
	/* The protocol's place for a bzImage's protected-mode part, and step 12's. */
	l->kernel = LONG_MODE_LOAD;
	/* The 64-bit entry point, startup_64, is 0x200 bytes into it (XLF_KERNEL_64). */
	l->entry = LONG_MODE_LOAD + 0x200;
	if (cmdline_len > k->hdr.cmdline_size)
		return fail_msg("the command line is %zu bytes long: the kernel takes %u at most",
		                cmdline_len, k->hdr.cmdline_size);

	// TODO(13): the kernel's room, and the initramfs at the top of memory
	//   the file holds a decompressor and the compressed kernel. Loaded below
	//   k->hdr.pref_address (16 MiB for Debian's), the kernel first copies itself up
	//   there, then decompresses in place: it uses k->hdr.init_size bytes from
	//   max(pref_address, l->kernel). l->kernel_end = the end of that, page_up();
	//   and never less than the end of the file as loaded, l->kernel + k->kernel_size.
	//   mem_size < l->kernel_end: fail_msg("%llu MiB of memory is too small for this
	//   kernel: it needs more than %llu MiB to start", mem_size >> 20, (kernel_end >> 20) + 1).
	//   the initramfs goes as high as it can: it ends at the top of memory, or at
	//   k->hdr.initrd_addr_max + 1 if that is lower (the highest address the kernel
	//   reaches it at), and starts on a page boundary (page_down()). If that start is
	//   below l->kernel_end (or initrd_size is larger than the top itself):
	//   fail_msg("the initrd (%llu MiB) does not fit in memory above the kernel
	//   (%llu MiB free): give the guest more memory", initrd_size >> 20, free >> 20),
	//   free being what lies between kernel_end and the top (0 if none).
	//   else set l->initrd and l->initrd_size.
	(void)mem_size;
	(void)initrd_size;
	return fail_msg("linux_plan: not written yet (TODO 13 in bootparams.c)");
}

/* Appends [start, end) of type to the map, if there is room and it is not empty. */
static unsigned e820_add(struct boot_e820_entry *table, unsigned n, unsigned max, uint64_t start,
                         uint64_t end, uint32_t type)
{
	if (n >= max || end <= start)
		return n;
	table[n] = (struct boot_e820_entry){.addr = start, .size = end - start, .type = type};
	return n + 1;
}

unsigned e820_build(uint64_t mem_size, struct boot_e820_entry *table, unsigned max)
{
	// TODO(13): the memory map: what a PC's BIOS would report for this RAM
	//   three ranges, in order, with e820_add() (n = e820_add(table, n, max, ...)):
	//     [0, LOW_RAM_END) E820_RAM: conventional memory, where the kernel puts the
	//     trampoline it uses to switch paging modes (but not past mem_size);
	//     [LOW_RAM_END, LONG_MODE_LOAD) E820_RESERVED: a PC's legacy hole (BIOS data,
	//     video memory, ROMs), which a kernel never takes for RAM;
	//     [LONG_MODE_LOAD, mem_size) E820_RAM: the rest, all of it below 4 GiB, so
	//     no hole for PCI devices is needed. Return how many entries there are.
	return 0;
}

void boot_params_fill(struct boot_params *bp, const struct bzimage *k, const struct linux_layout *l,
                      uint64_t mem_size)
{
	// TODO(13): the zero page: the image's header, and what the loader writes
	//   start from zeros (memset): every field vmm does not set means "none" (no
	//   video mode, no EFI, no ACPI tables, no APM), and the sentinel must be 0.
	//   copy the image's setup header, k->hdr_len bytes of k->hdr, into bp->hdr:
	//   the kernel reads its own fields back from there. Then the "write" fields:
	//     bp->hdr.type_of_loader = 0xff (a loader with no registered id);
	//     bp->hdr.cmd_line_ptr = l->cmdline (the high half in bp->ext_cmd_line_ptr: 0);
	//     bp->hdr.ramdisk_image, bp->hdr.ramdisk_size = l->initrd, l->initrd_size
	//     (their high halves in ext_ramdisk_image and ext_ramdisk_size);
	//     bp->e820_entries = e820_build(mem_size, bp->e820_table, E820_MAX_ENTRIES_ZEROPAGE).
	(void)bp;
}
