/*
 * kvm.c — a virtual machine from /dev/kvm: the VM, its memory, one vCPU.
 *
 * KVM is a set of ioctls on three kinds of file descriptors, each made by the one
 * before it: /dev/kvm (the subsystem: version, capabilities), a VM (its memory and
 * vCPUs), a vCPU (its registers, KVM_RUN). The reference is the kernel's
 * Documentation/virt/kvm/api.rst ("The Definitive KVM API Documentation"): every
 * ioctl named here has a section there saying which fd it takes and what it returns.
 *
 * Every failure is reported as "vmm: ioctl NAME: REASON" (or "vmm: mmap WHAT: ..."),
 * so that the first line of stderr says which step of the set-up failed.
 */
#include "vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KVM_DEVICE "/dev/kvm"

/*
 * Where KVM_SET_TSS_ADDR puts the three pages Intel VT-x needs to run real mode
 * on CPUs without "unrestricted guest" (it emulates real mode with vm86 and a
 * TSS): inside the first 4 GiB, outside RAM and any MMIO. QEMU's address. AMD
 * does not use it, but accepts it.
 */
#define TSS_ADDR 0xfffbd000UL

/* The capabilities vmm relies on, checked before they are used. */
static const struct {
	int cap;
	const char *name;
} needed_caps[] = {
        {KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"},   /* KVM_SET_USER_MEMORY_REGION */
        {KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR"}, /* KVM_SET_TSS_ADDR */
        /* To boot Linux: the PC's interrupt controllers and timer in KVM, and CPUID. */
        {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP"},     /* KVM_CREATE_IRQCHIP, KVM_IRQ_LINE */
        {KVM_CAP_PIT2, "KVM_CAP_PIT2"},           /* KVM_CREATE_PIT2 */
        {KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID"}, /* KVM_GET_SUPPORTED_CPUID, KVM_SET_CPUID2 */
};

/* Opens /dev/kvm and checks that it speaks the one stable KVM API, version 12. */
static int open_kvm(struct vm *vm)
{
	int version;

	vm->kvm_fd = open(KVM_DEVICE, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return fail("open", KVM_DEVICE);
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version < 0)
		return fail("ioctl", "KVM_GET_API_VERSION");
	if (version != KVM_API_VERSION)
		return fail_msg("KVM API version %d, vmm needs %d", version, KVM_API_VERSION);
	return 0;
}

/* Checks every capability in needed_caps: an old or unusual KVM fails here, by name. */
static int check_capabilities(struct vm *vm)
{
	for (size_t i = 0; i < sizeof(needed_caps) / sizeof(needed_caps[0]); i++) {
		int r = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, needed_caps[i].cap);

		if (r < 0)
			return fail("ioctl", "KVM_CHECK_EXTENSION");
		if (r == 0)
			return fail_msg("KVM lacks %s", needed_caps[i].name);
	}
	return 0;
}

/* Makes the VM: an empty machine, no memory and no vCPU yet. */
static int create_vm(struct vm *vm)
{
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return fail("ioctl", "KVM_CREATE_VM");
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0)
		return fail("ioctl", "KVM_SET_TSS_ADDR");
	return 0;
}

/* Gives the VM mem_size bytes of RAM at guest physical address 0: memory of vmm's own. */
static int map_memory(struct vm *vm, uint64_t mem_size)
{
	struct kvm_userspace_memory_region region;
	void *mem;

	mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
	           MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap", "guest memory");
	vm->mem = mem;
	vm->mem_size = mem_size;
	region = (struct kvm_userspace_memory_region){
	        .slot = 0,
	        .flags = 0,
	        .guest_phys_addr = 0,
	        .memory_size = mem_size,
	        .userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("ioctl", "KVM_SET_USER_MEMORY_REGION");
	return 0;
}

/* Makes vCPU 0 and maps its struct kvm_run, where KVM says why the vCPU exited. */
static int create_vcpu(struct vm *vm)
{
	int size;
	void *run;

	vm->vcpu_fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, 0);
	if (vm->vcpu_fd < 0)
		return fail("ioctl", "KVM_CREATE_VCPU");
	size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size < 0)
		return fail("ioctl", "KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu_fd, 0);
	if (run == MAP_FAILED)
		return fail("mmap", "kvm_run");
	vm->run = run;
	vm->run_size = (size_t)size;
	return 0;
}

int vm_create(struct vm *vm, uint64_t mem_size, bool pc)
{
	*vm = (struct vm){.kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1};
	/* Linux's PC (pc.c): KVM makes a local APIC with each vCPU only if the rest is there. */
	vm->pc = pc;
	if (open_kvm(vm) < 0 || check_capabilities(vm) < 0 || create_vm(vm) < 0 ||
	    map_memory(vm, mem_size) < 0 || (pc && pc_create(vm) < 0) || create_vcpu(vm) < 0) {
		vm_destroy(vm);
		return -1;
	}
	return 0;
}

void vm_destroy(struct vm *vm)
{
	/* The order of creation, reversed; a VM lives until its last fd is closed. */
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu_fd >= 0)
		close(vm->vcpu_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	*vm = (struct vm){.kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1};
}

int vcpu_get_regs(struct vm *vm, struct kvm_regs *regs)
{
	if (ioctl(vm->vcpu_fd, KVM_GET_REGS, regs) < 0)
		return fail("ioctl", "KVM_GET_REGS");
	return 0;
}

int vcpu_set_regs(struct vm *vm, const struct kvm_regs *regs)
{
	if (ioctl(vm->vcpu_fd, KVM_SET_REGS, regs) < 0)
		return fail("ioctl", "KVM_SET_REGS");
	return 0;
}

int vcpu_get_sregs(struct vm *vm, struct kvm_sregs *sregs)
{
	if (ioctl(vm->vcpu_fd, KVM_GET_SREGS, sregs) < 0)
		return fail("ioctl", "KVM_GET_SREGS");
	return 0;
}

int vcpu_set_sregs(struct vm *vm, const struct kvm_sregs *sregs)
{
	if (ioctl(vm->vcpu_fd, KVM_SET_SREGS, sregs) < 0)
		return fail("ioctl", "KVM_SET_SREGS");
	return 0;
}
