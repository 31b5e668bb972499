// STEP 08 BEGIN
/*
 * caps.c — root inside, with only part of root's powers.
 *
 * Linux splits root's powers into capabilities (capabilities(7)). Just before
 * COMMAND runs, the container keeps a small set: the one Docker uses by
 * default, 14 capabilities that ordinary programs (package managers, web
 * servers, su) need. Everything else goes from every set a process has:
 *
 *   bounding     the most a process and its descendants can ever have again;
 *   permitted    what it may use; effective: what it uses now;
 *   inheritable  and ambient: what execve(2) may pass on; both stay empty.
 *
 * And no_new_privs: no execve can add privileges again, set-uid bits and file
 * capabilities included.
 */
#include "box.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

/* Docker's default capabilities, and why each stays. */
static const cap_value_t default_caps[] = {
        CAP_CHOWN,            /* chown(2): package managers, tar, cp -a */
        CAP_DAC_OVERRIDE,     /* root reads and writes files whatever their mode */
        CAP_FOWNER,           /* chmod and utime on files root does not own */
        CAP_FSETID,           /* keep set-uid/set-gid bits when changing files */
        CAP_KILL,             /* signal processes of other users, in the container */
        CAP_SETGID,           /* daemons and su switch groups */
        CAP_SETUID,           /* ... and users */
        CAP_SETPCAP,          /* drop capabilities further, e.g. from the bounding set */
        CAP_SETFCAP,          /* set file capabilities when installing packages */
        CAP_NET_BIND_SERVICE, /* listen on ports below 1024 */
        CAP_NET_RAW,          /* raw sockets: ping (many runtimes now drop it) */
        CAP_SYS_CHROOT,       /* chroot(2): some build tools */
        CAP_MKNOD,            /* mknod(2): device nodes, still refused outside the host */
        CAP_AUDIT_WRITE,      /* login programs write audit records */
};

uint64_t default_capabilities(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < sizeof(default_caps) / sizeof(default_caps[0]); i++)
		mask |= 1ULL << default_caps[i];
	return mask;
}

int capability_mask(const char *name, uint64_t *mask)
{
	char text[64] = "cap_";
	cap_value_t value;
	size_t skip = strncasecmp(name, "cap_", 4) == 0 ? 4 : 0;

	if (!strcasecmp(name, "all")) {
		*mask = cap_max_bits() >= 64 ? ~0ULL : (1ULL << cap_max_bits()) - 1;
		return 0;
	}
	/* libcap knows "cap_net_raw": accept NET_RAW, net_raw and CAP_NET_RAW. */
	if (strlen(name + skip) + 5 > sizeof(text) || !*(name + skip))
		return -1;
	for (size_t i = 0; name[skip + i]; i++)
		text[4 + i] = (char)tolower((unsigned char)name[skip + i]);
	if (cap_from_name(text, &value) < 0 || isdigit((unsigned char)text[4]))
		return -1;
	*mask = 1ULL << value;
	return 0;
}

/* The capabilities in mask, as a list for cap_set_flag(); returns how many. */
static int mask_to_list(uint64_t mask, cap_value_t *list)
{
	int n = 0;

	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++)
		if (mask & (1ULL << c))
			list[n++] = c;
	return n;
}

int drop_capabilities(const struct options *o)
{
	cap_value_t keep[64];
	int n = mask_to_list(o->caps, keep);
	cap_t caps;

	// LESSON 08 BEGIN: keep only o->caps, in every capability set
	// HINT: 1. cap_drop_bound(c) for every capability c < cap_max_bits() not in o->caps
	// HINT:    (the bounding set: what no descendant can ever get back).
	// HINT: 2. cap_reset_ambient().
	// HINT: 3. cap_init() (all clear), cap_set_flag() the n values in keep[] into
	// HINT:    CAP_EFFECTIVE and CAP_PERMITTED, then cap_set_proc(). Inheritable stays
	// HINT:    empty (see CVE-2022-24769).
	// HINT: 4. prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0).
	// HINT: Each step can fail: report with fail(); libcap sets errno.
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++)
		if (!(o->caps & (1ULL << c)) && cap_drop_bound(c) < 0)
			return fail("drop from the bounding set", cap_to_name(c));
	if (cap_reset_ambient() < 0)
		return fail("clear", "ambient capabilities");
	caps = cap_init();
	if (!caps)
		return fail("cap_init", NULL);
	/*
	 * Inheritable stays empty: with it, a program with inheritable file
	 * capabilities would gain them at execve (Docker's CVE-2022-24769). Root's
	 * COMMAND gets the kept set through its permitted and bounding sets anyway.
	 */
	if ((n && (cap_set_flag(caps, CAP_EFFECTIVE, n, keep, CAP_SET) < 0 ||
	           cap_set_flag(caps, CAP_PERMITTED, n, keep, CAP_SET) < 0)) ||
	    cap_set_proc(caps) < 0) {
		fail("set", "capabilities");
		cap_free(caps);
		return -1;
	}
	cap_free(caps);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return fail("prctl", "PR_SET_NO_NEW_PRIVS");
	// LESSON 08 END
	return 0;
}
// STEP 08 END
