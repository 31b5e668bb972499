# Hidden tests load this file (`load helpers`) instead of tests/helpers.bash.
#
# tests/helpers.bash finds the repository and host-state from BATS_TEST_DIRNAME,
# which for a hidden test is tests/hidden: it is loaded here as if the test file were
# in tests/, then BATS_TEST_DIRNAME is given back. Everything else is the same
# (REPO, ROOTFS, BOX, BOX_STEP, control_probe, setup and teardown with the leftover
# check). control_probe and BOX_STEP take the lesson from the file name, so hidden
# test files are named like the visible ones: tests/hidden/NN-name.bats.
#
# Hidden tests are run by grader/grade only (tools/test-all does not see them) and are
# left out of the student release (grader/make-release). Each one has a row in
# tests/rubric.tsv whose visibility is not "visible".

_hidden_test_dirname=$BATS_TEST_DIRNAME
BATS_TEST_DIRNAME=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# shellcheck source=tests/helpers.bash
source "$BATS_TEST_DIRNAME/helpers.bash"
BATS_TEST_DIRNAME=$_hidden_test_dirname
unset _hidden_test_dirname
