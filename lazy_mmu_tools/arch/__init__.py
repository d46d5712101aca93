"""The architectures that have a lazy MMU mode, one module each.

ARCHES lists them in the order their steps come in the series.  A new
architecture is a new module with an Arch subclass (base.py) and an entry
here; the generic steps pick up its opt-in, KUnit exports and stubs
through the Arch hooks.
"""

from . import arm64, powerpc, sparc, x86

ARCHES = (x86.ARCH, powerpc.ARCH, sparc.ARCH, arm64.ARCH)


def by_name(name):
    for a in ARCHES:
        if a.name == name:
            return a
    raise KeyError(name)
