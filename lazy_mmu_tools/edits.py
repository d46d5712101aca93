"""Small text edits for what a semantic patch cannot express: Kconfig
entries, Makefile lines, preprocessor lines, new blocks in headers.

Each function takes the text of a file and returns the edited text.  An
edit that is already there is not made twice (every function is
idempotent), and an anchor that cannot be found raises EditError naming
what was looked for, so a tree of an unexpected shape is refused instead
of being half edited.

FileEditor gathers the edits of one step: read each file once, keep the
new text in memory, and write only at the end, only the files that
changed.
"""

import os
import re

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "templates")


class EditError(Exception):
    """An edit could not be made: its anchor is not in the file."""


def template(name):
    """Text of lazy_mmu_tools/templates/name."""
    with open(os.path.join(TEMPLATES, name), encoding="utf-8") as f:
        return f.read()


def _find(text, anchor, what):
    """Match object of regex anchor (multiline) in text, or EditError."""
    m = re.search(anchor, text, re.M)
    if not m:
        raise EditError("%s not found" % what)
    return m


def insert_after(text, anchor, block, what, present=None):
    """Insert block right after the first match of anchor, unless present
    (a regex, default: block itself) already matches."""
    if _present(text, block, present):
        return text
    m = _find(text, anchor, what)
    return text[:m.end()] + block + text[m.end():]


def insert_before(text, anchor, block, what, present=None, last=False):
    """Insert block right before the first (or last) match of anchor,
    unless present already matches."""
    if _present(text, block, present):
        return text
    if last:
        matches = list(re.finditer(anchor, text, re.M))
        if not matches:
            raise EditError("%s not found" % what)
        m = matches[-1]
    else:
        m = _find(text, anchor, what)
    return text[:m.start()] + block + text[m.start():]


def _present(text, block, present):
    if present is None:
        return block in text
    return re.search(present, text, re.M) is not None


def remove_lines(text, regex):
    """Remove every whole line matching regex; (text, number removed).
    A blank line left doubled by the removal is dropped too."""
    pattern = re.compile(r"(^\n)?^(?:%s)[^\n]*\n(?=(\n)?)" % regex, re.M)

    def drop(m):
        return "\n" if m.group(1) and not m.group(2) else ""

    return pattern.subn(drop, text)


def replace_block(text, old, new, what, done=None):
    """Replace the first match of regex old by new.  If old is absent and
    done (a regex) matches, the edit is already made; otherwise
    EditError."""
    m = re.search(old, text, re.M)
    if not m:
        if done is not None and re.search(done, text, re.M):
            return text
        raise EditError("%s not found" % what)
    return text[:m.start()] + new + text[m.end():]


# --- Kconfig -----------------------------------------------------------

def kconfig_entry(text, symbol):
    """(start, end) offsets of the 'config SYMBOL' entry: from its
    'config' line to the next top-level keyword line."""
    m = re.search(r"^(?:menu)?config %s[ \t]*\n" % re.escape(symbol),
                  text, re.M)
    if not m:
        return None
    nxt = re.compile(r"^(?:config|menuconfig|menu|endmenu|choice|endchoice"
                     r"|if|endif|source|comment|mainmenu)\b", re.M)
    n = nxt.search(text, m.end())
    return m.start(), (n.start() if n else len(text))


def kconfig_add_select(text, symbol, selected, cond=None):
    """Add 'select SELECTED [if COND]' to the entry of SYMBOL, after its
    last select line (or after its type line)."""
    span = kconfig_entry(text, symbol)
    if span is None:
        raise EditError("config %s not found" % symbol)
    start, end = span
    entry = text[start:end]
    if re.search(r"^\s+select\s+%s\b" % re.escape(selected), entry, re.M):
        return text
    line = "\tselect %s%s\n" % (selected, " if " + cond if cond else "")
    selects = list(re.finditer(r"^\s+select\s.*\n", entry, re.M))
    if selects:
        at = start + selects[-1].end()
    else:
        typ = re.search(r"^\s+(?:bool|tristate|def_bool|def_tristate)\b.*\n",
                        entry, re.M)
        if not typ:
            raise EditError("type line of config %s not found" % symbol)
        at = start + typ.end()
    return text[:at] + line + text[at:]


def kconfig_add_entry(text, block, after_symbol):
    """Add a whole Kconfig entry (block, ending in a blank line) right
    after the entry of after_symbol, unless its 'config' line is there."""
    first = block.splitlines()[0]
    if re.search(r"^%s\s*$" % re.escape(first), text, re.M):
        return text
    span = kconfig_entry(text, after_symbol)
    if span is None:
        raise EditError("config %s not found" % after_symbol)
    at = span[1]
    return text[:at] + block + text[at:]


# --- a set of edits on one tree ------------------------------------------

class FileEditor:
    """Edits to several files of a tree, written together by commit()."""

    def __init__(self, tree):
        self.tree = tree
        self.old = {}
        self.new = {}

    def exists(self, path):
        return path in self.new and self.new[path] is not None or \
            os.path.exists(os.path.join(self.tree, path))

    def get(self, path):
        """Current (possibly already edited) text of path; EditError if
        the file does not exist."""
        if path not in self.new:
            try:
                with open(os.path.join(self.tree, path), encoding="utf-8",
                          errors="surrogateescape") as f:
                    text = f.read()
            except FileNotFoundError:
                raise EditError("%s not found" % path)
            self.old[path] = text
            self.new[path] = text
        return self.new[path]

    def set(self, path, text):
        if path not in self.new:
            p = os.path.join(self.tree, path)
            if os.path.exists(p):
                self.get(path)
            else:
                self.old[path] = None
        self.new[path] = text

    def edit(self, path, fn, *args, **kw):
        """Replace the text of path by fn(text, *args, **kw)."""
        self.set(path, fn(self.get(path), *args, **kw))

    def changed(self):
        return sorted(p for p in self.new if self.new[p] != self.old[p])

    def commit(self):
        """Write the changed files; return their tree-relative paths."""
        done = self.changed()
        for path in done:
            full = os.path.join(self.tree, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8",
                      errors="surrogateescape") as f:
                f.write(self.new[path])
        return done
