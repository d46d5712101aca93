// SPDX-License-Identifier: GPL-2.0-only
/*
 * Owner sections: the function enters lazy MMU mode itself and leaves it
 * before returning (mm/mremap.c and powerpc hash_tlb.c shapes).
 */

static void demo_move_ptes(struct vm_area_struct *vma, pte_t *old_pte,
			   pte_t *new_pte, unsigned long addr, unsigned long end)
{
	pte_t pte;

	flush_tlb_batched_pending(vma->vm_mm);
	arch_enter_lazy_mmu_mode();

	for (; addr < end; old_pte++, new_pte++, addr += PAGE_SIZE) {
		if (pte_none(ptep_get(old_pte)))
			continue;
		pte = ptep_get_and_clear(vma->vm_mm, addr, old_pte);
		set_pte_at(vma->vm_mm, addr, new_pte, pte);
	}

	arch_leave_lazy_mmu_mode();
}

static void demo_flush_kernel_range(unsigned long start, unsigned long end)
{
	unsigned long flags;

	local_irq_save(flags);
	arch_enter_lazy_mmu_mode();
	for (; start < end; start += PAGE_SIZE)
		demo_flush_one(start);
	arch_leave_lazy_mmu_mode();
	local_irq_restore(flags);
}

/* Legacy nesting: each level is its own section with the new API. */
static void demo_nested(struct mm_struct *mm)
{
	arch_enter_lazy_mmu_mode();
	demo_update(mm);
	arch_enter_lazy_mmu_mode();
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
	arch_leave_lazy_mmu_mode();
}
