/*
 * rootfs.c — make ROOTFS the container's "/".
 */
#include "box.h"

#include <unistd.h>

int enter_rootfs(const char *rootfs)
{
	if (chroot(rootfs) < 0)
		return fail("chroot", rootfs);
	if (chdir("/") < 0)
		return fail("chdir", "/");
	return 0;
}
