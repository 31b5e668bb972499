# host_state: one line per thing a test run could leave behind on the host
# (hostname, network namespaces, links, mount points, processes of ours, files in
# the test root filesystem). tests/helpers.bash compares it before and after every
# test; tools/test-all before and after the whole run. Needs REPO and ROOTFS.

# Processes that belong to a test run: executables from the test root filesystem
# or the build tree, or processes in a PID namespace other than the host's.
test_processes() {
	find /proc/[0-9]*/exe /proc/[0-9]*/ns/pid -maxdepth 0 -printf '%h %f %l\n' 2>/dev/null |
		awk -v rootfs="$ROOTFS/" -v build="$REPO/build/" -v hostns="$(readlink /proc/self/ns/pid)" '
		$2 == "exe" { exe[$1] = $3 }
		$2 == "pid" && $3 != hostns { other[$1] = 1 }
		END {
			for (p in exe)
				if (index(exe[p], rootfs) == 1 || index(exe[p], build) == 1 || (p in other))
					print "process " substr(p, 7) " " exe[p]
		}'
}

# Runs twice per test, so it reads /proc, /sys and /run directly rather than
# starting ip(8) and friends. Nothing in it may fail: under bats' set -e a failing
# find would cut the list short, and everything after it would look new.
host_state() {
	local f
	echo "hostname $(</proc/sys/kernel/hostname)"
	for f in /run/netns/*; do
		[[ -e $f ]] && echo "netns ${f##*/}"
	done
	for f in /sys/class/net/*; do
		[[ -e $f ]] && echo "link ${f##*/}"
	done
	awk '{print "mount " $5}' /proc/self/mountinfo
	# Containers' cgroups (step 06): box/box-<pid> in every v1 hierarchy, or in v2.
	find /sys/fs/cgroup -mindepth 2 -maxdepth 3 -type d -name 'box-*' -printf 'cgroup %p\n' 2>/dev/null || true
	# Containers' writable layers (step 10), in the default state directory.
	find /var/lib/box -mindepth 1 -maxdepth 1 -name 'box-*' -printf 'state %p\n' 2>/dev/null || true
	test_processes
	if [[ -d $ROOTFS ]]; then find "$ROOTFS" -xdev -mindepth 1 -printf 'rootfs %P\n'; fi
}
