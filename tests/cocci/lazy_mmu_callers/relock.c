// SPDX-License-Identifier: GPL-2.0-only
/*
 * Relock inside an owned section: leave, drop the lock, do something that
 * may sleep, take the lock again and re-enter (mm/madvise.c split_folio()
 * shape).  The re-enter is skipped when the relock fails and the loop is
 * left with break; the final leave is then guarded by the pointer.  The
 * leave/enter in the middle stay disable/enable: the function owns the
 * section, so it must not become pause/resume.
 */

static int demo_split_range(struct mm_struct *mm, pmd_t *pmd,
			    unsigned long addr, unsigned long end)
{
	pte_t *start_pte, *pte;
	struct folio *folio;
	spinlock_t *ptl;
	int nr;

	start_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
	if (!start_pte)
		return 0;
	arch_enter_lazy_mmu_mode();
	for (; addr != end; pte += nr, addr += nr * PAGE_SIZE) {
		nr = 1;
		folio = demo_folio(mm, addr, pte);
		if (!folio)
			continue;
		if (folio_test_large(folio)) {
			int err;

			if (!folio_trylock(folio))
				continue;
			folio_get(folio);
			arch_leave_lazy_mmu_mode();
			pte_unmap_unlock(start_pte, ptl);
			start_pte = NULL;
			err = split_folio(folio);
			folio_unlock(folio);
			folio_put(folio);
			start_pte = pte = pte_offset_map_lock(mm, pmd, addr, &ptl);
			if (!start_pte)
				break;
			arch_enter_lazy_mmu_mode();
			if (!err)
				nr = 0;
			continue;
		}
		demo_mark_free(folio);
	}

	if (start_pte) {
		arch_leave_lazy_mmu_mode();
		pte_unmap_unlock(start_pte, ptl);
	}
	cond_resched();
	return 0;
}
