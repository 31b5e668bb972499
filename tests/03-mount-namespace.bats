#!/usr/bin/env bats
# Step 03 — mount namespace: the container's own mount table, entered with pivot_root.
#
# Claim under test (shared/seeds/001_85251f729294c705.txt, "How Containers Isolate"):
#   "Mount namespace: Filesystem mount points"
#
# Mount points made inside never reach the host, the host's filesystem is gone from
# the container (not just hidden as with chroot), and the escape of step 01 fails.

load helpers

@test "the container has a mount namespace of its own" {
	host_ns=$(host_probe ns mnt)
	run control_probe ns mnt
	assert_output "$host_ns"
	run box_probe -- ns mnt
	assert_success
	refute_output "$host_ns"
}

@test "a mount made inside the container never appears on the host" {
	marker=$(random_name mnt-)
	out=$BATS_TEST_TMPDIR/out
	"$BOX" run --stop-timeout 0 "${ADMIN_OPTS[@]}" "$ROOTFS" /bin/sh -c \
		"mkdir /tmp/$marker && mount -t tmpfs box-test /tmp/$marker && echo mounted && sleep 30" >"$out" &
	box=$!
	wait_for_text "$out" mounted
	run grep -c "$marker" /proc/self/mountinfo
	kill -TERM "$box"
	wait "$box" || true
	assert_output 0
}

@test "the chroot escape of step 01 no longer reaches the host" {
	rootfs=$(private_rootfs)
	host_file=$BATS_TEST_TMPDIR/$(random_name host-only-)
	touch "$host_file"
	run "$BOX" run "$rootfs" /bin/probe escape "$host_file"
	assert_success
	assert_output no
}

@test "the old root is detached: the container's mount table holds only its own mounts" {
	run box_probe -- mountpoints
	assert_success
	for mountpoint in "${lines[@]}"; do
		case $mountpoint in
		/ | /proc | /proc/* | /dev | /dev/* | /tmp) ;;
		*) fail "unexpected mount point inside the container: $mountpoint" ;;
		esac
	done
	assert_line /
	assert_line /proc
}

@test "/dev is minimal and its devices work" {
	run "$BOX" run "$ROOTFS" /bin/sh -c 'ls /dev; echo x >/dev/null && head -c 16 /dev/urandom | wc -c'
	assert_success
	assert_output "$(printf '%s\n' fd full null random stderr stdin stdout tty urandom zero 16)"
}

@test "/tmp is a fresh tmpfs: writes to it never reach ROOTFS" {
	marker=$(random_name tmp-)
	run "$BOX" run "$ROOTFS" /bin/sh -c "echo hi >/tmp/$marker && ls /tmp"
	assert_success
	assert_output "$marker"
	assert_file_not_exists "$ROOTFS/tmp/$marker"
}

@test "even a box killed with SIGKILL leaves no mount on the host" {
	# Up to step 02 the container's /proc is mounted in the host's mount table, and
	# only box's cleanup takes it back: a SIGKILL leaves it there. From step 03 it
	# lives in the container's mount namespace, which dies with the container.
	out=$BATS_TEST_TMPDIR/out
	"$BOX" run "$ROOTFS" /bin/sh -c 'echo ready; exec sleep 30' >"$out" &
	box=$!
	wait_for_text "$out" ready
	kill -KILL "$box"
	wait "$box" || true
	run grep -c " $ROOTFS/" /proc/self/mountinfo
	reap_killed_box "$box"
	assert_output 0
}
