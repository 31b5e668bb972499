/*
 * longmode.c — the vCPU's start in 64-bit long mode.
 *
 * A PC gets from real mode to long mode in steps, with code of its own: load a GDT,
 * build page tables, enable PAE, set EFER.LME, enable protection and paging, jump
 * to a 64-bit code segment. vmm skips the code: it writes into guest memory what the
 * CPU reads from memory (the GDT, the page tables), and sets the vCPU's registers
 * to the state those steps would have left, so that the guest's first instruction is
 * already 64-bit code. What that state is: Intel SDM vol. 3A, "Initializing IA-32e
 * Mode"; AMD APM vol. 2, "Enabling and Activating Long Mode".
 *
 * Memory map (vmm.h): the GDT at GDT_ADDR, the page tables from PAGE_TABLES_ADDR,
 * the image at LONG_MODE_LOAD. The page tables map the first 4 GiB one to one
 * (virtual address = physical address) with 2 MiB pages: all of the guest's RAM
 * and the addresses above it where a device could be (MMIO).
 */
#include "vmm.h"

#include <string.h>

/* Control register and EFER bits (SDM vol. 3A, "Control Registers"; "IA32_EFER"). */
#define CR0_PE   (1ULL << 0)  /* protected mode */
#define CR0_PG   (1ULL << 31) /* paging */
#define CR4_PAE  (1ULL << 5)  /* 64-bit page table entries: required by long mode */
#define EFER_LME (1ULL << 8)  /* long mode enabled... */
#define EFER_LMA (1ULL << 10) /* ...and active: set by the CPU once paging is on */

/* Page table entry bits (SDM vol. 3A, "4-Level Paging"). */
#define PTE_PRESENT (1ULL << 0)
#define PTE_WRITE   (1ULL << 1)
#define PTE_HUGE    (1ULL << 7) /* PS: a PD entry that maps a 2 MiB page itself */
#define PT_ENTRIES  512         /* 8-byte entries in a 4 KiB table */
#define PAGE_2M     (2ULL << 20)

uint64_t gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	/*
	 * A descriptor scatters its fields for compatibility with the 80286: limit
	 * 0-15, base 0-23, access byte (type, S, DPL, P), limit 16-19, flags (AVL, L,
	 * D/B, G), base 24-31. flags holds the access byte in bits 0-7 and the flags in
	 * bits 12-15, as they sit in bits 40-55 of the descriptor.
	 */
	return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 |
	       (uint64_t)(flags & 0xf0ff) << 40 | (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(base >> 24) << 56;
}

struct kvm_segment segment_from(uint16_t selector, uint16_t flags)
{
	/*
	 * The CPU reads a descriptor once, when a selector is loaded, and keeps it in the
	 * segment register's hidden part; this is that part, as KVM_SET_SREGS takes it.
	 * It must say what the GDT says, or the guest's next segment load changes it.
	 */
	return (struct kvm_segment){
	        .base = 0,
	        .limit = 0xffffffff, /* 0xfffff pages of 4 KiB (G): the limit in bytes */
	        .selector = selector,
	        .type = flags & 0xf,
	        .s = (flags >> 4) & 1,
	        .dpl = (flags >> 5) & 3,
	        .present = (flags >> 7) & 1,
	        .avl = (flags >> 12) & 1,
	        .l = (flags >> 13) & 1,
	        .db = (flags >> 14) & 1,
	        .g = (flags >> 15) & 1,
	};
}

void build_identity_map(uint8_t *tables, uint64_t tables_addr)
{
	uint64_t *pml4 = (uint64_t *)tables;
	uint64_t *pdpt = pml4 + PT_ENTRIES;
	uint64_t *pd = pdpt + PT_ENTRIES;

	memset(tables, 0, PAGE_TABLES_PAGES * PAGE_SIZE);
	pml4[0] = (tables_addr + PAGE_SIZE) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < IDENTITY_MAPPED >> 30; i++)
		pdpt[i] = (tables_addr + (2 + i) * PAGE_SIZE) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t j = 0; j < IDENTITY_MAPPED / PAGE_2M; j++)
		pd[j] = j * PAGE_2M | PTE_PRESENT | PTE_WRITE | PTE_HUGE;
}

void long_mode_sregs(struct kvm_sregs *sregs)
{
	sregs->cr3 = PAGE_TABLES_ADDR;
	sregs->cr4 = CR4_PAE;
	sregs->cr0 = CR0_PE | CR0_PG;
	sregs->efer = EFER_LME | EFER_LMA;
	sregs->cs = segment_from(GDT_CODE, SEG_CODE64);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss =
	        segment_from(GDT_DATA, SEG_DATA);
	/* The GDT the segments come from (null, code, data); no IDT: with no handler, any
	 * exception in the guest is a triple fault, which vmm reports. */
	sregs->gdt = (struct kvm_dtable){.base = GDT_ADDR, .limit = 3 * 8 - 1};
	sregs->idt = (struct kvm_dtable){.base = 0, .limit = 0};
}

int setup_long_mode(struct vm *vm, uint64_t entry)
{
	const uint64_t gdt[3] = {0, gdt_entry(SEG_CODE64, 0, 0xfffff),
	                         gdt_entry(SEG_DATA, 0, 0xfffff)};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	/* The image (at LONG_MODE_LOAD) was checked to fit: the structures below it fit too. */
	memcpy(vm->mem + GDT_ADDR, gdt, sizeof(gdt));
	build_identity_map(vm->mem + PAGE_TABLES_ADDR, PAGE_TABLES_ADDR);
	if (vcpu_get_sregs(vm, &sregs) < 0)
		return -1;
	long_mode_sregs(&sregs);
	if (vcpu_set_sregs(vm, &sregs) < 0)
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rflags = 0x2;
	return vcpu_set_regs(vm, &regs);
}
