"""The guest side of --sandbox vm (sandbox.VmSandbox), run in a fresh vm-lab guest.

    python3 -B vmguest.py SPEC

vm-lab/run --host starts it as root in the guest, in the directory the grader gave
as cwd, with the host's root read-only under a tmpfs overlay, and each KEEP directory
shared writable with the host over 9p at its own path (vm-lab/run --rw). SPEC is
JSON: argv, env, ro, rw, tmpfs, keep, limits (pids, memory, cpus) and settings
(GRADER_CGROUP, GRADER_CGROUPNS). It makes RO read-only and RW writable (the guest's
own mounts, as grader/sandbox-init makes them in the local sandbox), puts TMPFS, the
tree's build/rootfs and /var/lib/box on an ext4 of the guest's (see local_fs), then
runs ARGV in a LocalSandbox of this guest: the same namespaces, cgroup and environment
as --sandbox local. ARGV's stdout lines go to stdout as they come, its stderr to
stderr at the end; the exit status is ARGV's (125 and one line "vm-sandbox: ..." when
this script cannot do its part).
"""

import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from boxgrader import GraderError, sandbox  # noqa: E402


def mount(*args):
    r = subprocess.run(["mount", *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise GraderError(f"mount {' '.join(args)}: {r.stderr.strip()}")


def bind(ro, rw, keep):
    """RO and RW bound on themselves, shallowest first (a RW inside a RO stays writable),
    then the KEEP mounts back on top. A bind mount does not carry the mounts below its
    source, so the tree's read-only bind would hide the shared KEEP directories inside
    it: they are moved aside first."""
    aside = []
    for i, d in enumerate(keep):
        if not os.path.ismount(d):
            raise GraderError(f"{d} is not shared with the host (vm-lab/run --rw)")
        side = f"/run/vm-sandbox/keep{i}"
        os.makedirs(side)
        mount("--move", d, side)
        aside.append((side, d))
    binds = [(d.count("/"), "ro", d) for d in ro] + [(d.count("/"), "rw", d) for d in rw]
    for _, mode, d in sorted(binds, key=lambda b: b[0]):
        # A directory the guest does not have (the host's /tmp, say) is out of reach anyway.
        if os.path.isdir(d):
            mount("--bind", d, d)
            mount("-o", f"remount,bind,{mode}", d)
    for side, d in aside:
        mount("--move", side, d)


def local_fs(cwd, tmpfs):
    """The host keeps the test root filesystem and box's state (/var/lib/box) on ext4
    and TMPDIR on a tmpfs; in the guest they would be 9p, overlayfs and the guest
    kernel's tmpfs (6.1), none of which can idmap a mount (step 10) or hold an overlay's
    user xattrs. A fresh ext4, a loop device on a file in the guest's memory, stands in
    for all three: TMPFS directories, a copy of CWD/build/rootfs, and /var/lib/box."""
    img, top = "/tmp/vm-sandbox.ext4", "/run/vm-sandbox/ext4"
    for cmd in (["modprobe", "loop"], ["truncate", "-s", "1G", img], ["mkfs.ext4", "-q", "-F", "-O", "^has_journal", img]):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise GraderError(f"{' '.join(cmd)}: {r.stderr.strip()}")
    os.makedirs(top)
    mount("-o", "loop", img, top)
    for i, d in enumerate(tmpfs):
        os.makedirs(f"{top}/tmp{i}", mode=0o1777)
        os.chmod(f"{top}/tmp{i}", 0o1777)
        mount("--bind", f"{top}/tmp{i}", d)
    rootfs = os.path.join(cwd, "build", "rootfs")
    if os.path.isdir(rootfs):
        r = subprocess.run(["cp", "-a", rootfs, f"{top}/rootfs"], capture_output=True, text=True)
        if r.returncode != 0:
            raise GraderError(f"cp -a {rootfs}: {r.stderr.strip()}")
        mount("--bind", f"{top}/rootfs", rootfs)
    os.makedirs(f"{top}/state")
    os.makedirs("/var/lib/box", exist_ok=True)
    mount("--bind", f"{top}/state", "/var/lib/box")


def main():
    spec = json.loads(sys.argv[1])
    os.environ.update(spec["settings"])
    out = sys.stdout.buffer

    def on_line(line):
        out.write(line.encode("utf-8", "replace") + b"\n")
        out.flush()

    try:
        bind(spec["ro"], spec["rw"], spec["keep"])
        local_fs(os.getcwd(), spec["tmpfs"])
        sb = sandbox.LocalSandbox(sandbox.Limits(**spec["limits"]))
        r = sb.run(spec["argv"], cwd=os.getcwd(), env=spec["env"], on_line=on_line)
    except GraderError as e:
        print(f"vm-sandbox: {e}", file=sys.stderr, flush=True)
        return 125
    sys.stderr.write(r.stderr)
    sys.stderr.flush()
    return r.returncode if r.returncode >= 0 else 128 - r.returncode


if __name__ == "__main__":
    sys.exit(main())
