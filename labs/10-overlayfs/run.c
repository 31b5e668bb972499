/*
 * run.c — start the container, wait for it, and report how it ended.
 *
 * The parent (box) blocks the signals it forwards and collects them with
 * sigwaitinfo(2): no signal handlers, no races between a signal and the
 * child's exit. The child unblocks them again just before exec.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
	/* SIGALRM marks the end of --stop-timeout */
	sigaddset(blocked, SIGALRM);
	if (sigprocmask(SIG_BLOCK, blocked, saved) < 0)
		return fail("sigprocmask", "SIG_BLOCK");
	return 0;
}

/* The namespaces the container gets: each step adds one (see namespaces(7)). */
static unsigned long namespace_flags(void)
{
	unsigned long flags = 0;

	flags |= CLONE_NEWPID;
	flags |= CLONE_NEWNS;
	flags |= CLONE_NEWUTS | CLONE_NEWIPC;
	flags |= CLONE_NEWNET;
	flags |= CLONE_NEWUSER;
	return flags;
}

/* Replaces the child with COMMAND; if that fails, exits as a shell would. */
static void __attribute__((noreturn)) exec_command(char **argv)
{
	execvp(argv[0], argv);
	fail("exec", argv[0]);
	_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXECUTE);
}

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

/* The child's isolation, set up before COMMAND runs: each step adds a hook. */
static int setup_container(const struct options *o)
{
	/* First the parent's part (see go_pipe), then the child's own. */
	if (wait_for_go() < 0)
		return -1;
	if (become_root() < 0)
		return -1;
	if (mount_image(o) < 0)
		return -1;
	if (setup_mounts(o->rootfs) < 0)
		return -1;
	if (mount_proc(o->rootfs) < 0)
		return -1;
	if (mask_proc(o->rootfs) < 0)
		return -1;
	if (enter_rootfs(o->rootfs) < 0)
		return -1;
	if (set_hostname(o->hostname) < 0)
		return -1;
	if (setup_network(o) < 0)
		return -1;
	if (enter_cgroup_namespace() < 0)
		return -1;
	/* Last: the steps above need capabilities that COMMAND must not have. */
	if (drop_capabilities(o) < 0)
		return -1;
	if (load_seccomp_filter(o) < 0)
		return -1;
	return 0;
}

/* The parent's side of the end: undo what outlives the child. */
static void cleanup_container(const struct options *o)
{
	/* The child's mounts went with its mount namespace; the rest is undone here. */
	disconnect_veth(o);
	remove_cgroup(o);
}

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
	if (setup_container(o) < 0)
		_exit(EXIT_BOX_ERROR);
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
	pid_t pid = clone_process(namespace_flags());

	if (pid < 0)
		return fail("clone", NULL);
	if (pid == 0)
		container_main(o, saved);
	return pid;
}

/* Turns a wait status into box's exit status: COMMAND's code, or 128+signal. */
static int exit_status_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return EXIT_SIGNAL_BASE + WTERMSIG(status);
	return EXIT_BOX_ERROR;
}

/* Passes a signal on to the container. */
static void forward_signal(pid_t child, int sig)
{
	if (kill(child, sig) < 0 && errno != ESRCH)
		fail("forward signal to", "container");
}

/* Waits for the child to end, forwarding the signals box receives meanwhile. */
static int wait_for_container(pid_t child, const sigset_t *blocked, unsigned stop_timeout)
{
	bool stopping = false; /* a SIGTERM or SIGINT was forwarded */

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
	int status;

	if (block_signals(&blocked, &saved) < 0)
		return EXIT_BOX_ERROR;
	if (pipe2(go_pipe, O_CLOEXEC) < 0)
		return fail("pipe", NULL), EXIT_BOX_ERROR;
	child = start_container(o, &saved);
	if (child < 0)
		return EXIT_BOX_ERROR;
	/* The parent's part of the setup; on failure the container never starts. */
	if (write_id_maps(o, child) < 0 || share_layers(o, child) < 0 ||
	    setup_cgroup_at(CGROUP_ROOT, o, child) < 0 || connect_veth(o, child) < 0 ||
	    send_go() < 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		cleanup_container(o);
		return EXIT_BOX_ERROR;
	}
	status = wait_for_container(child, &blocked, o->stop_timeout);
	cleanup_container(o);
	return status;
}
