#!/usr/bin/env bats
# Step 03 — mount namespace: hidden tests, run by grader/grade only (see helpers.bash here).
#
# The visible tests check that mounts made inside stay inside. These check the other
# direction (private propagation: a mount the host makes later never reaches the
# container) and the two devices of the minimal /dev that the visible test only lists.

load helpers

@test "a mount the host makes after the container started never appears inside" {
	rootfs=$(private_rootfs)
	mkdir "$rootfs/late"
	marker=$(random_name late-)
	go=$BATS_TEST_TMPDIR/go
	out=$BATS_TEST_TMPDIR/out
	mkfifo "$go"
	"$BOX" run "$rootfs" /bin/sh -c "echo ready; read line; /bin/probe exists /late/$marker" \
		<"$go" >"$out" &
	box=$!
	exec 5>"$go"
	wait_for_text "$out" ready
	mount -t tmpfs box-test-late "$rootfs/late"
	touch "$rootfs/late/$marker"
	echo go >&5
	exec 5>&-
	status=0
	wait "$box" || status=$?
	umount "$rootfs/late"
	assert_equal "$status" 0
	assert_equal "$(tail -n 1 "$out")" no
}

@test "/dev/zero reads zeros and /dev/full refuses writes (ENOSPC)" {
	run "$BOX" run "$ROOTFS" /bin/sh -c \
		'head -c 4 /dev/zero | od -An -tx1; { echo x >/dev/full; } 2>/dev/null && echo written || echo refused'
	assert_success
	assert_line --index 0 --regexp '^ *00 00 00 00$'
	assert_line --index 1 refused
}
