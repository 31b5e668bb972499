/*
 * Unit tests of step 06's cgroup file logic (solutions/06-cgroups/cgroups.c), v2 above all.
 *
 * The lab machine has the hybrid v1 layout, so box's cgroup v2 path cannot run there
 * for real. These tests point setup_cgroup_at() at a fake cgroup tree in a temporary
 * directory and check which files get which values:
 *
 *   - statfs() reports the filesystem type of a cgroup2 mount (v2) or of a tmpfs
 *     holding a cgroup v1 "memory" hierarchy (v1), as cgroup_detect() expects;
 *   - mkdir() under the tree also makes the (empty) control files the kernel would
 *     make in a new cgroup; rmdir() removes them first, as the kernel does, and says
 *     EBUSY for a cgroup that has child cgroups, as the kernel does;
 *   - open() and write() of the tree's files are logged, so a test can check that
 *     nothing else was written; any of these calls can be made to fail on one path.
 *
 * cgroups.c keeps the container's cgroup in a static variable: every test ends with
 * remove_cgroup() (the teardown does it too) and gets a fresh tree.
 */
#include "box.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <linux/magic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/capture.h" /* lib/tests/capture.h, through -Ilib */

/* cmocka.h has fail() and fail_msg() macros of its own: cgroups.c wants lib's functions. */
#undef fail
#undef fail_msg

// STEP: 06-cgroups cgroups.c
/*
 * cgroups.o and fileio.o call these by their plain names (`nm -u`); the tests' own
 * helpers use stdio, nftw and remove(), which do not go through the fakes.
 */
// WRAP: statfs mkdir rmdir usleep open write
// LIBS: -lm

/* cmocka hands every test a state pointer that these tests do not need. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

#define MiB       (1024 * 1024)
#define CHILD_PID 4242 /* the container's pid, as box's parent would pass it */

/* --- the fake cgroup tree --- */

static struct {
	char root[64]; /* the temporary directory that stands for /sys/fs/cgroup */
	int version;   /* 2, 1, or 0 for a tmpfs without cgroup hierarchies */
	bool swap;     /* the kernel accounts for swap: memory.swap.max, memory.memsw.* */
	char leaf[32]; /* the name box gives its cgroup: box-<pid of box> */
} tree;

/* The control files of a new cgroup, v2, then v1 by hierarchy (NULL-terminated). */
static const char *const v2_files[] = {"cgroup.procs",
                                       "cgroup.subtree_control",
                                       "memory.max",
                                       "memory.events",
                                       "pids.max",
                                       "cpu.max",
                                       NULL};
static const char *const v1_memory_files[] = {"cgroup.procs", "memory.limit_in_bytes",
                                              "memory.oom_control", NULL};
static const char *const v1_pids_files[] = {"cgroup.procs", "pids.max", NULL};
static const char *const v1_cpu_files[] = {"cgroup.procs", "cpu.cfs_period_us", "cpu.cfs_quota_us",
                                           NULL};

/* Is path the tree's root or inside it? */
static bool in_tree(const char *path)
{
	size_t n = strlen(tree.root);

	return tree.root[0] && strncmp(path, tree.root, n) == 0 &&
	       (path[n] == '\0' || path[n] == '/');
}

/*
 * path relative to the root, with the leaf's name written "box-PID" so that tests
 * can spell it: "box/box-PID/memory.max". The root itself is "".
 */
static const char *relative(const char *path, char *buf, size_t size)
{
	const char *rel = path + strlen(tree.root);
	const char *leaf;

	rel += *rel == '/';
	leaf = strstr(rel, tree.leaf);
	if (leaf)
		snprintf(buf, size, "%.*sbox-PID%s", (int)(leaf - rel), rel,
		         leaf + strlen(tree.leaf));
	else
		snprintf(buf, size, "%s", rel);
	return buf;
}

/* Makes an empty file, or fills one, with stdio (not through the fakes). */
static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return; /* the assertions on the file will say so */
	fputs(text, f);
	fclose(f);
}

/* The kernel's part of mkdir in a cgroup filesystem: the new cgroup's control files. */
static void make_control_files(const char *dir)
{
	const char *const *files = v2_files;
	const char *swap_file = "memory.swap.max";
	char rel[PATH_MAX], path[PATH_MAX + 64];

	if (tree.version == 0)
		return; /* not a cgroup filesystem: a plain directory */
	relative(dir, rel, sizeof(rel));
	if (tree.version == 1) {
		swap_file = NULL;
		if (strncmp(rel, "memory/", 7) == 0) {
			files = v1_memory_files;
			swap_file = "memory.memsw.limit_in_bytes";
		} else if (strncmp(rel, "pids/", 5) == 0) {
			files = v1_pids_files;
		} else if (strncmp(rel, "cpu/", 4) == 0) {
			files = v1_cpu_files;
		} else {
			return; /* not a cgroup filesystem: a plain directory */
		}
	}
	for (; *files; files++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *files);
		put_file(path, "");
	}
	if (tree.swap && swap_file) {
		snprintf(path, sizeof(path), "%s/%s", dir, swap_file);
		put_file(path, "");
	}
}

/* A fake failure: calls on path (relative, as relative() spells it) fail with err. */
struct fault {
	char path[PATH_MAX];
	int err;
	int times; /* how many more calls on path fail; -1: all of them */
	int calls; /* calls on path, failed or not */
};

static struct fault fault_mkdir, fault_rmdir, fault_open, fault_write;
static int sleeps; /* usleep() calls: remove_cgroup's waits for an EBUSY cgroup */

static void arm(struct fault *f, const char *path, int err, int times)
{
	snprintf(f->path, sizeof(f->path), "%s", path);
	f->err = err;
	f->times = times;
	f->calls = 0;
}

/* Counts a call on rel; returns true (errno set) when this call is to fail. */
static bool take(struct fault *f, const char *rel)
{
	if (!f->path[0] || strcmp(f->path, rel) != 0)
		return false;
	f->calls++;
	if (f->times == 0)
		return false;
	if (f->times > 0)
		f->times--;
	errno = f->err;
	return true;
}

/* What was written to the tree's files, in order: "PATH VALUE" lines. */
static struct {
	char path[PATH_MAX]; /* relative */
	char value[64];
	int fd;
} writes[32];
static int n_writes;

/* --- the wrapped calls --- */

int __real_statfs(const char *path, struct statfs *buf);
int __real_mkdir(const char *path, mode_t mode);
int __real_rmdir(const char *path);
int __real_open(const char *path, int flags, ...);
ssize_t __real_write(int fd, const void *buf, size_t count);

/* The tree's root is a cgroup2 or a tmpfs; below it, cgroup filesystems (if any). */
int __wrap_statfs(const char *path, struct statfs *buf)
{
	if (__real_statfs(path, buf) < 0)
		return -1;
	if (!in_tree(path))
		return 0;
	if (strcmp(path, tree.root) == 0)
		buf->f_type = tree.version == 2 ? CGROUP2_SUPER_MAGIC : TMPFS_MAGIC;
	else if (tree.version == 2)
		buf->f_type = CGROUP2_SUPER_MAGIC;
	else if (tree.version == 1)
		buf->f_type = CGROUP_SUPER_MAGIC;
	else
		buf->f_type = TMPFS_MAGIC;
	return 0;
}

int __wrap_mkdir(const char *path, mode_t mode)
{
	char rel[PATH_MAX];

	if (!in_tree(path))
		return __real_mkdir(path, mode);
	if (take(&fault_mkdir, relative(path, rel, sizeof(rel))))
		return -1;
	if (__real_mkdir(path, mode) < 0)
		return -1;
	make_control_files(path);
	return 0;
}

/* A cgroup goes with its control files, and not while it has child cgroups. */
int __wrap_rmdir(const char *path)
{
	char rel[PATH_MAX];
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (!in_tree(path))
		return __real_rmdir(path);
	if (take(&fault_rmdir, relative(path, rel, sizeof(rel))))
		return -1;
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			closedir(d);
			errno = EBUSY;
			return -1;
		}
	}
	rewinddir(d);
	while ((e = readdir(d)))
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISREG(st.st_mode))
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	return __real_rmdir(path);
}

int __wrap_usleep(useconds_t us)
{
	sleeps++;
	return 0;
}

int __wrap_open(const char *path, int flags, ...)
{
	char rel[PATH_MAX];
	mode_t mode = 0;
	va_list ap;
	int fd;

	if (flags & (O_CREAT | O_TMPFILE)) {
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	if (!in_tree(path))
		return __real_open(path, flags, mode);
	if (take(&fault_open, relative(path, rel, sizeof(rel))))
		return -1;
	fd = __real_open(path, flags, mode);
	if (fd >= 0 && (flags & O_ACCMODE) != O_RDONLY &&
	    n_writes < (int)(sizeof(writes) / sizeof(writes[0]))) {
		snprintf(writes[n_writes].path, sizeof(writes[0].path), "%s", rel);
		writes[n_writes].value[0] = '\0';
		writes[n_writes++].fd = fd;
	}
	return fd;
}

ssize_t __wrap_write(int fd, const void *buf, size_t count)
{
	int i = n_writes - 1;

	/* The latest open of the tree that gave fd: descriptors are reused. */
	while (i >= 0 && writes[i].fd != fd)
		i--;
	if (i < 0)
		return __real_write(fd, buf, count);
	if (take(&fault_write, writes[i].path)) {
		snprintf(writes[i].value, sizeof(writes[i].value), "(failed)");
		return -1;
	}
	snprintf(writes[i].value, sizeof(writes[i].value), "%.*s", (int)count, (const char *)buf);
	writes[i].fd = -1;
	return __real_write(fd, buf, count);
}

/* --- fixtures and helpers --- */

static struct options opts; /* the options of the test's `box run` */

static void reset_fakes(void)
{
	memset(&fault_mkdir, 0, sizeof(fault_mkdir));
	memset(&fault_rmdir, 0, sizeof(fault_rmdir));
	memset(&fault_open, 0, sizeof(fault_open));
	memset(&fault_write, 0, sizeof(fault_write));
	sleeps = 0;
	n_writes = 0;
}

/* A fresh tree of the given version: its root, and v1's hierarchies or v2's root files. */
static int make_tree(int version, bool swap)
{
	char path[PATH_MAX + 16];

	snprintf(tree.root, sizeof(tree.root), "/tmp/ws-test-cgroups-XXXXXX");
	if (!mkdtemp(tree.root))
		return -1;
	tree.version = version;
	tree.swap = swap;
	snprintf(tree.leaf, sizeof(tree.leaf), "box-%d", (int)getpid());
	if (version == 2) {
		snprintf(path, sizeof(path), "%s/cgroup.subtree_control", tree.root);
		put_file(path, "");
		snprintf(path, sizeof(path), "%s/cgroup.procs", tree.root);
		put_file(path, "");
	} else if (version == 1) {
		for (const char *const *h = (const char *const[]){"memory", "pids", "cpu", NULL};
		     *h; h++) {
			snprintf(path, sizeof(path), "%s/%s", tree.root, *h);
			if (__real_mkdir(path, 0755) < 0)
				return -1;
		}
	}
	memset(&opts, 0, sizeof(opts));
	reset_fakes();
	return 0;
}

static int v2_tree(void **state)
{
	return make_tree(2, false);
}

static int v2_swap_tree(void **state)
{
	return make_tree(2, true);
}

static int v1_tree(void **state)
{
	return make_tree(1, false);
}

static int v1_swap_tree(void **state)
{
	return make_tree(1, true);
}

static int no_cgroup_tree(void **state)
{
	return make_tree(0, false);
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

/* Takes back the test's cgroup (cgroups.c's static state) and its tree. */
static int remove_tree(void **state)
{
	restore_stderr();
	reset_fakes();
	remove_cgroup(&opts);
	if (tree.root[0])
		nftw(tree.root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	memset(&tree, 0, sizeof(tree));
	return 0;
}

static int box_progname(void **state)
{
	ws_set_progname("box");
	return 0;
}

static int ws_progname_again(void **state)
{
	ws_set_progname("ws");
	return 0;
}

/* ROOT/rel, with "box-PID" in rel standing for the leaf's name. */
static const char *at(const char *rel)
{
	static char paths[4][PATH_MAX];
	static int next;
	char *buf = paths[next++ % 4];
	const char *pid = strstr(rel, "box-PID");

	if (pid)
		snprintf(buf, PATH_MAX, "%s/%.*s%s%s", tree.root, (int)(pid - rel), rel, tree.leaf,
		         pid + strlen("box-PID"));
	else
		snprintf(buf, PATH_MAX, "%s/%s", tree.root, rel);
	return buf;
}

static const char *content(const char *rel)
{
	static char text[256];
	FILE *f = fopen(at(rel), "r");
	size_t n;

	if (!f)
		return "(no such file)";
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	return text;
}

static bool is_dir(const char *rel)
{
	struct stat st;

	return stat(at(rel), &st) == 0 && S_ISDIR(st.st_mode);
}

static bool exists(const char *rel)
{
	return access(at(rel), F_OK) == 0;
}

/* Every write to the tree so far, in order, one "PATH VALUE" line each. */
static const char *written(void)
{
	static char text[4096];
	size_t len = 0;

	text[0] = '\0';
	for (int i = 0; i < n_writes && len < sizeof(text); i++)
		len += snprintf(text + len, sizeof(text) - len, "%s %s\n", writes[i].path,
		                writes[i].value);
	return text;
}

/* The one line fail() prints: "box: OP PATH: REASON". */
static const char *message(const char *op, const char *path, const char *reason)
{
	static char text[PATH_MAX + 256];

	snprintf(text, sizeof(text), "box: %s %s: %s\n", op, path, reason);
	return text;
}

/* setup_cgroup_at() on the tree, which must succeed without a word on stderr. */
static void setup_ok(void)
{
	capture_stderr();
	assert_int_equal(setup_cgroup_at(tree.root, &opts, CHILD_PID), 0);
	assert_string_equal(captured_stderr(), "");
}

/* setup_cgroup_at() on the tree, which must fail with errno err; returns its stderr. */
static const char *setup_fails(int err)
{
	capture_stderr();
	errno = 0;
	assert_int_equal(setup_cgroup_at(tree.root, &opts, CHILD_PID), -1);
	assert_int_equal(errno, err);
	return captured_stderr();
}

/* remove_cgroup(); returns what it printed. */
static const char *remove_output(void)
{
	capture_stderr();
	remove_cgroup(&opts);
	return captured_stderr();
}

/* --- cgroup_detect --- */

static void test_detect_finds_v2_when_root_is_cgroup2(void **state)
{
	struct cgroup c;

	memset(&c, 0xff, sizeof(c));
	assert_int_equal(cgroup_detect(tree.root, &c), 0);
	assert_int_equal(c.version, 2);
	assert_string_equal(c.root, tree.root);
	assert_string_equal(c.name, "");
	assert_false(c.created[0] || c.created[1] || c.created[2]);
}

static void test_detect_finds_v1_when_root_is_tmpfs_with_cgroup_memory(void **state)
{
	struct cgroup c;

	memset(&c, 0xff, sizeof(c));
	assert_int_equal(cgroup_detect(tree.root, &c), 0);
	assert_int_equal(c.version, 1);
	assert_string_equal(c.root, tree.root);
	assert_false(c.created[0] || c.created[1] || c.created[2]);
}

static void test_detect_rejects_tmpfs_without_cgroup_hierarchies(void **state)
{
	struct cgroup c;

	capture_stderr();
	errno = 0;
	assert_int_equal(cgroup_detect(tree.root, &c), -1);
	assert_int_equal(errno, ENOTSUP);
	assert_string_equal(captured_stderr(), message("find a cgroup v1 or v2 hierarchy at",
	                                               tree.root, "Operation not supported"));
}

/* A memory directory alone is not enough: it must be a cgroup filesystem. */
static void test_detect_rejects_memory_dir_that_is_not_cgroupfs(void **state)
{
	struct cgroup c;

	assert_int_equal(__real_mkdir(at("memory"), 0755), 0);
	capture_stderr();
	errno = 0;
	assert_int_equal(cgroup_detect(tree.root, &c), -1);
	assert_int_equal(errno, ENOTSUP);
	assert_string_equal(captured_stderr(), message("find a cgroup v1 or v2 hierarchy at",
	                                               tree.root, "Operation not supported"));
}

static void test_detect_reports_statfs_failure(void **state)
{
	const char *missing = at("missing");
	struct cgroup c;

	capture_stderr();
	assert_int_equal(cgroup_detect(missing, &c), -1);
	assert_int_equal(errno, ENOENT);
	assert_string_equal(captured_stderr(),
	                    message("statfs", missing, "No such file or directory"));
}

static void test_setup_without_cgroup_hierarchy_fails_and_makes_nothing(void **state)
{
	opts.memory = 64 * MiB;
	assert_string_equal(setup_fails(ENOTSUP), message("find a cgroup v1 or v2 hierarchy at",
	                                                  tree.root, "Operation not supported"));
	assert_false(exists("box"));
	assert_string_equal(written(), "");
	assert_string_equal(remove_output(), "");
}

/* --- v2: the cgroup and its limits --- */

/* Controllers reach box/box-PID only when both its ancestors enable them. */
static void test_v2_enables_controllers_in_root_and_box_subtree_control(void **state)
{
	setup_ok();
	assert_string_equal(content("cgroup.subtree_control"), "+memory +pids +cpu");
	assert_string_equal(content("box/cgroup.subtree_control"), "+memory +pids +cpu");
	/* not in the leaf: it holds processes, and v2 does not allow both */
	assert_string_equal(content("box/box-PID/cgroup.subtree_control"), "");
	remove_cgroup(&opts);
}

static void test_v2_creates_leaf_named_after_box_pid_under_box(void **state)
{
	char name[32];

	setup_ok();
	snprintf(name, sizeof(name), "box/box-%d", (int)getpid());
	assert_true(is_dir("box"));
	assert_true(is_dir(name));
	remove_cgroup(&opts);
}

/* Containers share box/: the second one finds it there. */
static void test_v2_accepts_existing_box_parent(void **state)
{
	assert_int_equal(__real_mkdir(at("box"), 0755), 0);
	put_file(at("box/cgroup.subtree_control"), "");
	setup_ok();
	assert_true(is_dir("box/box-PID"));
	assert_string_equal(content("box/cgroup.subtree_control"), "+memory +pids +cpu");
	remove_cgroup(&opts);
}

static void test_v2_memory_max_gets_bytes_of_memory_option(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	assert_string_equal(content("box/box-PID/memory.max"), "67108864");
	remove_cgroup(&opts);
}

/* With swap accounting, memory.swap.max 0: the limit must not just push memory to swap. */
static void test_v2_memory_swap_max_gets_0_when_present(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	assert_string_equal(content("box/box-PID/memory.max"), "67108864");
	assert_string_equal(content("box/box-PID/memory.swap.max"), "0");
	remove_cgroup(&opts);
}

/* Without swap accounting the kernel has no memory.swap.max, and that is not an error. */
static void test_v2_memory_swap_max_left_alone_when_absent(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	assert_false(exists("box/box-PID/memory.swap.max"));
	assert_null(strstr(written(), "swap"));
	remove_cgroup(&opts);
}

/* No --memory, no swap limit either. */
static void test_v2_memory_swap_max_not_written_without_memory_limit(void **state)
{
	opts.pids = 10;
	setup_ok();
	assert_string_equal(content("box/box-PID/memory.swap.max"), "");
	assert_string_equal(content("box/box-PID/memory.max"), "");
	remove_cgroup(&opts);
}

static void test_v2_pids_max_gets_pids_option(void **state)
{
	opts.pids = 64;
	setup_ok();
	assert_string_equal(content("box/box-PID/pids.max"), "64");
	remove_cgroup(&opts);
}

/* cpu.max is "QUOTA PERIOD" in microseconds: half a CPU is 50 ms every 100 ms. */
static void test_v2_cpu_max_gets_half_period_for_half_a_cpu(void **state)
{
	opts.cpus = 0.5;
	setup_ok();
	assert_string_equal(content("box/box-PID/cpu.max"), "50000 100000");
	remove_cgroup(&opts);
}

static void test_v2_cpu_max_quota_exceeds_period_for_several_cpus(void **state)
{
	opts.cpus = 1.125;
	setup_ok();
	assert_string_equal(content("box/box-PID/cpu.max"), "112500 100000");
	remove_cgroup(&opts);
}

/* The smallest --cpus box accepts is the kernel's smallest quota, 1 ms. */
static void test_v2_cpu_max_smallest_cpus_gives_1ms_quota(void **state)
{
	opts.cpus = 0.01;
	setup_ok();
	assert_string_equal(content("box/box-PID/cpu.max"), "1000 100000");
	remove_cgroup(&opts);
}

static void test_v2_cgroup_procs_gets_container_pid(void **state)
{
	setup_ok();
	assert_string_equal(content("box/box-PID/cgroup.procs"), "4242");
	/* box itself stays where it is */
	assert_string_equal(content("cgroup.procs"), "");
	remove_cgroup(&opts);
}

/*
 * Without limits the cgroup is still made (for the namespace and accounting), but no
 * limit file is touched.
 */
static void test_v2_writes_no_limit_files_without_limits(void **state)
{
	setup_ok();
	assert_string_equal(written(), "cgroup.subtree_control +memory +pids +cpu\n"
	                               "box/cgroup.subtree_control +memory +pids +cpu\n"
	                               "box/box-PID/cgroup.procs 4242\n");
	remove_cgroup(&opts);
}

/* Every limit, each once, and the container joins last, once they are all in place. */
static void test_v2_writes_each_limit_once_before_the_pid(void **state)
{
	opts.memory = 512 * MiB;
	opts.pids = 100;
	opts.cpus = 1.5;
	setup_ok();
	assert_string_equal(written(), "cgroup.subtree_control +memory +pids +cpu\n"
	                               "box/cgroup.subtree_control +memory +pids +cpu\n"
	                               "box/box-PID/memory.max 536870912\n"
	                               "box/box-PID/memory.swap.max 0\n"
	                               "box/box-PID/pids.max 100\n"
	                               "box/box-PID/cpu.max 150000 100000\n"
	                               "box/box-PID/cgroup.procs 4242\n");
	remove_cgroup(&opts);
}

/* --- v2: removal --- */

static void test_v2_remove_removes_leaf_and_keeps_box(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	put_file(at("box/box-PID/memory.events"), "low 0\nhigh 0\nmax 12\noom 0\noom_kill 0\n");
	assert_string_equal(remove_output(), "");
	assert_false(exists("box/box-PID"));
	assert_true(is_dir("box"));
}

/* A second remove_cgroup() has nothing left to do. */
static void test_v2_remove_twice_is_harmless(void **state)
{
	setup_ok();
	remove_cgroup(&opts);
	arm(&fault_rmdir, "box/box-PID", EBUSY, -1);
	assert_string_equal(remove_output(), "");
	assert_int_equal(fault_rmdir.calls, 0);
}

static void test_v2_remove_reports_an_oom_kill(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	put_file(at("box/box-PID/memory.events"),
	         "low 0\nhigh 0\nmax 20\noom 1\noom_kill 1\noom_group_kill 0\n");
	assert_string_equal(
	        remove_output(),
	        "box: the container ran out of memory (limit 64.0 MiB): 1 process killed\n");
	assert_false(exists("box/box-PID"));
}

static void test_v2_remove_reports_several_oom_kills(void **state)
{
	opts.memory = 6 * MiB + MiB / 2;
	setup_ok();
	put_file(at("box/box-PID/memory.events"), "low 0\nhigh 0\nmax 9\noom 3\noom_kill 3\n");
	assert_string_equal(
	        remove_output(),
	        "box: the container ran out of memory (limit 6.5 MiB): 3 processes killed\n");
}

/* The kernel lets go of a cgroup a moment after its last process is reaped. */
static void test_remove_retries_rmdir_while_busy(void **state)
{
	setup_ok();
	arm(&fault_rmdir, "box/box-PID", EBUSY, 3);
	assert_string_equal(remove_output(), "");
	assert_int_equal(fault_rmdir.calls, 4);
	assert_int_equal(sleeps, 3);
	assert_false(exists("box/box-PID"));
}

/* ... but not forever: after about a second, one line, and remove_cgroup() is done. */
static void test_remove_gives_up_on_persistent_ebusy(void **state)
{
	setup_ok();
	arm(&fault_rmdir, "box/box-PID", EBUSY, -1);
	assert_string_equal(remove_output(),
	                    message("rmdir", at("box/box-PID"), "Device or resource busy"));
	assert_int_equal(fault_rmdir.calls, 101);
	assert_int_equal(sleeps, 100);
	assert_true(is_dir("box/box-PID"));
	/* it forgets the cgroup: a second call does not try again */
	assert_string_equal(remove_output(), "");
	assert_int_equal(fault_rmdir.calls, 101);
}

/* Other errors are not worth waiting for. */
static void test_remove_reports_other_rmdir_errors_at_once(void **state)
{
	setup_ok();
	arm(&fault_rmdir, "box/box-PID", EACCES, -1);
	assert_string_equal(remove_output(),
	                    message("rmdir", at("box/box-PID"), "Permission denied"));
	assert_int_equal(fault_rmdir.calls, 1);
	assert_int_equal(sleeps, 0);
}

/* --- v2: failures, one line each, naming the file --- */

static void test_v2_failed_limit_open_gives_one_line_and_stops(void **state)
{
	opts.memory = 64 * MiB;
	opts.pids = 10;
	arm(&fault_open, "box/box-PID/memory.max", EACCES, 1);
	assert_string_equal(setup_fails(EACCES),
	                    message("open", at("box/box-PID/memory.max"), "Permission denied"));
	assert_string_equal(content("box/box-PID/pids.max"), "");
	assert_string_equal(content("box/box-PID/cgroup.procs"), "");
	/* run.c then calls remove_cgroup(): the leaf was made, so it goes */
	assert_string_equal(remove_output(), "");
	assert_false(exists("box/box-PID"));
}

/* The kernel checks values at write(2): EINVAL for one it does not take. */
static void test_v2_failed_limit_write_gives_one_line(void **state)
{
	opts.cpus = 0.5;
	arm(&fault_write, "box/box-PID/cpu.max", EINVAL, 1);
	assert_string_equal(setup_fails(EINVAL),
	                    message("write", at("box/box-PID/cpu.max"), "Invalid argument"));
	assert_string_equal(content("box/box-PID/cgroup.procs"), "");
	assert_string_equal(remove_output(), "");
	assert_false(exists("box/box-PID"));
}

/* A container that is already gone: ESRCH from cgroup.procs. */
static void test_v2_failed_pid_write_gives_one_line(void **state)
{
	arm(&fault_write, "box/box-PID/cgroup.procs", ESRCH, 1);
	assert_string_equal(setup_fails(ESRCH),
	                    message("write", at("box/box-PID/cgroup.procs"), "No such process"));
	assert_string_equal(remove_output(), "");
	assert_false(exists("box/box-PID"));
}

/* The first step fails: nothing is made, nothing to remove. */
static void test_v2_failed_root_subtree_control_makes_nothing(void **state)
{
	arm(&fault_open, "cgroup.subtree_control", EACCES, 1);
	assert_string_equal(setup_fails(EACCES),
	                    message("open", at("cgroup.subtree_control"), "Permission denied"));
	assert_false(exists("box"));
	assert_string_equal(remove_output(), "");
}

/* A controller the parent does not offer: ENOENT from cgroup.subtree_control. */
static void test_v2_failed_box_subtree_control_gives_one_line(void **state)
{
	arm(&fault_write, "box/cgroup.subtree_control", ENOENT, 1);
	assert_string_equal(setup_fails(ENOENT), message("write", at("box/cgroup.subtree_control"),
	                                                 "No such file or directory"));
	assert_false(exists("box/box-PID"));
}

/*
 * Each file box writes, made to fail in turn (after the earlier ones worked): -1 and
 * one line naming it, nothing written after it, and remove_cgroup() takes back what
 * was made.
 */
static void assert_each_failed_write_stops_setup(const char *const *files,
                                                 const char *const *leaves)
{
	for (; *files; files++) {
		n_writes = 0;
		arm(&fault_write, *files, EINVAL, 1);
		assert_string_equal(setup_fails(EINVAL),
		                    message("write", at(*files), "Invalid argument"));
		assert_int_equal(fault_write.calls, 1);
		/* the failed write was the last one */
		assert_true(n_writes > 0);
		assert_string_equal(writes[n_writes - 1].path, *files);
		assert_string_equal(writes[n_writes - 1].value, "(failed)");
		assert_string_equal(remove_output(), "");
		for (const char *const *leaf = leaves; *leaf; leaf++)
			assert_false(exists(*leaf));
	}
}

static void test_v2_any_failed_write_gives_one_line_naming_the_file(void **state)
{
	opts.memory = 64 * MiB;
	opts.pids = 10;
	opts.cpus = 0.5;
	assert_each_failed_write_stops_setup(
	        (const char *const[]){"cgroup.subtree_control", "box/cgroup.subtree_control",
	                              "box/box-PID/memory.max", "box/box-PID/memory.swap.max",
	                              "box/box-PID/pids.max", "box/box-PID/cpu.max",
	                              "box/box-PID/cgroup.procs", NULL},
	        (const char *const[]){"box/box-PID", NULL});
}

static void test_v2_leaf_mkdir_eacces_gives_one_line(void **state)
{
	opts.memory = 64 * MiB;
	arm(&fault_mkdir, "box/box-PID", EACCES, 1);
	assert_string_equal(setup_fails(EACCES),
	                    message("mkdir", at("box/box-PID"), "Permission denied"));
	assert_false(exists("box/box-PID"));
	assert_null(strstr(written(), "box-PID"));
	/* nothing was made, so nothing is removed */
	arm(&fault_rmdir, "box/box-PID", ENOENT, -1);
	assert_string_equal(remove_output(), "");
	assert_int_equal(fault_rmdir.calls, 0);
}

static void test_v2_box_mkdir_eacces_gives_one_line(void **state)
{
	arm(&fault_mkdir, "box", EACCES, 1);
	assert_string_equal(setup_fails(EACCES), message("mkdir", at("box"), "Permission denied"));
	assert_false(exists("box"));
}

/* --- v1: one cgroup per hierarchy --- */

static void test_v1_creates_leaf_in_each_hierarchy(void **state)
{
	setup_ok();
	assert_true(is_dir("memory/box/box-PID"));
	assert_true(is_dir("pids/box/box-PID"));
	assert_true(is_dir("cpu/box/box-PID"));
	assert_false(exists("box"));
	remove_cgroup(&opts);
}

static void test_v1_memory_limit_in_bytes_gets_bytes(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	assert_string_equal(content("memory/box/box-PID/memory.limit_in_bytes"), "67108864");
	remove_cgroup(&opts);
}

/* v1 limits memory plus swap together: the same number allows no swap. */
static void test_v1_memsw_limit_gets_bytes_when_present(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	assert_string_equal(content("memory/box/box-PID/memory.memsw.limit_in_bytes"), "67108864");
	remove_cgroup(&opts);
}

static void test_v1_memsw_limit_left_alone_when_absent(void **state)
{
	opts.memory = 64 * MiB;
	setup_ok();
	assert_false(exists("memory/box/box-PID/memory.memsw.limit_in_bytes"));
	assert_null(strstr(written(), "memsw"));
	remove_cgroup(&opts);
}

static void test_v1_pids_max_under_pids(void **state)
{
	opts.pids = 64;
	setup_ok();
	assert_string_equal(content("pids/box/box-PID/pids.max"), "64");
	remove_cgroup(&opts);
}

static void test_v1_cpu_period_and_quota_under_cpu(void **state)
{
	opts.cpus = 0.5;
	setup_ok();
	assert_string_equal(content("cpu/box/box-PID/cpu.cfs_period_us"), "100000");
	assert_string_equal(content("cpu/box/box-PID/cpu.cfs_quota_us"), "50000");
	remove_cgroup(&opts);
}

static void test_v1_cgroup_procs_gets_pid_in_every_hierarchy(void **state)
{
	setup_ok();
	assert_string_equal(content("memory/box/box-PID/cgroup.procs"), "4242");
	assert_string_equal(content("pids/box/box-PID/cgroup.procs"), "4242");
	assert_string_equal(content("cpu/box/box-PID/cgroup.procs"), "4242");
	remove_cgroup(&opts);
}

static void test_v1_writes_no_limit_files_without_limits(void **state)
{
	setup_ok();
	assert_string_equal(written(), "memory/box/box-PID/cgroup.procs 4242\n"
	                               "pids/box/box-PID/cgroup.procs 4242\n"
	                               "cpu/box/box-PID/cgroup.procs 4242\n");
	remove_cgroup(&opts);
}

/* memsw after the memory limit (it may not be below it), the period before the quota. */
static void test_v1_writes_each_limit_once_in_order(void **state)
{
	opts.memory = 512 * MiB;
	opts.pids = 100;
	opts.cpus = 1.5;
	setup_ok();
	assert_string_equal(written(), "memory/box/box-PID/memory.limit_in_bytes 536870912\n"
	                               "memory/box/box-PID/memory.memsw.limit_in_bytes 536870912\n"
	                               "pids/box/box-PID/pids.max 100\n"
	                               "cpu/box/box-PID/cpu.cfs_period_us 100000\n"
	                               "cpu/box/box-PID/cpu.cfs_quota_us 150000\n"
	                               "memory/box/box-PID/cgroup.procs 4242\n"
	                               "pids/box/box-PID/cgroup.procs 4242\n"
	                               "cpu/box/box-PID/cgroup.procs 4242\n");
	remove_cgroup(&opts);
}

static void test_v1_remove_removes_every_leaf(void **state)
{
	setup_ok();
	assert_string_equal(remove_output(), "");
	assert_false(exists("memory/box/box-PID"));
	assert_false(exists("pids/box/box-PID"));
	assert_false(exists("cpu/box/box-PID"));
	assert_true(is_dir("memory/box"));
}

/* v1 counts OOM kills in memory.oom_control. */
static void test_v1_remove_reports_oom_kills(void **state)
{
	opts.memory = 16 * MiB;
	setup_ok();
	put_file(at("memory/box/box-PID/memory.oom_control"),
	         "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	assert_string_equal(
	        remove_output(),
	        "box: the container ran out of memory (limit 16.0 MiB): 2 processes killed\n");
	assert_false(exists("memory/box/box-PID"));
}

/* A failure in the second hierarchy: remove_cgroup() takes back the first. */
static void test_v1_failed_pids_mkdir_leaves_memory_leaf_to_remove(void **state)
{
	arm(&fault_mkdir, "pids/box/box-PID", EACCES, 1);
	assert_string_equal(setup_fails(EACCES),
	                    message("mkdir", at("pids/box/box-PID"), "Permission denied"));
	assert_true(is_dir("memory/box/box-PID"));
	assert_false(exists("cpu/box/box-PID"));
	assert_string_equal(remove_output(), "");
	assert_false(exists("memory/box/box-PID"));
}

static void test_v1_failed_quota_write_gives_one_line(void **state)
{
	opts.cpus = 0.5;
	arm(&fault_write, "cpu/box/box-PID/cpu.cfs_quota_us", EINVAL, 1);
	assert_string_equal(
	        setup_fails(EINVAL),
	        message("write", at("cpu/box/box-PID/cpu.cfs_quota_us"), "Invalid argument"));
	assert_string_equal(remove_output(), "");
	assert_false(exists("cpu/box/box-PID"));
}

static void test_v1_any_failed_write_gives_one_line_naming_the_file(void **state)
{
	opts.memory = 64 * MiB;
	opts.pids = 10;
	opts.cpus = 0.5;
	assert_each_failed_write_stops_setup(
	        (const char *const[]){
	                "memory/box/box-PID/memory.limit_in_bytes",
	                "memory/box/box-PID/memory.memsw.limit_in_bytes",
	                "pids/box/box-PID/pids.max", "cpu/box/box-PID/cpu.cfs_period_us",
	                "cpu/box/box-PID/cpu.cfs_quota_us", "memory/box/box-PID/cgroup.procs",
	                "pids/box/box-PID/cgroup.procs", "cpu/box/box-PID/cgroup.procs", NULL},
	        (const char *const[]){"memory/box/box-PID", "pids/box/box-PID", "cpu/box/box-PID",
	                              NULL});
}

#define v2_test(f)        cmocka_unit_test_setup_teardown(f, v2_tree, remove_tree)
#define v2_swap_test(f)   cmocka_unit_test_setup_teardown(f, v2_swap_tree, remove_tree)
#define v1_test(f)        cmocka_unit_test_setup_teardown(f, v1_tree, remove_tree)
#define v1_swap_test(f)   cmocka_unit_test_setup_teardown(f, v1_swap_tree, remove_tree)
#define no_cgroup_test(f) cmocka_unit_test_setup_teardown(f, no_cgroup_tree, remove_tree)

int main(void)
{
	const struct CMUnitTest cgroups_tests[] = {
	        v2_test(test_detect_finds_v2_when_root_is_cgroup2),
	        v1_test(test_detect_finds_v1_when_root_is_tmpfs_with_cgroup_memory),
	        no_cgroup_test(test_detect_rejects_tmpfs_without_cgroup_hierarchies),
	        no_cgroup_test(test_detect_rejects_memory_dir_that_is_not_cgroupfs),
	        v2_test(test_detect_reports_statfs_failure),
	        no_cgroup_test(test_setup_without_cgroup_hierarchy_fails_and_makes_nothing),

	        v2_test(test_v2_enables_controllers_in_root_and_box_subtree_control),
	        v2_test(test_v2_creates_leaf_named_after_box_pid_under_box),
	        v2_test(test_v2_accepts_existing_box_parent),
	        v2_test(test_v2_memory_max_gets_bytes_of_memory_option),
	        v2_swap_test(test_v2_memory_swap_max_gets_0_when_present),
	        v2_test(test_v2_memory_swap_max_left_alone_when_absent),
	        v2_swap_test(test_v2_memory_swap_max_not_written_without_memory_limit),
	        v2_test(test_v2_pids_max_gets_pids_option),
	        v2_test(test_v2_cpu_max_gets_half_period_for_half_a_cpu),
	        v2_test(test_v2_cpu_max_quota_exceeds_period_for_several_cpus),
	        v2_test(test_v2_cpu_max_smallest_cpus_gives_1ms_quota),
	        v2_test(test_v2_cgroup_procs_gets_container_pid),
	        v2_swap_test(test_v2_writes_no_limit_files_without_limits),
	        v2_swap_test(test_v2_writes_each_limit_once_before_the_pid),

	        v2_test(test_v2_remove_removes_leaf_and_keeps_box),
	        v2_test(test_v2_remove_twice_is_harmless),
	        v2_test(test_v2_remove_reports_an_oom_kill),
	        v2_test(test_v2_remove_reports_several_oom_kills),
	        v2_test(test_remove_retries_rmdir_while_busy),
	        v2_test(test_remove_gives_up_on_persistent_ebusy),
	        v2_test(test_remove_reports_other_rmdir_errors_at_once),

	        v2_test(test_v2_failed_limit_open_gives_one_line_and_stops),
	        v2_test(test_v2_failed_limit_write_gives_one_line),
	        v2_test(test_v2_failed_pid_write_gives_one_line),
	        v2_test(test_v2_failed_root_subtree_control_makes_nothing),
	        v2_test(test_v2_failed_box_subtree_control_gives_one_line),
	        v2_swap_test(test_v2_any_failed_write_gives_one_line_naming_the_file),
	        v2_test(test_v2_leaf_mkdir_eacces_gives_one_line),
	        v2_test(test_v2_box_mkdir_eacces_gives_one_line),

	        v1_test(test_v1_creates_leaf_in_each_hierarchy),
	        v1_test(test_v1_memory_limit_in_bytes_gets_bytes),
	        v1_swap_test(test_v1_memsw_limit_gets_bytes_when_present),
	        v1_test(test_v1_memsw_limit_left_alone_when_absent),
	        v1_test(test_v1_pids_max_under_pids),
	        v1_test(test_v1_cpu_period_and_quota_under_cpu),
	        v1_test(test_v1_cgroup_procs_gets_pid_in_every_hierarchy),
	        v1_swap_test(test_v1_writes_no_limit_files_without_limits),
	        v1_swap_test(test_v1_writes_each_limit_once_in_order),
	        v1_test(test_v1_remove_removes_every_leaf),
	        v1_test(test_v1_remove_reports_oom_kills),
	        v1_test(test_v1_failed_pids_mkdir_leaves_memory_leaf_to_remove),
	        v1_test(test_v1_failed_quota_write_gives_one_line),
	        v1_swap_test(test_v1_any_failed_write_gives_one_line_naming_the_file),
	};

	return cmocka_run_group_tests(cgroups_tests, box_progname, ws_progname_again);
}
