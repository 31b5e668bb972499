#!/usr/bin/env bats
# Step 08 — capabilities: root inside keeps only a small part of root's powers.
#
# Claim under test (shared/seeds/003_eefc477ecf4908fe.txt):
#   "a severe misconfiguration could allow a container to break out of its sandbox"
#
# The configuration box gives by default: the 14 capabilities Docker keeps, in every
# set, no_new_privs, and the parts of /proc that speak of the host hidden or read-only.

load helpers

# Docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP, as /proc shows masks.
default_mask() {
	local mask=0 cap
	for cap in 0 1 3 4 5 6 7 8 10 13 18 27 29 31; do
		mask=$((mask | 1 << cap))
	done
	printf '%016x' "$mask"
}

# cap_status FIELD: the container's CapEff, CapBnd... from /proc/self/status.
cap_status() {
	awk -v f="$1:" '$1 == f {print $2}'
}

@test "CapEff, CapPrm and CapBnd inside are exactly Docker's default set; CapInh and CapAmb are empty" {
	run control_probe read /proc/self/status
	assert_not_equal "$(cap_status CapBnd <<<"$output")" "$(default_mask)"
	run box_probe -- read /proc/self/status
	assert_success
	for field in CapEff CapPrm CapBnd; do
		assert_equal "$(cap_status $field <<<"$output")" "$(default_mask)"
	done
	assert_equal "$(cap_status CapInh <<<"$output")" 0000000000000000
	assert_equal "$(cap_status CapAmb <<<"$output")" 0000000000000000
}

@test "no_new_privs is set: no set-uid bit or file capability can add privileges" {
	run box_probe -- read /proc/self/status
	assert_success
	assert_equal "$(awk '$1 == "NoNewPrivs:" {print $2}' <<<"$output")" 1
}

@test "mount is refused inside (CAP_SYS_ADMIN is gone)" {
	run control_probe errno mount
	assert_output EINVAL
	run box_probe "${SECCOMP_OFF[@]}" -- errno mount
	assert_output EPERM
}

@test "--cap-add gives a capability back, --cap-drop takes one away" {
	run box_probe --cap-add SYS_ADMIN "${SECCOMP_OFF[@]}" -- errno mount
	assert_output EINVAL
	run box_probe -- errno chroot
	assert_output 0
	run box_probe --cap-drop sys_chroot -- errno chroot
	assert_output EPERM
	run box_probe --cap-drop ALL -- read /proc/self/status
	assert_equal "$(cap_status CapBnd <<<"$output")" 0000000000000000
}

@test "/proc's windows on the host are masked, its knobs read-only" {
	run box_probe -- mountpoints
	assert_success
	assert_line /proc/sys
	# What exists depends on the kernel's configuration.
	for f in sysrq-trigger kcore keys timer_list sched_debug; do
		if [[ -e /proc/$f ]]; then assert_line "/proc/$f"; fi
	done
	run "$BOX" run "$ROOTFS" /bin/sh -c 'cat /proc/keys | wc -c; echo x >/proc/sys/kernel/domainname'
	assert_failure
	assert_line --index 0 0
	assert_output --partial "Read-only file system"
}

# bats test_tags=given
@test "an unknown capability name is refused with exit 125" {
	for bad in bogus CAP_ "" 12 net-raw; do
		run --separate-stderr "$BOX" run --cap-add "$bad" "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_equal "$stderr" "box: run: unknown capability (see capabilities(7)): $bad (see 'box run --help')"
	done
}
