/* Unit tests of lib/fileio.c: path_join, write_file and read_file, failure paths included. */
#include "ws.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"

/*
 * fileio.o calls these by their plain names (see `nm build/lib/fileio.o`: no
 * open64 or __open_2 without _FORTIFY_SOURCE), so wrapping them is enough.
 */
// WRAP: open read write close

/* cmocka hands every test a state pointer that some tests do not need. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/* --- fake system calls --- */

int __real_open(const char *path, int flags, ...);
ssize_t __real_read(int fd, void *buf, size_t count);
ssize_t __real_write(int fd, const void *buf, size_t count);
int __real_close(int fd);

/*
 * A one-shot fake: once armed, the next call returns ret with errno err instead of
 * doing its work; calls made while it is not armed go to libc.
 */
struct fake {
	bool armed;
	long ret;
	int err;
	int calls; /* every call, faked or not */
};

static struct fake fake_open, fake_read, fake_write, fake_close;
static int opened_fd = -1; /* what the last real open() returned */
static int opened_flags;   /* the flags of the last open() */

static void arm(struct fake *f, long ret, int err)
{
	f->armed = true;
	f->ret = ret;
	f->err = err;
}

/* Counts the call; returns true (and disarms f) when this call is the faked one. */
static bool take(struct fake *f)
{
	f->calls++;
	if (!f->armed)
		return false;
	f->armed = false;
	errno = f->err;
	return true;
}

int __wrap_open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	va_list ap;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	opened_flags = flags;
	if (take(&fake_open))
		return (int)fake_open.ret;
	return opened_fd = __real_open(path, flags, mode);
}

ssize_t __wrap_read(int fd, void *buf, size_t count)
{
	if (take(&fake_read))
		return fake_read.ret;
	return __real_read(fd, buf, count);
}

/* Armed with a count >= 0, it is a short write: only that many bytes are written. */
ssize_t __wrap_write(int fd, const void *buf, size_t count)
{
	if (take(&fake_write))
		return fake_write.ret < 0 ? -1 : __real_write(fd, buf, (size_t)fake_write.ret);
	return __real_write(fd, buf, count);
}

/* Linux releases the descriptor even when close() fails, so the fake does too. */
int __wrap_close(int fd)
{
	if (take(&fake_close)) {
		__real_close(fd);
		errno = fake_close.err;
		return -1;
	}
	return __real_close(fd);
}

/* --- fixtures and helpers --- */

static char tmp_path[] = "/tmp/ws-test-fileio-XXXXXX";

static void reset_fakes(void)
{
	memset(&fake_open, 0, sizeof(fake_open));
	memset(&fake_read, 0, sizeof(fake_read));
	memset(&fake_write, 0, sizeof(fake_write));
	memset(&fake_close, 0, sizeof(fake_close));
	opened_fd = -1;
	opened_flags = 0;
}

/* Each test gets a fresh empty file; *state is its path. */
static int create_tmpfile(void **state)
{
	int fd;

	strcpy(tmp_path, "/tmp/ws-test-fileio-XXXXXX");
	fd = mkstemp(tmp_path);
	if (fd < 0)
		return -1;
	__real_close(fd);
	reset_fakes();
	*state = tmp_path;
	return 0;
}

static int remove_tmpfile(void **state)
{
	restore_stderr();
	reset_fakes();
	unlink(tmp_path);
	return 0;
}

/* The helpers use stdio, which does not go through the fakes. */
static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f), strlen(text) > 0 ? 1 : 0);
	assert_int_equal(fclose(f), 0);
}

static const char *file_content(const char *path)
{
	static char text[256];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

/* The one line fail() prints: "ws: OP PATH: REASON". */
static const char *message(const char *op, const char *path, const char *reason)
{
	static char text[256];

	snprintf(text, sizeof(text), "ws: %s %s: %s\n", op, path, reason);
	return text;
}

/* A failing call must not leak the descriptor it opened. */
static void assert_fd_closed(int fd)
{
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

/* --- path_join --- */

static void test_path_join_joins_dir_and_name(void **state)
{
	char buf[64];

	assert_ptr_equal(path_join(buf, sizeof(buf), "/rootfs", "proc"), buf);
	assert_string_equal(buf, "/rootfs/proc");
}

static void test_path_join_accepts_exact_fit(void **state)
{
	char buf[sizeof("/rootfs/proc")];

	assert_ptr_equal(path_join(buf, sizeof(buf), "/rootfs", "proc"), buf);
	assert_string_equal(buf, "/rootfs/proc");
}

/* One byte short: refused, rather than a truncated path that names another file. */
static void test_path_join_rejects_too_long_with_enametoolong(void **state)
{
	char buf[sizeof("/rootfs/proc") - 1];

	capture_stderr();
	errno = 0;
	assert_null(path_join(buf, sizeof(buf), "/rootfs", "proc"));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_string_equal(captured_stderr(), "ws: make a path in /rootfs: File name too long\n");
}

/* --- write_file --- */

static void test_write_file_writes_text_in_one_write(void **state)
{
	const char *path = *state;

	assert_int_equal(write_file(path, "max 100000\n"), 0);
	assert_string_equal(file_content(path), "max 100000\n");
	assert_int_equal(fake_write.calls, 1);
	assert_fd_closed(opened_fd);
}

/* write_file is for kernel files that exist; it never creates one. */
static void test_write_file_reports_missing_file(void **state)
{
	const char *path = *state;

	unlink(path);
	capture_stderr();
	assert_int_equal(write_file(path, "1"), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(access(path, F_OK), -1);
	assert_string_equal(captured_stderr(), message("open", path, "No such file or directory"));
}

/* Descriptors must not leak into the container's command. */
static void test_write_file_opens_write_only_close_on_exec(void **state)
{
	assert_int_equal(write_file(*state, "1"), 0);
	assert_int_equal(opened_flags & O_ACCMODE, O_WRONLY);
	assert_true(opened_flags & O_CLOEXEC);
	assert_false(opened_flags & O_CREAT);
}

static void test_write_file_reports_open_failure(void **state)
{
	const char *path = *state;

	capture_stderr();
	arm(&fake_open, -1, EACCES);
	assert_int_equal(write_file(path, "1"), -1);
	assert_int_equal(errno, EACCES);
	assert_false(fake_open.armed);
	assert_int_equal(fake_write.calls, 0);
	assert_string_equal(captured_stderr(), message("open", path, "Permission denied"));
}

/* A kernel file takes its value in one write: a short count is an error, EIO. */
static void test_write_file_short_write_is_eio(void **state)
{
	const char *path = *state;

	capture_stderr();
	arm(&fake_write, 3, 0);
	errno = 0;
	assert_int_equal(write_file(path, "0-1023"), -1);
	assert_int_equal(errno, EIO);
	assert_false(fake_write.armed);
	assert_fd_closed(opened_fd);
	assert_string_equal(captured_stderr(), message("write", path, "Input/output error"));
}

/* Even writing nothing of a non-empty text is short. */
static void test_write_file_zero_byte_write_is_eio(void **state)
{
	const char *path = *state;

	capture_stderr();
	arm(&fake_write, 0, 0);
	errno = 0;
	assert_int_equal(write_file(path, "1"), -1);
	assert_int_equal(errno, EIO);
	assert_string_equal(captured_stderr(), message("write", path, "Input/output error"));
}

static void test_write_file_reports_write_failure(void **state)
{
	const char *path = *state;

	capture_stderr();
	arm(&fake_write, -1, ENOSPC);
	assert_int_equal(write_file(path, "1"), -1);
	assert_int_equal(errno, ENOSPC);
	assert_false(fake_write.armed);
	assert_fd_closed(opened_fd);
	assert_string_equal(captured_stderr(), message("write", path, "No space left on device"));
}

/* Some file systems report a failed write only at close. */
static void test_write_file_reports_close_failure(void **state)
{
	const char *path = *state;

	capture_stderr();
	arm(&fake_close, -1, EIO);
	assert_int_equal(write_file(path, "1"), -1);
	assert_int_equal(errno, EIO);
	assert_false(fake_close.armed);
	assert_string_equal(captured_stderr(), message("close", path, "Input/output error"));
}

/* The report says ENOSPC, so errno must say ENOSPC too, even if the close that follows fails. */
static void test_write_file_keeps_write_errno_when_close_also_fails(void **state)
{
	const char *path = *state;

	capture_stderr();
	arm(&fake_write, -1, ENOSPC);
	arm(&fake_close, -1, EIO);
	assert_int_equal(write_file(path, "1"), -1);
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(captured_stderr(), message("write", path, "No space left on device"));
}

/* The same for read_file: the failed read's errno survives a failing close. */
static void test_read_file_keeps_read_errno_when_close_also_fails(void **state)
{
	const char *path = *state;
	char buf[16];

	capture_stderr();
	arm(&fake_read, -1, EIO);
	arm(&fake_close, -1, EBADF);
	assert_int_equal(read_file(path, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EIO);
	assert_string_equal(captured_stderr(), message("read", path, "Input/output error"));
}

/* --- read_file --- */

static void test_read_file_reads_whole_file(void **state)
{
	const char *path = *state;
	char buf[64];

	put_file(path, "hello world");
	assert_int_equal(read_file(path, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "hello world");
	assert_fd_closed(opened_fd);
}

static void test_read_file_strips_one_trailing_newline(void **state)
{
	const char *path = *state;
	char buf[64];

	put_file(path, "0::/box\n");
	assert_int_equal(read_file(path, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "0::/box");
}

static void test_read_file_strips_only_the_last_newline(void **state)
{
	const char *path = *state;
	char buf[64];

	put_file(path, "a\nb\n\n");
	assert_int_equal(read_file(path, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "a\nb\n");
}

static void test_read_file_reads_lone_newline_as_empty_string(void **state)
{
	const char *path = *state;
	char buf[64];

	put_file(path, "\n");
	assert_int_equal(read_file(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

static void test_read_file_reads_empty_file_as_empty_string(void **state)
{
	char buf[8] = "junk";

	assert_int_equal(read_file(*state, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
}

/* size-1 bytes and the NUL, and not a byte past size. */
static void test_read_file_truncates_to_buffer_size(void **state)
{
	const char *path = *state;
	char buf[16];

	put_file(path, "abcdefghij\n");
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(read_file(path, buf, 6), 5);
	assert_string_equal(buf, "abcde");
	assert_int_equal(buf[6], 'X');
}

static void test_read_file_with_size_1_gives_empty_string(void **state)
{
	const char *path = *state;
	char buf[4] = "XXX";

	put_file(path, "abc");
	assert_int_equal(read_file(path, buf, 1), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');
}

/* No room even for the NUL: refused before the file is opened. */
static void test_read_file_rejects_size_0_with_einval(void **state)
{
	const char *path = *state;
	char buf[4] = "XXX";

	capture_stderr();
	errno = 0;
	assert_int_equal(read_file(path, buf, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(fake_open.calls, 0);
	assert_string_equal(buf, "XXX");
	assert_string_equal(captured_stderr(), message("read", path, "Invalid argument"));
}

static void test_read_file_reports_missing_file(void **state)
{
	const char *path = *state;
	char buf[16];

	unlink(path);
	capture_stderr();
	assert_int_equal(read_file(path, buf, sizeof(buf)), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(captured_stderr(), message("open", path, "No such file or directory"));
}

static void test_read_file_opens_read_only_close_on_exec(void **state)
{
	char buf[16];

	assert_int_equal(read_file(*state, buf, sizeof(buf)), 0);
	assert_int_equal(opened_flags & O_ACCMODE, O_RDONLY);
	assert_true(opened_flags & O_CLOEXEC);
}

static void test_read_file_reports_open_failure(void **state)
{
	const char *path = *state;
	char buf[16];

	capture_stderr();
	arm(&fake_open, -1, EACCES);
	assert_int_equal(read_file(path, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EACCES);
	assert_false(fake_open.armed);
	assert_int_equal(fake_read.calls, 0);
	assert_string_equal(captured_stderr(), message("open", path, "Permission denied"));
}

static void test_read_file_reports_read_failure(void **state)
{
	const char *path = *state;
	char buf[16];

	put_file(path, "data");
	capture_stderr();
	arm(&fake_read, -1, EIO);
	assert_int_equal(read_file(path, buf, sizeof(buf)), -1);
	assert_int_equal(errno, EIO);
	assert_false(fake_read.armed);
	assert_fd_closed(opened_fd);
	assert_string_equal(captured_stderr(), message("read", path, "Input/output error"));
}

#define tmpfile_test(f) cmocka_unit_test_setup_teardown(f, create_tmpfile, remove_tmpfile)

int main(void)
{
	const struct CMUnitTest fileio_tests[] = {
	        tmpfile_test(test_write_file_keeps_write_errno_when_close_also_fails),
	        tmpfile_test(test_read_file_keeps_read_errno_when_close_also_fails),
	        tmpfile_test(test_path_join_joins_dir_and_name),
	        tmpfile_test(test_path_join_accepts_exact_fit),
	        tmpfile_test(test_path_join_rejects_too_long_with_enametoolong),
	        tmpfile_test(test_write_file_writes_text_in_one_write),
	        tmpfile_test(test_write_file_reports_missing_file),
	        tmpfile_test(test_write_file_opens_write_only_close_on_exec),
	        tmpfile_test(test_write_file_reports_open_failure),
	        tmpfile_test(test_write_file_short_write_is_eio),
	        tmpfile_test(test_write_file_zero_byte_write_is_eio),
	        tmpfile_test(test_write_file_reports_write_failure),
	        tmpfile_test(test_write_file_reports_close_failure),
	        tmpfile_test(test_read_file_reads_whole_file),
	        tmpfile_test(test_read_file_strips_one_trailing_newline),
	        tmpfile_test(test_read_file_strips_only_the_last_newline),
	        tmpfile_test(test_read_file_reads_lone_newline_as_empty_string),
	        tmpfile_test(test_read_file_reads_empty_file_as_empty_string),
	        tmpfile_test(test_read_file_truncates_to_buffer_size),
	        tmpfile_test(test_read_file_with_size_1_gives_empty_string),
	        tmpfile_test(test_read_file_rejects_size_0_with_einval),
	        tmpfile_test(test_read_file_reports_missing_file),
	        tmpfile_test(test_read_file_opens_read_only_close_on_exec),
	        tmpfile_test(test_read_file_reports_open_failure),
	        tmpfile_test(test_read_file_reports_read_failure),
	};

	return cmocka_run_group_tests(fileio_tests, NULL, NULL);
}
