#!/usr/bin/env bats
# Step 00 — fork, exec, wait: the baseline "container" is just a child process.
#
# Claim under test (shared/seeds/001_85251f729294c705.txt, "Containers:"):
#   "Virtualize the operating system layer"
#   "Share the host kernel with other containers"
#
# A process started by box runs on the host's kernel: same boot_id, same release.
# These tests also pin down box's contract (status, stdio, signals, errors), which
# every later step keeps.

load helpers

@test "COMMAND's exit status becomes box's exit status" {
	code=$((RANDOM % 100 + 1))
	run "$BOX" run "$ROOTFS" /bin/sh -c "exit $code"
	assert_equal "$status" "$code"
}

@test "stdin, stdout and stderr are COMMAND's own" {
	marker=$(random_name in-)
	err=$(random_name err-)
	run --separate-stderr "$BOX" run "$ROOTFS" /bin/sh -c "cat; echo $err >&2" <<<"$marker"
	assert_success
	assert_output "$marker"
	assert_equal "$stderr" "$err"
}

@test "COMMAND's arguments, options included, reach it unchanged" {
	word=$(random_name)
	run "$BOX" run "$ROOTFS" /bin/sh -c 'for a; do echo "[$a]"; done' sh --help -x "two $word"
	assert_success
	assert_output "$(printf '[--help]\n[-x]\n[two %s]' "$word")"
}

@test "a COMMAND that is not found exits 127 and says so" {
	missing=/$(random_name no-such-command-)
	run -127 --separate-stderr "$BOX" run "$ROOTFS" "$missing"
	assert_equal "$status" 127
	assert_equal "$stderr" "box: exec $missing: No such file or directory"
}

@test "a COMMAND that cannot be executed exits 126" {
	# /etc/passwd exists on the host and in the test root filesystem, never executable.
	run -126 --separate-stderr "$BOX" run "$ROOTFS" /etc/passwd
	assert_equal "$status" 126
	assert_equal "$stderr" "box: exec /etc/passwd: Permission denied"
}

@test "a COMMAND killed by signal N makes box exit 128+N" {
	# A real segmentation fault: even a PID 1 (step 02) cannot ignore it.
	run "$BOX" run "$ROOTFS" "$(probe_path)" segv
	assert_equal "$status" $((128 + 11))
}

@test "SIGTERM and SIGINT sent to box reach COMMAND" {
	for sig in TERM INT; do
		code=$((RANDOM % 50 + 60))
		out=$BATS_TEST_TMPDIR/out-$sig
		# A background job starts with SIGINT ignored; env gives box the default back.
		env --default-signal=INT "$BOX" run "$ROOTFS" /bin/sh -c \
			"trap 'kill \$!; exit $code' $sig; sleep 30 & echo ready; wait" >"$out" &
		box=$!
		wait_for_text "$out" ready
		kill -"$sig" "$box"
		status=0
		wait "$box" || status=$?
		assert_equal "$status" "$code"
	done
}

@test "containers share the host kernel: boot_id and kernel release are the host's" {
	host_boot=$(host_probe bootid)
	host_release=$(host_probe release)
	run box_probe -- bootid
	assert_success
	assert_output "$host_boot"
	run box_probe -- release
	assert_success
	assert_output "$host_release"
}

@test "step 00 isolates nothing: COMMAND is in the host's PID namespace" {
	skip_from_step 2 "step 02 gives the container its own PID namespace"
	run box_probe -- ns pid
	assert_success
	assert_output "$(host_probe ns pid)"
}

# --- bad input: one clear line, exit 125, nothing left behind -----------------
# The command line is given code (not the learner's), hence the tag.

# bats test_tags=given
@test "a missing ROOTFS is refused with exit 125" {
	missing=$BATS_TEST_TMPDIR/$(random_name no-rootfs-)
	run --separate-stderr "$BOX" run "$missing" /bin/true
	assert_equal "$status" 125
	assert_equal "$stderr" "box: stat $missing: No such file or directory"
}

# bats test_tags=given
@test "a ROOTFS that is not a directory is refused with exit 125" {
	file=$BATS_TEST_TMPDIR/file
	touch "$file"
	run --separate-stderr "$BOX" run "$file" /bin/true
	assert_equal "$status" 125
	assert_equal "$stderr" "box: use as ROOTFS $file: Not a directory"
}

# bats test_tags=given
@test "an unknown option is refused with exit 125" {
	opt=--$(random_name no-such-option-)
	run --separate-stderr "$BOX" run "$opt" "$ROOTFS" /bin/true
	assert_equal "$status" 125
	assert_equal "$stderr" "box: run: unknown option $opt (see 'box run --help')"
}

# bats test_tags=given
@test "ROOTFS without COMMAND is refused with exit 125" {
	run --separate-stderr "$BOX" run "$ROOTFS"
	assert_equal "$status" 125
	assert_equal "$stderr" "box: run: missing COMMAND after $ROOTFS (see 'box run --help')"
}

# bats test_tags=given
@test "box with no arguments, or an unknown subcommand, exits 125" {
	run --separate-stderr "$BOX"
	assert_equal "$status" 125
	assert_equal "${#lines[@]}" 0
	assert_equal "$(wc -l <<<"$stderr")" 1
	run --separate-stderr "$BOX" "$(random_name walk-)"
	assert_equal "$status" 125
	assert_equal "$(wc -l <<<"$stderr")" 1
}

# bats test_tags=given
@test "box run --help describes the options and exits 0" {
	run "$BOX" run --help
	assert_success
	assert_line --index 0 "Usage: box run [OPTIONS] ROOTFS COMMAND [ARG...]"
}
