/*
 * proc.c — the container's /proc.
 *
 * ps, top and our probe read /proc. In step 01 the container borrows the host's
 * /proc with a bind mount; step 02 gives it a procfs of its own.
 */
#include "box.h"

#include <errno.h>
#include <limits.h>
#include <sys/mount.h>
#include <unistd.h>

int mount_proc(const char *rootfs)
{
	char path[PATH_MAX];

	if (!path_join(path, sizeof(path), rootfs, "proc"))
		return -1;
	if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail("mount proc on", path);
	return 0;
}

/* Files that tell about the host or its memory: /dev/null is mounted over them. */
static const char *const masked_files[] = {
        "proc/kcore",       "proc/keys",          "proc/timer_list",
        "proc/sched_debug", "proc/latency_stats", "proc/timer_stats",
};

/* Directories of hardware details: an empty read-only tmpfs hides them. */
static const char *const masked_dirs[] = {"proc/acpi", "proc/asound", "proc/scsi"};

/* The kernel's knobs: visible, but read-only. */
static const char *const read_only[] = {"proc/sys", "proc/sysrq-trigger", "proc/irq", "proc/bus",
                                        "proc/fs"};

/* Bind-mounts path onto itself, read-only. A remount sets all flags at once: name
 * proc's nosuid, nodev and noexec again, or the remount would lift them (and for a
 * mount that came from a more privileged namespace, the kernel refuses that). */
static int make_read_only(const char *path)
{
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail("bind-mount", path);
	if (mount(NULL, path, NULL,
	          MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail("make read-only", path);
	return 0;
}

/* Runs mask() on ROOTFS/name for every name that exists on this kernel. */
static int for_each_existing(const char *rootfs, const char *const *names, size_t n,
                             int (*mask)(const char *))
{
	char path[PATH_MAX];

	for (size_t i = 0; i < n; i++) {
		if (!path_join(path, sizeof(path), rootfs, names[i]))
			return -1;
		if (access(path, F_OK) < 0)
			continue;
		if (mask(path) < 0)
			return -1;
	}
	return 0;
}

static int mask_file(const char *path)
{
	if (mount("/dev/null", path, NULL, MS_BIND, NULL) < 0)
		return fail("mask", path);
	return 0;
}

static int mask_dir(const char *path)
{
	if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0") <
	    0)
		return fail("mask", path);
	return 0;
}

int mask_proc(const char *rootfs)
{
#define N(a) (sizeof(a) / sizeof(a[0]))
	if (for_each_existing(rootfs, masked_files, N(masked_files), mask_file) < 0 ||
	    for_each_existing(rootfs, masked_dirs, N(masked_dirs), mask_dir) < 0 ||
	    for_each_existing(rootfs, read_only, N(read_only), make_read_only) < 0)
		return -1;
	return 0;
#undef N
}
