// SPDX-License-Identifier: GPL-2.0-only
/*
 * A section left in the middle of a loop to call something that may
 * sleep, after which the function either returns through a helper or
 * starts over from a label before the enter (mm/migrate_device.c shape of
 * later kernels).  No path re-enters right after the leave, so these are
 * disable calls, and the enter reached again after the jump is an enable.
 */

static int demo_collect_pmd(struct demo_walk *w, pmd_t *pmdp,
			    unsigned long start, unsigned long end)
{
	unsigned long addr = start;
	spinlock_t *ptl;
	pte_t *ptep;

again:
	ptep = pte_offset_map_lock(w->mm, pmdp, addr, &ptl);
	if (!ptep)
		return 0;
	arch_enter_lazy_mmu_mode();

	for (; addr < end; addr += PAGE_SIZE, ptep++) {
		struct folio *folio = demo_folio_at(w, ptep);

		if (folio && folio_test_large(folio)) {
			int ret;

			arch_leave_lazy_mmu_mode();
			pte_unmap_unlock(ptep, ptl);
			ret = demo_split_folio(folio);
			if (ret)
				return demo_collect_skip(w, addr, end);
			goto again;
		}
		demo_collect_one(w, addr, ptep);
	}

	arch_leave_lazy_mmu_mode();
	pte_unmap_unlock(ptep - 1, ptl);
	return 0;
}
