/*
 * mmio: talks to a device that is not there. It writes the 8-byte value in RSI at
 * the address in RDI, then reads 8 bytes at RDI + 8 and 4 bytes at RDI + 16 (vmm
 * --set rdi=ADDR --set rsi=VALUE). With no RAM at those addresses, each access is an
 * exit to vmm (KVM_EXIT_MMIO): vmm sees the write, and supplies what the reads
 * return. The 8-byte read is returned (RAX), the 4-byte one kept at `read32`.
 */
#include "runtime.h"

uint32_t read32;

uint64_t guest_main(uint64_t addr, uint64_t value, uint64_t rdx)
{
	uint64_t read64;

	(void)rdx;
	mmio_write64(addr, value);
	read64 = mmio_read64(addr + 8);
	read32 = mmio_read32(addr + 16);
	return read64;
}
