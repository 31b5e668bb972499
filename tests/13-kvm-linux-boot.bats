#!/usr/bin/env bats
# Step 13 — Linux on vmm: vmm boots a real kernel (Debian's bzImage) with the
# workshop's initramfs, through the Linux x86 boot protocol.
#
# Claim under test (shared/seeds/000_ed2bbe9563cc8455.txt, "Comparison / Trade-offs"):
#   "Each VM has its own Guest OS kernel"
#
# The guest's init (tools/vmm-guest/init, built into an initramfs by tools/mkinitrd)
# prints its kernel release, its boot_id, its MemTotal and its command line, then
# reboots. A kernel makes a fresh random boot_id when it boots: a container reads
# its host's, since it runs on the host's kernel (the control: a process in new PID
# and mount namespaces with a /proc of its own, as box's), the VM reads the one of a
# kernel that booted inside it. Needs /dev/kvm: run with
#     tools/with-kvm --session -- bats tests/13-kvm-linux-boot.bats
# Under nested KVM on an emulated CPU a boot takes from seconds to a minute or two,
# so each guest boots once (boot_guest) and several tests read its output.

load vmm-helpers

KERNEL=${KERNEL:-$REPO/build/vm-lab/vmlinuz}
INITRD=${INITRD:-$REPO/build/vmm-guest/initrd.cpio.gz}

setup_file() {
	if [[ ! -f $KERNEL ]]; then
		echo "no kernel $KERNEL: make it with vm-lab/build-guest" >&2
		return 1
	fi
	"$REPO/tools/mkinitrd"
	# Drawn once for the file: the two boots below and the tests that read them.
	export MEM_SMALL=$(random_between 128 192)M
	export MEM_LARGE=$((${MEM_SMALL%M} + $(random_between 192 320)))M
	export MARKER=vmmtest=$(printf '%08x' $(((RANDOM << 16) ^ RANDOM)))
}

# boot_guest NAME [VMM OPTIONS...]: boots the guest once per test file under NAME
# (later calls reuse the first boot's results) and sets output, stderr and status as
# bats's run --separate-stderr does.
boot_guest() {
	local name=$1 dir=$BATS_FILE_TMPDIR/boot-$1
	shift
	if [[ ! -f $dir/status ]]; then
		mkdir -p "$dir"
		local s=0
		VMM_TIMEOUT=290 vmm --kernel "$KERNEL" --initrd "$INITRD" "$@" >"$dir/out" 2>"$dir/err" || s=$?
		echo "$s" >"$dir/status"
	fi
	# The guest's tty ends its lines with \r\n (onlcr), as a terminal wants them.
	output=$(tr -d '\r' <"$dir/out")
	stderr=$(cat "$dir/err")
	status=$(cat "$dir/status")
	mapfile -t lines <<<"$output"
}

# The guest's small boot, which most tests read: quiet (the kernel's log costs time
# on a serial port), with a marker on the command line and the boot timer on.
boot_small() {
	boot_guest small --mem "$MEM_SMALL" --cmdline "quiet $MARKER" --boot-time
}

# VALUE of the init's line "guest-KEY: VALUE" in $output.
guest_value() {
	sed -n "s/^guest-$1: //p" <<<"$output"
}

# The kernel release a bzImage carries: the string at kernel_version (header offset
# 0x20e) + 0x200, up to its first space ("6.1.0-56-amd64 (debian-kernel@...) #1 ...").
image_release() {
	local offset
	offset=$(od -An -tu2 -j $((0x20e)) -N 2 "$1" | tr -d ' ')
	dd if="$1" bs=1 skip=$((offset + 0x200)) count=64 2>/dev/null | tr '\0' '\n' | head -n1 | cut -d' ' -f1
}

# A copy of the kernel with COUNT bytes at OFFSET replaced by the bytes of HEX.
patched_kernel() {
	local copy=$BATS_TEST_TMPDIR/vmlinuz offset=$1 hex=$2
	cp "$KERNEL" "$copy"
	printf "$(sed 's/../\\x&/g' <<<"$hex")" | dd of="$copy" bs=1 seek=$((offset)) conv=notrunc 2>/dev/null
	echo "$copy"
}

@test "the guest's kernel is one of its own: its boot_id is not the host's" {
	host_boot_id=$(cat /proc/sys/kernel/random/boot_id)
	run unshare --pid --fork --mount --mount-proc cat /proc/sys/kernel/random/boot_id
	assert_success
	assert_output "$host_boot_id"
	boot_small
	assert_success
	guest_boot_id=$(guest_value boot-id)
	assert_regex "$guest_boot_id" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
	assert_not_equal "$guest_boot_id" "$host_boot_id"
}

@test "the guest runs the kernel vmm was given: its release is the bzImage's" {
	release=$(image_release "$KERNEL")
	[[ -n $release ]]
	boot_small
	assert_success
	assert_equal "$(guest_value release)" "$release"
}

@test "the guest boots to its init and reboots: no kernel panic, vmm exits 0" {
	boot_small
	assert_success
	assert_line --regexp '^guest-release: '
	assert_line --regexp '^guest-memtotal-kb: [0-9]+$'
	refute_output --partial "Kernel panic"
	assert_equal "$(grep 'guest failed' <<<"$stderr")" ""
}

@test "--cmdline reaches the guest's kernel: /proc/cmdline has it" {
	boot_small
	assert_success
	assert_regex "$(guest_value cmdline)" "(^| )$MARKER( |\$)"
	assert_regex "$(guest_value cmdline)" "(^| )console=ttyS0( |\$)"
}

@test "the guest's memory is what --mem says: MemTotal follows it" {
	boot_small
	assert_success
	small_kb=$(guest_value memtotal-kb)
	boot_guest large --mem "$MEM_LARGE" --cmdline quiet
	assert_success
	large_kb=$(guest_value memtotal-kb)
	# MemTotal is RAM less what the kernel keeps for itself (its code, the memory
	# map's holes): below --mem, and growing as --mem grows, almost byte for byte.
	((small_kb < ${MEM_SMALL%M} * 1024))
	((large_kb < ${MEM_LARGE%M} * 1024))
	((small_kb > ${MEM_SMALL%M} * 1024 / 2))
	added_kb=$(((${MEM_LARGE%M} - ${MEM_SMALL%M}) * 1024))
	grown_kb=$((large_kb - small_kb))
	echo "MemTotal: $small_kb kB with $MEM_SMALL, $large_kb kB with $MEM_LARGE" >&3
	((grown_kb <= added_kb && grown_kb > added_kb * 95 / 100))
}

@test "--boot-time reports when the guest's init signalled, on stderr" {
	boot_small
	assert_success
	assert_regex "$stderr" '(^|'$'\n'')vmm: guest init after [0-9]+ ms($|'$'\n'')'
	echo "$(grep 'guest init after' <<<"$stderr") (--mem $MEM_SMALL)" >&3
}

@test "a kernel panic ends vmm with status 1 and one line on stderr" {
	# No init where the kernel looks for it: the kernel panics and resets at once
	# (panic=-1), warm; vmm tells that reset from the cold one of init's reboot.
	boot_guest panic --mem "$MEM_SMALL" --cmdline "quiet rdinit=/no-such-init"
	assert_equal "$status" 1
	assert_output --partial "Kernel panic"
	refute_line --regexp '^guest-'
	assert_equal "$(grep '^vmm: guest failed' <<<"$stderr")" \
		"vmm: guest failed: kernel panic (the guest reset itself warm, as reboot=panic_warm asks after a panic)"
}

# --- bad input: one clear line, exit 125, before any VM exists ----------------

@test "memory too small for the kernel is refused with exit 125" {
	run --separate-stderr vmm --kernel "$KERNEL" --initrd "$INITRD" --mem 32M
	assert_equal "$status" 125
	assert_output ""
	assert_regex "$stderr" "^vmm: 32 MiB of memory is too small for this kernel: it needs more than [0-9]+ MiB to start$"
}

@test "an initrd too big for guest memory above the kernel is refused with exit 125" {
	# Smaller than the memory, but not above the 80 MiB the kernel needs to start.
	big=$BATS_TEST_TMPDIR/big.cpio
	truncate -s 100M "$big"
	run --separate-stderr vmm --kernel "$KERNEL" --initrd "$big" --mem 128M
	assert_equal "$status" 125
	assert_output ""
	assert_regex "$stderr" "^vmm: the initrd \(100 MiB\) does not fit in memory above the kernel \([0-9]+ MiB free\): give the guest more memory$"
}

# The command line, the files and the bzImage header are given code, hence the tag.

# bats test_tags=given
@test "a missing kernel or initrd is refused with exit 125" {
	missing=$BATS_TEST_TMPDIR/no-such-file-$RANDOM
	run --separate-stderr vmm --kernel "$missing" --initrd "$INITRD"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: open $missing: No such file or directory"
	run --separate-stderr vmm --kernel "$KERNEL" --initrd "$missing"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: open $missing: No such file or directory"
	run --separate-stderr vmm --kernel "$KERNEL"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: --kernel wants --initrd too (see 'vmm --help')"
	run --separate-stderr vmm --initrd "$INITRD" "$missing"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: --initrd, --cmdline and --boot-time go with --kernel (see 'vmm --help')"
}

# bats test_tags=given
@test "a truncated kernel image is refused with exit 125" {
	short=$BATS_TEST_TMPDIR/short
	head -c 700 "$KERNEL" >"$short"
	run --separate-stderr vmm --kernel "$short" --initrd "$INITRD"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: $short: truncated bzImage (700 bytes)"
	size=$(($(stat -c %s "$KERNEL") / 2))
	head -c "$size" "$KERNEL" >"$short"
	run --separate-stderr vmm --kernel "$short" --initrd "$INITRD"
	assert_equal "$status" 125
	assert_regex "$stderr" "^vmm: $short: truncated bzImage \($size bytes, its header says [0-9]+\)$"
}

# bats test_tags=given
@test "a file that is no bzImage (no HdrS magic) is refused with exit 125" {
	bad=$(patched_kernel 0x202 48647258) # "HdrX"
	run --separate-stderr vmm --kernel "$bad" --initrd "$INITRD"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: $bad: not a bzImage (no \"HdrS\" magic in its setup header)"
	run --separate-stderr vmm --kernel "$INITRD" --initrd "$INITRD"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: $INITRD: not a bzImage (no \"HdrS\" magic in its setup header)"
}

# bats test_tags=given
@test "a kernel with too old a boot protocol is refused with exit 125" {
	old=$(patched_kernel 0x206 0902) # version 2.09, little-endian
	run --separate-stderr vmm --kernel "$old" --initrd "$INITRD"
	assert_equal "$status" 125
	assert_equal "$stderr" "vmm: $old: boot protocol 2.09 is too old (vmm needs 2.12 or later)"
}

# bats test_tags=given
@test "a malformed --mem, or one above 1G, is refused with exit 125" {
	for bad in "" 12x 1.5M -64M 2G; do
		run --separate-stderr vmm --kernel "$KERNEL" --initrd "$INITRD" --mem "$bad"
		assert_equal "$status" 125
		assert_output ""
		assert_equal "$(wc -l <<<"$stderr")" 1
		assert_regex "$stderr" "^vmm: --mem $bad: (not a size|too large)"
	done
}

# bats test_tags=given
@test "vmm --help describes --kernel, --initrd, --cmdline and --boot-time" {
	run vmm --help
	assert_success
	assert_line --index 1 "       vmm [OPTIONS] --kernel BZIMAGE --initrd CPIO"
	for opt in --kernel --initrd --cmdline --boot-time; do
		assert_line --regexp "^  $opt "
	done
	assert_output --partial "With --kernel: 0 when the guest reboots, 1 when its kernel panics."
}
