"""What every step of the conversion is made of.

A step is one logical change, one commit.  The driver (convert.py) asks
applicable(tree) (does the tree have what the step edits?), status(tree)
("todo", "partial" or "done") and, unless done, apply(tree), which edits
the files in place and returns the tree-relative paths it changed;
review_sites(tree) lists what the step left for a human.  A step never
commits, never touches git, and raises StepError on failure; the driver
then restores the tree.  Every apply() is idempotent: on a tree that
already has the change it returns [] and changes nothing.

Two kinds of steps do the work:

  EditStep   text edits (edits.FileEditor), computed in memory first and
             written only if every anchor was found;
  CocciStep  one phase of a semantic patch of cocci/, with the text edits
             it cannot make before and after it, and a check that the
             promised result is there (spatch skips a function it cannot
             parse without a word).

Which form a place of the tree has is asked of lazy_mmu_tools.shapes,
never of the tree's version.
"""

import os
import re

from . import spatch
from .edits import EditError, FileEditor

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COCCI_DIR = os.path.join(TOP, "cocci")

LEGACY_CALLBACKS = ("arch_enter_lazy_mmu_mode", "arch_leave_lazy_mmu_mode")
GENERIC_HELPERS = ("lazy_mmu_mode_enable", "lazy_mmu_mode_disable",
                   "lazy_mmu_mode_pause", "lazy_mmu_mode_resume")
PGTABLE = "include/linux/pgtable.h"
KUNIT_TEST = "mm/tests/lazy_mmu_mode_kunit.c"

_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
LEGACY_CALL_RE = re.compile(
    r"\b(arch_enter_lazy_mmu_mode|arch_leave_lazy_mmu_mode)\s*\(\s*\)\s*;")
HELPER_CALL_RE = re.compile(
    r"\blazy_mmu_mode_(enable|disable|pause|resume)\s*\(\s*\)\s*;")


class StepError(Exception):
    """A step could not be applied; the message says why, in one line."""


def read(tree, path):
    """Text of tree-relative path, or None if it does not exist."""
    try:
        with open(os.path.join(tree, path), encoding="utf-8",
                  errors="surrogateescape") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def strip_comments(text):
    """text with C comments blanked out, line numbers kept."""
    return _COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def call_sites(tree, paths, regex):
    """(path, line, name) of each match of regex outside comments."""
    out = []
    for path in paths:
        text = read(tree, path)
        if text is None:
            continue
        code = strip_comments(text)
        for m in regex.finditer(code):
            out.append((path, line_of(code, m.start()), m.group(1)))
    return out


def site_key(site):
    path, line = site.split(":")[:2]
    return (path, int(line) if line.isdigit() else 0, site)


def remove_define(name):
    """An edit removing '#define NAME ...' lines."""
    from . import edits

    def fn(text):
        return edits.remove_lines(text, r"#define\s+%s\b" % re.escape(name))[0]
    return fn


def edit_or_fail(step_name, tree, fn):
    """A FileEditor on tree with fn(ed) applied; EditError becomes a
    StepError naming the step."""
    ed = FileEditor(tree)
    try:
        fn(ed)
    except (EditError, ValueError) as e:
        raise StepError("%s: %s" % (step_name, e))
    return ed


class Step:
    """One logical change of the conversion; see the module comment."""

    name = ""
    subject = ""
    body = ""
    arch = None
    # Tree-relative paths of the files the step writes from nothing: the
    # driver refuses a tree where one of them exists untracked, since git
    # could not give its content back after a failure.
    new_files = ()

    def applicable(self, tree):
        return True

    def status(self, tree):
        raise NotImplementedError

    def apply(self, tree):
        raise NotImplementedError

    def review_sites(self, tree):
        return []

    def shapes(self, tree):
        """[(what, shape name)] of the places this step looks at."""
        return []

    def __repr__(self):
        return "<Step %s>" % self.name


class EditStep(Step):
    """A step whose change is a set of FileEditor edits.  status() makes
    the edits in memory: nothing to change means done."""

    def edits(self, ed):
        """Make the step's edits on FileEditor ed."""
        raise NotImplementedError

    def markers(self, tree):
        """True if some part of the change is already in the tree (to
        tell "partial" from "todo")."""
        return False

    def _editor(self, tree):
        return edit_or_fail(self.name, tree, self.edits)

    def status(self, tree):
        if not self._editor(tree).changed():
            return "done"
        return "partial" if self.markers(tree) else "todo"

    def apply(self, tree):
        ed = self._editor(tree)
        try:
            return ed.commit()
        except OSError as e:
            raise StepError("%s: cannot write: %s" % (self.name, e))


class CocciStep(Step):
    """One phase of a semantic patch, with text edits around it.

    cocci: rule file name; phase: the virtual rule that selects the phase;
    files: the files spatch edits (those present); scan: (dirs, words) of
    further files to give spatch; pre_edits / post_edits: functions on a
    FileEditor, run before and after spatch; required: (path, regex) that
    must match after apply (the result the step promises; StepError
    otherwise); applicable_if: (path, regex) the tree must have.

    status() is cheap: old_marks are (path, regex) of the old shape (work
    left), new_marks of the new one (work done); a path of None means
    every target."""

    cocci = ""
    phase = ""
    files = ()
    scan = None
    required = ()
    applicable_if = ()
    old_marks = ()
    new_marks = ()

    def pre_edits(self, ed):
        pass

    def post_edits(self, ed):
        pass

    def cocci_path(self):
        return os.path.join(COCCI_DIR, self.cocci)

    def applicable(self, tree):
        for path, regex in self.applicable_if:
            text = read(tree, path)
            if text is None or not re.search(regex, text, re.M):
                return False
        return True

    def targets(self, tree):
        out = [f for f in self.files if read(tree, f) is not None]
        if self.scan:
            dirs, words = self.scan
            out += spatch.prefilter(tree, dirs, words)
        return sorted(set(out))

    def defines(self):
        return (self.phase,) if self.phase else ()

    def _spatch(self, tree, mode, in_place):
        cocci = self.cocci_path()
        if not os.path.isfile(cocci):
            raise StepError("cocci/%s missing" % self.cocci)
        try:
            return spatch.run_spatch(cocci, self.targets(tree), tree,
                                     mode=mode, in_place=in_place,
                                     defines=self.defines())
        except spatch.SpatchError as e:
            raise StepError(str(e))

    def _marked(self, tree, marks):
        found = []
        for path, regex in marks:
            paths = self.targets(tree) if path is None else [path]
            for p in paths:
                text = read(tree, p)
                if text is not None and re.search(regex, strip_comments(text),
                                                  re.M):
                    found.append(p)
                    break
        return found

    def status(self, tree):
        if not self._marked(tree, self.old_marks):
            return "done"
        return "partial" if self._marked(tree, self.new_marks) else "todo"

    def apply(self, tree):
        changed = set()
        try:
            changed.update(edit_or_fail(self.name, tree,
                                        self.pre_edits).commit())
            changed.update(self._spatch(tree, "patch", True).changed)
            changed.update(edit_or_fail(self.name, tree,
                                        self.post_edits).commit())
        except OSError as e:
            raise StepError("%s: cannot write: %s" % (self.name, e))
        for path, regex in self.required:
            text = read(tree, path)
            if text is not None and not re.search(regex, text, re.M):
                raise StepError("%s: %s does not have the expected result "
                                "(/%s/); spatch may have failed to parse it"
                                % (self.name, path, regex))
        return sorted(changed)

    def review_sites(self, tree):
        """What the rule would still change, in its report mode: the
        sites of the old shape it did not recognise."""
        if self.status(tree) == "done":
            return []
        return self._spatch(tree, "report", False).reports
