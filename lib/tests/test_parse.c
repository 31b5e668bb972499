/* Unit tests of lib/parse.c: parse_long, parse_size, parse_u64, parse_cidr4, format_cidr4. */
#include "ws.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* cmocka hands every test a state pointer that these tests do not need. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/* Asserts that parse_long(s) gives v. */
#define assert_long_parses(s, min, max, v)                                                         \
	do {                                                                                       \
		long out_ = 12345;                                                                 \
		assert_int_equal(parse_long((s), (min), (max), &out_), 0);                         \
		assert_int_equal(out_, (v));                                                       \
	} while (0)

/* Asserts that parse_long(s) fails with errno err and leaves its output alone. */
#define assert_long_fails(s, min, max, err)                                                        \
	do {                                                                                       \
		long out_ = 12345;                                                                 \
		errno = 0;                                                                         \
		assert_int_equal(parse_long((s), (min), (max), &out_), -1);                        \
		assert_int_equal(errno, (err));                                                    \
		assert_int_equal(out_, 12345);                                                     \
	} while (0)

#define assert_size_parses(s, v)                                                                   \
	do {                                                                                       \
		uint64_t out_ = 12345;                                                             \
		assert_int_equal(parse_size((s), &out_), 0);                                       \
		assert_int_equal(out_, (v));                                                       \
	} while (0)

#define assert_size_fails(s, err)                                                                  \
	do {                                                                                       \
		uint64_t out_ = 12345;                                                             \
		errno = 0;                                                                         \
		assert_int_equal(parse_size((s), &out_), -1);                                      \
		assert_int_equal(errno, (err));                                                    \
		assert_int_equal(out_, 12345);                                                     \
	} while (0)

#define assert_cidr4_fails(s)                                                                      \
	do {                                                                                       \
		struct cidr4 c_;                                                                   \
		errno = 0;                                                                         \
		assert_int_equal(parse_cidr4((s), &c_), -1);                                       \
		assert_int_equal(errno, EINVAL);                                                   \
	} while (0)

#define KIB (UINT64_C(1) << 10)
#define MIB (UINT64_C(1) << 20)
#define GIB (UINT64_C(1) << 30)
#define TIB (UINT64_C(1) << 40)

/* --- parse_long --- */

static void test_parse_long_accepts_decimal_values(void **state)
{
	assert_long_parses("0", 0, 100, 0);
	assert_long_parses("42", 0, 100, 42);
	assert_long_parses("3600", 0, 3600, 3600);
}

/* Base 10 always: a leading 0 is not octal, "0x" is not hexadecimal. */
static void test_parse_long_reads_leading_zeros_as_decimal(void **state)
{
	assert_long_parses("010", 0, 100, 10);
	assert_long_parses("0009", 0, 100, 9);
	assert_long_fails("0x10", 0, 100, EINVAL);
}

static void test_parse_long_accepts_negative_numbers(void **state)
{
	assert_long_parses("-5", -10, 10, -5);
}

static void test_parse_long_accepts_min_and_max(void **state)
{
	assert_long_parses("-3", -3, 7, -3);
	assert_long_parses("7", -3, 7, 7);
	assert_long_parses("5", 5, 5, 5);
}

static void test_parse_long_rejects_out_of_bounds_with_erange(void **state)
{
	assert_long_fails("-4", -3, 7, ERANGE);
	assert_long_fails("8", -3, 7, ERANGE);
	assert_long_fails("3601", 0, 3600, ERANGE);
	assert_long_fails("-1", 0, 3600, ERANGE);
}

static void test_parse_long_accepts_long_min_and_long_max(void **state)
{
	char s[32];

	snprintf(s, sizeof(s), "%ld", LONG_MAX);
	assert_long_parses(s, LONG_MIN, LONG_MAX, LONG_MAX);
	snprintf(s, sizeof(s), "%ld", LONG_MIN);
	assert_long_parses(s, LONG_MIN, LONG_MAX, LONG_MIN);
}

/* Past what a long holds is ERANGE, not a clamped LONG_MAX that happens to be in bounds. */
static void test_parse_long_rejects_overflow_with_erange(void **state)
{
	assert_long_fails("9223372036854775808", LONG_MIN, LONG_MAX, ERANGE);
	assert_long_fails("-9223372036854775809", LONG_MIN, LONG_MAX, ERANGE);
	assert_long_fails("99999999999999999999999999", LONG_MIN, LONG_MAX, ERANGE);
}

static void test_parse_long_rejects_empty_string(void **state)
{
	assert_long_fails("", 0, 100, EINVAL);
}

static void test_parse_long_rejects_null(void **state)
{
	assert_long_fails(NULL, 0, 100, EINVAL);
}

/* strtol would accept these; a command-line value should not. */
static void test_parse_long_rejects_leading_plus(void **state)
{
	assert_long_fails("+5", 0, 100, EINVAL);
	assert_long_fails("+", 0, 100, EINVAL);
}

static void test_parse_long_rejects_leading_space(void **state)
{
	assert_long_fails(" 5", 0, 100, EINVAL);
	assert_long_fails("\t5", 0, 100, EINVAL);
	assert_long_fails("\n5", 0, 100, EINVAL);
	assert_long_fails("- 5", -10, 100, EINVAL);
}

static void test_parse_long_rejects_trailing_junk(void **state)
{
	assert_long_fails("5 ", 0, 100, EINVAL);
	assert_long_fails("5\n", 0, 100, EINVAL);
	assert_long_fails("5x", 0, 100, EINVAL);
	assert_long_fails("1.0", 0, 100, EINVAL);
	assert_long_fails("1e3", 0, 10000, EINVAL);
	assert_long_fails("12-3", 0, 100, EINVAL);
}

static void test_parse_long_rejects_lone_minus(void **state)
{
	assert_long_fails("-", -10, 10, EINVAL);
	assert_long_fails("--5", -10, 10, EINVAL);
	assert_long_fails("-x", -10, 10, EINVAL);
}

static void test_parse_long_rejects_words(void **state)
{
	assert_long_fails("ten", 0, 100, EINVAL);
	assert_long_fails("x5", 0, 100, EINVAL);
}

/* --- parse_size --- */

static void test_parse_size_accepts_plain_bytes(void **state)
{
	assert_size_parses("4096", 4096);
	assert_size_parses("1", 1);
	assert_size_parses("18446744073709551615", UINT64_MAX);
}

static void test_parse_size_accepts_zero(void **state)
{
	assert_size_parses("0", 0);
	assert_size_parses("0G", 0);
}

static void test_parse_size_accepts_k_suffix_in_both_cases(void **state)
{
	assert_size_parses("1k", KIB);
	assert_size_parses("1K", KIB);
	assert_size_parses("64k", 64 * KIB);
}

static void test_parse_size_accepts_m_g_t_suffixes(void **state)
{
	assert_size_parses("512M", 512 * MIB);
	assert_size_parses("512m", 512 * MIB);
	assert_size_parses("2G", 2 * GIB);
	assert_size_parses("2g", 2 * GIB);
	assert_size_parses("1T", TIB);
	assert_size_parses("3t", 3 * TIB);
}

/* "MB", "MiB" and any case of them all mean 2^20, as in cgroup and QEMU syntax. */
static void test_parse_size_accepts_b_and_ib_after_the_suffix(void **state)
{
	assert_size_parses("1MB", MIB);
	assert_size_parses("1MiB", MIB);
	assert_size_parses("1mb", MIB);
	assert_size_parses("1mib", MIB);
	assert_size_parses("1MIB", MIB);
	assert_size_parses("4KiB", 4 * KIB);
	assert_size_parses("2GB", 2 * GIB);
	assert_size_parses("1TiB", TIB);
}

/* The largest value of each suffix still fits; one more overflows uint64_t. */
static void test_parse_size_accepts_largest_value_of_each_suffix(void **state)
{
	assert_size_parses("18014398509481983K", (UINT64_MAX >> 10) << 10);
	assert_size_parses("17592186044415M", (UINT64_MAX >> 20) << 20);
	assert_size_parses("17179869183G", (UINT64_MAX >> 30) << 30);
	assert_size_parses("16777215T", (UINT64_MAX >> 40) << 40);
}

static void test_parse_size_rejects_overflow_at_each_suffix(void **state)
{
	assert_size_fails("18014398509481984K", ERANGE);
	assert_size_fails("17592186044416M", ERANGE);
	assert_size_fails("17179869184G", ERANGE);
	assert_size_fails("16777216T", ERANGE);
	assert_size_fails("16777216TiB", ERANGE);
}

/* A number that does not even fit before the suffix is applied. */
static void test_parse_size_rejects_overflow_of_the_number(void **state)
{
	assert_size_fails("18446744073709551616", ERANGE);
	assert_size_fails("99999999999999999999999", ERANGE);
	assert_size_fails("99999999999999999999999G", ERANGE);
}

static void test_parse_size_rejects_unknown_suffixes(void **state)
{
	assert_size_fails("10XB", EINVAL);
	assert_size_fails("10Q", EINVAL);
	assert_size_fails("10P", EINVAL);
	assert_size_fails("10e3", EINVAL);
	assert_size_fails("10iB", EINVAL);
}

static void test_parse_size_rejects_malformed_suffixes(void **state)
{
	assert_size_fails("10KK", EINVAL);
	assert_size_fails("10Ki", EINVAL);
	assert_size_fails("10KBB", EINVAL);
	assert_size_fails("10MiBx", EINVAL);
	assert_size_fails("10 K", EINVAL);
}

static void test_parse_size_rejects_fractions(void **state)
{
	assert_size_fails("1.5G", EINVAL);
	assert_size_fails("1,5G", EINVAL);
}

/* strtoull would wrap "-1" around to UINT64_MAX. */
static void test_parse_size_rejects_negative_numbers(void **state)
{
	assert_size_fails("-1", EINVAL);
	assert_size_fails("-1G", EINVAL);
}

static void test_parse_size_rejects_empty_string_and_null(void **state)
{
	assert_size_fails("", EINVAL);
	assert_size_fails(NULL, EINVAL);
}

static void test_parse_size_rejects_suffix_without_number(void **state)
{
	assert_size_fails("G", EINVAL);
	assert_size_fails("KiB", EINVAL);
}

static void test_parse_size_rejects_leading_plus_and_space(void **state)
{
	assert_size_fails("+10", EINVAL);
	assert_size_fails(" 10", EINVAL);
}

static void test_parse_size_rejects_trailing_junk(void **state)
{
	assert_size_fails("10 ", EINVAL);
	assert_size_fails("10k ", EINVAL);
	assert_size_fails("10\n", EINVAL);
	assert_size_fails("0x10", EINVAL);
}

/* --- parse_u64 --- */

#define assert_u64_parses(s, v)                                                                    \
	do {                                                                                       \
		uint64_t out_ = 12345;                                                             \
		assert_int_equal(parse_u64((s), &out_), 0);                                        \
		assert_int_equal(out_, (v));                                                       \
	} while (0)

#define assert_u64_fails(s, err)                                                                   \
	do {                                                                                       \
		uint64_t out_ = 12345;                                                             \
		errno = 0;                                                                         \
		assert_int_equal(parse_u64((s), &out_), -1);                                       \
		assert_int_equal(errno, (err));                                                    \
		assert_int_equal(out_, 12345);                                                     \
	} while (0)

static void test_parse_u64_accepts_decimal(void **state)
{
	assert_u64_parses("0", 0);
	assert_u64_parses("4096", 4096);
	assert_u64_parses("010", 10);
	assert_u64_parses("18446744073709551615", UINT64_MAX);
}

static void test_parse_u64_accepts_hex_with_0x(void **state)
{
	assert_u64_parses("0x0", 0);
	assert_u64_parses("0x1000", 0x1000);
	assert_u64_parses("0XfFfF", 0xffff);
	assert_u64_parses("0xffffffffffffffff", UINT64_MAX);
}

static void test_parse_u64_rejects_overflow(void **state)
{
	assert_u64_fails("18446744073709551616", ERANGE);
	assert_u64_fails("0x10000000000000000", ERANGE);
}

static void test_parse_u64_rejects_malformed(void **state)
{
	assert_u64_fails("", EINVAL);
	assert_u64_fails(NULL, EINVAL);
	assert_u64_fails("0x", EINVAL);
	assert_u64_fails("0x0x10", EINVAL);
	assert_u64_fails("-1", EINVAL);
	assert_u64_fails("+1", EINVAL);
	assert_u64_fails(" 1", EINVAL);
	assert_u64_fails("0x -1", EINVAL);
	assert_u64_fails("0x-1", EINVAL);
	assert_u64_fails("12k", EINVAL);
	assert_u64_fails("0x12g", EINVAL);
	assert_u64_fails("1 ", EINVAL);
	assert_u64_fails("ff", EINVAL);
}

/* --- parse_cidr4 --- */

static void test_parse_cidr4_accepts_address_and_prefix(void **state)
{
	struct cidr4 c;

	assert_int_equal(parse_cidr4("169.254.7.1/30", &c), 0);
	assert_int_equal(ntohl(c.addr.s_addr), 0xa9fe0701);
	assert_int_equal(c.prefix, 30);
}

static void test_parse_cidr4_accepts_prefix_0(void **state)
{
	struct cidr4 c;

	assert_int_equal(parse_cidr4("0.0.0.0/0", &c), 0);
	assert_int_equal(c.addr.s_addr, 0);
	assert_int_equal(c.prefix, 0);
}

static void test_parse_cidr4_accepts_prefix_32(void **state)
{
	struct cidr4 c;

	assert_int_equal(parse_cidr4("255.255.255.255/32", &c), 0);
	assert_int_equal(ntohl(c.addr.s_addr), 0xffffffff);
	assert_int_equal(c.prefix, 32);
}

/* Every failure of parse_cidr4 is EINVAL, even an out-of-range prefix. */
static void test_parse_cidr4_rejects_prefix_33(void **state)
{
	assert_cidr4_fails("10.0.0.1/33");
	assert_cidr4_fails("10.0.0.1/4294967328");
}

static void test_parse_cidr4_rejects_negative_prefix(void **state)
{
	assert_cidr4_fails("10.0.0.1/-1");
}

static void test_parse_cidr4_rejects_missing_prefix(void **state)
{
	assert_cidr4_fails("10.0.0.1");
	assert_cidr4_fails("10.0.0.1/");
}

static void test_parse_cidr4_rejects_empty_address(void **state)
{
	assert_cidr4_fails("/24");
	assert_cidr4_fails("/");
	assert_cidr4_fails("");
	assert_cidr4_fails(NULL);
}

/* inet_aton would read "10.1" as 10.0.0.1; a network address must be written in full. */
static void test_parse_cidr4_rejects_shorthand_addresses(void **state)
{
	assert_cidr4_fails("10.1/8");
	assert_cidr4_fails("10/8");
	assert_cidr4_fails("167772161/8");
}

static void test_parse_cidr4_rejects_bad_octets(void **state)
{
	assert_cidr4_fails("10.0.0.256/24");
	assert_cidr4_fails("10.0.0.-1/24");
	assert_cidr4_fails("10.0.0.0.1/24");
	assert_cidr4_fails("a.b.c.d/24");
}

/* Longer than any dotted quad: must be refused before it is copied to a fixed buffer. */
static void test_parse_cidr4_rejects_overlong_address(void **state)
{
	assert_cidr4_fails("1111111111111111111111111111111111111111111111111/8");
	assert_cidr4_fails("255.255.255.2555/8");
}

static void test_parse_cidr4_rejects_junk(void **state)
{
	assert_cidr4_fails("10.0.0.1/24x");
	assert_cidr4_fails("10.0.0.1/24/1");
	assert_cidr4_fails("10.0.0.1/ 24");
	assert_cidr4_fails("10.0.0.1/+24");
	assert_cidr4_fails("10.0.0.1 /24");
	assert_cidr4_fails(" 10.0.0.1/24");
	assert_cidr4_fails("10.0.0.1/0x8");
	assert_cidr4_fails("fe80::1/64");
}

/* --- format_cidr4 --- */

static void test_format_cidr4_writes_dotted_quad_and_prefix(void **state)
{
	struct cidr4 c = {.addr.s_addr = htonl(0x0a000201), .prefix = 24};
	char buf[32];

	assert_ptr_equal(format_cidr4(&c, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "10.0.2.1/24");
}

/* 19 bytes are documented as enough for the longest address and prefix. */
static void test_format_cidr4_fits_longest_value_in_19_bytes(void **state)
{
	struct cidr4 c = {.addr.s_addr = htonl(0xffffffff), .prefix = 32};
	char buf[19];

	format_cidr4(&c, buf, sizeof(buf));
	assert_string_equal(buf, "255.255.255.255/32");
}

static void test_format_cidr4_round_trips_parse_cidr4(void **state)
{
	static const char *const values[] = {"169.254.7.1/30", "0.0.0.0/0", "255.255.255.255/32",
	                                     "10.0.0.1/8", "192.168.100.200/17"};
	struct cidr4 c;
	char buf[19];

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		assert_int_equal(parse_cidr4(values[i], &c), 0);
		assert_string_equal(format_cidr4(&c, buf, sizeof(buf)), values[i]);
	}
}

int main(void)
{
	const struct CMUnitTest parse_tests[] = {
	        cmocka_unit_test(test_parse_long_accepts_decimal_values),
	        cmocka_unit_test(test_parse_long_reads_leading_zeros_as_decimal),
	        cmocka_unit_test(test_parse_long_accepts_negative_numbers),
	        cmocka_unit_test(test_parse_long_accepts_min_and_max),
	        cmocka_unit_test(test_parse_long_rejects_out_of_bounds_with_erange),
	        cmocka_unit_test(test_parse_long_accepts_long_min_and_long_max),
	        cmocka_unit_test(test_parse_long_rejects_overflow_with_erange),
	        cmocka_unit_test(test_parse_long_rejects_empty_string),
	        cmocka_unit_test(test_parse_long_rejects_null),
	        cmocka_unit_test(test_parse_long_rejects_leading_plus),
	        cmocka_unit_test(test_parse_long_rejects_leading_space),
	        cmocka_unit_test(test_parse_long_rejects_trailing_junk),
	        cmocka_unit_test(test_parse_long_rejects_lone_minus),
	        cmocka_unit_test(test_parse_long_rejects_words),
	        cmocka_unit_test(test_parse_size_accepts_plain_bytes),
	        cmocka_unit_test(test_parse_size_accepts_zero),
	        cmocka_unit_test(test_parse_size_accepts_k_suffix_in_both_cases),
	        cmocka_unit_test(test_parse_size_accepts_m_g_t_suffixes),
	        cmocka_unit_test(test_parse_size_accepts_b_and_ib_after_the_suffix),
	        cmocka_unit_test(test_parse_size_accepts_largest_value_of_each_suffix),
	        cmocka_unit_test(test_parse_size_rejects_overflow_at_each_suffix),
	        cmocka_unit_test(test_parse_size_rejects_overflow_of_the_number),
	        cmocka_unit_test(test_parse_size_rejects_unknown_suffixes),
	        cmocka_unit_test(test_parse_size_rejects_malformed_suffixes),
	        cmocka_unit_test(test_parse_size_rejects_fractions),
	        cmocka_unit_test(test_parse_size_rejects_negative_numbers),
	        cmocka_unit_test(test_parse_size_rejects_empty_string_and_null),
	        cmocka_unit_test(test_parse_size_rejects_suffix_without_number),
	        cmocka_unit_test(test_parse_size_rejects_leading_plus_and_space),
	        cmocka_unit_test(test_parse_size_rejects_trailing_junk),
	        cmocka_unit_test(test_parse_u64_accepts_decimal),
	        cmocka_unit_test(test_parse_u64_accepts_hex_with_0x),
	        cmocka_unit_test(test_parse_u64_rejects_overflow),
	        cmocka_unit_test(test_parse_u64_rejects_malformed),
	        cmocka_unit_test(test_parse_cidr4_accepts_address_and_prefix),
	        cmocka_unit_test(test_parse_cidr4_accepts_prefix_0),
	        cmocka_unit_test(test_parse_cidr4_accepts_prefix_32),
	        cmocka_unit_test(test_parse_cidr4_rejects_prefix_33),
	        cmocka_unit_test(test_parse_cidr4_rejects_negative_prefix),
	        cmocka_unit_test(test_parse_cidr4_rejects_missing_prefix),
	        cmocka_unit_test(test_parse_cidr4_rejects_empty_address),
	        cmocka_unit_test(test_parse_cidr4_rejects_shorthand_addresses),
	        cmocka_unit_test(test_parse_cidr4_rejects_bad_octets),
	        cmocka_unit_test(test_parse_cidr4_rejects_overlong_address),
	        cmocka_unit_test(test_parse_cidr4_rejects_junk),
	        cmocka_unit_test(test_format_cidr4_writes_dotted_quad_and_prefix),
	        cmocka_unit_test(test_format_cidr4_fits_longest_value_in_19_bytes),
	        cmocka_unit_test(test_format_cidr4_round_trips_parse_cidr4),
	};

	return cmocka_run_group_tests(parse_tests, NULL, NULL);
}
