/*
 * run.c — start the container, wait for it, and report how it ended.
 *
 * The parent (box) blocks the signals it forwards and collects them with
 * sigwaitinfo(2): no signal handlers, no races between a signal and the
 * child's exit. The child unblocks them again just before exec.
 */
#include "box.h"

#include <errno.h>
// STEP 05 BEGIN
#include <fcntl.h>
// STEP 05 END
// STEP 02 BEGIN
#include <sched.h>
// STEP 02 END
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* Signals that box passes on to the container. (It also blocks SIGCHLD, to learn of its end.) */
static const int forwarded_signals[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2};

static int block_signals(sigset_t *blocked, sigset_t *saved)
{
	sigemptyset(blocked);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(blocked, forwarded_signals[i]);
	sigaddset(blocked, SIGCHLD);
	// STEP 02 BEGIN
	/* SIGALRM marks the end of --stop-timeout */
	sigaddset(blocked, SIGALRM);
	// STEP 02 END
	if (sigprocmask(SIG_BLOCK, blocked, saved) < 0)
		return fail("sigprocmask", "SIG_BLOCK");
	return 0;
}

// STEP 02 BEGIN
/* The namespaces the container gets: each step adds one (see namespaces(7)). */
static unsigned long namespace_flags(void)
{
	unsigned long flags = 0;

	// LESSON 02 BEGIN: a PID namespace of the container's own
	// HINT: CLONE_NEWPID (clone(2)): the child is PID 1 of a new PID namespace.
	flags |= CLONE_NEWPID;
	// LESSON 02 END
	// LESSON 03 BEGIN: a mount namespace of the container's own
	// HINT: CLONE_NEWNS: the child gets a copy of the mount table that it can change
	// HINT: without changing the host's (the oldest namespace: "NS" meant "mounts").
	flags |= CLONE_NEWNS;
	// LESSON 03 END
	// LESSON 04 BEGIN: UTS and IPC namespaces of the container's own
	// HINT: CLONE_NEWUTS: its own hostname; CLONE_NEWIPC: its own System V IPC
	// HINT: objects (message queues, semaphores, shared memory; see ipc_namespaces(7)).
	flags |= CLONE_NEWUTS | CLONE_NEWIPC;
	// LESSON 04 END
	// LESSON 05 BEGIN: a network namespace of the container's own
	// HINT: CLONE_NEWNET: a network stack of its own: interfaces, addresses, routes,
	// HINT: ports and firewall rules (network_namespaces(7)).
	flags |= CLONE_NEWNET;
	// LESSON 05 END
	// LESSON 07 BEGIN: a user namespace of the container's own
	// HINT: CLONE_NEWUSER: ids and capabilities of its own. With it in the same
	// HINT: clone, the other new namespaces belong to the new user namespace.
	flags |= CLONE_NEWUSER;
	// LESSON 07 END
	return flags;
}

// STEP 02 END
/* Replaces the child with COMMAND; if that fails, exits as a shell would. */
static void __attribute__((noreturn)) exec_command(char **argv)
{
	// LESSON 00 BEGIN: replace the child with COMMAND, or exit as a shell would
	// HINT: execvp(3) searches PATH and only returns on failure, with errno set.
	// HINT: report the failure with fail("exec", argv[0]), then _exit() with
	// HINT: EXIT_NOT_FOUND (127) for ENOENT, EXIT_CANNOT_EXECUTE (126) otherwise.
	execvp(argv[0], argv);
	fail("exec", argv[0]);
	_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
	// LAB:
	//- _exit(EXIT_BOX_ERROR);
	// LESSON 00 END
}

// STEP 05 BEGIN
/*
 * The parent's "go". Some of the container's setup is done by the parent (the
 * veth pair; later cgroups and uid maps), so the child waits on this pipe
 * before it finishes its own. O_CLOEXEC: COMMAND never inherits it.
 */
static int go_pipe[2] = {-1, -1};

/* Child: waits for the parent's go. EOF means the parent failed (and said why). */
static int wait_for_go(void)
{
	ssize_t n;
	char c;

	close(go_pipe[1]);
	do
		n = read(go_pipe[0], &c, 1);
	while (n < 0 && errno == EINTR);
	close(go_pipe[0]);
	if (n < 0)
		return fail("read", "the parent's go");
	return n == 1 ? 0 : -1;
}

/* Parent: the container may go on. */
static int send_go(void)
{
	ssize_t n;

	close(go_pipe[0]);
	n = write(go_pipe[1], "g", 1);
	close(go_pipe[1]);
	if (n != 1)
		return fail("write", "the go to the container");
	return 0;
}

// STEP 05 END
// STEP 01 BEGIN
/* The child's isolation, set up before COMMAND runs: each step adds a hook. */
static int setup_container(const struct options *o)
{
	// STEP 05 BEGIN
	/* First the parent's part (see go_pipe), then the child's own. */
	if (wait_for_go() < 0)
		return -1;
	// STEP 05 END
	// STEP 07 BEGIN
	if (become_root() < 0)
		return -1;
	// STEP 07 END
	// STEP 03 BEGIN
	if (setup_mounts(o->rootfs) < 0)
		return -1;
	// STEP 03 END
	if (mount_proc(o->rootfs) < 0)
		return -1;
	if (enter_rootfs(o->rootfs) < 0)
		return -1;
	// STEP 04 BEGIN
	if (set_hostname(o->hostname) < 0)
		return -1;
	// STEP 04 END
	// STEP 05 BEGIN
	if (setup_network(o) < 0)
		return -1;
	// STEP 05 END
	// STEP 06 BEGIN
	if (enter_cgroup_namespace() < 0)
		return -1;
	// STEP 06 END
	return 0;
}

/* The parent's side of the end: undo what outlives the child. */
static void cleanup_container(const struct options *o)
{
	// STEP 03 BEGIN
	/* The child's mounts went with its mount namespace; the rest is undone here. */
	// STEP 05 BEGIN
	disconnect_veth(o);
	// STEP 06 BEGIN
	remove_cgroup(o);
	// STEP 06 END
	// WAS:
	//- (void)o;
	// STEP 05 END
	// WAS:
	//- unmount_proc(o->rootfs);
	// STEP 03 END
}

// STEP 01 END
/* The child's side: set up the container, then become COMMAND. */
static void __attribute__((noreturn)) container_main(const struct options *o, const sigset_t *saved)
{
	/*
	 * If box dies (even by SIGKILL), the container must not live on without
	 * anyone to wait for it: the kernel then sends it SIGKILL. This survives
	 * exec. (A box killed before this line is not covered: a small window.)
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0) {
		fail("prctl", "PR_SET_PDEATHSIG");
		_exit(EXIT_BOX_ERROR);
	}
	// STEP 01 BEGIN
	if (setup_container(o) < 0)
		_exit(EXIT_BOX_ERROR);
	// STEP 01 END
	/* COMMAND must not inherit the signal mask box uses for itself. */
	if (sigprocmask(SIG_SETMASK, saved, NULL) < 0) {
		fail("sigprocmask", "SIG_SETMASK");
		_exit(EXIT_BOX_ERROR);
	}
	exec_command(o->argv);
}

/* Starts the child; returns its pid, or -1 after reporting the error. */
static pid_t start_container(const struct options *o, const sigset_t *saved)
{
	// LESSON 00 BEGIN: create the child that will become COMMAND
	// HINT: fork(2) returns twice: 0 in the child, the child's pid in the parent,
	// HINT: -1 on failure (report it with fail("fork", NULL)).
	// HINT: the child calls container_main(o, saved), which never returns.
	// LESSON 02 BEGIN: start the child in new namespaces
	// HINT: Replace fork() below: clone_process(flags) (lib/clone.c) is fork(2)
	// HINT: that takes clone(2)'s namespace flags; pass it namespace_flags().
	pid_t pid = clone_process(namespace_flags());

	if (pid < 0)
		return fail("clone", NULL);
	// LAB:
	//- pid_t pid = fork();
	//-
	//- if (pid < 0)
	//- 	return fail("fork", NULL);
	// LESSON 02 END
	if (pid == 0)
		container_main(o, saved);
	return pid;
	// LAB:
	//- errno = ENOSYS;
	//- return fail("start", "container");
	// LESSON 00 END
}

/* Turns a wait status into box's exit status: COMMAND's code, or 128+signal. */
static int exit_status_of(int status)
{
	// LESSON 00 BEGIN: map the wait status to an exit status
	// HINT: wait(2): WIFEXITED/WEXITSTATUS for a normal exit,
	// HINT: WIFSIGNALED/WTERMSIG for a kill: then return EXIT_SIGNAL_BASE + signal.
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return EXIT_SIGNAL_BASE + WTERMSIG(status);
	return EXIT_BOX_ERROR;
	// LAB:
	//- return EXIT_BOX_ERROR;
	// LESSON 00 END
}

/* Passes a signal on to the container. */
static void forward_signal(pid_t child, int sig)
{
	if (kill(child, sig) < 0 && errno != ESRCH)
		fail("forward signal to", "container");
}

/* Waits for the child to end, forwarding the signals box receives meanwhile. */
// STEP 02 BEGIN
static int wait_for_container(pid_t child, const sigset_t *blocked, unsigned stop_timeout)
// WAS:
//- static int wait_for_container(pid_t child, const sigset_t *blocked)
// STEP 02 END
{
	// STEP 02 BEGIN
	bool stopping = false; /* a SIGTERM or SIGINT was forwarded */

	// STEP 02 END
	for (;;) {
		int sig = sigwaitinfo(blocked, NULL);
		int status;
		pid_t r;

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			fail("sigwaitinfo", NULL);
			kill(child, SIGKILL);
			waitpid(child, NULL, 0);
			return EXIT_BOX_ERROR;
		}
		// LESSON 02 BEGIN: a PID 1 ignores signals it has no handler for
		// HINT: the kernel drops SIGTERM/SIGINT sent to a PID 1 without a handler
		// HINT: (pid_namespaces(7)). After forwarding one, arm alarm(stop_timeout);
		// HINT: when SIGALRM comes, kill the container with SIGKILL, which a PID 1
		// HINT: cannot ignore when it comes from the parent namespace.
		if (sig == SIGALRM) {
			forward_signal(child, SIGKILL);
			continue;
		}
		if ((sig == SIGTERM || sig == SIGINT) && !stopping) {
			/* The first request starts the clock; later ones don't reset it. */
			stopping = true;
			if (stop_timeout == 0)
				forward_signal(child, SIGKILL);
			alarm(stop_timeout);
		}
		// LESSON 02 END
		if (sig != SIGCHLD) {
			forward_signal(child, sig);
			continue;
		}
		r = waitpid(child, &status, WNOHANG);
		if (r < 0)
			return fail("waitpid", NULL), EXIT_BOX_ERROR;
		if (r == child)
			return exit_status_of(status);
	}
}

int run_container(const struct options *o)
{
	sigset_t blocked, saved;
	pid_t child;
	// STEP 01 BEGIN
	int status;
	// STEP 01 END

	if (block_signals(&blocked, &saved) < 0)
		return EXIT_BOX_ERROR;
	// STEP 05 BEGIN
	if (pipe2(go_pipe, O_CLOEXEC) < 0)
		return fail("pipe", NULL), EXIT_BOX_ERROR;
	// STEP 05 END
	child = start_container(o, &saved);
	if (child < 0)
		return EXIT_BOX_ERROR;
	// STEP 05 BEGIN
	/* The parent's part of the setup; on failure the container never starts. */
	// STEP 06 BEGIN
	// STEP 07 BEGIN
	if (write_id_maps(o, child) < 0 || setup_cgroup_at(CGROUP_ROOT, o, child) < 0 ||
	    connect_veth(o, child) < 0 || send_go() < 0) {
		// WAS:
		//- if (setup_cgroup_at(CGROUP_ROOT, o, child) < 0 || connect_veth(o, child) < 0 ||
		//-     send_go() < 0) {
		// STEP 07 END
		// WAS:
		//- if (connect_veth(o, child) < 0 || send_go() < 0) {
		// STEP 06 END
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		cleanup_container(o);
		return EXIT_BOX_ERROR;
	}
	// STEP 05 END
	// STEP 01 BEGIN
	// STEP 02 BEGIN
	status = wait_for_container(child, &blocked, o->stop_timeout);
	// WAS:
	//- status = wait_for_container(child, &blocked);
	// STEP 02 END
	cleanup_container(o);
	return status;
	// WAS:
	//- return wait_for_container(child, &blocked);
	// STEP 01 END
}
