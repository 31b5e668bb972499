// STEP 12 BEGIN
/* hello64: the first 64-bit guest, in C. It prints a line on the serial port. */
#include "runtime.h"

uint64_t guest_main(uint64_t rdi, uint64_t rsi, uint64_t rdx)
{
	(void)rdi, (void)rsi, (void)rdx;
	print("Hello from a 64-bit guest!\n");
	return 0;
}
// STEP 12 END
