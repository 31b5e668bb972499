#!/usr/bin/env bats
# Step 11 — KVM in real mode: vmm makes a virtual machine of its own and runs a guest.
#
# Claim under test (shared/seeds/001_85251f729294c705.txt, "How VMs Isolate"):
#   "Hardware Virtualization: Each VM gets virtual CPU, memory"
#
# The guests (solutions/11-kvm-real-mode/guests/) run on a vCPU that KVM makes from
# the real CPU, in memory that vmm gives the VM. What they compute, from inputs drawn
# at random here, is read back from the vCPU's registers and from guest memory after
# the halt, and compared with what the test computes itself. Needs /dev/kvm: run with
#     tools/with-kvm --session -- bats tests/11-kvm-real-mode.bats

load vmm-helpers

@test "bytes the guest writes to port 0x3f8 reach stdout, and vmm exits 0 at HLT" {
	# The line hello.S prints, as its source spells it (.asciz "...\n").
	message=$(sed -n 's/^[[:space:]]*\.asciz "\(.*\)"$/\1/p' "$GUEST_SRC/hello.S")
	[[ -n $message ]]
	run --separate-stderr vmm "$(guest hello)"
	assert_success
	assert_output "$(printf '%b' "$message")"
	assert_equal "$stderr" ""
}

@test "the guest computes on its vCPU: its result is in a register after the halt" {
	n=$(random_between 1 2000)
	sum=$((n * (n + 1) * (2 * n + 1) / 6)) # 1*1 + 2*2 + ... + n*n
	run --separate-stderr vmm --set rax="$n" --regs "$(guest compute)"
	assert_success
	assert_line "$(reg_line rbx "$sum")"
	assert_line "$(reg_line rax "$n")"
}

@test "the guest computes in its memory: vmm reads the result back from guest memory" {
	n=$(random_between 1 2000)
	sum=$((n * (n + 1) * (2 * n + 1) / 6))
	result=$(guest_symbol compute result)
	run --separate-stderr vmm --set rax="$n" --peek "$result:4" "$(guest compute)"
	assert_success
	assert_output "$(peek_lines "$result" "$(le_bytes "$sum" 4)")"
}

@test "the image is in guest memory at 0x1000, where the vCPU starts and runs it to its end" {
	image=$(guest ports)
	size=$(stat -c %s "$image")
	# ports.bin ends with its HLT: RIP points just past it, 0x1000 + the image's size.
	run --separate-stderr vmm --regs --peek "0x1000:$size" "$image"
	assert_success
	assert_line "$(reg_line rip $((0x1000 + size)))"
	assert_output --partial "$(peek_lines 0x1000 "$(file_bytes "$image" "$size")")"
}

@test "registers set before the start are the vCPU's: read back after the halt" {
	value=$(random_u64)
	n=$(random_between 1 2000)
	run --separate-stderr vmm --set r15="$value" --set rax="$n" --regs "$(guest compute)"
	assert_success
	assert_line "$(reg_line r15 "$value")"
	assert_line "$(reg_line rax "$n")"
}

@test "an image that fills guest memory to its last byte runs" {
	mem=$((64 * 1024 * $(random_between 1 4)))
	image=$BATS_TEST_TMPDIR/full.bin
	cp "$(guest hello)" "$image"
	truncate -s $((mem - 0x1000)) "$image"
	message=$(sed -n 's/^[[:space:]]*\.asciz "\(.*\)"$/\1/p' "$GUEST_SRC/hello.S")
	run --separate-stderr vmm --mem "$mem" "$image"
	assert_success
	assert_output "$(printf '%b' "$message")"
}

@test "an access to an unknown port is logged on stderr and skipped; the guest goes on" {
	port=$(random_between 0x100 0xffff)
	if ((port == 0x3f8)); then port=0x3f9; fi
	byte=$(random_between 0 0xfe)
	high=$(random_between 0 0xff)
	run --separate-stderr vmm --set rdx="$port" --set rax=$(((high << 8) | byte)) --regs "$(guest ports)"
	assert_success
	assert_equal "$stderr" "$(printf 'vmm: io out to unknown port 0x%04x: size 1, data 0x%02x (ignored)\nvmm: io in from unknown port 0x%04x: size 1 (reads 0xff)' \
		"$port" "$byte" "$port")"
	# The IN read 0xff into AL; AH is untouched.
	assert_line "$(reg_line rax $(((high << 8) | 0xff)))"
}

@test "a guest that triple-faults ends vmm with status 1 and one line on stderr" {
	run --separate-stderr vmm "$(guest triple)"
	assert_equal "$status" 1
	assert_equal "$stderr" "vmm: guest failed: triple fault (KVM_EXIT_SHUTDOWN)"
	assert_output ""
}

# --- bad input: one clear line, exit 125, before any VM exists ----------------
# The command line and the loader are given code (not the learner's), hence the tag.

# bats test_tags=given
@test "a missing image is refused with exit 125" {
	missing=$BATS_TEST_TMPDIR/no-such-guest-$RANDOM.bin
	run --separate-stderr vmm "$missing"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: open $missing: No such file or directory"
}

# bats test_tags=given
@test "an empty image, or one that is not a file, is refused with exit 125" {
	empty=$BATS_TEST_TMPDIR/empty.bin
	: >"$empty"
	run --separate-stderr vmm "$empty"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: load $empty: empty image"
	run --separate-stderr vmm "$BATS_TEST_TMPDIR"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: load $BATS_TEST_TMPDIR: not a regular file"
}

# bats test_tags=given
@test "an image too big for guest memory is refused with exit 125" {
	mem=$((64 * 1024 * $(random_between 1 16)))
	size=$((mem - 0x1000 + $(random_between 1 100)))
	image=$BATS_TEST_TMPDIR/big.bin
	truncate -s "$size" "$image"
	run --separate-stderr vmm --mem "$mem" "$image"
	assert_equal "$status" 125
	assert_equal "$stderr" "$(printf 'vmm: load %s: %d bytes do not fit between 0x1000 and the end of guest memory at 0x%x (see --mem)' \
		"$image" "$size" "$mem")"
}

# bats test_tags=given
@test "a malformed, too small or too large --mem is refused with exit 125" {
	image=$(guest hello)
	for bad in "" 12x 1.5M -64k 0x10000 4k 65535 2G 70000; do
		run --separate-stderr vmm --mem "$bad" "$image"
		assert_equal "$status" 125
		assert_equal "${#lines[@]}" 0
		assert_equal "$(wc -l <<<"$stderr")" 1
		assert_regex "$stderr" "^vmm: --mem $bad: (not a size|too small|too large|not a multiple of 4k)"
	done
	run --separate-stderr vmm --mem 4k "$image"
	assert_equal "$stderr" "vmm: --mem 4k: too small (at least 64k)"
}

# bats test_tags=given
@test "--peek outside guest memory, or a bad --set, is refused with exit 125" {
	run --separate-stderr vmm --mem 64k --peek 0xfff0:17 "$(guest hello)"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: --peek 0xfff0:17: outside guest memory (--mem 65536 bytes)"
	reg=r$(random_between 16 99)
	run --separate-stderr vmm --set "$reg=1" "$(guest hello)"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: --set $reg=1: unknown register $reg"
}

# bats test_tags=given
@test "an unknown option, or no image, is refused with exit 125" {
	opt=--no-such-option-$RANDOM
	run --separate-stderr vmm "$opt" "$(guest hello)"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: unknown option $opt (see 'vmm --help')"
	run --separate-stderr vmm
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: missing GUEST.bin (see 'vmm --help')"
}

# bats test_tags=given
@test "vmm --help describes the contract and exits 0" {
	run vmm --help
	assert_success
	assert_line --index 0 "Usage: vmm [OPTIONS] GUEST.bin"
	assert_output --partial "Exit status: 0 when the guest halts; 1 when the guest fails"
}
