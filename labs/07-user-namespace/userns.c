/*
 * userns.c — root inside, nobody special outside.
 *
 * In a new user namespace (CLONE_NEWUSER) the child holds every capability,
 * but only over the namespaces its user namespace owns, and its user and group
 * ids mean what the maps say. The parent writes the maps:
 *
 *   run by root: container ids 0..COUNT-1 are host ids START..START+COUNT-1
 *   (a "subordinate" range, 100000:65536 by default, as /etc/subuid hands out);
 *
 *   run by anyone else (rootless): the only id that user may map is its own,
 *   so container root is that user, and setgroups(2) must be denied first so
 *   the user can't drop a group that denies it access (user_namespaces(7)).
 *
 * Then the child switches to uid and gid 0 inside: from there on, what it
 * creates is owned by the mapped ids on the host.
 */
#include "box.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <unistd.h>

/* Writes one line, "INSIDE OUTSIDE COUNT", to /proc/PID/FILE. */
static int write_map(pid_t pid, const char *file, unsigned long outside, unsigned long count)
{
	char path[PATH_MAX], line[64];

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	snprintf(line, sizeof(line), "0 %lu %lu\n", outside, count);
	return write_file(path, line);
}

int write_id_maps(const struct options *o, pid_t child)
{
	char path[PATH_MAX];

	// TODO(07): map the container's ids onto the host's
	//   As root (geteuid() == 0): write_map(child, "uid_map", o->id_start, o->id_count)
	//   and the same for "gid_map".
	//   Rootless: write "deny" to /proc/CHILD/setgroups first, then map 0 to your
	//   own ids only: write_map(child, "uid_map", geteuid(), 1), "gid_map", getegid().
	return 0;
}

int become_root(void)
{
	// TODO(07): become root inside the container
	//   setresgid(0, 0, 0), then setgroups(0, NULL) to drop the host's
	//   supplementary groups (refused with EPERM when setgroups is denied:
	//   rootless, they stay), then setresuid(0, 0, 0) last, the usual order
	//   when changing identity: groups first, while changing them is allowed.
	/* A change of credentials clears the parent-death signal: set it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return fail("prctl", "PR_SET_PDEATHSIG");
	return 0;
}
