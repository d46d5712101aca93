#!/bin/sh
# lazy-mmu-check on the whole Linux 6.12 tree (Debian linux-source-6.12):
# legacy-call diagnostics at exactly the 39 call sites that the conversion
# rules convert, and the three findings across functions that
# docs/checks.md judges (true problems: two kasan callbacks that unlock
# inside apply_to_pte_range()'s section, pagemap_scan_pmd_entry()'s section
# that may sleep).  After cocci/lazy_mmu_callers.cocci has converted the
# calls, only the findings that are not about the conversion are left.
#
# The table was made by reading the 6.12 code against docs/api.md
# ("Conversion rules", "What the checker enforces"), not by running the
# checker: file, line, what the call becomes.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

cat >"$TRASH/table" <<'EOF'
mm/mremap.c 188 enable
mm/mremap.c 225 disable
mm/vmscan.c 3419 enable
mm/vmscan.c 3456 disable
mm/vmscan.c 3495 enable
mm/vmscan.c 3539 disable
mm/vmscan.c 4121 enable
mm/vmscan.c 4164 disable
mm/migrate_device.c 106 enable
mm/migrate_device.c 277 disable
mm/memory.c 1123 enable
mm/memory.c 1192 disable
mm/memory.c 1603 enable
mm/memory.c 1682 disable
mm/memory.c 2555 enable
mm/memory.c 2565 disable
mm/memory.c 2811 enable
mm/memory.c 2824 disable
mm/madvise.c 444 enable
mm/madvise.c 452 disable
mm/madvise.c 494 disable
mm/madvise.c 505 enable
mm/madvise.c 554 disable
mm/madvise.c 675 enable
mm/madvise.c 729 disable
mm/madvise.c 740 enable
mm/madvise.c 785 disable
mm/mprotect.c 109 enable
mm/mprotect.c 290 disable
fs/proc/task_mmu.c 2504 enable
fs/proc/task_mmu.c 2508 disable
fs/proc/task_mmu.c 2515 disable
fs/proc/task_mmu.c 2589 disable
arch/powerpc/mm/book3s64/hash_tlb.c 208 enable
arch/powerpc/mm/book3s64/hash_tlb.c 220 disable
arch/powerpc/mm/book3s64/hash_tlb.c 240 enable
arch/powerpc/mm/book3s64/hash_tlb.c 252 disable
arch/powerpc/mm/book3s64/subpage_prot.c 76 enable
arch/powerpc/mm/book3s64/subpage_prot.c 82 disable
EOF

require_kernel_tree tree 6.12
require_kernel_tree repo --git 6.12

test_expect_success 'whole pristine tree: exit 1, the legacy calls and the findings docs/checks.md judges' '
	{ (cd "$tree" && lazy-mmu-check .) >pristine.out; test $? -eq 1; } &&
	! grep "lazy-mmu-parse" pristine.out &&
	python3 "$TOP/tests/checks/verdicts.py" "$TOP/docs/checks.md" 6.12 pristine.out \
		--legacy-calls 39
'

test_expect_success 'the 39 legacy-call warnings are exactly the converted call sites' '
	grep ": warning: .*\[lazy-mmu-legacy-call\]$" pristine.out | cut -d: -f1,2 | sed "s|^\./||" | sort >got &&
	awk "{ print \$1 \":\" \$2 }" table | sort >want &&
	diff -u want got
'

test_expect_success 'each warning says legacy and names the replacement the rules give' '
	while read -r file line what; do
		grep -q "^\./$file:$line:[0-9]*: warning: legacy arch_.*: use lazy_mmu_mode_$what() \[lazy-mmu-legacy-call\]$" pristine.out ||
		{ echo "$file:$line: no \"use lazy_mmu_mode_$what()\""; exit 1; }
	done <table
'

test_expect_success 'nothing at the kept Xen calls or the callback definitions' '
	! grep -E "^\./(arch/x86/xen/|arch/x86/include/|arch/sparc/|include/linux/pgtable.h|arch/powerpc/include/|arch/x86/mm/pat/)" pristine.out
'

test_expect_success 'JSON of mm fs arch has the 39 legacy calls and the kasan ones' '
	{ (cd "$tree" && lazy-mmu-check --format=json mm fs arch) >pristine.json; test $? -eq 1; } &&
	python3 - pristine.json <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import json, sys
	doc = json.load(open(sys.argv[1]))
	f = doc["findings"]
	calls = [x for x in f if x["id"] == "lazy-mmu-legacy-call"]
	other = sorted((x["file"], x["line"], x["id"]) for x in f if x not in calls)
	check(len(calls) == 39 and not doc["skipped"], len(calls))
	check(all("legacy" in x["message"] for x in calls))
	# without include/, the chain of task_mmu.c:2506 is not in the input
	check(other == [("mm/kasan/shadow.c", 321, "lazy-mmu-unlock-in-section"),
	                ("mm/kasan/shadow.c", 491, "lazy-mmu-unlock-in-section")], other)
	PY
'

require_cmd 'converted tree' spatch

test_expect_success 'sparse clone of mm fs arch, converted by lazy_mmu_callers.cocci' '
	git clone -q --shared --no-checkout "$repo" linux &&
	git -C linux sparse-checkout set --cone mm fs arch &&
	git -C linux checkout -q &&
	(cd linux &&
	 spatch --very-quiet -D patch --no-includes --include-headers -j 2 \
		--sp-file "$TOP/cocci/lazy_mmu_callers.cocci" --in-place --dir . \
		>../patch.out 2>../patch.err) &&
	git -C linux diff --name-only | sort >changed &&
	test $(wc -l <changed) -eq 9
'

test_expect_success 'converted files: no findings at all' '
	(cd linux && lazy-mmu-check $(cat ../changed)) >converted.out &&
	test ! -s converted.out
'

test_expect_success 'converted mm fs arch: only the kasan callbacks that unlock in the section' '
	{ (cd linux && lazy-mmu-check mm fs arch) >converted-all.out; test $? -eq 1; } &&
	grep ": warning: " converted-all.out | cut -d: -f1,2,5- >got &&
	cat >want <<-\EOF &&
	mm/kasan/shadow.c:321: spin_unlock() releases '"'"'init_mm.page_table_lock'"'"' inside a lazy MMU section, after page-table updates made under it: they may still be batched [lazy-mmu-unlock-in-section]
	mm/kasan/shadow.c:491: spin_unlock() releases '"'"'init_mm.page_table_lock'"'"' inside a lazy MMU section, after page-table updates made under it: they may still be batched [lazy-mmu-unlock-in-section]
	EOF
	diff -u want got
'

test_expect_success 'the converted files use the new API at every table site (not vacuous)' '
	while read -r file line what; do
		sed -n "${line}p" "linux/$file" | grep -q "lazy_mmu_mode_$what();" ||
		{ echo "$file:$line: not converted to $what"; exit 1; }
	done <table
'

test_expect_success 'a converted file with one close removed is reported again' '
	sed "554d" linux/mm/madvise.c >madvise-broken.c &&
	{ lazy-mmu-check madvise-broken.c >broken.out; test $? -eq 1; } &&
	grep -q "lazy-mmu-unbalanced-return" broken.out
'

test_done
