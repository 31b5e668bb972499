/*
 * Unit tests of step 13's boot protocol code, which needs no KVM: the bzImage
 * header (solutions/13-kvm-linux-boot/bzimage.c) and where vmm puts the kernel,
 * its command line, its initramfs and the memory map (bootparams.c).
 *
 * The images are made here, in memory: a boot sector and setup sectors with a
 * setup header, then a "protected-mode kernel" of a few pages, with the values
 * of Debian's 6.1 kernel where they matter (init_size, pref_address...).
 */
#include "vmm.h"

#include <asm/e820.h> /* E820_RAM, E820_RESERVED */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/capture.h" /* lib/tests/capture.h, through -Ilib */

/* cmocka.h has fail() and fail_msg() macros of its own: the step's code wants lib's. */
#undef fail
#undef fail_msg

// STEP: 13-kvm-linux-boot bzimage.c bootparams.c

#pragma GCC diagnostic ignored "-Wunused-parameter"

#define MiB (1024ULL * 1024)
#define KiB 1024ULL

/* Debian 6.1's values: the kernel decompresses at 16 MiB and needs ~64 MiB there. */
#define PREF_ADDRESS 0x1000000ULL
#define INIT_SIZE    0x3f98000U
#define SETUP_SECTS  39
#define SETUP_SIZE   ((SETUP_SECTS + 1) * 512)
#define KERNEL_SIZE  (64 * KiB)

static uint8_t image[SETUP_SIZE + KERNEL_SIZE];

/* The header at 0x1f1, as a protocol 2.15 kernel has it. */
static struct setup_header *hdr(void)
{
	return (struct setup_header *)(image + 0x1f1);
}

static int make_image(void **state)
{
	memset(image, 0, sizeof(image));
	/* The jump at 0x200 says where the header ends: 0x202 + 0x66 = 0x268. */
	image[0x200] = 0xeb;
	image[0x201] = 0x66;
	hdr()->setup_sects = SETUP_SECTS;
	hdr()->syssize = KERNEL_SIZE / 16;
	hdr()->boot_flag = 0xaa55;
	hdr()->header = 0x53726448; /* "HdrS" */
	hdr()->version = 0x020f;
	hdr()->loadflags = LOADED_HIGH;
	hdr()->code32_start = 0x100000;
	hdr()->initrd_addr_max = 0x7fffffff;
	hdr()->kernel_alignment = 0x200000;
	hdr()->relocatable_kernel = 1;
	hdr()->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	hdr()->cmdline_size = 2047;
	hdr()->pref_address = PREF_ADDRESS;
	hdr()->init_size = INIT_SIZE;
	/* Marks to find the parts by. */
	image[SETUP_SIZE] = 0x4b;
	image[sizeof(image) - 1] = 0x7e;
	return 0;
}

static int teardown(void **state)
{
	restore_stderr();
	return 0;
}

static struct bzimage parsed(void)
{
	struct bzimage k;

	assert_int_equal(bzimage_parse(image, sizeof(image), "vmlinuz", &k), 0);
	return k;
}

/* Parsing fails with exactly this one line on stderr. */
static void assert_refused(size_t size, const char *message)
{
	struct bzimage k;
	char line[256];

	capture_stderr();
	assert_int_equal(bzimage_parse(image, size, "vmlinuz", &k), -1);
	snprintf(line, sizeof(line), "vmm: %s\n", message);
	assert_string_equal(captured_stderr(), line);
}

/* --- bzimage.c --- */

static void test_header_is_read(void **state)
{
	struct bzimage k = parsed();

	assert_int_equal(k.hdr.version, 0x020f);
	assert_int_equal(k.hdr.init_size, INIT_SIZE);
	assert_int_equal(k.hdr.pref_address, PREF_ADDRESS);
	assert_int_equal(k.hdr.cmdline_size, 2047);
	assert_int_equal(k.hdr_len, 0x268 - 0x1f1);
}

static void test_kernel_follows_setup_sectors(void **state)
{
	struct bzimage k = parsed();

	assert_ptr_equal(k.kernel, image + SETUP_SIZE);
	assert_int_equal(k.kernel_size, KERNEL_SIZE);
	assert_int_equal(k.kernel[0], 0x4b);
	assert_int_equal(k.kernel[k.kernel_size - 1], 0x7e);
}

static void test_zero_setup_sects_means_four(void **state)
{
	struct bzimage k;

	hdr()->setup_sects = 0;
	assert_int_equal(bzimage_parse(image, sizeof(image), "vmlinuz", &k), 0);
	assert_ptr_equal(k.kernel, image + 5 * 512);
}

static void test_header_stops_where_the_jump_says(void **state)
{
	struct bzimage k;

	/* A 2.12 header ends before pref_address (0x258): later fields read as 0. */
	image[0x201] = 0x258 - 0x202;
	assert_int_equal(bzimage_parse(image, sizeof(image), "vmlinuz", &k), 0);
	assert_int_equal(k.hdr_len, 0x258 - 0x1f1);
	assert_int_equal(k.hdr.pref_address, 0);
	assert_int_equal(k.hdr.init_size, 0);
}

static void test_no_magic_is_refused(void **state)
{
	image[0x202] = 'X';
	assert_refused(sizeof(image),
	               "vmlinuz: not a bzImage (no \"HdrS\" magic in its setup header)");
}

static void test_no_boot_flag_is_refused(void **state)
{
	hdr()->boot_flag = 0;
	assert_refused(sizeof(image),
	               "vmlinuz: not a bzImage (no \"HdrS\" magic in its setup header)");
}

static void test_old_protocol_is_refused(void **state)
{
	hdr()->version = 0x020b;
	assert_refused(sizeof(image),
	               "vmlinuz: boot protocol 2.11 is too old (vmm needs 2.12 or later)");
}

static void test_zimage_is_refused(void **state)
{
	hdr()->loadflags = 0;
	assert_refused(sizeof(image),
	               "vmlinuz: a zImage, not a bzImage (it must be loaded at 1 MiB)");
}

static void test_32_bit_kernel_is_refused(void **state)
{
	hdr()->xloadflags = 0;
	assert_refused(sizeof(image), "vmlinuz: the kernel has no 64-bit entry point");
}

static void test_short_file_is_refused(void **state)
{
	assert_refused(600, "vmlinuz: truncated bzImage (600 bytes)");
	assert_refused(0, "vmlinuz: truncated bzImage (0 bytes)");
}

static void test_cut_kernel_is_refused(void **state)
{
	char message[128];

	snprintf(message, sizeof(message),
	         "vmlinuz: truncated bzImage (%zu bytes, its header says %zu)", sizeof(image) - 1,
	         sizeof(image));
	assert_refused(sizeof(image) - 1, message);
	snprintf(message, sizeof(message),
	         "vmlinuz: truncated bzImage (%d bytes, its header says %zu)", SETUP_SIZE,
	         sizeof(image));
	assert_refused(SETUP_SIZE, message);
}

/* --- bootparams.c: the layout --- */

static void test_layout(void **state)
{
	struct bzimage k = parsed();
	struct linux_layout l;

	assert_int_equal(linux_plan(&k, 256 * MiB, 1000 * KiB + 5, 100, &l), 0);
	assert_int_equal(l.kernel, 0x100000);
	assert_int_equal(l.entry, 0x100200);
	/* The kernel decompresses at pref_address, into init_size bytes. */
	assert_int_equal(l.kernel_end, PREF_ADDRESS + INIT_SIZE);
	/* The initrd: page-aligned, as high as it goes. */
	assert_int_equal(l.initrd_size, 1000 * KiB + 5);
	assert_int_equal(l.initrd % 4096, 0);
	assert_true(l.initrd + l.initrd_size <= 256 * MiB);
	assert_true(l.initrd + l.initrd_size > 256 * MiB - 4096);
	/* Zero page and command line: below the kernel, apart from each other. */
	assert_true(l.boot_params + sizeof(struct boot_params) <= l.cmdline ||
	            l.cmdline + 2048 <= l.boot_params);
	assert_true(l.boot_params + sizeof(struct boot_params) <= l.kernel);
	assert_true(l.cmdline + 2048 <= l.kernel);
	assert_true(l.boot_params >= 0x1000); /* not over the real-mode interrupt table */
}

static void test_initrd_below_initrd_addr_max(void **state)
{
	struct bzimage k;
	struct linux_layout l;

	hdr()->initrd_addr_max = 0x5fffffff; /* 1.5 GiB */
	k = parsed();
	assert_int_equal(linux_plan(&k, 2048 * MiB, 10 * MiB, 100, &l), 0);
	assert_true(l.initrd + l.initrd_size <= 0x60000000);
	assert_true(l.initrd + l.initrd_size > 0x60000000 - 4096);
}

static void test_small_file_kernel_ends_at_its_decompression(void **state)
{
	struct bzimage k;
	struct linux_layout l;

	/* A kernel loaded above pref_address decompresses where it is. */
	hdr()->pref_address = 0x100000;
	hdr()->init_size = 32 * MiB;
	k = parsed();
	assert_int_equal(linux_plan(&k, 128 * MiB, 1 * MiB, 100, &l), 0);
	assert_int_equal(l.kernel_end, 0x100000 + 32 * MiB);
}

static void test_memory_too_small(void **state)
{
	struct bzimage k = parsed();
	struct linux_layout l;

	capture_stderr();
	assert_int_equal(linux_plan(&k, 64 * MiB, 1 * MiB, 100, &l), -1);
	assert_string_equal(
	        captured_stderr(),
	        "vmm: 64 MiB of memory is too small for this kernel: it needs more than "
	        "80 MiB to start\n");
}

static void test_initrd_too_big(void **state)
{
	struct bzimage k = parsed();
	struct linux_layout l;

	capture_stderr();
	/* 96 MiB of RAM leave 16 MiB above the kernel's 80: 17 MiB do not fit, 15 do. */
	assert_int_equal(linux_plan(&k, 96 * MiB, 17 * MiB, 100, &l), -1);
	assert_string_equal(captured_stderr(),
	                    "vmm: the initrd (17 MiB) does not fit in memory above the kernel "
	                    "(16 MiB free): give the guest more memory\n");
	assert_int_equal(linux_plan(&k, 96 * MiB, 15 * MiB, 100, &l), 0);
	assert_true(l.initrd >= l.kernel_end);
}

static void test_cmdline_too_long(void **state)
{
	struct bzimage k = parsed();
	struct linux_layout l;

	assert_int_equal(linux_plan(&k, 256 * MiB, 1 * MiB, 2047, &l), 0);
	capture_stderr();
	assert_int_equal(linux_plan(&k, 256 * MiB, 1 * MiB, 2048, &l), -1);
	assert_string_equal(
	        captured_stderr(),
	        "vmm: the command line is 2048 bytes long: the kernel takes 2047 at most\n");
}

/* --- bootparams.c: the memory map --- */

static void test_e820(void **state)
{
	struct boot_e820_entry t[8];
	uint64_t ram = 0;
	unsigned n;

	n = e820_build(256 * MiB, t, 8);
	assert_int_equal(n, 3);
	/* In order, not overlapping, covering [0, mem) with no gap. */
	assert_int_equal(t[0].addr, 0);
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			assert_int_equal(t[i].addr, t[i - 1].addr + t[i - 1].size);
		if (t[i].type == E820_RAM)
			ram += t[i].size;
	}
	assert_int_equal(t[n - 1].addr + t[n - 1].size, 256 * MiB);
	/* Low memory is RAM (the kernel's real-mode trampoline goes there)... */
	assert_int_equal(t[0].type, E820_RAM);
	assert_true(t[0].size >= 512 * KiB);
	/* ...the legacy hole below 1 MiB is not, and all above it is. */
	assert_int_equal(t[1].type, E820_RESERVED);
	assert_int_equal(t[1].addr + t[1].size, 0x100000);
	assert_int_equal(t[2].type, E820_RAM);
	assert_int_equal(ram, 256 * MiB - t[1].size);
}

static void test_e820_respects_max(void **state)
{
	struct boot_e820_entry t[2];

	assert_int_equal(e820_build(256 * MiB, t, 2), 2);
}

/* --- bootparams.c: the zero page --- */

static void test_boot_params(void **state)
{
	struct bzimage k = parsed();
	struct linux_layout l;
	static struct boot_params bp;

	assert_int_equal(linux_plan(&k, 256 * MiB, 3 * MiB, 100, &l), 0);
	memset(&bp, 0xa5, sizeof(bp)); /* whatever was there before */
	boot_params_fill(&bp, &k, &l, 256 * MiB);
	/* The image's header, then what the loader writes. */
	assert_int_equal(bp.hdr.header, 0x53726448);
	assert_int_equal(bp.hdr.version, 0x020f);
	assert_int_equal(bp.hdr.init_size, INIT_SIZE);
	assert_int_equal(bp.hdr.type_of_loader, 0xff);
	assert_int_equal(bp.hdr.cmd_line_ptr, l.cmdline);
	assert_int_equal(bp.ext_cmd_line_ptr, 0);
	assert_int_equal(bp.hdr.ramdisk_image, l.initrd);
	assert_int_equal(bp.hdr.ramdisk_size, 3 * MiB);
	assert_int_equal(bp.ext_ramdisk_image, 0);
	assert_int_equal(bp.ext_ramdisk_size, 0);
	assert_int_equal(bp.e820_entries, 3);
	assert_int_equal(bp.e820_table[2].addr + bp.e820_table[2].size, 256 * MiB);
	/* Everything else is zero: no video, no EFI, no APM, and the sentinel is clear. */
	assert_int_equal(bp.sentinel, 0);
	assert_int_equal(bp.screen_info.orig_video_lines, 0);
	assert_int_equal(bp.efi_info.efi_loader_signature, 0);
	assert_int_equal(bp.acpi_rsdp_addr, 0);
	assert_int_equal(bp.e820_table[3].size, 0);
}

static void test_boot_params_without_initrd(void **state)
{
	struct bzimage k = parsed();
	struct linux_layout l;
	static struct boot_params bp;

	assert_int_equal(linux_plan(&k, 256 * MiB, 0, 0, &l), 0);
	boot_params_fill(&bp, &k, &l, 256 * MiB);
	assert_int_equal(bp.hdr.ramdisk_size, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_header_is_read, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_kernel_follows_setup_sectors, make_image,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_zero_setup_sects_means_four, make_image,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_header_stops_where_the_jump_says, make_image,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_no_magic_is_refused, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_no_boot_flag_is_refused, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_old_protocol_is_refused, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_zimage_is_refused, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_32_bit_kernel_is_refused, make_image,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_short_file_is_refused, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_cut_kernel_is_refused, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_layout, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_initrd_below_initrd_addr_max, make_image,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_small_file_kernel_ends_at_its_decompression,
	                                        make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_memory_too_small, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_initrd_too_big, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_cmdline_too_long, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_e820, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_e820_respects_max, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_boot_params, make_image, teardown),
	        cmocka_unit_test_setup_teardown(test_boot_params_without_initrd, make_image,
	                                        teardown),
	};

	ws_set_progname("vmm");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
