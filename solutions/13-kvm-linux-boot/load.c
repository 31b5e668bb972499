/*
 * load.c — the guest image: a flat binary, copied byte for byte into guest memory.
 *
 * A flat binary has no header: its first byte is the first instruction the vCPU
 * executes, at the load address. So the only checks a loader can make are these:
 * the file is a regular file, it is not empty, it was read whole, and it fits
 * between its load address and the end of guest memory. vmm reads it before any VM
 * exists, so a bad image is refused before /dev/kvm is even opened.
 */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads exactly size bytes of fd into buf; -1 after a report ("truncated" if it ends early). */
static int read_whole(int fd, const char *path, uint8_t *buf, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("read", path);
		if (n == 0)
			return fail_msg("load %s: truncated while reading (%zu of %zu bytes)", path,
			                done, size);
		done += (size_t)n;
	}
	return 0;
}

/* Checks the file itself; sets *size. */
static int check_image(int fd, const char *path, uint64_t load, uint64_t mem_size, size_t *size)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return fail("stat", path);
	if (!S_ISREG(st.st_mode))
		return fail_msg("load %s: not a regular file", path);
	if (st.st_size == 0)
		return fail_msg("load %s: empty image", path);
	if (load >= mem_size || (uint64_t)st.st_size > mem_size - load)
		return fail_msg(
		        "load %s: %lld bytes do not fit between 0x%llx and the end of guest "
		        "memory at 0x%llx (see --mem)",
		        path, (long long)st.st_size, (unsigned long long)load,
		        (unsigned long long)mem_size);
	*size = (size_t)st.st_size;
	return 0;
}

int image_read(const char *path, uint64_t load, uint64_t mem_size, struct image *img)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t size = 0;

	*img = (struct image){0};
	if (fd < 0)
		return fail("open", path);
	if (check_image(fd, path, load, mem_size, &size) < 0)
		goto fail;
	img->data = malloc(size);
	if (!img->data) {
		fail("malloc", "image");
		goto fail;
	}
	if (read_whole(fd, path, img->data, size) < 0)
		goto fail;
	img->size = size;
	close(fd);
	return 0;
fail:
	image_free(img);
	close(fd);
	return -1;
}

int image_place(struct vm *vm, const struct image *img, uint64_t load)
{
	/* image_read() checked this against the same size; memory must never be overrun. */
	if (load >= vm->mem_size || img->size > vm->mem_size - load)
		return fail_msg("load: image does not fit in guest memory");
	memcpy(vm->mem + load, img->data, img->size);
	return 0;
}

void image_free(struct image *img)
{
	free(img->data);
	*img = (struct image){0};
}
