// SPDX-License-Identifier: GPL-2.0-only
/*
 * Callee sections: apply_to_page_range() callbacks run inside the section
 * of their caller and leave it for a while to take a lock or allocate
 * (mm/kasan/shadow.c shape, 6.15 and later).  Their first call on every
 * path is a leave, and an enter follows on every path: pause/resume.
 */

static int demo_populate_pte(pte_t *ptep, unsigned long addr, void *unused)
{
	struct page *page;
	pte_t pte;

	if (likely(!pte_none(ptep_get(ptep))))
		return 0;

	arch_leave_lazy_mmu_mode();
	page = alloc_page(GFP_KERNEL);
	if (!page) {
		arch_enter_lazy_mmu_mode();
		return -ENOMEM;
	}

	pte = pfn_pte(page_to_pfn(page), PAGE_KERNEL);
	spin_lock(&init_mm.page_table_lock);
	if (likely(pte_none(ptep_get(ptep)))) {
		set_pte_at(&init_mm, addr, ptep, pte);
		page = NULL;
	}
	spin_unlock(&init_mm.page_table_lock);
	if (page)
		__free_page(page);
	arch_enter_lazy_mmu_mode();
	return 0;
}

static int demo_depopulate_pte(pte_t *ptep, unsigned long addr, void *unused)
{
	unsigned long page;

	page = (unsigned long)__va(pte_pfn(ptep_get(ptep)) << PAGE_SHIFT);

	arch_leave_lazy_mmu_mode();
	spin_lock(&init_mm.page_table_lock);
	if (likely(!pte_none(ptep_get(ptep)))) {
		pte_clear(&init_mm, addr, ptep);
		free_page(page);
	}
	spin_unlock(&init_mm.page_table_lock);
	arch_enter_lazy_mmu_mode();

	return 0;
}

/* The pause can happen more than once in the same callback. */
static void demo_callee_loop(struct demo_batch *b)
{
	int i;

	for (i = 0; i < b->nr; i++) {
		if (!demo_needs_lock(b, i))
			continue;
		arch_leave_lazy_mmu_mode();
		demo_lock_and_update(b, i);
		arch_enter_lazy_mmu_mode();
	}
}
