// STEP 03 BEGIN
/*
 * mounts.c — the container's own mount table.
 *
 * In a new mount namespace (CLONE_NEWNS) the child starts with a copy of the
 * host's mounts. Before it changes anything, it stops mount events from
 * propagating back to the host, then prepares ROOTFS as the future "/": a mount
 * point of its own, with a minimal /dev and a fresh /tmp. rootfs.c then makes it
 * the root with pivot_root(2).
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* The devices a program expects; each is the host's node, bind-mounted. */
static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty"};

/* Symlinks every Linux system has in /dev, pointing into the container's /proc. */
static const char *const dev_links[][2] = {
        {"fd", "/proc/self/fd"},
        {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"},
};

/* Bind-mounts the host's /dev/NAME onto an empty file DEV/NAME. */
static int bind_device(const char *dev, const char *name)
{
	char host[PATH_MAX], target[PATH_MAX];
	int fd;

	if (!path_join(host, sizeof(host), "/dev", name) ||
	    !path_join(target, sizeof(target), dev, name))
		return -1;
	fd = open(target, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return fail("create", target);
	close(fd);
	if (mount(host, target, NULL, MS_BIND, NULL) < 0)
		return fail("bind-mount device on", target);
	return 0;
}

/*
 * A tmpfs on ROOTFS/dev with a few device nodes. Bind mounts rather than
 * mknod(2): they work the same in a user namespace (step 07), where mknod is
 * refused.
 */
static int mount_dev(const char *rootfs)
{
	char dev[PATH_MAX], link[PATH_MAX];

	if (!path_join(dev, sizeof(dev), rootfs, "dev"))
		return -1;
	/* MS_NODEV: a device node made in it later (mknod) opens nothing. */
	if (mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=0755,size=64k") <
	    0)
		return fail("mount tmpfs on", dev);
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (bind_device(dev, devices[i]) < 0)
			return -1;
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++) {
		if (!path_join(link, sizeof(link), dev, dev_links[i][0]))
			return -1;
		if (symlink(dev_links[i][1], link) < 0)
			return fail("symlink", link);
	}
	return 0;
}

/* A fresh, empty, world-writable /tmp that disappears with the container. */
static int mount_tmp(const char *rootfs)
{
	char tmp[PATH_MAX];

	if (!path_join(tmp, sizeof(tmp), rootfs, "tmp"))
		return -1;
	if (mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m") < 0)
		return fail("mount tmpfs on", tmp);
	return 0;
}

int setup_mounts(const char *rootfs)
{
	// LESSON 03 BEGIN: cut the container's mounts off from the host's
	// HINT: After CLONE_NEWNS the copied mounts may still be "shared" with the host
	// HINT: (mount_namespaces(7)): remount "/" with MS_REC | MS_PRIVATE first, so that
	// HINT: nothing mounted from now on propagates back.
	// HINT: pivot_root(2) wants the new root to be a mount point: bind-mount ROOTFS
	// HINT: onto itself (MS_BIND | MS_REC).
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("make private", "/");
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail("bind-mount", rootfs);
	// LAB:
	//- /* (nothing yet: the container's mounts are still the host's) */
	// LESSON 03 END
	if (mount_dev(rootfs) < 0 || mount_tmp(rootfs) < 0)
		return -1;
	return 0;
}
// STEP 03 END
