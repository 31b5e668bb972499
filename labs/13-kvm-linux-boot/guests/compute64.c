/*
 * compute64: works out 1^3 + 2^3 + ... + n^3 for the n that vmm puts in RDI
 * (vmm --set rdi=N), in 64-bit arithmetic: from n = 362 on, the sum no longer fits
 * in 32 bits. The sum is returned (RAX after the halt: vmm --regs), kept in memory
 * at `result` (vmm --peek), and printed in decimal on the serial port.
 */
#include "runtime.h"

uint64_t result;

uint64_t guest_main(uint64_t n, uint64_t rsi, uint64_t rdx)
{
	uint64_t sum = 0;

	(void)rsi, (void)rdx;
	for (uint64_t i = 1; i <= n; i++)
		sum += i * i * i;
	result = sum;
	print("sum of cubes: ");
	print_u64(sum);
	print("\n");
	return sum;
}
