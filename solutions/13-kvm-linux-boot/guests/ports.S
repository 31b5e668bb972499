// ports: one OUT and one IN on a port where vmm has no device. The port (DX) and
// the byte written (AL) come from vmm's command line (vmm --set rdx=PORT
// --set rax=BYTE). vmm logs both accesses on stderr and lets the guest go on; the
// IN reads 0xff, as from a bus where no device answers. Then the guest halts.
	.code16
	.text
	.globl _start
_start:
	out	%al, %dx
	in	%dx, %al
	hlt
