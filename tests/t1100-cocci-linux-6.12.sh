#!/bin/sh
# cocci/lazy_mmu_callers.cocci on the real Linux 6.12 tree (Debian
# linux-source-6.12): one spatch run over mm/ fs/ arch/ must convert the 39
# generic and powerpc call sites, keep Xen's flush idiom and context switch,
# say so, and a second run must change nothing.
#
# The table below was made by reading the 6.12 code against
# docs/api.md ("Conversion rules"); it is not produced by the
# rule.  Columns: file, original line, enclosing function, what the call
# must be after the conversion (keep-flush/keep-split: the arch call stays
# and is reported with that tag).
. "$(dirname "$0")/lib-tap.sh"

sp=$TOP/cocci/lazy_mmu_callers.cocci

cat >"$TRASH/table" <<'EOF'
mm/mremap.c 188 move_ptes enable
mm/mremap.c 225 move_ptes disable
mm/vmscan.c 3419 walk_pte_range enable
mm/vmscan.c 3456 walk_pte_range disable
mm/vmscan.c 3495 walk_pmd_range_locked enable
mm/vmscan.c 3539 walk_pmd_range_locked disable
mm/vmscan.c 4121 lru_gen_look_around enable
mm/vmscan.c 4164 lru_gen_look_around disable
mm/migrate_device.c 106 migrate_vma_collect_pmd enable
mm/migrate_device.c 277 migrate_vma_collect_pmd disable
mm/memory.c 1123 copy_pte_range enable
mm/memory.c 1192 copy_pte_range disable
mm/memory.c 1603 zap_pte_range enable
mm/memory.c 1682 zap_pte_range disable
mm/memory.c 2555 remap_pte_range enable
mm/memory.c 2565 remap_pte_range disable
mm/memory.c 2811 apply_to_pte_range enable
mm/memory.c 2824 apply_to_pte_range disable
mm/madvise.c 444 madvise_cold_or_pageout_pte_range enable
mm/madvise.c 452 madvise_cold_or_pageout_pte_range disable
mm/madvise.c 494 madvise_cold_or_pageout_pte_range disable
mm/madvise.c 505 madvise_cold_or_pageout_pte_range enable
mm/madvise.c 554 madvise_cold_or_pageout_pte_range disable
mm/madvise.c 675 madvise_free_pte_range enable
mm/madvise.c 729 madvise_free_pte_range disable
mm/madvise.c 740 madvise_free_pte_range enable
mm/madvise.c 785 madvise_free_pte_range disable
mm/mprotect.c 109 change_pte_range enable
mm/mprotect.c 290 change_pte_range disable
fs/proc/task_mmu.c 2504 pagemap_scan_pmd_entry enable
fs/proc/task_mmu.c 2508 pagemap_scan_pmd_entry disable
fs/proc/task_mmu.c 2515 pagemap_scan_pmd_entry disable
fs/proc/task_mmu.c 2589 pagemap_scan_pmd_entry disable
arch/powerpc/mm/book3s64/hash_tlb.c 208 __flush_hash_table_range enable
arch/powerpc/mm/book3s64/hash_tlb.c 220 __flush_hash_table_range disable
arch/powerpc/mm/book3s64/hash_tlb.c 240 flush_hash_table_pmd_range enable
arch/powerpc/mm/book3s64/hash_tlb.c 252 flush_hash_table_pmd_range disable
arch/powerpc/mm/book3s64/subpage_prot.c 76 hpte_flush_range enable
arch/powerpc/mm/book3s64/subpage_prot.c 82 hpte_flush_range disable
arch/x86/xen/mmu_pv.c 2145 xen_flush_lazy_mmu keep-flush
arch/x86/xen/mmu_pv.c 2146 xen_flush_lazy_mmu keep-flush
arch/x86/xen/enlighten_pv.c 428 xen_start_context_switch keep-split
arch/x86/xen/enlighten_pv.c 441 xen_end_context_switch keep-split
EOF

# What may still name the hooks after the conversion, besides the four
# kept calls: the callback definitions and declarations, and a comment.
cat >"$TRASH/residual-expected" <<'EOF'
arch/powerpc/include/asm/book3s/64/tlbflush-hash.h:29
arch/powerpc/include/asm/book3s/64/tlbflush-hash.h:44
arch/powerpc/kernel/process.c:1376
arch/sparc/include/asm/tlbflush_64.h:45
arch/sparc/include/asm/tlbflush_64.h:46
arch/sparc/mm/tlb.c:53
arch/sparc/mm/tlb.c:62
arch/x86/include/asm/paravirt.h:557
arch/x86/include/asm/paravirt.h:562
arch/x86/xen/enlighten_pv.c:428
arch/x86/xen/enlighten_pv.c:441
arch/x86/xen/mmu_pv.c:2145
arch/x86/xen/mmu_pv.c:2146
EOF

require_cmd 'lazy_mmu_callers.cocci on Linux 6.12' spatch
require_kernel_tree repo --git 6.12

spatch_failed() {
	grep -E '^EXN:|Python failure|Fatal error|timeout' "$1"
}

# A git work tree with mm/ fs/ arch/ (and the top-level files) of the
# pristine tree: sparse, so that cloning takes seconds.
test_expect_success 'sparse clone of the 6.12 tree (mm fs arch)' '
	git clone -q --shared --no-checkout "$repo" linux &&
	git -C linux sparse-checkout set --cone mm fs arch &&
	git -C linux checkout -q &&
	test -f linux/mm/madvise.c
'

test_expect_success 'the table covers every legacy enter/leave call of 6.12' '
	(cd linux && git grep -nwE "arch_(enter|leave)_lazy_mmu_mode" -- mm fs arch) |
		grep -E "^[^:]+:[0-9]+:[[:space:]]+arch_(enter|leave)_lazy_mmu_mode\(\);" |
		cut -d: -f1,2 | sort >calls &&
	awk "{ print \$1 \":\" \$2 }" table | sort >table-sites &&
	test "$(wc -l <calls)" -eq 43 &&
	diff -u table-sites calls
'

test_expect_success 'every table row names the function the call is in' '
	while read -r file line fn what; do
		got=$(head -n "$line" "linux/$file" |
			grep -E "^[A-Za-z_].*\(" | grep -v ";" | tail -n 1)
		case "$got" in
		*"$fn("*) ;;
		*) echo "$file:$line: expected $fn, found: $got"; exit 1 ;;
		esac
	done <table
'

# Report mode, before converting: one line per call, saying what it
# becomes or why it stays.
test_expect_success 'report mode lists all 43 calls with their fate' '
	(cd linux &&
	 spatch --very-quiet --no-show-diff -D report --no-includes \
		--include-headers -j 2 --sp-file "$sp" --dir . \
		>../report 2>../report.err) &&
	! spatch_failed report.err &&
	test "$(wc -l <report)" -eq 43 &&
	while read -r file line fn what; do
		case $what in
		keep-flush) want="kept (flush idiom): arch_" ;;
		keep-split) want="kept (split across functions): arch_" ;;
		*) want="WARNING: legacy arch_.*: use lazy_mmu_mode_$what()" ;;
		esac
		grep -q "^\./$file:$line:[0-9]*-[0-9]*: $want" report ||
		{ echo "$file:$line: no \"$want\" line"; exit 1; }
	done <table
'

test_expect_success 'one patch run over mm/ fs/ arch/ converts in place' '
	(cd linux &&
	 spatch --very-quiet -D patch --no-includes --include-headers -j 2 \
		--sp-file "$sp" --in-place --dir . >../patch.out 2>../patch.err) &&
	cat patch.err &&
	! spatch_failed patch.err
'

test_expect_success 'each call site became what the table says' '
	while read -r file line fn what; do
		text=$(sed -n "${line}p" "linux/$file")
		case $what in
		keep-*) want="arch_(enter|leave)_lazy_mmu_mode\(\);" ;;
		*) want="^[[:space:]]*lazy_mmu_mode_$what\(\);\$" ;;
		esac
		echo "$text" | grep -Eq "$want" ||
		{ echo "$file:$line ($fn): want $what, got: $text"; exit 1; }
	done <table
'

test_expect_success 'nothing else changed (39 lines in 9 files)' '
	git -C linux diff --numstat >numstat &&
	cat numstat &&
	test "$(wc -l <numstat)" -eq 9 &&
	awk "{ a += \$1; d += \$2 } END { exit !(a == 39 && d == 39) }" numstat
'

test_expect_success 'patch mode listed the four kept calls on stderr' '
	grep ": kept (" patch.err | sed "s/:[0-9]*-[0-9]*: .*//; s|^\./||" |
		sort >kept &&
	grep keep- table | awk "{ print \$1 \":\" \$2 }" | sort >kept-expected &&
	diff -u kept-expected kept &&
	grep -q "^\./arch/x86/xen/mmu_pv.c:2145:[0-9]*-[0-9]*: kept (flush idiom)" patch.err &&
	grep -q "^\./arch/x86/xen/enlighten_pv.c:428:[0-9]*-[0-9]*: kept (split across functions)" patch.err
'

# A function that fails to parse is skipped without a word, so the real
# proof is what still names the hooks.
test_expect_success 'no unexpected legacy name remains' '
	(cd linux && git grep -nwE "arch_(enter|leave)_lazy_mmu_mode" -- mm fs arch) |
		cut -d: -f1,2 | sort >residual &&
	sort residual-expected >residual-sorted &&
	diff -u residual-sorted residual
'

test_expect_success 'a second run changes nothing' '
	(cd linux &&
	 spatch --very-quiet -D patch --no-includes --include-headers -j 2 \
		--sp-file "$sp" --dir . >../second.diff 2>../second.err) &&
	! spatch_failed second.err &&
	test ! -s second.diff &&
	git -C linux diff --numstat >numstat2 &&
	cmp numstat numstat2
'

test_done
