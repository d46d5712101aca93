"""Blaming an introduced finding on the line of the change it comes from.

  - its own line, when the change added or changed that line;
  - otherwise the nearest changed line in the same function (the
    function's range comes from the checker), and the tool's own location
    becomes a note "<tool> reports it here";
  - otherwise (no line of that function changed: a caller whose callee
    changed) its own line, with a note pointing at the nearest changed
    line of the file.
"""

from typing import List, Optional

from . import checker
from .checker import Function
from .findings import Finding, Note
from .workspace import TouchedFile


def _range(f: Finding, funcs: List[Function]) -> Optional[Function]:
    """The finding's function: the one holding its line (of its name if
    it has one), else the first of its name."""
    holding = checker.function_at(funcs, f.line, f.function)
    if holding is not None and (not f.function or
                                holding.name == f.function):
        return holding
    for fn in funcs:
        if f.function and fn.name == f.function:
            return fn
    return None


def blame(f: Finding, tf: TouchedFile, funcs: List[Function]) -> Finding:
    """Move an introduced finding to the changed line it comes from."""
    if f.line in tf.changed or not tf.changed:
        return f
    lines = (tf.after or b"").decode("utf-8", "replace").split("\n")
    last = max(1, len(lines) - 1 if lines and lines[-1] == "" else len(lines))
    changed = set(min(l, last) for l in tf.changed)
    fn = _range(f, funcs)
    inside = [l for l in changed if fn is not None and fn.holds(l)]
    if inside:
        to = min(inside, key=lambda l: (abs(l - f.line), l))
        f.notes.append(Note(f.file, f.line, f.column,
                            "%s reports it here" % f.tool))
        f.reported_line, f.reported_column = f.line, f.column
        f.line = to
        text = lines[to - 1] if 0 < to <= len(lines) else ""
        f.column = len(text) - len(text.lstrip()) + 1 if text.strip() else 1
        return f
    nearest = min(changed, key=lambda l: (abs(l - f.line), l))
    f.notes.append(Note(f.file, nearest, 1,
                        "nearest line the patch changed (none in %s)"
                        % (f.function or "this function")))
    return f
