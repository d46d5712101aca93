#!/bin/sh
# bin/lazy-mmu-lint against the 6.12 tree (legacy lazy MMU API) with the
# fixture patches of tests/lint/ (each made by editing a copy of 6.12
# files and running git format-patch or diff -u):
#
#   early-return.patch       remap_pte_range() returns inside its section
#   new-legacy-caller.patch  vunmap_pte_range() gains enter/leave calls
#   new-api-caller.patch     vunmap_pte_range() gains lazy_mmu_mode_enable()
#                            and _disable(), which 6.12 does not have
#   legacy-nested-section.patch  remap_pte_range() opens a second legacy
#                            section inside its own
#   clean-refactor.patch     remap_pte_range() rewritten, still balanced,
#                            lines below it shift by two
#   dropped-leave.patch      (diff -u) apply_to_pte_range() loses its leave
#   does-not-apply.patch     made against a different mm/memory.c
#   no-lazy-mmu.patch        a blank line in mm/vmalloc.c, no lazy MMU token
#   arch-early-return.patch  (diff -u) the same bug in powerpc's
#                            __flush_hash_table_range(), arch code
#
# On a legacy tree legacy calls are the API: nothing may advise the
# conversion, and the new API is a call the tree lacks.  t4040 runs the
# same kind of fixtures on 7.x and on a partly converted tree.  The full
# lint runs: bin/lazy-mmu-check (built by make) and cocci/*.cocci.
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

# lint RC OUT [ARGS...]: lazy-mmu-lint --tree $K ARGS, stdout in OUT and
# stderr in OUT.err; fails unless it exited RC.
lint() {
	want=$1 out=$2
	shift 2
	rc=0
	lazy-mmu-lint --tree "$K" "$@" >"$out" 2>"$out.err" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "lazy-mmu-lint $*: exit $rc, expected $want"
		cat "$out" "$out.err"
		return 1
	fi
}

test_expect_success 'the checker is built (make)' '
	test -x "$TOP/bin/lazy-mmu-check"
'

test_expect_success 'the tree is detected as legacy' '
	lint 0 out --stats "$L/no-lazy-mmu.patch" &&
	grep -q "^lazy-mmu-lint: tree API: legacy, detected (no lazy_mmu_mode_\*() helpers" out.err &&
	grep -q "cocci rules not run: they advise the conversion" out.err
'

test_expect_success 'early return inside a section: found, exit 1' '
	lint 1 out "$L/early-return.patch" &&
	grep -q "^mm/memory.c:2560:4: warning: returning with a legacy lazy MMU section still open \[lazy-mmu-unbalanced-return\]$" out
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

test_expect_success 'a new balanced legacy caller is correct code here: exit 0' '
	lint 0 out --stats "$L/new-legacy-caller.patch" &&
	test ! -s out &&
	grep -q "^lazy-mmu-lint: 0 findings before, 0 after" out.err
'

test_expect_success 'the new API on a legacy tree would not compile: exit 1' '
	lint 1 out "$L/new-api-caller.patch" &&
	cat >expect <<-\EOF &&
	mm/vmalloc.c:403:2: error: lazy_mmu_mode_enable() is not in this tree, which has the legacy lazy MMU API (arch_enter_lazy_mmu_mode()/arch_leave_lazy_mmu_mode()): the patch would not compile [lazy-mmu-api-missing]
	mm/vmalloc.c:408:2: error: lazy_mmu_mode_disable() is not in this tree, which has the legacy lazy MMU API (arch_enter_lazy_mmu_mode()/arch_leave_lazy_mmu_mode()): the patch would not compile [lazy-mmu-api-missing]
	EOF
	test_cmp expect out
'

test_expect_success 'a legacy section inside another: legacy nesting' '
	lint 1 out "$L/legacy-nested-section.patch" &&
	grep -q "^mm/memory.c:2562:3: warning: .*\[lazy-mmu-legacy-nesting\]$" out &&
	test "$(grep -c ": warning: " out)" = 1
'

test_expect_success 'nothing advises the conversion on a legacy tree' '
	for p in early-return new-legacy-caller new-api-caller \
		legacy-nested-section clean-refactor dropped-leave \
		arch-early-return no-lazy-mmu; do
		lazy-mmu-lint --tree "$K" --format=json "$L/$p.patch" >"json.$p"
		test $? -le 1 || return 1
		! grep -E "use lazy_mmu_mode|lazy-mmu-legacy-call|cocci/" "json.$p" ||
			return 1
	done
'

test_expect_success 'told the tree is partly converted, the conversion is advised' '
	lint 1 out --tree-api=partial --stats "$L/new-legacy-caller.patch" &&
	grep -q "^mm/vmalloc.c:403:2: warning: legacy .*use lazy_mmu_mode_enable() \[lazy-mmu-legacy-call\]$" out &&
	grep -q "^mm/vmalloc.c:403:2: note: also \[cocci/lazy_mmu_legacy\]: .*legacy" out &&
	test "$(grep -c ": warning: " out)" = 2 &&
	grep -q "^lazy-mmu-lint: tree API: partial, as told (--tree-api)" out.err
'

test_expect_success 'spatch on touched functions only = spatch on whole files' '
	for p in early-return new-legacy-caller dropped-leave clean-refactor \
		legacy-nested-section; do
		for how in fast full; do
			opt=; [ $how = full ] && opt=--all-functions
			rc=0
			lazy-mmu-lint --tree "$K" --tree-api=partial --stats $opt \
				"$L/$p.patch" >$how.$p 2>$how.$p.err || rc=$?
			echo $rc >$how.$p.rc
			test $rc -le 1 || { cat $how.$p.err; return 1; }
			grep -q "spatch [1-9][0-9]* rules* run" $how.$p.err ||
				{ cat $how.$p.err; return 1; }
		done
		cmp full.$p.rc fast.$p.rc && cmp full.$p fast.$p || return 1
	done
'

test_expect_success 'arch code: the early return is found, legacy calls are not' '
	lint 1 out "$L/arch-early-return.patch" &&
	grep -q "^arch/powerpc/mm/book3s64/hash_tlb.c:210:[0-9]*: warning: .*\[lazy-mmu-unbalanced-return\]$" out &&
	test $(grep -c ": warning: " out) = 1 &&
	! grep -q "generic code" out
'

test_expect_success 'a clean refactor of a section: exit 0, no output' '
	lint 0 out "$L/clean-refactor.patch" &&
	test ! -s out
'

test_expect_success 'the refactor is not clean without the analysers' '
	# guard: the clean result must come from matching the tree findings,
	# so they exist (partly converted, the legacy calls of mm/memory.c
	# are findings)
	lint 0 out --tree-api=partial --stats "$L/clean-refactor.patch" &&
	grep -E "lazy-mmu-lint: [1-9][0-9]* findings? before" out.err
'

test_expect_success 'a removed leave is blamed where it was removed' '
	lint 1 out "$L/dropped-leave.patch" &&
	grep -q "^mm/memory.c:2824:[0-9]*: warning: " out &&
	grep -q "^mm/memory.c:[0-9]*:[0-9]*: note: .* reports it here$" out
'

test_expect_success 'a patch that does not apply: exit 2, one-line reason' '
	lint 2 out "$L/does-not-apply.patch" &&
	test ! -s out &&
	test $(wc -l <out.err) = 1 &&
	grep -q "^lazy-mmu-lint: patch does not apply: patch failed: mm/memory.c:2557$" out.err
'

test_expect_success 'the patch on stdin (a format-patch mail) works the same' '
	lint 1 out1 "$L/early-return.patch" &&
	lint 1 out2 - <"$L/early-return.patch" &&
	test_cmp out1 out2
'

test_expect_success 'the default tree is the current directory' '
	rc=0; (cd "$K" && lazy-mmu-lint "$L/new-api-caller.patch") >out || rc=$?
	test "$rc" = 1 && test -s out &&
	rc=0; lazy-mmu-lint "$L/new-api-caller.patch" 2>err || rc=$?
	test "$rc" = 2 && grep -q "not a kernel tree" err
'

test_expect_success 'two patches in a row are applied in order' '
	lint 1 out "$L/clean-refactor.patch" "$L/new-api-caller.patch" &&
	grep -q "^mm/vmalloc.c:403:" out &&
	! grep -q "^mm/memory.c" out
'

test_expect_success 'two patches to the same file: the second one at its offset' '
	lint 1 out "$L/clean-refactor.patch" "$L/dropped-leave.patch" &&
	test $(grep -c ": warning: " out) = 1 &&
	grep -q "^mm/memory.c:2826:2: warning: .*\[lazy-mmu-unbalanced-return\]$" out
'

test_expect_success '--format=json: one object per finding' '
	lint 1 json --format=json "$L/new-api-caller.patch" &&
	lint 1 text "$L/new-api-caller.patch" &&
	test $(wc -l <json) = $(grep -c ": error: " text) &&
	python3 - <<-\EOF
	import json, sys
	for line in open("json"):
	    o = json.loads(line)
	    if not (o["file"] == "mm/vmalloc.c" and o["line"] in (403, 408)
	            and o["id"] == "lazy-mmu-api-missing"
	            and o["tool"] == "lazy-mmu-lint" and o["severity"] == "error"
	            and o["function"] == "vunmap_pte_range" and o["message"]):
	        sys.exit("unexpected: %r" % o)
	EOF
'

test_expect_success '--format=sarif: a SARIF 2.1.0 log' '
	lint 1 sarif --format=sarif "$L/early-return.patch" &&
	python3 - <<-\EOF
	import json, sys
	d = json.load(open("sarif"))
	run = d["runs"][0]
	rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
	def need(cond, what):
	    if not cond:
	        sys.exit(what)
	need(d["version"] == "2.1.0", "version")
	need(run["results"], "no results")
	for r in run["results"]:
	    need(r["ruleId"] in rules, r)
	    need(rules[r["ruleIndex"]] == r["ruleId"], r)
	    loc = r["locations"][0]["physicalLocation"]
	    need(loc["artifactLocation"]["uri"] == "mm/memory.c", loc)
	    need(loc["region"]["startLine"] == 2560, loc)
	    need(r["partialFingerprints"], r)
	EOF
'

test_expect_success '--format=sarif validates against the SARIF 2.1.0 schema' '
	lint 1 sarif.api --format=sarif "$L/new-api-caller.patch" &&
	lint 0 sarif.none --format=sarif "$L/clean-refactor.patch" &&
	printf "%s\n" "diff --git \"a/mm/weird name \\303\\251.c\" \"b/mm/weird name \\303\\251.c\"" \
		"new file mode 100644" "--- /dev/null" \
		"+++ \"b/mm/weird name \\303\\251.c\"" "@@ -0,0 +1,4 @@" \
		"+void weird(void)" "+{" "+	lazy_mmu_mode_enable();" "+}" >weird.patch &&
	lint 1 sarif.weird --format=sarif weird.patch &&
	grep -q "\"uri\": \"mm/weird%20name%20%C3%A9.c\"" sarif.weird &&
	"$TOP/scripts/sarif-validate" sarif sarif.api sarif.none sarif.weird
'

test_expect_success '--format=github: workflow annotations' '
	lint 1 gh --format=github "$L/early-return.patch" &&
	test -s gh &&
	! grep -v "^::warning file=mm/memory.c,line=[0-9]*,col=[0-9]*,title=[^:]*::" gh
'

test_expect_success '--stats prints time and what was analysed on stderr' '
	lint 1 out --stats "$L/early-return.patch" &&
	grep -q "^lazy-mmu-lint: 1 C file analysed (mm/memory.c)" out.err &&
	grep -q "^lazy-mmu-lint: 1 function changed, [0-9]* functions" out.err &&
	grep -Eq "^lazy-mmu-lint: .* [0-9]+\.[0-9]+ s elapsed, [0-9]+\.[0-9]+ s CPU$" out.err &&
	! grep -q lazy-mmu-lint out
'

test_expect_success 'no rule token in the touched file: spatch is not run' '
	lint 0 out --tree-api=partial --stats "$L/no-lazy-mmu.patch" &&
	test ! -s out &&
	grep -q "spatch 0 rules run, [1-9][0-9]* skipped (no file to match), 0 runs" out.err
'

test_expect_success 'a new file: all its findings are the patch'"'"'s' '
	printf "%s\n" "diff --git a/mm/lazy_demo.c b/mm/lazy_demo.c" \
		"new file mode 100644" "--- /dev/null" "+++ b/mm/lazy_demo.c" \
		"@@ -0,0 +1,9 @@" "+void demo_batch(int x)" "+{" \
		"+	arch_enter_lazy_mmu_mode();" "+	if (x)" "+		return;" \
		"+	arch_leave_lazy_mmu_mode();" "+	lazy_mmu_mode_enable();" \
		"+	lazy_mmu_mode_disable();" "+}" >new.patch &&
	lint 1 out new.patch &&
	grep -q "^mm/lazy_demo.c:5:3: warning: .*\[lazy-mmu-unbalanced-return\]$" out &&
	grep -q "^mm/lazy_demo.c:7:2: error: lazy_mmu_mode_enable() is not in this tree" out &&
	grep -q "^mm/lazy_demo.c:8:2: error: lazy_mmu_mode_disable() is not in this tree" out &&
	test "$(grep -c ": \(warning\|error\): " out)" = 3 &&
	test ! -e "$K/mm/lazy_demo.c"
'

test_expect_success 'a pure rename adds nothing and runs no spatch' '
	printf "%s\n" "diff --git a/mm/mremap.c b/mm/mremap2.c" "similarity index 100%" \
		"rename from mm/mremap.c" "rename to mm/mremap2.c" >rename.patch &&
	lint 0 out --tree-api=partial --stats rename.patch &&
	test ! -s out &&
	grep -q "1 C file analysed (mm/mremap2.c)" out.err &&
	grep -q "spatch 0 rules run" out.err
'

test_expect_success 'the tree was never written to' '
	sums >"$TRASH/sums.after" &&
	test_cmp "$TRASH/sums.before" "$TRASH/sums.after"
'

test_done
