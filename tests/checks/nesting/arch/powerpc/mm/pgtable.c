// SPDX-License-Identifier: GPL-2.0
/*
 * This arch's set_ptes() batches its own writes: a section of its own,
 * inside any section of a caller that writes PTEs (the late-2023 bug).
 */
#include <linux/pgtable.h>

void set_ptes(struct mm_struct *mm, unsigned long addr, pte_t *ptep,
	      pte_t pte, unsigned int nr)
{
	pte = hpte_filter(pte, addr);
	arch_enter_lazy_mmu_mode();
	while (nr--) {
		hpte_set_one(mm, addr, ptep++, pte);
		addr += PAGE_SIZE;
		pte = pte_advance_pfn(pte, 1);
	}
	arch_leave_lazy_mmu_mode();
}
