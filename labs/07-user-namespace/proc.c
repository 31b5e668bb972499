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
	if (mount("proc", path, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return fail("mount proc on", path);
	return 0;
}
