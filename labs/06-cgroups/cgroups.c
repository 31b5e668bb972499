/*
 * cgroups.c — limits on memory, processes and CPU time.
 *
 * A control group is a directory in a cgroup filesystem: the processes listed
 * in its cgroup.procs are accounted together and limited by the files beside
 * it. There are two layouts, and box detects which one it runs on:
 *
 *   cgroup v2, every current distribution: one hierarchy at /sys/fs/cgroup. A
 *   controller works in a cgroup once its parent lists it in
 *   cgroup.subtree_control. Files: memory.max, pids.max, cpu.max.
 *
 *   cgroup v1, older systems and the "hybrid" layout: one hierarchy per
 *   controller, /sys/fs/cgroup/memory, /sys/fs/cgroup/pids, /sys/fs/cgroup/cpu.
 *   Files: memory.limit_in_bytes, pids.max, cpu.cfs_quota_us.
 *
 * Each container gets the cgroup box/box-<pid of box> in every hierarchy it
 * uses, created by the parent before the container may run COMMAND and removed
 * by the parent after it ends.
 */
#include "box.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

/* The v1 hierarchies box uses, in the order cgroups are made. */
static const char *const v1_controllers[] = {"memory", "pids", "cpu"};
#define N_V1 (sizeof(v1_controllers) / sizeof(v1_controllers[0]))

/* The CPU period: --cpus 0.5 allows 50 ms of CPU time every 100 ms. */
#define CPU_PERIOD_US 100000

/* The container's cgroup(s), kept by the parent between create and remove. */
static struct cgroup cg;

int cgroup_detect(const char *root, struct cgroup *out)
{
	char path[PATH_MAX];
	struct statfs fs;

	memset(out, 0, sizeof(*out));
	snprintf(out->root, sizeof(out->root), "%s", root);
	if (statfs(root, &fs) < 0)
		return fail("statfs", root);
	if (fs.f_type == CGROUP2_SUPER_MAGIC) {
		out->version = 2;
		return 0;
	}
	/* v1 (and hybrid): a tmpfs holding one cgroup filesystem per controller. */
	if (!path_join(path, sizeof(path), root, "memory"))
		return -1;
	if (statfs(path, &fs) == 0 && fs.f_type == CGROUP_SUPER_MAGIC) {
		out->version = 1;
		return 0;
	}
	errno = ENOTSUP;
	return fail("find a cgroup v1 or v2 hierarchy at", root);
}

/* The directory of the container's cgroup in hierarchy i ("" for v2). */
static char *cgroup_dir(const struct cgroup *c, size_t i, char *buf, size_t size)
{
	int n;

	if (c->version == 2)
		n = snprintf(buf, size, "%s/box/%s", c->root, c->name);
	else
		n = snprintf(buf, size, "%s/%s/box/%s", c->root, v1_controllers[i], c->name);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		fail("make a cgroup path in", c->root);
		return NULL;
	}
	return buf;
}

/* Writes VALUE to FILE of the container's cgroup in hierarchy i. */
static int cgroup_write(const struct cgroup *c, size_t i, const char *file, const char *value)
{
	char dir[PATH_MAX], path[PATH_MAX];

	if (!cgroup_dir(c, i, dir, sizeof(dir)) || !path_join(path, sizeof(path), dir, file))
		return -1;
	return write_file(path, value);
}

/* mkdir that accepts an existing directory. */
static int make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return fail("mkdir", path);
	return 0;
}

/* v2: make root/box, and let its children use the memory, pids and cpu controllers. */
static int prepare_v2_parent(const struct cgroup *c)
{
	char box[PATH_MAX], control[PATH_MAX];

	if (!path_join(control, sizeof(control), c->root, "cgroup.subtree_control") ||
	    write_file(control, "+memory +pids +cpu") < 0)
		return -1;
	if (!path_join(box, sizeof(box), c->root, "box") || make_dir(box) < 0)
		return -1;
	if (!path_join(control, sizeof(control), box, "cgroup.subtree_control"))
		return -1;
	return write_file(control, "+memory +pids +cpu");
}

/* Forbids swap beyond the memory limit, where the kernel accounts for swap. */
static int no_swap(const struct cgroup *c, const struct options *o)
{
	char dir[PATH_MAX], path[PATH_MAX], value[32];
	const char *file = c->version == 2 ? "memory.swap.max" : "memory.memsw.limit_in_bytes";

	if (!cgroup_dir(c, 0, dir, sizeof(dir)) || !path_join(path, sizeof(path), dir, file))
		return -1;
	if (access(path, F_OK) < 0)
		return 0; /* no swap accounting: nothing to limit */
	/* v2 counts swap alone, v1 memory plus swap. */
	snprintf(value, sizeof(value), "%" PRIu64, c->version == 2 ? 0 : o->memory);
	return write_file(path, value);
}

/* The limits, in the files of the layout in use. */
static int write_limits(const struct cgroup *c, const struct options *o)
{
	char value[64];
	// TODO(06): write the limits into the cgroup's files
	//   v2 (c->version == 2, one directory, index 0): "memory.max" takes bytes,
	//   "pids.max" a count, "cpu.max" "QUOTA PERIOD" in microseconds.
	//   v1 (index 0 memory, 1 pids, 2 cpu): "memory.limit_in_bytes",
	//   "pids.max", "cpu.cfs_period_us" then "cpu.cfs_quota_us".
	//   Values are text: snprintf into value, then cgroup_write(c, i, file, value).
	//   A limit of 0 in o means "no limit": write nothing. After the memory
	//   limit, call no_swap(c, o), or swap would make the limit soft.
	return 0;
}

/* Makes the container's cgroup(s), with their limits. */
static int cgroup_create(struct cgroup *c, const struct options *o)
{
	char dir[PATH_MAX], parent[PATH_MAX];
	size_t n = c->version == 2 ? 1 : N_V1;

	snprintf(c->name, sizeof(c->name), "box-%d", (int)getpid());
	if (c->version == 2 && prepare_v2_parent(c) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!cgroup_dir(c, i, dir, sizeof(dir)))
			return -1;
		snprintf(parent, sizeof(parent), "%.*s", (int)(strrchr(dir, '/') - dir), dir);
		if (make_dir(parent) < 0)
			return -1;
		/* EEXIST: left by a box that had our pid and was killed (SIGKILL leaves
		 * no chance to clean up). Its processes are gone, so it is empty. */
		if (mkdir(dir, 0755) < 0 &&
		    (errno != EEXIST || rmdir(dir) < 0 || mkdir(dir, 0755) < 0))
			return fail("mkdir", dir);
		c->created[i] = true;
	}
	return write_limits(c, o);
}

/* Moves process pid into the container's cgroup(s). */
static int cgroup_enter(const struct cgroup *c, pid_t pid)
{
	char value[32];
	size_t n = c->version == 2 ? 1 : N_V1;

	snprintf(value, sizeof(value), "%d", (int)pid);
	for (size_t i = 0; i < n; i++) {
		// TODO(06): put the container into its cgroup
		//   A process joins a cgroup when its pid is written to the cgroup's
		//   "cgroup.procs" (cgroups(7)); its future children are born there.
	}
	return 0;
}

int setup_cgroup_at(const char *root, const struct options *o, pid_t child)
{
	if (cgroup_detect(root, &cg) < 0)
		return -1;
	if (cgroup_create(&cg, o) < 0)
		return -1;
	return cgroup_enter(&cg, child);
}

/* How many processes the memory controller killed in the container's cgroup. */
static long oom_kills(const struct cgroup *c)
{
	char dir[PATH_MAX], path[PATH_MAX], text[1024];
	const char *line;
	long kills = 0;

	if (!c->created[0] || !cgroup_dir(c, 0, dir, sizeof(dir)) ||
	    !path_join(path, sizeof(path), dir,
	               c->version == 2 ? "memory.events" : "memory.oom_control") ||
	    read_file(path, text, sizeof(text)) < 0)
		return 0;
	line = strstr(text, "oom_kill ");
	if (line)
		sscanf(line, "oom_kill %ld", &kills);
	return kills;
}

void remove_cgroup(const struct options *o)
{
	char dir[PATH_MAX];
	long kills = oom_kills(&cg);

	if (kills > 0 && o->memory)
		fail_msg("the container ran out of memory (limit %.1f MiB): %ld process%s killed",
		         o->memory / 1048576.0, kills, kills == 1 ? "" : "es");
	else if (kills > 0) /* a limit above box's, or the whole machine */
		fail_msg("the container ran out of memory: %ld process%s killed", kills,
		         kills == 1 ? "" : "es");
	for (size_t i = 0; i < N_V1; i++) {
		if (!cg.created[i] || !cgroup_dir(&cg, i, dir, sizeof(dir)))
			continue;
		/*
		 * The last processes have been reaped, but the kernel may take a moment
		 * to let go of the cgroup: EBUSY for a little while.
		 */
		for (int tries = 0; rmdir(dir) < 0; tries++) {
			if (errno != EBUSY || tries == 100) {
				fail("rmdir", dir);
				break;
			}
			usleep(10000);
		}
		cg.created[i] = false;
	}
}

int enter_cgroup_namespace(void)
{
	// TODO(06): let the container see its cgroup as the root
	//   unshare(CLONE_NEWCGROUP) makes the caller's current cgroup the root of
	//   what it sees in /proc/self/cgroup (cgroup_namespaces(7)). Do it after the
	//   parent moved this process into its cgroup, i.e. after the parent's go.
	return 0;
}
