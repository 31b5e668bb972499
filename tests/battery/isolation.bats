#!/usr/bin/env bats
# The isolation battery: every isolation and escape check of the container steps, in
# one place, against one box (the latest step: `tools/test-all battery`). Each test
# names the step whose mechanism provides the property. The lesson tests check each
# mechanism in depth; this file is the checklist an attacker would go through.

load ../helpers

# The step that provides a property must exist in the box under test.
needs_step() {
	if ((BOX_STEP < $1)); then skip "box of step $BOX_STEP has no step $1 yet"; fi
}

@test "[01] the host's files outside ROOTFS are out of sight" {
	needs_step 1
	secret=$BATS_TEST_TMPDIR/$(random_name secret-)
	touch "$secret"
	run box_probe -- exists "$secret"
	assert_output no
}

@test "[03] the chroot escape and /proc/PID/root lead nowhere" {
	needs_step 3
	rootfs=$(private_rootfs)
	secret=$BATS_TEST_TMPDIR/$(random_name secret-)
	touch "$secret"
	run "$BOX" run "${ADMIN_OPTS[@]}" --cap-add SYS_CHROOT "$rootfs" /bin/probe escape "$secret"
	assert_output no
	run box_probe -- exists "/proc/$$/root$secret"
	assert_output no
}

@test "[02] host processes are invisible and can't be signalled" {
	needs_step 2
	sleep 30 &
	victim=$!
	run box_probe -- kill "$victim" 9
	kill "$victim"
	wait "$victim" 2>/dev/null || true
	assert_output ESRCH
	run box_probe -- nprocs
	assert_output 1
}

@test "[03] mounts made inside never reach the host" {
	needs_step 3
	marker=$(random_name mnt-)
	run "$BOX" run "${ADMIN_OPTS[@]}" "$ROOTFS" /bin/sh -c \
		"mkdir /tmp/$marker && mount -t tmpfs x /tmp/$marker && grep -c $marker /proc/self/mountinfo"
	assert_output 1
	run grep -c "$marker" /proc/self/mountinfo
	assert_output 0
}

@test "[04] the host's hostname and System V IPC objects are out of reach" {
	needs_step 4
	before=$(hostname)
	run "$BOX" run "${ADMIN_OPTS[@]}" "$ROOTFS" /bin/hostname "$(random_name pwned-)"
	assert_equal "$(hostname)" "$before"
	key=$((RANDOM * 32768 + RANDOM + 1))
	host_probe ipc-create "$key" >/dev/null
	run box_probe -- ipc-exists "$key"
	host_probe ipc-remove "$key"
	assert_output no
}

@test "[05] the network is the container's own: only loopback" {
	needs_step 5
	run box_probe -- ifaces
	assert_output "lo up"
}

@test "[06] a fork bomb hits --pids and an allocation hits --memory" {
	needs_step 6
	run box_probe --pids 16 -- forks 1000
	assert_output "15 EAGAIN"
	run box_probe --memory 24M -- alloc 200
	assert_equal "$status" 137
}

@test "[07] root inside is an unprivileged uid on the host" {
	needs_step 7
	run box_probe -- read /proc/self/uid_map
	assert_equal "$(echo $output)" "0 100000 65536"
	run box_probe --cap-add ALL "${SECCOMP_OFF[@]}" -- errno mknod
	assert_output EPERM
}

@test "[08] root inside lacks the capabilities that matter, and can't regain them" {
	needs_step 8
	run box_probe -- read /proc/self/status
	assert_line --regexp '^CapBnd:[[:space:]]+00000000a80425fb$'
	assert_line --regexp '^NoNewPrivs:[[:space:]]+1$'
}

@test "[08] /proc's windows on the host are masked or read-only" {
	needs_step 8
	run "$BOX" run "$ROOTFS" /bin/sh -c 'echo 1 >/proc/sys/kernel/domainname'
	assert_failure
	assert_output --partial "Read-only file system"
}

@test "[10] the image stays as it was, whatever the container writes" {
	needs_step 10
	rootfs=$(private_rootfs)
	run "$BOX" run "$rootfs" /bin/sh -c 'echo pwned >/etc/passwd && rm -rf /bin/busybox'
	assert_success
	assert_file_exists "$rootfs/bin/busybox"
	refute [ "$(cat "$rootfs/etc/passwd")" = pwned ]
}

@test "[09] dangerous system calls are refused even with every capability" {
	needs_step 9
	for call in mount unshare-net setns keyctl perf_event_open io_uring_setup clone-newns; do
		run box_probe --cap-add ALL -- errno "$call"
		assert_output EPERM
	done
}

@test "[00] but the kernel is the host's: same boot_id and release" {
	run box_probe -- bootid
	assert_output "$(host_probe bootid)"
	run box_probe -- release
	assert_output "$(host_probe release)"
}

@test "[all] 200 container runs, failed and interrupted ones included, leave nothing behind" {
	for ((i = 0; i < 200; i++)); do
		case $((i % 5)) in
		0) "$BOX" run "$ROOTFS" /bin/true ;;
		1) "$BOX" run "$ROOTFS" /no-such-command 2>/dev/null || true ;;
		2) "$BOX" run --no-such-option "$ROOTFS" /bin/true 2>/dev/null || true ;;
		3) "$BOX" run "$ROOTFS" /bin/sh -c 'exit 3' || true ;;
		4)
			"$BOX" run --stop-timeout 0 "$ROOTFS" /bin/sleep 10 &
			sleep 0.02
			kill -TERM $!
			wait $! 2>/dev/null || true
			;;
		esac
	done
	# teardown compares the host with its state before the test: mounts, cgroups,
	# network namespaces, links, processes, files in ROOTFS.
}
