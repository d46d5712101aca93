#!/bin/sh
# A post-series tree (Debian's Linux 7.x) is converted already: every step
# must say so without changing a byte, and bin/lazy-mmu-convert must say
# "already converted", make no commit and exit 0.  A 7.x tree whose
# generic layer is taken back to the 6.19 shape (the fallbacks instead of
# the helpers) is not: the generic step must see it and only it.
# uses: no lazy-mmu-check (an already converted tree: nothing to verify)
. "$(dirname "$0")/lib-tap.sh"

require_cmd 'steps on linux 7' spatch
require_kernel_tree repo --git 7

tree=$TRASH/linux
export tree repo

. "$TESTS/lib-steps.sh"

test_expect_success 'clone the 7.x tree' '
	git clone -q --shared "$repo" "$tree" &&
	grep -q "^VERSION = 7$" "$tree/Makefile"
'

test_expect_success 'the shapes of 7.x: everything on the generic state' '
	steps shapes >shapes &&
	cat shapes &&
	grep -qx "pgtable.h lazy MMU layer: nestable helpers" shapes &&
	grep -qx "pgtable.h lazy MMU comment: nestable sections" shapes &&
	grep -qx "x86 Xen PV lazy MMU mode: generic state" shapes &&
	grep -qx "arm64 lazy MMU tracking: generic state" shapes &&
	grep -qx "powerpc lazy MMU tracking: generic state" shapes &&
	grep -qx "sparc lazy MMU tracking: generic state" shapes
'

test_expect_success 'every step is done or not applicable' '
	steps status >status.out &&
	cat status.out &&
	! grep -v -e " done$" -e " n/a$" status.out &&
	grep -qx "arch-x86-nested n/a" status.out &&
	grep -qx "generic done" status.out
'

test_expect_success 'nothing to review' '
	steps review >review.out &&
	test_must_be_empty review.out
'

test_expect_success 'lazy-mmu-convert: "already converted", no commit, status 0' '
	(cd "$tree" && git rev-parse HEAD && git status --porcelain) >before &&
	lazy-mmu-convert "$tree" >out 2>err; echo $? >rc &&
	cat out err &&
	test "$(cat rc)" = 0 &&
	grep -qx "Nothing to do: .* is already converted: it already uses the generic lazy MMU API\." out &&
	grep -qx "Left for manual review: nothing." out &&
	! grep -q "committed" err &&
	(cd "$tree" && git rev-parse HEAD && git status --porcelain) >after &&
	diff -u before after
'

# The generic layer of 6.19 put back in place of 7.x's: the fallbacks
# instead of the helpers, as a tree half way through would have them.
test_expect_success 'a 7.x tree with its helpers taken out gets the generic steps only' '
	git clone -q --shared "$repo" partial &&
	PYTHONPATH=$TOP python3 - partial/include/linux/pgtable.h <<-\EOF &&
	import re, sys
	p = sys.argv[1]
	t = open(p).read()
	m = re.search(r"^#ifdef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n/\*\*\n \* lazy_mmu_mode_enable.*?^#endif\n", t, re.S | re.M)
	if not m:
	    sys.exit("helpers not found")
	t = t[:m.start()] + ("#ifndef CONFIG_ARCH_HAS_LAZY_MMU_MODE\n"
	    "static inline void arch_enter_lazy_mmu_mode(void) {}\n"
	    "static inline void arch_leave_lazy_mmu_mode(void) {}\n"
	    "static inline void arch_flush_lazy_mmu_mode(void) {}\n"
	    "#endif\n") + t[m.end():]
	open(p, "w").write(t)
	EOF
	steps status partial >status2.out &&
	cat status2.out &&
	grep -v -e " done$" -e " n/a$" status2.out | tr "\n" " " >left &&
	test "$(cat left)" = "generic partial generic-fallbacks todo " &&
	steps apply partial >apply2.out &&
	cat apply2.out &&
	grep -qx "generic 1" apply2.out &&
	grep -qx "generic-fallbacks 1" apply2.out &&
	test "$(grep -c "^static inline void lazy_mmu_mode_enable(void)" partial/include/linux/pgtable.h)" = 2 &&
	! grep -q "arch_enter_lazy_mmu_mode(void) {}" partial/include/linux/pgtable.h &&
	steps status partial >status3.out &&
	! grep -v -e " done$" -e " n/a$" status3.out
'

test_done
