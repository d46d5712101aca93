"""lazy-mmu-lint's Coccinelle side: which cocci/*.cocci rules run on which
touched files, the copies spatch is given, and the findings it reports.

  - a rule runs in report mode only if it declares 'virtual report' and
    its grep query (spatch.grep_query(): what spatch itself requires of a
    file) matches a touched file: a patch that touches no lazy MMU code
    starts no spatch at all;
  - cocci/lazy_mmu_arch_<arch>.cocci is given only files under
    arch/<arch>/;
  - spatch is given only the functions the patch touches: the others are
    emptied line by line in copies under <workspace>/cocci/{before,after}/
    (line numbers stay), since a finding in an untouched function is the
    same before and after.  A function is kept on both sides when it
    holds a changed line on either side or has the name of one that does;
  - both versions go to one spatch run per rule (each file its own group),
    through spatch.run_spatch(), the project's only spatch runner.

The function ranges come from the checker (checker.functions()).
"""

import os
import re
from typing import Callable, Dict, List, Optional, Set, Tuple

from . import spatch
from .checker import Function
from .findings import Finding
from .workspace import TouchedFile

SPATCH_TIMEOUT = 60         # CPU seconds per file, spatch's --timeout
RUN_TIMEOUT = 300           # wall seconds for one spatch run
SIDES = ("before", "after")


class Rule:
    """One cocci/*.cocci file, as coccicheck would run it in report mode."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        self.has_report = bool(re.search(r"^virtual\s+(\w+\s*,\s*)*report\b",
                                         text, re.M))
        m = re.match(r"lazy_mmu_arch_([a-z0-9]+)$", self.name)
        self.only_under = "arch/%s/" % m.group(1) if m else None
        # the project's parser hints (noinstr & co), beside the rules
        hints = os.path.join(os.path.dirname(path), "lazy_mmu_macros.h")
        self.options = ["--macro-file", hints] if os.path.isfile(hints) \
            else []
        self.query: Optional[str] = None

    def load_query(self) -> None:
        self.query = spatch.grep_query(self.path, "report")

    def wants(self, path: str, text: "spatch.WordCache") -> bool:
        """Could the rule report anything in this file?"""
        if self.only_under and not path.startswith(self.only_under):
            return False
        return spatch.query_matches(self.query, text)


def load_rules(cocci_dir: str) -> List[Rule]:
    if not os.path.isdir(cocci_dir):
        return []
    return [Rule(os.path.join(cocci_dir, n))
            for n in sorted(os.listdir(cocci_dir)) if n.endswith(".cocci")]


def cut_functions(text: str, funcs: List[Function],
                  keep: Callable[[Function], bool]) -> Tuple[str, int]:
    """text with every function keep() refuses emptied line by line (line
    numbers stay), and how many were kept.  Lines outside functions
    (declarations, macros) are always kept."""
    lines = text.split("\n")
    kept = 0
    for fn in funcs:
        if keep(fn):
            kept += 1
            continue
        for i in range(fn.start - 1, min(fn.end, len(lines))):
            lines[i] = ""
    return "\n".join(lines), kept


def touched_names(tf: TouchedFile, after: List[Function],
                  before: List[Function]) -> Set[str]:
    """Names of the functions holding a changed line on either side."""
    old = tf.diff.touched_old_lines() if tf.before is not None else set()
    names = {fn.name for fn in after if any(fn.holds(l) for l in tf.changed)}
    names |= {fn.name for fn in before if any(fn.holds(l) for l in old)}
    return names


class Plan:
    """What each rule is given: the cut copies, written under root."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.texts: Dict[Tuple[str, str], str] = {}   # (side, path) -> text
        # the words of the uncut text, for the rules' grep queries
        self.full: Dict[Tuple[str, str], spatch.WordCache] = {}
        self.functions_kept = 0
        self.written: Set[str] = set()

    def add(self, tf: TouchedFile, after: List[Function],
            before: List[Function], all_functions: bool) -> None:
        """The two cut versions of one touched file."""
        if tf.before == tf.after:
            return          # renamed only: nothing can differ
        names = touched_names(tf, after, before)
        old = tf.diff.touched_old_lines() if tf.before is not None else set()
        sides = [("after", tf.path, tf.after, after, tf.changed)]
        if tf.before is not None:
            sides.append(("before", tf.old_path or tf.path, tf.before,
                          before, old))
        for side, path, data, funcs, lines in sides:
            text = (data or b"").decode("utf-8", "surrogateescape")

            def keep(fn: Function, lines: Set[int] = lines) -> bool:
                return all_functions or fn.name in names or \
                    any(fn.holds(l) for l in lines)
            cut, kept = cut_functions(text, funcs, keep)
            self.texts[(side, path)] = cut
            self.full[(side, path)] = spatch.WordCache(text)
            if side == "after":
                self.functions_kept += kept

    def files_for(self, rule: Rule) -> List[str]:
        """The copies (side/path, relative to root) the rule is given,
        written on first use.  The grep query is asked of the whole file,
        as spatch would: if it fails there, no function can match."""
        todo = []
        for side in SIDES:
            for (s, path), text in sorted(self.texts.items()):
                if s != side or not rule.wants(path, self.full[(s, path)]):
                    continue
                rel = side + "/" + path
                if rel not in self.written:
                    self._write(rel, text)
                todo.append(rel)
        return todo

    def _write(self, rel: str, text: str) -> None:
        dest = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        # an empty include/ beside arch/ keeps a rule's "is this the
        # tree's arch/ directory" test working as in a real tree
        for side in SIDES:
            os.makedirs(os.path.join(self.root, side, "include"),
                        exist_ok=True)
        with open(dest, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        self.written.add(rel)


def run_rule(rule: Rule, root: str, files: List[str]) -> List[Finding]:
    """One spatch run of one rule over side/path copies under root; the
    findings keep the side in ``file`` ("before/mm/x.c")."""
    res = spatch.run_spatch(rule.path, files, root, mode="report",
                            in_place=False, timeout=SPATCH_TIMEOUT, jobs=1,
                            extra_options=rule.options,
                            wall_timeout=RUN_TIMEOUT)
    out = []
    for r in res.items:
        side, _, path = r.path.partition("/")
        msg = r.message.replace(r.path, path) if side in SIDES \
            else r.message
        out.append(Finding(id="cocci/" + rule.name, tool="spatch",
                           file=r.path, line=r.line, column=r.column + 1,
                           message=msg.strip()))
    return out
