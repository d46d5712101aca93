"""The conversion, as an ordered list of steps, one commit each.

What a step is: lazy_mmu_tools/stepkit.py.  Where the steps are: the
generic ones in lazy_mmu_tools/generic.py, each architecture's in its
module of lazy_mmu_tools/arch/ (with its semantic patch in cocci/).
Which form each place of a tree has: lazy_mmu_tools/shapes.py and the
ShapeSets next to the edits; tree_shapes() lists what a tree has.

The order keeps every commit building (bisectable):

  1. arch changes that do not need the generic layer (powerpc context
     switch, Xen flush, real powerpc/sparc arch_flush_lazy_mmu_mode());
  2. the generic layer (Kconfig symbol, per-task state, helpers, test),
     which still keeps the legacy empty callbacks for arches that do not
     opt in, because generic code still calls them;
  3. the callers (cocci/lazy_mmu_callers.cocci);
  4. removal of the generic empty callbacks, now unused;
  5. arch private tracking -> is_lazy_mmu_mode_active(), which only
     tells the truth once the callers use the generic helpers.
"""

from .arch import ARCHES
from .generic import (CallersStep, FallbacksStep, GenericStep,
                      SchedIncludeStep)
from .stepkit import (COCCI_DIR, EditStep, CocciStep, Step,  # noqa: F401
                      StepError)


def all_steps():
    """Every step, in series order."""
    early = [s for a in ARCHES for s in a.early_steps()]
    late = [s for a in ARCHES for s in a.late_steps()]
    order = ("arch-powerpc-switch", "arch-x86-flush")
    early.sort(key=lambda s: order.index(s.name) if s.name in order
               else len(order))
    late.sort(key=lambda s: LATE_ORDER.index(s.arch))
    return early + [SchedIncludeStep(), GenericStep(), CallersStep(),
                    FallbacksStep()] + late


# The arch state steps come in upstream's order.
LATE_ORDER = ("arm64", "powerpc", "sparc", "x86")


def tree_shapes(tree):
    """'what: shape' for every place of tree the conversion looks at and
    found, so that a run says which forms it met."""
    from .shapes import describe
    found = []
    for s in all_steps():
        found += s.shapes(tree)
    for a in ARCHES:
        found += a.shapes(tree)
    seen = []
    for item in found:
        if item not in seen:
            seen.append(item)
    return describe(seen)


def _main(argv):
    """python3 -m lazy_mmu_tools.steps TREE: the shapes of TREE and the
    status of every step, without changing anything."""
    import sys
    if len(argv) != 1:
        print("usage: python3 -m lazy_mmu_tools.steps KERNEL_TREE",
              file=sys.stderr)
        return 2
    tree = argv[0]
    for line in tree_shapes(tree):
        print("shape   " + line)
    for s in all_steps():
        status = s.status(tree) if s.applicable(tree) else "n/a"
        print("step    %-22s %s" % (s.name, status))
    return 0


if __name__ == "__main__":
    import sys
    sys.exit(_main(sys.argv[1:]))
