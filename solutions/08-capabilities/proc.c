// STEP 01 BEGIN
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
// STEP 08 BEGIN
#include <unistd.h>
// STEP 08 END

int mount_proc(const char *rootfs)
{
	char path[PATH_MAX];

	if (!path_join(path, sizeof(path), rootfs, "proc"))
		return -1;
	// LESSON 02 BEGIN: mount a procfs of the container's own
	// HINT: Replace step 01's bind mount of the host's /proc below with a new procfs:
	// HINT: mount(2) of filesystem type "proc" (source "proc"): a procfs shows the
	// HINT: PID namespace of the process that mounts it, here the container's.
	// HINT: Flags MS_NOSUID | MS_NODEV | MS_NOEXEC, as on every distribution.
	if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail("mount proc on", path);
	// LAB:
	//- /* MS_REC: /proc has mounts of its own (binfmt_misc) that must come along. */
	//- if (mount("/proc", path, NULL, MS_BIND | MS_REC, NULL) < 0)
	//- 	return fail("bind-mount /proc on", path);
	// LESSON 02 END
	return 0;
}
// STEP 08 BEGIN

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
	// LESSON 08 BEGIN: hide what /proc tells about the host; make its knobs read-only
	// HINT: for_each_existing(rootfs, masked_files, N(masked_files), mask_file), the same
	// HINT: for masked_dirs with mask_dir, and for read_only with make_read_only.
	if (for_each_existing(rootfs, masked_files, N(masked_files), mask_file) < 0 ||
	    for_each_existing(rootfs, masked_dirs, N(masked_dirs), mask_dir) < 0 ||
	    for_each_existing(rootfs, read_only, N(read_only), make_read_only) < 0)
		return -1;
	// LESSON 08 END
	return 0;
#undef N
}
// STEP 08 END
// STEP 03 BEGIN
// WAS:
//-
//- void unmount_proc(const char *rootfs)
//- {
//- 	char path[PATH_MAX];
//-
//- 	if (!path_join(path, sizeof(path), rootfs, "proc"))
//- 		return;
//- 	/*
//- 	 * The child mounted /proc in the host's mount table, so it outlives the
//- 	 * child: the parent takes it back. EINVAL (nothing mounted there) and
//- 	 * EPERM (box is not root) mean the child failed before mounting it, and
//- 	 * has already said why.
//- 	 */
//- 	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != EPERM)
//- 		fail("unmount", path);
//- }
// STEP 03 END
// STEP 01 END
