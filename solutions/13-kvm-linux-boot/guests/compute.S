// compute: works out 1*1 + 2*2 + ... + n*n for the n that vmm puts in EAX
// (vmm --set rax=N), and leaves the sum in EBX and in memory at `result`. The
// VMM reads both back after the halt (vmm --regs, vmm --peek): the guest computed
// it, in its own registers and its own memory. Up to n = 2000 the sum fits in 32 bits.
//
// 32-bit registers in 16-bit code: the assembler adds an operand-size prefix.
	.code16
	.text
	.globl _start
_start:
	xor	%ebx, %ebx		// the sum
	mov	%eax, %ecx		// i counts down from n
	test	%ecx, %ecx
	jz	done
add_square:
	mov	%ecx, %edx
	imul	%edx, %edx		// EDX = i * i
	add	%edx, %ebx
	dec	%ecx
	jnz	add_square
done:
	mov	%ebx, result		// DS is 0: `result` is its physical address
	hlt

	.balign 4
	.globl result
result:
	.long	0
