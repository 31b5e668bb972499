/* Unit tests of lib/clone.c: clone_process, a fork that takes namespace flags. */
#include "ws.h"

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

// WRAP: syscall

/* cmocka hands every test a state pointer that these tests do not need. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

/*
 * The children below end with _exit(), never exit() or a cmocka assertion: they
 * must not flush the parent's buffered TAP output a second time nor report results.
 */

/* --- fake syscall() --- */

long __real_syscall(long number, ...);

/* Once armed, the next syscall() returns fake_ret with errno fake_err, and records its arguments. */
static bool fake_armed;
static long fake_ret;
static int fake_err;
static long seen_number;
static long seen_args[5];

/* clone_process passes five arguments; reading five of anything else is harmless on x86-64. */
long __wrap_syscall(long number, ...)
{
	va_list ap;

	va_start(ap, number);
	for (int i = 0; i < 5; i++)
		seen_args[i] = va_arg(ap, long);
	va_end(ap);
	seen_number = number;
	if (!fake_armed)
		return __real_syscall(number, seen_args[0], seen_args[1], seen_args[2],
		                      seen_args[3], seen_args[4]);
	fake_armed = false;
	errno = fake_err;
	return fake_ret;
}

static void arm_syscall(long ret, int err)
{
	fake_armed = true;
	fake_ret = ret;
	fake_err = err;
}

static int disarm_syscall(void **state)
{
	fake_armed = false;
	return 0;
}

/* Waits for pid and returns its exit status; fails the test if it did not exit normally. */
static int exit_status(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* --- real clones --- */

/* Without flags it is fork(): the child gets 0, the parent its pid and its exit status. */
static void test_clone_process_without_flags_behaves_like_fork(void **state)
{
	pid_t pid = clone_process(0);

	if (pid == 0)
		_exit(42);
	assert_true(pid > 0);
	assert_int_equal(exit_status(pid), 42);
}

/* The pid the parent gets is the child's own, and the child's parent is the caller. */
static void test_clone_process_returns_the_child_pid(void **state)
{
	pid_t parent = getpid();
	int fds[2];
	pid_t pid, seen = 0;

	assert_int_equal(pipe(fds), 0);
	pid = clone_process(0);
	if (pid == 0) {
		pid_t self = getpid();

		_exit(write(fds[1], &self, sizeof(self)) == sizeof(self) && getppid() == parent
		              ? 0
		              : 1);
	}
	assert_true(pid > 0);
	close(fds[1]);
	assert_int_equal(read(fds[0], &seen, sizeof(seen)), sizeof(seen));
	close(fds[0]);
	assert_int_equal(seen, pid);
	assert_int_equal(exit_status(pid), 0);
}

/* The child runs on a copy of the caller's memory and stack, not on the same memory. */
static void test_clone_process_child_gets_a_copy_of_memory(void **state)
{
	static int shared = 1;
	volatile int local = 7;
	pid_t pid = clone_process(0);

	if (pid == 0) {
		bool copied = shared == 1 && local == 7;

		shared = 2;
		local = 8;
		_exit(copied ? 0 : 1);
	}
	assert_int_equal(exit_status(pid), 0);
	assert_int_equal(shared, 1);
	assert_int_equal(local, 7);
}

/* --- the system call it makes --- */

/* SIGCHLD is what lets the parent wait for the child without __WALL. */
static void test_clone_process_passes_flags_with_sigchld_and_no_stack(void **state)
{
	arm_syscall(4242, 0);
	assert_int_equal(clone_process(CLONE_NEWPID | CLONE_NEWNS), 4242);
	assert_int_equal(seen_number, SYS_clone);
	assert_int_equal(seen_args[0], CLONE_NEWPID | CLONE_NEWNS | SIGCHLD);
	assert_int_equal(seen_args[1], 0); /* no new stack: the child continues from the call */
}

static void test_clone_process_adds_sigchld_to_no_flags(void **state)
{
	arm_syscall(4242, 0);
	clone_process(0);
	assert_int_equal(seen_args[0], SIGCHLD);
}

static void test_clone_process_reports_failure_with_errno(void **state)
{
	arm_syscall(-1, EPERM);
	errno = 0;
	assert_int_equal(clone_process(CLONE_NEWUSER), -1);
	assert_int_equal(errno, EPERM);
	assert_false(fake_armed);
}

static void test_clone_process_reports_enomem(void **state)
{
	arm_syscall(-1, ENOMEM);
	errno = 0;
	assert_int_equal(clone_process(0), -1);
	assert_int_equal(errno, ENOMEM);
}

int main(void)
{
	const struct CMUnitTest clone_tests[] = {
	        cmocka_unit_test(test_clone_process_without_flags_behaves_like_fork),
	        cmocka_unit_test(test_clone_process_returns_the_child_pid),
	        cmocka_unit_test(test_clone_process_child_gets_a_copy_of_memory),
	        cmocka_unit_test_teardown(test_clone_process_passes_flags_with_sigchld_and_no_stack,
	                                  disarm_syscall),
	        cmocka_unit_test_teardown(test_clone_process_adds_sigchld_to_no_flags,
	                                  disarm_syscall),
	        cmocka_unit_test_teardown(test_clone_process_reports_failure_with_errno,
	                                  disarm_syscall),
	        cmocka_unit_test_teardown(test_clone_process_reports_enomem, disarm_syscall),
	};

	return cmocka_run_group_tests(clone_tests, NULL, NULL);
}
