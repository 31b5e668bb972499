// STEP 13 BEGIN
/*
 * bzimage.c — the header of a Linux bzImage, as the x86 boot protocol defines it
 * (Documentation/arch/x86/boot.rst in the kernel's source).
 *
 * A bzImage is three things end to end: a 512-byte boot sector (a relic: it only
 * says "use a boot loader"), the real-mode setup code (setup_sects sectors of
 * 512 bytes, which a BIOS boot loader would run), and the protected-mode kernel
 * (a decompressor with the compressed kernel inside). The setup header sits at
 * 0x1f1, in the setup code's first sector: the boot loader reads it, copies it
 * into the zero page, and fills in the fields "write" in boot.rst.
 *
 * vmm checks what it relies on: the magic numbers, a protocol recent enough to
 * say what vmm needs (2.12), a kernel with a 64-bit entry point, and a file as long
 * as its header says. Nothing here touches KVM: tests/unit/test_bzimage.c checks
 * it without /dev/kvm.
 */
#include "vmm.h"

#include <string.h>

#define SETUP_HEADER_OFFSET 0x1f1
#define BOOT_FLAG           0xaa55
#define HDRS_MAGIC          0x53726448 /* "HdrS", little-endian */

/*
 * 2.12 brought xloadflags, which says whether the kernel has the 64-bit entry
 * point vmm jumps to; init_size and pref_address (2.10) tell how much memory
 * the kernel takes while it decompresses.
 */
#define MIN_PROTOCOL 0x020c

int bzimage_parse(const uint8_t *data, size_t size, const char *path, struct bzimage *k)
{
	size_t setup_size;

	memset(k, 0, sizeof(*k));
	/* The boot sector and the setup code's first sector, which holds the header. */
	if (size < 1024)
		return fail_msg("%s: truncated bzImage (%zu bytes)", path, size);
	/* The end of the header is given by the jump instruction at 0x200: 0x202 + its offset. */
	k->hdr_len = 0x202 + data[0x201] - SETUP_HEADER_OFFSET;
	if (k->hdr_len > sizeof(k->hdr))
		k->hdr_len = sizeof(k->hdr);
	memcpy(&k->hdr, data + SETUP_HEADER_OFFSET, k->hdr_len);
	if (k->hdr.header != HDRS_MAGIC || k->hdr.boot_flag != BOOT_FLAG)
		return fail_msg("%s: not a bzImage (no \"HdrS\" magic in its setup header)", path);
	if (k->hdr.version < MIN_PROTOCOL)
		return fail_msg("%s: boot protocol %u.%02u is too old (vmm needs 2.12 or later)",
		                path, k->hdr.version >> 8, k->hdr.version & 0xff);
	if (!(k->hdr.loadflags & LOADED_HIGH))
		return fail_msg("%s: a zImage, not a bzImage (it must be loaded at 1 MiB)", path);
	if (!(k->hdr.xloadflags & XLF_KERNEL_64))
		return fail_msg("%s: the kernel has no 64-bit entry point", path);

	/* setup_sects == 0 means 4, for the oldest kernels' sake. */
	setup_size = ((size_t)(k->hdr.setup_sects ? k->hdr.setup_sects : 4) + 1) * 512;
	/* syssize counts the protected-mode part in 16-byte paragraphs. */
	if (size <= setup_size || size - setup_size < (size_t)k->hdr.syssize * 16)
		return fail_msg("%s: truncated bzImage (%zu bytes, its header says %zu)", path,
		                size, setup_size + (size_t)k->hdr.syssize * 16);
	k->kernel = data + setup_size;
	k->kernel_size = size - setup_size;
	return 0;
}
// STEP 13 END
