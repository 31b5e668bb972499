/*
 * exits.c — run the vCPU, and do for the guest what KVM leaves to user space.
 *
 * KVM_RUN enters the guest and returns when the guest did something KVM does not
 * handle in the kernel: executed HLT (with no interrupt controller in the kernel,
 * nothing could ever wake it), touched an I/O port, or could not go on at all. The
 * reason is in run->exit_reason, the details in the union that follows it in
 * struct kvm_run (api.rst, "The kvm_run structure"). vmm handles the exit and runs
 * the vCPU again, until the guest halts or fails.
 *
 * Devices: one. Bytes written to port 0x3f8 (COM1's data register) go to stdout.
 * Every other port is nobody's: the access is logged on stderr, an IN reads all
 * ones (what a bus with no device answering returns), and the guest goes on.
 */
/*
 * Step 12: memory-mapped I/O. An access to a guest physical address with no RAM
 * behind it (no memory slot) is not an error to KVM: it is how devices are reached,
 * at addresses of their own, so KVM decodes the instruction and exits with
 * KVM_EXIT_MMIO. vmm has no such device either: it logs the access, a write goes
 * nowhere, a read returns what vmm was told to supply (--mmio-read).
 */
/*
 * Step 13: with Linux (vmm --kernel), the PC devices of pc.c come first: COM1's
 * eight registers, the clock, the reset register, the boot timer. A reset ends the
 * run: a reboot as the guest's halt (status 0), a kernel panic as a failure. With the
 * interrupt controllers in KVM, HLT no longer exits: KVM waits for the next interrupt.
 * An unknown port is logged at its first access only: Linux probes for devices a PC
 * may have (a keyboard controller, a Super I/O chip) dozens of times over.
 */
#include "vmm.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define EXIT_NAME(reason) [reason] = #reason

static const char *const exit_names[] = {
        EXIT_NAME(KVM_EXIT_UNKNOWN),
        EXIT_NAME(KVM_EXIT_EXCEPTION),
        EXIT_NAME(KVM_EXIT_IO),
        EXIT_NAME(KVM_EXIT_HYPERCALL),
        EXIT_NAME(KVM_EXIT_DEBUG),
        EXIT_NAME(KVM_EXIT_HLT),
        EXIT_NAME(KVM_EXIT_MMIO),
        EXIT_NAME(KVM_EXIT_IRQ_WINDOW_OPEN),
        EXIT_NAME(KVM_EXIT_SHUTDOWN),
        EXIT_NAME(KVM_EXIT_FAIL_ENTRY),
        EXIT_NAME(KVM_EXIT_INTR),
        EXIT_NAME(KVM_EXIT_SET_TPR),
        EXIT_NAME(KVM_EXIT_TPR_ACCESS),
        EXIT_NAME(KVM_EXIT_NMI),
        EXIT_NAME(KVM_EXIT_INTERNAL_ERROR),
        EXIT_NAME(KVM_EXIT_SYSTEM_EVENT),
};

static const char *exit_name(uint32_t reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) && exit_names[reason])
		return exit_names[reason];
	return "unknown to vmm";
}

/* The guest cannot go on: one line "vmm: guest failed: ..." and vmm's status for it. */
static int __attribute__((format(printf, 1, 2))) guest_failed(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: guest failed: ", ws_progname());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_GUEST_FAILED;
}

/* An exit vmm has no handler for: it cannot emulate what the guest asked for. */
static int unexpected_exit(const struct kvm_run *run)
{
	fail_msg("KVM_RUN: unexpected exit %s (%u)", exit_name(run->exit_reason), run->exit_reason);
	return EXIT_VMM_ERROR;
}

/* The guest's serial output: every byte to stdout, as it comes (no buffering to lose). */
static int write_serial(const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail("write", "stdout");
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A value of size bytes (1 to 8) in the guest's byte order, little-endian. */
static unsigned long long little_endian(const uint8_t *data, unsigned size)
{
	unsigned long long v = 0;

	for (unsigned i = 0; i < size && i < 8; i++)
		v |= (unsigned long long)data[i] << (8 * i);
	return v;
}

/*
 * An access to a port no device of vmm's answers: one line on stderr, and an IN
 * reads all ones. A string instruction (rep outsb) makes one exit of count accesses.
 */
static void unknown_port(const struct kvm_run *run, uint8_t *data)
{
	unsigned size = run->io.size, count = run->io.count;
	char times[32] = "";

	if (count > 1)
		snprintf(times, sizeof(times), " x %u", count);
	if (run->io.direction == KVM_EXIT_IO_IN) {
		memset(data, 0xff, (size_t)size * count);
		fprintf(stderr, "%s: io in from unknown port 0x%04x: size %u%s (reads 0x%0*llx)\n",
		        ws_progname(), run->io.port, size, times, (int)size * 2,
		        little_endian(data, size));
	} else {
		fprintf(stderr,
		        "%s: io out to unknown port 0x%04x: size %u%s, data 0x%0*llx%s (ignored)\n",
		        ws_progname(), run->io.port, size, times, (int)size * 2,
		        little_endian(data, size), count > 1 ? "..." : "");
	}
}

/* One line on stderr for an MMIO access; for a read, run->mmio.data holds the answer. */
static void log_mmio(const struct kvm_run *run)
{
	unsigned len = run->mmio.len;

	if (run->mmio.is_write)
		fprintf(stderr,
		        "%s: mmio write to unknown address 0x%llx: size %u, data 0x%0*llx "
		        "(ignored)\n",
		        ws_progname(), (unsigned long long)run->mmio.phys_addr, len, (int)len * 2,
		        little_endian(run->mmio.data, len));
	else
		fprintf(stderr,
		        "%s: mmio read from unknown address 0x%llx: size %u (reads 0x%0*llx)\n",
		        ws_progname(), (unsigned long long)run->mmio.phys_addr, len, (int)len * 2,
		        little_endian(run->mmio.data, len));
}

/* KVM_EXIT_MMIO: the guest read or wrote an address with no RAM; its instruction waits. */
static void handle_mmio(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	if (!run->mmio.is_write)
		memcpy(run->mmio.data, &vm->mmio_read,
		       run->mmio.len < sizeof(vm->mmio_read) ? run->mmio.len
		                                             : sizeof(vm->mmio_read));
	log_mmio(run);
}

/* Whether an access to this unknown port was logged before (and from now on, it was). */
static bool already_logged(struct vm *vm, uint16_t port)
{
	uint8_t bit = (uint8_t)(1u << (port % 8));
	bool logged = vm->unknown_ports_logged[port / 8] & bit;

	vm->unknown_ports_logged[port / 8] |= bit;
	return logged;
}

/* KVM_EXIT_IO: the guest executed IN or OUT (or INS/OUTS); the vCPU waits for the answer. */
static int handle_io(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	int pc = vm->pc ? pc_io(vm, data) : 0;

	if (pc != 0)
		return pc < 0 ? -1 : 0;
	/* A kernel probes, many times over, for what a PC may have: one line a port. */
	if (vm->pc && already_logged(vm, run->io.port)) {
		if (run->io.direction == KVM_EXIT_IO_IN)
			memset(data, 0xff, (size_t)run->io.size * run->io.count);
		return 0;
	}

	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == SERIAL_PORT)
		return write_serial(data, (size_t)run->io.size * run->io.count);
	unknown_port(run, data);
	return 0;
}

int run_vm(struct vm *vm)
{
	struct kvm_run *run = vm->run;

	for (;;) {
		if (ioctl(vm->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			fail("ioctl", "KVM_RUN");
			return EXIT_VMM_ERROR;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			return EXIT_GUEST_HALTED;
		case KVM_EXIT_IO:
			if (handle_io(vm) < 0)
				return EXIT_VMM_ERROR;
			if (vm->reset == RESET_REBOOT)
				return EXIT_GUEST_HALTED;
			if (vm->reset == RESET_PANIC)
				return guest_failed("kernel panic (the guest reset itself warm, "
				                    "as reboot=panic_warm asks after a panic)");
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(vm);
			break;
		case KVM_EXIT_SHUTDOWN:
			return guest_failed("triple fault (KVM_EXIT_SHUTDOWN)");
		case KVM_EXIT_FAIL_ENTRY:
			return guest_failed(
			        "entry failed (KVM_EXIT_FAIL_ENTRY): "
			        "hardware_entry_failure_reason 0x%llx",
			        (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		case KVM_EXIT_INTERNAL_ERROR:
			return guest_failed(
			        "KVM internal error (KVM_EXIT_INTERNAL_ERROR): suberror %u",
			        run->internal.suberror);
		default:
			return unexpected_exit(run);
		}
	}
}
