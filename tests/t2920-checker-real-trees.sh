#!/bin/sh
# lazy-mmu-check across functions on the other real trees: the whole of
# Linux 6.1, 6.19 and 7.x, compared with the verdict tables of
# docs/checks.md ("On real trees"), and mutations of 6.19 and 7.x that
# reproduce real lazy MMU bugs (docs/checks.md, "Real bugs it finds"):
# each must be reported, at the line that causes it, with the chain.
# Mutations are made in sparse clones (mm, include and four arches).
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

verdicts() {
	python3 "$TOP/tests/checks/verdicts.py" "$TOP/docs/checks.md" "$@"
}

# sparse_clone DIR VERSION: a clone of the tree with what the chains need.
sparse_clone() {
	git clone -q --shared --no-checkout "$(kernel_tree --git "$2")" "$1" &&
	git -C "$1" sparse-checkout set --cone mm include kernel arch/powerpc arch/x86 \
		arch/arm64 arch/sparc &&
	git -C "$1" checkout -q
}

# edit FILE PYTHON: change FILE in place; fails when it did not change.
edit() {
	python3 - "$1" "$2" <<-\PY
	import sys
	path, code = sys.argv[1], sys.argv[2]
	old = open(path).read()
	env = {"s": old}
	exec(code, env)
	if env["s"] == old:
	    raise SystemExit("%s: the edit changed nothing" % path)
	open(path, "w").write(env["s"])
	PY
}

# mutated CLONE STATUS FILE PYTHON: edit FILE of CLONE, run the checker on
# the whole clone into 'out' (its exit status must be STATUS), restore
# the clone whatever happened.
mutated() {
	_clone=$1 _want=$2 _file=$3
	rm -f out w &&
	edit "$_clone/$_file" "$4" &&
	{ (cd "$_clone" && lazy-mmu-check .) >out; test $? -eq "$_want"; }
	_st=$?
	git -C "$_clone" checkout -q . && return $_st
}

require_kernel_tree t61 6.1
require_kernel_tree t619 6.19
require_kernel_tree t7 7
require_kernel_tree t612 6.12

test_expect_success 'Linux 6.1: the legacy calls, and the findings docs/checks.md judges' '
	{ (cd "$t61" && lazy-mmu-check .) >61.out; test $? -eq 1; } &&
	! grep lazy-mmu-parse 61.out &&
	verdicts 6.1 61.out --legacy-calls 30
'

test_expect_success 'Linux 6.19: the legacy calls, and the findings docs/checks.md judges' '
	{ (cd "$t619" && lazy-mmu-check .) >619.out; test $? -eq 1; } &&
	! grep lazy-mmu-parse 619.out &&
	verdicts 6.19 619.out --legacy-calls 57
'

test_expect_success 'Linux 7.x (post-series): the whole tree is silent' '
	(cd "$t7" && lazy-mmu-check .) >7.out 2>7.err &&
	test ! -s 7.out && test ! -s 7.err &&
	verdicts 7.x 7.out --legacy-calls 0
'

test_expect_success 'the answer does not depend on the working directory' '
	(cd "$t612/arch/x86/xen" && lazy-mmu-check enlighten_pv.c) >xen-here.out &&
	(cd "$t612" && lazy-mmu-check arch/x86/xen/enlighten_pv.c) >xen-top.out &&
	test ! -s xen-here.out && test ! -s xen-top.out &&
	{ (cd "$t612/mm" && lazy-mmu-check madvise.c) >mm-here.out; test $? -eq 1; } &&
	{ (cd "$t612" && lazy-mmu-check mm/madvise.c) >mm-top.out; test $? -eq 1; } &&
	sed "s|^mm/||" mm-top.out >mm-top-rel.out &&
	test -s mm-here.out && cmp mm-here.out mm-top-rel.out
'

test_expect_success '6.19 and 7.x: sparse clones to mutate' '
	sparse_clone m619 6.19 && sparse_clone m7 7 &&
	{ (cd m619 && lazy-mmu-check .) >m619.out; test $? -eq 1; } &&
	(cd m7 && lazy-mmu-check .) >m7.out && test ! -s m7.out
'

test_expect_success '6.19, final disable of flush_hash_table_pmd_range() deleted: reported with the chain' '
	mutated m619 1 arch/powerpc/mm/book3s64/hash_tlb.c "
s = s.replace(\"out:\n\tarch_leave_lazy_mmu_mode();\n\", \"out:\n\")" &&
	grep -A3 "^\./arch/powerpc/include/asm/book3s/64/pgtable.h:[0-9]*:[0-9]*: warning: returning with a lazy MMU section still open \[lazy-mmu-unbalanced-return\]" out >w &&
	grep -q "note: lazy MMU section opened here by hash__pmdp_collapse_flush()" w &&
	grep -q "hash_pgtable.c:[0-9]*:[0-9]*: note: hash__pmdp_collapse_flush() opens it here, by a call of flush_hash_table_pmd_range()" w &&
	grep -q "hash_tlb.c:240:2: note: flush_hash_table_pmd_range() opens it here" w
'

test_expect_success '6.19, resume of kasan_depopulate_vmalloc_pte() deleted: never closed, at its end' '
	mutated m619 1 mm/kasan/shadow.c "
s = s.replace(\"__free_page(pfn_to_page(pte_pfn(pte)));\n\n\tarch_enter_lazy_mmu_mode();\n\", \"__free_page(pfn_to_page(pte_pfn(pte)));\n\n\")" &&
	grep -A3 "^\./mm/kasan/shadow.c:[0-9]*:1: warning: reaching the end of the function having closed the lazy MMU section it runs inside: apply_to_pte_range() never reopens it \[lazy-mmu-never-closed\]" out >w &&
	grep -q "shadow.c:474:2: note: the section it runs inside is closed here" w &&
	grep -q "note: kasan_depopulate_vmalloc_pte() is passed to apply_to_existing_page_range() here" w
'

test_expect_success '6.19, powerpc set_ptes() with a section of its own: nesting under remap_pte_range()' '
	mutated m619 1 arch/powerpc/mm/pgtable.c "
s = s.replace(\"\tpte = set_pte_filter(pte, addr);\n\", \"\tpte = set_pte_filter(pte, addr);\n\tarch_enter_lazy_mmu_mode();\n\", 1)
s = s.replace(\"\t\tpte = pte_next_pfn(pte);\n\t}\n}\n\", \"\t\tpte = pte_next_pfn(pte);\n\t}\n\tarch_leave_lazy_mmu_mode();\n}\n\", 1)" &&
	grep -A3 "^\./mm/memory.c:2826:3: warning: set_pte_at() opens a lazy MMU section inside a legacy section: the legacy API does not nest \[lazy-mmu-legacy-nesting\]" out >w &&
	grep -q "include/linux/pgtable.h:303:[0-9]*: note: set_pte_at() calls set_ptes() here" w &&
	grep -q "arch/powerpc/mm/pgtable.c:[0-9]*:2: note: set_ptes() opens a legacy lazy MMU section here" w
'

test_expect_success '6.19, the generic set_ptes() with a section of its own: nesting through set_pte_at()' '
	mutated m619 1 include/linux/pgtable.h "
s = s.replace(\"\tpage_table_check_ptes_set(mm, ptep, pte, nr);\n\n\tfor (;;) {\n\t\tset_pte(ptep, pte);\n\t\tif (--nr == 0)\n\t\t\tbreak;\n\t\tptep++;\n\t\tpte = pte_next_pfn(pte);\n\t}\n\", \"\tpage_table_check_ptes_set(mm, ptep, pte, nr);\n\n\tarch_enter_lazy_mmu_mode();\n\tfor (;;) {\n\t\tset_pte(ptep, pte);\n\t\tif (--nr == 0)\n\t\t\tbreak;\n\t\tptep++;\n\t\tpte = pte_next_pfn(pte);\n\t}\n\tarch_leave_lazy_mmu_mode();\n\", 1)" &&
	grep -A3 "^\./mm/memory.c:2826:3: warning: set_pte_at() opens a lazy MMU section inside a legacy section" out >w &&
	grep -q "include/linux/pgtable.h:[0-9]*:[0-9]*: note: set_pte_at() calls set_ptes() here" w &&
	grep -q "include/linux/pgtable.h:[0-9]*:2: note: set_ptes() opens a legacy lazy MMU section here" w
'

test_expect_success '7.x, resume of kasan_depopulate_vmalloc_pte() deleted: never closed, at its end' '
	mutated m7 1 mm/kasan/shadow.c "
s = s.replace(\"__free_page(pfn_to_page(pte_pfn(pte)));\n\n\tlazy_mmu_mode_resume();\n\", \"__free_page(pfn_to_page(pte_pfn(pte)));\n\n\")" &&
	test $(grep -c ": warning: " out) -eq 1 &&
	grep -A1 "^\./mm/kasan/shadow.c:[0-9]*:1: warning: reaching the end of the function with lazy MMU mode still paused: apply_to_pte_range() runs it inside a section and never resumes it \[lazy-mmu-never-closed\]" out >w &&
	grep -q "shadow.c:474:2: note: lazy MMU mode paused here" w
'

test_expect_success '7.x, GFP_KERNEL in the apply_to_page_range() callback: sleeping, not while paused' '
	mutated m7 1 mm/kasan/shadow.c "
s = s.replace(\"\tint index;\n\n\tlazy_mmu_mode_pause();\n\n\tindex = PFN_DOWN\", \"\tint index;\n\tunsigned long spare = __get_free_page(GFP_KERNEL);\n\n\tlazy_mmu_mode_pause();\n\n\tindex = PFN_DOWN\", 1)" &&
	grep -A2 "^\./mm/kasan/shadow.c:307:[0-9]*: warning: __get_free_page() with GFP flags that allow direct reclaim may sleep while lazy MMU mode is active \[lazy-mmu-sleep-in-section\]" out >w &&
	grep -q "note: kasan_populate_vmalloc_pte() is passed to apply_to_page_range() here" w &&
	mutated m7 0 mm/kasan/shadow.c "
s = s.replace(\"\tlazy_mmu_mode_pause();\n\n\tindex = PFN_DOWN\", \"\tlazy_mmu_mode_pause();\n\n\tdata->spare = __get_free_page(GFP_KERNEL);\n\tindex = PFN_DOWN\", 1)" &&
	test ! -s out
'

test_done
