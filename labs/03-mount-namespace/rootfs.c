/*
 * rootfs.c — make ROOTFS the container's "/".
 */
#include "box.h"

#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

int enter_rootfs(const char *rootfs)
{
	// TODO(03): make ROOTFS the root with pivot_root, and let go of the old root
	//   Replace step 01's chroot below. pivot_root(2) moves the whole mount
	//   namespace to a new root; unlike chroot,
	//   nothing of the old root stays reachable once it is unmounted.
	//   chdir(rootfs), then pivot_root(".", "."): the old root ends up on top of
	//   the new one, so umount2(".", MNT_DETACH) takes it away. Then chdir("/").
	//   glibc has no wrapper: syscall(SYS_pivot_root, new_root, put_old).
	if (chroot(rootfs) < 0)
		return fail("chroot", rootfs);
	if (chdir("/") < 0)
		return fail("chdir", "/");
	return 0;
}
