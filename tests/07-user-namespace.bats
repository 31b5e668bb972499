#!/usr/bin/env bats
# Step 07 — user namespace: root inside the container is an unprivileged user outside.
#
# Claims under test (shared/seeds/001_85251f729294c705.txt, "What Stays Isolated"):
#   "User and group IDs (with user namespaces)"
# and (shared/seeds/003_eefc477ecf4908fe.txt) that containers "share the kernel,
# meaning a kernel vulnerability could potentially impact all containers": so a
# container's root should not be the host's root.
#
# Here uid 0 inside is a subordinate uid outside, and it can't do what needs the
# host's root. (The shared kernel stays:
# the boot_id tests of step 00 still pass.)

load helpers

@test "the container has a user namespace of its own" {
	host_ns=$(host_probe ns user)
	run control_probe ns user
	assert_output "$host_ns"
	run box_probe -- ns user
	assert_success
	refute_output "$host_ns"
}

@test "container ids 0.. are the host ids of --userns START:COUNT" {
	start=$(((RANDOM % 100 + 2) * 65536))
	run box_probe --userns "$start:65536" -- read /proc/self/uid_map
	assert_success
	assert_equal "$(echo $output)" "0 $start 65536"
	run box_probe --userns "$start:65536" -- read /proc/self/gid_map
	assert_equal "$(echo $output)" "0 $start 65536"
	run box_probe --userns "$start:65536" -- uid
	assert_output "0 0"
}

@test "a file the container's root creates belongs to the mapped uid on the host" {
	skip_from_step 10 "from step 10 the container writes to a layer of its own (tests/10)"
	start=$(((RANDOM % 100 + 2) * 65536))
	rootfs=$(private_rootfs)
	mkdir "$rootfs/data"
	chown "$start:$start" "$rootfs/data"
	marker=$(random_name file-)
	run "$BOX" run --userns "$start:65536" "$rootfs" /bin/probe write "/data/$marker" hello
	assert_success
	assert_equal "$(stat -c '%u:%g' "$rootfs/data/$marker")" "$start:$start"
}

@test "root inside can not do what needs the host's root" {
	skip_from_step 10 "from step 10 the container writes to a layer of its own (tests/10)"
	rootfs=$(private_rootfs)
	# Control: the previous step's root is the host's root.
	run control_probe errno mknod
	assert_output 0
	run box_probe -- errno mknod
	assert_output EPERM
	# A file of the host's root, in ROOTFS: root inside is not its owner.
	run "$BOX" run "$rootfs" /bin/probe write /etc/hostname pwned
	assert_failure
	assert_output --partial "Permission denied"
	assert_equal "$(cat "$rootfs/etc/hostname")" box
}

@test "rootless: an ordinary user runs the container as root inside" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	user=$(random_name)
	uid=$(((RANDOM % 1000) + 60000))
	run setpriv --reuid="$uid" --regid="$uid" --clear-groups "$BOX" run "$ROOTFS" /bin/sh -c \
		'/bin/probe uid; cat /proc/self/uid_map; cat /proc/self/setgroups'
	assert_success
	assert_line --index 0 "0 0"
	assert_equal "$(echo ${lines[1]})" "0 $uid 1"
	assert_line --index 2 deny
}

# bats test_tags=given
@test "rootless: what still needs real root is refused plainly (exit 125)" {
	command -v setpriv >/dev/null || skip "setpriv (util-linux) is not installed"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$BOX" run --pids 10 "$ROOTFS" /bin/true
	assert_equal "$status" 125
	assert_regex "$stderr" "^box: mkdir /sys/fs/cgroup/.*: Permission denied$"
}

# bats test_tags=given
@test "an --userns range that is malformed, holds the host's root or leaves 32 bits is refused" {
	for bad in 0:65536 100000:0 100000 :10 x:10 4294967295:1 4294967290:10 -5:10 ""; do
		run --separate-stderr "$BOX" run --userns "$bad" "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_regex "$stderr" "^box: run: --userns wants START:COUNT of host ids"
	done
}
