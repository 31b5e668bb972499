/*
 * box — a container runtime built one kernel mechanism per step.
 *
 * box.c reads the command line; run.c starts the container, forwards signals
 * to it and turns its end into box's exit status. Each later step adds one
 * mechanism in a file of its own, called from a hook in run.c.
 */
#ifndef BOX_H
#define BOX_H

#include "ws.h"

#include <signal.h>
#include <sys/types.h>

/* What `box run` was asked to do. */
struct options {
	const char *rootfs; /* ROOTFS: the container's root filesystem */
	char **argv;        /* COMMAND and its arguments, NULL-terminated */
	// STEP 02 BEGIN
	/* seconds a PID 1 gets to exit after SIGTERM/SIGINT */
	unsigned stop_timeout;
	// STEP 02 END
};

/* run.c: runs the container to its end; returns box's exit status. */
int run_container(const struct options *o);
// STEP 01 BEGIN

/* rootfs.c: in the child, makes ROOTFS the container's "/". */
int enter_rootfs(const char *rootfs);

// STEP 03 BEGIN
/* proc.c: mounts a /proc in ROOTFS (child). */
int mount_proc(const char *rootfs);
// WAS:
//- /* proc.c: mounts a /proc in ROOTFS (child); takes it back (parent, after the end). */
//- int mount_proc(const char *rootfs);
//- void unmount_proc(const char *rootfs);
// STEP 03 END
// STEP 01 END
// STEP 03 BEGIN

/* mounts.c: in the child, a private mount table; ROOTFS ready to become "/". */
int setup_mounts(const char *rootfs);
// STEP 03 END

#endif
