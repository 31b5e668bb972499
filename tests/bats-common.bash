# What tests/helpers.bash (box) and tests/vmm-helpers.bash (vmm) share: the bats
# libraries, and a cache for what a test file works out once per run.
#
# bats runs a test file, and the files it loads, again for every test, and a fork
# costs milliseconds (tens on a loaded machine): the libraries' own files are sourced
# directly, as their load.bash would after one `dirname` per file, and paths that
# take realpath or a subshell to find are found by the run's first test and read
# back from RUN_CACHE by the others.

bats_require_minimum_version 1.5.0

BATS_LIB_DIR=${BATS_LIB_DIR:-/usr/lib/bats}

load_bats_library() { # NAME FILE...: the library's src/FILE.bash, in order
	local lib=$BATS_LIB_DIR/$1 f
	shift
	if [[ ! -d $lib/src ]]; then
		load "$lib/load"
		return
	fi
	for f in "$@"; do
		# shellcheck source=/dev/null
		source "$lib/src/$f.bash"
	done
}
load_bats_library bats-support output error lang
load_bats_library bats-assert assert refute assert_equal assert_not_equal assert_success assert_failure \
	assert_output refute_output assert_line refute_line assert_regex refute_regex
load_bats_library bats-file file temp

RUN_CACHE=$BATS_RUN_TMPDIR/.cache-${BATS_TEST_FILENAME//\//_}

# save_run_cache VAR...: the variables' values, for the run's later tests. As plain
# assignments: the helpers are sourced inside bats' load function, where `declare`
# would make them local.
save_run_cache() {
	local v
	for v; do printf '%s=%q\n' "$v" "${!v}"; done >"$RUN_CACHE"
}
