#!/usr/bin/env bats
# Step 01 — chroot: ROOTFS becomes the container's "/".
#
# Claim under test (shared/seeds/002_b5ea030160308a9e.txt):
#   "A container is a lightweight, isolated environment that packages an application
#    together with its dependencies"
#
# The container's files are ROOTFS's files: what is on the host outside ROOTFS is out
# of sight. But chroot(2) is not a security boundary: a root process can climb out,
# and this step keeps that hole open on purpose (step 03 closes it).

load helpers

@test "COMMAND sees ROOTFS as its root directory" {
	rootfs=$(private_rootfs)
	marker=$(random_name marker-)
	touch "$rootfs/$marker"
	run "$BOX" run "$rootfs" /bin/probe exists "/$marker"
	assert_success
	assert_output yes
}

@test "files of the host outside ROOTFS are out of sight" {
	host_file=$BATS_TEST_TMPDIR/$(random_name host-only-)
	touch "$host_file"
	# Control: the host itself sees the file.
	run host_probe exists "$host_file"
	assert_output yes
	run box_probe -- exists "$host_file"
	assert_success
	assert_output no
}

@test "COMMAND starts in the new root directory" {
	run "$BOX" run "$ROOTFS" /bin/sh -c pwd
	assert_success
	assert_output /
}

@test "a root process can climb out of a plain chroot (step 03 closes this)" {
	skip_from_step 3 "step 03 replaces chroot with pivot_root in a mount namespace"
	rootfs=$(private_rootfs)
	host_file=$BATS_TEST_TMPDIR/$(random_name host-only-)
	touch "$host_file"
	run "$BOX" run "$rootfs" /bin/probe exists "$host_file"
	assert_output no
	# chroot into a subdirectory keeps the working directory outside it, and
	# ".." from there climbs to the host's real root.
	run "$BOX" run "$rootfs" /bin/probe escape "$host_file"
	assert_success
	assert_output yes
}

@test "the borrowed /proc is the host's: /proc/PID/root leads out (step 02 fixes this)" {
	skip_from_step 2 "step 02 mounts a procfs of the container's own PID namespace"
	host_file=$BATS_TEST_TMPDIR/$(random_name host-only-)
	touch "$host_file"
	run box_probe -- exists "$host_file"
	assert_output no
	# /proc/PID/root of a host process (this test's shell) is that process's root.
	run box_probe -- exists "/proc/$$/root$host_file"
	assert_success
	assert_output yes
}

@test "/proc is taken back from the host when the container ends" {
	run box_probe -- exists /proc/self/status
	assert_output yes
	run grep -c " $ROOTFS/proc " /proc/self/mountinfo
	assert_output 0
}

# bats test_tags=given
@test "run without root, box says plainly that it needs root (exit 125)" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	skip_from_step 7 "from step 07 box runs rootless, in a user namespace"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BOX" run "$ROOTFS" /bin/true
	assert_equal "$status" 125
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^box: .*: Operation not permitted \(this needs root: try sudo\)$'
}
