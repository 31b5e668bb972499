// triple: a guest that triple-faults. It loads an empty interrupt table (limit 0),
// then raises interrupt 3. The CPU cannot deliver it (vector 3 is beyond the
// table's limit: a general protection fault), nor that fault, nor the double fault
// that follows: a triple fault, which shuts the machine down. KVM reports it to vmm
// as KVM_EXIT_SHUTDOWN; a PC would reset.
	.code16
	.text
	.globl _start
_start:
	lidt	empty_idt
	int3
	hlt				// never reached

empty_idt:
	.word	0			// limit: no entry at all
	.long	0			// base
