# host_state: one line per thing a test run could leave behind on the host
# (hostname, network namespaces, links, mount points, containers' cgroups and
# writable layers, processes of ours, files in the test root filesystem).
# tests/helpers.bash compares it before and after every test; tools/test-all before
# and after the whole run. Needs REPO and ROOTFS.
#
# It runs twice per test, and a fork costs milliseconds (tens on a loaded machine), so
# it starts three programs in all: globs and read instead of ls, ip(8) and cat, one
# awk for processes and mounts.

# Processes that belong to a test run: executables from the test root filesystem
# or the build tree, or processes in a PID namespace other than ours. With an
# argument, /proc/self/mountinfo, the same awk also lists our mount points.
test_processes() {
	find /proc/self/ns/pid /proc/[0-9]*/ns/pid /proc/[0-9]*/exe -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
		awk -v rootfs="$ROOTFS/" -v build="$REPO/build/" '
		FILENAME != "-" { print "mount " $5; next }
		{
			split($1, path, "/")
			link = substr($0, length($1) + 2)
		}
		path[3] == "self" { ourns = link; next }
		path[4] == "exe" { exe[path[3]] = link; next }
		{ ns[path[3]] = link }
		END {
			for (p in exe)
				if (index(exe[p], rootfs) == 1 || index(exe[p], build) == 1 || (ns[p] != "" && ns[p] != ourns))
					print "process " p " " exe[p]
		}' - "$@"
}

# Nothing in it may fail: under bats' set -e a failing command would cut the list
# short, and everything after it would look new.
host_state() {
	local f hostname
	read -r hostname </proc/sys/kernel/hostname
	echo "hostname $hostname"
	for f in /run/netns/*; do
		if [[ -e $f ]]; then echo "netns ${f##*/}"; fi
	done
	for f in /sys/class/net/*; do
		if [[ -e $f ]]; then echo "link ${f##*/}"; fi
	done
	# Containers' cgroups (step 06): box/box-<pid> in every v1 hierarchy, or in v2.
	for f in /sys/fs/cgroup/*/box-* /sys/fs/cgroup/*/*/box-*; do
		if [[ -d $f ]]; then echo "cgroup $f"; fi
	done
	# Containers' writable layers (step 10), in the default state directory.
	for f in /var/lib/box/box-*; do
		if [[ -e $f ]]; then echo "state $f"; fi
	done
	test_processes /proc/self/mountinfo
	if [[ -d $ROOTFS ]]; then find "$ROOTFS" -xdev -mindepth 1 -printf 'rootfs %P\n'; fi
}
