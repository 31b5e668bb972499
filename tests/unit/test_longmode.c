/*
 * Unit tests of step 12's long-mode set-up (solutions/12-kvm-long-mode/longmode.c):
 * the parts that only compute, and so need no /dev/kvm.
 *
 *   - gdt_entry() and segment_from(): the descriptor bits, against values worked out
 *     by hand from the Intel SDM's layout (vol. 3A, "Segment Descriptors");
 *   - build_identity_map(): the entries' bits, and a page walk done here the way the
 *     CPU does it (4-level paging, 2 MiB pages) over the tables it built: every
 *     address below 4 GiB translates to itself, none above;
 *   - long_mode_sregs(): the control registers, EFER and segments of 64-bit mode,
 *     and that the segments agree with the GDT that setup_long_mode() writes.
 */
#include "vmm.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

// STEP: 12-kvm-long-mode longmode.c kvm.c

/* cmocka hands every test a state pointer that these tests do not need. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/* Bits from the SDM, written here independently of longmode.c. */
#define P    (1ULL << 0)
#define RW   (1ULL << 1)
#define PS   (1ULL << 7)
#define ADDR (((1ULL << 52) - 1) & ~0xfffULL) /* bits 12-51 of an entry */
#define GiB  (1ULL << 30)
#define MiB  (1ULL << 20)

/* --- descriptors --- */

/* The flat 64-bit code and data descriptors every x86-64 kernel starts with. */
static void test_gdt_entry_encodes_the_flat_code_and_data_descriptors(void **state)
{
	assert_int_equal(gdt_entry(0xa09b, 0, 0xfffff), 0x00af9b000000ffffULL);
	assert_int_equal(gdt_entry(0xc093, 0, 0xfffff), 0x00cf93000000ffffULL);
	assert_int_equal(gdt_entry(SEG_CODE64, 0, 0xfffff), 0x00af9b000000ffffULL);
	assert_int_equal(gdt_entry(SEG_DATA, 0, 0xfffff), 0x00cf93000000ffffULL);
}

/* Base and limit are cut in pieces: base 0-23 at bit 16, 24-31 at 56; limit 16-19 at 48. */
static void test_gdt_entry_scatters_base_and_limit(void **state)
{
	assert_int_equal(gdt_entry(0x0089, 0x12345678, 0xabcde), 0x120a89345678bcdeULL);
	assert_int_equal(gdt_entry(0, 0xffffffff, 0), 0xff0000ffffff0000ULL);
	assert_int_equal(gdt_entry(0, 0, 0xfffff), 0x000f00000000ffffULL);
}

static void test_segment_from_decodes_the_code64_flags(void **state)
{
	struct kvm_segment s = segment_from(0x08, 0xa09b);

	assert_int_equal(s.selector, 0x08);
	assert_int_equal(s.base, 0);
	assert_int_equal(s.limit, 0xffffffff);
	assert_int_equal(s.type, 0xb);
	assert_int_equal(s.s, 1);
	assert_int_equal(s.dpl, 0);
	assert_int_equal(s.present, 1);
	assert_int_equal(s.l, 1);
	assert_int_equal(s.db, 0);
	assert_int_equal(s.g, 1);
	assert_int_equal(s.avl, 0);
}

static void test_segment_from_decodes_the_data_flags(void **state)
{
	struct kvm_segment s = segment_from(0x10, 0xc093);

	assert_int_equal(s.selector, 0x10);
	assert_int_equal(s.type, 0x3);
	assert_int_equal(s.s, 1);
	assert_int_equal(s.present, 1);
	assert_int_equal(s.l, 0);
	assert_int_equal(s.db, 1);
	assert_int_equal(s.g, 1);
}

/* --- page tables --- */

static uint64_t *new_tables(void)
{
	uint64_t *t = aligned_alloc(4096, PAGE_TABLES_PAGES * 4096);

	assert_non_null(t);
	memset(t, 0xa5, PAGE_TABLES_PAGES * 4096); /* garbage: every entry must be written */
	return t;
}

/* An entry of the tables, found by its physical address (tables at tables_addr). */
static uint64_t entry_at(const uint64_t *t, uint64_t tables_addr, uint64_t table, unsigned index)
{
	assert_true(table >= tables_addr && table < tables_addr + PAGE_TABLES_PAGES * 4096);
	assert_int_equal(table % 4096, 0);
	return t[(table - tables_addr) / 8 + index];
}

/* The CPU's walk for a 2 MiB page: PML4 -> PDPT -> PD. false: not present. */
static bool walk(const uint64_t *t, uint64_t tables_addr, uint64_t cr3, uint64_t va, uint64_t *pa)
{
	uint64_t e = entry_at(t, tables_addr, cr3, (va >> 39) & 511);

	if (!(e & P))
		return false;
	assert_true(e & RW);
	e = entry_at(t, tables_addr, e & ADDR, (va >> 30) & 511);
	if (!(e & P))
		return false;
	assert_true(e & RW);
	assert_false(e & PS); /* a 1 GiB page: not what these tables use */
	e = entry_at(t, tables_addr, e & ADDR, (va >> 21) & 511);
	if (!(e & P))
		return false;
	assert_true(e & RW);
	assert_true(e & PS); /* a 2 MiB page, no page table below */
	*pa = (e & ADDR & ~(2 * MiB - 1)) | (va & (2 * MiB - 1));
	return true;
}

static void check_identity_map(uint64_t tables_addr)
{
	uint64_t *t = new_tables();
	uint64_t pa;

	build_identity_map((uint8_t *)t, tables_addr);
	/* Every 2 MiB page below 4 GiB, at its first and last byte and in between. */
	for (uint64_t va = 0; va < 4 * GiB; va += 2 * MiB) {
		assert_true(walk(t, tables_addr, tables_addr, va, &pa));
		assert_int_equal(pa, va);
		assert_true(walk(t, tables_addr, tables_addr, va + 2 * MiB - 1, &pa));
		assert_int_equal(pa, va + 2 * MiB - 1);
		assert_true(walk(t, tables_addr, tables_addr, va + 0x12345, &pa));
		assert_int_equal(pa, va + 0x12345);
	}
	/* Nothing from 4 GiB on: the rest of the first 512 GiB, and beyond. */
	for (uint64_t va = 4 * GiB; va < 512 * GiB; va += GiB)
		assert_false(walk(t, tables_addr, tables_addr, va, &pa));
	assert_false(walk(t, tables_addr, tables_addr, 512 * GiB, &pa));
	assert_false(walk(t, tables_addr, tables_addr, 0x00007ffffffff000ULL, &pa));
	free(t);
}

static void test_identity_map_maps_4_gib_to_themselves_and_nothing_more(void **state)
{
	check_identity_map(PAGE_TABLES_ADDR);
}

/* The entries point where the tables are in the guest, not at a fixed address. */
static void test_identity_map_points_at_its_own_tables(void **state)
{
	check_identity_map(0x200000);
	check_identity_map(0x7000);
}

static void test_identity_map_entries_have_only_the_expected_bits(void **state)
{
	uint64_t *t = new_tables();

	build_identity_map((uint8_t *)t, PAGE_TABLES_ADDR);
	assert_int_equal(t[0], (PAGE_TABLES_ADDR + 0x1000) | P | RW);
	for (unsigned i = 1; i < 512; i++)
		assert_int_equal(t[i], 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(t[512 + i], (PAGE_TABLES_ADDR + (2 + i) * 0x1000) | P | RW);
	for (unsigned i = 4; i < 512; i++)
		assert_int_equal(t[512 + i], 0);
	for (uint64_t j = 0; j < 2048; j++)
		assert_int_equal(t[1024 + j], (j << 21) | P | RW | PS);
	free(t);
}

/* --- special registers --- */

static void test_long_mode_sregs_enable_paging_pae_and_long_mode(void **state)
{
	struct kvm_sregs s;

	memset(&s, 0, sizeof(s));
	long_mode_sregs(&s);
	assert_true(s.cr0 & (1ULL << 0));   /* PE */
	assert_true(s.cr0 & (1ULL << 31));  /* PG */
	assert_true(s.cr4 & (1ULL << 5));   /* PAE */
	assert_true(s.efer & (1ULL << 8));  /* LME */
	assert_true(s.efer & (1ULL << 10)); /* LMA */
	assert_int_equal(s.cr3, PAGE_TABLES_ADDR);
}

static void test_long_mode_sregs_load_64_bit_code_and_flat_data(void **state)
{
	const struct kvm_segment *data[5];
	struct kvm_sregs s;

	memset(&s, 0, sizeof(s));
	long_mode_sregs(&s);
	assert_int_equal(s.cs.selector, GDT_CODE);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0); /* with L set, D must be clear */
	assert_int_equal(s.cs.present, 1);
	assert_int_equal(s.cs.s, 1);
	assert_true(s.cs.type & 0x8); /* code */
	data[0] = &s.ds, data[1] = &s.es, data[2] = &s.fs, data[3] = &s.gs, data[4] = &s.ss;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(data[i]->selector, GDT_DATA);
		assert_int_equal(data[i]->present, 1);
		assert_int_equal(data[i]->s, 1);
		assert_int_equal(data[i]->type, 0x3); /* data, read/write, accessed */
		assert_int_equal(data[i]->l, 0);
	}
}

/* The segment registers hold what the GDT says: a reload in the guest changes nothing. */
static void test_long_mode_segments_agree_with_the_gdt(void **state)
{
	uint64_t code = gdt_entry(SEG_CODE64, 0, 0xfffff), dat = gdt_entry(SEG_DATA, 0, 0xfffff);
	struct kvm_sregs s;

	memset(&s, 0, sizeof(s));
	long_mode_sregs(&s);
	assert_int_equal(s.gdt.base, GDT_ADDR);
	assert_int_equal(s.gdt.limit, 3 * 8 - 1);
	assert_int_equal(s.cs.selector / 8, 1);
	assert_int_equal(s.ds.selector / 8, 2);
	assert_int_equal((code >> 40) & 0xf, s.cs.type);
	assert_int_equal((code >> 53) & 1, s.cs.l);
	assert_int_equal((code >> 54) & 1, s.cs.db);
	assert_int_equal((code >> 55) & 1, s.cs.g);
	assert_int_equal((dat >> 40) & 0xf, s.ss.type);
	assert_int_equal((dat >> 54) & 1, s.ss.db);
}

int main(void)
{
	const struct CMUnitTest longmode_tests[] = {
	        cmocka_unit_test(test_gdt_entry_encodes_the_flat_code_and_data_descriptors),
	        cmocka_unit_test(test_gdt_entry_scatters_base_and_limit),
	        cmocka_unit_test(test_segment_from_decodes_the_code64_flags),
	        cmocka_unit_test(test_segment_from_decodes_the_data_flags),
	        cmocka_unit_test(test_identity_map_maps_4_gib_to_themselves_and_nothing_more),
	        cmocka_unit_test(test_identity_map_points_at_its_own_tables),
	        cmocka_unit_test(test_identity_map_entries_have_only_the_expected_bits),
	        cmocka_unit_test(test_long_mode_sregs_enable_paging_pae_and_long_mode),
	        cmocka_unit_test(test_long_mode_sregs_load_64_bit_code_and_flat_data),
	        cmocka_unit_test(test_long_mode_segments_agree_with_the_gdt),
	};

	return cmocka_run_group_tests(longmode_tests, NULL, NULL);
}
