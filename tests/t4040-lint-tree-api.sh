#!/bin/sh
# bin/lazy-mmu-lint knows the tree's lazy MMU API (docs/ci.md): on the
# converted 7.x tree, on a partly converted tree made here from 6.12, and
# on git ranges whose commits change the API.  t4000 has the legacy 6.12
# tree.  Fixtures of tests/lint/ (made by editing copies of the trees'
# files and running git format-patch):
#
#   v7-early-return.patch      7.x remap_pte_range() returns inside its
#                              lazy_mmu_mode_enable() section
#   v7-legacy-caller.patch     7.x vunmap_pte_range() back on the arch_*()
#                              calls
#   v7-nested-section.patch    7.x vunmap_pte_range() opens a nested
#                              section inside its own (allowed: they nest)
#   v7-old-query-name.patch    7.x sparc tlb.c calls in_lazy_mmu_mode(), the
#                              query's name before the merge
#   new-api-caller.patch       6.12 vunmap_pte_range() gains
#                              lazy_mmu_mode_enable()/_disable()
#   new-legacy-caller.patch    6.12 vunmap_pte_range() gains arch_*() calls
#   query-before-nesting.patch 6.12 powerpc hash_tlb.c tests
#                              is_lazy_mmu_mode_active()
#
# The partly converted tree is a hard-linked copy of 6.12 whose
# <linux/pgtable.h> gains lazy_mmu_mode_*() helpers that wrap the arch
# callbacks (as upstream's series has them before nesting): the helpers
# exist, the callers are still legacy, there is no nesting state and no
# is_lazy_mmu_mode_active().
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

L=$TESTS/lint
require_cmd 'lazy-mmu-lint and the tree API' spatch git
require_kernel_tree K7 7
require_kernel_tree K 6.12
require_kernel_tree R612 --git 6.12
P=$TRASH/partial
export L P

# lint RC OUT ARGS...: lazy-mmu-lint ARGS, stdout in OUT and stderr in
# OUT.err; fails unless it exited RC.
lint() {
	want=$1 out=$2
	shift 2
	rc=0
	lazy-mmu-lint "$@" >"$out" 2>"$out.err" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "lazy-mmu-lint $*: exit $rc, expected $want"
		cat "$out" "$out.err"
		return 1
	fi
}

# The helpers of the partly converted tree, written for this test.
cat >"$TRASH/helpers.h" <<\EOF

/*
 * Generic lazy MMU sections.  They wrap the arch callbacks and do not
 * nest yet; the callers have not been converted.
 */
static inline void lazy_mmu_mode_enable(void)
{
	arch_enter_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_disable(void)
{
	arch_leave_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_pause(void)
{
	arch_leave_lazy_mmu_mode();
}

static inline void lazy_mmu_mode_resume(void)
{
	arch_enter_lazy_mmu_mode();
}
EOF

# with_helpers PGTABLE_H: that <linux/pgtable.h> with the helpers added
# after the legacy fallbacks, on stdout
with_helpers() {
	sed "/^#define arch_flush_lazy_mmu_mode()/{n;r $TRASH/helpers.h
}" "$1"
}

test_expect_success '7.x: detected as converted' '
	lint 1 out --tree "$K7" --stats "$L/v7-early-return.patch" &&
	grep -q "^lazy-mmu-lint: tree API: converted, detected (lazy_mmu_mode_\*() helpers, nesting, no legacy fallbacks)$" out.err
'

test_expect_success '7.x: an early return inside a section is found' '
	grep -q "^mm/memory.c:2928:4: warning: returning with a lazy MMU section still open \[lazy-mmu-unbalanced-return\]$" out &&
	grep -q "^mm/memory.c:2923:2: note: lazy MMU section opened here$" out &&
	test "$(grep -c ": warning: " out)" = 1
'

test_expect_success '7.x: a new legacy caller is told to use the helpers' '
	lint 1 out --tree "$K7" "$L/v7-legacy-caller.patch" &&
	grep -q "^mm/vmalloc.c:396:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() \[lazy-mmu-legacy-call\]$" out &&
	grep -q "^mm/vmalloc.c:415:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() \[lazy-mmu-legacy-call\]$" out &&
	grep -q "^mm/vmalloc.c:396:2: note: also \[cocci/lazy_mmu_legacy\]: " out &&
	test "$(grep -c ": warning: " out)" = 2
'

test_expect_success '7.x: a nested section is the API: exit 0' '
	lint 0 out --tree "$K7" "$L/v7-nested-section.patch" &&
	test ! -s out
'

test_expect_success '7.x: a call the tree lacks (the pre-merge query name)' '
	lint 1 out --tree "$K7" "$L/v7-old-query-name.patch" &&
	echo "arch/sparc/mm/tlb.c:95:7: error: in_lazy_mmu_mode() is not in this tree, whose lazy MMU API (converted) has lazy_mmu_mode_enable/disable/pause/resume(), is_lazy_mmu_mode_active(), __task_lazy_mmu_mode_active(), __task_lazy_mmu_mode_pause(), __task_lazy_mmu_mode_resume(): the patch would not compile [lazy-mmu-api-missing]" >expect &&
	test_cmp expect out
'

test_expect_success '7.x: spatch on touched functions only = on whole files' '
	for p in v7-early-return v7-legacy-caller v7-nested-section; do
		lint $(test $p = v7-nested-section && echo 0 || echo 1) fast.$p \
			--tree "$K7" --stats "$L/$p.patch" &&
		lint $(test $p = v7-nested-section && echo 0 || echo 1) full.$p \
			--tree "$K7" --stats --all-functions "$L/$p.patch" &&
		test_cmp full.$p fast.$p || return 1
	done &&
	# the rules look for legacy calls: only there does spatch run
	grep -q "spatch [1-9][0-9]* rules* run" fast.v7-legacy-caller.err &&
	grep -q "spatch is given 1)" fast.v7-legacy-caller.err
'

test_expect_success 'make a partly converted tree from 6.12 (hard links)' '
	cp -al "$K" "$P" &&
	with_helpers "$K/include/linux/pgtable.h" >pgtable.h &&
	! cmp -s pgtable.h "$K/include/linux/pgtable.h" &&
	grep -q "^static inline void lazy_mmu_mode_enable(void)$" pgtable.h &&
	rm "$P/include/linux/pgtable.h" &&
	cp pgtable.h "$P/include/linux/pgtable.h" &&
	! grep -q lazy_mmu_mode_enable "$K/include/linux/pgtable.h"
'

test_expect_success 'partial: detected, with what it has and lacks' '
	lint 1 out --tree "$P" --stats "$L/new-legacy-caller.patch" &&
	grep -q "^lazy-mmu-lint: tree API: partial, detected (lazy_mmu_mode_enable(), lazy_mmu_mode_disable(), lazy_mmu_mode_pause(), lazy_mmu_mode_resume(); no nesting state; legacy fallbacks still there)$" out.err
'

test_expect_success 'partial: a new legacy caller is told to use the helpers' '
	grep -q "^mm/vmalloc.c:403:2: warning: legacy arch_enter_lazy_mmu_mode() in generic code: use lazy_mmu_mode_enable() \[lazy-mmu-legacy-call\]$" out &&
	grep -q "^mm/vmalloc.c:408:2: warning: legacy arch_leave_lazy_mmu_mode() in generic code: use lazy_mmu_mode_disable() \[lazy-mmu-legacy-call\]$" out &&
	test "$(grep -c ": warning: " out)" = 2
'

test_expect_success 'partial: the helpers are the API: a new caller is clean' '
	lint 0 out --tree "$P" "$L/new-api-caller.patch" &&
	test ! -s out
'

test_expect_success 'partial: is_lazy_mmu_mode_active() is not there yet' '
	lint 1 out --tree "$P" "$L/query-before-nesting.patch" &&
	echo "arch/powerpc/mm/book3s64/hash_tlb.c:103:7: error: is_lazy_mmu_mode_active() is not in this tree, whose lazy MMU API (partial) has lazy_mmu_mode_enable/disable/pause/resume(): the patch would not compile [lazy-mmu-api-missing]" >expect &&
	test_cmp expect out
'

test_expect_success 'legacy 6.12: the same patches, the legacy rules' '
	lint 0 out --tree "$K" "$L/new-legacy-caller.patch" &&
	lint 1 out --tree "$K" "$L/new-api-caller.patch" &&
	grep -q "lazy_mmu_mode_enable() is not in this tree, which has the legacy lazy MMU API" out &&
	lint 1 out --tree "$K" "$L/query-before-nesting.patch" &&
	grep -q "is_lazy_mmu_mode_active() is not in this tree, which has the legacy" out
'

test_expect_success 'the pristine trees were not changed' '
	! grep -q lazy_mmu_mode_enable "$K/include/linux/pgtable.h" &&
	(cd "$K" && sha1sum mm/vmalloc.c arch/powerpc/mm/book3s64/hash_tlb.c) >a &&
	(cd "$P" && sha1sum mm/vmalloc.c arch/powerpc/mm/book3s64/hash_tlb.c) >b &&
	test_cmp a b
'

# A range whose first commit adds the helpers: the API is read from the
# objects of the range's end, never from a work tree (there is none).
commit_file() {
	# commit_file PARENT PATH FILE MSG: PATH's content becomes FILE's
	GIT_INDEX_FILE=$TRASH/index git -C "$R" read-tree "$1" &&
	blob=$(git -C "$R" hash-object -w "$3") &&
	GIT_INDEX_FILE=$TRASH/index git -C "$R" update-index \
		--cacheinfo 100644 "$blob" "$2" &&
	t=$(GIT_INDEX_FILE=$TRASH/index git -C "$R" write-tree) &&
	git -C "$R" -c user.name=T -c user.email=t@example.org \
		commit-tree -p "$1" -m "$4" "$t"
}

commit_patch() {
	# commit_patch PARENT PATCH MSG: print the new commit's id
	GIT_INDEX_FILE=$TRASH/index git -C "$R" read-tree "$1" &&
	GIT_INDEX_FILE=$TRASH/index git -C "$R" apply --cached "$2" &&
	t=$(GIT_INDEX_FILE=$TRASH/index git -C "$R" write-tree) &&
	git -C "$R" -c user.name=T -c user.email=t@example.org \
		commit-tree -p "$1" -m "$3" "$t"
}

R=$TRASH/repo
export R

test_expect_success 'range: a clone of 6.12, helpers added, then a caller' '
	git clone -q --no-checkout --shared "$R612" "$R" &&
	base=$(git -C "$R" rev-parse HEAD) &&
	git -C "$R" show HEAD:include/linux/pgtable.h >old.h &&
	with_helpers old.h >"$TRASH/new.h" &&
	h=$(commit_file "$base" include/linux/pgtable.h "$TRASH/new.h" \
		"mm: lazy MMU helpers") &&
	c=$(commit_patch "$h" "$L/new-api-caller.patch" "mm/vmalloc: sections") &&
	n=$(commit_patch "$base" "$L/new-api-caller.patch" "mm/vmalloc: sections") &&
	echo "$base $h $c $n" >"$TRASH/commits"
'
read base h c n <"$TRASH/commits" 2>/dev/null || true

test_expect_success 'range: with the helpers in the range, the caller is clean' '
	lint 0 out --tree "$R" --range "$base..$c" --stats &&
	test ! -s out &&
	grep -q "^lazy-mmu-lint: tree API: partial, detected" out.err
'

test_expect_success 'range --each: each commit with the API of its own tree' '
	lint 0 out --tree "$R" --range "$base..$c" --each --stats &&
	test ! -s out &&
	grep -q "^lazy-mmu-lint: 2 commits linted one by one$" out.err
'

test_expect_success 'range: without the helpers, the same caller would not compile' '
	lint 1 out --tree "$R" --range "$base..$n" &&
	grep -q "^mm/vmalloc.c:403:2: error: lazy_mmu_mode_enable() is not in this tree, which has the legacy" out
'

test_done
