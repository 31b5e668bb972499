// STEP 10 BEGIN
/*
 * image.c — ROOTFS as a read-only image, and a writable layer per container.
 *
 * overlayfs stacks directories: reads find a file in the upper (writable)
 * directory or else in the lower (read-only) ones, top first; writes copy the
 * file up first; a deletion leaves a "whiteout" in upper. So one image on disk
 * serves every container, and each container's changes are a small directory
 * of their own: STATE/box-<pid>/upper, thrown away when it exits (or --keep).
 *
 * With the user namespace of step 07, the image's files belong to the host's
 * root, whom the container's root is not: it could read them but never change
 * them, even through the overlay. So the parent (real root) makes an idmapped
 * mount of each layer, on which the host's ids appear shifted into the
 * container's range (mount_setattr(2), MOUNT_ATTR_IDMAP), and hands the mounts
 * to the child over a socket, as file descriptors. Run by another user, box
 * can't do that (idmapping needs the host's root): the image stays read-only.
 */
#include "box.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

static void remove_state_dir(const struct options *o);

/* The idmapped layers travel from parent to child over this socket pair. */
static int layer_sock[2] = {-1, -1};

/* Layer i from the top: --layer options last to first, then ROOTFS (the base). */
static const char *layer(const struct options *o, int i)
{
	return i < o->n_layers ? o->layers[o->n_layers - 1 - i] : o->image;
}

/* STATE/box-<pid>/NAME into buf. */
static char *state_path(const struct options *o, const char *name, char *buf, size_t size)
{
	return path_join(buf, size, o->container_dir, name);
}

/* mkdir with a mode; owned by uid:gid unless uid is -1. */
static int make_dir_owned(const char *path, mode_t mode, uid_t uid)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return fail("mkdir", path);
	if (uid != (uid_t)-1 && chown(path, uid, uid) < 0)
		return fail("chown", path);
	return 0;
}

int prepare_state(struct options *o)
{
	/* The container's root must own its writable layer: on the host, that is
	 * the first id of the --userns range (or the user, rootless). */
	uid_t owner = geteuid() == 0 ? (uid_t)o->id_start : (uid_t)-1;
	static const char *const owned[] = {"upper", "work", "merged"};
	char path[PATH_MAX], name[32];

	o->rootless = geteuid() != 0;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, layer_sock) < 0)
		return fail("socketpair", NULL);
	if (snprintf(o->container_dir, sizeof(o->container_dir), "%s/box-%d", o->state,
	             (int)getpid()) >= (int)sizeof(o->container_dir)) {
		errno = ENAMETOOLONG;
		return fail("make the state directory in", o->state);
	}
	/* 0711: the container's root may pass through, not list. */
	if (make_dir_owned(o->state, 0711, (uid_t)-1) < 0)
		return -1;
	/* Already there: left by a box that had our pid and was killed. Its changes
	 * must not leak into this container. */
	o->state_made = true;
	remove_state_dir(o);
	if (make_dir_owned(o->container_dir, 0711, (uid_t)-1) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(owned) / sizeof(owned[0]); i++)
		if (!state_path(o, owned[i], path, sizeof(path)) ||
		    make_dir_owned(path, 0755, owner) < 0)
			return -1;
	if (!state_path(o, "lower", path, sizeof(path)) ||
	    make_dir_owned(path, 0711, (uid_t)-1) < 0)
		return -1;
	for (int i = 0; i <= o->n_layers; i++) {
		snprintf(name, sizeof(name), "lower/%d", i);
		if (!state_path(o, name, path, sizeof(path)) ||
		    make_dir_owned(path, 0755, (uid_t)-1) < 0)
			return -1;
	}
	/* From here on, "ROOTFS" for the other steps is the merged view. */
	o->image = o->rootfs;
	if (!state_path(o, "merged", o->merged, sizeof(o->merged)))
		return -1;
	o->rootfs = o->merged;
	return 0;
}

/* Sends n descriptors to the child in one message. */
static int send_fds(const int *fds, int n)
{
	char data = 'L', control[CMSG_SPACE(sizeof(int) * MAX_LAYERS)];
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cmsg;

	memset(control, 0, sizeof(control));
	msg.msg_control = control;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
	memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
	if (sendmsg(layer_sock[0], &msg, 0) < 0)
		return fail("send", "the image layers to the container");
	return 0;
}

/* A detached copy of the mount at path, with the host's ids shifted into userns. */
static int idmapped_tree(const char *path, int userns)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	int tree;

	// LESSON 10 BEGIN: an idmapped copy of a layer
	// HINT: open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC) gives a
	// HINT: detached copy of the mount (a file descriptor); then
	// HINT: mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) idmaps it.
	tree = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return fail("open_tree", path);
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		fail("idmap the mount of", path);
		close(tree);
		return -1;
	}
	return tree;
	// LAB:
	//- errno = ENOSYS;
	//- return fail("idmap", path);
	// LESSON 10 END
}

int share_layers(const struct options *o, pid_t child)
{
	int fds[MAX_LAYERS], n = 0, userns, err = 0;
	char path[64];

	close(layer_sock[1]);
	if (o->rootless)
		return 0; /* the child uses the layers as they are */
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)child);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return fail("open", path);
	for (; n <= o->n_layers && err == 0; n++)
		if ((fds[n] = idmapped_tree(layer(o, n), userns)) < 0)
			err = -1;
	if (err == 0)
		err = send_fds(fds, n);
	while (n-- > 0)
		if (fds[n] >= 0)
			close(fds[n]);
	close(userns);
	return err;
}

/* Child: receives the idmapped layers and mounts them at STATE/box-<pid>/lower/N. */
static int attach_layers(const struct options *o)
{
	char data, control[CMSG_SPACE(sizeof(int) * MAX_LAYERS)], path[PATH_MAX], name[32];
	struct iovec iov = {.iov_base = &data, .iov_len = 1};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	struct cmsghdr *cmsg;
	int fds[MAX_LAYERS], n;

	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	if (recvmsg(layer_sock[1], &msg, MSG_CMSG_CLOEXEC) < 0)
		return fail("receive", "the image layers");
	cmsg = CMSG_FIRSTHDR(&msg);
	n = cmsg ? (int)((cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int)) : 0;
	if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS || n != o->n_layers + 1) {
		errno = EPROTO;
		return fail("receive", "the image layers");
	}
	memcpy(fds, CMSG_DATA(cmsg), sizeof(int) * n);
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "lower/%d", i);
		if (!state_path(o, name, path, sizeof(path)))
			return -1;
		if (move_mount(fds[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return fail("attach an image layer at", path);
		close(fds[i]);
	}
	return 0;
}

int mount_image(const struct options *o)
{
	char options[4 * PATH_MAX + 64], path[PATH_MAX], name[32];
	size_t len;

	close(layer_sock[0]);
	if (!o->rootless && attach_layers(o) < 0)
		return -1;
	close(layer_sock[1]);
	/* lowerdir=TOP:...:BASE, the attached idmapped copies (or, rootless, the layers). */
	len = (size_t)snprintf(options, sizeof(options), "lowerdir=");
	for (int i = 0; i <= o->n_layers; i++) {
		snprintf(name, sizeof(name), "lower/%d", i);
		if (!state_path(o, name, path, sizeof(path)))
			return -1;
		len += (size_t)snprintf(options + len, sizeof(options) - len, "%s%s", i ? ":" : "",
		                        o->rootless ? layer(o, i) : path);
	}
	/* userxattr: in a user namespace overlayfs can't keep its bookkeeping in
	 * trusted.* attributes (renaming a directory, or deleting one of the image's,
	 * would fail with EIO); user.* ones it can. */
	len += (size_t)snprintf(options + len, sizeof(options) - len,
	                        ",upperdir=%s/upper,workdir=%s/work,userxattr", o->container_dir,
	                        o->container_dir);
	if (len >= sizeof(options)) {
		errno = ENAMETOOLONG;
		return fail("mount overlay on", o->merged);
	}
	// LESSON 10 BEGIN: stack the layers with overlayfs
	// HINT: mount(2) of type "overlay" (source "overlay") on o->merged, with the
	// HINT: options built above: lowerdir=..., upperdir=..., workdir=...
	if (mount("overlay", o->merged, "overlay", 0, options) < 0)
		return fail("mount overlay on", o->merged);
	// LESSON 10 END
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	if (remove(path) < 0)
		fail("remove", path);
	return 0;
}

/* Removes STATE/box-<pid> and everything in it, if it is there. */
static void remove_state_dir(const struct options *o)
{
	/* FTW_DEPTH: contents before their directory; FTW_PHYS: never follow links. */
	if (nftw(o->container_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 &&
	    errno != ENOENT)
		fail("remove", o->container_dir);
}

void remove_state(const struct options *o)
{
	if (!o->state_made)
		return;
	if (o->keep) {
		fprintf(stderr, "box: kept the container's changes in %s/upper\n",
		        o->container_dir);
		return;
	}
	remove_state_dir(o);
}
// STEP 10 END
