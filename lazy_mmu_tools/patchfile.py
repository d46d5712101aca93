"""Reading patches from untrusted input and applying them somewhere safe.

A patch reaches bin/lazy-mmu-lint as a file, on stdin, as one or several
mails (``git format-patch --stdout``, a message saved from a list, with or
without MIME), or as a git range.  This module turns any of those into a
:class:`Workspace`: a temporary directory holding ``before/`` and
``after/`` copies of exactly the files the patch touches, plus, per file,
which lines of the new version changed.  The user's tree is only ever read.

Safety rules (each violation raises :class:`PatchError` with a one-line
reason): no absolute paths, no ``..`` component, no path that goes through
a symlink inside the tree or resolves outside it, no symlink or binary
patches, no input bigger than :data:`MAX_PATCH_BYTES`, and input that holds
no unified diff at all is "not a patch".  The patch is applied with
``git apply`` in the temporary copy, with repository discovery disabled so
git never looks at (or writes to) any repository around it.

Only this module and the runners in lint.py start subprocesses (git).
"""

import dataclasses
import email
import email.policy
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from typing import Dict, Iterable, List, Optional, Set, Tuple

MAX_PATCH_BYTES = 10 * 1024 * 1024
MAX_FILES = 2000

ANALYSED_SUFFIXES = (".c", ".h")


class PatchError(Exception):
    """The input cannot be linted; str() is a one-line reason."""


# ---------------------------------------------------------------------------
# Parsed patch model


@dataclasses.dataclass
class Hunk:
    old_start: int
    old_len: int
    new_start: int
    new_len: int
    # (tag, text) with tag in ' ', '-', '+'
    lines: List[Tuple[str, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class FileDiff:
    """One file's part of a unified diff, with paths already stripped."""
    old_path: Optional[str]          # None: /dev/null (a new file)
    new_path: Optional[str]          # None: /dev/null (a deleted file)
    hunks: List[Hunk] = dataclasses.field(default_factory=list)
    binary: bool = False
    symlink: bool = False

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    def changed_lines(self) -> Set[int]:
        """Lines of the new version that the diff added, plus, for each
        run of removed lines, the new-version line where the removal
        happened (the line that now follows it, or the last line)."""
        out: Set[int] = set()
        for h in self.hunks:
            new = h.new_start if h.new_len else h.new_start + 1
            pending_removal = False
            for tag, _ in h.lines:
                if tag == "+":
                    out.add(new)
                    new += 1
                    pending_removal = False
                elif tag == "-":
                    pending_removal = True
                else:
                    if pending_removal:
                        out.add(new)
                        pending_removal = False
                    new += 1
            if pending_removal:
                # removed at the end of the hunk: blame the line that now
                # follows (callers clamp it to the file's last line)
                out.add(new)
        return out

    def touched_old_lines(self) -> Set[int]:
        """Lines of the old version that the diff removed, plus, for each
        run of added lines, the old line it was inserted before."""
        out: Set[int] = set()
        for h in self.hunks:
            old = h.old_start if h.old_len else h.old_start + 1
            for tag, _ in h.lines:
                if tag == "-":
                    out.add(old)
                    old += 1
                elif tag == "+":
                    out.add(old)
                else:
                    old += 1
        return out

    def map_old_line(self, line: int) -> Optional[int]:
        """The new-version line an unchanged old line moved to; None when
        the diff removed it."""
        shift = 0
        for h in self.hunks:
            old_first = h.old_start if h.old_len else h.old_start + 1
            if line < old_first:
                break
            if line >= old_first + h.old_len:
                shift += h.new_len - h.old_len
                continue
            old = old_first
            new = h.new_start if h.new_len else h.new_start + 1
            for tag, _ in h.lines:
                if tag == " ":
                    if old == line:
                        return new
                    old += 1
                    new += 1
                elif tag == "-":
                    if old == line:
                        return None
                    old += 1
                else:
                    new += 1
            return None
        return line + shift


HUNK_RE = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def _strip(path: bytes, strip: int) -> Optional[str]:
    """Turn a ---/+++ path into a tree-relative one (None for /dev/null)."""
    p = path.split(b"\t")[0].rstrip(b"\r")
    if p.startswith(b'"') and p.endswith(b'"') and len(p) >= 2:
        p = _unquote_c(p[1:-1])
    if p == b"/dev/null":
        return None
    try:
        s = p.decode("utf-8")
    except UnicodeDecodeError:
        raise PatchError("path is not valid UTF-8: %r" % p[:80])
    if s.startswith("/"):
        raise PatchError("absolute path in patch: %s" % s)
    parts = s.split("/")
    if strip:
        if len(parts) <= strip:
            raise PatchError("path %s has fewer than %d leading components"
                             % (s, strip + 1))
        parts = parts[strip:]
    return "/".join(parts)


def _unquote_c(b: bytes) -> bytes:
    """git's C-style quoting of unusual paths ("a/b\\tc")."""
    out = bytearray()
    i = 0
    esc = {b"n"[0]: 10, b"t"[0]: 9, b'"'[0]: 34, b"\\"[0]: 92,
           b"a"[0]: 7, b"b"[0]: 8, b"f"[0]: 12, b"r"[0]: 13, b"v"[0]: 11}
    while i < len(b):
        c = b[i]
        if c == 92 and i + 1 < len(b):
            n = b[i + 1]
            if 48 <= n <= 55 and i + 3 < len(b) + 1:
                out.append(int(b[i + 1:i + 4], 8) & 0xFF)
                i += 4
                continue
            out.append(esc.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def parse_diff(data: bytes, strip: int = 1) -> List[FileDiff]:
    """Parse every file diff in ``data`` (a unified diff, git's or not,
    possibly surrounded by mail text).  Text before the first ``diff``/
    ``---`` line, between files and after the last hunk is ignored, as
    ``git apply`` ignores it."""
    lines = data.split(b"\n")
    files: List[FileDiff] = []
    i = 0
    n = len(lines)
    cur: Optional[FileDiff] = None
    git_header = False
    while i < n:
        line = lines[i]
        if line.startswith(b"diff --git "):
            cur = FileDiff(old_path=None, new_path=None)
            files.append(cur)
            git_header = True
            # paths come from ---/+++ or, for hunkless diffs, from here
            m = re.match(rb"^diff --git (\S+) (\S+)\s*$", line)
            if m:
                cur.old_path = _strip(m.group(1), strip)
                cur.new_path = _strip(m.group(2), strip)
            i += 1
            continue
        if git_header and cur is not None:
            if line.startswith(b"new file mode"):
                cur.old_path = None
                if line.split()[-1] == b"120000":
                    cur.symlink = True
            elif line.startswith(b"deleted file mode"):
                cur.new_path = None
                if line.split()[-1] == b"120000":
                    cur.symlink = True
            elif line.startswith((b"new mode", b"old mode", b"index ")):
                if line.rstrip().endswith(b"120000"):
                    cur.symlink = True
            elif line.startswith((b"rename from ", b"copy from ")):
                cur.old_path = _strip(line.split(b" ", 2)[2], 0)
            elif line.startswith((b"rename to ", b"copy to ")):
                cur.new_path = _strip(line.split(b" ", 2)[2], 0)
            elif line.startswith(b"GIT binary patch") or \
                    (line.startswith(b"Binary files ") and
                     line.rstrip().endswith(b" differ")):
                cur.binary = True
        if (line.startswith(b"Binary files ") and
                line.rstrip().endswith(b" differ")):
            if cur is None or not git_header:
                raise PatchError("binary patch is not supported: %s"
                                 % line.decode("utf-8", "replace")[:200])
        if (line.startswith(b"--- ") and i + 1 < n and
                lines[i + 1].startswith(b"+++ ")):
            old = _strip(line[4:], strip)
            new = _strip(lines[i + 1][4:], strip)
            if not git_header or cur is None:
                cur = FileDiff(old_path=old, new_path=new)
                files.append(cur)
            else:
                cur.old_path, cur.new_path = old, new
            git_header = False
            i += 2
            # hunks
            while i < n:
                m = HUNK_RE.match(lines[i])
                if not m:
                    break
                h = Hunk(int(m.group(1)),
                         int(m.group(2)) if m.group(2) is not None else 1,
                         int(m.group(3)),
                         int(m.group(4)) if m.group(4) is not None else 1)
                i += 1
                old_left, new_left = h.old_len, h.new_len
                while i < n and (old_left > 0 or new_left > 0):
                    l = lines[i]
                    if l.startswith(b"\\"):      # \ No newline at end of file
                        i += 1
                        continue
                    tag = l[:1] if l else b" "
                    text = l[1:].decode("utf-8", "surrogateescape")
                    if tag == b" ":
                        old_left -= 1
                        new_left -= 1
                    elif tag == b"-":
                        old_left -= 1
                    elif tag == b"+":
                        new_left -= 1
                    else:
                        raise PatchError("corrupt patch at line %d: hunk of "
                                         "%s ends early" % (i + 1, cur.path))
                    h.lines.append((tag.decode(), text))
                    i += 1
                if old_left < 0 or new_left < 0:
                    raise PatchError("corrupt patch: hunk of %s is longer "
                                     "than its header says" % cur.path)
                while i < n and lines[i].startswith(b"\\"):
                    i += 1
                cur.hunks.append(h)
            cur = None
            continue
        i += 1
    return files


# ---------------------------------------------------------------------------
# Reading input


def read_input(path: str, limit: int = MAX_PATCH_BYTES) -> bytes:
    """Read a patch file, or stdin for '-', refusing more than ``limit``."""
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            if os.path.isdir(path):
                raise PatchError("%s is a directory, not a patch" % path)
            with open(path, "rb") as f:
                data = f.read(limit + 1)
    except OSError as e:
        raise PatchError("cannot read %s: %s" % (path, e.strerror))
    if len(data) > limit:
        raise PatchError("%s: patch too large (over %d MB)"
                         % ("stdin" if path == "-" else path,
                            limit // (1024 * 1024)))
    return data


# An mbox separator: "From <sha1> Mon Sep 17 00:00:00 2001" (format-patch),
# "From git@z Thu Jan  1 00:00:00 1970" (b4), "From user@host <asctime>".
MBOX_FROM_RE = re.compile(rb"^From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ "
                          rb"\d\d:\d\d:\d\d \d{4}\s*$", re.M)
HEADER_RE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")


def split_messages(data: bytes) -> List[bytes]:
    """Split input into patches: an mbox of several format-patch mails is
    several patches, applied in order; anything else is one.  A mail's
    text/plain parts are decoded (quoted-printable, base64).  Input whose
    every line ends in CR LF (a mail saved on some clients) gets plain LF
    line ends, as the kernel's sources have."""
    if b"\0" in data:
        raise PatchError("input is binary, not a patch")
    if b"\r\n" in data and data.count(b"\n") == data.count(b"\r\n"):
        data = data.replace(b"\r\n", b"\n")
    starts = [m.start() for m in MBOX_FROM_RE.finditer(data)]
    if starts and starts[0] != 0:
        starts.insert(0, 0)
    chunks = ([data[a:b] for a, b in zip(starts, starts[1:] + [len(data)])]
              if starts else [data])
    return [_mail_body(c) for c in chunks]


def _mail_body(chunk: bytes) -> bytes:
    body = chunk
    if body.startswith(b"From ") and b"\n" in body:
        body = body.split(b"\n", 1)[1]
    first = body.split(b"\n", 1)[0]
    if not HEADER_RE.match(first) or b"\n\n" not in body.replace(b"\r\n",
                                                                 b"\n"):
        return chunk
    msg = email.message_from_bytes(body, policy=email.policy.compat32)
    cte = (msg.get("Content-Transfer-Encoding") or "").lower()
    if not msg.is_multipart() and cte not in ("quoted-printable", "base64"):
        return chunk          # plain mail: the diff parser skips headers
    parts = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if ctype.startswith("text/") or ctype in ("application/mbox",
                                                  "application/x-patch"):
            payload = part.get_payload(decode=True)
            if payload:
                parts.append(payload)
    return b"\n".join(parts) if parts else chunk


# ---------------------------------------------------------------------------
# Path safety


def check_path(tree: str, rel: str) -> None:
    """Reject a tree-relative path that could reach outside ``tree``."""
    if not rel:
        raise PatchError("empty path in patch")
    if rel.startswith("/"):
        raise PatchError("absolute path in patch: %s" % rel)
    if any(ord(c) < 32 or c == "\x7f" for c in rel):
        raise PatchError("control character in path %r" % rel)
    parts = rel.split("/")
    if ".." in parts:
        raise PatchError("path escapes the tree: %s" % rel)
    if "" in parts or "." in parts:
        raise PatchError("path is not normalised: %s" % rel)
    if parts[0] == ".git":
        raise PatchError("path inside .git: %s" % rel)
    real_tree = os.path.realpath(tree)
    cur = real_tree
    for comp in parts:
        cur = os.path.join(cur, comp)
        if os.path.islink(cur):
            raise PatchError("path goes through a symlink in the tree: %s"
                             % rel)
        if not os.path.lexists(cur):
            break
    real = os.path.realpath(os.path.join(real_tree, rel))
    if real != real_tree and not real.startswith(real_tree + os.sep):
        raise PatchError("path resolves outside the tree: %s" % rel)


def check_diffs(tree: Optional[str], diffs: Iterable[FileDiff]) -> None:
    for d in diffs:
        if d.binary:
            raise PatchError("binary patch is not supported: %s" % d.path)
        if d.symlink:
            raise PatchError("symlink patch is not supported: %s" % d.path)
        for p in (d.old_path, d.new_path):
            if p is None:
                continue
            if tree is not None:
                check_path(tree, p)
            else:
                check_path_syntax(p)


def check_path_syntax(rel: str) -> None:
    parts = rel.split("/")
    if rel.startswith("/") or ".." in parts or "" in parts:
        raise PatchError("path escapes the tree: %s" % rel)


# ---------------------------------------------------------------------------
# The workspace


@dataclasses.dataclass
class TouchedFile:
    path: str                     # tree-relative path after the change
    old_path: Optional[str]       # tree-relative path before (None: new)
    before: Optional[bytes]
    after: Optional[bytes]        # None: deleted
    changed: Set[int]             # changed lines of the new version
    diff: FileDiff

    @property
    def analysed(self) -> bool:
        return (self.path.endswith(ANALYSED_SUFFIXES) and
                self.after is not None)


class Workspace:
    """before/ and after/ copies of the touched files in a temp dir."""

    def __init__(self) -> None:
        self.root = tempfile.mkdtemp(prefix="lazy-mmu-lint.")
        self.before_dir = os.path.join(self.root, "before")
        self.after_dir = os.path.join(self.root, "after")
        os.mkdir(self.before_dir)
        os.mkdir(self.after_dir)
        self.files: List[TouchedFile] = []

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def _write(self, side: str, rel: str, data: bytes) -> None:
        check_path_syntax(rel)
        dest = os.path.join(side, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(data)

    def analysed_files(self) -> List[TouchedFile]:
        return [f for f in self.files if f.analysed]


def _git_env() -> Dict[str, str]:
    env = dict(os.environ)
    for k in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
              "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES"):
        env.pop(k, None)
    env["LC_ALL"] = "C"
    return env


def _read_tree_file(tree: str, rel: str) -> Optional[bytes]:
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


def workspace_from_patches(tree: str, patches: List[bytes],
                           strip: int = 1) -> Workspace:
    """Copy the files the patches touch out of ``tree``, apply the patches
    in order to the copy, and work out the changed lines."""
    per_patch: List[List[FileDiff]] = []
    for data in patches:
        diffs = parse_diff(data, strip)
        per_patch.append(diffs)
    if not any(per_patch):
        raise PatchError("input is not a patch (no unified diff found)")
    for i, diffs in enumerate(per_patch):
        if not diffs and len(per_patch) > 1:
            raise PatchError("message %d of %d holds no diff"
                             % (i + 1, len(per_patch)))
    all_diffs = [d for diffs in per_patch for d in diffs]
    if len(all_diffs) > MAX_FILES:
        raise PatchError("patch touches %d files (limit %d)"
                         % (len(all_diffs), MAX_FILES))
    check_diffs(tree, all_diffs)

    ws = Workspace()
    try:
        # Which paths exist before the series: every old path read from
        # the tree (a path created by an earlier patch is absent there).
        originals: Dict[str, bytes] = {}
        for d in all_diffs:
            for p in (d.old_path, d.new_path):
                if p is None or p in originals:
                    continue
                data = _read_tree_file(tree, p)
                if data is not None:
                    originals[p] = data
        for p, data in originals.items():
            ws._write(ws.before_dir, p, data)
            ws._write(ws.after_dir, p, data)
        for i, data in enumerate(patches):
            if not per_patch[i]:
                continue
            _git_apply(ws.after_dir, data, strip,
                       "" if len(patches) == 1 else
                       "patch %d of %d: " % (i + 1, len(patches)))
        _collect(ws, all_diffs)
    except BaseException:
        ws.cleanup()
        raise
    return ws


def _git_apply(where: str, data: bytes, strip: int, what: str) -> None:
    env = _git_env()
    # No repository discovery above the temp dir: git apply then works on
    # plain files and refuses paths outside the directory.
    env["GIT_CEILING_DIRECTORIES"] = os.path.dirname(where)
    proc = subprocess.run(["git", "apply", "-p%d" % strip,
                           "--whitespace=nowarn", "-"],
                          cwd=where, input=data, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        err = [l for l in proc.stderr.decode("utf-8", "replace")
               .splitlines() if l.startswith("error:")]
        reason = err[0][len("error:"):].strip() if err else \
            proc.stderr.decode("utf-8", "replace").strip()[:200]
        # "patch failed: mm/memory.c:1123" is the useful one when present
        for l in err:
            if "patch failed" in l:
                reason = l[len("error:"):].strip()
                break
        raise PatchError("%spatch does not apply: %s"
                         % (what, reason or "git apply failed"))


def _collect(ws: Workspace, diffs: List[FileDiff]) -> None:
    """Fill ws.files from what is now in before/ and after/, with changed
    lines computed by diffing the two versions (a series of patches may
    touch a file several times, so the input's hunks are not enough)."""
    final_paths: Dict[str, Optional[str]] = {}   # new path -> old path
    deleted: Set[str] = set()
    for d in diffs:
        if d.new_path is None:
            deleted.add(d.old_path or "")
            continue
        origin = d.old_path
        # follow a chain of renames back to the original name
        for newp, oldp in list(final_paths.items()):
            if newp == d.old_path:
                origin = oldp
                if d.new_path != newp:
                    del final_paths[newp]
        final_paths[d.new_path] = origin
    for newp, oldp in sorted(final_paths.items()):
        after = _maybe_read(os.path.join(ws.after_dir, newp))
        if after is None:
            continue
        before = (_maybe_read(os.path.join(ws.before_dir, oldp))
                  if oldp else None)
        fd = diff_versions(before, after, oldp, newp)
        ws.files.append(TouchedFile(newp, oldp if before is not None else
                                    None, before, after,
                                    fd.changed_lines(), fd))
    for p in sorted(deleted):
        if p in final_paths:
            continue
        before = _maybe_read(os.path.join(ws.before_dir, p))
        ws.files.append(TouchedFile(p, p, before, None, set(),
                                    FileDiff(p, None)))


def _maybe_read(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        return None


def diff_versions(before: Optional[bytes], after: bytes,
                  old: Optional[str], new: str) -> FileDiff:
    """A FileDiff between two versions of one file, from git diff -U0."""
    if before == after:
        return FileDiff(old, new)
    with tempfile.TemporaryDirectory(prefix="lazy-mmu-diff.") as d:
        a = os.path.join(d, "a")
        b = os.path.join(d, "b")
        with open(a, "wb") as f:
            f.write(before or b"")
        with open(b, "wb") as f:
            f.write(after)
        proc = subprocess.run(["git", "diff", "--no-index", "--no-color",
                               "--no-ext-diff", "-U0", "--", "a", "b"],
                              cwd=d, env=_git_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        raise PatchError("git diff failed: %s"
                         % proc.stderr.decode("utf-8", "replace").strip())
    parsed = parse_diff(proc.stdout, strip=0)
    if not parsed:
        return FileDiff(old, new)
    fd = parsed[0]
    fd.old_path, fd.new_path = old, new
    return fd


# ---------------------------------------------------------------------------
# A git range


def _git(tree: str, args: List[str], what: str) -> bytes:
    # The user's git environment is kept here: in a pre-receive hook the
    # pushed objects are only visible through GIT_OBJECT_DIRECTORY and
    # GIT_ALTERNATE_OBJECT_DIRECTORIES.
    env = dict(os.environ, LC_ALL="C")
    proc = subprocess.run(["git", "-C", tree] + args, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PatchError("%s: %s" % (what, msg[0]) if msg else what)
    return proc.stdout


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


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
    log = _git(tree, ["log", "--reverse", "--no-merges", "--format=%H %P%x09%s",
                      asha + ".." + bsha], "git log failed")
    for line in log.decode("utf-8", "replace").splitlines():
        ids, _, subject = line.partition("\t")
        parts = ids.split()
        out.append((parts[1] if len(parts) > 1 else EMPTY_TREE, parts[0],
                    subject))
    return out


def workspace_from_range(tree: str, rng: str) -> Workspace:
    """before/ = the files as of A, after/ = as of B, for ``A..B`` (or
    ``A...B``: from the merge base).  Nothing in the work tree is read or
    written; only the object database."""
    asha, bsha = resolve_range(tree, rng)
    return workspace_between(tree, asha, bsha)


def workspace_between(tree: str, asha: str, bsha: str) -> Workspace:
    """As workspace_from_range, for two resolved ids (commits or trees)."""
    raw = _git(tree, ["diff", "--raw", "-z", "-M", "--no-abbrev",
                      asha, bsha], "git diff failed")
    fields = raw.split(b"\0")
    ws = Workspace()
    try:
        i = 0
        entries = []
        while i < len(fields) and fields[i]:
            meta = fields[i].decode()
            status = meta.split()[-1]
            if status[0] in "RC":
                paths = [fields[i + 1].decode("utf-8", "surrogateescape"),
                         fields[i + 2].decode("utf-8", "surrogateescape")]
                i += 3
            else:
                paths = [fields[i + 1].decode("utf-8", "surrogateescape")]
                i += 2
            entries.append((meta, status, paths))
        if len(entries) > MAX_FILES:
            raise PatchError("range touches %d files (limit %d)"
                             % (len(entries), MAX_FILES))
        for meta, status, paths in entries:
            parts = meta.lstrip(":").split()
            omode, nmode, osha, nsha = parts[0], parts[1], parts[2], parts[3]
            if "120000" in (omode, nmode) or "160000" in (omode, nmode):
                continue          # symlinks and submodules: nothing to lint
            for p in paths:
                check_path_syntax(p)
            oldp = paths[0] if status[0] != "A" else None
            newp = paths[-1] if status[0] != "D" else None
            before = (_git(tree, ["cat-file", "blob", osha],
                           "cannot read %s" % oldp) if oldp else None)
            after = (_git(tree, ["cat-file", "blob", nsha],
                          "cannot read %s" % newp) if newp else None)
            if b"\0" in (before or b"") + (after or b""):
                continue          # binary files: nothing to lint
            if oldp and before is not None:
                ws._write(ws.before_dir, oldp, before)
            if newp and after is not None:
                ws._write(ws.after_dir, newp, after)
            if newp is None:
                ws.files.append(TouchedFile(oldp or "", oldp, before, None,
                                            set(), FileDiff(oldp, None)))
                continue
            fd = diff_versions(before, after or b"", oldp, newp)
            ws.files.append(TouchedFile(newp, oldp, before, after,
                                        fd.changed_lines(), fd))
    except BaseException:
        ws.cleanup()
        raise
    return ws
