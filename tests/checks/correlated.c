// SPDX-License-Identifier: GPL-2.0
/*
 * Correlated conditions and relock loops: none of the good_* functions may
 * be reported; bad_uncorrelated must be.
 */
#include <linux/mm.h>
#include <linux/pgtable.h>

static int good_goto_out(struct vm_area_struct *vma, pmd_t *pmd,
			 unsigned long addr, unsigned long end)
{
	pte_t *start_pte, *pte;
	spinlock_t *ptl;

	start_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!start_pte)
		goto out;
	lazy_mmu_mode_enable();
	for (; addr < end; pte++, addr += PAGE_SIZE)
		clear_one(vma, pte, addr);
out:
	if (start_pte) {
		lazy_mmu_mode_disable();
		pte_unmap_unlock(start_pte, ptl);
	}
	return 0;
}

static int good_restart(struct vm_area_struct *vma, pmd_t *pmd,
			unsigned long addr, unsigned long end)
{
	pte_t *start_pte, *pte;
	spinlock_t *ptl;
	int batch = 0;

restart:
	start_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!start_pte)
		return 0;
	lazy_mmu_mode_enable();
	for (; addr < end; pte++, addr += PAGE_SIZE) {
		if (++batch == 32) {
			batch = 0;
			if (need_resched()) {
				lazy_mmu_mode_disable();
				pte_unmap_unlock(start_pte, ptl);
				cond_resched();
				goto restart;
			}
		}
		clear_one(vma, pte, addr);
	}
	lazy_mmu_mode_disable();
	pte_unmap_unlock(start_pte, ptl);
	return 0;
}

static int good_relock_break(struct vm_area_struct *vma, pmd_t *pmd,
			     unsigned long addr, unsigned long end)
{
	pte_t *start_pte, *pte;
	spinlock_t *ptl;

	start_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
	if (!start_pte)
		return 0;
	lazy_mmu_mode_enable();
	for (; addr != end; pte++, addr += PAGE_SIZE) {
		if (needs_split(pte)) {
			lazy_mmu_mode_disable();
			pte_unmap_unlock(start_pte, ptl);
			start_pte = NULL;
			split_one(vma, addr);
			start_pte = pte = pte_offset_map_lock(vma->vm_mm, pmd, addr, &ptl);
			if (!start_pte)
				break;
			lazy_mmu_mode_enable();
			continue;
		}
		clear_one(vma, pte, addr);
	}
	if (start_pte) {
		lazy_mmu_mode_disable();
		pte_unmap_unlock(start_pte, ptl);
	}
	return 0;
}

static void good_flag(struct vm_area_struct *vma, bool batch)
{
	bool lazy = false;

	if (batch && vma_is_anonymous(vma)) {
		lazy_mmu_mode_enable();
		lazy = true;
	}
	walk_one(vma);
	if (lazy)
		lazy_mmu_mode_disable();
}

static void good_same_condition(struct vm_area_struct *vma, int flags)
{
	if (flags & 1)
		lazy_mmu_mode_enable();
	walk_one(vma);
	if (flags & 1)
		lazy_mmu_mode_disable();
}

static int good_same_value(pmd_t *pmd, struct walk *w)
{
	int ret;

	lazy_mmu_mode_enable();
	ret = walk_huge(pmd, w);
	if (ret != -ENOENT)
		goto done;
	walk_small(pmd, w);
	lazy_mmu_mode_disable();
done:
	if (ret == -ENOENT)
		return 0;
	lazy_mmu_mode_disable();
	return ret;
}

static void bad_uncorrelated(struct vm_area_struct *vma, bool a, bool b)
{
	if (a)
		lazy_mmu_mode_enable();
	walk_one(vma);
	if (b)
		lazy_mmu_mode_disable();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
correlated.c:134:3: warning: closes a lazy MMU section it did not open on some paths only [lazy-mmu-inconsistent-paths]
correlated.c:130:2: note: following the 'false' branch (when 'a' is false)
correlated.c:133:2: note: following the 'true' branch (when 'b')
correlated.c:135:1: note: another path leaves the function here without that close
correlated.c:135:1: warning: reaching the end of the function with a lazy MMU section still open [lazy-mmu-unbalanced-return]
correlated.c:131:3: note: lazy MMU section opened here
correlated.c:130:2: note: following the 'true' branch (when 'a')
correlated.c:133:2: note: following the 'false' branch (when 'b' is false)
 * check-output-end
 */
