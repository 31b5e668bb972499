/*
 * vmm — a tiny virtual machine monitor on KVM, built one mechanism per step.
 *
 * vmm.c reads the command line and keeps the contract (what runs, what is
 * printed, the exit status); kvm.c makes the VM through /dev/kvm: its memory,
 * its vCPU and the vCPU's registers; load.c puts the guest image into guest
 * memory; realmode.c sets the vCPU up for a 16-bit real-mode start; exits.c runs
 * the vCPU and handles what it exits for (HLT, port I/O, failures).
 */
// STEP 12 BEGIN
/*
 * Step 12: longmode.c sets the vCPU up for a 64-bit start instead (vmm --long):
 * a GDT and page tables in guest memory, control registers and EFER; exits.c also
 * answers the guest's accesses to addresses with no RAM (MMIO).
 */
// STEP 12 END
#ifndef VMM_H
#define VMM_H

#include "ws.h"

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses of vmm (its usage text documents them). */
enum {
	EXIT_GUEST_HALTED = 0,           /* the guest executed HLT */
	EXIT_GUEST_FAILED = 1,           /* triple fault, failed entry, KVM internal error */
	EXIT_VMM_ERROR = EXIT_BOX_ERROR, /* 125: bad option or image, failed system call */
};

/* Guest physical memory: one block of RAM from address 0. */
#define MEM_DEFAULT (2ULL << 20)  /* 2 MiB */
#define MEM_MIN     (64ULL << 10) /* room for the image at 0x1000 and a real-mode stack */
#define MEM_MAX     (1ULL << 30)  /* 1 GiB, far below the 4 GiB a 32-bit guest can reach */
#define PAGE_SIZE   4096ULL       /* KVM maps guest memory in whole pages */

/* Real mode: the image is loaded at this address and starts there, CS=0, IP=0x1000. */
#define REAL_MODE_LOAD 0x1000ULL

// STEP 12 BEGIN
/*
 * Long mode (vmm --long): the image is loaded at 1 MiB and starts there, in 64-bit
 * mode with paging on. Below it, in guest memory, the structures the CPU reads:
 */
#define LONG_MODE_LOAD    0x100000ULL /* 1 MiB, where Linux's 64-bit kernels go too */
#define GDT_ADDR          0x500ULL    /* the global descriptor table, 3 entries */
#define PAGE_TABLES_ADDR  0x9000ULL   /* PML4, PDPT, 4 page directories: 6 pages */
#define PAGE_TABLES_PAGES 6
#define IDENTITY_MAPPED   (4ULL << 30) /* virtual = physical, from 0 to 4 GiB */

/* The GDT's two segments: their selectors (index * 8) and descriptor flags. */
#define GDT_CODE   0x08
#define GDT_DATA   0x10
#define SEG_CODE64 0xa09b /* G, L (64-bit); P, DPL 0, S, type 0xb: code, execute/read, accessed */
#define SEG_DATA   0xc093 /* G, D/B; P, DPL 0, S, type 0x3: data, read/write, accessed */

// STEP 12 END
/* COM1, the first serial port: the bytes the guest writes here go to stdout. */
#define SERIAL_PORT 0x3f8

/* One virtual machine with one vCPU, as kvm.c makes it. */
struct vm {
	int kvm_fd;          /* /dev/kvm: the KVM subsystem (system ioctls) */
	int vm_fd;           /* the VM: its memory and its vCPUs (VM ioctls) */
	int vcpu_fd;         /* the vCPU: its registers and KVM_RUN (vCPU ioctls) */
	uint8_t *mem;        /* guest physical memory [0, mem_size), mapped in vmm */
	uint64_t mem_size;   /* bytes of guest memory */
	struct kvm_run *run; /* shared with KVM: why the vCPU last exited, and the details */
	size_t run_size;     /* bytes mapped at run */
	// STEP 12 BEGIN
	/* What the guest reads from an address with no RAM (--mmio-read). */
	uint64_t mmio_read;
	// STEP 12 END
};

/* kvm.c: makes the VM with mem_size bytes of memory and one vCPU; -1 after a report. */
int vm_create(struct vm *vm, uint64_t mem_size);

/* kvm.c: closes and unmaps whatever vm_create() made (also after it failed halfway). */
void vm_destroy(struct vm *vm);

/* kvm.c: the vCPU's general and segment registers; -1 after a report. */
int vcpu_get_regs(struct vm *vm, struct kvm_regs *regs);
int vcpu_set_regs(struct vm *vm, const struct kvm_regs *regs);
int vcpu_get_sregs(struct vm *vm, struct kvm_sregs *sregs);
int vcpu_set_sregs(struct vm *vm, const struct kvm_sregs *sregs);

/* load.c: a guest image read into vmm's memory, before any VM exists. */
struct image {
	uint8_t *data;
	size_t size;
};

/*
 * load.c: reads the flat binary at path, which must be a regular file, not
 * empty, and fit in guest memory of mem_size bytes from address load.
 * Returns 0, or -1 after a report.
 */
int image_read(const char *path, uint64_t load, uint64_t mem_size, struct image *img);

/* load.c: copies the image into guest memory at guest physical address load. */
int image_place(struct vm *vm, const struct image *img, uint64_t load);

void image_free(struct image *img);

/* realmode.c: sets the vCPU up to start in 16-bit real mode at CS=0, IP=entry. */
int setup_real_mode(struct vm *vm, uint64_t entry);

// STEP 12 BEGIN
/* longmode.c: sets the vCPU up to start in 64-bit long mode at RIP=entry. */
int setup_long_mode(struct vm *vm, uint64_t entry);

/*
 * longmode.c: the pieces of setup_long_mode() that only compute (unit-tested):
 * a GDT descriptor from its flags (SEG_...), base and 20-bit limit; the same
 * segment as KVM keeps it in a segment register (base 0, limit 4 GiB); the page
 * tables that identity-map the first 4 GiB, written to the PAGE_TABLES_PAGES pages
 * at tables, which the guest sees at tables_addr; the special registers of a vCPU
 * in 64-bit mode.
 */
uint64_t gdt_entry(uint16_t flags, uint32_t base, uint32_t limit);
struct kvm_segment segment_from(uint16_t selector, uint16_t flags);
void build_identity_map(uint8_t *tables, uint64_t tables_addr);
void long_mode_sregs(struct kvm_sregs *sregs);

// STEP 12 END
/*
 * exits.c: runs the vCPU until the guest halts or fails, handling its exits
 * on the way. Returns vmm's exit status: EXIT_GUEST_HALTED, EXIT_GUEST_FAILED
 * or EXIT_VMM_ERROR (after a one-line report on stderr).
 */
int run_vm(struct vm *vm);

#endif
