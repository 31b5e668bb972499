# Shared by vmm's tests (tests/11-*.bats and later). Load it with `load vmm-helpers`.
#
# Environment:
#   VMM        the vmm program under test; by default build/solutions/NN-name/vmm for
#              the test file NN-name.bats
#   GUESTS     the guests' images (NAME.bin) and ELF files (NAME.elf); by default
#              guests/ beside VMM (make builds them there)
#   GUEST_SRC  the guests' sources; by default the guests/ of the step directory VMM
#              was built from (build/labs/NN-name/vmm -> labs/NN-name/guests)
#   VMM_EXEC   set by tools/with-kvm --session: the command that runs vmm where KVM
#              is (tools/kvm-exec); empty or unset: vmm runs here
#   VMM_TIMEOUT  seconds a vmm command may take before it is killed (default 280)
#
# vmm needs /dev/kvm: run the tests with tools/with-kvm --session, which finds one:
#     tools/with-kvm --session -- bats tests/11-kvm-real-mode.bats
# On a host with /dev/kvm, bats and vmm run there. Without (the lab machines), bats
# still runs on the host, at full speed, and only vmm runs in a vm-lab guest with
# nested KVM (one guest for the whole run): the tests call `vmm ARGS`, never "$VMM",
# and give vmm only files that are there when the guest boots (build/) or that they
# make under $TMPDIR ($BATS_TEST_TMPDIR), which the guest sees as it is.
# A VM leaves nothing behind on the host once vmm has exited (its memory and fds are
# vmm's), so unlike box's tests these have no leftover check.

# shellcheck source=tests/bats-common.bash
source "${BASH_SOURCE[0]%/*}/bats-common.bash" # bats loads it by its full path

# Guests run under nested KVM on an emulated CPU: slow, but never minutes.
BATS_TEST_TIMEOUT=${BATS_TEST_TIMEOUT:-300}

if [[ -f $RUN_CACHE ]]; then
	# shellcheck source=/dev/null
	source "$RUN_CACHE"
else
	REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	if [[ -z ${VMM:-} ]]; then
		VMM=$REPO/build/solutions/$(basename "$BATS_TEST_FILENAME" .bats)/vmm
	fi
	VMM=$(realpath -m "$VMM")
	GUESTS=${GUESTS:-$(dirname "$VMM")/guests}
	if [[ -z ${GUEST_SRC:-} ]]; then
		vmm_step=$(basename "$(dirname "$VMM")")
		vmm_tree=$(basename "$(dirname "$(dirname "$VMM")")")
		# The guests are given code: a lab's are its solution's (a learner's copy has no solutions/).
		for GUEST_SRC in "$REPO"/{"$vmm_tree",labs,solutions}/"$vmm_step"/guests; do
			[[ -d $GUEST_SRC ]] && break
		done
	fi
	save_run_cache REPO VMM GUESTS GUEST_SRC
fi

VMM_TIMEOUT=${VMM_TIMEOUT:-280}

# vmm ARGS...: the vmm under test, where KVM is (see VMM_EXEC above), with its
# output, errors and status as if it ran here; 124 if it runs VMM_TIMEOUT seconds.
vmm() {
	if [[ -n ${VMM_EXEC:-} ]]; then
		"$VMM_EXEC" --timeout "$VMM_TIMEOUT" -- "$VMM" "$@"
	else
		timeout --foreground "$VMM_TIMEOUT" "$VMM" "$@"
	fi
}

# The image of guest NAME, checked to be there.
guest() {
	local image=$GUESTS/$1.bin
	if [[ ! -f $image ]]; then
		echo "no guest image $image: build it with make" >&2
		return 1
	fi
	echo "$image"
}

# The address of SYMBOL in guest NAME, as 0x... (from NAME.elf, which make keeps).
guest_symbol() {
	local addr
	addr=$(nm "$GUESTS/$1.elf" | awk -v s="$2" '$3 == s { print $1 }')
	[[ -n $addr ]] || { echo "no symbol $2 in $GUESTS/$1.elf" >&2; return 1; }
	echo "0x$addr"
}

# A random number in [LO, HI] (HI - LO below 2^30).
random_between() {
	echo $(($1 + ((RANDOM << 15) | RANDOM) % ($2 - $1 + 1)))
}

# A random 64-bit value, as 0x and 16 hex digits (vmm's syntax; bash's arithmetic and
# printf read it too).
random_u64() {
	printf '0x%016x' $(((RANDOM << 49) ^ (RANDOM << 34) ^ (RANDOM << 19) ^ (RANDOM << 4) ^ (RANDOM & 15)))
}

# The line `vmm --regs` prints for register NAME holding VALUE.
reg_line() {
	printf '%s=0x%016x' "$1" "$2"
}

# The value of register NAME in `vmm --regs` output held in $output.
reg_value() {
	sed -n "s/^$1=//p" <<<"$output"
}

# VALUE as N bytes, little-endian, two hex digits each, space-separated.
le_bytes() {
	local value=$1 n=$2 i out=()
	for ((i = 0; i < n; i++)); do
		out+=("$(printf '%02x' $(((value >> (8 * i)) & 0xff)))")
	done
	echo "${out[*]}"
}

# The lines `vmm --peek ADDR:LEN` prints for memory holding BYTES (hex, space-separated).
peek_lines() {
	local addr=$(($1)) bytes=($2) i
	for ((i = 0; i < ${#bytes[@]}; i++)); do
		if ((i % 16 == 0)); then
			((i == 0)) || echo
			printf '%08x:' $((addr + i))
		fi
		printf ' %s' "${bytes[i]}"
	done
	echo
}

# The first N bytes of FILE, as le_bytes writes them.
file_bytes() {
	od -An -tx1 -v -N "$2" "$1" | xargs
}
