# The grader and the instructor's tools (grader/README.md). All of them need root
# except student-release, gradescope and check-rubric.
#
#   make grade [LESSON="NN..."]     grade your own labs, as the instructor's grader would
#                                   (results in $(GRADE_OUT): results.json, junit.xml...)
#   make grade-class SUBMISSIONS=DIR  grade a folder of submissions into a gradebook
#   make student-release            the learner-facing tree and tarball, in $(BUILD)/
#   make check-release              prove that release builds, is unsolved, leaks nothing
#   make gradescope                 the Gradescope autograder bundle (zip)
#   make check-rubric               every test has a row in tests/rubric.tsv (TAP)
#   make test-grader                the grader's own tests, with fixture submissions (TAP)

GRADE_OUT ?= $(BUILD)/grade
GRADE_ARGS ?=
RELEASE_DIR := $(BUILD)/student-release
RELEASE_TARBALL := $(BUILD)/student-release.tar.gz

.PHONY: grade grade-class student-release check-release gradescope check-rubric test-grader

grade:
	@grader/grade . --out $(GRADE_OUT) $(if $(LESSON),--lesson $(LESSON)) $(GRADE_ARGS)

grade-class:
	@test -n "$(SUBMISSIONS)" || { echo "usage: make grade-class SUBMISSIONS=DIR" >&2; exit 2; }
	@grader/grade-class "$(SUBMISSIONS)" --out $(BUILD)/grade-class $(if $(LESSON),--lesson $(LESSON))

student-release:
	@grader/make-release --out $(RELEASE_DIR) --tarball $(RELEASE_TARBALL)

check-release: student-release
	@grader/check-release --tarball $(RELEASE_TARBALL)

gradescope:
	@grader/make-gradescope $(BUILD)/gradescope/autograder.zip

check-rubric:
	@grader/check-rubric

test-grader:
	@grader/tests/run
