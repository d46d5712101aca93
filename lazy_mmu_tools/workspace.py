"""The before/ and after/ copies lazy-mmu-lint analyses.

A Workspace is a temporary directory holding ``before/`` and ``after/``
copies of exactly the files a change touches, and, per file, which lines
of the new version changed (linediff.py, from git's own -U0 diff of the
two versions).  It is made from patches (copied out of a kernel tree,
which is only read, then applied with git apply: patchfile.py) or from a
git range (both versions from the object database: the work tree is not
read at all).  read_after() gives any other file of the tree as the
change leaves it, for the tree's API (treeapi.py).  Every git command
goes through gitseries.py.
"""

import dataclasses
import os
import shutil
import stat
import tempfile
from typing import Callable, Dict, List, Optional, Set, Tuple

from . import gitseries, linediff, patchfile
from .patchfile import PatchError

ANALYSED_SUFFIXES = (".c", ".h")
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


@dataclasses.dataclass
class TouchedFile:
    path: str                     # tree-relative path after the change
    old_path: Optional[str]       # tree-relative path before (None: new)
    before: Optional[bytes]
    after: Optional[bytes]        # None: deleted
    diff: linediff.LineDiff
    changed: Set[int] = dataclasses.field(init=False)  # lines of after

    def __post_init__(self) -> None:
        self.changed = self.diff.changed_lines()

    @property
    def analysed(self) -> bool:
        return (self.path.endswith(ANALYSED_SUFFIXES) and
                self.after is not None)


class Workspace:
    """before/ and after/ copies of the touched files in a temp dir."""

    def __init__(self, read_other: Callable[[str], Optional[bytes]]) -> None:
        self.root = tempfile.mkdtemp(prefix="lazy-mmu-lint.")
        self.before_dir = os.path.join(self.root, "before")
        self.after_dir = os.path.join(self.root, "after")
        os.mkdir(self.before_dir)
        os.mkdir(self.after_dir)
        self.files: List[TouchedFile] = []
        self._read_other = read_other

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def write(self, side: str, rel: str, data: bytes) -> None:
        patchfile.check_path_syntax(rel)
        dest = os.path.join(side, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(data)

    def analysed_files(self) -> List[TouchedFile]:
        return [f for f in self.files if f.analysed]

    def read_after(self, rel: str) -> Optional[bytes]:
        """A file of the tree as the change leaves it (None: absent)."""
        for f in self.files:
            if f.path == rel:
                return f.after
            if f.old_path == rel and f.after is None:
                return None
        return self._read_other(rel)


# ---------------------------------------------------------------------------
# From patches


def read_tree_file(tree: str, rel: str) -> Optional[bytes]:
    """A regular file of the tree, never through a symlink, never
    blocking on a FIFO; None when it does not exist."""
    path = os.path.join(os.path.realpath(tree), rel)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise PatchError("cannot read %s: %s" % (rel, e.strerror))
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise PatchError("%s is not a regular file" % rel)
        return f.read()


def _read_tree_checked(tree: str) -> Callable[[str], Optional[bytes]]:
    def read(rel: str) -> Optional[bytes]:
        try:
            patchfile.check_path(tree, rel)
            return read_tree_file(tree, rel)
        except PatchError:
            return None
    return read


def from_patches(tree: str, patches: List[patchfile.Patch],
                 strip: int = 1) -> Workspace:
    """Copy the files the patches touch out of ``tree``, apply the patches
    in order to the copy, and work out the changed lines."""
    headers = [f for p in patches for f in p.files]
    patchfile.check_files(tree, headers)
    ws = Workspace(_read_tree_checked(tree))
    try:
        # Every path read from the tree (one an earlier patch creates is
        # absent there) goes to both sides; the patches change after/.
        originals: Dict[str, bytes] = {}
        for h in headers:
            for p in (h.old_path, h.new_path):
                if p is None or p in originals:
                    continue
                data = read_tree_file(tree, p)
                if data is not None:
                    originals[p] = data
        for p, data in originals.items():
            ws.write(ws.before_dir, p, data)
            ws.write(ws.after_dir, p, data)
        for i, patch in enumerate(patches):
            patchfile.apply(ws.after_dir, patch, strip,
                            "" if len(patches) == 1 else
                            "patch %d of %d: " % (i + 1, len(patches)))
        _collect(ws, headers)
    except BaseException:
        ws.cleanup()
        raise
    return ws


def _final_paths(headers: List[patchfile.FileHeader]) -> Tuple[
        Dict[str, Optional[str]], Set[str]]:
    """new path -> original path (following renames through a series),
    and the paths deleted."""
    final: Dict[str, Optional[str]] = {}
    deleted: Set[str] = set()
    for h in headers:
        if h.new_path is None:
            deleted.add(h.old_path or "")
            continue
        origin = h.old_path
        for newp, oldp in list(final.items()):
            if newp == h.old_path:
                origin = oldp
                if h.new_path != newp:
                    del final[newp]
        final[h.new_path] = origin
    return final, deleted


def _collect(ws: Workspace, headers: List[patchfile.FileHeader]) -> None:
    """Fill ws.files from what is now in before/ and after/; the changed
    lines come from diffing the two versions (a series may touch a file
    several times, so no one patch's hunks say it)."""
    final, deleted = _final_paths(headers)
    for newp, oldp in sorted(final.items()):
        after = _maybe_read(os.path.join(ws.after_dir, newp))
        if after is None:
            continue
        before = (_maybe_read(os.path.join(ws.before_dir, oldp))
                  if oldp else None)
        ws.files.append(TouchedFile(
            newp, oldp if before is not None else None, before, after,
            _diff(before, after)))
    for p in sorted(deleted - set(final)):
        before = _maybe_read(os.path.join(ws.before_dir, p))
        ws.files.append(TouchedFile(p, p, before, None, linediff.LineDiff()))


def _diff(before: Optional[bytes], after: bytes) -> linediff.LineDiff:
    try:
        return linediff.diff_versions(before, after)
    except linediff.DiffError as e:
        raise PatchError(str(e))


def _maybe_read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


# ---------------------------------------------------------------------------
# From a git range


def _git(tree: str, args: List[str], what: str) -> bytes:
    # The caller's object directories are kept: in a pre-receive hook the
    # pushed objects are visible only through them.
    proc = gitseries.run_git_full(tree, args, binary=True, keep_objects=True)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PatchError("%s: %s" % (what, msg[0]) if msg else what)
    return proc.stdout


def resolve_range(tree: str, rng: str) -> Tuple[str, str]:
    """The two commits of ``A..B`` (or of ``A...B``: merge base, B)."""
    if "..." in rng:
        a, b = rng.split("...", 1)
        sym = True
    elif ".." in rng:
        a, b = rng.split("..", 1)
        sym = False
    else:
        raise PatchError("--range wants A..B, got %r" % rng)
    a = a or "HEAD"
    b = b or "HEAD"
    for rev in (a, b):
        if rev.startswith("-"):
            raise PatchError("bad revision %r" % rev)
    if not os.path.isdir(tree):
        raise PatchError("no such tree: %s" % tree)
    _git(tree, ["rev-parse", "--git-dir"],
         "%s is not a git repository (--range needs one)" % tree)
    bsha = _git(tree, ["rev-parse", "--verify", "-q", b + "^{commit}"],
                "bad revision %r" % b).decode().strip()
    if sym:
        asha = _git(tree, ["merge-base", a, b],
                    "no merge base of %r and %r" % (a, b)).decode().strip()
    else:
        asha = _git(tree, ["rev-parse", "--verify", "-q", a + "^{commit}"],
                    "bad revision %r" % a).decode().strip()
    return asha, bsha


def range_commits(tree: str, asha: str, bsha: str) -> List[Tuple[str, str,
                                                                  str]]:
    """(parent, commit, subject) of each non-merge commit of asha..bsha,
    oldest first; the parent of a root commit is the empty tree."""
    out = []
    log = _git(tree, ["log", "--reverse", "--no-merges",
                      "--format=%H %P%x09%s", asha + ".." + bsha],
               "git log failed")
    for line in log.decode("utf-8", "replace").splitlines():
        ids, _, subject = line.partition("\t")
        parts = ids.split()
        out.append((parts[1] if len(parts) > 1 else EMPTY_TREE, parts[0],
                    subject))
    return out


def from_range(tree: str, rng: str) -> Workspace:
    """before/ = the files as of A, after/ = as of B, for ``A..B`` (or
    ``A...B``: from the merge base)."""
    asha, bsha = resolve_range(tree, rng)
    return between(tree, asha, bsha)


def _raw_entries(raw: bytes) -> List[Tuple[str, str, List[str]]]:
    """(meta, status, paths) of each entry of git diff --raw -z."""
    fields = raw.split(b"\0")
    entries = []
    i = 0
    while i < len(fields) and fields[i]:
        meta = fields[i].decode()
        status = meta.split()[-1]
        n = 2 if status[0] in "RC" else 1
        paths = [fields[i + k].decode("utf-8", "surrogateescape")
                 for k in range(1, n + 1)]
        entries.append((meta, status, paths))
        i += n + 1
    return entries


def _blob_reader(tree: str, commit: str) -> Callable[[str], Optional[bytes]]:
    def read(rel: str) -> Optional[bytes]:
        proc = gitseries.run_git_full(
            tree, ["cat-file", "blob", "%s:%s" % (commit, rel)],
            binary=True, keep_objects=True)
        return proc.stdout if proc.returncode == 0 else None
    return read


def between(tree: str, asha: str, bsha: str) -> Workspace:
    """As from_range, for two resolved ids (commits or trees)."""
    entries = _raw_entries(_git(tree, ["diff", "--raw", "-z", "-M",
                                       "--no-abbrev", asha, bsha],
                                "git diff failed"))
    if len(entries) > patchfile.MAX_FILES:
        raise PatchError("range touches %d files (limit %d)"
                         % (len(entries), patchfile.MAX_FILES))
    ws = Workspace(_blob_reader(tree, bsha))
    try:
        for meta, status, paths in entries:
            _add_entry(ws, tree, meta, status, paths)
    except BaseException:
        ws.cleanup()
        raise
    return ws


def _add_entry(ws: Workspace, tree: str, meta: str, status: str,
               paths: List[str]) -> None:
    omode, nmode, osha, nsha = meta.lstrip(":").split()[:4]
    if "120000" in (omode, nmode) or "160000" in (omode, nmode):
        return            # symlinks and submodules: nothing to lint
    for p in paths:
        patchfile.check_path_syntax(p)
    oldp = paths[0] if status[0] != "A" else None
    newp = paths[-1] if status[0] != "D" else None
    before = (_git(tree, ["cat-file", "blob", osha], "cannot read %s" % oldp)
              if oldp else None)
    after = (_git(tree, ["cat-file", "blob", nsha], "cannot read %s" % newp)
             if newp else None)
    if b"\0" in (before or b"") + (after or b""):
        return            # binary files: nothing to lint
    if oldp and before is not None:
        ws.write(ws.before_dir, oldp, before)
    if newp is None:
        ws.files.append(TouchedFile(oldp or "", oldp, before, None,
                                    linediff.LineDiff()))
        return
    ws.write(ws.after_dir, newp, after or b"")
    ws.files.append(TouchedFile(newp, oldp, before, after,
                                _diff(before, after or b"")))
