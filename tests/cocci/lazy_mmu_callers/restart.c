// SPDX-License-Identifier: GPL-2.0-only
/*
 * Restart loops: the section is left, the lock dropped, and the function
 * jumps back to a label before the enter (mm/madvise.c "goto restart" and
 * mm/memory.c "goto again" shapes).  Every enter, including the one reached
 * again after the jump, opens a section of this function.
 */

static int demo_cold_range(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr, unsigned long end)
{
	pte_t *start_pte, *pte;
	spinlock_t *ptl;
	int batch = 0;

restart:
	start_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!start_pte)
		return 0;
	arch_enter_lazy_mmu_mode();
	for (; addr < end; pte++, addr += PAGE_SIZE) {
		if (++batch == DEMO_BATCH) {
			batch = 0;
			if (need_resched()) {
				arch_leave_lazy_mmu_mode();
				pte_unmap_unlock(start_pte, ptl);
				cond_resched();
				goto restart;
			}
		}
		demo_age_pte(mm, addr, pte);
	}
	arch_leave_lazy_mmu_mode();
	pte_unmap_unlock(start_pte, ptl);
	return 0;
}

static int demo_copy_range(struct mm_struct *dst_mm, struct mm_struct *src_mm,
			   pmd_t *dst_pmd, pmd_t *src_pmd,
			   unsigned long addr, unsigned long end)
{
	struct folio *prealloc = NULL;
	pte_t *src_pte, *dst_pte;
	int ret;

again:
	ret = 0;
	dst_pte = demo_map(dst_mm, dst_pmd, addr);
	if (!dst_pte)
		return -ENOMEM;
	src_pte = demo_map(src_mm, src_pmd, addr);
	arch_enter_lazy_mmu_mode();
	do {
		ret = demo_copy_one(dst_pte, src_pte, addr, &prealloc);
		if (ret == -EAGAIN)
			break;
	} while (dst_pte++, src_pte++, addr += PAGE_SIZE, addr != end);
	arch_leave_lazy_mmu_mode();
	demo_unmap(src_pte);
	demo_unmap(dst_pte);

	if (ret == -EAGAIN) {
		prealloc = demo_alloc_folio();
		if (!prealloc)
			return -ENOMEM;
		goto again;
	}
	if (addr != end)
		goto again;
	return 0;
}
