// STEP 12 BEGIN
// entry.S: the first instructions of a 64-bit guest, at the start of its image.
// vmm starts it in 64-bit mode with paging on, RIP here, the other registers as
// vmm --set left them. It takes a stack of its own, calls guest_main() with RDI,
// RSI and RDX as they came (the first three arguments in the x86-64 calling
// convention), and halts: guest_main's return value stays in RAX, for vmm --regs.
	.section .text.entry, "ax"
	.globl	_start
_start:
	lea	__stack_top(%rip), %rsp		// 16-byte aligned (guest.lds.S)
	call	guest_main
	.globl	halt
halt:
	hlt
	jmp	halt				// vmm ends at the first HLT; just in case
// STEP 12 END
