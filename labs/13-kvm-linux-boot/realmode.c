/*
 * realmode.c — the vCPU's start in 16-bit real mode, as a PC's CPU starts.
 *
 * A new vCPU is in the state of an x86 CPU just after reset: real mode (CR0.PE
 * is 0: no protection, no paging), and CS:IP = f000:fff0 with a CS base of
 * 0xffff0000, so that the first instruction is fetched from the top of the 4 GiB
 * space, where a PC has its firmware. This VM has no firmware there, only RAM
 * from 0: vmm starts the guest itself, at CS=0 and IP=entry. In real mode an
 * address is segment * 16 + offset, so that is guest physical address entry.
 */
#include "vmm.h"

#include <string.h>

int setup_real_mode(struct vm *vm, uint64_t entry)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (vcpu_get_sregs(vm, &sregs) < 0)
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (vcpu_set_sregs(vm, &sregs) < 0)
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rflags = 0x2;
	return vcpu_set_regs(vm, &regs);
}
