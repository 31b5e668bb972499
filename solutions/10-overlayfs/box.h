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

// STEP 05 BEGIN
#include <net/if.h>
// STEP 05 END
// STEP 06 BEGIN
#include <limits.h>
// STEP 06 END
#include <signal.h>
#include <sys/types.h>

// STEP 10 BEGIN
/* At most this many image layers: ROOTFS and up to 7 --layer. */
#define MAX_LAYERS 8

// STEP 10 END
/* What `box run` was asked to do. */
struct options {
	const char *rootfs; /* ROOTFS: the container's root filesystem */
	char **argv;        /* COMMAND and its arguments, NULL-terminated */
	// STEP 02 BEGIN
	/* seconds a PID 1 gets to exit after SIGTERM/SIGINT */
	unsigned stop_timeout;
	// STEP 02 END
	// STEP 04 BEGIN
	/* the container's hostname */
	const char *hostname;
	// STEP 04 END
	// STEP 05 BEGIN
	/* --veth: a veth pair between the host and the container, and its addresses */
	bool veth;
	struct cidr4 veth_host, veth_container;
	/* the name of the host's end */
	char veth_name[IFNAMSIZ];
	// STEP 05 END
	// STEP 06 BEGIN
	/* cgroup limits; 0 means no limit */
	uint64_t memory; /* bytes */
	long pids;       /* processes (and threads) */
	/* CPUs' worth of time, e.g. 0.5 */
	double cpus;
	// STEP 06 END
	// STEP 07 BEGIN
	/* run by root: container ids 0.. are host ids id_start.. (id_count of them) */
	unsigned long id_start, id_count;
	// STEP 07 END
	// STEP 08 BEGIN
	/* the capabilities COMMAND keeps: bit N is capability N */
	uint64_t caps;
	// STEP 08 END
	// STEP 09 BEGIN
	/* --seccomp unconfined: no system call filter */
	bool seccomp_unconfined;
	// STEP 09 END
	// STEP 10 BEGIN
	/* --layer: read-only layers stacked on ROOTFS, the last one on top */
	const char *layers[MAX_LAYERS - 1];
	int n_layers;
	/* where containers' writable layers live (--state), and whether to keep them */
	const char *state;
	bool keep;
	/* set by prepare_state(): ROOTFS is then the merged view, image the base layer */
	const char *image;
	char container_dir[PATH_MAX], merged[PATH_MAX];
	bool state_made, rootless;
	// STEP 10 END
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
// STEP 04 BEGIN

/* uts.c: in the child, sets the container's hostname. */
int set_hostname(const char *name);
// STEP 04 END
// STEP 05 BEGIN

/* The container's end of the veth pair. */
#define CONTAINER_IFNAME "eth0"

/* net.c: in the parent, the veth pair (with --veth) and its removal at the end;
 * in the child, lo and eth0 up. */
int connect_veth(const struct options *o, pid_t child);
void disconnect_veth(const struct options *o);
int setup_network(const struct options *o);
// STEP 05 END
// STEP 06 BEGIN

/* Where cgroup hierarchies are mounted. */
#define CGROUP_ROOT "/sys/fs/cgroup"

/* The container's cgroup: version 1 or 2 of the layout under root. */
struct cgroup {
	int version;
	char root[PATH_MAX];
	char name[32];   /* box-<pid of box> */
	bool created[3]; /* per hierarchy (v2 uses [0] only) */
};

/*
 * cgroups.c: in the parent, the container's cgroup with its limits (created
 * under root, normally CGROUP_ROOT) and its removal at the end; in the child,
 * a cgroup namespace. cgroup_detect() is public for the unit tests.
 */
int cgroup_detect(const char *root, struct cgroup *out);
int setup_cgroup_at(const char *root, const struct options *o, pid_t child);
void remove_cgroup(const struct options *o);
int enter_cgroup_namespace(void);
// STEP 06 END
// STEP 07 BEGIN

/* userns.c: in the parent, the container's uid and gid maps; in the child, the
 * switch to uid and gid 0 inside. */
int write_id_maps(const struct options *o, pid_t child);
int become_root(void);
// STEP 07 END
// STEP 08 BEGIN

/* caps.c: the default capabilities; a name ("net_raw", "CAP_NET_RAW", "all") as a
 * mask; in the child, dropping all others just before COMMAND. */
uint64_t default_capabilities(void);
int capability_mask(const char *name, uint64_t *mask);
int drop_capabilities(const struct options *o);

/* proc.c: in the child, hides what /proc tells about the host, and makes the
 * kernel's knobs in it read-only. */
int mask_proc(const char *rootfs);
// STEP 08 END
// STEP 09 BEGIN

/* seccomp.c: in the child, the system call filter, loaded last. */
int load_seccomp_filter(const struct options *o);
// STEP 09 END
// STEP 10 BEGIN

/*
 * image.c: in the parent, the container's state directory (prepare_state, before
 * the child exists; remove_state at the end) and the idmapped image layers
 * (share_layers); in the child, the overlay mount (mount_image).
 */
int prepare_state(struct options *o);
void remove_state(const struct options *o);
int share_layers(const struct options *o, pid_t child);
int mount_image(const struct options *o);
// STEP 10 END

#endif
