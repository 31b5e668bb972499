/*
 * ws — the workshop's small shared library.
 *
 * Everything here is used by more than one step (and later by vmm): error
 * reporting in one fixed shape, number/size/address parsing, small file I/O and
 * a fork-like clone. Kernel mechanisms themselves live in the steps, never here.
 */
#ifndef WS_H
#define WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <netinet/in.h>

/* Exit statuses of box, as docker and podman use them. */
enum {
	EXIT_BOX_ERROR = 125,      /* box itself failed: bad option, failed system call */
	EXIT_CANNOT_EXECUTE = 126, /* COMMAND exists but cannot be executed */
	EXIT_NOT_FOUND = 127,      /* COMMAND was not found */
	EXIT_SIGNAL_BASE = 128,    /* COMMAND was killed by signal N: 128 + N */
};

/* --- err.c: one line per failure, "PROG: OPERATION OBJECT: REASON" --- */

/* Sets the program name that starts every message (default "ws"). */
void ws_set_progname(const char *name);
const char *ws_progname(void);

/*
 * Reports a failed system call: "PROG: OP OBJ: strerror(errno)". OBJ may be
 * NULL. When errno is EPERM, a hint about privileges follows on the same line.
 * Returns -1 and leaves errno unchanged, so callers can `return fail(...)`.
 */
int fail(const char *op, const char *obj);

/* Reports an error that is not a system call failure: "PROG: MESSAGE". Returns -1. */
int fail_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- parse.c: strict parsers; they reject trailing junk, empty strings and overflow --- */

/* Parses a decimal integer in [min, max]. Returns 0, or -1 with errno EINVAL/ERANGE. */
int parse_long(const char *s, long min, long max, long *out);

/*
 * Parses a size in bytes with an optional binary suffix: "4096", "64k", "512M",
 * "2G", "1T" (K/M/G/T, either case, optional trailing "B" or "iB").
 * Returns 0, or -1 with errno EINVAL (malformed) or ERANGE (overflow).
 */
int parse_size(const char *s, uint64_t *out);

/*
 * Parses an unsigned 64-bit number, decimal ("4096") or hexadecimal with a "0x"
 * prefix ("0x1000", "0XFFFF"): registers and guest addresses (vmm). Returns 0, or -1
 * with errno EINVAL (malformed) or ERANGE (over UINT64_MAX).
 */
int parse_u64(const char *s, uint64_t *out);

/* An IPv4 address with its prefix length, as in "169.254.7.1/30". */
struct cidr4 {
	struct in_addr addr;
	unsigned prefix; /* 0..32 */
};

/* Parses "A.B.C.D/N". Returns 0, or -1 with errno EINVAL. */
int parse_cidr4(const char *s, struct cidr4 *out);

/* Formats a cidr4 as "A.B.C.D/N" into buf (at least 19 bytes). */
const char *format_cidr4(const struct cidr4 *c, char *buf, size_t size);

/* --- fileio.c --- */

/* Joins DIR and NAME into buf as "DIR/NAME". Returns buf, or NULL with errno
 * ENAMETOOLONG (and a report naming DIR) when it does not fit. */
char *path_join(char *buf, size_t size, const char *dir, const char *name);

/* Writes text to an existing file in one write(2), as kernel interfaces
 * (cgroup files, uid_map) require. Reports failures with fail(). */
int write_file(const char *path, const char *text);

/* Reads up to size-1 bytes of path into buf, NUL-terminated, trailing newline
 * removed. Returns the length, or -1 after fail(). */
ssize_t read_file(const char *path, char *buf, size_t size);

/* --- clone.c --- */

/*
 * fork(2) with namespace flags: clone(2) without a new stack, so the child
 * continues from the call like fork's child does. Returns the child's pid in the
 * parent, 0 in the child, -1 with errno on failure. SIGCHLD is always added so
 * the parent can wait for the child as usual.
 */
pid_t clone_process(unsigned long flags);

#endif
