"""Does solution code leak into a student release?

A *secret* line of lesson NN is a line the learner writes in step NN: a line of a
`LESSON NN` block of solutions/NN-*/ (its body, not its hints or LAB: part) that
appears nowhere in lab NN as tools/labgen generates it. Lab NN holds the solutions of
the earlier lessons on purpose, so the secrets of lesson NN may appear in labs/MM-*/
for MM > NN only. Trivial lines (braces, `return 0;`, comments) are not secrets.

In the release: labs/MM-*/ must hold no secret of a lesson >= MM of its own track (the
program it builds: box or vmm, as tools/steps.bash says), and no other file (lessons/
and slides/ excepted: they quote single lines on purpose) may hold a secret line that
no release lab holds. Another track's lab cannot have received a lesson's code from
labgen, and ordinary C lines (`if (errno == EINTR)`) are common to both programs.
"""

import glob
import os
import re
import subprocess
import tempfile

from .testcases import step_program

BEGIN = re.compile(r"^\s*// (LESSON|STEP) (\d\d) BEGIN(?:: .*)?$")
END = re.compile(r"^\s*// (LESSON|STEP) (\d\d) END$")
HINT = re.compile(r"^\s*// HINT:")
LAB = re.compile(r"^\s*// (LAB|WAS):$")
DOC_DIRS = ("lessons/", "slides/")


def normalize(line):
    return " ".join(line.split())


def significant(norm):
    if len(norm) < 12 or not re.search(r"[A-Za-z]{3}", norm):
        return False
    return not norm.startswith(("//", "/*", "*", "#include", "#define"))


def lesson_body_lines(path, lesson):
    """Normalized significant lines of the LESSON LESSON blocks of one solution file."""
    out, stack = set(), []  # stack of [kind, num, in_lab_part]
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            text = line.rstrip("\n")
            if BEGIN.match(text):
                m = BEGIN.match(text)
                stack.append([m.group(1), int(m.group(2)), False])
                continue
            if END.match(text):
                if stack:
                    stack.pop()
                continue
            if LAB.match(text):
                if stack:
                    stack[-1][2] = True
                continue
            if not stack or HINT.match(text):
                continue
            kind, num, in_lab = stack[-1]
            if kind == "LESSON" and num == lesson and not in_lab:
                n = normalize(text)
                if significant(n):
                    out.add(n)
    return out


def file_lines(path):
    try:
        with open(path, encoding="utf-8", errors="strict") as f:
            return {normalize(l) for l in f}
    except (UnicodeDecodeError, OSError):
        return set()  # binary files: not source code


def secrets(root):
    """{NN: (program, set of secret lines)}, from ROOT's solutions and labgen's labs."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="box-grader-labs.") as gen:
        r = subprocess.run([os.path.join(root, "tools", "labgen"), "labs", "--out", gen],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"tools/labgen labs failed: {r.stderr.strip()}")
        for sol in sorted(glob.glob(os.path.join(root, "solutions", "[0-9][0-9]-*"))):
            step = os.path.basename(sol)
            num = int(step[:2])
            body = set()
            for f in glob.glob(os.path.join(sol, "*.[ch]")):
                body |= lesson_body_lines(f, num)
            legit = set()
            for f in glob.glob(os.path.join(gen, step, "*")):
                legit |= file_lines(f)
            out[step[:2]] = (step_program(sol), body - legit)
    return out


def find_leaks(release, secret):
    """[(path, line, lesson)] of solution lines found in the RELEASE tree."""
    leaks = []
    lab_lines = set()
    for f in glob.glob(os.path.join(release, "labs", "*", "*")):
        lab_lines |= file_lines(f)
    for dirpath, dirnames, filenames in os.walk(release):
        dirnames[:] = [d for d in dirnames if d not in (".git", "build", "node_modules")]
        for name in filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, release)
            if os.path.islink(path) or rel.startswith(DOC_DIRS):
                continue
            lines = file_lines(path)
            m = re.match(r"^(labs/(\d\d)-[^/]+)/", rel)
            for num, (prog, sec) in secret.items():
                if m:
                    # A lab may hold the solutions of the lessons before it in its track,
                    # not its own or later ones.
                    same = step_program(os.path.join(release, m.group(1))) == prog
                    hits = lines & sec if same and int(num) >= int(m.group(2)) else set()
                else:
                    hits = (lines & sec) - lab_lines
                leaks += [(rel, h, num) for h in sorted(hits)]
    return leaks
