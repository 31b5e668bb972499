#!/usr/bin/env bats
# Step 09 — seccomp: system calls the container may not make, whatever its capabilities.
#
# Claim under test (shared/seeds/001_85251f729294c705.txt):
#   "Since containers share the host kernel, a kernel vulnerability could potentially
#    affect all containers."
# and, from its list of what containers share with the host, "System calls interface".
#
# Since every container talks to the one kernel, box narrows what it may ask of it:
# the calls below are refused with EPERM even with every capability (--cap-add ALL),
# while ordinary programs still run.

load helpers

# System calls the default filter refuses. Each is made by the probe with harmless
# arguments, so that when allowed it returns something other than EPERM.
REFUSED=(mount umount pivot_root fsopen unshare-net setns clone-newns keyctl add_key
	request_key perf_event_open userfaultfd reboot clock_settime clock_adjtime
	adjtimex personality io_uring_setup io_uring_enter io_uring_register)

errno_of_all() { # BOX OPTIONS... -> "CALL ERRNO" lines from one container
	"$BOX" run "$@" "$ROOTFS" /bin/sh -c \
		'for c in "$@"; do echo "$c $(/bin/probe errno "$c")"; done' sh "${REFUSED[@]}"
}

@test "at least 16 dangerous system calls are refused with EPERM, even with every capability" {
	assert [ "${#REFUSED[@]}" -ge 16 ]
	# Control: without the filter, each call gets past it and fails (or works) otherwise.
	run errno_of_all --cap-add ALL --seccomp unconfined
	assert_success
	assert_equal "${#lines[@]}" "${#REFUSED[@]}"
	for line in "${lines[@]}"; do
		[[ $line != *" EPERM" ]] || fail "without the filter, $line: the probe can't tell"
	done
	run errno_of_all --cap-add ALL
	assert_success
	for call in "${REFUSED[@]}"; do
		assert_line "$call EPERM"
	done
}

@test "the filter is on by default, and ordinary programs still run under it" {
	run box_probe -- read /proc/self/status
	assert_success
	assert_line --regexp '^Seccomp:[[:space:]]+2$'
	run box_probe --seccomp unconfined -- read /proc/self/status
	assert_line --regexp '^Seccomp:[[:space:]]+0$'
	# A busybox shell pipeline, a background job, and plain forks (clone without
	# namespace flags) under the filter.
	words=$((RANDOM % 20 + 3))
	run "$BOX" run "$ROOTFS" /bin/sh -c \
		"grep -q '^Seccomp:.*2' /proc/self/status && seq $words | tr '0-9' 'a-j' | sort -r | uniq | wc -l; (sleep 0.1; echo child) & wait"
	assert_success
	assert_line --index 0 "$words"
	assert_line --index 1 child
	run box_probe -- forks 5
	assert_success
	assert_output "5 0"
}

# bats test_tags=given
@test "an unknown --seccomp profile is refused with exit 125" {
	for bad in "" strict Default unconfined2; do
		run --separate-stderr "$BOX" run --seccomp "$bad" "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_equal "$stderr" "box: run: --seccomp wants default or unconfined, not $bad (see 'box run --help')"
	done
}
