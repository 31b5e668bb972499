// STEP 13 BEGIN
/*
 * pc.c — the PC around the CPU, as much of it as Linux needs.
 *
 * A kernel expects more than a CPU and RAM. It needs interrupts: a timer to
 * schedule with, and COM1's interrupt to send init's output. KVM emulates a PC's
 * interrupt controllers (two 8259 PICs, an I/O APIC, a local APIC in each vCPU) and
 * its timer (the 8254 PIT) inside the kernel, where they are fast: vmm asks for them
 * before the vCPU exists (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2), then only sets the
 * level of COM1's line (KVM_IRQ_LINE). A kernel asks the CPU what it can do (CPUID):
 * KVM answers from a table that vmm gives it. KVM_SET_TSS_ADDR, which Intel CPUs
 * need to run a guest in real mode, was done in step 11; KVM_SET_IDENTITY_MAP_ADDR
 * (the same, with EPT) is left at KVM's default address, 0xfffbc000, also no RAM.
 *
 * The devices on I/O ports are vmm's own, in user space: the console (serial.c), the
 * clock (rtc.c), the reset register and the boot timer (here). The rest of a PC is
 * missing, and the kernel's command line says so (LINUX_CMDLINE): no ACPI tables,
 * no PCI bus. A keyboard controller's ports read all ones, like every unknown port,
 * which to Linux's i8042 driver means there is none.
 */
#include "vmm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Port 0xcf9, PCI reset control: writing RST_CPU resets, FULL_RST makes it cold. */
#define RESET_CPU  0x04
#define RESET_FULL 0x08

/* CPUID leaf 1, ECX bit 31: "running under a hypervisor" (which then has leaves of its own). */
#define CPUID_1_ECX_HYPERVISOR (1U << 31)

int pc_create(struct vm *vm)
{
	// LESSON 13 BEGIN: the interrupt controllers and the timer, emulated by KVM
	// HINT: two VM ioctls on vm->vm_fd, before the vCPU exists (its local APIC is made with it):
	// HINT: KVM_CREATE_IRQCHIP (argument 0): the PICs, the I/O APIC, and a local APIC for
	// HINT: every vCPU made after it; -1: fail("ioctl", "KVM_CREATE_IRQCHIP").
	// HINT: KVM_CREATE_PIT2 with a struct kvm_pit_config whose flags are
	// HINT: KVM_PIT_SPEAKER_DUMMY (KVM then also answers port 0x61, the PIT's gate that
	// HINT: Linux reads to calibrate its clocks); -1: fail("ioctl", "KVM_CREATE_PIT2").
	struct kvm_pit_config pit = {.flags = KVM_PIT_SPEAKER_DUMMY};

	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return fail("ioctl", "KVM_CREATE_IRQCHIP");
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return fail("ioctl", "KVM_CREATE_PIT2");
	// LAB:
	//- return fail_msg("pc_create: not written yet (TODO 13 in pc.c)");
	// LESSON 13 END
	uart_init(&vm->com1, STDOUT_FILENO);
	rtc_init(&vm->rtc);
	return 0;
}

/* A CPUID table with room for n entries (KVM fills it in), or NULL after a report. */
static struct kvm_cpuid2 *cpuid_table(unsigned n)
{
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + n * sizeof(cpuid->entries[0]));

	if (!cpuid) {
		fail("calloc", "CPUID table");
		return NULL;
	}
	cpuid->nent = n;
	return cpuid;
}

int pc_setup_cpuid(struct vm *vm)
{
	// LESSON 13 BEGIN: the vCPU's CPUID: what KVM supports, and "this is a VM"
	// HINT: KVM_GET_SUPPORTED_CPUID (on vm->kvm_fd) fills a table from cpuid_table(n)
	// HINT: with every leaf KVM can give a guest, KVM's own leaves (0x40000000...) among
	// HINT: them. It fails with errno E2BIG if n is too small: start at 64, double n
	// HINT: and try again (free the old table). Other errors: fail("ioctl",
	// HINT: "KVM_GET_SUPPORTED_CPUID").
	// HINT: set CPUID_1_ECX_HYPERVISOR in the ecx of the entry with function 1: Linux looks
	// HINT: for KVM's leaves only when it is set, and without them it has no kvm-clock.
	// HINT: then KVM_SET_CPUID2 (on vm->vcpu_fd) with the table: the vCPU's answers from
	// HINT: now on; -1: fail("ioctl", "KVM_SET_CPUID2"). Free the table in every case.
	struct kvm_cpuid2 *cpuid;
	int r;

	for (unsigned n = 64;; n *= 2) {
		cpuid = cpuid_table(n);
		if (!cpuid)
			return -1;
		if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) == 0)
			break;
		free(cpuid);
		if (errno != E2BIG || n >= 4096)
			return fail("ioctl", "KVM_GET_SUPPORTED_CPUID");
	}
	for (unsigned i = 0; i < cpuid->nent; i++)
		if (cpuid->entries[i].function == 1)
			cpuid->entries[i].ecx |= CPUID_1_ECX_HYPERVISOR;
	r = ioctl(vm->vcpu_fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	if (r < 0)
		return fail("ioctl", "KVM_SET_CPUID2");
	return 0;
	// LAB:
	//- return fail_msg("pc_setup_cpuid: not written yet (TODO 13 in pc.c)");
	// LESSON 13 END
}

/* Tells KVM the level of COM1's interrupt line, when it changed. */
static int update_com1_irq(struct vm *vm)
{
	// LESSON 13 BEGIN: COM1's interrupt line, raised and lowered through KVM
	// HINT: the line is up while uart_irq(&vm->com1) says so. When that differs from
	// HINT: vm->com1_irq (what KVM was last told), tell KVM: ioctl(vm->vm_fd, KVM_IRQ_LINE,
	// HINT: &level) with a struct kvm_irq_level {.irq = SERIAL_IRQ, .level = 0 or 1};
	// HINT: -1: fail("ioctl", "KVM_IRQ_LINE"). Then remember it in vm->com1_irq. The PIC
	// HINT: in KVM sees the edge and interrupts the vCPU, whose handler reads IIR, which
	// HINT: lowers the line again (serial.c).
	struct kvm_irq_level level = {.irq = SERIAL_IRQ, .level = uart_irq(&vm->com1)};

	if ((bool)level.level == vm->com1_irq)
		return 0;
	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &level) < 0)
		return fail("ioctl", "KVM_IRQ_LINE");
	vm->com1_irq = level.level;
	return 0;
	// LAB:
	//- return 0;
	// LESSON 13 END
}

/*
 * Port 0xcf9, which Linux writes to reboot (reboot=pci). The kernel's command line
 * (LINUX_CMDLINE) asks for a cold reset when the system is rebooted, as init does
 * once it is done, and a warm one after a panic: so vmm can tell the two apart.
 */
static void reset_control(struct vm *vm, bool out, uint8_t *data)
{
	// LESSON 13 BEGIN: the guest's reset: a reboot, or a kernel panic
	// HINT: an IN reads back vm->reset_control; an OUT keeps *data there. Linux writes
	// HINT: it twice: first without RESET_CPU, then with it. When RESET_CPU is set, the
	// HINT: guest is done: vm->reset = RESET_REBOOT if RESET_FULL is set too (a cold
	// HINT: reset: a reboot asked for), RESET_PANIC if not (a warm one: a panic). run_vm()
	// HINT: stops at the end of this exit.
	if (!out) {
		*data = vm->reset_control;
		return;
	}
	vm->reset_control = *data;
	if (*data & RESET_CPU)
		vm->reset = *data & RESET_FULL ? RESET_REBOOT : RESET_PANIC;
	// LAB:
	//- (void)vm;
	//- if (!out)
	//- 	*data = 0xff;
	// LESSON 13 END
}

/* The guest's init writes BOOT_TIME_PORT as soon as it runs: the boot is over. */
static void boot_timer(struct vm *vm)
{
	struct timespec now;
	long long ms;

	if (!vm->boot_time || clock_gettime(CLOCK_MONOTONIC, &now) < 0)
		return;
	ms = (now.tv_sec - vm->start.tv_sec) * 1000LL + (now.tv_nsec - vm->start.tv_nsec) / 1000000;
	fprintf(stderr, "%s: guest init after %lld ms\n", ws_progname(), ms);
}

int pc_io(struct vm *vm, uint8_t *data)
{
	struct kvm_run *run = vm->run;
	unsigned port = run->io.port;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;

	/* Byte registers, one access an exit: the devices' (Linux uses inb and outb). */
	if (run->io.size != 1 || run->io.count != 1)
		return 0;
	if (port >= SERIAL_PORT && port < SERIAL_PORT + 8) {
		if (out)
			uart_write(&vm->com1, port - SERIAL_PORT, *data);
		else
			*data = uart_read(&vm->com1, port - SERIAL_PORT);
		return update_com1_irq(vm) < 0 ? -1 : 1;
	}
	if (port == RTC_PORT || port == RTC_PORT + 1) {
		if (out)
			rtc_write(&vm->rtc, port - RTC_PORT, *data);
		else
			*data = rtc_read(&vm->rtc, port - RTC_PORT);
		return 1;
	}
	if (port == RESET_PORT) {
		reset_control(vm, out, data);
		return 1;
	}
	if (port == BOOT_TIME_PORT && out) {
		boot_timer(vm);
		return 1;
	}
	return 0;
}
// STEP 13 END
