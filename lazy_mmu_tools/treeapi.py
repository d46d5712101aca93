"""Which lazy MMU API a kernel tree has (docs/api.md), and the calls of a
file to API functions the tree lacks.

A tree is one of three kinds, told from three headers as the change
leaves them (include/linux/pgtable.h, sched.h, mm_types_task.h):

  legacy     no lazy_mmu_mode_*() helpers: arch_enter/leave_lazy_mmu_mode()
             are the API (Linux up to 6.19);
  converted  the four helpers, their nesting state (struct lazy_mmu_state)
             and no generic empty fallbacks of the arch_*() callbacks in
             <linux/pgtable.h> (Linux 7.0 and later);
  partial    anything in between: helpers without their nesting state, or
             with the legacy fallbacks still there (a tree in the middle of
             the series, or of lazy-mmu-convert's own series).

lazy-mmu-lint checks a change with the rules of its tree's kind: on a
legacy tree legacy calls are correct and no conversion is advised; on the
others the new API is the one to use.  A call to an API function the tree
does not define (the new API on a legacy tree, is_lazy_mmu_mode_active()
where it is not there yet, the pre-merge name in_lazy_mmu_mode()) would
not compile, whatever the tree's kind.
"""

import dataclasses
import re
from typing import Callable, FrozenSet, List, Optional, Tuple

HELPERS = ("lazy_mmu_mode_enable", "lazy_mmu_mode_disable",
           "lazy_mmu_mode_pause", "lazy_mmu_mode_resume")
QUERIES = ("is_lazy_mmu_mode_active", "__task_lazy_mmu_mode_active")
# Upstream's later per-task pause/resume (7.x), and the name the query
# had before the merge (v3-v5 of the series): API only where defined.
OTHERS = ("__task_lazy_mmu_mode_pause", "__task_lazy_mmu_mode_resume",
          "in_lazy_mmu_mode")
NAMES = HELPERS + QUERIES + OTHERS
LEGACY_CALLBACKS = ("arch_enter_lazy_mmu_mode", "arch_leave_lazy_mmu_mode",
                    "arch_flush_lazy_mmu_mode")
HEADERS = ("include/linux/pgtable.h", "include/linux/sched.h",
           "include/linux/mm_types_task.h")
KINDS = ("legacy", "partial", "converted")

_STRIP_RE = re.compile(r"//[^\n]*|/\*.*?\*/|\"(?:\\.|[^\"\\\n])*\""
                       r"|'(?:\\.|[^'\\\n])*'", re.S)
_CALL_RE = re.compile(r"\b(%s)\s*\(" % "|".join(NAMES))


def strip_comments(text: str) -> str:
    """text with comments, strings and character constants blanked out
    (newlines kept, so lines and columns stay)."""
    return _STRIP_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def _defined_re(name: str) -> "re.Pattern[str]":
    # a definition or declaration starts its line (a call is indented),
    # or is a #define
    return re.compile(r"^(?:#\s*define\s+%s\b|(?:[A-Za-z_][\w \t\*]*"
                      r"[ \t\*])?%s\s*\()" % (name, name), re.M)


def defines(text: str, name: str) -> bool:
    """Does the (comment-stripped) text define or declare name?"""
    return bool(_defined_re(name).search(text))


@dataclasses.dataclass(frozen=True)
class TreeAPI:
    kind: str                       # one of KINDS
    defined: FrozenSet[str]         # the names of NAMES the tree has
    nests: bool                     # struct lazy_mmu_state
    fallbacks: bool                 # empty generic arch_*() callbacks
    forced: bool = False            # --tree-api, not detected

    @property
    def has_helpers(self) -> bool:
        return self.kind != "legacy"

    def describe(self) -> str:
        how = "as told (--tree-api)" if self.forced else "detected"
        if self.kind == "legacy":
            what = ("no lazy_mmu_mode_*() helpers: legacy calls are the API, "
                    "no conversion is advised")
        elif self.kind == "converted":
            what = "lazy_mmu_mode_*() helpers, nesting, no legacy fallbacks"
        else:
            have = [n for n in HELPERS if n in self.defined]
            what = "%s; %s; %s" % (
                ", ".join(n + "()" for n in have) or "some helpers",
                "nesting" if self.nests else "no nesting state",
                "legacy fallbacks still there" if self.fallbacks
                else "no legacy fallbacks")
        return "%s, %s (%s)" % (self.kind, how, what)


def detect(read: Callable[[str], Optional[bytes]]) -> TreeAPI:
    """The API of a tree; read(path) gives a file of the tree as the
    change leaves it, or None."""
    texts = {}
    for path in HEADERS:
        data = read(path)
        texts[path] = strip_comments(data.decode("utf-8", "replace")) \
            if data else ""
    everything = "\n".join(texts.values())
    defined = frozenset(n for n in NAMES if defines(everything, n))
    nests = bool(re.search(r"\bstruct\s+lazy_mmu_state\s*\{", everything))
    fallbacks = any(re.search(r"^#\s*define\s+%s\b" % n,
                              texts["include/linux/pgtable.h"], re.M)
                    for n in LEGACY_CALLBACKS[:2])
    if not any(n in defined for n in HELPERS):
        kind = "legacy"
    elif all(n in defined for n in HELPERS) and nests and not fallbacks:
        kind = "converted"
    else:
        kind = "partial"
    return TreeAPI(kind, defined, nests, fallbacks)


def forced(kind: str) -> TreeAPI:
    """The API of a tree of that kind, as the user says (--tree-api)."""
    if kind == "legacy":
        return TreeAPI(kind, frozenset(), False, True, True)
    if kind == "partial":
        return TreeAPI(kind, frozenset(HELPERS), False, True, True)
    return TreeAPI(kind, frozenset(HELPERS + QUERIES), True, False, True)


def missing_calls(text: str, api: TreeAPI) -> List[Tuple[int, int, str]]:
    """(line, column, name) of each call in text to an API function the
    tree lacks; a function the file defines itself is not missing."""
    if not any(n in text for n in NAMES if n not in api.defined):
        return []       # the common case, without reading the file twice
    code = strip_comments(text)
    local = {n for n in NAMES if n not in api.defined and defines(code, n)}
    out = []
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", code)]
    line = 0
    for m in _CALL_RE.finditer(code):
        name = m.group(1)
        if name in api.defined or name in local:
            continue
        while line + 1 < len(line_starts) and \
                line_starts[line + 1] <= m.start():
            line += 1
        out.append((line + 1, m.start() - line_starts[line] + 1, name))
    return out


def _summary(api: TreeAPI) -> str:
    helpers = [n for n in HELPERS if n in api.defined]
    parts = []
    if len(helpers) == len(HELPERS):
        parts.append("lazy_mmu_mode_enable/disable/pause/resume()")
    else:
        parts += [n + "()" for n in helpers]
    parts += [n + "()" for n in QUERIES + OTHERS if n in api.defined]
    return ", ".join(parts)


def missing_message(name: str, api: TreeAPI) -> str:
    if api.kind == "legacy":
        return ("%s() is not in this tree, which has the legacy lazy MMU API "
                "(arch_enter_lazy_mmu_mode()/arch_leave_lazy_mmu_mode()): "
                "the patch would not compile" % name)
    return ("%s() is not in this tree, whose lazy MMU API (%s) has %s: the "
            "patch would not compile" % (name, api.kind, _summary(api)))
