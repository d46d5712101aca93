#!/bin/sh
# bin/lazy-mmu-lint against the 6.12 tree with the fixture patches of
# tests/lint/ (each made by editing a copy of 6.12 files and running
# git format-patch or diff -u):
#
#   early-return.patch       remap_pte_range() returns inside its section
#   new-legacy-caller.patch  vunmap_pte_range() gains enter/leave calls
#   clean-refactor.patch     remap_pte_range() rewritten, still balanced,
#                            lines below it shift by two
#   dropped-leave.patch      (diff -u) apply_to_pte_range() loses its leave
#   does-not-apply.patch     made against a different mm/memory.c
#   no-lazy-mmu.patch        a blank line in mm/vmalloc.c, no lazy MMU token
#   arch-early-return.patch  (diff -u) the same bug in powerpc's
#                            __flush_hash_table_range(), arch code
#
# The full lint runs: bin/lazy-mmu-check (built by make) and cocci/*.cocci.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

L=$TESTS/lint
require_cmd 'lazy-mmu-lint on the 6.12 tree' spatch
require_kernel_tree K 6.12
export L

# The tree is only read: remember what the touched files hold.
sums() {
	(cd "$K" && sha1sum mm/memory.c mm/vmalloc.c)
}
sums >"$TRASH/sums.before"

lint() {
	lazy-mmu-lint --tree "$K" "$@"
}

test_expect_success 'the checker is built (make)' '
	test -x "$TOP/bin/lazy-mmu-check"
'

test_expect_success 'early return inside a section: found, exit 1' '
	rc=0; lint "$L/early-return.patch" >out 2>err || rc=$?
	cat out err &&
	test "$rc" = 1 &&
	grep -q "^mm/memory.c:2560:[0-9]*: warning: .*\[lazy-mmu-[a-z-]*\]$" out
'

test_expect_success 'early return: the blamed line is the added return' '
	mkdir -p patched/mm && cp "$K/mm/memory.c" patched/mm/ &&
	(cd patched && git apply "$L/early-return.patch") &&
	sed -n 2560p patched/mm/memory.c | grep -q "return -EACCES;" &&
	grep -q "^mm/memory.c:2560:4: warning: " out
'

test_expect_success 'early return: a note says where the section opened' '
	grep -q "^mm/memory.c:2555:[0-9]*: note: " out
'

test_expect_success 'early return: nothing the tree already had is blamed' '
	test -s out &&
	! grep -v "^mm/memory.c:25[5-6][0-9]:" out
'

test_expect_success 'a new legacy caller in generic code is found' '
	rc=0; lint "$L/new-legacy-caller.patch" >out 2>err || rc=$?
	cat out err &&
	test "$rc" = 1 &&
	grep -q "^mm/vmalloc.c:403:2: warning: legacy .*\[lazy-mmu-[a-z-]*\]$" out &&
	grep -q "^mm/vmalloc.c:408:2: warning: legacy .*\[lazy-mmu-[a-z-]*\]$" out
'

test_expect_success 'the same line seen by several rules is one warning' '
	test $(grep -c ": warning: " out) = 2 &&
	grep -q "^mm/vmalloc.c:403:2: note: also \[cocci/lazy_mmu_legacy\]: .*legacy" out &&
	grep -q "^mm/vmalloc.c:408:2: note: also \[cocci/lazy_mmu_legacy\]: .*legacy" out
'

test_expect_success 'spatch on touched functions only = spatch on whole files' '
	for p in early-return new-legacy-caller dropped-leave clean-refactor; do
		lint "$L/$p.patch" >fast.$p; lint --all-functions "$L/$p.patch" >full.$p
		cmp full.$p fast.$p || return 1
	done
'

test_expect_success 'arch code: the early return is found, legacy calls are not' '
	rc=0; lint "$L/arch-early-return.patch" >out 2>err || rc=$?
	cat out err &&
	test "$rc" = 1 &&
	grep -q "^arch/powerpc/mm/book3s64/hash_tlb.c:210:[0-9]*: warning: .*\[lazy-mmu-unbalanced-return\]$" out &&
	test $(grep -c ": warning: " out) = 1 &&
	! grep -q "generic code" out
'

test_expect_success 'a clean refactor of a section: exit 0, no output' '
	rc=0; lint "$L/clean-refactor.patch" >out 2>err || rc=$?
	cat out err &&
	test "$rc" = 0 &&
	test ! -s out
'

test_expect_success 'the refactor is not clean without the analysers' '
	# guard: the clean result must come from matching the tree findings,
	# so they exist (the tree has legacy calls in mm/memory.c)
	lazy-mmu-lint --tree "$K" --stats "$L/clean-refactor.patch" 2>err &&
	grep -E "lazy-mmu-lint: [1-9][0-9]* findings? before" err
'

test_expect_success 'a removed leave is blamed where it was removed' '
	rc=0; lint "$L/dropped-leave.patch" >out 2>err || rc=$?
	cat out err &&
	test "$rc" = 1 &&
	grep -q "^mm/memory.c:2824:[0-9]*: warning: " out &&
	grep -q "^mm/memory.c:[0-9]*:[0-9]*: note: .* reports it here$" out
'

test_expect_success 'a patch that does not apply: exit 2, one-line reason' '
	rc=0; lint "$L/does-not-apply.patch" >out 2>err || rc=$?
	test "$rc" = 2 &&
	test ! -s out &&
	test $(wc -l <err) = 1 &&
	grep -q "^lazy-mmu-lint: patch does not apply: patch failed: mm/memory.c:2557$" err
'

test_expect_success 'the patch on stdin (a format-patch mail) works the same' '
	rc=0; lazy-mmu-lint --tree "$K" - <"$L/early-return.patch" >out2 || rc=$?
	test "$rc" = 1 &&
	lint "$L/early-return.patch" >out1 || true
	cmp out1 out2
'

test_expect_success 'the default tree is the current directory' '
	rc=0; (cd "$K" && lazy-mmu-lint "$L/new-legacy-caller.patch") >out || rc=$?
	test "$rc" = 1 && test -s out &&
	rc=0; lazy-mmu-lint "$L/new-legacy-caller.patch" 2>err || rc=$?
	test "$rc" = 2 && grep -q "not a kernel tree" err
'

test_expect_success 'two patches in a row are applied in order' '
	rc=0; lint "$L/clean-refactor.patch" "$L/new-legacy-caller.patch" >out || rc=$?
	test "$rc" = 1 && grep -q "^mm/vmalloc.c:403:" out &&
	! grep -q "^mm/memory.c" out
'

test_expect_success 'two patches to the same file: the second one at its offset' '
	rc=0; lint "$L/clean-refactor.patch" "$L/dropped-leave.patch" >out || rc=$?
	cat out && test "$rc" = 1 &&
	test $(grep -c ": warning: " out) = 1 &&
	grep -q "^mm/memory.c:2826:2: warning: .*\[lazy-mmu-unbalanced-return\]$" out
'

test_expect_success '--format=json: one object per finding' '
	lint --format=json "$L/new-legacy-caller.patch" >json || test $? = 1
	lint "$L/new-legacy-caller.patch" >text || true
	test -s json &&
	test $(wc -l <json) = $(grep -c ": warning: " text) &&
	python3 -c "
import json, sys
for line in open(\"json\"):
    o = json.loads(line)
    if not (o[\"file\"] == \"mm/vmalloc.c\" and o[\"line\"] in (403, 408)
            and o[\"id\"] and o[\"message\"] and o[\"tool\"]):
        sys.exit(repr(o))
"
'

test_expect_success '--format=sarif: a SARIF 2.1.0 log' '
	lint --format=sarif "$L/early-return.patch" >sarif || test $? = 1
	python3 -c "
import json, sys
def need(cond, what):
    if not cond:
        sys.exit(repr(what))
d = json.load(open(\"sarif\"))
need(d[\"version\"] == \"2.1.0\", d)
run = d[\"runs\"][0]
rules = [r[\"id\"] for r in run[\"tool\"][\"driver\"][\"rules\"]]
need(run[\"results\"], run)
for r in run[\"results\"]:
    need(r[\"ruleId\"] in rules, r)
    need(rules[r[\"ruleIndex\"]] == r[\"ruleId\"], r)
    loc = r[\"locations\"][0][\"physicalLocation\"]
    need(loc[\"artifactLocation\"][\"uri\"] == \"mm/memory.c\", loc)
    need(loc[\"region\"][\"startLine\"] == 2560, loc)
    need(r[\"partialFingerprints\"], r)
"
'

test_expect_success '--format=github: workflow annotations' '
	lint --format=github "$L/new-legacy-caller.patch" >gh || test $? = 1
	test -s gh &&
	! grep -v "^::warning file=mm/vmalloc.c,line=[0-9]*,col=[0-9]*,title=[^:]*::" gh
'

test_expect_success '--stats prints time and what was analysed on stderr' '
	lint --stats "$L/early-return.patch" >out 2>err || true
	grep -q "^lazy-mmu-lint: 1 C file analysed (mm/memory.c)" err &&
	grep -q "^lazy-mmu-lint: 1 function changed, [0-9]* functions" err &&
	grep -Eq "^lazy-mmu-lint: .* [0-9]+\.[0-9]+ s elapsed, [0-9]+\.[0-9]+ s CPU$" err &&
	! grep -q lazy-mmu-lint out
'

test_expect_success 'no rule token in the touched file: spatch is not run' '
	rc=0; lint --stats "$L/no-lazy-mmu.patch" >out 2>err || rc=$?
	cat err; test "$rc" = 0 && test ! -s out &&
	grep -q "spatch 0 rules run, [1-9][0-9]* skipped (no file to match), 0 runs" err
'

test_expect_success 'a new file: all its findings are the patch'"'"'s' '
	printf "%s\n" "diff --git a/mm/lazy_demo.c b/mm/lazy_demo.c" \
		"new file mode 100644" "--- /dev/null" "+++ b/mm/lazy_demo.c" \
		"@@ -0,0 +1,7 @@" "+void demo_batch(int x)" "+{" \
		"+	arch_enter_lazy_mmu_mode();" "+	if (x)" "+		return;" \
		"+	arch_leave_lazy_mmu_mode();" "+}" >new.patch &&
	rc=0; lint new.patch >out 2>err || rc=$?
	cat out err && test "$rc" = 1 &&
	grep -q "^mm/lazy_demo.c:5:3: warning: .*\[lazy-mmu-unbalanced-return\]$" out &&
	grep -q "^mm/lazy_demo.c:3:2: warning: legacy .*in generic code" out &&
	test ! -e "$K/mm/lazy_demo.c"
'

test_expect_success 'a pure rename adds nothing and runs no spatch' '
	printf "%s\n" "diff --git a/mm/mremap.c b/mm/mremap2.c" \
		"similarity index 100%" "rename from mm/mremap.c" \
		"rename to mm/mremap2.c" >rename.patch &&
	lint --stats rename.patch >out 2>err &&
	cat err && test ! -s out &&
	grep -q "1 C file analysed (mm/mremap2.c)" err &&
	grep -q "spatch 0 rules run" err
'

test_expect_success 'the tree was never written to' '
	sums >"$TRASH/sums.after" &&
	cmp "$TRASH/sums.before" "$TRASH/sums.after"
'

test_done
