"""A cgroup around each sandboxed run: a pids limit (fork bombs), a memory limit, a CPU
quota, and a way to kill everything that ran in it.

Both layouts are supported, detected at run time from /proc/self/mountinfo:

  cgroup v1 (and the "hybrid" layout, v1 controllers plus an empty v2 tree): one
  hierarchy per controller, e.g. /sys/fs/cgroup/pids; files pids.max,
  memory.limit_in_bytes (+ memory.memsw.limit_in_bytes when swap is accounted),
  cpu.cfs_quota_us / cpu.cfs_period_us.

  cgroup v2 (every current distribution): one hierarchy; a controller is usable in a
  child only when the parent lists it in cgroup.subtree_control, and a cgroup that
  holds processes cannot hand controllers down ("no internal processes"), except the
  root. Files pids.max, memory.max, memory.swap.max, cpu.max; cgroup.kill (5.14+).

The grader's cgroup is made below the grader's own cgroup (nested, so it stays inside
whatever limits the grader itself runs under); on v2, if that cgroup cannot hand the
controllers down, below the root of the hierarchy.
GRADER_CGROUP=auto|v1|v2|off chooses; "off" runs without limits (not recommended).
"""

import errno
import itertools
import os
import re
import signal
import time

from . import GraderError

CPU_PERIOD = 100000  # microseconds
REQUIRED = ("pids", "memory")
OPTIONAL = ("cpu",)
_counter = itertools.count(1)
NAME = re.compile(r"^grader\.(\d+)\.\d+$")  # grader.PID.N: PID is the grader that made it


def parse_size(text):
    """'512M', '1G', '1048576' -> bytes."""
    t = str(text).strip().upper().rstrip("B").rstrip("I")
    mult = 1
    if t and t[-1] in "KMGT":
        mult = 1024 ** ("KMGT".index(t[-1]) + 1)
        t = t[:-1]
    try:
        value = int(float(t) * mult)
    except ValueError:
        raise GraderError(f"not a size: {text!r} (examples: 512M, 1G)")
    if value <= 0:
        raise GraderError(f"not a size: {text!r}")
    return value


def _unescape(s):
    # /proc/self/mountinfo escapes space, tab, newline and backslash as \ooo.
    out, i = [], 0
    while i < len(s):
        if s[i] == "\\" and i + 4 <= len(s) and s[i + 1 : i + 4].isdigit():
            out.append(chr(int(s[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def read_mounts(mountinfo="/proc/self/mountinfo"):
    """[(mount point, root, fstype, super options)] of the cgroup filesystems."""
    out = []
    with open(mountinfo) as f:
        for line in f:
            left, _, right = line.partition(" - ")
            lf, rf = left.split(), right.split()
            if len(rf) < 3 or rf[0] not in ("cgroup", "cgroup2"):
                continue
            out.append((_unescape(lf[4]), _unescape(lf[3]), rf[0], rf[2].split(",")))
    return out


def read_own(proc_cgroup="/proc/self/cgroup"):
    """{controller or '' (v2): path} of the calling process."""
    own = {}
    with open(proc_cgroup) as f:
        for line in f:
            parts = line.rstrip("\n").split(":", 2)
            if len(parts) != 3:
                continue
            _, ctrls, path = parts
            if ctrls == "":
                own[""] = path
            for c in ctrls.split(","):
                if c:
                    own[c] = path
    return own


def _join(mount, mount_root, own):
    """The directory of cgroup OWN in a hierarchy mounted at MOUNT (showing MOUNT_ROOT)."""
    rel = own
    if mount_root not in ("/", "") and (own == mount_root or own.startswith(mount_root + "/")):
        rel = own[len(mount_root) :]
    return os.path.join(mount, rel.lstrip("/"))


class Layout:
    """Where the cgroups go: version 1 ({controller: parent dir}) or 2 (parent dirs)."""

    def __init__(self, version, parents, unified=None, root=None):
        self.version = version  # 1, 2 or 0 (off)
        self.parents = parents  # v1: {ctrl: dir}; v2: [candidate dirs, best first]
        self.unified = unified
        self.root = root  # v2: the mount point (root of the hierarchy)

    def describe(self):
        if self.version == 1:
            return "cgroup v1 (" + ", ".join(sorted(self.parents)) + ")"
        if self.version == 2:
            return "cgroup v2"
        return "no cgroup (GRADER_CGROUP=off)"


def detect(mode=None, mountinfo="/proc/self/mountinfo", proc_cgroup="/proc/self/cgroup"):
    mode = (mode or os.environ.get("GRADER_CGROUP") or "auto").lower()
    if mode not in ("auto", "v1", "v2", "off"):
        raise GraderError(f"GRADER_CGROUP must be auto, v1, v2 or off, not {mode!r}")
    if mode == "off":
        return Layout(0, {})
    mounts = read_mounts(mountinfo)
    own = read_own(proc_cgroup)
    v1 = {}
    for mnt, mroot, fstype, opts in mounts:
        if fstype != "cgroup":
            continue
        for c in REQUIRED + OPTIONAL:
            if c in opts and c not in v1 and c in own:
                v1[c] = _join(mnt, mroot, own[c])
    v2 = [(mnt, mroot) for mnt, mroot, fstype, _ in mounts if fstype == "cgroup2"]
    if mode in ("auto", "v1") and all(c in v1 for c in REQUIRED):
        return Layout(1, v1)
    if mode in ("auto", "v2") and v2 and "" in own:
        mnt, mroot = v2[0]
        own_dir = _join(mnt, mroot, own[""])
        cands = [own_dir] + ([mnt] if os.path.normpath(own_dir) != os.path.normpath(mnt) else [])
        return Layout(2, cands, unified=mnt, root=mnt)
    raise GraderError(
        "no usable cgroup hierarchy with the pids and memory controllers (looked for cgroup v1 "
        "hierarchies and a cgroup v2 tree in /proc/self/mountinfo). The grader limits every "
        "sandboxed run with one; GRADER_CGROUP=off grades without limits (a fork bomb or a memory "
        "hog in a submission can then take the machine down)."
    )


def _write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def _read(path):
    with open(path) as f:
        return f.read()


class Cgroup:
    """One cgroup (a directory per v1 controller, or one v2 directory) with limits."""

    def __init__(self, layout, pids_max, memory_max, cpus, name=None):
        self.layout = layout
        self.limits = (pids_max, memory_max, cpus)
        self.name = name or f"grader.{os.getpid()}.{next(_counter)}"
        self.dirs = []  # every directory made (v1: one per controller)
        self.applied = []

    def create(self):
        pids_max, memory_max, cpus = self.limits
        try:
            if self.layout.version == 1:
                self._create_v1(pids_max, memory_max, cpus)
            elif self.layout.version == 2:
                self._create_v2(pids_max, memory_max, cpus)
        except OSError as e:
            self.remove()
            raise GraderError(f"cannot make the sandbox's cgroup: {e}")
        return self

    def _mkdir(self, parent):
        d = os.path.join(parent, self.name)
        os.mkdir(d)
        self.dirs.append(d)
        return d

    def _create_v1(self, pids_max, memory_max, cpus):
        p = self.layout.parents
        d = self._mkdir(p["pids"])
        _write(os.path.join(d, "pids.max"), pids_max)
        d = self._mkdir(p["memory"])
        _write(os.path.join(d, "memory.limit_in_bytes"), memory_max)
        if os.path.exists(os.path.join(d, "memory.memsw.limit_in_bytes")):
            _write(os.path.join(d, "memory.memsw.limit_in_bytes"), memory_max)
        self.applied += [f"pids {pids_max}", f"memory {memory_max >> 20} MiB"]
        if "cpu" in p and cpus:
            d = self._mkdir(p["cpu"])
            _write(os.path.join(d, "cpu.cfs_period_us"), CPU_PERIOD)
            _write(os.path.join(d, "cpu.cfs_quota_us"), int(cpus * CPU_PERIOD))
            self.applied.append(f"cpu {cpus:g}")

    def _delegate(self, parent):
        """Makes the controllers usable in children of PARENT; returns the ones enabled."""
        available = _read(os.path.join(parent, "cgroup.controllers")).split()
        if not all(c in available for c in REQUIRED):
            return None
        wanted = [c for c in REQUIRED + OPTIONAL if c in available]
        enabled = _read(os.path.join(parent, "cgroup.subtree_control")).split()
        missing = [c for c in wanted if c not in enabled]
        if missing:
            try:
                _write(os.path.join(parent, "cgroup.subtree_control"), " ".join("+" + c for c in missing))
            except OSError:
                # EBUSY: PARENT holds processes ("no internal processes"); or not delegated.
                if not all(c in enabled for c in REQUIRED):
                    return None
                wanted = [c for c in wanted if c in enabled]
        return wanted

    def _create_v2(self, pids_max, memory_max, cpus):
        tried = []
        for parent in self.layout.parents:
            try:
                ctrls = self._delegate(parent)
            except OSError as e:
                tried.append(f"{parent}: {e.strerror}")
                continue
            if ctrls is None:
                tried.append(f"{parent}: cannot give the pids and memory controllers to a child")
                continue
            d = self._mkdir(parent)
            _write(os.path.join(d, "pids.max"), pids_max)
            _write(os.path.join(d, "memory.max"), memory_max)
            if os.path.exists(os.path.join(d, "memory.swap.max")):
                _write(os.path.join(d, "memory.swap.max"), 0)
            self.applied += [f"pids {pids_max}", f"memory {memory_max >> 20} MiB"]
            if "cpu" in ctrls and cpus:
                _write(os.path.join(d, "cpu.max"), f"{int(cpus * CPU_PERIOD)} {CPU_PERIOD}")
                self.applied.append(f"cpu {cpus:g}")
            return
        raise GraderError(
            "cgroup v2: no place for the sandbox's cgroup with the pids and memory controllers ("
            + "; ".join(tried)
            + "). Run the grader in a cgroup of its own with delegation, e.g. "
            "`systemd-run --scope -p Delegate=yes grader/grade ...`, or with GRADER_CGROUP=off "
            "(no limits)."
        )

    def describe(self):
        if not self.layout.version:
            return "no cgroup limits"
        return f"{self.layout.describe()}: " + ", ".join(self.applied)

    def pids(self):
        """Every process in the cgroup and in the cgroups below it (a container runtime
        in the sandbox makes its own there)."""
        out = set()
        for top in self.dirs:
            for d, _, _ in os.walk(top):
                try:
                    out.update(int(x) for x in _read(os.path.join(d, "cgroup.procs")).split())
                except OSError:
                    pass
        return out

    def kill_all(self, timeout=10.0):
        """SIGKILL to everything in the cgroup until it is empty. True if it emptied."""
        for d in self.dirs:
            if os.path.exists(os.path.join(d, "cgroup.kill")):
                try:
                    _write(os.path.join(d, "cgroup.kill"), 1)
                except OSError:
                    pass
        deadline = time.monotonic() + timeout
        while True:
            pids = self.pids()
            if not pids:
                return True
            for p in pids:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)

    def remove(self, timeout=10.0):
        """Removes the cgroup, and the cgroups left below it, deepest first."""
        deadline = time.monotonic() + timeout
        below = [os.path.join(p, n) for top in self.dirs for p, names, _ in os.walk(top, topdown=False)
                 for n in names]
        for d in below + list(reversed(self.dirs)):
            while os.path.isdir(d):
                try:
                    os.rmdir(d)
                except OSError as e:
                    if e.errno not in (errno.EBUSY, errno.ENOTEMPTY) or time.monotonic() > deadline:
                        raise GraderError(f"cannot remove the sandbox's cgroup {d}: {e.strerror}")
                    self.kill_all(timeout=1)
                    time.sleep(0.05)
        self.dirs = []


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def reap_stale(layout):
    """Removes the sandbox cgroups of graders that are gone (killed with SIGKILL: no
    finally ran), with whatever still runs in them. Returns the directories removed.
    A grader's PID taken by a new process since keeps its cgroups until that one ends."""
    parents = layout.parents.values() if layout.version == 1 else layout.parents if layout.version == 2 else []
    removed = []
    for parent in parents:
        try:
            names = os.listdir(parent)
        except OSError:
            continue
        for name in names:
            m = NAME.match(name)
            if not m or _alive(int(m.group(1))) or not os.path.isdir(os.path.join(parent, name)):
                continue
            cg = Cgroup(layout, 0, 0, 0, name=name)
            cg.dirs = [os.path.join(parent, name)]
            try:
                cg.kill_all(timeout=2)
                cg.remove(timeout=2)
                removed.append(os.path.join(parent, name))
            except GraderError:
                pass  # still busy: the next grading tries again
    return removed
