"""Reading a submission: only the learner's lab sources, labs/NN-name/*.c and *.h.

A submission is a directory (a copy or a checkout of the repository), a tarball, a
zip file, or a git repository (a path to a bare repository, a URL, or any of them with
an explicit revision). Whatever else it holds (tests, Makefile, grader, results files)
is never read: the grader builds and tests in a pristine tree of its own.

The repository may sit below a top directory (a tarball of "box-workshop/..."): the
shallowest directory that holds labs/NN-*/ files is taken. Only regular files are
taken (no symlinks, devices or hard links), with plain names, and within size limits.
"""

import os
import re
import stat
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass, field

from . import UsageError

# labs/NN-name/file.c under an optional prefix; names without "..", spaces or slashes.
LAB_PATH = re.compile(r"^(?:(.*)/)?labs/(\d\d-[A-Za-z0-9_.+-]+)/([A-Za-z0-9_][A-Za-z0-9_.+-]*\.[ch])$")
MAX_FILE = 1 << 20  # bytes per file
MAX_TOTAL = 16 << 20  # bytes per submission
MAX_FILES = 500


@dataclass
class Submission:
    source: str  # what was given, for the report
    kind: str  # directory, tarball, zip, git
    labs: dict = field(default_factory=dict)  # "02-pid-namespace" -> {"run.c": bytes}
    notes: list = field(default_factory=list)  # what was skipped, and why

    def files(self):
        return sorted(f"labs/{lab}/{name}" for lab, files in self.labs.items() for name in files)


class _Collector:
    """Keeps the candidate files per prefix; the shallowest prefix wins."""

    def __init__(self, sub):
        self.sub = sub
        self.by_prefix = {}
        self.total = 0
        self.count = 0

    def wants(self, path):
        while path.startswith("./"):
            path = path[2:]
        m = LAB_PATH.match(path)
        if not m or ".." in path.split("/"):
            return None
        return m

    def add(self, path, size, read):
        while path.startswith("./"):
            path = path[2:]
        m = self.wants(path)
        if not m:
            return
        if size > MAX_FILE:
            self.sub.notes.append(f"skipped {path}: {size} bytes, more than {MAX_FILE}")
            return
        if self.total + size > MAX_TOTAL or self.count >= MAX_FILES:
            self.sub.notes.append(f"skipped {path}: the submission is over its size limit")
            return
        prefix, lab, name = m.group(1) or "", m.group(2), m.group(3)
        self.by_prefix.setdefault(prefix, {}).setdefault(lab, {})[name] = read()
        self.total += size
        self.count += 1

    def skip(self, path, why):
        if self.wants(path):
            self.sub.notes.append(f"skipped {path}: {why}")

    def finish(self):
        if not self.by_prefix:
            return self.sub
        depth = min(p.count("/") + (1 if p else 0) for p in self.by_prefix)
        best = sorted(p for p in self.by_prefix if p.count("/") + (1 if p else 0) == depth)
        if len(best) > 1:
            raise UsageError(
                f"{self.sub.source}: lab sources in more than one place ({', '.join(b or '.' for b in best)}):"
                " submit one copy of the repository"
            )
        self.sub.labs = self.by_prefix[best[0]]
        others = [p for p in self.by_prefix if p != best[0]]
        if others:
            self.sub.notes.append(
                f"ignored lab sources under {', '.join(sorted(others))} (took {best[0] or 'the top level'})"
            )
        return self.sub


def read_directory(path, sub):
    col = _Collector(sub)
    for dirpath, dirnames, filenames in os.walk(path, followlinks=False):
        rel = os.path.relpath(dirpath, path)
        depth = 0 if rel == "." else rel.count(os.sep) + 1
        # Only what can lead to labs/NN-name/: skip VCS, build trees, and deep paths.
        dirnames[:] = [d for d in dirnames if d not in (".git", "build", "node_modules") and depth < 6]
        for name in filenames:
            full = os.path.join(dirpath, name)
            relf = os.path.normpath(os.path.join(rel, name)).replace(os.sep, "/")
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode):
                col.skip(relf, "not a regular file (a symlink?)")
                continue
            col.add(relf, st.st_size, lambda full=full: _read_file(full))
    return col.finish()


def _read_file(path):
    # O_NOFOLLOW: the file was a regular file when listed; never follow a swapped link.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        return f.read(MAX_FILE + 1)[:MAX_FILE]


def read_tarball(path, sub):
    col = _Collector(sub)
    try:
        with tarfile.open(path, "r:*") as tar:
            for m in tar:
                name = m.name
                if m.isreg():
                    col.add(name, m.size, lambda m=m: tar.extractfile(m).read())
                else:
                    col.skip(name, "not a regular file (a link?)")
    except (tarfile.TarError, OSError, EOFError) as e:
        raise UsageError(f"{path}: not a readable tarball: {e}")
    return col.finish()


def read_zip(path, sub):
    col = _Collector(sub)
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                mode = info.external_attr >> 16
                if info.is_dir():
                    continue
                if mode and not stat.S_ISREG(mode):
                    col.skip(info.filename, "not a regular file (a symlink?)")
                    continue
                col.add(info.filename, info.file_size, lambda info=info: z.read(info))
    except (zipfile.BadZipFile, OSError) as e:
        raise UsageError(f"{path}: not a readable zip file: {e}")
    return col.finish()


def _git(args, cwd=None, text=False):
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="/bin/false", LC_ALL="C")
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=text, timeout=300
        ).stdout
    except FileNotFoundError:
        raise UsageError("reading a git submission needs git")
    except subprocess.CalledProcessError as e:
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise UsageError(f"git {' '.join(args[:2])}: {err.strip()}")
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {' '.join(args[:2])}: timed out")


def read_git(gitdir, rev, sub):
    """The lab files of REV in a repository, from git's objects (no checkout)."""
    col = _Collector(sub)
    listing = _git(["--git-dir", gitdir, "ls-tree", "-r", "-z", "--long", "--full-tree", rev])
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, kind, obj, size = meta.split()
        path = path.decode(errors="replace")
        if kind != b"blob" or mode not in (b"100644", b"100755"):
            col.skip(path, "not a regular file (a symlink or submodule?)")
            continue
        col.add(path, int(size), lambda obj=obj: _git(["--git-dir", gitdir, "cat-file", "blob", obj.decode()]))
    return col.finish()


def is_git_url(s):
    return "://" in s or re.match(r"^[\w.-]+@[\w.-]+:", s) is not None


def open_submission(spec, rev=None, scratch=None):
    """Reads the lab sources of SPEC. REV grades a commit instead of the files as they
    are; SCRATCH is a directory for a clone of a URL."""
    sub = Submission(source=spec, kind="")
    if is_git_url(spec):
        if not scratch:
            raise UsageError("a git URL needs a scratch directory")
        dest = os.path.join(scratch, "clone.git")
        _git(["clone", "--quiet", "--bare", "--no-tags", "--", spec, dest])
        sub.kind = "git"
        return read_git(dest, rev or "HEAD", sub)
    if not os.path.exists(spec):
        raise UsageError(f"{spec}: no such file or directory")
    if os.path.isdir(spec):
        bare = all(os.path.exists(os.path.join(spec, p)) for p in ("HEAD", "objects", "refs"))
        if bare or rev:
            gitdir = spec if bare else os.path.join(spec, ".git")
            if not os.path.exists(gitdir):
                raise UsageError(f"{spec}: --rev needs a git repository")
            sub.kind = "git"
            return read_git(gitdir, rev or "HEAD", sub)
        sub.kind = "directory"
        return read_directory(spec, sub)
    if rev:
        raise UsageError("--rev needs a git repository")
    if zipfile.is_zipfile(spec):
        sub.kind = "zip"
        return read_zip(spec, sub)
    if tarfile.is_tarfile(spec):
        sub.kind = "tarball"
        return read_tarball(spec, sub)
    raise UsageError(f"{spec}: not a directory, a tarball, a zip file or a git repository")
