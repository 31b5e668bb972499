"""The workshop's grader (grader/grade and friends). See grader/README.md.

Standard library only (Python 3.9+): the grader runs on a bare Debian/Ubuntu with
bats, make and a compiler, the same machine the workshop's tests need.
"""


class GraderError(Exception):
    """A problem of the grader or its environment, never of the submission (exit 3)."""


class UsageError(Exception):
    """A bad command line or an unreadable submission (exit 2)."""
