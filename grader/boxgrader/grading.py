"""Grading a submission: a pristine tree, the learner's lab sources in it, a build and
the lesson's tests per lesson, in a sandbox, and results read from bats' TAP only.

Grading lesson NN runs lesson NN's tests (tests/NN-*.bats, then tests/hidden/NN-*.bats)
against the learner's lab NN, and nothing else: lab NN is solution NN-1 plus the
given code of step NN, so the tests of earlier steps would test code the learner was
given, not code they wrote (`make check` still runs them, for the learner's sake).

The test phase of every grading on this machine is serialised by a lock
(GRADER_LOCK, default /run/lock/box-grader.lock): the tests use global state of the
machine that the sandbox's namespaces do not cover (on cgroup v2, paths such as
/sys/fs/cgroup/box/box-PID, where PID numbers repeat in every new PID namespace;
/var/lib/box; whatever later steps add), which two runs at once could trip over.
Builds run in parallel.
"""

import fcntl
import glob
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

from . import GraderError, tap, testcases
from .sandbox import clean_env

BUILD_OUTPUT_KEEP = 20000
STARTUP_GRACE = 15.0  # seconds for bats to start and print its plan, on top of a test's
# A track whose tests need /dev/kvm (vmm) runs them, on a host without it, in a vm-lab
# guest with nested KVM under TCG (tools/with-kvm): the guest's boot comes before the
# plan, and every test is tens of times slower.
NESTED_STARTUP_GRACE = 900.0
NESTED_SLOWDOWN = 10.0


@dataclass
class TestResult:
    case: testcases.TestCase
    status: str  # passed, failed, skipped, timeout, notrun, tampered
    output: str = ""
    points: float = 0.0  # earned
    max_points: float = 0.0  # counted in the lesson's total (0 when skipped)
    rubric_points: float = 0.0
    visibility: str = "visible"

    @property
    def ok(self):
        return self.status in ("passed", "skipped")


@dataclass
class LessonResult:
    lesson: testcases.Lesson
    state: str = "graded"  # graded, missing (no sources), build-failed, tampered
    build_output: str = ""
    build_seconds: float = 0.0
    test_seconds: float = 0.0
    tests: list = field(default_factory=list)
    notes: list = field(default_factory=list)

    @property
    def points(self):
        return sum(t.points for t in self.tests)

    @property
    def max_points(self):
        return sum(t.max_points for t in self.tests)

    def count(self, *statuses):
        return sum(1 for t in self.tests if t.status in statuses)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --- the pristine tree --------------------------------------------------------------


def copy_source(src, dest):
    """The grader's own tree, without .git, build/ and installed node modules."""
    os.makedirs(dest, exist_ok=True)
    pack = subprocess.Popen(
        ["tar", "-C", src, "--exclude=./.git", "--exclude=./build", "--exclude=node_modules",
         "--exclude=__pycache__", "-cf", "-", "."],
        stdout=subprocess.PIPE,
    )
    unpack = subprocess.run(["tar", "-C", dest, "-xpf", "-"], stdin=pack.stdout, capture_output=True)
    pack.stdout.close()
    if pack.wait() != 0 or unpack.returncode != 0:
        raise GraderError(f"cannot copy {src} to {dest}: {unpack.stderr.decode(errors='replace')}")


def trusted_make(tree, targets, what):
    """make in the grader's tree, for the grader's own code (no sandbox)."""
    env = clean_env(os.path.join(tree, "build"), LC_ALL="C")
    jobs = f"-j{os.cpu_count() or 1}"
    r = subprocess.run(["make", "-s", "--no-print-directory", jobs, *targets], cwd=tree, env=env,
                       capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        raise GraderError(f"{what} does not build (make {' '.join(targets)}):\n{(r.stdout + r.stderr)[-4000:]}")


def control_targets(tree, nums):
    """The solutions the tests use as controls (solution NN-1 for lesson NN), if any."""
    out = []
    for n in nums:
        prev = int(n) - 1
        if prev < 0:
            continue
        for d in glob.glob(os.path.join(tree, "solutions", f"{prev:02d}-*")):
            if os.path.exists(os.path.join(d, "box.c")):
                out.append(f"build/solutions/{os.path.basename(d)}/box")
    return sorted(set(out))


def prepare_base(src, dest, nums):
    """A tree ready to take lab sources: a copy of SRC with the test root filesystem,
    the shared library and the control solutions built (trusted code, no sandbox)."""
    t0 = time.monotonic()
    copy_source(src, dest)
    os.makedirs(os.path.join(dest, "build"), exist_ok=True)
    # test-prereqs: the root filesystem, and for the vmm steps vm-lab's kernel and
    # step 13's initramfs (an older tree has only rootfs).
    prereqs = "test-prereqs" if os.path.exists(os.path.join(dest, "mk", "guests.mk")) else "rootfs"
    trusted_make(dest, [prereqs, "build/lib/libws.a", *control_targets(dest, nums)], "the grader's tree")
    shutil.rmtree(os.path.join(dest, "build", "labs"), ignore_errors=True)
    return time.monotonic() - t0


def clone_base(base, dest):
    # cp -a: the test root filesystem holds device nodes, which must not be read.
    r = subprocess.run(["cp", "-a", "--reflink=auto", base, dest], capture_output=True, text=True)
    if r.returncode != 0:
        raise GraderError(f"cannot copy the prepared tree {base}: {r.stderr}")


def put_sources(tree, lab, files):
    """Replaces the lab's C sources by the submission's."""
    d = os.path.join(tree, "labs", lab)
    for old in glob.glob(os.path.join(d, "*.c")) + glob.glob(os.path.join(d, "*.h")):
        os.unlink(old)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(d, name), 0o644)
    shutil.rmtree(os.path.join(tree, "build", "labs", lab), ignore_errors=True)


def program(tree, lab):
    """The program lab LAB of TREE builds."""
    return testcases.step_program(os.path.join(tree, "labs", lab))


def kvm_usable():
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC))
        return True
    except OSError:
        return False


def test_command(tree, prog, args):
    """How the tree runs a step's tests (tools/run-step-tests: $BOX or $VMM, vmm's
    through tools/with-kvm), and the time limits: (argv, startup grace, per-test
    factor). The pristine tree is the grader's own, so the runner is trusted."""
    runner = os.path.join(tree, "tools", "run-step-tests")
    if not os.access(runner, os.X_OK):  # an older tree: box's tests only
        return ["bats", *args], STARTUP_GRACE, 1.0
    if os.path.basename(prog) == "vmm" and not kvm_usable():
        return [runner, prog, *args], NESTED_STARTUP_GRACE, NESTED_SLOWDOWN
    return [runner, prog, *args], STARTUP_GRACE, 1.0


# --- the test lock ------------------------------------------------------------------


class TestLock:
    def __init__(self):
        self.path = os.environ.get("GRADER_LOCK") or (
            "/run/lock/box-grader.lock" if os.path.isdir("/run/lock") else "/tmp/box-grader.lock"
        )
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log(f"grade: waiting for another grading's tests to finish (lock {self.path})")
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        os.close(self.fd)


# --- building and testing a lesson --------------------------------------------------


class Grader:
    def __init__(self, tree, work, sandbox, rubric, test_timeout, build_timeout, verbose=False, protect=()):
        self.tree, self.work, self.sandbox = tree, work, sandbox
        # Read-only in the sandbox: the tree (but build/), and what the caller names
        # (the grader, the reports, the submissions); /usr (bats, the compiler).
        self.ro = [tree, "/usr"] + [p for p in protect if p and os.path.isdir(p)]
        self.rw = [os.path.join(tree, "build")]
        self.rubric = rubric  # {(lesson, name): RubricRow}
        self.test_timeout, self.build_timeout = test_timeout, build_timeout
        self.verbose = verbose
        self.tmp = os.path.join(work, "tmp")
        os.makedirs(self.tmp, exist_ok=True)
        self.warnings = []

    def _env(self, **extra):
        return clean_env(self.tmp, **extra)

    def _keep(self, lab):
        """Where make puts the lab's program, which the test runs use: the one directory
        whose writes must outlast a run (a VM sandbox throws away every other write)."""
        return [os.path.join(self.tree, "build", "labs", lab)]

    def build(self, res):
        lab = res.lesson.lab
        prog = program(self.tree, lab)
        target = f"build/labs/{lab}/{prog}"
        out = []
        sb = self.sandbox
        deadline = time.monotonic() + self.build_timeout * sb.slowdown + sb.startup
        r = sb.run(
            ["make", "-s", "--no-print-directory", target], cwd=self.tree, env=self._env(LC_ALL="C"),
            ro=self.ro, rw=self.rw, tmpfs=[self.tmp], on_line=out.append, deadline=lambda: deadline,
            keep=self._keep(lab),
        )
        res.build_seconds = r.seconds
        text = "\n".join(out + ([r.stderr] if r.stderr else [])).strip()
        if r.timed_out:
            text += f"\n[the build was stopped after {self.build_timeout * sb.slowdown + sb.startup:g} s]"
        if len(text) > BUILD_OUTPUT_KEEP:
            text = text[:BUILD_OUTPUT_KEEP] + "\n[... output cut ...]"
        res.build_output = text
        ok = r.returncode == 0 and not r.timed_out and os.path.exists(os.path.join(self.tree, target))
        # No code of the learner's runs in a build (the compiler does): a sandbox that
        # fails there is the machine's problem, never a lab that "does not compile".
        if "sandbox-init:" in text or r.lost:
            raise GraderError(f"the sandbox failed while building {lab}:\n{text[-4000:]}")
        if not ok:
            res.state = "build-failed"
        return ok

    def run_tests(self, res):
        """Runs the lesson's tests; a test that outlives the time limit is stopped, and
        bats is started again for the tests after it.

        Only a bats run that ends by itself vouches for its results. A run the grader
        had to stop may have been fed forged results before its code hung (the code
        under test can write into bats' stream), so the results it printed are run
        again: with the tests still to run, or, when it printed a result for every
        test it was given, one test per run. Each stop costs one test, so this ends."""
        lesson = res.lesson
        results = {}
        todo = list(lesson.tests)  # in run order; results not yet trusted
        singles = []  # tests to run alone
        t0 = time.monotonic()
        while todo:
            batch = [singles.pop(0)] if singles else list(todo)
            run, r, test_timeout = self._bats_run(lesson, batch, whole=len(batch) == len(lesson.tests))
            if run.tampered:
                self._tampered(res, results, run.tampered)
                break
            got = {name: run.results[name] for name in run.order}
            unanswered = [t for t in batch if t.name not in got]
            died = r.returncode not in (0, 1) and got and unanswered
            if r.timed_out or died:
                # The first test without a result is the one that hung (or during which
                # bats was killed: out of memory); when every test has one, something
                # printed them all and hung: run them one by one.
                if unanswered:
                    hung = unanswered[0]
                elif len(batch) == 1:
                    hung = batch[0]
                else:
                    singles = list(batch)
                    continue
                if r.timed_out:
                    results[hung.name] = ("timeout", "\n".join(
                        [f"no result after {test_timeout:g} s: the grader stopped this test (it hangs, or "
                         "waits for something that never happens)"] + run.stray[-20:]).strip())
                else:
                    results[hung.name] = ("failed", f"bats died (status {r.returncode}) while this test ran: "
                                          "killed, or out of memory\n" + r.stderr.strip()[-2000:])
                todo.remove(hung)
                continue
            for name, (status, out) in got.items():
                results[name] = (status, "\n".join(out).strip())
            todo = [t for t in todo if t.name not in got]
            if not unanswered:
                # bats exits 0 when every test it ran passed (or skipped), 1 otherwise. A
                # stream that says otherwise was written by someone else, who then ended bats.
                failed = any(s == "failed" for s, _ in got.values()) or run.teardown_failed
                if run.teardown_failed:
                    res.notes.append("\n".join(run.teardown_failed))
                if r.returncode != (1 if failed else 0):
                    printed = "a failure" if failed else "only passes"
                    self._tampered(res, results, f"bats exited with status {r.returncode}, but its output "
                                   f"shows {printed}")
                    break
                continue
            if got:
                continue  # bats ended before the last test (it ran fewer than planned): go on after it
            why = f"bats exited with status {r.returncode} without running them"
            tail = r.stderr.strip()[-2000:]
            for t in todo:
                results[t.name] = ("notrun", why + (f":\n{tail}" if tail else ""))
            res.notes.append(why)
            break
        res.test_seconds = time.monotonic() - t0
        self._score(res, results)

    def _tampered(self, res, results, why):
        res.state = "tampered"
        res.notes.append(f"the test output was tampered with ({why}): every test of this lesson fails")
        for t in res.lesson.tests:
            results[t.name] = ("tampered", f"not counted: the test output of this lesson was tampered with ({why})")

    def _bats_run(self, lesson, batch, whole):
        """One bats run of BATS (tests of LESSON, in order) in the sandbox, stopped when a
        test outlives the time limit: (TapRun, RunResult, the limit)."""
        prog = os.path.join(self.tree, "build", "labs", lesson.lab, program(self.tree, lesson.lab))
        names = [t.name for t in batch]
        run = tap.TapRun(names, {t.name: t.path for t in batch})
        # When the current test started: bats prints its plan just before the first
        # test, and each result just before the next test. Until the plan, bats is
        # still reading the test files: STARTUP_GRACE.
        bats_args = ["--tap"] + ([] if whole else ["--filter", tap.filter_for(names)]) + lesson.files
        argv, grace, slowdown = test_command(self.tree, prog, bats_args)
        # A VM sandbox boots first, and runs everything slower (its own slowdown
        # includes the nested KVM's of vmm's tests: they run in the same guest).
        grace += self.sandbox.startup
        test_timeout = self.test_timeout * max(slowdown, self.sandbox.slowdown)
        last = [time.monotonic(), grace]

        def on_line(line):
            if self.verbose:
                # Several lessons at once (an isolated sandbox): say whose line it is.
                log(f"    {lesson.num + ' ' if self.sandbox.isolated else ''}| {line}")
            had_plan = run.plan is not None
            if run.feed(line) or (not had_plan and run.plan is not None):
                last[0], last[1] = time.monotonic(), test_timeout
            if not had_plan and run.plan is not None and run.plan != len(names):
                raise GraderError(
                    f"bats plans {run.plan} tests for lesson {lesson.num}, the grader expected "
                    f"{len(names)}: the grader does not read the test files as bats does"
                )
            if run.tampered:
                raise _Stop()

        r = self.sandbox.run(
            argv, cwd=self.tree, env=self._env(BOX=prog), ro=self.ro, rw=self.rw,
            tmpfs=[self.tmp], on_line=_stopping(on_line), deadline=lambda: last[0] + last[1],
            keep=self._keep(lesson.lab), kvm=os.path.basename(prog) == "vmm",
        )
        return run, r, test_timeout

    def _score(self, res, results):
        res.tests = []
        for t in res.lesson.tests:
            row = self.rubric.get((t.lesson, t.name))
            if row is None:
                self.warnings.append(f"tests/rubric.tsv has no row for lesson {t.lesson} '{t.name}': 0 points")
            pts = row.points if row else 0.0
            vis = row.visibility if row else ("hidden" if t.hidden else "visible")
            status, out = results.get(t.name, ("notrun", "not run"))
            counted = 0.0 if status == "skipped" else pts
            res.tests.append(TestResult(t, status, out, pts if status == "passed" else 0.0, counted, pts, vis))

    def not_run(self, res, why):
        self._score(res, {t.name: ("notrun", why) for t in res.lesson.tests})


class _Stop(Exception):
    pass


def _stopping(fn):
    from .sandbox import StopRun

    def wrapped(line):
        try:
            fn(line)
        except _Stop:
            raise StopRun()

    return wrapped
