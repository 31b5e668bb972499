/*
 * rootfs.c — make ROOTFS the container's "/".
 */
#include "box.h"

#include <unistd.h>

int enter_rootfs(const char *rootfs)
{
	// TODO(01): make ROOTFS the root directory of the container
	//   chroot(2) changes what "/" means for this process and its children.
	//   then chdir("/"): chroot does not move the working directory, and a
	//   working directory outside the new root is a way out of it.
	return 0;
}
