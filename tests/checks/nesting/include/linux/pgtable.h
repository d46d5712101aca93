/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Generic page-table helpers: set_ptes() unless the arch has its own,
 * and set_pte_at() as a macro over it.
 */
#ifndef _LINUX_PGTABLE_H
#define _LINUX_PGTABLE_H

#ifndef set_ptes
static inline void set_ptes(struct mm_struct *mm, unsigned long addr,
			    pte_t *ptep, pte_t pte, unsigned int nr)
{
	while (nr--) {
		set_pte(ptep++, pte);
		pte = pte_advance_pfn(pte, 1);
	}
}
#endif

#define set_pte_at(mm, addr, ptep, pte) set_ptes(mm, addr, ptep, pte, 1)

static inline void kernel_map_pages(struct page *page, int numpages, int enable)
{
	if (debug_pagealloc_enabled())
		__kernel_map_pages(page, numpages, enable);
}

#endif
