"""Reading bats' TAP output (bats --tap), the only source of test results.

bats prints a plan ("1..N"), then for each test "ok N NAME" or "not ok N NAME",
possibly followed by " # skip [REASON]" or " # timeout after Ns", then its diagnostics
as "# ..." lines. The grader knows which tests it asked for and in which order, so a
result line that names a test out of order, twice, or one it did not ask for cannot
be bats': the code under test wrote into the stream (it inherits bats' descriptor 3).
That marks the run as tampered with.

Two lines are bats' own and name no test: "not ok N setup_file failed" (the file's
setup failed, so none of its tests ran: they fail, with its diagnostics) and "not ok N
teardown_file failed" (after the file's results; they stand, and bats exits 1). A
submission that prints them can only lower its own score.
"""

import re

RESULT = re.compile(r"^(not )?ok (\d+)(?: (.*))?$")
PLAN = re.compile(r"^1\.\.(\d+)$")
DIRECTIVE = re.compile(r"^(.*?) # (skip|timeout after \d+s)(?:\b ?(.*))?$")
ERE_SPECIAL = set("\\.[]{}()*+?^$|")
OUTPUT_KEEP = 16 * 1024


def ere_escape(text):
    """TEXT as a POSIX extended regular expression matching itself (bats --filter)."""
    return "".join("\\" + c if c in ERE_SPECIAL else c for c in text)


def filter_for(names):
    """A bats --filter that selects exactly NAMES (matched against the raw @test text)."""
    return "^(" + "|".join(ere_escape(n) for n in names) + ")$"


class TapRun:
    """The results of one bats run that was asked for NAMES, in that order."""

    def __init__(self, names, files=None):
        """NAMES in run order; FILES: {name: its bats file} (one file if not given)."""
        self.expected = list(names)
        self.files = files or {}
        self.teardown_failed = None  # diagnostics of a failed teardown_file
        self.pending = list(names)
        self.plan = None
        self.results = {}  # name -> (status, [output lines])
        self.order = []
        self.tampered = None  # why, if the stream cannot be bats' own
        self.stray = []  # lines before the first result
        self._current = None

    def feed(self, line):
        """Reads one line; returns the name of a test whose result it completed, or None."""
        line = line.rstrip("\r")
        if self.tampered:
            return None
        m = PLAN.match(line)
        if m and self.plan is None and not self.results:
            self.plan = int(m.group(1))
            return None
        m = RESULT.match(line)
        if m:
            failed, rest = bool(m.group(1)), m.group(3) or ""
            name, status, note = rest, ("failed" if failed else "passed"), None
            d = DIRECTIVE.match(rest)
            if d:
                name = d.group(1)
                if d.group(2) == "skip":
                    status, note = "skipped", (d.group(3) or "").strip()
                else:
                    status = "failed"
            if failed and name in ("setup_file failed", "teardown_file failed") and name not in self.expected:
                return self._file_hook_failed(name)
            if name not in self.expected:
                self.tampered = f"a result for a test that was not run: {line!r}"
                return None
            if name in self.results:
                self.tampered = f"a second result for '{name}': {line!r}"
                return None
            if not self.pending or name != self.pending[0]:
                self.tampered = f"a result out of order (expected '{self.pending[0]}'): {line!r}"
                return None
            self.pending.pop(0)
            out = [f"skipped: {note}"] if status == "skipped" and note else []
            self.results[name] = (status, out)
            self.order.append(name)
            self._current = out
            return name
        self._keep_output(line)
        return None

    def _file_hook_failed(self, what):
        out = [f"bats: {what} in this test's file"]
        self._current = out
        if what == "teardown_file failed":
            self.teardown_failed = out
            return None
        if not self.pending:
            return None
        # Every test of the file whose turn it was fails, unrun.
        file = self.files.get(self.pending[0])
        unrun = [n for n in self.pending if self.files.get(n) == file]
        for n in unrun:
            self.pending.remove(n)
            self.results[n] = ("failed", out)
            self.order.append(n)
        return unrun[-1]

    def _keep_output(self, line):
        target = self._current if self._current is not None else self.stray
        text = line[2:] if line.startswith("# ") else (line[1:] if line.startswith("#") else line)
        if sum(len(x) + 1 for x in target) < OUTPUT_KEEP:
            target.append(text)
        elif target and target[-1] != "[... output cut ...]":
            target.append("[... output cut ...]")
