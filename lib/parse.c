/* Strict parsers for command-line values: all or nothing, never a partial number. */
#include "ws.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	/* strtol accepts leading blanks and "+"; a command-line value should not. */
	if (!s || !(isdigit((unsigned char)s[0]) || (s[0] == '-' && isdigit((unsigned char)s[1]))))
		return errno = EINVAL, -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end)
		return errno = EINVAL, -1;
	if (errno == ERANGE || v < min || v > max)
		return errno = ERANGE, -1;
	*out = v;
	return 0;
}

/* Returns the shift for a suffix K/M/G/T, or -1. */
static int size_shift(const char *suffix)
{
	static const char units[] = "KMGT";
	const char *u;

	if (!*suffix)
		return 0;
	u = strchr(units, toupper((unsigned char)suffix[0]));
	if (!u || !*u)
		return -1;
	/* Accept "M", "MB" and "MiB": all mean 2^20 here, as in cgroup and QEMU syntax. */
	if (suffix[1] && strcasecmp(suffix + 1, "B") != 0 && strcasecmp(suffix + 1, "iB") != 0)
		return -1;
	return 10 * (int)(u - units + 1);
}

int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift;

	if (!s || !isdigit((unsigned char)s[0]))
		return errno = EINVAL, -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -1;
	shift = size_shift(end);
	if (shift < 0)
		return errno = EINVAL, -1;
	if (shift && v > (UINT64_MAX >> shift))
		return errno = ERANGE, -1;
	*out = (uint64_t)v << shift;
	return 0;
}

int parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	int base = 10;
	char *end;

	if (s && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* strtoull accepts blanks, a sign and (base 16) a second "0x": none of them here. */
	if (!s || !(base == 16 ? isxdigit((unsigned char)s[0]) : isdigit((unsigned char)s[0])))
		return errno = EINVAL, -1;
	if (base == 16 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return errno = EINVAL, -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (*end)
		return errno = EINVAL, -1;
	if (errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

int parse_cidr4(const char *s, struct cidr4 *out)
{
	char addr[INET_ADDRSTRLEN];
	const char *slash;
	long prefix;
	size_t len;

	if (!s || !(slash = strchr(s, '/')))
		return errno = EINVAL, -1;
	len = (size_t)(slash - s);
	if (len == 0 || len >= sizeof(addr))
		return errno = EINVAL, -1;
	memcpy(addr, s, len);
	addr[len] = '\0';
	/* inet_pton, unlike inet_aton, refuses shorthands such as "10.1". */
	if (inet_pton(AF_INET, addr, &out->addr) != 1)
		return errno = EINVAL, -1;
	if (parse_long(slash + 1, 0, 32, &prefix) < 0)
		return errno = EINVAL, -1;
	out->prefix = (unsigned)prefix;
	return 0;
}

const char *format_cidr4(const struct cidr4 *c, char *buf, size_t size)
{
	char addr[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &c->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, c->prefix);
	return buf;
}
