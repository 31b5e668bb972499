"""The tests of each lesson, read from the bats files, and the rubric that prices them.

A lesson NN is a directory labs/NN-name/. Its tests are the @test blocks of
tests/NN-*.bats (visible: they ship in the student release) and of
tests/hidden/NN-*.bats (hidden: run by the grader only), in that order, which is the
order bats runs them in. Test names are read the way bats-preprocess reads them, so
that they match bats' TAP output exactly.

tests/rubric.tsv gives each test its points and its Gradescope visibility; see the
comment at its top.
"""

import glob
import os
import re
from dataclasses import dataclass, field

RUBRIC = "tests/rubric.tsv"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")

# As in bats-preprocess (bats 1.5-1.11): the name is everything between "@test" and the
# final "{", with one leading and one trailing quote character removed.
TEST_LINE = re.compile(r"^[ \t]*@test[ \t]+(.*[^ \t])[ \t]+\{(.*)$")
TAGS_LINE = re.compile(r"^[ \t]*#[ \t]*bats[ \t]+(test_tags|file_tags)=(.*)$")


def step_program(step_dir):
    """The program a step builds, as mk/steps.mk and tools/steps.bash say: vmm when
    its directory has vmm.c, box otherwise."""
    return "vmm" if os.path.exists(os.path.join(step_dir, "vmm.c")) else "box"


@dataclass
class TestCase:
    lesson: str  # "02"
    name: str  # exactly as bats prints it in TAP
    path: str  # relative to the tree: tests/02-pid-namespace.bats
    line: int
    tags: list = field(default_factory=list)

    @property
    def hidden(self):
        return self.path.startswith("tests/hidden/")

    @property
    def given(self):
        return "given" in self.tags


@dataclass
class Lesson:
    num: str  # "02"
    lab: str  # "02-pid-namespace"
    tests: list  # TestCase, in run order
    files: list  # bats files, relative, in run order


@dataclass
class RubricRow:
    lesson: str
    name: str
    points: float
    visibility: str
    line: int


def parse_bats(root, relpath):
    """The tests of one bats file: [TestCase] (lesson from the file name)."""
    lesson = os.path.basename(relpath)[:2]
    tests, pending_tags, file_tags = [], [], []
    with open(os.path.join(root, relpath), encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n").replace("\r", "")
            m = TEST_LINE.match(line)
            if m:
                name = m.group(1)
                if name[:1] in "'\"":
                    name = name[1:]
                if name[-1:] in "'\"":
                    name = name[:-1]
                tags = sorted(set(pending_tags + file_tags))
                tests.append(TestCase(lesson, name, relpath, no, tags))
                pending_tags = []
                continue
            m = TAGS_LINE.match(line)
            if m:
                tags = [t.strip() for t in m.group(2).split(",") if t.strip()]
                if m.group(1) == "test_tags":
                    pending_tags = tags
                else:
                    file_tags = tags
    return tests


def lessons(root):
    """Every lesson of the tree, in order: {num: Lesson}."""
    out = {}
    for lab in sorted(glob.glob(os.path.join(root, "labs", "[0-9][0-9]-*"))):
        if not os.path.isdir(lab):
            continue
        name = os.path.basename(lab)
        num = name[:2]
        files = sorted(
            os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "tests", num + "-*.bats"))
        ) + sorted(
            os.path.relpath(p, root)
            for p in glob.glob(os.path.join(root, "tests", "hidden", num + "-*.bats"))
        )
        tests = [t for f in files for t in parse_bats(root, f)]
        out[num] = Lesson(num, name, tests, files)
    return out


def read_rubric(root):
    """(rows, errors): the rows of tests/rubric.tsv, and what is malformed in it."""
    rows, errors = [], []
    path = os.path.join(root, RUBRIC)
    if not os.path.exists(path):
        return rows, [f"{RUBRIC} does not exist"]
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            cols = line.split("\t")
            if cols == ["lesson", "test", "points", "visibility"]:
                continue  # the header
            where = f"{RUBRIC}:{no}"
            if len(cols) != 4:
                errors.append(f"{where}: {len(cols)} tab-separated columns, not 4: {line!r}")
                continue
            lesson, name, points, vis = cols
            if not re.fullmatch(r"\d\d", lesson):
                errors.append(f"{where}: lesson must be two digits, not {lesson!r}")
                continue
            try:
                pts = float(points)
                if pts < 0 or pts != pts:
                    raise ValueError
            except ValueError:
                errors.append(f"{where}: points must be a number >= 0, not {points!r}")
                continue
            if vis not in VISIBILITIES:
                errors.append(f"{where}: visibility must be one of {', '.join(VISIBILITIES)}, not {vis!r}")
                continue
            rows.append(RubricRow(lesson, name, pts, vis, no))
    return rows, errors


def rubric_map(rows):
    return {(r.lesson, r.name): r for r in rows}


def check(root):
    """The rubric check: [(ok, description, [diagnostic lines])], one per property."""
    results = []
    les = lessons(root)
    rows, errors = read_rubric(root)
    results.append((not errors, f"{RUBRIC} is well formed", errors))

    seen, dups = set(), []
    for r in rows:
        key = (r.lesson, r.name)
        if key in seen:
            dups.append(f"{RUBRIC}:{r.line}: a second row for lesson {r.lesson} '{r.name}'")
        seen.add(key)
    results.append((not dups, "no test has two rubric rows", dups))

    rmap = rubric_map(rows)
    for num, lesson in les.items():
        names, same = set(), []
        for t in lesson.tests:
            if t.name in names:
                same.append(f"{t.path}:{t.line}: another test of lesson {num} has this name: '{t.name}'")
            names.add(t.name)
        missing = [
            f"{t.path}:{t.line}: no row for '{t.name}' (add: {num}<TAB>{t.name}<TAB>POINTS<TAB>"
            f"{'hidden' if t.hidden else 'visible'})"
            for t in lesson.tests
            if (num, t.name) not in rmap
        ]
        results.append((bool(lesson.tests), f"lesson {lesson.lab} has tests", []))
        results.append((not same, f"lesson {lesson.lab}: test names are unique within the lesson", same))
        results.append((not missing, f"lesson {lesson.lab}: every test has a rubric row", missing))
        bad_given = [
            f"{t.path}:{t.line}: '{t.name}' is tagged given but worth {rmap[(num, t.name)].points:g}"
            for t in lesson.tests
            if t.given and (num, t.name) in rmap and rmap[(num, t.name)].points != 0
        ]
        results.append((not bad_given, f"lesson {lesson.lab}: tests tagged given are worth 0", bad_given))
        bad_vis = [
            f"{t.path}:{t.line}: '{t.name}' is in tests/hidden/ but its rubric row says visible"
            for t in lesson.tests
            if t.hidden and (num, t.name) in rmap and rmap[(num, t.name)].visibility == "visible"
        ]
        results.append((not bad_vis, f"lesson {lesson.lab}: hidden tests are not marked visible", bad_vis))
        worth = sum(rmap[(num, t.name)].points for t in lesson.tests if (num, t.name) in rmap)
        results.append((worth > 0, f"lesson {lesson.lab} is worth points ({worth:g})", []))

    known = {(num, t.name) for num, lesson in les.items() for t in lesson.tests}
    stale = [
        f"{RUBRIC}:{r.line}: lesson {r.lesson} has no test named '{r.name}'"
        + ("" if r.lesson in les else f" (there is no labs/{r.lesson}-*)")
        for r in rows
        if (r.lesson, r.name) not in known
    ]
    results.append((not stale, "every rubric row names a test", stale))
    return results
