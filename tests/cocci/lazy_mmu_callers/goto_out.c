// SPDX-License-Identifier: GPL-2.0-only
/*
 * goto to a common exit label.  In the second function the label is also
 * reached before the section is opened, and the close is guarded by the
 * pointer that says whether it was (mm/madvise.c shape): the correlated
 * condition must not stop the conversion.
 */

static void demo_flush_pmd_range(struct mm_struct *mm, pmd_t *pmd,
				 unsigned long addr)
{
	pte_t *start_pte, *pte;
	unsigned long flags;

	local_irq_save(flags);
	arch_enter_lazy_mmu_mode();
	start_pte = pte_offset_map(pmd, addr);
	if (!start_pte)
		goto out;
	for (pte = start_pte; pte < start_pte + PTRS_PER_PTE; pte++) {
		demo_flush_pte(mm, addr, pte);
		addr += PAGE_SIZE;
	}
	pte_unmap(start_pte);
out:
	arch_leave_lazy_mmu_mode();
	local_irq_restore(flags);
}

static int demo_free_range(struct mm_struct *mm, pmd_t *pmd,
			   unsigned long addr, unsigned long end)
{
	pte_t *start_pte, *pte;
	spinlock_t *ptl;
	int err = 0;

	start_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!start_pte)
		goto out;
	arch_enter_lazy_mmu_mode();
	for (; addr != end; pte++, addr += PAGE_SIZE) {
		err = demo_free_one(mm, addr, pte);
		if (err)
			goto out;
	}
out:
	if (start_pte) {
		arch_leave_lazy_mmu_mode();
		pte_unmap_unlock(start_pte, ptl);
	}
	return err;
}
