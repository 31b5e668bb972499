#!/usr/bin/env bats
# Step 04 — UTS and IPC namespaces: a hostname and System V IPC objects of its own.
#
# Claim under test (shared/seeds/001_85251f729294c705.txt, "How Containers Isolate"):
#   "UTS namespace: Hostname and domain name"
#   "IPC namespace: Inter-process communication"
#
# The container renames itself without renaming the host, and System V IPC objects
# on either side are invisible on the other.

load helpers

@test "the container has UTS and IPC namespaces of its own" {
	for ns in uts ipc; do
		host_ns=$(host_probe ns $ns)
		run control_probe ns $ns
		assert_output "$host_ns"
		run box_probe -- ns $ns
		assert_success
		refute_output "$host_ns"
	done
}

@test "--hostname NAME is the container's hostname" {
	name=$(random_name box-)
	run box_probe --hostname "$name" -- hostname
	assert_success
	assert_output "$name"
}

@test "the host's hostname never changes, even when the container renames itself" {
	before=$(hostname)
	# Without a UTS namespace the rename below would rename the host: check first.
	run box_probe -- ns uts
	assert_success
	refute_output "$(host_probe ns uts)"
	run "$BOX" run "${ADMIN_OPTS[@]}" --hostname "$(random_name a-)" "$ROOTFS" /bin/sh -c "hostname $(random_name b-) && hostname"
	assert_success
	refute_output "$before"
	assert_equal "$(hostname)" "$before"
}

@test "System V IPC objects of the host are invisible inside" {
	key=$((RANDOM * 32768 + RANDOM + 1))
	host_probe ipc-create "$key" >/dev/null
	run control_probe ipc-exists "$key"
	control=$output
	run box_probe -- ipc-exists "$key"
	host_probe ipc-remove "$key"
	assert_equal "$control" yes
	assert_output no
}

@test "System V IPC objects made inside are invisible to the host, and die with the container" {
	key=$((RANDOM * 32768 + RANDOM + 1))
	out=$BATS_TEST_TMPDIR/out
	"$BOX" run --stop-timeout 0 "$ROOTFS" /bin/sh -c "/bin/probe ipc-create $key >/dev/null && echo created && sleep 30" >"$out" &
	box=$!
	wait_for_text "$out" created
	run host_probe ipc-exists "$key"
	kill -TERM "$box"
	wait "$box" || true
	[[ $output == yes ]] && host_probe ipc-remove "$key"
	assert_output no
}

# bats test_tags=given
@test "an empty or over-long --hostname is refused with exit 125" {
	long=$(printf 'h%.0s' {1..65})
	for bad in "" "$long"; do
		run --separate-stderr "$BOX" run --hostname "$bad" "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_equal "$stderr" "box: run: --hostname wants 1 to 64 characters, not $bad (see 'box run --help')"
	done
}
