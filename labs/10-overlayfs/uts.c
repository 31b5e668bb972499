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
	if (sethostname(name, strlen(name)) < 0)
		return fail("sethostname", name);
	return 0;
}
