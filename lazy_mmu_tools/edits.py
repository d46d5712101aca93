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
    'config' line to the next top-level keyword line, without the blank
    and comment lines that lead to that keyword (a comment above an entry
    belongs to the entry below it)."""
    m = re.search(r"^(?:menu)?config %s[ \t]*\n" % re.escape(symbol),
                  text, re.M)
    if not m:
        return None
    nxt = re.compile(r"^(?:config|menuconfig|menu|endmenu|choice|endchoice"
                     r"|if|endif|source|comment|mainmenu)\b", re.M)
    n = nxt.search(text, m.end())
    end = n.start() if n else len(text)
    lead = re.search(r"(?:^(?:#[^\n]*)?\n)*\Z", text[m.end():end], re.M)
    return m.start(), m.end() + lead.start()


def _select_symbol(line):
    return line.split()[1]


def _sorted_enough(symbols):
    """True if the select lines of an entry are a long list kept in
    alphabetical order (strays allowed), as the ARCH_HAS_* lists of
    arm64 and x86 are, so that a new one goes in its place; a short
    list gets it last."""
    pairs = list(zip(symbols, symbols[1:]))
    if len(pairs) < 20:
        return False
    return sum(a <= b for a, b in pairs) >= 0.8 * len(pairs)


def kconfig_add_select(text, symbol, selected, cond=None):
    """Add 'select SELECTED [if COND]' to the entry of SYMBOL: in its
    alphabetical place when the entry keeps its selects sorted, else after
    its last select, else at the end of the entry."""
    span = kconfig_entry(text, symbol)
    if span is None:
        raise EditError("config %s not found" % symbol)
    start, end = span
    entry = text[start:end]
    if re.search(r"^\s+select\s+%s\b" % re.escape(selected), entry, re.M):
        return text
    line = "\tselect %s%s\n" % (selected, " if " + cond if cond else "")
    selects = list(re.finditer(r"^\s+select\s.*\n", entry, re.M))
    names = [_select_symbol(s.group(0)) for s in selects]
    if _sorted_enough(names):
        # The place that leaves the fewest names on the wrong side of it,
        # so that a stray out of order does not pull it away.
        def misplaced(i):
            return (sum(n > selected for n in names[:i]) +
                    sum(n < selected for n in names[i:]))
        i = min(range(len(names) + 1), key=misplaced)
        at = start + (selects[i].start() if i < len(names)
                      else selects[-1].end())
    elif selects:
        at = start + selects[-1].end()
    else:
        at = end
        if not entry.endswith("\n"):
            raise EditError("config %s has no line to add to" % symbol)
    return text[:at] + line + text[at:]


def kconfig_add_entry(text, block, after_symbol=None, before=None):
    """Add a whole Kconfig entry (block, ending in a blank line) right
    after the entry of after_symbol, or right before the last line
    matching before, unless its 'config' line is there."""
    first = block.splitlines()[0]
    if re.search(r"^%s\s*$" % re.escape(first), text, re.M):
        return text
    if before is not None:
        found = list(re.finditer(before, text, re.M))
        if not found:
            raise EditError("/%s/ not found" % before)
        at = found[-1].start()
    else:
        span = kconfig_entry(text, after_symbol)
        if span is None:
            raise EditError("config %s not found" % after_symbol)
        at = span[1]
        if text[at - 2:at] != "\n\n":
            block = "\n" + block.rstrip("\n") + "\n"
    return text[:at] + block + text[at:]


# --- numbered flags ---------------------------------------------------------

def remove_flag(text, name):
    """Remove '#define NAME <n>' and '#define _NAME ...'.  When the flag
    right after it was numbered n + 1 and ends the run of numbered flags,
    it takes number n, so that no hole is left; the alignment of its
    line is kept."""
    m = re.search(r"^#define\s+%s\s+(\d+)\b[^\n]*\n" % re.escape(name),
                  text, re.M)
    if m:
        n = int(m.group(1))
        rest = text[m.end():]
        nxt = re.match(r"#define(\s+\w+\s+)(\d+)\b([^\n]*)\n", rest)
        if nxt and int(nxt.group(2)) == n + 1 and \
           not re.match(r"#define\s+\w+\s+\d+\b", rest[nxt.end():]):
            rest = "#define%s%d%s\n" % (nxt.group(1), n, nxt.group(3)) + \
                rest[nxt.end():]
        text = text[:m.start()] + rest
    return remove_lines(text, r"#define\s+_%s\b" % re.escape(name))[0]


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
