#!/usr/bin/env bats
# Step 06 — cgroups: limits on memory, processes and CPU time.
#
# Claims under test:
#   "cgroups (control groups): Limit and account for the resource usage of a set of
#    processes (CPU, memory, network I/O, block I/O)." (shared/seeds/000_ed2bbe9563cc8455.txt)
#   "Each Alpine container uses ~1-2 MB of RAM" (shared/seeds/001_85251f729294c705.txt)
#     is measured in the lesson and by `make bench`, not here.
#
# These tests run on the host's cgroup layout (cgroup v1, hybrid, on the lab
# machines); the cgroup v2 file logic is unit-tested in tests/unit/, and the suite
# cgroup2 of tools/test-all runs these tests again on cgroup v2 only, in a vm-lab
# guest (tools/cgroup2-tests).

load helpers

# The container's cgroup directories on the host while box (pid $1) runs.
container_cgroups() {
	# Other containers' cgroups may vanish during the walk: not an error here.
	find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -name "box-$1" 2>/dev/null || true
}

@test "the container runs in a cgroup of its own, created for it and removed after it" {
	out=$BATS_TEST_TMPDIR/out
	# The container waits for a line on a FIFO, so it is still there when its
	# cgroup is checked, however slow the machine (an emulated one, in vm-lab).
	mkfifo "$BATS_TEST_TMPDIR/go"
	"$BOX" run "$ROOTFS" /bin/sh -c 'echo ready; read line' >"$out" <"$BATS_TEST_TMPDIR/go" &
	box=$!
	exec {go}>"$BATS_TEST_TMPDIR/go"
	wait_for_text "$out" ready
	run container_cgroups "$box"
	assert_success
	refute_output ""
	for dir in "${lines[@]}"; do
		# Exactly one process, the container's: a child of box.
		procs=$(cat "$dir/cgroup.procs")
		assert_equal "$(grep -c . <<<"$procs")" 1
		assert_equal "$(awk '{print $4}' "/proc/$procs/stat")" "$box"
	done
	echo done >&"$go"
	exec {go}>&-
	wait "$box"
	run container_cgroups "$box"
	assert_output ""
}

@test "the container has a cgroup namespace: it sees its cgroup as the root" {
	host_ns=$(host_probe ns cgroup)
	run control_probe ns cgroup
	assert_output "$host_ns"
	run box_probe -- ns cgroup
	assert_success
	refute_output "$host_ns"
	run box_probe -- read /proc/self/cgroup
	assert_success
	refute_output --partial box-
}

@test "a fork bomb under --pids gets EAGAIN, and the host is unaffected" {
	limit=$((RANDOM % 10 + 5))
	run box_probe --pids "$limit" -- forks 200
	assert_success
	# The probe itself is one of the limit's processes.
	assert_output "$((limit - 1)) EAGAIN"
	run host_probe forks 50
	assert_output "50 0"
}

@test "a memory hog over --memory is OOM-killed (exit 137, box says why); a smaller allocation passes" {
	run --separate-stderr box_probe --memory 32M -- alloc 96
	assert_equal "$status" 137
	assert_regex "$stderr" "^box: the container ran out of memory \(limit 32.0 MiB\): [0-9]+ process(es)? killed$"
	run box_probe --memory 32M -- alloc 8
	assert_success
	assert_output ok
}

@test "--cpus 0.2 throttles a busy loop to about a fifth of a CPU" {
	run box_probe --cpus 0.2 -- spin 1.5
	assert_success
	# CPU time over wall time; generous bounds, since the machine may be busy.
	assert [ "$(awk -v r="$output" 'BEGIN { print (r > 0.05 && r < 0.4) }')" = 1 ]
}

# bats test_tags=given
@test "an interrupted container's cgroup is removed too" {
	out=$BATS_TEST_TMPDIR/out
	"$BOX" run --stop-timeout 1 "$ROOTFS" /bin/sh -c 'echo ready; exec sleep 30' >"$out" &
	box=$!
	wait_for_text "$out" ready
	kill -INT "$box"
	wait "$box" || true
	run container_cgroups "$box"
	assert_output ""
}

# bats test_tags=given
@test "absurd limits are refused with exit 125" {
	for bad in "--memory 10XB" "--memory 0" "--memory 1M" "--pids -1" "--pids 0" "--cpus 0" \
		"--cpus x" "--cpus 0.001" "--cpus 1e9"; do
		# shellcheck disable=SC2086 # split "--option value"
		run --separate-stderr "$BOX" run $bad "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_regex "$stderr" "^box: run: ${bad%% *} wants "
	done
}
