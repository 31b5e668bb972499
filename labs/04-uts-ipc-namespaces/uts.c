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
	// TODO(04): give the container its hostname
	//   sethostname(2) takes the name and its length (no terminating NUL).
	//   It changes the hostname of the UTS namespace the caller is in: with
	//   CLONE_NEWUTS that is the container's alone.
	return 0;
}
