// STEP 04 BEGIN
/*
 * uts.c — the container's own hostname.
 *
 * "UTS" is the struct utsname of uname(2): the hostname and NIS domain name
 * live in the UTS namespace, so a container can rename itself without
 * renaming the host.
 */
#include "box.h"

#include <string.h>
#include <unistd.h>

int set_hostname(const char *name)
{
	// LESSON 04 BEGIN: give the container its hostname
	// HINT: sethostname(2) takes the name and its length (no terminating NUL).
	// HINT: It changes the hostname of the UTS namespace the caller is in: with
	// HINT: CLONE_NEWUTS that is the container's alone.
	if (sethostname(name, strlen(name)) < 0)
		return fail("sethostname", name);
	return 0;
	// LAB:
	//- return 0;
	// LESSON 04 END
}
// STEP 04 END
