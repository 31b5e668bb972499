/*
 * Captures what the code under test writes to stderr, for the unit tests of lib/.
 *
 * fd 2 itself is redirected (not just the FILE *), so every write reaches the
 * capture. Call restore_stderr() from a teardown too: a failed assertion jumps out
 * of the test and would otherwise leave stderr redirected for the next ones.
 *
 * Not a test program (mk/checks.mk builds test_*.c only); note that make does not
 * know the tests depend on it.
 */
#ifndef WS_TESTS_CAPTURE_H
#define WS_TESTS_CAPTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

static int capture_saved_fd = -1; /* the real stderr, while capturing */
static int capture_file_fd = -1;  /* the unlinked temporary file that stands in for it */

/* Puts the real stderr back; does nothing when nothing is captured. */
static inline void restore_stderr(void)
{
	if (capture_saved_fd < 0)
		return;
	fflush(stderr);
	dup2(capture_saved_fd, STDERR_FILENO);
	close(capture_saved_fd);
	close(capture_file_fd);
	capture_saved_fd = capture_file_fd = -1;
}

/* Redirects fd 2 to a fresh, empty temporary file. */
static inline void capture_stderr(void)
{
	char path[] = "/tmp/ws-test-stderr-XXXXXX";

	restore_stderr();
	fflush(stderr);
	capture_file_fd = mkstemp(path);
	assert_true(capture_file_fd >= 0);
	unlink(path);
	capture_saved_fd = dup(STDERR_FILENO);
	assert_true(capture_saved_fd >= 0);
	assert_int_equal(dup2(capture_file_fd, STDERR_FILENO), STDERR_FILENO);
}

/* Restores stderr and returns everything written to it since capture_stderr(). */
static inline const char *captured_stderr(void)
{
	static char text[4096];
	ssize_t n;

	assert_true(capture_saved_fd >= 0);
	fflush(stderr);
	n = pread(capture_file_fd, text, sizeof(text) - 1, 0);
	restore_stderr();
	assert_true(n >= 0);
	text[n] = '\0';
	return text;
}

#endif
