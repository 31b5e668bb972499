# Shared by every tests/NN-*.bats. Load it with `load helpers`.
#
# Environment:
#   BOX       the box program under test (required), e.g. build/solutions/03-mount-namespace/box
#   BOX_STEP  its step number; by default read from BOX's directory name (03-... -> 3)
#   ROOTFS    the test root filesystem (default build/rootfs, made by `make rootfs`)
#
# Every test starts from a snapshot of the host (mounts, network namespaces, links,
# processes, the root filesystem) and its teardown fails the test if anything new is
# left behind, after cleaning it up so the next test starts clean. So run one test
# suite at a time on a machine: a second one's containers would look like leftovers.

# shellcheck source=tests/bats-common.bash
source "${BASH_SOURCE[0]%/*}/bats-common.bash" # bats loads it by its full path

# What the first test of the run worked out (each test is a new process): the
# repository, and the box under test.
if [[ -f $RUN_CACHE ]]; then
	# shellcheck source=/dev/null
	source "$RUN_CACHE"
else
	if [[ -z ${BOX:-} ]]; then
		echo "helpers.bash: set BOX to the box program under test (see 'make check')" >&2
		exit 1
	fi
	# This file's own directory, so that test files in subdirectories (tests/hidden/,
	# tests/battery/) can load it as ../helpers.
	HELPERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	REPO=$(cd "$HELPERS_DIR/.." && pwd)
	ROOTFS=$(realpath "${ROOTFS:-$REPO/build/rootfs}")
	BOX=$(realpath "$BOX")
	if [[ -z ${BOX_STEP:-} ]]; then
		step_dir=$(basename "$(dirname "$BOX")")
		BOX_STEP=$((10#${step_dir%%-*}))
	fi
	save_run_cache HELPERS_DIR REPO ROOTFS BOX BOX_STEP
fi

# --- running things -----------------------------------------------------------

# Options that let a container do admin things (mount, sethostname) that a test of
# an earlier step needs, once later steps take them away: step 08 drops
# CAP_SYS_ADMIN, step 09's seccomp filter refuses mount.
SECCOMP_OFF=()
if ((BOX_STEP >= 9)); then SECCOMP_OFF=(--seccomp unconfined); fi
ADMIN_OPTS=("${SECCOMP_OFF[@]}")
if ((BOX_STEP >= 8)); then ADMIN_OPTS+=(--cap-add SYS_ADMIN); fi

# The probe as COMMAND sees it: step 00 has no root filesystem of its own yet.
probe_path() {
	if ((BOX_STEP >= 1)); then echo /bin/probe; else echo "$ROOTFS/bin/probe"; fi
}

# box_probe [BOX OPTIONS...] -- PROBE ARGS...: the probe inside a container.
box_probe() {
	local opts=()
	while (($#)) && [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	"$BOX" run "${opts[@]}" "$ROOTFS" "$(probe_path)" "$@"
}

# The probe on the host, outside any container.
host_probe() {
	"$ROOTFS/bin/probe" "$@"
}

# The control: the probe run by the previous step's solution, which lacks the
# mechanism of the lesson under test. It must report the host's value wherever the
# container must not, which proves that the test can tell the difference. Where no
# solution is built (a learner's release), the probe runs on the host instead.
control_probe() {
	local lesson prev
	lesson=$(basename "$BATS_TEST_FILENAME")
	lesson=$((10#${lesson:0:2}))
	prev=${CONTROL_BOX:-$(compgen -G "$REPO/build/solutions/$(printf %02d $((lesson - 1)))-*/box" | head -1)}
	if ((lesson > 0)) && [[ -x $prev ]]; then
		"$prev" run "$ROOTFS" "$( ((lesson > 1)) && echo /bin/probe || echo "$ROOTFS/bin/probe")" "$@"
	else
		host_probe "$@"
	fi
}

# A name nobody could have guessed in advance: PREFIX plus 8 random hex digits.
random_name() {
	printf '%s%08x' "${1:-}" "$(((RANDOM << 16) ^ RANDOM))"
}

# From step 07 the container's root is an unprivileged host user, who must be able
# to reach what a test gives it: bats makes its temporary directories private (0700),
# so open the way (search only) down to this test's.
open_test_tmpdir() {
	chmod o+x "$BATS_RUN_TMPDIR" "$BATS_RUN_TMPDIR/test" "$BATS_TEST_TMPDIR"
}

# A private copy of the root filesystem, for tests that write into it.
private_rootfs() {
	local dir=$BATS_TEST_TMPDIR/rootfs
	[[ -d $dir ]] || cp -a "$ROOTFS" "$dir"
	open_test_tmpdir
	echo "$dir"
}

# A network namespace for this test only, standing for "the host side" of a
# container's veth pair, so that no test touches the real host's network.
# Sets NETNS; teardown deletes it.
make_test_netns() {
	NETNS=$(random_name box-test-)
	ip netns add "$NETNS"
	ip -n "$NETNS" link set lo up
}

# Runs a command in the test's network namespace. nsenter rather than `ip netns
# exec`, which also remounts /sys and so hides /sys/fs/cgroup from box (step 06).
in_netns() {
	nsenter --net="/run/netns/$NETNS" "$@"
}

# Two addresses on a random /30 in the link-local range 169.254.0.0/16, which is
# never routed: HOST_ADDR and CONTAINER_ADDR (without the /30).
random_link() {
	local net=$((RANDOM % 254 + 1)) sub=$((RANDOM % 63 * 4))
	HOST_ADDR=169.254.$net.$((sub + 1))
	CONTAINER_ADDR=169.254.$net.$((sub + 2))
}

# What box could not clean up because a test killed it with SIGKILL: the cgroups
# (step 06) and the writable layer (step 10) of box PID.
reap_killed_box() {
	local dir
	for dir in /sys/fs/cgroup/*/box/box-"$1" /sys/fs/cgroup/box/box-"$1"; do
		if [[ -d $dir ]]; then rmdir "$dir" 2>/dev/null || { sleep 0.2 && rmdir "$dir"; }; fi
	done
	rm -rf "/var/lib/box/box-$1"
}

# Skips a test from step N on, where a later mechanism changes the property.
skip_from_step() {
	if ((BOX_STEP >= $1)); then skip "$2"; fi
}

# Waits up to 5 s for FILE to contain TEXT.
wait_for_text() {
	local file=$1 text=$2 i
	for ((i = 0; i < 100; i++)); do
		grep -q -- "$text" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for '$text' in $file" >&2
	return 1
}

# --- leaving nothing behind ---------------------------------------------------

# tests/host-state, with this run's repository and root filesystem.
host_state() {
	REPO=$REPO ROOTFS=$ROOTFS "$HELPERS_DIR/host-state" "$@"
}

# Processes of a test run (see tests/host-state).
test_processes() {
	host_state --processes
}

snapshot_host() {
	host_state >"$BATS_TEST_TMPDIR/.host-before"
}

# The lines of host_state that were not there before the test.
host_state_new() {
	host_state --since "$BATS_TEST_TMPDIR/.host-before"
}

# Removes what a failed test left, so the next test starts clean.
clean_leftovers() {
	local kind what rest
	while read -r kind what rest; do
		case $kind in
		process) kill -KILL "$what" 2>/dev/null || true ;;
		mount) umount -l "$what" 2>/dev/null || true ;;
		netns) ip netns delete "$what" 2>/dev/null || true ;;
		cgroup) rmdir "$what" 2>/dev/null || true ;;
		state) rm -rf "$what" ;;
		link) ip link delete "$what" 2>/dev/null || true ;;
		# Never the tree itself: only what a test added to it.
		rootfs) if [[ -n $what ]]; then rm -rf "${ROOTFS:?}/$what" 2>/dev/null || true; fi ;;
		hostname) hostname "$(awk '$1 == "hostname" {print $2}' "$BATS_TEST_TMPDIR/.host-before")" ;;
		esac
	done
}

assert_nothing_left() {
	local left
	[[ -f $BATS_TEST_TMPDIR/.host-before ]] || return 0
	# A container's last processes may still be exiting: give them a moment.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		left=$(host_state_new)
		[[ -z $left ]] && return 0
		sleep 0.05
	done
	clean_leftovers < <(sort -r <<<"$left")
	echo "this test left things behind on the host:" >&2
	echo "$left" | sed 's/^/  /' >&2
	return 1
}

setup() {
	snapshot_host
}

teardown() {
	if [[ -n ${NETNS:-} ]]; then
		ip netns delete "$NETNS"
	fi
	assert_nothing_left
}
