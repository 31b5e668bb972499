/*
 * vmm — the command line and the contract.
 *
 *     vmm [OPTIONS] GUEST.bin
 *     vmm [OPTIONS] --kernel BZIMAGE --initrd CPIO [--cmdline STRING] [--boot-time]
 *
 * Nothing here is a KVM mechanism: it checks what the user asked for, reads the
 * image, has kvm.c make the VM, starts the guest, and prints what was asked for
 * once the guest has stopped.
 */
#include "vmm.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
        "Usage: vmm [OPTIONS] GUEST.bin\n"
        "       vmm [OPTIONS] --kernel BZIMAGE --initrd CPIO\n"
        "\n"
        "Runs GUEST.bin, a flat binary, in a new KVM virtual machine with one vCPU:\n"
        "the image is loaded at guest physical address 0x1000 and started in 16-bit\n"
        "real mode at CS=0, IP=0x1000. Bytes the guest writes to I/O port 0x3f8 (COM1)\n"
        "go to stdout; any other port access is logged on stderr and skipped (an IN\n"
        "reads all ones). vmm ends when the guest executes HLT.\n"
        "\n"
        "With --long, the image is loaded at 0x100000 (1 MiB) instead, and started there\n"
        "in 64-bit long mode: paging maps the first 4 GiB one to one (a GDT at 0x500,\n"
        "page tables from 0x9000), RIP=0x100000, the other registers 0 but for --set.\n"
        "An access to an address with no RAM (MMIO) is logged on stderr: a write is\n"
        "ignored, a read returns the --mmio-read VALUE.\n"
        "\n"
        "With --kernel, vmm boots Linux instead: BZIMAGE, a kernel in the x86 boot\n"
        "protocol's format, with CPIO as its initramfs, in a VM with the PC devices it\n"
        "needs (interrupt controllers, timer, a 16550A serial port at 0x3f8, a CMOS\n"
        "clock). The guest's console (ttyS0) is vmm's stdout. The kernel's command line\n"
        "is \"" LINUX_CMDLINE "\"\n"
        "and --cmdline's STRING after it. vmm ends when the guest reboots (with no ACPI,\n"
        "a poweroff is a reboot: reboot -f).\n"
        "\n"
        "Options:\n"
        "  --mem SIZE       guest memory, RAM from address 0 (default 2M; from 64k to 1G,\n"
        "                   a multiple of 4k)\n"
        "                   (with --kernel: default 256M, and enough for the kernel)\n"
        "  --set REG=VALUE  set a register before the guest starts (repeatable): rax rbx\n"
        "                   rcx rdx rsi rdi rsp rbp r8 ... r15 rip rflags\n"
        "  --regs           once the guest has stopped, print its registers on stdout,\n"
        "                   one line each: REG=0x%016x, in the order above\n"
        "  --peek ADDR:LEN  once the guest has stopped, print LEN bytes of guest memory\n"
        "                   from ADDR on stdout, 16 a line: \"%08x: xx xx ...\" (repeatable)\n"
        "  --long           start the guest in 64-bit long mode (see above)\n"
        "  --mmio-read VALUE\n"
        "                   what the guest reads from an address with no RAM (default\n"
        "                   all ones, as from a bus where no device answers)\n"
        "  --kernel BZIMAGE boot this Linux kernel (see above)\n"
        "  --initrd CPIO    its initramfs (a cpio archive, compressed or not)\n"
        "  --cmdline STRING more of the kernel's command line\n"
        "  --boot-time      print \"vmm: guest init after N ms\" on stderr when the guest\n"
        "                   writes I/O port 0x3f0 (as the init of tools/mkinitrd does),\n"
        "                   N counted from vmm's start\n"
        "  -h, --help       show this help and exit\n"
        "\n"
        "SIZE is bytes with an optional k, M or G suffix; VALUE, ADDR and LEN are decimal\n"
        "or hexadecimal (0x...). --regs and --peek print after the guest's own output.\n"
        "\n"
        "Exit status: 0 when the guest halts; 1 when the guest fails (triple fault,\n"
        "failed entry, KVM internal error: one line on stderr, \"vmm: guest failed: ...\");\n"
        "125 when vmm itself fails (bad option or image, failed system call).\n"
        "With --kernel: 0 when the guest reboots, 1 when its kernel panics.\n";

#define MAX_SETS  32
#define MAX_PEEKS 32

/* The registers --set and --regs know, in struct kvm_regs. */
static const struct {
	const char *name;
	size_t offset;
} registers[] = {
        {"rax", offsetof(struct kvm_regs, rax)}, {"rbx", offsetof(struct kvm_regs, rbx)},
        {"rcx", offsetof(struct kvm_regs, rcx)}, {"rdx", offsetof(struct kvm_regs, rdx)},
        {"rsi", offsetof(struct kvm_regs, rsi)}, {"rdi", offsetof(struct kvm_regs, rdi)},
        {"rsp", offsetof(struct kvm_regs, rsp)}, {"rbp", offsetof(struct kvm_regs, rbp)},
        {"r8", offsetof(struct kvm_regs, r8)},   {"r9", offsetof(struct kvm_regs, r9)},
        {"r10", offsetof(struct kvm_regs, r10)}, {"r11", offsetof(struct kvm_regs, r11)},
        {"r12", offsetof(struct kvm_regs, r12)}, {"r13", offsetof(struct kvm_regs, r13)},
        {"r14", offsetof(struct kvm_regs, r14)}, {"r15", offsetof(struct kvm_regs, r15)},
        {"rip", offsetof(struct kvm_regs, rip)}, {"rflags", offsetof(struct kvm_regs, rflags)},
};
#define NREGS (sizeof(registers) / sizeof(registers[0]))

static __u64 *reg_field(struct kvm_regs *regs, size_t i)
{
	return (__u64 *)((char *)regs + registers[i].offset);
}

/* What the command line asked for. */
struct options {
	const char *image;
	uint64_t mem_size;
	bool print_regs;
	bool long_mode;     /* --long */
	uint64_t mmio_read; /* --mmio-read */
	/* Booting Linux */
	bool mem_given;      /* --mem was given */
	const char *kernel;  /* --kernel */
	const char *initrd;  /* --initrd */
	const char *cmdline; /* --cmdline */
	bool boot_time;      /* --boot-time */
	size_t nsets;
	struct {
		size_t reg; /* index in registers[] */
		uint64_t value;
	} sets[MAX_SETS];
	size_t npeeks;
	struct {
		const char *arg; /* as given, for messages */
		uint64_t addr, len;
	} peeks[MAX_PEEKS];
};

/* What parse_options() found. */
enum parsed { PARSED_RUN, PARSED_HELP, PARSED_BAD };

/* A bad command line: one line on stderr, like every other error. */
static enum parsed __attribute__((format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fail_msg("%s", msg);
	return PARSED_BAD;
}

static enum parsed parse_mem(const char *arg, struct options *o)
{
	uint64_t size;

	if (parse_size(arg, &size) < 0)
		return bad_usage("--mem %s: not a size (like 64k, 2M or 1G)", arg);
	if (size < MEM_MIN)
		return bad_usage("--mem %s: too small (at least 64k)", arg);
	if (size > MEM_MAX)
		return bad_usage("--mem %s: too large (at most 1G)", arg);
	if (size % PAGE_SIZE)
		return bad_usage("--mem %s: not a multiple of 4k (the page size)", arg);
	o->mem_size = size;
	o->mem_given = true;
	return PARSED_RUN;
}

/* --set REG=VALUE */
static enum parsed parse_set(const char *arg, struct options *o)
{
	const char *eq = strchr(arg, '=');
	size_t i, len;

	if (o->nsets == MAX_SETS)
		return bad_usage("--set %s: too many --set options (at most %d)", arg, MAX_SETS);
	if (!eq)
		return bad_usage("--set %s: wants REG=VALUE", arg);
	len = (size_t)(eq - arg);
	for (i = 0; i < NREGS; i++)
		if (strlen(registers[i].name) == len && !strncmp(registers[i].name, arg, len))
			break;
	if (i == NREGS)
		return bad_usage("--set %s: unknown register %.*s", arg, (int)len, arg);
	if (parse_u64(eq + 1, &o->sets[o->nsets].value) < 0)
		return bad_usage("--set %s: not a 64-bit number", arg);
	o->sets[o->nsets++].reg = i;
	return PARSED_RUN;
}

/* --peek ADDR:LEN (checked against guest memory once every option is known) */
static enum parsed parse_peek(const char *arg, struct options *o)
{
	const char *colon = strchr(arg, ':');
	char addr[32];

	if (o->npeeks == MAX_PEEKS)
		return bad_usage("--peek %s: too many --peek options (at most %d)", arg, MAX_PEEKS);
	if (!colon || (size_t)(colon - arg) >= sizeof(addr))
		return bad_usage("--peek %s: wants ADDR:LEN", arg);
	memcpy(addr, arg, (size_t)(colon - arg));
	addr[colon - arg] = '\0';
	if (parse_u64(addr, &o->peeks[o->npeeks].addr) < 0 ||
	    parse_u64(colon + 1, &o->peeks[o->npeeks].len) < 0 || o->peeks[o->npeeks].len == 0)
		return bad_usage("--peek %s: wants ADDR:LEN, two numbers, LEN not 0", arg);
	o->peeks[o->npeeks++].arg = arg;
	return PARSED_RUN;
}

static enum parsed parse_option(int c, const char *arg, const char *opt, struct options *o)
{
	switch (c) {
	case 'm':
		return parse_mem(arg, o);
	case 's':
		return parse_set(arg, o);
	case 'r':
		o->print_regs = true;
		return PARSED_RUN;
	case 'p':
		return parse_peek(arg, o);
	case 'l':
		o->long_mode = true;
		return PARSED_RUN;
	case 'M':
		if (parse_u64(arg, &o->mmio_read) < 0)
			return bad_usage("--mmio-read %s: not a 64-bit number", arg);
		return PARSED_RUN;
	case 'k':
		o->kernel = arg;
		return PARSED_RUN;
	case 'i':
		o->initrd = arg;
		return PARSED_RUN;
	case 'c':
		o->cmdline = arg;
		return PARSED_RUN;
	case 'b':
		o->boot_time = true;
		return PARSED_RUN;
	case 'h':
		fputs(usage_text, stdout);
		return PARSED_HELP;
	case ':':
		return bad_usage("missing value for %s (see 'vmm --help')", opt);
	default:
		return bad_usage("unknown option %s (see 'vmm --help')", opt);
	}
}

static enum parsed parse_options(int argc, char **argv, struct options *o)
{
	/* One option a line, so that a later step adds its own without reflowing these. */
	// clang-format off
	static const struct option longopts[] = {
	        {"mem", required_argument, NULL, 'm'},
	        {"set", required_argument, NULL, 's'},
	        {"regs", no_argument, NULL, 'r'},
	        {"peek", required_argument, NULL, 'p'},
	        {"long", no_argument, NULL, 'l'},
	        {"mmio-read", required_argument, NULL, 'M'},
	        {"kernel", required_argument, NULL, 'k'},
	        {"initrd", required_argument, NULL, 'i'},
	        {"cmdline", required_argument, NULL, 'c'},
	        {"boot-time", no_argument, NULL, 'b'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	// clang-format on
	enum parsed r;
	int c;

	/* ":" reports a missing value as ':' so that we print the message ourselves. */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		r = parse_option(c, optarg, argv[optind - 1], o);
		if (r != PARSED_RUN)
			return r;
	}
	if (o->kernel) {
		if (!o->initrd)
			return bad_usage("--kernel wants --initrd too (see 'vmm --help')");
		if (optind < argc)
			return bad_usage("--kernel or GUEST.bin, not both (see 'vmm --help')");
		if (!o->mem_given)
			o->mem_size = LINUX_MEM_DEFAULT;
	} else if (o->initrd || o->cmdline || o->boot_time) {
		return bad_usage("--initrd, --cmdline and --boot-time go with --kernel (see 'vmm "
		                 "--help')");
	}
	if (!o->kernel && optind >= argc)
		return bad_usage("missing GUEST.bin (see 'vmm --help')");
	if (optind + 1 < argc)
		return bad_usage("one GUEST.bin only, not also %s (see 'vmm --help')",
		                 argv[optind + 1]);
	if (!o->kernel)
		o->image = argv[optind];
	for (size_t i = 0; i < o->npeeks; i++)
		if (o->peeks[i].addr >= o->mem_size ||
		    o->peeks[i].len > o->mem_size - o->peeks[i].addr)
			return bad_usage("--peek %s: outside guest memory (--mem %llu bytes)",
			                 o->peeks[i].arg, (unsigned long long)o->mem_size);
	return PARSED_RUN;
}

/* --set: applied over the registers the start left, just before the first KVM_RUN. */
static int apply_sets(struct vm *vm, const struct options *o)
{
	struct kvm_regs regs;

	if (o->nsets == 0)
		return 0;
	if (vcpu_get_regs(vm, &regs) < 0)
		return -1;
	for (size_t i = 0; i < o->nsets; i++)
		*reg_field(&regs, o->sets[i].reg) = o->sets[i].value;
	return vcpu_set_regs(vm, &regs);
}

/* --regs and --peek: the guest's state once it has stopped, read back from KVM and memory. */
static int print_state(struct vm *vm, const struct options *o)
{
	struct kvm_regs regs;

	if (o->print_regs) {
		if (vcpu_get_regs(vm, &regs) < 0)
			return -1;
		for (size_t i = 0; i < NREGS; i++)
			printf("%s=0x%016llx\n", registers[i].name,
			       (unsigned long long)*reg_field(&regs, i));
	}
	for (size_t i = 0; i < o->npeeks; i++) {
		for (uint64_t off = 0; off < o->peeks[i].len; off++) {
			uint64_t addr = o->peeks[i].addr + off;

			if (off % 16 == 0)
				printf("%s%08llx:", off ? "\n" : "", (unsigned long long)addr);
			printf(" %02x", vm->mem[addr]);
		}
		putchar('\n');
	}
	if (fflush(stdout) == EOF)
		return fail("write", "stdout");
	return 0;
}

/* Where the image goes in guest memory, and where the guest starts. */
static uint64_t load_address(const struct options *o)
{
	return o->long_mode ? LONG_MODE_LOAD : REAL_MODE_LOAD;
}

/* The vCPU's registers at the start: the CPU mode the guest is written for. */
static int setup_vcpu(struct vm *vm, const struct options *o, uint64_t entry)
{
	return o->long_mode ? setup_long_mode(vm, entry) : setup_real_mode(vm, entry);
}

/* Makes the VM, runs the guest in it, reports; returns vmm's exit status. */
static int run_guest(const struct options *o, const struct image *img)
{
	uint64_t load = load_address(o);
	struct vm vm;
	int status;

	if (vm_create(&vm, o->mem_size, false) < 0)
		return EXIT_VMM_ERROR;
	vm.mmio_read = o->mmio_read;
	status = EXIT_VMM_ERROR;
	if (image_place(&vm, img, load) < 0 || setup_vcpu(&vm, o, load) < 0 ||
	    apply_sets(&vm, o) < 0)
		goto out;
	status = run_vm(&vm);
	/* After a halt or a failure the registers say where the guest was: worth printing. */
	if (status != EXIT_VMM_ERROR && print_state(&vm, o) < 0)
		status = EXIT_VMM_ERROR;
out:
	vm_destroy(&vm);
	return status;
}

/* Boots Linux (--kernel) in a VM with the PC devices it needs; returns vmm's exit status. */
static int boot_linux(const struct options *o, const struct timespec *start)
{
	struct linux_boot b;
	struct vm vm;
	int status;

	/* Everything is read and checked before /dev/kvm is even opened. */
	if (linux_read(&b, o->kernel, o->initrd, o->cmdline, o->mem_size) < 0)
		return EXIT_VMM_ERROR;
	status = EXIT_VMM_ERROR;
	if (vm_create(&vm, o->mem_size, true) < 0)
		goto out_free;
	vm.mmio_read = o->mmio_read;
	vm.boot_time = o->boot_time;
	vm.start = *start;
	if (linux_place(&vm, &b) < 0 || linux_start(&vm, &b) < 0 || apply_sets(&vm, o) < 0)
		goto out;
	/* The guest has its own copies now. vmm's (the bzImage and the initramfs, megabytes)
	 * would stay resident for the whole run and count as vmm's overhead. */
	linux_free(&b);
	status = run_vm(&vm);
	if (status != EXIT_VMM_ERROR && print_state(&vm, o) < 0)
		status = EXIT_VMM_ERROR;
out:
	vm_destroy(&vm);
out_free:
	linux_free(&b);
	return status;
}

int main(int argc, char **argv)
{
	struct options o = {.mem_size = MEM_DEFAULT};
	struct image img;
	int status;
	struct timespec start;

	/* --boot-time counts from here: vmm's start, as a user of vmm sees it. */
	clock_gettime(CLOCK_MONOTONIC, &start);

	ws_set_progname("vmm");
	o.mmio_read = UINT64_MAX;
	switch (parse_options(argc, argv, &o)) {
	case PARSED_HELP:
		return 0;
	case PARSED_BAD:
		return EXIT_VMM_ERROR;
	case PARSED_RUN:
		break;
	}
	if (o.kernel)
		return boot_linux(&o, &start);
	if (image_read(o.image, load_address(&o), o.mem_size, &img) < 0)
		return EXIT_VMM_ERROR;
	status = run_guest(&o, &img);
	image_free(&img);
	return status;
}
