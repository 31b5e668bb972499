// STEP 01 BEGIN
/*
 * rootfs.c — make ROOTFS the container's "/".
 */
#include "box.h"

#include <unistd.h>

int enter_rootfs(const char *rootfs)
{
	// LESSON 01 BEGIN: make ROOTFS the root directory of the container
	// HINT: chroot(2) changes what "/" means for this process and its children.
	// HINT: then chdir("/"): chroot does not move the working directory, and a
	// HINT: working directory outside the new root is a way out of it.
	if (chroot(rootfs) < 0)
		return fail("chroot", rootfs);
	if (chdir("/") < 0)
		return fail("chdir", "/");
	return 0;
	// LAB:
	//- return 0;
	// LESSON 01 END
}
// STEP 01 END
