# make vm-bench: vmm measured (tools/vm-bench), against QEMU -M microvm on the same
# kernel and initramfs: time to the first output of a real-mode guest, time to the
# guest's init, the VMM's memory overhead. Prints a table; not a test. Where the host
# has no /dev/kvm it runs in a vm-lab guest with nested KVM (tools/with-kvm): minutes.
# The vmm is the last vmm step's of solutions/, or of labs/ in a learner's copy.

vm_bench_last = $(lastword $(foreach d,$(addprefix $(1)/,$(2)),$(if $(wildcard $(d)/vmm.c),$(d))))
VM_BENCH_STEP := $(or $(call vm_bench_last,solutions,$(SOLUTIONS)),$(call vm_bench_last,labs,$(LABS)))

.PHONY: vm-bench
# test-prereqs (mk/guests.mk): vm-lab's kernel, step 13's initramfs, and the root
# filesystem of the container row.
vm-bench: test-prereqs $(if $(VM_BENCH_STEP),$(call step_prog,$(VM_BENCH_STEP)) $(BUILD)/$(VM_BENCH_STEP)/guests/hello.bin)
	BUILD=$(BUILD) tools/vm-bench
