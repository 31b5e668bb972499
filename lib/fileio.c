/* Small file I/O for kernel interfaces such as /proc and cgroup files. */
#include "ws.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *path_join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		fail("make a path in", dir);
		return NULL;
	}
	return buf;
}

/* close(2) on a path that already failed: the first error is the one to keep. */
static void close_keeping_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

int write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", path);
	/* Kernel files take the whole value in one write; a short write is an error. */
	n = write(fd, text, len);
	if (n < 0 || (size_t)n != len) {
		if (n >= 0)
			errno = EIO;
		fail("write", path);
		close_keeping_errno(fd);
		return -1;
	}
	if (close(fd) < 0)
		return fail("close", path);
	return 0;
}

ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (size == 0)
		return errno = EINVAL, fail("read", path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail("open", path);
	n = read(fd, buf, size - 1);
	if (n < 0) {
		fail("read", path);
		close_keeping_errno(fd);
		return -1;
	}
	/* A descriptor only read from has nothing to lose at close. */
	close_keeping_errno(fd);
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return n;
}
