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
