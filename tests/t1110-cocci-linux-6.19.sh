#!/bin/sh
# cocci/lazy_mmu_callers.cocci on Linux v6.19 (the base of upstream's v6
# series; ../shared/kernels/linux-6.19-trimmed.tar.xz): one spatch run
# over mm/ fs/ arch/ must convert the 57 call sites exactly as upstream's
# patch 07 did (checked against Linux 7.2, where every one of them is
# converted the same way), keep Xen's flush idiom and context switch, say
# so, and a second run must change nothing.
#
# The table below was made by reading the 6.19 code against upstream's
# v6 patch 07 and the 7.2 tree (docs/conversion.md has the per-patch
# mapping); it is not produced by the rule.  Columns: file, original
# line, enclosing function, what the call must be after the conversion
# (keep-flush/keep-split: the arch call stays and is reported with that
# tag).  What 6.19 does not have: arm64's callers, kasan's callbacks
# (pause/resume), vmalloc, userfaultfd, migrate_device's two mid-function
# exits, madvise's relock paths.
. "$(dirname "$0")/lib-tap.sh"

cat >"$TRASH/table" <<'EOF'
arch/arm64/mm/mmu.c 803 split_kernel_leaf_mapping enable
arch/arm64/mm/mmu.c 825 split_kernel_leaf_mapping disable
arch/arm64/mm/mmu.c 886 range_split_to_ptes enable
arch/arm64/mm/mmu.c 889 range_split_to_ptes disable
arch/arm64/mm/pageattr.c 113 update_range_prot enable
arch/arm64/mm/pageattr.c 122 update_range_prot disable
arch/powerpc/mm/book3s64/hash_tlb.c 208 __flush_hash_table_range enable
arch/powerpc/mm/book3s64/hash_tlb.c 220 __flush_hash_table_range disable
arch/powerpc/mm/book3s64/hash_tlb.c 240 flush_hash_table_pmd_range enable
arch/powerpc/mm/book3s64/hash_tlb.c 252 flush_hash_table_pmd_range disable
arch/powerpc/mm/book3s64/subpage_prot.c 76 hpte_flush_range enable
arch/powerpc/mm/book3s64/subpage_prot.c 82 hpte_flush_range disable
fs/proc/task_mmu.c 2754 pagemap_scan_pmd_entry enable
fs/proc/task_mmu.c 2824 pagemap_scan_pmd_entry disable
mm/kasan/shadow.c 308 kasan_populate_vmalloc_pte pause
mm/kasan/shadow.c 322 kasan_populate_vmalloc_pte resume
mm/kasan/shadow.c 474 kasan_depopulate_vmalloc_pte pause
mm/kasan/shadow.c 486 kasan_depopulate_vmalloc_pte resume
mm/madvise.c 456 madvise_cold_or_pageout_pte_range enable
mm/madvise.c 464 madvise_cold_or_pageout_pte_range disable
mm/madvise.c 500 madvise_cold_or_pageout_pte_range disable
mm/madvise.c 511 madvise_cold_or_pageout_pte_range enable
mm/madvise.c 559 madvise_cold_or_pageout_pte_range disable
mm/madvise.c 678 madvise_free_pte_range enable
mm/madvise.c 727 madvise_free_pte_range disable
mm/madvise.c 738 madvise_free_pte_range enable
mm/madvise.c 778 madvise_free_pte_range disable
mm/memory.c 1259 copy_pte_range enable
mm/memory.c 1328 copy_pte_range disable
mm/memory.c 1849 zap_pte_range enable
mm/memory.c 1881 zap_pte_range disable
mm/memory.c 2819 remap_pte_range enable
mm/memory.c 2829 remap_pte_range disable
mm/memory.c 3180 apply_to_pte_range enable
mm/memory.c 3193 apply_to_pte_range disable
mm/migrate_device.c 274 migrate_vma_collect_pmd enable
mm/migrate_device.c 316 migrate_vma_collect_pmd disable
mm/migrate_device.c 359 migrate_vma_collect_pmd disable
mm/migrate_device.c 488 migrate_vma_collect_pmd disable
mm/mprotect.c 236 change_pte_range enable
mm/mprotect.c 382 change_pte_range disable
mm/mremap.c 263 move_ptes enable
mm/mremap.c 308 move_ptes disable
mm/userfaultfd.c 1106 move_present_ptes enable
mm/userfaultfd.c 1143 move_present_ptes disable
mm/vmalloc.c 111 vmap_pte_range enable
mm/vmalloc.c 137 vmap_pte_range disable
mm/vmalloc.c 369 vunmap_pte_range enable
mm/vmalloc.c 388 vunmap_pte_range disable
mm/vmalloc.c 536 vmap_pages_pte_range enable
mm/vmalloc.c 558 vmap_pages_pte_range disable
mm/vmscan.c 3519 walk_pte_range enable
mm/vmscan.c 3560 walk_pte_range disable
mm/vmscan.c 3601 walk_pmd_range_locked enable
mm/vmscan.c 3648 walk_pmd_range_locked disable
mm/vmscan.c 4247 lru_gen_look_around enable
mm/vmscan.c 4281 lru_gen_look_around disable
arch/x86/xen/mmu_pv.c 2143 xen_flush_lazy_mmu keep-flush
arch/x86/xen/mmu_pv.c 2144 xen_flush_lazy_mmu keep-flush
arch/x86/xen/enlighten_pv.c 428 xen_start_context_switch keep-split
arch/x86/xen/enlighten_pv.c 441 xen_end_context_switch keep-split
EOF

# What may still name the hooks after the conversion, besides the four
# kept calls: the callback definitions and declarations, and a comment.
cat >"$TRASH/residual-expected" <<'EOF'
arch/arm64/include/asm/pgtable.h:113
arch/arm64/include/asm/pgtable.h:84
arch/arm64/include/asm/pgtable.h:92
arch/powerpc/include/asm/book3s/64/tlbflush-hash.h:29
arch/powerpc/include/asm/book3s/64/tlbflush-hash.h:44
arch/powerpc/kernel/process.c:1375
arch/sparc/include/asm/tlbflush_64.h:45
arch/sparc/include/asm/tlbflush_64.h:46
arch/sparc/mm/tlb.c:53
arch/sparc/mm/tlb.c:62
arch/x86/include/asm/paravirt.h:530
arch/x86/include/asm/paravirt.h:535
arch/x86/xen/enlighten_pv.c:428
arch/x86/xen/enlighten_pv.c:441
arch/x86/xen/mmu_pv.c:2143
arch/x86/xen/mmu_pv.c:2144
EOF

. "$TESTS/lib-cocci-tree.sh"
callers_tree_tests 6.19 61 14 57 arch/x86/xen/mmu_pv.c:2143 arch/x86/xen/enlighten_pv.c:428
test_done
