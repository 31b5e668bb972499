/*
 * rootfs.c — make ROOTFS the container's "/".
 */
#include "box.h"

#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

int enter_rootfs(const char *rootfs)
{
	if (chdir(rootfs) < 0)
		return fail("chdir", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail("pivot_root", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return fail("detach the old root from", rootfs);
	if (chdir("/") < 0)
		return fail("chdir", "/");
	return 0;
}
