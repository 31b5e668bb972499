"""Where untrusted code runs: the build of a learner's lab, and the tests against it.

A Sandbox runs one command (make, or bats) over the grader's pristine tree and
streams its standard output back line by line, under a watchdog. Two kinds:

  local  (default) namespaces + a cgroup on this machine, see LocalSandbox.
  vm     a disposable vm-lab guest per run, with no network and a kernel of its own,
         and the local sandbox inside it, see VmSandbox.

Both start the command with start() and watch it with supervise(), so a run looks
the same to the grader.
What each protects against, and what it does not, is in grader/README.md, "Sandbox".
"""

import json
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass

from . import GraderError, cgroups

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INIT = os.path.join(HERE, "sandbox-init")
STDERR_KEEP = 32 * 1024
SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class SandboxUnavailable(GraderError):
    pass


@dataclass
class Limits:
    pids: int = 512
    memory: int = 1 << 30
    cpus: float = 1.0

    @classmethod
    def from_env(cls):
        ncpu = os.cpu_count() or 1
        pids = os.environ.get("GRADER_PIDS", "512")
        cpus = os.environ.get("GRADER_CPUS", str(max(1, ncpu - 1)))
        try:
            lim = cls(int(pids), cgroups.parse_size(os.environ.get("GRADER_MEMORY", "1G")), float(cpus))
        except ValueError:
            raise GraderError(f"GRADER_PIDS ({pids!r}) and GRADER_CPUS ({cpus!r}) must be numbers")
        if lim.pids < 64 or lim.cpus <= 0:
            raise GraderError("GRADER_PIDS must be at least 64 and GRADER_CPUS more than 0")
        return lim


@dataclass
class RunResult:
    returncode: int
    timed_out: bool  # the watchdog stopped it
    stopped: bool  # on_line asked to stop it
    stderr: str  # its last STDERR_KEEP bytes
    seconds: float
    lost: bool = False  # the sandbox failed around the command (a VM died): stderr says how


class StopRun(Exception):
    """Raised by an on_line callback to stop the run at once."""


def pump(proc, on_line, deadline, err):
    """Reads PROC's stdout line by line (on_line(str) for each) and its stderr (its last
    STDERR_KEEP bytes into the bytearray ERR) until both are closed. Returns (timed_out,
    stopped): DEADLINE() (asked again after every line) passed, or on_line raised StopRun.
    supervise() stops PROC in those cases."""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ, "out")
    sel.register(proc.stderr, selectors.EVENT_READ, "err")
    pending = b""
    try:
        while sel.get_map():
            limit = deadline() if deadline else None
            now = time.monotonic()
            if limit is not None and now >= limit:
                return True, False
            wait = 1.0 if limit is None else min(1.0, limit - now)
            for key, _ in sel.select(timeout=max(0.0, wait)):
                data = os.read(key.fileobj.fileno(), 65536)
                if not data:
                    sel.unregister(key.fileobj)
                    continue
                if key.data == "err":
                    err += data
                    del err[: max(0, len(err) - STDERR_KEEP)]
                    continue
                pending += data
                *lines, pending = pending.split(b"\n")
                for line in lines:
                    if on_line:
                        on_line(line.decode("utf-8", "replace"))
        if pending and on_line:
            on_line(pending.decode("utf-8", "replace"))
    except StopRun:
        return False, True
    finally:
        sel.close()
    return False, False


def start(cmd, cwd, env):
    """CMD started as a sandbox's command: stdin from /dev/null, stdout and stderr on
    pipes, in a session of its own (so that a kill reaches all it started)."""
    return subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)


def supervise(proc, on_line, deadline, stop):
    """Reads PROC's output with pump(); calls STOP(proc) when it outlived DEADLINE, was
    asked to stop, or still runs (an exception went through); then waits for it.
    Returns (status, timed_out, stopped, its last STDERR_KEEP bytes of stderr)."""
    timed_out = stopped = False
    err = bytearray()
    try:
        timed_out, stopped = pump(proc, on_line, deadline, err)
    finally:
        if timed_out or stopped or proc.poll() is None:
            stop(proc)
        proc.stdout.close()
        proc.stderr.close()
        rc = proc.wait()
    return rc, timed_out, stopped, err.decode("utf-8", "replace")


def clean_env(tmpdir, **extra):
    env = {
        "PATH": SAFE_PATH,
        "HOME": tmpdir,
        "TMPDIR": tmpdir,
        "LANG": "C.UTF-8",
        "TERM": "dumb",
    }
    env.update({k: str(v) for k, v in extra.items()})
    return env


class LocalSandbox:
    """Namespaces and a cgroup on this machine.

    Every run gets new mount, UTS, IPC, network and PID namespaces, and on cgroup v1 a
    cgroup namespace (grader/sandbox-init: it joins the cgroup, runs unshare(1), then
    runs again as PID 1: the grader, its tree (but build/), the reports and
    /usr read-only, a tmpfs for TMPDIR, a network with no way out, a /proc and /sys of
    its own) inside a cgroup with pids, memory and CPU limits. Stopping a run kills the namespace's
    PID 1 (the kernel then kills every process of the namespace) and everything left
    in the cgroup.
    """

    name = "local"
    isolated = False  # the host's kernel: the tests' global state is shared (grading.TestLock)
    startup = 0.0  # seconds a run takes before its command starts
    slowdown = 1.0  # how much slower a command runs than on this machine
    workdir = None  # where the grader's temporary tree may go (None: TMPDIR)

    def __init__(self, limits=None, layout=None):
        self.limits = limits or Limits.from_env()
        self.layout = layout or cgroups.detect()
        self.described = None
        # A grader killed with SIGKILL left its cgroups (and what ran in them): clear them.
        for d in cgroups.reap_stale(self.layout):
            print(f"grade: removed the cgroup {d} of a grader that is gone", file=sys.stderr)
        # A cgroup namespace rooted at the sandbox's cgroup makes the cgroups that box
        # creates (step 06) nest under the sandbox's limits. Only on v1: on v2 the root
        # of a cgroup namespace holds processes, so it could not give controllers to
        # box's cgroups ("no internal processes"); box then uses the host's view.
        self.cgroupns = self.layout.version == 1 and os.environ.get("GRADER_CGROUPNS", "1") != "0"

    def describe(self):
        if self.described:
            return self.described
        lim = self.limits
        if not self.layout.version:
            return "local: namespaces, NO cgroup limits (GRADER_CGROUP=off)"
        return (
            f"local: namespaces{' (cgroup too)' if self.cgroupns else ''} + {self.layout.describe()}, "
            f"pids {lim.pids}, memory {lim.memory >> 20} MiB, {lim.cpus:g} CPU"
        )

    def prepare(self, work):
        """Called once with the grader's temporary directory, before the first run."""

    def stop_all(self):
        """Stops every run under way (the grader is stopping). Nothing to do here: the
        test runs are the main thread's, which stops its own, and builds end at their
        deadline; their namespaces die with them."""

    def run(self, argv, cwd, env, ro=(), rw=(), tmpfs=(), on_line=None, deadline=None, keep=(), kvm=False):
        """Runs ARGV in the sandbox; calls on_line(str) for each line of its stdout.
        RO and RW are directories made read-only or writable inside (deeper ones win),
        TMPFS get a fresh tmpfs. KEEP are directories inside RW whose contents the caller
        needs after the run (the lab's program): here every RW write reaches the host
        anyway. KVM: the command needs /dev/kvm (tools/with-kvm sees to it here).
        DEADLINE() gives the monotonic time at which to stop it (None: no limit); it is
        asked again after every line."""
        cg = cgroups.Cgroup(self.layout, self.limits.pids, self.limits.memory, self.limits.cpus).create()
        self.described = f"local: namespaces{' (cgroup too)' if self.cgroupns else ''} + {cg.describe()}"
        cmd = [INIT]
        for d in cg.dirs:
            cmd += ["--cgroup", d]
        if self.cgroupns:
            cmd.append("--cgroupns")
        for d in ro:
            cmd += ["--ro", d]
        for d in rw:
            cmd += ["--rw", d]
        for d in tmpfs:
            cmd += ["--tmpfs", d]
        cmd += ["--", *argv]
        t0 = time.monotonic()
        try:
            proc = start(cmd, cwd, env)
        except (OSError, subprocess.SubprocessError) as e:
            cg.remove()
            raise GraderError(f"cannot start the sandbox ({INIT}): {e}")
        try:
            rc, timed_out, stopped, err = supervise(proc, on_line, deadline, lambda p: self._stop(p, cg))
        finally:
            cg.kill_all()
            cg.remove()
        return RunResult(rc, timed_out, stopped, err, time.monotonic() - t0)

    @staticmethod
    def _stop(proc, cg):
        # unshare --kill-child: its child, PID 1 of the namespace, dies with it, and
        # the kernel then kills the whole namespace. The cgroup catches the rest.
        try:
            os.kill(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        cg.kill_all()


class VmSandbox:
    """The build and the tests in a disposable vm-lab guest, one per run.

    vm-lab/run --host boots a fresh guest with no network device whose root is this
    machine's, read-only over 9p under a tmpfs overlay (bash, bats, make, the compiler
    and this grader are all there), and runs the command in the caller's directory.
    In the guest, boxgrader/vmguest.py (a copy made by prepare(), run with the host's
    python3) makes the RO and RW directories read-only and writable, and runs ARGV in
    a LocalSandbox: the same namespaces, cgroup limits and clean environment as
    --sandbox local, so the tests see the same machine in both modes. Every write in
    the guest lands in its tmpfs and is thrown away at power-off, but for the KEEP
    directories (the lab's build/labs/LAB, where make writes the program that a later
    run tests), which vm-lab/run --rw shares writable. stdout comes back line by line
    on the guest's serial port; a deadline kills QEMU (the whole process group of
    vm-lab/run), as the local sandbox kills its PID namespace; a guest that panics
    powers off, and vm-lab/run says so (exit 125, the console on stderr).
    """

    name = "vm"
    isolated = True  # a kernel of its own per run: nothing shared, no test lock needed
    # Directories the guest does not see as the host's: it mounts its own there.
    HIDDEN = ("/tmp", "/run", "/dev", "/proc", "/sys")
    MAX_RUN = 3 * 3600  # vm-lab/run's own --timeout: QEMU ends even if the grader is killed

    def __init__(self, root, limits=None):
        self.tool = os.path.join(root, "vm-lab", "run")
        if not os.access(self.tool, os.X_OK):
            raise SandboxUnavailable(
                "--sandbox vm needs vm-lab (a disposable QEMU guest with no network, see vm-lab/README.md): "
                f"there is no {self.tool}. Use --sandbox local (namespaces and a cgroup; grader/README.md says "
                "what it does not protect against)."
            )
        if not shutil.which("qemu-system-x86_64"):
            raise SandboxUnavailable("--sandbox vm needs QEMU: apt-get install qemu-system-x86")
        self.limits = limits or Limits.from_env()
        self.accel = "KVM" if os.access("/dev/kvm", os.R_OK | os.W_OK) else "TCG"
        self.mem = os.environ.get("GRADER_VM_MEM") or "1G"
        try:
            self.slowdown = float(os.environ.get("GRADER_VM_SLOWDOWN") or (2 if self.accel == "KVM" else 10))
            self.startup = float(os.environ.get("GRADER_VM_BOOT") or 120)
        except ValueError:
            raise GraderError("GRADER_VM_SLOWDOWN and GRADER_VM_BOOT must be numbers")
        if self.slowdown < 1 or self.startup <= 0:
            raise GraderError("GRADER_VM_SLOWDOWN must be at least 1, GRADER_VM_BOOT more than 0")
        # The grader's tree must be where the guest sees it: TMPDIR, unless it is hidden.
        self.workdir = None if self._visible(os.environ.get("TMPDIR") or "/tmp") else "/var/tmp"
        self.home = None
        self.running = set()  # the process groups of the runs under way (one per thread)
        self.lock = threading.RLock()  # stop_all runs in a signal handler, maybe inside run()

    @classmethod
    def _visible(cls, path):
        path = os.path.realpath(path)
        return not any(path == h or path.startswith(h + "/") for h in cls.HIDDEN)

    def describe(self):
        lim = self.limits
        return (f"vm: a vm-lab guest per run ({self.accel}, {self.mem} memory, no network; the host's files "
                f"read-only), inside it the local sandbox (pids {lim.pids}, memory {lim.memory >> 20} MiB); "
                f"time limits x{self.slowdown:g}, {self.startup:g} s more to boot")

    def prepare(self, work):
        """The guest side (boxgrader/ and sandbox-init) copied into WORK, which the
        guest must see: the grader may be where it does not (a copy under /tmp)."""
        if not self._visible(work):
            raise GraderError(f"--sandbox vm: the guest cannot see {work} (it mounts its own {', '.join(self.HIDDEN)}):"
                              " set GRADER_WORKDIR to a directory elsewhere, e.g. /var/tmp")
        self.home = os.path.join(work, "vm-sandbox")
        if os.path.isdir(self.home):
            return
        os.makedirs(self.home)
        shutil.copytree(os.path.dirname(os.path.abspath(__file__)), os.path.join(self.home, "boxgrader"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy2(INIT, os.path.join(self.home, "sandbox-init"))

    def stop_all(self):
        """Kills the guests under way: they run in their own sessions (so that a kill
        takes QEMU too), which the grader's end would not reach."""
        with self.lock:
            for pgid in self.running:
                try:
                    os.killpg(pgid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def run(self, argv, cwd, env, ro=(), rw=(), tmpfs=(), on_line=None, deadline=None, keep=(), kvm=False):
        """As LocalSandbox.run, in a new guest. Only the KEEP directories' writes reach
        the host; RO and RW apply inside the guest."""
        if not self.home:
            raise GraderError("VmSandbox.run before prepare()")
        for d in keep:
            os.makedirs(d, exist_ok=True)
        settings = {k: v for k, v in os.environ.items() if k in ("GRADER_CGROUP", "GRADER_CGROUPNS")}
        spec = {
            "argv": list(argv), "env": dict(env), "ro": list(ro) + [self.home], "rw": list(rw),
            "tmpfs": list(tmpfs), "keep": list(keep), "settings": settings,
            "limits": {"pids": self.limits.pids, "memory": self.limits.memory, "cpus": self.limits.cpus},
        }
        cmd = [self.tool, "--host", "--mem", "2G" if kvm else self.mem, "--timeout", str(self.MAX_RUN)]
        for d in keep:
            cmd += ["--rw", d]
        if kvm:
            cmd.append("--kvm")
        cmd += ["--", "python3", "-B", os.path.join(self.home, "boxgrader", "vmguest.py"), json.dumps(spec)]
        # vm-lab/run's own temporary files: removed here whatever happens to it.
        tmp = tempfile.mkdtemp(prefix="run.", dir=self.home)
        host_env = {"PATH": SAFE_PATH, "HOME": tmp, "TMPDIR": tmp, "LANG": "C.UTF-8"}
        t0 = time.monotonic()
        try:
            proc = start(cmd, cwd, host_env)
        except (OSError, subprocess.SubprocessError) as e:
            shutil.rmtree(tmp, ignore_errors=True)
            raise GraderError(f"cannot start {self.tool}: {e}")
        with self.lock:
            self.running.add(proc.pid)
        try:
            rc, timed_out, stopped, text = supervise(proc, on_line, deadline, self._kill_group)
        finally:
            with self.lock:
                self.running.discard(proc.pid)
            shutil.rmtree(tmp, ignore_errors=True)
        # vm-lab/run's and vmguest.py's own errors: exit 125 and a line of theirs.
        lost = rc == 125 and re.search(r"^vm-(lab|sandbox): ", text, re.M) is not None
        if rc == 125 and "the guest stopped without reporting" in text:
            # The grader shows the end of stderr: say plainly, last, what vm-lab/run
            # said first before the guest's console (a panic's stack trace, say).
            panic = re.findall(r"Kernel panic - not syncing:[^\n]*", text)
            why = f"its kernel said '{panic[-1].strip()}'" if panic else "see its console above"
            text += f"\nvm-sandbox: the guest stopped before the command ended ({why}): exit status 125\n"
        return RunResult(rc, timed_out, stopped, text, time.monotonic() - t0, lost)

    @staticmethod
    def _kill_group(proc):
        # vm-lab/run, QEMU and their helpers: one process group (start()'s session).
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def make(kind, root):
    if kind == "local":
        return LocalSandbox()
    if kind == "vm":
        return VmSandbox(root)
    raise GraderError(f"unknown sandbox {kind!r} (local or vm)")
