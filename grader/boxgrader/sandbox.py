"""Where untrusted code runs: the build of a learner's lab, and the tests against it.

A Sandbox runs one command (make, or bats) over the grader's pristine tree and
streams its standard output back line by line, under a watchdog. Two kinds:

  local  (default) namespaces + a cgroup on this machine, see LocalSandbox.
  vm     a disposable vm-lab guest with no network (not available yet: vm-lab does
         not exist). It will implement the same run() over the same tree, shared
         read-only into the guest with a writable build/ and tmp/, with bats' output
         coming back over the guest's console.

What each protects against, and what it does not, is in grader/README.md, "Sandbox".
"""

import os
import selectors
import signal
import subprocess
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


class StopRun(Exception):
    """Raised by an on_line callback to stop the run at once."""


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

    def __init__(self, limits=None, layout=None):
        self.limits = limits or Limits.from_env()
        self.layout = layout or cgroups.detect()
        self.described = None
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

    def run(self, argv, cwd, env, ro=(), rw=(), tmpfs=(), on_line=None, deadline=None):
        """Runs ARGV in the sandbox; calls on_line(str) for each line of its stdout.
        RO and RW are directories made read-only or writable inside (deeper ones win),
        TMPFS get a fresh tmpfs. DEADLINE() gives the monotonic time at which to stop it
        (None: no limit); it is asked again after every line."""
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
        start = time.monotonic()
        timed_out = stopped = False
        err = bytearray()
        try:
            proc = subprocess.Popen(
                cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, start_new_session=True,
            )
        except (OSError, subprocess.SubprocessError) as e:
            cg.remove()
            raise GraderError(f"cannot start the sandbox ({INIT}): {e}")
        try:
            sel = selectors.DefaultSelector()
            sel.register(proc.stdout, selectors.EVENT_READ, "out")
            sel.register(proc.stderr, selectors.EVENT_READ, "err")
            pending = b""
            while sel.get_map():
                limit = deadline() if deadline else None
                now = time.monotonic()
                if limit is not None and now >= limit:
                    timed_out = True
                    break
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
            if pending and on_line and not timed_out:
                on_line(pending.decode("utf-8", "replace"))
        except StopRun:
            stopped = True
        finally:
            if timed_out or stopped or proc.poll() is None:
                self._stop(proc, cg)
            proc.stdout.close()
            proc.stderr.close()
            rc = proc.wait()
            cg.kill_all()
            cg.remove()
        return RunResult(rc, timed_out, stopped, err.decode("utf-8", "replace"), time.monotonic() - start)

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
    """The build and the tests in a disposable vm-lab guest (not available yet).

    The plan: vm-lab/run boots a fresh guest with no network device, shows a host
    directory read-only at /share (9p), gives a tmpfs /scratch, and returns the
    command's stdout, stderr and status, with --timeout and --mem. run() here will
    share the pristine tree, copy it to /scratch, and run the same make or bats
    command there, streaming the guest's stdout to on_line; a deadline kills QEMU,
    like the local sandbox kills its PID namespace. What it needs from vm-lab is a
    guest with the grading toolchain (bash, bats, make, a C compiler, the workshop's
    libraries), booted fast enough to be paid once per lesson.
    """

    name = "vm"

    def __init__(self, root):
        tool = os.path.join(root, "vm-lab", "run")
        alternative = ("Use --sandbox local (namespaces and a cgroup; grader/README.md says what it does not "
                       "protect against).")
        if not os.access(tool, os.X_OK):
            raise SandboxUnavailable(
                "--sandbox vm needs vm-lab (a disposable QEMU guest with no network, see vm-lab/README.md), "
                f"which does not exist yet in this repository: there is no {os.path.relpath(tool, root)}. "
                + alternative
            )
        raise SandboxUnavailable(
            "--sandbox vm needs vm-lab with a guest that can build and test a lab (bash, bats, make, a C "
            "compiler, the workshop's libraries); vm-lab/run exists, but the grader cannot use it for that yet. "
            + alternative
        )


def make(kind, root):
    if kind == "local":
        return LocalSandbox()
    if kind == "vm":
        return VmSandbox(root)
    raise GraderError(f"unknown sandbox {kind!r} (local or vm)")
