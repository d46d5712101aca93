// SPDX-License-Identifier: GPL-2.0
/*
 * Legacy sections nested through callees, at any depth, per arch: the
 * call inside the outer section is reported, with the chain of calls down
 * to the inner enter as notes.
 *
 * check-command: lazy-mmu-check -Wno-legacy-call nesting
 */
#include <linux/gfp.h>
#include <linux/pgtable.h>

static int apply_to_pte_range(pte_t *pte, unsigned long addr, unsigned long end,
			      pte_fn_t fn, void *data)
{
	int err = 0;

	arch_enter_lazy_mmu_mode();
	do {
		err = fn(pte++, addr, data);
		if (err)
			break;
	} while (addr += PAGE_SIZE, addr != end);
	arch_leave_lazy_mmu_mode();
	return err;
}

int apply_to_page_range(struct mm_struct *mm, unsigned long addr,
			unsigned long size, pte_fn_t fn, void *data)
{
	pte_t *pte = walk_to_pte(mm, addr);

	return apply_to_pte_range(pte, addr, addr + size, fn, data);
}

/* powerpc's set_ptes() opens a section inside this one (late 2023) */
static int bad_remap_pte_range(struct mm_struct *mm, pte_t *pte, unsigned long addr,
			       unsigned long end, unsigned long pfn, pgprot_t prot)
{
	arch_enter_lazy_mmu_mode();
	do {
		set_pte_at(mm, addr, pte, pfn_pte(pfn, prot));
		pfn++;
	} while (pte++, addr += PAGE_SIZE, addr != end);
	arch_leave_lazy_mmu_mode();
	return 0;
}

static struct page *tlb_next_batch(struct mmu_gather *tlb)
{
	unsigned long page = __get_free_page(GFP_NOWAIT | __GFP_NOWARN);

	return page ? virt_to_page(page) : NULL;
}

/* With DEBUG_PAGEALLOC on arm64, a page allocated for the TLB batch is
 * mapped again through apply_to_page_range(): a section four calls down */
static void bad_zap_pte_range(struct mmu_gather *tlb, pte_t *pte, unsigned long addr,
			      unsigned long end)
{
	arch_enter_lazy_mmu_mode();
	do {
		pte_t ptent = ptep_get_and_clear(tlb->mm, addr, pte);

		if (tlb_full(tlb) && !tlb_next_batch(tlb))
			break;
		tlb_record(tlb, ptent);
	} while (pte++, addr += PAGE_SIZE, addr != end);
	arch_leave_lazy_mmu_mode();
}

/* with the nesting API a callee's section is legal: not reported */
static void update_one(pte_t *pte)
{
	lazy_mmu_mode_enable();
	set_pte(pte, pte_mkold(ptep_get(pte)));
	lazy_mmu_mode_disable();
}

static void good_nested_new_api(pte_t *pte, int nr)
{
	lazy_mmu_mode_enable();
	while (nr--)
		update_one(pte++);
	lazy_mmu_mode_disable();
}

static int young_pmd_entry(pmd_t *pmd, unsigned long addr, unsigned long end,
			   struct mm_walk *walk)
{
	pte_t *pte = pte_offset_map(pmd, addr);

	arch_enter_lazy_mmu_mode();
	for (; addr != end; pte++, addr += PAGE_SIZE)
		set_pte(pte, pte_mkold(ptep_get(pte)));
	arch_leave_lazy_mmu_mode();
	return 0;
}

static const struct mm_walk_ops young_walk_ops = {
	.pmd_entry	= young_pmd_entry,
	.walk_lock	= PGWALK_RDLOCK,
};

/* the walker calls the mm_walk_ops members it is given */
static void bad_walk_inside(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	arch_enter_lazy_mmu_mode();
	walk_page_range(mm, start, end, &young_walk_ops, NULL);
	arch_leave_lazy_mmu_mode();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
nesting/mm/memory.c:41:3: warning: set_pte_at() opens a lazy MMU section inside a legacy section: the legacy API does not nest [lazy-mmu-legacy-nesting]
nesting/mm/memory.c:39:2: note: legacy lazy MMU section opened here
nesting/include/linux/pgtable.h:20:41: note: set_pte_at() calls set_ptes() here
nesting/arch/powerpc/mm/pgtable.c:12:2: note: set_ptes() opens a legacy lazy MMU section here
nesting/mm/memory.c:64:25: warning: tlb_next_batch() opens a lazy MMU section inside a legacy section: the legacy API does not nest [lazy-mmu-legacy-nesting]
nesting/mm/memory.c:60:2: note: legacy lazy MMU section opened here
nesting/mm/memory.c:50:23: note: tlb_next_batch() calls __get_free_page() here
nesting/include/linux/gfp.h:5:35: note: __get_free_page() calls __get_free_pages() here
nesting/mm/page_alloc.c:25:22: note: __get_free_pages() calls alloc_pages() here
nesting/mm/page_alloc.c:19:3: note: alloc_pages() calls post_alloc_hook() here
nesting/mm/page_alloc.c:11:2: note: post_alloc_hook() calls kernel_map_pages() here
nesting/include/linux/pgtable.h:25:3: note: kernel_map_pages() calls __kernel_map_pages() here
nesting/arch/arm64/mm/pageattr.c:32:2: note: __kernel_map_pages() calls set_memory_valid() here
nesting/arch/arm64/mm/pageattr.c:26:9: note: set_memory_valid() calls change_memory_common() here
nesting/arch/arm64/mm/pageattr.c:20:9: note: change_memory_common() calls apply_to_page_range() here
nesting/mm/memory.c:32:9: note: apply_to_page_range() calls apply_to_pte_range() here
nesting/mm/memory.c:17:2: note: apply_to_pte_range() opens a legacy lazy MMU section here
nesting/mm/memory.c:108:2: warning: young_pmd_entry() (an mm_walk_ops member given to walk_page_range()) opens a lazy MMU section inside a legacy section: the legacy API does not nest [lazy-mmu-legacy-nesting]
nesting/mm/memory.c:107:2: note: legacy lazy MMU section opened here
nesting/mm/memory.c:92:2: note: young_pmd_entry() opens a legacy lazy MMU section here
 * check-output-end
 */
