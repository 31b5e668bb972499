# tools/steps.bash: what the test runners (test-all, check-lesson, check-tests-fail)
# need to know about steps, in one place. Source it from the repository's root.
#
# Two tracks share the step numbers: box (00-10, containers) and vmm (11-13, KVM).
# A step builds vmm if its directory has vmm.c (as mk/steps.mk says), box otherwise.
# A step's tests are tests/NN-*.bats; box's get the program in $BOX, vmm's in $VMM.
# vmm's tests need /dev/kvm: tools/with-kvm --session runs bats on the host either
# way, and vmm natively where the host has /dev/kvm, else in one vm-lab guest with
# nested KVM for the whole run (as on the lab machines; tests call vmm through
# $VMM_EXEC, see tests/vmm-helpers.bash and tools/kvm-exec).

step_program() { # STEP_DIR -> box | vmm
	if [[ -f $1/vmm.c ]]; then echo vmm; else echo box; fi
}

# The tests of step NN and of the earlier steps of its track, in order: a later
# step keeps every earlier step's behaviour.
track_tests() { # NN
	local nn=$((10#$1)) prog f n first=0 d
	d=$(compgen -G "solutions/$1-*" || compgen -G "labs/$1-*")
	prog=$(step_program "${d%%$'\n'*}")
	# The track starts at the first step that builds the same program.
	for d in solutions/[0-9][0-9]-* labs/[0-9][0-9]-*; do
		[[ -d $d && $(step_program "$d") == "$prog" ]] || continue
		n=$(basename "$d")
		first=$((10#${n:0:2}))
		break
	done
	for f in tests/[0-9][0-9]-*.bats; do
		n=$(basename "$f")
		if ((10#${n:0:2} >= first && 10#${n:0:2} <= nn)); then echo "$f"; fi
	done
}

# run_step_bats PROGRAM BATS_ARGS...: bats with the program under test in $BOX or
# $VMM (by its name); vmm's tests in a tools/with-kvm session (VMM_TEST_TIMEOUT:
# bats' limit, default 1200 s; the guest's boot comes on top).
run_step_bats() {
	local prog=$1
	shift
	case ${prog##*/} in
	vmm) VMM=$(realpath -m "$prog") tools/with-kvm --session --timeout "${VMM_TEST_TIMEOUT:-1200}" -- bats "$@" ;;
	*) BOX=$prog bats "$@" ;;
	esac
}

# The last step of a track in solutions/ (or labs/ in a learner's copy).
last_step() { # PROGRAM -> NN-name
	local d last=
	for d in solutions/[0-9][0-9]-* labs/[0-9][0-9]-*; do
		[[ -d $d && $(step_program "$d") == "$1" ]] && last=$(basename "$d")
	done
	echo "$last"
}
