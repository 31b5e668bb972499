/* One fixed shape for every error message: "PROG: OPERATION OBJECT: REASON". */
#include "ws.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *progname = "ws";

void ws_set_progname(const char *name)
{
	progname = name;
}

const char *ws_progname(void)
{
	return progname;
}

int fail(const char *op, const char *obj)
{
	int saved = errno;
	/* EPERM for a user who is not root almost always means "not root": say so. */
	const char *hint = saved == EPERM && geteuid() != 0 ? " (this needs root: try sudo)" : "";

	if (obj)
		fprintf(stderr, "%s: %s %s: %s%s\n", progname, op, obj, strerror(saved), hint);
	else
		fprintf(stderr, "%s: %s: %s%s\n", progname, op, strerror(saved), hint);
	errno = saved;
	return -1;
}

int fail_msg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}
