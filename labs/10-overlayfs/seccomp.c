/*
 * seccomp.c — system calls the container may not make.
 *
 * A seccomp filter is a small BPF program the kernel runs on every system call
 * of the process (and of everything it starts, forever). box's default filter
 * follows Docker's default profile in spirit: it refuses, with EPERM, the calls
 * that change the machine rather than the process (time, kernel modules, kexec,
 * reboot, swap), that reach into the kernel in ways containers rarely need and
 * attackers often do (keyrings, bpf, perf, userfaultfd, io_uring), and that
 * would undo the isolation of the previous steps (mount, namespaces). Docker
 * allows a list and refuses the rest; box refuses a list and allows the rest,
 * which is shorter to read and enough to show the mechanism.
 *
 * The filter is built with libseccomp, which writes the BPF for us, and loaded
 * last, just before COMMAND: box itself needed mount and unshare until then.
 */
#include "box.h"

#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>

/* Refused outright. */
static const char *const refused[] = {
        /* mounts and namespaces: would undo steps 02-07 */
        "mount",
        "umount2",
        "pivot_root",
        "move_mount",
        "open_tree",
        "fsopen",
        "fsconfig",
        "fsmount",
        "fspick",
        "mount_setattr",
        "unshare",
        "setns",
        /* the kernel's keyrings: not namespaced */
        "keyctl",
        "add_key",
        "request_key",
        /* kernel programs and tracing */
        "bpf",
        "perf_event_open",
        "userfaultfd",
        /* the machine itself */
        "kexec_load",
        "kexec_file_load",
        "init_module",
        "finit_module",
        "delete_module",
        "reboot",
        "swapon",
        "swapoff",
        "acct",
        "quotactl",
        "syslog",
        /* the clock: one for the whole machine */
        "clock_settime",
        "clock_adjtime",
        "settimeofday",
        "adjtimex",
        /* files by handle bypass the container's view of paths */
        "open_by_handle_at",
        /* io_uring: a second way into the kernel that many filters can't see */
        "io_uring_setup",
        "io_uring_enter",
        "io_uring_register",
        /* old and dangerous */
        "uselib",
        "vm86",
        "vm86old",
        "iopl",
        "ioperm",
        "lookup_dcookie",
        "nfsservctl",
};

/* clone(2) is fork too: refuse it only with a namespace flag. */
static const unsigned long clone_ns_flags[] = {CLONE_NEWNS,    CLONE_NEWUTS, CLONE_NEWIPC,
                                               CLONE_NEWUSER,  CLONE_NEWPID, CLONE_NEWNET,
                                               CLONE_NEWCGROUP};

#define N(a) (sizeof(a) / sizeof(a[0]))

/* Adds rule: syscall NAME gets ACTION, with one optional argument comparison. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n,
                    const struct scmp_arg_cmp *cmp)
{
	int nr = seccomp_syscall_resolve_name(name);
	int err;

	/* Not a system call on this architecture (vm86 on x86-64): nothing to refuse. */
	if (nr == __NR_SCMP_ERROR)
		return 0;
	err = seccomp_rule_add_array(ctx, action, nr, n, cmp);
	if (err < 0) {
		errno = -err;
		return fail("seccomp rule for", name);
	}
	return 0;
}

/* The rules of the default filter. */
static int add_default_rules(scmp_filter_ctx ctx)
{
	uint32_t eperm = SCMP_ACT_ERRNO(EPERM);

	struct scmp_arg_cmp not_linux = SCMP_A0(SCMP_CMP_NE, 0);

	for (size_t i = 0; i < N(refused); i++)
		if (add_rule(ctx, eperm, refused[i], 0, NULL) < 0)
			return -1;
	for (size_t i = 0; i < N(clone_ns_flags); i++) {
		struct scmp_arg_cmp cmp =
		        SCMP_A0(SCMP_CMP_MASKED_EQ, clone_ns_flags[i], clone_ns_flags[i]);

		if (add_rule(ctx, eperm, "clone", 1, &cmp) < 0)
			return -1;
	}
	if (add_rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL) < 0)
		return -1;
	/*
	 * personality(2) can turn off address space randomisation or make data
	 * executable. Docker allows four values; a rule here may test an argument
	 * only once, so box allows the one that matters, PER_LINUX.
	 */
	if (add_rule(ctx, eperm, "personality", 1, &not_linux) < 0)
		return -1;
	return 0;
}

int load_seccomp_filter(const struct options *o)
{
	scmp_filter_ctx ctx;
	int err;

	if (o->seccomp_unconfined)
		return 0;
	/* Everything not named in a rule is allowed. */
	ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		errno = ENOMEM;
		return fail("seccomp_init", NULL);
	}
	if (add_default_rules(ctx) < 0) {
		seccomp_release(ctx);
		return -1;
	}
	err = seccomp_load(ctx);
	seccomp_release(ctx);
	if (err < 0) {
		errno = -err;
		return fail("load", "seccomp filter");
	}
	return 0;
}
