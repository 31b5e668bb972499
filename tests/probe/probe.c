// probe: report facts from inside a container, for the tests.
//
// The test root filesystem has this program, built static, at /bin/probe. Tests run
// `probe SUBCOMMAND [ARG...]` inside a container and compare its output, so they never
// depend on the output format of busybox applets.
//
// Output: one value per line on stdout, nothing else. On failure: one line on stderr,
// `probe: OPERATION OBJECT: REASON`, and exit 1. Usage error: usage text, exit 2.
//
// To add a subcommand, write a function cmd_NAME(char *argv[]) and add it to `commands`.
// To add a system call to `probe errno CALL`, add a function to `errno_calls`.

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdnoreturn.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

// Seconds after which the tcp subcommands give up, so a test can never hang forever.
#define TCP_TIMEOUT 30

static void usage_text(FILE *out);

// ---------------------------------------------------------------------------------------
// Errors

// Report a failed operation (errno says why) and exit 1. `object` may be NULL.
static noreturn void fail(const char *operation, const char *object)
{
	const char *reason = strerror(errno);

	if (object)
		fprintf(stderr, "probe: %s %s: %s\n", operation, object, reason);
	else
		fprintf(stderr, "probe: %s: %s\n", operation, reason);
	exit(1);
}

// Report a usage error and exit 2.
static noreturn void usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "probe: %s: %s\n", what, arg);
	usage_text(stderr);
	exit(2);
}

// The symbolic name of an errno value ("EPERM"), or its number if it has none.
static const char *errno_name(int err)
{
	static char number[16];

#ifdef __GLIBC_PREREQ
#if __GLIBC_PREREQ(2, 32)
	const char *name = strerrorname_np(err);

	if (name)
		return name;
#endif
#endif
	snprintf(number, sizeof(number), "%d", err);
	return number;
}

// The name of a signal ("SIGSEGV"), or "SIG" and its number if it has none.
static const char *signal_name(int sig)
{
	static char name[32];
	const char *abbrev = NULL;

#ifdef __GLIBC_PREREQ
#if __GLIBC_PREREQ(2, 32)
	abbrev = sigabbrev_np(sig);
#endif
#endif
	if (abbrev)
		snprintf(name, sizeof(name), "SIG%s", abbrev);
	else
		snprintf(name, sizeof(name), "SIG%d", sig);
	return name;
}

// ---------------------------------------------------------------------------------------
// Small helpers

static void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size);
	if (!p)
		fail("realloc", NULL);
	return p;
}

// Parse a whole string as an integer in [min, max]; anything else is a usage error.
static long parse_long(const char *s, int base, long min, long max, const char *what)
{
	char *end;
	long value;

	errno = 0;
	value = strtol(s, &end, base);
	if (errno || end == s || *end || value < min || value > max)
		usage_error(what, s);
	return value;
}

// Does `path` exist (without following a final symlink)?
static bool path_exists(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return true;
	if (errno == ENOENT || errno == ENOTDIR)
		return false;
	fail("lstat", path);
}

static void write_all(int fd, const char *buf, size_t len, const char *object)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("write", object);
		buf += n;
		len -= n;
	}
}

// Like write_all() on a socket, but a peer that went away is an error, not SIGPIPE.
static void send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("send", "socket");
		buf += n;
		len -= n;
	}
}

// Copies what comes from `from` (a file, or a socket until its sender shuts down
// its side) to `to` (a socket, or stdout). `what` names `from` in errors.
static void copy_until_eof(int from, int to, const char *what)
{
	char buf[4096];

	for (;;) {
		ssize_t n = read(from, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("read", what);
		if (n == 0)
			break;
		if (to == STDOUT_FILENO) {
			if (fwrite(buf, 1, n, stdout) != (size_t)n)
				fail("write", "stdout");
		} else
			send_all(to, buf, n);
	}
}

// Read a small file whole into `buf` (NUL-terminated). Returns -1 with errno set if
// the open fails, so callers can decide that a missing file is not an error.
static ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (len < size - 1) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("read", path);
		if (n == 0)
			break;
		len += n;
	}
	if (close(fd) < 0)
		fail("close", path);
	buf[len] = '\0';
	return len;
}

// A growable list of strings, for output that must be sorted.
struct lines {
	char **v;
	size_t n;
};

static void lines_add(struct lines *l, char *line)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = line;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void lines_print_sorted(struct lines *l)
{
	if (l->n > 0) // qsort() wants a non-null array even when it is empty
		qsort(l->v, l->n, sizeof(*l->v), compare_strings);
	for (size_t i = 0; i < l->n; i++) {
		puts(l->v[i]);
		free(l->v[i]);
	}
	free(l->v);
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		fail("vasprintf", NULL);
	return s;
}

// ---------------------------------------------------------------------------------------
// Processes and identity

static void cmd_pid(char *argv[])
{
	(void)argv;
	printf("%d\n", getpid());
}

static void cmd_ppid(char *argv[])
{
	(void)argv;
	printf("%d\n", getppid());
}

static void cmd_uid(char *argv[])
{
	(void)argv;
	printf("%u %u\n", getuid(), getgid());
}

// Collect the numeric entries of /proc (the pids this pid namespace's /proc shows).
static size_t proc_pids(long **pids)
{
	DIR *dir = opendir("/proc");
	struct dirent *entry;
	size_t n = 0;

	if (!dir)
		fail("opendir", "/proc");
	*pids = NULL;
	for (;;) {
		errno = 0;
		entry = readdir(dir);
		if (!entry)
			break;
		if (strspn(entry->d_name, "0123456789") != strlen(entry->d_name))
			continue;
		*pids = xrealloc(*pids, (n + 1) * sizeof(**pids));
		(*pids)[n++] = strtol(entry->d_name, NULL, 10);
	}
	if (errno)
		fail("readdir", "/proc");
	if (closedir(dir) < 0)
		fail("closedir", "/proc");
	return n;
}

static int compare_longs(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

static void cmd_nprocs(char *argv[])
{
	long *pids;

	(void)argv;
	printf("%zu\n", proc_pids(&pids));
	free(pids);
}

static void cmd_pids(char *argv[])
{
	long *pids;
	size_t n = proc_pids(&pids);

	(void)argv;
	if (n > 0)
		qsort(pids, n, sizeof(*pids), compare_longs);
	for (size_t i = 0; i < n; i++)
		printf("%ld\n", pids[i]);
	free(pids);
}

static void cmd_kill(char *argv[])
{
	pid_t pid = parse_long(argv[0], 10, INT_MIN, INT_MAX, "invalid PID");
	int sig = parse_long(argv[1], 10, 0, INT_MAX, "invalid SIGNAL");

	// The result is the answer, not a failure of the probe.
	if (kill(pid, sig) == 0)
		puts("0");
	else
		puts(errno_name(errno));
}

// ---------------------------------------------------------------------------------------
// Host name, kernel, namespaces

static void get_uname(struct utsname *u)
{
	if (uname(u) < 0)
		fail("uname", NULL);
}

static void cmd_hostname(char *argv[])
{
	struct utsname u;

	(void)argv;
	get_uname(&u);
	puts(u.nodename);
}

static void cmd_release(char *argv[])
{
	struct utsname u;

	(void)argv;
	get_uname(&u);
	puts(u.release);
}

static const char *const ns_types[] = {"pid", "mnt", "uts", "ipc", "net", "user", "cgroup", "time"};

// The inode number of /proc/self/ns/TYPE identifies the namespace: two processes are in
// the same namespace exactly when they see the same number. If the file does not exist
// (no /proc, or a kernel without that namespace type) that is an error when `required`,
// else the result is false.
static bool ns_inode(const char *type, uintmax_t *inode, bool required)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	if (stat(path, &st) == 0) {
		*inode = st.st_ino;
		return true;
	}
	if (errno == ENOENT && !required)
		return false;
	fail("stat", path);
}

static void cmd_ns(char *argv[])
{
	uintmax_t inode;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ns_types); i++)
		if (strcmp(argv[0], ns_types[i]) == 0)
			break;
	if (i == ARRAY_SIZE(ns_types))
		usage_error("unknown namespace TYPE", argv[0]);
	ns_inode(argv[0], &inode, true);
	printf("%ju\n", inode);
}

#define BOOT_ID "/proc/sys/kernel/random/boot_id"

// The boot id is the same in every container on one kernel, unlike anything the
// container's namespaces can change. A missing file is an error when `required`, else
// the result is false.
static bool boot_id(char *buf, size_t size, bool required)
{
	ssize_t len = read_small_file(BOOT_ID, buf, size);

	if (len < 0 && errno == ENOENT && !required)
		return false;
	if (len < 0)
		fail("open", BOOT_ID);
	if (len > 0 && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	return true;
}

static void cmd_bootid(char *argv[])
{
	char id[64];

	(void)argv;
	boot_id(id, sizeof(id), true);
	puts(id);
}

// Everything cheap at once, as key=value lines; facts whose source does not exist
// (no /proc mounted, namespace type unknown to this kernel) are left out.
static void cmd_all(char *argv[])
{
	struct utsname u;
	char id[64];
	long *pids;
	uintmax_t inode;

	(void)argv;
	get_uname(&u);
	printf("pid=%d\n", getpid());
	printf("nprocs=%zu\n", proc_pids(&pids));
	free(pids);
	printf("hostname=%s\n", u.nodename);
	printf("release=%s\n", u.release);
	if (boot_id(id, sizeof(id), false))
		printf("bootid=%s\n", id);
	for (size_t i = 0; i < ARRAY_SIZE(ns_types); i++)
		if (ns_inode(ns_types[i], &inode, false))
			printf("ns_%s=%ju\n", ns_types[i], inode);
}

// ---------------------------------------------------------------------------------------
// Files and mounts

static void cmd_exists(char *argv[])
{
	puts(path_exists(argv[0]) ? "yes" : "no");
}

static void cmd_read(char *argv[])
{
	const char *path = argv[0];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		fail("open", path);
	copy_until_eof(fd, STDOUT_FILENO, path);
	if (close(fd) < 0)
		fail("close", path);
}

static void cmd_write(char *argv[])
{
	const char *path = argv[0], *text = argv[1];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		fail("open", path);
	write_all(fd, text, strlen(text), path);
	if (close(fd) < 0)
		fail("close", path);
}

// Field 5 of each mountinfo line is the mount point, as the kernel escapes it
// (a space is \040).
static void cmd_mountpoints(char *argv[])
{
	const char *path = "/proc/self/mountinfo";
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;

	(void)argv;
	if (!f)
		fail("open", path);
	while (getline(&line, &cap, f) >= 0) {
		char *field = line;

		for (int i = 0; i < 4 && field; i++) {
			field = strchr(field, ' ');
			if (field)
				field++;
		}
		if (!field)
			continue;
		printf("%.*s\n", (int)strcspn(field, " \n"), field);
	}
	if (ferror(f))
		fail("read", path);
	free(line);
	if (fclose(f) != 0)
		fail("close", path);
}

// The classic escape from a plain chroot(2), which only changes where "/" resolves:
//
//  1. chroot() into a fresh directory WITHOUT chdir() into it. The working directory
//     is now outside the new root.
//  2. chdir("..") repeatedly. The kernel stops ".." only when it reaches the process's
//     root; walking up from a working directory outside the root never meets it, so we
//     climb to the real root, where ".." is the root itself (256 times is plenty).
//  3. chroot(".") makes that real root our root again.
//
// A root that pivot_root(2) put in a new mount namespace has nothing above it to climb
// to, so the same steps stay inside: PATH then exists only if the container has it.
static void cmd_escape(char *argv[])
{
	struct stat st;
	bool have_tmp = stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode);
	const char *parent = have_tmp ? "/tmp" : "/";
	char name[64], dir[80];
	int parent_fd;

	snprintf(name, sizeof(name), ".probe-escape-%d", getpid());
	snprintf(dir, sizeof(dir), "%s/%s", have_tmp ? "/tmp" : "", name);
	// A descriptor survives the chroot, so we can still remove the directory afterwards.
	parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (parent_fd < 0)
		fail("open", parent);
	if (mkdir(dir, 0700) < 0)
		fail("mkdir", dir);
	if (chroot(dir) < 0) {
		int err = errno;

		rmdir(dir); // best effort: the chroot failure is what to report
		errno = err;
		fail("chroot", dir);
	}
	for (int i = 0; i < 256; i++)
		if (chdir("..") < 0)
			fail("chdir", "..");
	if (chroot(".") < 0)
		fail("chroot", ".");
	if (chdir("/") < 0)
		fail("chdir", "/");
	if (unlinkat(parent_fd, name, AT_REMOVEDIR) < 0)
		fail("rmdir", dir);
	if (close(parent_fd) < 0)
		fail("close", parent);
	puts(path_exists(argv[0]) ? "yes" : "no");
}

// ---------------------------------------------------------------------------------------
// Signals and time

static void cmd_segv(char *argv[])
{
	// Both volatile: the compiler may neither assume the pointer is NULL nor drop the store.
	volatile int *volatile null = NULL;

	(void)argv;
	// No core file: the tests only want the signal.
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		fail("prctl", "PR_SET_DUMPABLE");
	// A real fault, not raise(SIGSEGV): the kernel forces a fault's signal even on a
	// namespace's PID 1, which ignores signals it sends itself.
	*null = 0;
	errno = EFAULT;
	fail("dereference", "NULL");
}

static double parse_seconds(const char *s)
{
	char *end;
	double seconds;

	errno = 0;
	seconds = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(seconds) || seconds < 0 || seconds > INT_MAX)
		usage_error("invalid SECONDS", s);
	return seconds;
}

static void cmd_sleep(char *argv[])
{
	double seconds = parse_seconds(argv[0]);
	struct timespec left;

	left.tv_sec = (time_t)seconds;
	left.tv_nsec = (long)((seconds - (double)left.tv_sec) * 1e9);
	while (nanosleep(&left, &left) < 0)
		if (errno != EINTR)
			fail("nanosleep", argv[0]);
}

// ---------------------------------------------------------------------------------------
// Resources, for the cgroup limits of step 06

static double monotonic_seconds(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		fail("clock_gettime", "CLOCK_MONOTONIC");
	return now.tv_sec + now.tv_nsec / 1e9;
}

// probe forks N: starts up to N children that wait, prints how many started and
// the errno of the first fork that failed (0 if none), then ends them all.
static void cmd_forks(char *argv[])
{
	long n = parse_long(argv[0], 10, 1, 100000, "invalid N");
	pid_t *kids = calloc(n, sizeof(*kids));
	long started = 0;
	int err = 0;

	if (!kids)
		fail("calloc", "pids");
	while (started < n) {
		pid_t pid = fork();

		if (pid < 0) {
			err = errno;
			break;
		}
		if (pid == 0) {
			pause();
			_exit(0);
		}
		kids[started++] = pid;
	}
	printf("%ld %s\n", started, err ? errno_name(err) : "0");
	for (long i = 0; i < started; i++)
		if (kill(kids[i], SIGKILL) < 0)
			fail("kill", "child");
	for (long i = 0; i < started; i++)
		if (waitpid(kids[i], NULL, 0) < 0)
			fail("waitpid", "child");
	free(kids);
}

// probe alloc MIB: allocates MIB mebibytes and touches every page, so that they
// are really charged to the memory cgroup; prints "ok".
static void cmd_alloc(char *argv[])
{
	long mib = parse_long(argv[0], 10, 1, 1 << 20, "invalid MIB");
	size_t size = (size_t)mib << 20;
	char *p = malloc(size);

	if (!p)
		fail("malloc", argv[0]);
	for (size_t i = 0; i < size; i += 4096)
		p[i] = 1;
	puts("ok");
	free(p);
}

// probe spin SECONDS: burns CPU for SECONDS of wall time and prints the CPU time it
// got over the wall time, e.g. "0.20" under a limit of a fifth of a CPU.
static void cmd_spin(char *argv[])
{
	double seconds = parse_seconds(argv[0]), start = monotonic_seconds();
	struct rusage ru;
	volatile unsigned long x = 0;

	while (monotonic_seconds() - start < seconds)
		for (int i = 0; i < 100000; i++)
			x++;
	if (getrusage(RUSAGE_SELF, &ru) < 0)
		fail("getrusage", "self");
	printf("%.2f\n", (ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	                  ru.ru_stime.tv_usec / 1e6) /
	                         (monotonic_seconds() - start));
}

// ---------------------------------------------------------------------------------------
// System V IPC (a message queue stands for every IPC object)

static key_t parse_key(const char *s)
{
	// Accept both signed and unsigned spellings of a 32-bit key (-1, 0xdeadbeef).
	return (key_t)parse_long(s, 0, INT_MIN, UINT_MAX, "invalid KEY");
}

static void cmd_ipc_create(char *argv[])
{
	int id = msgget(parse_key(argv[0]), IPC_CREAT | IPC_EXCL | 0600);

	if (id < 0)
		fail("msgget", argv[0]);
	printf("%d\n", id);
}

static void cmd_ipc_exists(char *argv[])
{
	if (msgget(parse_key(argv[0]), 0) >= 0)
		puts("yes");
	else if (errno == ENOENT)
		puts("no");
	else
		fail("msgget", argv[0]);
}

static void cmd_ipc_remove(char *argv[])
{
	int id = msgget(parse_key(argv[0]), 0);

	if (id < 0)
		fail("msgget", argv[0]);
	if (msgctl(id, IPC_RMID, NULL) < 0)
		fail("msgctl IPC_RMID", argv[0]);
}

// ---------------------------------------------------------------------------------------
// Network

static void cmd_ifaces(char *argv[])
{
	struct if_nameindex *names = if_nameindex();
	struct lines out = {0};
	int fd;

	(void)argv;
	if (!names)
		fail("if_nameindex", NULL);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket", "AF_INET");
	for (struct if_nameindex *i = names; i->if_index; i++) {
		struct ifreq ifr = {0};

		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->if_name);
		if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
			fail("ioctl SIOCGIFFLAGS", i->if_name);
		lines_add(&out,
		          format("%s %s", i->if_name, ifr.ifr_flags & IFF_UP ? "up" : "down"));
	}
	if (close(fd) < 0)
		fail("close", "socket");
	if_freenameindex(names);
	// Interface names contain no spaces, so sorting the lines sorts by name.
	lines_print_sorted(&out);
}

static int prefix_length(const struct sockaddr *netmask)
{
	if (!netmask)
		return 32;
	return __builtin_popcount(((const struct sockaddr_in *)netmask)->sin_addr.s_addr);
}

static void cmd_addrs(char *argv[])
{
	struct ifaddrs *list;
	struct lines out = {0};

	(void)argv;
	if (getifaddrs(&list) < 0)
		fail("getifaddrs", NULL);
	for (struct ifaddrs *a = list; a; a = a->ifa_next) {
		char addr[INET_ADDRSTRLEN];

		if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET)
			continue;
		if (!inet_ntop(AF_INET, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, addr,
		               sizeof(addr)))
			fail("inet_ntop", a->ifa_name);
		lines_add(&out,
		          format("%s %s/%d", a->ifa_name, addr, prefix_length(a->ifa_netmask)));
	}
	freeifaddrs(list);
	lines_print_sorted(&out);
}

static void tcp_address(struct sockaddr_in *sa, const char *addr, const char *port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(parse_long(port, 10, 1, 65535, "invalid PORT"));
	if (inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
		usage_error("invalid IPv4 ADDR", addr);
}

static void cmd_tcp_serve(char *argv[])
{
	struct sockaddr_in sa;
	int one = 1, fd, conn;

	tcp_address(&sa, "0.0.0.0", argv[0]);
	alarm(TCP_TIMEOUT);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket", "AF_INET");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		fail("setsockopt SO_REUSEADDR", argv[0]);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		fail("bind", argv[0]);
	if (listen(fd, 1) < 0)
		fail("listen", argv[0]);
	// The client may connect from now on: tell the test.
	puts("ready");
	if (fflush(stdout) == EOF)
		fail("write", "stdout");
	do
		conn = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	while (conn < 0 && errno == EINTR);
	if (conn < 0)
		fail("accept", argv[0]);
	copy_until_eof(conn, conn, "socket"); // the echo
	if (close(conn) < 0 || close(fd) < 0)
		fail("close", "socket");
}

// Connect, retrying for a while: the server may not be listening yet, or its
// network not be up yet.
static int tcp_connect(const struct sockaddr_in *sa, const char *addr)
{
	const struct timespec pause = {.tv_nsec = 50 * 1000 * 1000};
	double deadline = monotonic_seconds() + 5;

	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			fail("socket", "AF_INET");
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return fd;
		if ((errno != ECONNREFUSED && errno != ENETUNREACH) ||
		    monotonic_seconds() > deadline)
			fail("connect", addr);
		if (close(fd) < 0)
			fail("close", "socket");
		if (nanosleep(&pause, NULL) < 0 && errno != EINTR)
			fail("nanosleep", "50ms");
	}
}

static void cmd_tcp_echo(char *argv[])
{
	const char *message = argv[2];
	struct sockaddr_in sa;
	int fd;

	tcp_address(&sa, argv[0], argv[1]);
	alarm(TCP_TIMEOUT);
	fd = tcp_connect(&sa, argv[0]);
	send_all(fd, message, strlen(message));
	if (shutdown(fd, SHUT_WR) < 0)
		fail("shutdown", "socket");
	copy_until_eof(fd, STDOUT_FILENO, "socket");
	putchar('\n');
	if (close(fd) < 0)
		fail("close", "socket");
}

// ---------------------------------------------------------------------------------------
// probe errno CALL: what one system call returns here, made with arguments that change
// nothing. Each function returns 0 or the errno. Where the kernel checks a capability,
// the arguments are chosen so that the check comes first: the answer is EPERM without
// the capability, and a harmless other result with it. A seccomp filter that refuses the
// call gives whatever errno the filter returns.

static int result(int ret)
{
	return ret < 0 ? errno : 0;
}

// "/" with no filesystem type: with CAP_SYS_ADMIN the kernel gets as far as noticing
// the missing type (EINVAL); without it, EPERM. (With a NULL target the path lookup
// would come first and give EFAULT either way.)
static int call_mount(void)
{
	return result(mount(NULL, "/", NULL, 0, NULL));
}

// MNT_EXPIRE with MNT_DETACH is invalid, but only checked after the capability check
// (EPERM) on a path that is a mount point: so EINVAL with CAP_SYS_ADMIN, never an
// unmount. A nonexistent path would give ENOENT either way on current kernels.
static int call_umount(void)
{
	return result(umount2("/", MNT_EXPIRE | MNT_DETACH));
}

// The capability check comes before the name is copied: EPERM, else EFAULT.
// (The raw system call: glibc declares the name non-null.)
static int call_sethostname(void)
{
	return result(syscall(SYS_sethostname, NULL, 1));
}

// chroot("/") is a no-op that needs CAP_SYS_CHROOT: 0, else EPERM. (A nonexistent
// directory would give ENOENT either way: the lookup comes first.)
static int call_chroot(void)
{
	return result(chroot("/"));
}

// A device node (/dev/null's numbers): needs CAP_MKNOD in the host's user namespace,
// so root in a user namespace gets EPERM. When it works, the node is removed again.
static int call_mknod(void)
{
	const char *path = "/tmp/.probe-mknod";
	int r = mknod(path, S_IFCHR | 0600, makedev(1, 3));

	if (r == 0 && unlink(path) < 0)
		fail("unlink", path);
	return result(r);
}

// This succeeds when permitted; it runs in a child process (see run_errno_call()),
// whose new network namespace dies with it.
static int call_unshare_net(void)
{
	return result(unshare(CLONE_NEWNET));
}

// An invalid descriptor: EBADF unless something (seccomp) refuses the call outright.
static int call_setns(void)
{
	return result(setns(-1, 0));
}

// The calls below are refused by step 09's seccomp filter. Each is made so that,
// when allowed, it fails (or succeeds) harmlessly with something other than EPERM
// before any capability check of the host's user namespace: so with --cap-add ALL,
// EPERM can only come from the filter. Raw syscall(2) where glibc has no wrapper.
static int call_keyctl(void)
{
	return result((int)syscall(SYS_keyctl, -1L, 0L, 0L, 0L, 0L)); // no such operation
}

static int call_add_key(void)
{
	return result((int)syscall(SYS_add_key, NULL, NULL, NULL, 0L, 0L)); // EFAULT
}

static int call_request_key(void)
{
	return result((int)syscall(SYS_request_key, NULL, NULL, NULL, 0L)); // EFAULT
}

static int call_perf_event_open(void)
{
	return result((int)syscall(SYS_perf_event_open, NULL, 0L, -1L, -1L, 0L)); // EFAULT
}

// UFFD_USER_MODE_ONLY (1) is allowed to anyone; the other bit is invalid: EINVAL.
static int call_userfaultfd(void)
{
	return result((int)syscall(SYS_userfaultfd, 1L | (1L << 30)));
}

// Wrong magic numbers: EINVAL after the capability check, which the container's own
// PID namespace passes with CAP_SYS_BOOT (--cap-add ALL). Never reboots anything.
static int call_reboot(void)
{
	return result((int)syscall(SYS_reboot, 0L, 0L, 0L, NULL));
}

static int call_clock_settime(void)
{
	return result((int)syscall(SYS_clock_settime, -1L, NULL)); // no such clock: EINVAL
}

static int call_clock_adjtime(void)
{
	return result((int)syscall(SYS_clock_adjtime, -1L, NULL)); // EINVAL
}

static int call_settimeofday(void)
{
	return result((int)syscall(SYS_settimeofday, NULL, NULL)); // sets nothing: 0
}

static int call_adjtimex(void)
{
	return result((int)syscall(SYS_adjtimex, NULL)); // EFAULT
}

// An execution domain that does not exist: accepted (returns the old one) unless
// refused. The process is a throwaway child (see run_errno_call()).
static int call_personality(void)
{
	return result((int)syscall(SYS_personality, 0x0badUL) < 0 ? -1 : 0);
}

static int call_io_uring_setup(void)
{
	return result((int)syscall(SYS_io_uring_setup, 0L, NULL)); // EINVAL or EFAULT
}

static int call_io_uring_enter(void)
{
	return result((int)syscall(SYS_io_uring_enter, -1L, 0L, 0L, 0L, NULL, 0L)); // EBADF
}

static int call_io_uring_register(void)
{
	return result((int)syscall(SYS_io_uring_register, -1L, 0L, NULL, 0L)); // EBADF
}

// A fork with a namespace flag: the child exits at once.
static int call_clone_newns(void)
{
	long pid = syscall(SYS_clone, (long)(CLONE_NEWNS | SIGCHLD), NULL, NULL, NULL, 0L);

	if (pid == 0)
		_exit(0);
	if (pid > 0 && waitpid((pid_t)pid, NULL, 0) < 0)
		fail("waitpid", "clone child");
	return result(pid < 0 ? -1 : 0);
}

static int call_pivot_root(void)
{
	return result((int)syscall(SYS_pivot_root, "/nonexistent-probe", "/nonexistent-probe"));
}

static int call_fsopen(void)
{
	return result((int)syscall(SYS_fsopen, NULL, 0L)); // EFAULT
}

static const struct errno_call {
	const char *name;
	int (*call)(void);
} errno_calls[] = {
        {"mount", call_mount},
        {"umount", call_umount},
        {"sethostname", call_sethostname},
        {"chroot", call_chroot},
        {"unshare-net", call_unshare_net},
        {"setns", call_setns},
        {"mknod", call_mknod},
        {"keyctl", call_keyctl},
        {"add_key", call_add_key},
        {"request_key", call_request_key},
        {"perf_event_open", call_perf_event_open},
        {"userfaultfd", call_userfaultfd},
        {"reboot", call_reboot},
        {"clock_settime", call_clock_settime},
        {"clock_adjtime", call_clock_adjtime},
        {"settimeofday", call_settimeofday},
        {"adjtimex", call_adjtimex},
        {"personality", call_personality},
        {"io_uring_setup", call_io_uring_setup},
        {"io_uring_enter", call_io_uring_enter},
        {"io_uring_register", call_io_uring_register},
        {"clone-newns", call_clone_newns},
        {"pivot_root", call_pivot_root},
        {"fsopen", call_fsopen},
};

// Make the call in a child process, so that a call that succeeds changes nothing that
// outlives it, and a seccomp filter that kills instead of failing kills only the child.
// Prints 0, the errno name, or the name of the signal that killed the child.
static void run_errno_call(const struct errno_call *c)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		fail("fork", c->name);
	if (pid == 0)
		_exit(c->call());
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			fail("waitpid", c->name);
	if (WIFSIGNALED(status))
		puts(signal_name(WTERMSIG(status)));
	else if (WEXITSTATUS(status) == 0)
		puts("0");
	else
		puts(errno_name(WEXITSTATUS(status)));
}

static void cmd_errno(char *argv[])
{
	for (size_t i = 0; i < ARRAY_SIZE(errno_calls); i++) {
		if (strcmp(argv[0], errno_calls[i].name) == 0) {
			run_errno_call(&errno_calls[i]);
			return;
		}
	}
	usage_error("unknown CALL", argv[0]);
}

// ---------------------------------------------------------------------------------------
// The subcommands

static const struct command {
	const char *name;
	int nargs;
	const char *args; // for the usage text
	void (*run)(char *argv[]);
} commands[] = {
        {"pid", 0, "", cmd_pid},
        {"ppid", 0, "", cmd_ppid},
        {"uid", 0, "", cmd_uid},
        {"nprocs", 0, "", cmd_nprocs},
        {"pids", 0, "", cmd_pids},
        {"kill", 2, "PID SIGNAL", cmd_kill},
        {"hostname", 0, "", cmd_hostname},
        {"release", 0, "", cmd_release},
        {"ns", 1, "TYPE", cmd_ns},
        {"bootid", 0, "", cmd_bootid},
        {"all", 0, "", cmd_all},
        {"exists", 1, "PATH", cmd_exists},
        {"read", 1, "PATH", cmd_read},
        {"write", 2, "PATH TEXT", cmd_write},
        {"mountpoints", 0, "", cmd_mountpoints},
        {"escape", 1, "PATH", cmd_escape},
        {"segv", 0, "", cmd_segv},
        {"sleep", 1, "SECONDS", cmd_sleep},
        {"ipc-create", 1, "KEY", cmd_ipc_create},
        {"ipc-exists", 1, "KEY", cmd_ipc_exists},
        {"ipc-remove", 1, "KEY", cmd_ipc_remove},
        {"ifaces", 0, "", cmd_ifaces},
        {"addrs", 0, "", cmd_addrs},
        {"tcp-serve", 1, "PORT", cmd_tcp_serve},
        {"tcp-echo", 3, "ADDR PORT MESSAGE", cmd_tcp_echo},
        {"errno", 1, "CALL", cmd_errno},
        {"forks", 1, "N", cmd_forks},
        {"alloc", 1, "MIB", cmd_alloc},
        {"spin", 1, "SECONDS", cmd_spin},
};

static void usage_text(FILE *out)
{
	fprintf(out, "usage: probe SUBCOMMAND [ARG...]\nsubcommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %s%s%s\n", commands[i].name, *commands[i].args ? " " : "",
		        commands[i].args);
	fprintf(out, "namespace TYPE:");
	for (size_t i = 0; i < ARRAY_SIZE(ns_types); i++)
		fprintf(out, " %s", ns_types[i]);
	fprintf(out, "\nerrno CALL:");
	for (size_t i = 0; i < ARRAY_SIZE(errno_calls); i++)
		fprintf(out, " %s", errno_calls[i].name);
	fprintf(out, "\n");
}

int main(int argc, char *argv[])
{
	const struct command *cmd = NULL;

	if (argc < 2)
		usage_error("missing argument", "SUBCOMMAND");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			cmd = &commands[i];
	if (!cmd)
		usage_error("unknown subcommand", argv[1]);
	if (argc - 2 != cmd->nargs)
		usage_error("wrong number of arguments", cmd->name);
	cmd->run(argv + 2);
	if (fflush(stdout) == EOF || ferror(stdout))
		fail("write", "stdout");
	return 0;
}
