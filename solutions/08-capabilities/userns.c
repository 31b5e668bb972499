// STEP 07 BEGIN
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

	// LESSON 07 BEGIN: map the container's ids onto the host's
	// HINT: As root (geteuid() == 0): write_map(child, "uid_map", o->id_start, o->id_count)
	// HINT: and the same for "gid_map".
	// HINT: Rootless: write "deny" to /proc/CHILD/setgroups first, then map 0 to your
	// HINT: own ids only: write_map(child, "uid_map", geteuid(), 1), "gid_map", getegid().
	if (geteuid() == 0) {
		if (write_map(child, "uid_map", o->id_start, o->id_count) < 0)
			return -1;
		return write_map(child, "gid_map", o->id_start, o->id_count);
	}
	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)child);
	if (write_file(path, "deny") < 0)
		return -1;
	if (write_map(child, "uid_map", geteuid(), 1) < 0 ||
	    write_map(child, "gid_map", getegid(), 1) < 0)
		return -1;
	return 0;
	// LAB:
	//- return 0;
	// LESSON 07 END
}

int become_root(void)
{
	// LESSON 07 BEGIN: become root inside the container
	// HINT: setresgid(0, 0, 0), then setgroups(0, NULL) to drop the host's
	// HINT: supplementary groups (refused with EPERM when setgroups is denied:
	// HINT: rootless, they stay), then setresuid(0, 0, 0) last, the usual order
	// HINT: when changing identity: groups first, while changing them is allowed.
	if (setresgid(0, 0, 0) < 0)
		return fail("setresgid", "0");
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return fail("setgroups", "()");
	if (setresuid(0, 0, 0) < 0)
		return fail("setresuid", "0");
	// LESSON 07 END
	/* A change of credentials clears the parent-death signal: set it again. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return fail("prctl", "PR_SET_PDEATHSIG");
	return 0;
}
// STEP 07 END
