"""Which findings a change introduces: pairing "after" findings with
"before" findings, and merging the findings several tools made of one
line.

Two findings pair when they have the same key (rule, file, function,
message with every number removed, since line numbers move).  Among the
candidates, the before finding whose line the diff maps onto the after
finding's line pairs first; any left pair by count, the after findings on
unchanged lines first.  The after findings left without a partner are
what the change introduces; the before ones left are what it resolves.
"""

import collections
from typing import Dict, List, Tuple

from .findings import Finding, Note
from .workspace import TouchedFile


def introduced(before: List[Finding], after: List[Finding],
               tf: TouchedFile) -> Tuple[List[Finding], int]:
    """The after findings with no before counterpart, and how many before
    findings have no after counterpart (resolved by the change)."""
    bykey: Dict[tuple, List[Finding]] = collections.defaultdict(list)
    for b in before:
        bykey[b.key()].append(b)
    groups: Dict[tuple, List[Finding]] = collections.defaultdict(list)
    for a in after:
        groups[a.key()].append(a)
    out = []
    paired = 0
    changed = tf.changed
    for key, afters in groups.items():
        befores = list(bykey.get(key, []))
        mapped = [tf.diff.map_old_line(b.line) for b in befores]
        left: List[Finding] = []
        for a in afters:
            if a.line in mapped:
                i = mapped.index(a.line)
                del mapped[i]
                del befores[i]
            else:
                left.append(a)
        # any old finding left pairs with a new one, those on unchanged
        # lines first
        left.sort(key=lambda a: (a.line in changed, a.line))
        n = min(len(befores), len(left))
        out.extend(left[n:])
        paired += len(afters) - len(left) + n
    return out, len(before) - paired


# Which of several findings on one line leads: a call the tree cannot
# compile, then the checker (it has the path), then the lint rule, then
# the other cocci rules.
LEADS = ("lazy-mmu-api-missing",)


def _preference(f: Finding) -> tuple:
    return (f.id not in LEADS, f.tool != "lazy-mmu-check",
            f.id != "cocci/lazy_mmu_legacy", f.id, f.message)


def merge_same_line(found: List[Finding]) -> List[Finding]:
    """One finding per changed line: when several tools or rules report
    the same line (a new legacy call is seen by the checker, the lint rule
    and the conversion rule), the first by _preference() carries the
    others as notes "also [id]: message"."""
    groups: Dict[Tuple[str, int], List[Finding]] = \
        collections.defaultdict(list)
    for f in found:
        groups[(f.file, f.line)].append(f)
    out = []
    for key in sorted(groups):
        fs = sorted(groups[key], key=_preference)
        lead = fs[0]
        for other in fs[1:]:
            lead.notes.append(Note(other.file, other.line, other.column,
                                   "also [%s]: %s" % (other.id,
                                                      other.message)))
            lead.notes.extend(n for n in other.notes if n not in lead.notes)
        out.append(lead)
    return out
