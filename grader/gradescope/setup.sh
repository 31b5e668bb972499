#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image. The zip
# made by `make gradescope` is unpacked in /autograder/source: this repository, with
# its solutions (the tests' controls), hidden tests and rubric.
#
# Choose a base image with bats 1.5 or later (Ubuntu 24.04 has 1.10); the grader checks.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2046 # one package per word
apt-get install -y -q --no-install-recommends $(grader/packages)

have=$(bats --version | grep -o '[0-9][0-9.]*' | head -1)
if [[ $(printf '%s\n' 1.5.0 "$have" | sort -V | head -1) != 1.5.0 ]]; then
	echo "setup.sh: bats $have is too old for the tests (1.5.0 or later): choose a newer base image" >&2
	exit 1
fi

# The pristine tree every grading starts from (test root filesystem, library,
# controls), built once here rather than once per submission.
rm -rf /autograder/base
grader/grade --prepare-base /autograder/base
