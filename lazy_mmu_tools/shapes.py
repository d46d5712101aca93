"""Shapes: the forms a piece of kernel code takes in the trees we know.

The conversion never asks a tree for its version.  Every place it edits
is described by a ShapeSet: the forms that place has been seen in (each a
name and a regex), in the order they are tried.  A step asks which form
the tree has and edits accordingly; a text in none of them is refused,
naming what was looked for.  Supporting the next tree means adding its
form to the ShapeSet of the place that changed, next to the edit that
handles it.

describe() turns the shapes found in a tree into the lines that
lazy_mmu_tools.steps.tree_shapes() prints (and the tests pin).
"""

import re
from typing import NamedTuple


class Shape(NamedTuple):
    """One known form of a place in the kernel: name and regex (matched
    with re.M)."""
    name: str
    regex: str


class ShapeSet:
    """The known forms of one place, tried in order."""

    def __init__(self, what, *shapes):
        self.what = what
        self.shapes = shapes

    def match(self, text):
        """(shape, match object) of the first form found in text, or
        (None, None)."""
        if text is None:
            return None, None
        for shape in self.shapes:
            m = re.search(shape.regex, text, re.M)
            if m:
                return shape, m
        return None, None

    def name(self, text):
        """Name of the form text has, or None."""
        shape = self.match(text)[0]
        return shape.name if shape else None

    def names(self):
        return ", ".join(s.name for s in self.shapes)

    def require(self, text, where):
        """(shape, match) of text's form; ValueError naming where, what
        was looked for and the known forms otherwise."""
        shape, m = self.match(text)
        if shape is None:
            raise ValueError("%s: %s not found (known shapes: %s)"
                             % (where, self.what, self.names()))
        return shape, m


def describe(found):
    """'what: shape' lines for [(what, shape name or None)], for the
    shapes a tree has; places the tree does not have are left out."""
    return ["%s: %s" % (what, name) for what, name in found if name]
