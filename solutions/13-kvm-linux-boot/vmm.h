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
// STEP 13 BEGIN
/*
 * Step 13: Linux (vmm --kernel BZIMAGE --initrd CPIO). bzimage.c reads the kernel's
 * setup header; bootparams.c says where the kernel, its command line and its
 * initramfs go and writes the zero page and memory map the kernel reads; linux.c
 * reads the files, places them and starts the vCPU at the kernel's 64-bit entry;
 * pc.c gives the VM what a PC has around its CPU and Linux relies on (interrupt
 * controllers, timer, CPUID, reset), with serial.c (the console) and rtc.c (the
 * clock) on its I/O ports.
 */
// STEP 13 END
#ifndef VMM_H
#define VMM_H

#include "ws.h"

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>
// STEP 13 BEGIN
#include <asm/bootparam.h> /* struct boot_params, struct setup_header: the boot protocol */
#include <stdbool.h>
#include <time.h>
// STEP 13 END

/* Exit statuses of vmm (its usage text documents them). */
enum {
	EXIT_GUEST_HALTED = 0,           /* the guest executed HLT */
	EXIT_GUEST_FAILED = 1,           /* triple fault, failed entry, KVM internal error */
	EXIT_VMM_ERROR = EXIT_BOX_ERROR, /* 125: bad option or image, failed system call */
};
// STEP 13 BEGIN
/* Linux (--kernel) "halts" when it reboots (init's reboot -f); a kernel panic "fails". */
// STEP 13 END

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

// STEP 13 BEGIN
/*
 * Linux (vmm --kernel): guest memory from 0, below 1 GiB (MEM_MAX), as a PC's:
 *   0x500    GDT, 0x9000 page tables (step 12's long mode start)
 *   0x7000   the zero page (struct boot_params), which RSI points to at the start
 *   0x20000  the kernel's command line
 *   0x9fc00  to 1 MiB: not RAM to the kernel (a PC's BIOS data, video memory, ROMs)
 *   1 MiB    the kernel (LONG_MODE_LOAD), which moves itself up to decompress
 *   the top  the initramfs
 */
#define LINUX_MEM_DEFAULT (256ULL << 20)
#define BOOT_PARAMS_ADDR  0x7000ULL
#define CMDLINE_ADDR      0x20000ULL
#define LOW_RAM_END       0x9fc00ULL /* the end of a PC's "conventional memory" */

/*
 * What vmm always tells the kernel about the machine it made (the user's --cmdline
 * comes after): the console is COM1; reboot through the PCI reset register (port
 * 0xcf9), cold when asked to, warm after a panic, so that vmm can tell the two
 * apart; reboot at once after a panic; no ACPI tables or PCI bus to look for; one
 * serial port only.
 */
#define LINUX_CMDLINE                                                                              \
	"console=ttyS0 reboot=pci,cold,panic_warm panic=-1 acpi=off pci=off "                      \
	"8250.nr_uarts=1"

/* The ports of the PC devices vmm has for Linux (pc.c). */
#define RTC_PORT       0x70  /* the CMOS clock: index at 0x70, data at 0x71 */
#define RESET_PORT     0xcf9 /* PCI reset control */
#define BOOT_TIME_PORT 0x3f0 /* written by the guest's init once it runs (--boot-time) */
#define SERIAL_IRQ     4     /* COM1's interrupt line */

/* serial.c: COM1, a 16550A UART, output only. */
struct uart {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr; /* registers the guest sets */
	bool thre_pending; /* the "transmitter empty" interrupt waits to be read in IIR */
	int out_fd;        /* where the guest's bytes go */
};

/* rtc.c: the CMOS clock. */
struct rtc {
	uint8_t index;     /* the register selected through port 0x70 */
	uint8_t cmos[128]; /* the CMOS memory behind it; the time comes from the host */
};

/* How the guest asked to stop, at the reset register (pc.c). */
enum reset { RESET_NONE, RESET_REBOOT, RESET_PANIC };

// STEP 13 END
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
	// STEP 13 BEGIN
	/* Linux (--kernel): the PC devices of pc.c, on the I/O ports. */
	bool pc;               /* the VM has them */
	struct uart com1;      /* the console */
	bool com1_irq;         /* the level of IRQ 4 vmm last told KVM */
	struct rtc rtc;        /* the clock */
	uint8_t reset_control; /* port 0xcf9 as the guest last wrote it */
	enum reset reset;      /* set when the guest asks for a reset: vmm stops */
	bool boot_time;        /* --boot-time: report the write to BOOT_TIME_PORT */
	struct timespec start; /* when vmm started, for --boot-time */
	/* One bit a port: an unknown port is logged at its first access only (exits.c). */
	uint8_t unknown_ports_logged[65536 / 8];
	// STEP 13 END
};

// STEP 13 BEGIN
/*
 * kvm.c: makes the VM with mem_size bytes of memory and one vCPU, and if pc is true,
 * the PC devices Linux needs (pc_create()); -1 after a report.
 */
int vm_create(struct vm *vm, uint64_t mem_size, bool pc);
// WAS:
//- /* kvm.c: makes the VM with mem_size bytes of memory and one vCPU; -1 after a report. */
//- int vm_create(struct vm *vm, uint64_t mem_size);
// STEP 13 END

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
// STEP 13 BEGIN
/* bzimage.c: a bzImage's setup header, checked (Documentation/arch/x86/boot.rst). */
struct bzimage {
	struct setup_header hdr; /* as the image has it (fields past hdr_len are 0) */
	size_t hdr_len;          /* its length in this image */
	const uint8_t *kernel;   /* the protected-mode kernel, after the setup sectors */
	size_t kernel_size;
};

/* bzimage.c: parses the size bytes of data, the file path; -1 after a report. */
int bzimage_parse(const uint8_t *data, size_t size, const char *path, struct bzimage *k);

/* bootparams.c: where Linux's pieces go in guest memory (guest physical addresses). */
struct linux_layout {
	uint64_t boot_params; /* the zero page */
	uint64_t cmdline;     /* the command line, NUL-terminated */
	uint64_t kernel;      /* the protected-mode kernel */
	uint64_t kernel_end;  /* the end of the memory the kernel uses to decompress itself */
	uint64_t entry;       /* the kernel's 64-bit entry point */
	uint64_t initrd;      /* the initramfs, at the top of memory */
	uint64_t initrd_size;
};

/*
 * bootparams.c, pure functions: the layout for kernel k in mem_size bytes of RAM
 * (-1 after a report if something does not fit); the e820 memory map of that RAM
 * (at most max entries; returns how many); the zero page for the kernel.
 */
int linux_plan(const struct bzimage *k, uint64_t mem_size, uint64_t initrd_size, size_t cmdline_len,
               struct linux_layout *l);
unsigned e820_build(uint64_t mem_size, struct boot_e820_entry *table, unsigned max);
void boot_params_fill(struct boot_params *bp, const struct bzimage *k, const struct linux_layout *l,
                      uint64_t mem_size);

/* linux.c: the kernel, its initramfs and command line, read and checked. */
struct linux_boot {
	struct image file;   /* the whole bzImage */
	struct bzimage k;    /* its header; k.kernel points into file */
	struct image initrd; /* the initramfs */
	char *cmdline;       /* LINUX_CMDLINE and the user's */
	struct linux_layout layout;
};

/* linux.c: reads and checks everything before any VM exists; -1 after a report. */
int linux_read(struct linux_boot *b, const char *kernel, const char *initrd, const char *cmdline,
               uint64_t mem_size);
/* linux.c: puts it all in guest memory, and sets the vCPU up at the kernel's entry. */
int linux_place(struct vm *vm, const struct linux_boot *b);
int linux_start(struct vm *vm, const struct linux_boot *b);
void linux_free(struct linux_boot *b);

/* pc.c: interrupt controllers and timer (before the vCPU), CPUID (after it). */
int pc_create(struct vm *vm);
int pc_setup_cpuid(struct vm *vm);

/*
 * pc.c: an access to the port in vm->run if it is a PC device's: returns 1 once
 * handled (data holds what an IN reads), 0 if the port is none of the devices',
 * -1 after a report.
 */
int pc_io(struct vm *vm, uint8_t *data);

/* serial.c: COM1's registers (offset 0-7 from SERIAL_PORT), and its interrupt line. */
void uart_init(struct uart *u, int out_fd);
void uart_write(struct uart *u, unsigned reg, uint8_t value);
uint8_t uart_read(struct uart *u, unsigned reg);
bool uart_irq(const struct uart *u);

/* rtc.c: the clock's two ports (0: index, 1: data). */
void rtc_init(struct rtc *r);
void rtc_write(struct rtc *r, unsigned port, uint8_t value);
uint8_t rtc_read(struct rtc *r, unsigned port);

// STEP 13 END
/*
 * exits.c: runs the vCPU until the guest halts or fails, handling its exits
 * on the way. Returns vmm's exit status: EXIT_GUEST_HALTED, EXIT_GUEST_FAILED
 * or EXIT_VMM_ERROR (after a one-line report on stderr).
 */
int run_vm(struct vm *vm);

#endif
