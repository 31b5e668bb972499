#!/usr/bin/env bats
# Step 12 — KVM in long mode: a 64-bit guest in C, paging, and devices that are not there.
#
# Claim under test (shared/seeds/003_eefc477ecf4908fe.txt, "OS Kernel: Shared vs. Dedicated"):
#   "This hypervisor virtualizes the underlying hardware, allowing each VM to believe
#   it has dedicated hardware resources."
#
# vmm gives the guest a 64-bit CPU with paging (its own page tables, in its own
# memory), and answers for devices: a write to an address with no RAM reaches vmm,
# and a read returns what vmm supplies, whatever the host has there. The guests
# (solutions/12-kvm-long-mode/guests/*.c) get their inputs from the test, drawn at
# random, and the results are read back from registers and memory. Needs /dev/kvm:
#     tools/with-kvm --session -- bats tests/12-kvm-long-mode.bats

load vmm-helpers

# A random 8-byte-aligned address with no RAM behind it (RAM ends at 1 GiB at most),
# below 0xf0000000, where KVM may keep pages of its own (TSS, APIC).
random_mmio_addr() {
	printf '0x%x' $(((0x40000000 + $(random_between 0 $(((0xb0000000 - 0x100) / 8))) * 8)))
}

@test "a 64-bit guest in C prints on the serial port, and halts" {
	message=$(sed -n 's/^[[:space:]]*print("\(.*\)");$/\1/p' "$GUEST_SRC/hello64.c")
	[[ -n $message ]]
	run --separate-stderr vmm --long "$(guest hello64)"
	assert_success
	assert_output "$(printf '%b' "$message")"
	assert_equal "$stderr" ""
}

@test "the guest computes in 64-bit registers: a sum past 32 bits is in RAX after the halt" {
	n=$(random_between 362 65535)
	sum=$(((n * (n + 1) / 2) ** 2)) # 1^3 + 2^3 + ... + n^3, more than 2^32 from n = 362
	((sum > 0xffffffff))
	run --separate-stderr vmm --long --set rdi="$n" --regs "$(guest compute64)"
	assert_success
	assert_line --index 0 "sum of cubes: $sum"
	assert_line "$(reg_line rax "$sum")"
}

@test "the guest's variables are in guest memory: vmm reads the result back" {
	n=$(random_between 362 65535)
	sum=$(((n * (n + 1) / 2) ** 2))
	result=$(guest_symbol compute64 result)
	run --separate-stderr vmm --long --set rdi="$n" --peek "$result:8" "$(guest compute64)"
	assert_success
	assert_line "$(peek_lines "$result" "$(le_bytes "$sum" 8)")"
}

@test "the image is at 0x100000, where the vCPU starts in 64-bit code and runs to its HLT" {
	image=$(guest hello64)
	halt=$(guest_symbol hello64 halt)
	run --separate-stderr vmm --long --regs --peek 0x100000:32 "$image"
	assert_success
	assert_line "$(reg_line rip $((halt + 1)))"
	assert_output --partial "$(peek_lines 0x100000 "$(file_bytes "$image" 32)")"
}

@test "a write to an address with no RAM reaches vmm: address, size and data on stderr" {
	addr=$(random_mmio_addr)
	value=$(random_u64)
	run --separate-stderr vmm --long --set rdi="$addr" --set rsi="$value" "$(guest mmio)"
	assert_success
	assert_equal "${stderr%%$'\n'*}" \
		"$(printf 'vmm: mmio write to unknown address 0x%x: size 8, data 0x%016x (ignored)' "$addr" "$value")"
}

@test "a read from an address with no RAM returns what vmm supplies" {
	addr=$(random_mmio_addr)
	supplied=$(random_u64)
	read32=$(guest_symbol mmio read32)
	run --separate-stderr vmm --long --set rdi="$addr" --set rsi=0 --mmio-read "$supplied" \
		--regs --peek "$read32:4" "$(guest mmio)"
	assert_success
	# The 8-byte read, returned in RAX; the 4-byte read, the low half, stored at read32.
	assert_line "$(reg_line rax "$supplied")"
	assert_line "$(peek_lines "$read32" "$(le_bytes "$supplied" 4)")"
	assert_equal "$stderr" "$(printf '%s\n%s\n%s' \
		"$(printf 'vmm: mmio write to unknown address 0x%x: size 8, data 0x%016x (ignored)' "$addr" 0)" \
		"$(printf 'vmm: mmio read from unknown address 0x%x: size 8 (reads 0x%016x)' $((addr + 8)) "$supplied")" \
		"$(printf 'vmm: mmio read from unknown address 0x%x: size 4 (reads 0x%08x)' $((addr + 16)) $((supplied & 0xffffffff)))")"
}

@test "without --mmio-read, a read from an address with no RAM returns all ones" {
	addr=$(random_mmio_addr)
	run --separate-stderr vmm --long --set rdi="$addr" --regs "$(guest mmio)"
	assert_success
	assert_line "$(reg_line rax -1)"
}

@test "paging maps the first 4 GiB one to one, and nothing above: an access there triple-faults" {
	# The last 24 bytes below 4 GiB: mapped (no RAM there: three MMIO exits).
	run --separate-stderr vmm --long --set rdi=$((0x100000000 - 24)) "$(guest mmio)"
	assert_success
	assert_equal "$(grep -c '^vmm: mmio ' <<<"$stderr")" 3
	# From 4 GiB on: no page, a page fault, and with no IDT a triple fault.
	addr=$((0x100000000 + $(random_between 0 0x3ffffff) * 8))
	run --separate-stderr vmm --long --set rdi="$addr" "$(guest mmio)"
	assert_equal "$status" 1
	assert_equal "$stderr" "vmm: guest failed: triple fault (KVM_EXIT_SHUTDOWN)"
}

# --- the command line: given code ---------------------------------------------

# bats test_tags=given
@test "--long refuses an image that does not fit above 1 MiB, with exit 125" {
	image=$(guest hello64)
	size=$(stat -c %s "$image")
	run --separate-stderr vmm --long --mem 1M "$image"
	assert_equal "$status" 125
	assert_equal "$stderr" "$(printf 'vmm: load %s: %d bytes do not fit between 0x100000 and the end of guest memory at 0x100000 (see --mem)' "$image" "$size")"
}

# bats test_tags=given
@test "a malformed --mmio-read is refused with exit 125" {
	bad=0x$(random_between 1 9)g
	run --separate-stderr vmm --long --mmio-read "$bad" "$(guest mmio)"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: --mmio-read $bad: not a 64-bit number"
}

# bats test_tags=given
@test "vmm --help describes --long and --mmio-read" {
	run vmm --help
	assert_success
	assert_line --index 0 "Usage: vmm [OPTIONS] GUEST.bin"
	assert_line --partial "--long"
	assert_line --partial "--mmio-read VALUE"
}
