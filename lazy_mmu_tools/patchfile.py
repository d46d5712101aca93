"""Patch intake for lazy-mmu-lint: untrusted input in, checked patches out.

A patch reaches bin/lazy-mmu-lint as a file, on stdin, as one or several
mails (``git format-patch --stdout``, a message saved from a list, plain
or MIME, an mbox of a series), so git's own tools read it:

  - ``git mailsplit -b`` splits an mbox into messages (input that is not
    an mbox is one message), dropping the CRs of CR LF line ends;
  - ``git mailinfo`` takes the patch out of each message, decoding
    quoted-printable and base64 and picking the text parts of MIME mails
    (the text of a plain diff is its own patch);
  - ``git apply --numstat`` lists the files each patch touches and which
    are binary, and refuses a corrupt patch or one with no diff;
  - ``git apply`` applies it (workspace.py), strictly, in a temporary
    directory.

What git does not say is read from the file headers only (``diff --git``,
``---``/``+++``, rename/copy and mode lines): the path before a rename,
symlink modes, and an absolute path before -p stripping.  Those headers
must name the same files as git's list.  The safety rules (each a
PatchError with a one-line reason): no absolute path, no ``..``
component, no control character, no path into ``.git/``, none through a
symlink of the tree or resolving outside it, no symlink or binary patch,
no input with NUL bytes or over MAX_PATCH_BYTES, no more than MAX_FILES
files.  Every git command goes through gitseries.py.
"""

import dataclasses
import os
import re
import sys
import tempfile
from typing import Iterable, List, Optional

from . import gitseries

MAX_PATCH_BYTES = 10 * 1024 * 1024
MAX_FILES = 2000


class PatchError(Exception):
    """The input cannot be linted; str() is a one-line reason."""


@dataclasses.dataclass
class FileHeader:
    """One file of a patch, paths stripped and tree-relative."""
    old_path: Optional[str]          # None: /dev/null (a new file)
    new_path: Optional[str]          # None: /dev/null (a deleted file)
    binary: bool = False
    symlink: bool = False

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""


@dataclasses.dataclass
class Patch:
    """One message's patch: its text and the files it touches."""
    data: bytes
    files: List[FileHeader]


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


def _git(cwd: str, args: List[str], prefix: str,
         input: Optional[bytes] = None) -> bytes:
    """git's stdout; PatchError(prefix + git's first error) if it fails."""
    proc = gitseries.run_git_full(cwd, args, input=input, binary=True,
                                  ceiling=os.path.dirname(cwd))
    if proc.returncode != 0:
        lines = [l.strip() for l in proc.stderr.decode("utf-8", "replace")
                 .splitlines() if l.strip()]
        errors = [l[len("error:"):].strip() for l in lines
                  if l.startswith("error:")] or \
            [l[len("fatal:"):].strip() for l in lines
             if l.startswith("fatal:")] or lines
        raise PatchError(prefix + (errors[0] if errors else
                                   "git exited %d" % proc.returncode))
    return proc.stdout


def split_messages(data: bytes) -> List[bytes]:
    """The patch of each message of the input, in order: git mailsplit,
    then git mailinfo on each message."""
    if b"\0" in data:
        raise PatchError("input is binary, not a patch")
    if not data.strip():
        return []
    with tempfile.TemporaryDirectory(prefix="lazy-mmu-mail.") as d:
        src = os.path.join(d, "input")
        with open(src, "wb") as f:
            f.write(data)
        out = os.path.join(d, "msgs")
        os.mkdir(out)
        _git(d, ["mailsplit", "-b", "-o" + out, src], "cannot split the mail: ")
        patches = []
        for name in sorted(os.listdir(out)):
            with open(os.path.join(out, name), "rb") as f:
                mail = f.read()
            patch = os.path.join(d, "patch")
            _git(d, ["mailinfo", "-n", os.path.join(d, "msg"), patch],
                 "cannot read mail %s: " % name.lstrip("0"), input=mail)
            with open(patch, "rb") as f:
                patches.append(f.read())
    return patches


# ---------------------------------------------------------------------------
# The files of a patch


def _unquote_c(b: bytes) -> bytes:
    """git's C-style quoting of unusual paths ("a/b\\tc")."""
    out = bytearray()
    i = 0
    esc = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92,
           ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("r"): 13,
           ord("v"): 11}
    while i < len(b):
        c = b[i]
        if c == 92 and i + 1 < len(b):
            n = b[i + 1]
            if 48 <= n <= 55:
                out.append(int(b[i + 1:i + 4], 8) & 0xFF)
                i += 4
                continue
            out.append(esc.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def _strip(path: bytes, strip: int) -> Optional[str]:
    """A ---/+++ or diff --git path made tree-relative (None: /dev/null)."""
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


_GIT_PATHS_RE = re.compile(rb'^diff --git ("(?:[^"\\]|\\.)*"|\S+) '
                           rb'("(?:[^"\\]|\\.)*"|\S+)\s*$')


def _header_line(cur: FileHeader, line: bytes) -> None:
    """One extended header line of a git diff (after 'diff --git')."""
    if line.startswith((b"new file mode", b"deleted file mode", b"new mode",
                        b"old mode", b"index ")):
        if line.rstrip().endswith(b"120000"):
            cur.symlink = True
        if line.startswith(b"new file mode"):
            cur.old_path = None
        elif line.startswith(b"deleted file mode"):
            cur.new_path = None
    elif line.startswith((b"rename from ", b"copy from ")):
        cur.old_path = _strip(line.split(b" ", 2)[2], 0)
    elif line.startswith((b"rename to ", b"copy to ")):
        cur.new_path = _strip(line.split(b" ", 2)[2], 0)


def scan_headers(data: bytes, strip: int = 1) -> List[FileHeader]:
    """The file headers of a patch (no hunk is read): one FileHeader per
    'diff --git' or per '---'/'+++' pair outside a git diff's header."""
    files: List[FileHeader] = []
    cur: Optional[FileHeader] = None     # a git diff whose ---/+++ is due
    lines = data.split(b"\n")
    for i, line in enumerate(lines):
        m = _GIT_PATHS_RE.match(line)
        if m:
            cur = FileHeader(_strip(m.group(1), strip),
                             _strip(m.group(2), strip))
            files.append(cur)
        elif line.startswith(b"--- ") and i + 1 < len(lines) and \
                lines[i + 1].startswith(b"+++ "):
            old = _strip(line[4:], strip)
            new = _strip(lines[i + 1][4:], strip)
            if cur is None:
                files.append(FileHeader(old, new))
            else:
                cur.old_path, cur.new_path = old, new
            cur = None
        elif line.startswith(b"@@ "):
            cur = None
        elif cur is not None:
            _header_line(cur, line)
    return files


def list_files(data: bytes, strip: int, what: str = "") -> List[FileHeader]:
    """The files a patch touches: git apply --numstat is the authority on
    which files and which are binary; their headers give the rest."""
    with tempfile.TemporaryDirectory(prefix="lazy-mmu-patch.") as d:
        try:
            out = _git(d, ["apply", "--numstat", "-z", "-p%d" % strip, "-"],
                       what, input=data)
        except PatchError as e:
            if "No valid patches" not in str(e):
                raise
            out = b""
    entries = [e for e in out.split(b"\0") if e]
    if not entries:
        raise PatchError("%sinput is not a patch (no unified diff found)"
                         % what)
    files = scan_headers(data, strip)
    if len(files) != len(entries):
        raise PatchError("%scannot tell the files of the patch: git counts "
                         "%d, the headers %d" % (what, len(entries),
                                                 len(files)))
    for f, e in zip(files, entries):
        if e.startswith(b"-\t-\t"):
            f.binary = True
    return files


# ---------------------------------------------------------------------------
# Path safety


def check_path(tree: str, rel: str) -> None:
    """Reject a tree-relative path that could reach outside ``tree``."""
    check_path_syntax(rel)
    real_tree = os.path.realpath(tree)
    cur = real_tree
    for comp in rel.split("/"):
        cur = os.path.join(cur, comp)
        if os.path.islink(cur):
            raise PatchError("path goes through a symlink in the tree: %s"
                             % rel)
        if not os.path.lexists(cur):
            break
    real = os.path.realpath(os.path.join(real_tree, rel))
    if real != real_tree and not real.startswith(real_tree + os.sep):
        raise PatchError("path resolves outside the tree: %s" % rel)


def check_path_syntax(rel: str) -> None:
    """Reject a path that is not a plain tree-relative path."""
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


def check_files(tree: Optional[str], files: Iterable[FileHeader]) -> None:
    for f in files:
        if f.binary:
            raise PatchError("binary patch is not supported: %s" % f.path)
        if f.symlink:
            raise PatchError("symlink patch is not supported: %s" % f.path)
        for p in (f.old_path, f.new_path):
            if p is None:
                continue
            if tree is not None:
                check_path(tree, p)
            else:
                check_path_syntax(p)


def read_patches(inputs: List[bytes], strip: int) -> List[Patch]:
    """Every message of every input, its files listed (not yet checked
    against a tree)."""
    total = sum(len(d) for d in inputs)
    if total > MAX_PATCH_BYTES:
        raise PatchError("patches too large together (over %d MB)"
                         % (MAX_PATCH_BYTES // (1024 * 1024)))
    messages = [m for data in inputs for m in split_messages(data)]
    if not messages:
        raise PatchError("input is not a patch (no unified diff found)")
    patches = []
    for i, data in enumerate(messages):
        what = "" if len(messages) == 1 else \
            "message %d of %d: " % (i + 1, len(messages))
        patches.append(Patch(data, list_files(data, strip, what)))
    if sum(len(p.files) for p in patches) > MAX_FILES:
        raise PatchError("patch touches %d files (limit %d)"
                         % (sum(len(p.files) for p in patches), MAX_FILES))
    return patches


def apply(where: str, patch: Patch, strip: int, what: str = "") -> None:
    """git apply, strict (no fuzz), in the directory where, which holds
    only copies: no repository above it is ever looked at."""
    proc = gitseries.run_git_full(
        where, ["apply", "-p%d" % strip, "--whitespace=nowarn", "-"],
        input=patch.data, binary=True, ceiling=os.path.dirname(where))
    if proc.returncode == 0:
        return
    err = [l[len("error:"):].strip() for l in proc.stderr.decode(
        "utf-8", "replace").splitlines() if l.startswith("error:")]
    # "patch failed: mm/memory.c:1123" is the useful one when present
    failed = [l for l in err if "patch failed" in l]
    reason = (failed or err or [proc.stderr.decode("utf-8", "replace")
                                .strip()[:200]])[0]
    raise PatchError("%spatch does not apply: %s"
                     % (what, reason or "git apply failed"))
