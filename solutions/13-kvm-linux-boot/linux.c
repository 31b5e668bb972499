// STEP 13 BEGIN
/*
 * linux.c — booting Linux: read the kernel and its initramfs, put them in guest
 * memory with the zero page and the command line, and start the vCPU in the kernel.
 *
 * Which entry point: a bzImage can be started three ways (boot.rst). In 16-bit real
 * mode at its setup code, as a BIOS boot loader does: the setup code then asks the
 * BIOS for the memory map and the video mode, and vmm has no BIOS. In 32-bit
 * protected mode at its protected-mode part (code32_start). Or in 64-bit long mode,
 * 0x200 bytes into that part ("64-bit boot protocol"), which is what vmm does: step 12
 * already starts a vCPU in long mode, paging on, identity-mapped as the protocol wants
 * it (the kernel, the zero page, the command line all mapped one to one). What
 * changes is where RIP starts, and RSI, which must hold the zero page's address.
 *
 * The protocol names selectors 0x10 (code) and 0x18 (data) for the GDT; step 12's are
 * 0x08 and 0x10. That does not matter: the kernel's first instructions load a GDT of
 * its own and reload every segment register (arch/x86/boot/compressed/head_64.S).
 */
#include "vmm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int linux_read(struct linux_boot *b, const char *kernel, const char *initrd, const char *cmdline,
               uint64_t mem_size)
{
	memset(b, 0, sizeof(*b));
	if (image_read(kernel, LONG_MODE_LOAD, mem_size, &b->file) < 0 ||
	    bzimage_parse(b->file.data, b->file.size, kernel, &b->k) < 0 ||
	    image_read(initrd, 0, mem_size, &b->initrd) < 0)
		goto fail;
	if (asprintf(&b->cmdline, "%s%s%s", LINUX_CMDLINE, cmdline ? " " : "",
	             cmdline ? cmdline : "") < 0) {
		b->cmdline = NULL;
		fail("asprintf", "the kernel's command line");
		goto fail;
	}
	if (linux_plan(&b->k, mem_size, b->initrd.size, strlen(b->cmdline), &b->layout) < 0)
		goto fail;
	return 0;
fail:
	linux_free(b);
	return -1;
}

int linux_place(struct vm *vm, const struct linux_boot *b)
{
	const struct linux_layout *l = &b->layout;

	/* linux_plan() checked all of it against the same memory size: never overrun it. */
	if (l->kernel_end > vm->mem_size || l->initrd + l->initrd_size > vm->mem_size)
		return fail_msg("load: Linux does not fit in guest memory");
	// LESSON 13 BEGIN: the kernel, its initramfs, its command line and the zero page
	// HINT: guest physical address A is vm->mem + A in vmm. Copy, as linux_plan() placed
	// HINT: them (l->...): b->k.kernel (b->k.kernel_size bytes, the protected-mode part:
	// HINT: the real-mode setup code is not needed) at l->kernel; b->initrd.data
	// HINT: (b->initrd.size bytes) at l->initrd; the command line b->cmdline with its
	// HINT: terminating NUL at l->cmdline. Then fill the zero page in place:
	// HINT: boot_params_fill((struct boot_params *)(vm->mem + l->boot_params), &b->k, l,
	// HINT: vm->mem_size).
	memcpy(vm->mem + l->kernel, b->k.kernel, b->k.kernel_size);
	memcpy(vm->mem + l->initrd, b->initrd.data, b->initrd.size);
	memcpy(vm->mem + l->cmdline, b->cmdline, strlen(b->cmdline) + 1);
	boot_params_fill((struct boot_params *)(vm->mem + l->boot_params), &b->k, l, vm->mem_size);
	// LAB:
	//- (void)l;
	// LESSON 13 END
	return 0;
}

int linux_start(struct vm *vm, const struct linux_boot *b)
{
	// LESSON 13 BEGIN: start the vCPU at the kernel's 64-bit entry, RSI at the zero page
	// HINT: pc_setup_cpuid(vm) first (pc.c): the kernel reads CPUID before anything else.
	// HINT: then step 12's setup_long_mode(vm, b->layout.entry): GDT, page tables, control
	// HINT: registers, RIP at the entry, interrupts off (RFLAGS 0x2), as the protocol says.
	// HINT: last, RSI = b->layout.boot_params: vcpu_get_regs(), set regs.rsi,
	// HINT: vcpu_set_regs(). Each of them has reported its failure: just return -1.
	struct kvm_regs regs;

	if (pc_setup_cpuid(vm) < 0 || setup_long_mode(vm, b->layout.entry) < 0 ||
	    vcpu_get_regs(vm, &regs) < 0)
		return -1;
	regs.rsi = b->layout.boot_params;
	return vcpu_set_regs(vm, &regs);
	// LAB:
	//- (void)vm;
	//- (void)b;
	//- return fail_msg("linux_start: not written yet (TODO 13 in linux.c)");
	// LESSON 13 END
}

void linux_free(struct linux_boot *b)
{
	image_free(&b->file);
	image_free(&b->initrd);
	free(b->cmdline);
	memset(b, 0, sizeof(*b));
}
// STEP 13 END
