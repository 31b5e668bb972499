/* Unit tests of lib/err.c: the one-line error messages. */
#include "ws.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"

/* cmocka.h has fail() and fail_msg() macros of its own: these tests want lib's functions. */
#undef fail
#undef fail_msg

/* cmocka hands every test a state pointer that these tests do not need. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define ROOT_HINT " (this needs root: try sudo)"

/* The hint is for users who are not root: fake the effective uid. */
// WRAP: geteuid
static uid_t fake_euid = 1000;

uid_t __wrap_geteuid(void)
{
	return fake_euid;
}

/* Every test leaves stderr and the program name as it found them, even when it fails. */
static int restore(void **state)
{
	restore_stderr();
	ws_set_progname("ws");
	fake_euid = 1000;
	return 0;
}

/* Calls fail(op, obj) with errno err and returns what it printed, checking it returned -1. */
static const char *fail_output(int err, const char *op, const char *obj)
{
	int ret;

	capture_stderr();
	errno = err;
	ret = fail(op, obj);
	assert_int_equal(errno, err);
	assert_int_equal(ret, -1);
	return captured_stderr();
}

/* Runs first, before any test sets another name. */
static void test_ws_progname_defaults_to_ws(void **state)
{
	assert_string_equal(ws_progname(), "ws");
}

static void test_fail_prints_prog_op_obj_and_strerror(void **state)
{
	assert_string_equal(fail_output(ENOENT, "open", "/sys/fs/cgroup/box"),
	                    "ws: open /sys/fs/cgroup/box: No such file or directory\n");
}

static void test_fail_without_obj_prints_prog_op_and_strerror(void **state)
{
	assert_string_equal(fail_output(EINVAL, "unshare", NULL),
	                    "ws: unshare: Invalid argument\n");
}

static void test_fail_adds_root_hint_for_eperm(void **state)
{
	assert_string_equal(fail_output(EPERM, "mount", "/proc"),
	                    "ws: mount /proc: Operation not permitted" ROOT_HINT "\n");
}

static void test_fail_adds_root_hint_for_eperm_without_obj(void **state)
{
	assert_string_equal(fail_output(EPERM, "unshare", NULL),
	                    "ws: unshare: Operation not permitted" ROOT_HINT "\n");
}

/* Root that gets EPERM is refused for another reason (a namespace, a filter): no hint. */
static void test_fail_gives_no_root_hint_to_root(void **state)
{
	fake_euid = 0;
	assert_string_equal(fail_output(EPERM, "mount", "/proc"),
	                    "ws: mount /proc: Operation not permitted\n");
}

/* EACCES is a file's permissions, not a missing privilege: no hint. */
static void test_fail_gives_no_root_hint_for_eacces(void **state)
{
	assert_string_equal(fail_output(EACCES, "open", "/etc/shadow"),
	                    "ws: open /etc/shadow: Permission denied\n");
}

/* So that callers can `return fail(...)` and their caller can still test errno. */
static void test_fail_returns_minus_one_and_keeps_errno(void **state)
{
	static const int errs[] = {EPERM, ENOENT, EACCES, EBUSY, ENOSPC, EIO, EINVAL};

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		fail_output(errs[i], "op", i % 2 ? "obj" : NULL);
}

/* Writing the message may itself fail and set errno: fail() must restore the caller's. */
static void test_fail_keeps_errno_when_stderr_write_fails(void **state)
{
	int readonly = open("/dev/null", O_RDONLY);
	int saved = dup(STDERR_FILENO);
	int ret, err;

	assert_true(readonly >= 0 && saved >= 0);
	fflush(stderr);
	dup2(readonly, STDERR_FILENO); /* writes to fd 2 now fail with EBADF */
	errno = ENOENT;
	ret = fail("open", "/x");
	err = errno;
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(readonly);
	clearerr(stderr);
	assert_int_equal(ret, -1);
	assert_int_equal(err, ENOENT);
}

static void test_fail_msg_prints_prog_and_formatted_message(void **state)
{
	capture_stderr();
	assert_int_equal(fail_msg("bad size '%s' (%d)", "10Q", 2), -1);
	assert_string_equal(captured_stderr(), "ws: bad size '10Q' (2)\n");
}

static void test_fail_msg_prints_plain_message(void **state)
{
	capture_stderr();
	assert_int_equal(fail_msg("missing ROOTFS"), -1);
	assert_string_equal(captured_stderr(), "ws: missing ROOTFS\n");
}

/* Not a system call failure: no strerror and no root hint, whatever errno says. */
static void test_fail_msg_ignores_errno(void **state)
{
	capture_stderr();
	errno = EPERM;
	fail_msg("usage");
	assert_string_equal(captured_stderr(), "ws: usage\n");
}

static void test_ws_set_progname_sets_ws_progname(void **state)
{
	ws_set_progname("box");
	assert_string_equal(ws_progname(), "box");
}

static void test_ws_set_progname_prefixes_fail(void **state)
{
	ws_set_progname("box");
	assert_string_equal(fail_output(ENOENT, "chroot", "rootfs"),
	                    "box: chroot rootfs: No such file or directory\n");
}

static void test_ws_set_progname_prefixes_fail_msg(void **state)
{
	ws_set_progname("vmm");
	capture_stderr();
	fail_msg("no %s", "kernel");
	assert_string_equal(captured_stderr(), "vmm: no kernel\n");
}

int main(void)
{
	const struct CMUnitTest err_tests[] = {
	        cmocka_unit_test_teardown(test_ws_progname_defaults_to_ws, restore),
	        cmocka_unit_test_teardown(test_fail_prints_prog_op_obj_and_strerror, restore),
	        cmocka_unit_test_teardown(test_fail_without_obj_prints_prog_op_and_strerror,
	                                  restore),
	        cmocka_unit_test_teardown(test_fail_adds_root_hint_for_eperm, restore),
	        cmocka_unit_test_teardown(test_fail_adds_root_hint_for_eperm_without_obj, restore),
	        cmocka_unit_test_teardown(test_fail_gives_no_root_hint_to_root, restore),
	        cmocka_unit_test_teardown(test_fail_gives_no_root_hint_for_eacces, restore),
	        cmocka_unit_test_teardown(test_fail_returns_minus_one_and_keeps_errno, restore),
	        cmocka_unit_test_teardown(test_fail_keeps_errno_when_stderr_write_fails, restore),
	        cmocka_unit_test_teardown(test_fail_msg_prints_prog_and_formatted_message, restore),
	        cmocka_unit_test_teardown(test_fail_msg_prints_plain_message, restore),
	        cmocka_unit_test_teardown(test_fail_msg_ignores_errno, restore),
	        cmocka_unit_test_teardown(test_ws_set_progname_sets_ws_progname, restore),
	        cmocka_unit_test_teardown(test_ws_set_progname_prefixes_fail, restore),
	        cmocka_unit_test_teardown(test_ws_set_progname_prefixes_fail_msg, restore),
	};

	return cmocka_run_group_tests(err_tests, NULL, NULL);
}
