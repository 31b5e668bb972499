// STEP 01 BEGIN
/*
 * rootfs.c — make ROOTFS the container's "/".
 */
#include "box.h"

// STEP 03 BEGIN
#include <sys/mount.h>
#include <sys/syscall.h>
// STEP 03 END
#include <unistd.h>

int enter_rootfs(const char *rootfs)
{
	// LESSON 01 BEGIN: make ROOTFS the root directory of the container
	// HINT: chroot(2) changes what "/" means for this process and its children.
	// HINT: then chdir("/"): chroot does not move the working directory, and a
	// HINT: working directory outside the new root is a way out of it.
	// LESSON 03 BEGIN: make ROOTFS the root with pivot_root, and let go of the old root
	// HINT: Replace step 01's chroot below. pivot_root(2) moves the whole mount
	// HINT: namespace to a new root; unlike chroot,
	// HINT: nothing of the old root stays reachable once it is unmounted.
	// HINT: chdir(rootfs), then pivot_root(".", "."): the old root ends up on top of
	// HINT: the new one, so umount2(".", MNT_DETACH) takes it away. Then chdir("/").
	// HINT: glibc has no wrapper: syscall(SYS_pivot_root, new_root, put_old).
	if (chdir(rootfs) < 0)
		return fail("chdir", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail("pivot_root", rootfs);
	if (umount2(".", MNT_DETACH) < 0)
		return fail("detach the old root from", rootfs);
	if (chdir("/") < 0)
		return fail("chdir", "/");
	return 0;
	// LAB:
	//- if (chroot(rootfs) < 0)
	//- 	return fail("chroot", rootfs);
	//- if (chdir("/") < 0)
	//- 	return fail("chdir", "/");
	//- return 0;
	// LESSON 03 END
	// LAB:
	//- return 0;
	// LESSON 01 END
}
// STEP 01 END
