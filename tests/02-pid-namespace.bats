#!/usr/bin/env bats
# Step 02 — PID namespace: COMMAND is PID 1 and sees only the container's processes.
#
# Claim under test (shared/seeds/001_85251f729294c705.txt, "How Containers Isolate"):
#   "PID namespace: Process IDs (container sees only its processes)"
#
# Checked here with namespace identities (inodes of /proc/PID/ns/pid) held in
# variables, against a control (the previous step's box) that must see the host's values.

load helpers

@test "the container has a PID namespace of its own" {
	host_ns=$(host_probe ns pid)
	run control_probe ns pid
	assert_output "$host_ns"
	run box_probe -- ns pid
	assert_success
	refute_output "$host_ns"
}

@test "COMMAND is PID 1" {
	run control_probe pid
	refute_output 1
	run box_probe -- pid
	assert_success
	assert_output 1
}

@test "a container sees only its own processes" {
	run control_probe nprocs
	assert [ "$output" -gt 1 ]
	# A shell (PID 1) starts the probe (PID 2): the container holds exactly these two.
	run "$BOX" run "$ROOTFS" /bin/sh -c '/bin/probe pids; true'
	assert_success
	assert_output "$(printf '1\n2')"
}

@test "a process of the host can not be signalled from inside" {
	sleep 30 &
	host_pid=$!
	run control_probe kill "$host_pid" 0
	assert_output 0
	run box_probe -- kill "$host_pid" 0
	kill "$host_pid"
	wait "$host_pid" 2>/dev/null || true
	assert_success
	assert_output ESRCH
}

@test "/proc inside is a fresh procfs: /proc/1 is the container's PID 1" {
	marker=$(random_name cmd-)
	run "$BOX" run "$ROOTFS" /bin/sh -c "/bin/probe read /proc/1/cmdline | tr '\\0' ' '; true" "$marker"
	assert_success
	assert_output --partial "$marker"
}

@test "processes left running by COMMAND die with the container" {
	# The shell leaves a sleep behind; when PID 1 exits, the kernel kills the
	# whole PID namespace. (In steps 00-01 the sleep would outlive box.)
	run "$BOX" run "$ROOTFS" /bin/sh -c 'sleep 60 >/dev/null 2>&1 & echo started'
	assert_success
	assert_output started
	run test_processes
	assert_output ""
}

@test "a PID 1 without a SIGTERM handler is killed after --stop-timeout" {
	out=$BATS_TEST_TMPDIR/out
	# sleep has no handler: as PID 1 the kernel drops the forwarded SIGTERM.
	"$BOX" run --stop-timeout 1 "$ROOTFS" /bin/sh -c 'echo ready; exec sleep 30' >"$out" &
	box=$!
	wait_for_text "$out" ready
	kill -TERM "$box"
	status=0
	wait "$box" || status=$?
	assert_equal "$status" $((128 + 9))
}

# bats test_tags=given
@test "a malformed --stop-timeout is refused with exit 125" {
	for bad in -1 x 1.5 3601 ""; do
		run --separate-stderr "$BOX" run --stop-timeout "$bad" "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_equal "$stderr" "box: run: --stop-timeout wants seconds from 0 to 3600, not $bad (see 'box run --help')"
	done
	run --separate-stderr "$BOX" run --stop-timeout
	assert_equal "$status" 125
	assert_equal "$stderr" "box: run: missing value for option --stop-timeout (see 'box run --help')"
}
