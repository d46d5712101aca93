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

. "$TESTS/lib-cocci-tree.sh"
callers_tree_tests 6.12 43 9 39 arch/x86/xen/mmu_pv.c:2145 arch/x86/xen/enlighten_pv.c:428
test_done
