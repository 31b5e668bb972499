// guest.lds.S: the layout of a 64-bit guest (make runs it through cpp, hence .S and
// these comments). The flat image starts with the entry stub at 0x100000, where
// vmm --long loads it and starts it (LONG_MODE_LOAD in vmm.h); code, constants and
// data follow. The .bss, the stack in it included, is not in the image: vmm's guest
// memory is zeroed, so it only has to fit in guest memory.
OUTPUT_FORMAT(elf64-x86-64)
ENTRY(_start)

SECTIONS
{
	. = 0x100000;
	.text : {
		*(.text.entry)
		*(.text .text.*)
	}
	.rodata : { *(.rodata .rodata.*) }
	.data : { *(.data .data.*) }
	.bss : {
		*(.bss .bss.* COMMON)
		. = ALIGN(16);
		. += 16384;
		__stack_top = .;
	}
	/DISCARD/ : { *(.comment) *(.note .note.*) *(.eh_frame .eh_frame_hdr) }
}
