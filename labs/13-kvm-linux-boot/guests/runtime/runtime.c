/* runtime.c — the guest's tiny library: serial output and what gcc expects. */
#include "runtime.h"

void print(const char *s)
{
	while (*s)
		outb(SERIAL_PORT, (uint8_t)*s++);
}

void print_u64(uint64_t value)
{
	char digits[21];
	int i = sizeof(digits) - 1;

	digits[i] = '\0';
	do {
		digits[--i] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	print(&digits[i]);
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}
