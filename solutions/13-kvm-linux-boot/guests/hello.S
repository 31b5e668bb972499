// hello: the first guest. It writes a line to the serial port COM1 (I/O port
// 0x3f8), one OUT instruction per byte, then halts. Each OUT is an exit to vmm,
// which passes the byte on to its stdout.
//
// Real mode: 16-bit code, addresses are segment * 16 + offset. vmm starts it with
// every segment at 0, so an offset is a physical address (the image is linked at
// 0x1000, where vmm loads it).
	.code16
	.text
	.globl _start
_start:
	mov	$message, %si		// DS:SI walks the message
	mov	$0x3f8, %dx		// the port OUT writes to
next:
	lodsb				// AL = next byte (SI + 1: the direction flag is 0)
	test	%al, %al
	jz	done			// the terminating 0 is not printed
	out	%al, %dx
	jmp	next
done:
	hlt

message:
	.asciz "Hello from a real-mode guest!\n"
