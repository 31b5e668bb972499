// STEP 12 BEGIN
/*
 * runtime.h — what a 64-bit guest has instead of a C library: the instructions
 * that talk to devices (port I/O and memory-mapped I/O) and a few output helpers
 * on the serial port.
 */
#ifndef GUEST_RUNTIME_H
#define GUEST_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#define SERIAL_PORT 0x3f8 /* COM1: vmm passes what is written here to its stdout */

/* The guest's entry point, called by entry.S with the registers vmm set. */
uint64_t guest_main(uint64_t rdi, uint64_t rsi, uint64_t rdx);

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;

	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

/* volatile: every access happens, once, with the size asked for, as a device needs. */
static inline void mmio_write64(uint64_t addr, uint64_t value)
{
	*(volatile uint64_t *)addr = value;
}

static inline uint64_t mmio_read64(uint64_t addr)
{
	return *(volatile uint64_t *)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

/* runtime.c: output on the serial port. */
void print(const char *s);
void print_u64(uint64_t value); /* in decimal */

/* runtime.c: gcc may call these even in freestanding code (struct copies, zeroing). */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

#endif
// STEP 12 END
