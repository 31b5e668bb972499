#!/usr/bin/env bats
# Step 02 — PID namespace: hidden tests, run by grader/grade only (see helpers.bash here).
#
# Two consequences of CLONE_NEWPID that the lesson explains ("What being PID 1 means")
# but the visible tests do not check: the container's PID 1 has no parent in its own
# world, and orphans inside are adopted by it, not by a process of the host.

load helpers

@test "the container's PID 1 has no parent inside: getppid() is 0" {
	run control_probe ppid
	refute_output 0
	run box_probe -- ppid
	assert_success
	assert_output 0
}

@test "an orphan inside is adopted by the container's PID 1, not by a process of the host" {
	# The inner shell starts a sleep and exits at once: the sleep is orphaned. Its new
	# parent must be COMMAND, the outer shell ($$), which is PID 1. Without a PID
	# namespace the orphan goes to an init or subreaper of the host instead.
	run "$BOX" run "$ROOTFS" /bin/sh -c '
		orphan=$(/bin/sh -c "sleep 30 </dev/null >/dev/null 2>&1 & echo \$!")
		sleep 0.2
		set -- $(cat /proc/$orphan/stat)
		echo "$$ $4"
		kill -KILL $orphan'
	assert_success
	assert_output "1 1"
}
