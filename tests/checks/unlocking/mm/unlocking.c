// SPDX-License-Identifier: GPL-2.0
/*
 * A lock released inside an active section after page-table updates made
 * under it: the updates may still sit in the batch when another CPU takes
 * the lock.  In the section's own function, in a callback that runs
 * inside a section, and in a function called inside one.  Every correct
 * caller closes (or pauses) first.
 *
 * check-command: lazy-mmu-check -Wno-legacy-call unlocking
 */
#include <linux/spinlock.h>

static void bad_unlock_in_section(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl);

	lazy_mmu_mode_enable();
	ptep_set_wrprotect(mm, addr, pte);
	pte_unmap_unlock(pte, ptl);
	lazy_mmu_mode_disable();
}

static void good_unlock_after_close(struct mm_struct *mm, pmd_t *pmd, unsigned long addr)
{
	spinlock_t *ptl;
	pte_t *pte = pte_offset_map_lock(mm, pmd, addr, &ptl);

	lazy_mmu_mode_enable();
	ptep_set_wrprotect(mm, addr, pte);
	lazy_mmu_mode_disable();
	pte_unmap_unlock(pte, ptl);
}

static void good_no_update_under_lock(struct pt_stats *st, pte_t *pte, unsigned long addr)
{
	lazy_mmu_mode_enable();
	spin_lock(&st->lock);
	st->seen++;
	spin_unlock(&st->lock);
	set_pte(pte, pte_mkclean(ptep_get(pte)));
	lazy_mmu_mode_disable();
}

static int walk_range(pte_t *pte, unsigned long addr, unsigned long end,
		      pte_fn_t fn, void *data)
{
	int err = 0;

	arch_enter_lazy_mmu_mode();
	for (; addr != end; pte++, addr += PAGE_SIZE) {
		err = fn(pte, addr, data);
		if (err)
			break;
	}
	arch_leave_lazy_mmu_mode();
	return err;
}

int walk_kernel_range(unsigned long addr, unsigned long size, pte_fn_t fn, void *data)
{
	return walk_range(walk_to_pte(&init_mm, addr), addr, addr + size, fn, data);
}

/* kasan's callbacks before the 2025 fix */
static int bad_install_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct shadow_pages *sp = data;

	spin_lock(&init_mm.page_table_lock);
	if (pte_none(ptep_get(ptep)))
		set_pte_at(&init_mm, addr, ptep, mk_pte(sp->page[sp->i++], PAGE_KERNEL));
	spin_unlock(&init_mm.page_table_lock);
	return 0;
}

/* and after it: out of the mode around the locked update */
static int good_install_pte(pte_t *ptep, unsigned long addr, void *data)
{
	struct shadow_pages *sp = data;

	arch_leave_lazy_mmu_mode();
	spin_lock(&init_mm.page_table_lock);
	if (pte_none(ptep_get(ptep)))
		set_pte_at(&init_mm, addr, ptep, mk_pte(sp->page[sp->i++], PAGE_KERNEL));
	spin_unlock(&init_mm.page_table_lock);
	arch_enter_lazy_mmu_mode();
	return 0;
}

int install_shadow(unsigned long addr, unsigned long size, struct shadow_pages *sp)
{
	int err = walk_kernel_range(addr, size, bad_install_pte, sp);

	return err ?: walk_kernel_range(addr, size, good_install_pte, sp);
}

static void clear_one_locked(struct mm_struct *mm, pte_t *pte, unsigned long addr)
{
	spin_lock(&mm->page_table_lock);
	pte_clear(mm, addr, pte);
	spin_unlock(&mm->page_table_lock);
}

/* a callee that locks, updates and unlocks, called in the section */
static void bad_callee_unlocks(struct mm_struct *mm, pte_t *pte, unsigned long addr, int nr)
{
	lazy_mmu_mode_enable();
	while (nr--) {
		clear_one_locked(mm, pte++, addr);
		addr += PAGE_SIZE;
	}
	lazy_mmu_mode_disable();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
unlocking/mm/unlocking.c:20:2: warning: pte_unmap_unlock() releases 'ptl' inside a lazy MMU section, after page-table updates made under it: they may still be batched [lazy-mmu-unlock-in-section]
unlocking/mm/unlocking.c:18:2: note: lazy MMU section opened here
unlocking/mm/unlocking.c:16:15: note: 'ptl' taken here
unlocking/mm/unlocking.c:19:2: note: page table updated here, under that lock
unlocking/mm/unlocking.c:73:2: warning: spin_unlock() releases 'init_mm.page_table_lock' inside a lazy MMU section, after page-table updates made under it: they may still be batched [lazy-mmu-unlock-in-section]
unlocking/mm/unlocking.c:93:12: note: bad_install_pte() is passed to walk_kernel_range() here, which calls it inside a lazy MMU section
unlocking/mm/unlocking.c:62:9: note: walk_kernel_range() passes 'fn' to walk_range() here
unlocking/mm/unlocking.c:50:2: note: legacy lazy MMU section opened here
unlocking/mm/unlocking.c:52:9: note: walk_range() calls 'fn' here
unlocking/mm/unlocking.c:70:2: note: 'init_mm.page_table_lock' taken here
unlocking/mm/unlocking.c:72:3: note: page table updated here, under that lock
unlocking/mm/unlocking.c:110:3: warning: clear_one_locked() releases a lock inside a lazy MMU section, after page-table updates made under it: they may still be batched [lazy-mmu-unlock-in-section]
unlocking/mm/unlocking.c:108:2: note: lazy MMU section opened here
unlocking/mm/unlocking.c:100:2: note: clear_one_locked() takes 'mm->page_table_lock' here
unlocking/mm/unlocking.c:101:2: note: clear_one_locked() updates the page table here, under that lock
unlocking/mm/unlocking.c:102:2: note: clear_one_locked() releases 'mm->page_table_lock' here, with the caller's section still active
 * check-output-end
 */
