"""What an architecture module gives the conversion.

Each architecture that has a lazy MMU mode is one module of this package,
and everything the conversion does to that architecture is in it: its own
steps (with their semantic patch, cocci/lazy_mmu_arch_<name>.cocci), and
the arch parts of the generic steps, which the generic steps ask for
through the hooks below (the opt-in that moves to Kconfig, the symbols the
KUnit test module needs, the stubs that outlive the generic fallbacks).
"""

import re

from .. import edits
from ..stepkit import read

HAVE_ARCH_RE = r"#\s*define\s+__HAVE_ARCH_ENTER_LAZY_MMU_MODE\b"
SELECTED = "ARCH_HAS_LAZY_MMU_MODE"


class Arch:
    """One architecture.  name: as --arch spells it; optin_header: the
    header that defined __HAVE_ARCH_ENTER_LAZY_MMU_MODE; kconfig and
    kconfig_symbol: the Kconfig entry that now selects the symbol."""

    name = ""
    optin_header = ""
    kconfig = ""
    kconfig_symbol = ""
    # Files whose legacy calls stay arch_* on purpose (arch code acting
    # on another task than current): not work left for the callers step.
    internal_callers = ()

    def opts_in(self, tree):
        """True if the tree's header still opts in the old way."""
        text = read(tree, self.optin_header)
        return text is not None and re.search(HAVE_ARCH_RE, text, re.M)

    def selects(self, tree):
        """True if the Kconfig entry already selects the symbol."""
        text = read(tree, self.kconfig) or ""
        span = edits.kconfig_entry(text, self.kconfig_symbol)
        return bool(span) and re.search(r"^\s+select\s+%s\b" % SELECTED,
                                        text[span[0]:span[1]], re.M)

    def has_lazy_mmu(self, tree):
        return bool(self.opts_in(tree) or self.selects(tree))

    def optin_edits(self, ed):
        """The opt-in moves from the header to Kconfig."""
        if not self.opts_in(ed.tree):
            return
        ed.edit(self.optin_header,
                lambda t: edits.remove_lines(t, HAVE_ARCH_RE)[0])
        ed.edit(self.kconfig, edits.kconfig_add_select, self.kconfig_symbol,
                SELECTED)

    def kunit_edits(self, ed):
        """Exports the KUnit test module needs (EXPORT_SYMBOL_IF_KUNIT)."""

    def fallback_edits(self, ed):
        """What the arch keeps when the generic fallbacks go."""

    def flush_is_empty(self, tree):
        """(path, line) of an arch_flush_lazy_mmu_mode() that is still an
        empty macro, or None."""
        return None

    def early_steps(self):
        """Steps that come before the generic layer."""
        return []

    def late_steps(self):
        """Steps that need the generic layer and the converted callers."""
        return []

    def shapes(self, tree):
        """[(what, shape name)] of the arch's places in tree."""
        return []


def export_if_kunit(text, after_regex, symbol, what):
    """Add EXPORT_SYMBOL_IF_KUNIT(symbol) after the match of after_regex
    (the end of the symbol's definition), and <kunit/visibility.h>."""
    line = "EXPORT_SYMBOL_IF_KUNIT(%s);\n" % symbol
    if line in text:
        return text
    text = edits.insert_after(text, after_regex, line, what)
    return add_include(text, "kunit/visibility.h")


def add_include(text, header):
    """#include <header> after the last #include <...> of the file's
    first block of includes."""
    inc = "#include <%s>\n" % header
    if inc in text:
        return text
    m = None
    for m in re.finditer(r"^#include <[^>]+>[^\n]*\n", text, re.M):
        nxt = text[m.end():m.end() + 9]
        if not nxt.startswith("#include"):
            break
    if m is None:
        raise edits.EditError("no #include to put <%s> after" % header)
    return text[:m.end()] + inc + text[m.end():]
