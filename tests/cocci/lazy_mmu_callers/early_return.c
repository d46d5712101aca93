// SPDX-License-Identifier: GPL-2.0-only
/*
 * Several leaves on early-return paths (fs/proc/task_mmu.c shape): every
 * one of them closes the section the function opened.
 */

static int demo_scan_pmd(pmd_t *pmd, unsigned long start, unsigned long end,
			 struct mm_walk *walk)
{
	struct demo_private *p = walk->private;
	pte_t *pte, *start_pte;
	spinlock_t *ptl;
	int ret;

	arch_enter_lazy_mmu_mode();

	ret = demo_scan_huge(pmd, start, end, walk);
	if (ret != -ENOENT) {
		arch_leave_lazy_mmu_mode();
		return ret;
	}

	start_pte = pte = pte_offset_map_lock(walk->mm, pmd, start, &ptl);
	if (!pte) {
		arch_leave_lazy_mmu_mode();
		walk->action = ACTION_AGAIN;
		return 0;
	}

	for (; start != end; pte++, start += PAGE_SIZE) {
		ret = demo_scan_one(p, pte, start);
		if (ret)
			break;
	}

	pte_unmap_unlock(start_pte, ptl);
	arch_leave_lazy_mmu_mode();

	cond_resched();
	return ret;
}

/* A return inside the section that forgets to leave is converted as is. */
static int demo_forgets(struct mm_struct *mm, int flags)
{
	arch_enter_lazy_mmu_mode();
	if (flags & DEMO_BAIL)
		return -EINVAL;
	demo_update(mm);
	arch_leave_lazy_mmu_mode();
	return 0;
}
