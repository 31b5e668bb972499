#!/usr/bin/env bats
# Step 05 — network namespace: a network stack of its own, and a veth cable to the host.
#
# Claim under test (shared/seeds/001_85251f729294c705.txt, "How Containers Isolate"):
#   "Network namespace: Network interfaces, IP addresses"
#
# The container starts with loopback only; with --veth it reaches the host side over a
# veth pair, and the link goes away with the container. The "host side" in these tests
# is a network namespace each test makes for itself: no test touches the host's network.

load helpers

@test "the container has a network namespace of its own" {
	host_ns=$(host_probe ns net)
	run control_probe ns net
	assert_output "$host_ns"
	run box_probe -- ns net
	assert_success
	refute_output "$host_ns"
}

@test "by default the container has only loopback, and it is up" {
	run control_probe ifaces
	refute_output "lo up"
	run box_probe -- ifaces
	assert_success
	assert_output "lo up"
}

@test "with --veth, a TCP echo crosses the link between the host side and the container" {
	make_test_netns
	random_link
	port=$((RANDOM % 20000 + 20000))
	marker=$(random_name echo-)
	out=$BATS_TEST_TMPDIR/out
	in_netns "$BOX" run --stop-timeout 0 --veth "$HOST_ADDR/30,$CONTAINER_ADDR/30" "$ROOTFS" \
		/bin/probe tcp-serve "$port" >"$out" &
	box=$!
	wait_for_text "$out" ready
	run in_netns "$ROOTFS/bin/probe" tcp-echo "$CONTAINER_ADDR" "$port" "$marker"
	# The server exits after one connection; if none came, don't wait for its alarm.
	[[ $status == 0 ]] || kill -TERM "$box"
	wait "$box" || true
	assert_success
	assert_output "$marker"
}

@test "with --veth, each end has the address it was given" {
	make_test_netns
	random_link
	name=$(random_name v)
	run in_netns "$BOX" run --veth "$HOST_ADDR/30,$CONTAINER_ADDR/30" --veth-name "$name" \
		"$ROOTFS" /bin/sh -c "/bin/probe addrs; /bin/probe ifaces"
	assert_success
	assert_line "eth0 $CONTAINER_ADDR/30"
	assert_line "eth0 up"
}

@test "the veth link exists while the container runs and is gone when it exits" {
	make_test_netns
	random_link
	name=$(random_name v)
	out=$BATS_TEST_TMPDIR/out
	in_netns "$BOX" run --veth "$HOST_ADDR/30,$CONTAINER_ADDR/30" --veth-name "$name" \
		"$ROOTFS" /bin/sh -c 'echo ready; read line' >"$out" < <(sleep 1; echo done) &
	box=$!
	wait_for_text "$out" ready
	run ip -n "$NETNS" -o addr show dev "$name"
	assert_success
	assert_output --partial "inet $HOST_ADDR/30"
	wait "$box"
	run ip -n "$NETNS" link show dev "$name"
	assert_failure
}

@test "a host-side name that is taken is refused (exit 125), and the interface is left alone" {
	make_test_netns
	random_link
	run --separate-stderr in_netns "$BOX" run --veth "$HOST_ADDR/30,$CONTAINER_ADDR/30" \
		--veth-name lo "$ROOTFS" /bin/true
	assert_equal "$status" 125
	assert_equal "$stderr" "box: create veth pair lo: Object exists"
	run ip -n "$NETNS" -o link show dev lo
	assert_success
}

# bats test_tags=given
@test "a malformed --veth is refused with exit 125" {
	for bad in 169.254.1.1/30 169.254.1.1/30, 169.254.1.300/30,169.254.1.2/30 \
		169.254.1.1/33,169.254.1.2/30 169.254.1/30,169.254.1.2/30 169.254.1.1,169.254.1.2 \
		169.254.1.1/30,169.254.1.1/30 ""; do
		run --separate-stderr "$BOX" run --veth "$bad" "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_equal "$stderr" "box: run: --veth wants HOST_ADDR/LEN,CONTAINER_ADDR/LEN, not $bad (see 'box run --help')"
	done
}

# bats test_tags=given
@test "a malformed --veth-name, or one without --veth, is refused with exit 125" {
	for bad in "" 0123456789abcdef a/b "a b" .; do
		run --separate-stderr "$BOX" run --veth 169.254.1.1/30,169.254.1.2/30 --veth-name "$bad" "$ROOTFS" /bin/true
		assert_equal "$status" 125
		assert_regex "$stderr" "^box: run: --veth-name wants 1 to 15 characters"
	done
	run --separate-stderr "$BOX" run --veth-name ok "$ROOTFS" /bin/true
	assert_equal "$status" 125
	assert_equal "$stderr" "box: run: --veth-name needs --veth (see 'box run --help')"
}
