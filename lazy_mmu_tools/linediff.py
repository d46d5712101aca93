"""Which lines a change touched, from git's own diff of two versions.

lazy-mmu-lint never reads the hunks of the patch it is given: it applies
the patch (or takes two commits), then asks ``git diff --no-index -U0``
what changed between the two versions of each file.  With no context
lines every hunk is one block: old lines [old_start, old_start+old_len)
became new lines [new_start, new_start+new_len), so the hunk headers are
all this module reads.
"""

import dataclasses
import os
import re
import tempfile
from typing import List, Optional, Set

from . import gitseries

HUNK_RE = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", re.M)


class DiffError(Exception):
    """git diff failed; str() is one line."""


@dataclasses.dataclass(frozen=True)
class Block:
    """One -U0 hunk.  A start is the line before the block when its
    length is 0 (git's convention for pure insertions and deletions)."""
    old_start: int
    old_len: int
    new_start: int
    new_len: int

    @property
    def old_first(self) -> int:
        return self.old_start if self.old_len else self.old_start + 1

    @property
    def new_first(self) -> int:
        return self.new_start if self.new_len else self.new_start + 1


@dataclasses.dataclass
class LineDiff:
    """The blocks of one file's change, in order."""
    blocks: List[Block] = dataclasses.field(default_factory=list)

    def changed_lines(self) -> Set[int]:
        """Lines of the new version that the change added, plus, where
        lines were only removed, the new line that now follows them
        (callers clamp it to the file's last line)."""
        out: Set[int] = set()
        for b in self.blocks:
            if b.new_len:
                out.update(range(b.new_start, b.new_start + b.new_len))
            else:
                out.add(b.new_first)
        return out

    def touched_old_lines(self) -> Set[int]:
        """Lines of the old version that the change removed, plus, where
        lines were only added, the old line they were inserted before."""
        out: Set[int] = set()
        for b in self.blocks:
            if b.old_len:
                out.update(range(b.old_start, b.old_start + b.old_len))
            else:
                out.add(b.old_first)
        return out

    def map_old_line(self, line: int) -> Optional[int]:
        """The new line an unchanged old line moved to; None when the
        change removed or replaced it."""
        shift = 0
        for b in self.blocks:
            if line < b.old_first:
                break
            if line < b.old_first + b.old_len:
                return None
            shift += b.new_len - b.old_len
        return line + shift


def parse_u0(text: bytes) -> LineDiff:
    """The blocks of a ``git diff -U0`` of one file."""
    return LineDiff([Block(int(m.group(1)),
                           int(m.group(2)) if m.group(2) is not None else 1,
                           int(m.group(3)),
                           int(m.group(4)) if m.group(4) is not None else 1)
                     for m in HUNK_RE.finditer(text)])


def diff_versions(before: Optional[bytes], after: bytes) -> LineDiff:
    """What changed from before (None: a new file) to after."""
    if before == after:
        return LineDiff()
    with tempfile.TemporaryDirectory(prefix="lazy-mmu-diff.") as d:
        for name, data in (("a", before or b""), ("b", after)):
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        proc = gitseries.run_git_full(
            d, ["diff", "--no-index", "--no-color", "--no-ext-diff",
                "--no-textconv", "-U0", "--", "a", "b"],
            binary=True, ceiling=os.path.dirname(d))
    if proc.returncode not in (0, 1):
        raise DiffError("git diff failed: %s" % proc.stderr.decode(
            "utf-8", "replace").strip().split("\n")[0])
    return parse_u0(proc.stdout)
