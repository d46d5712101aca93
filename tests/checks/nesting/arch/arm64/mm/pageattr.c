// SPDX-License-Identifier: GPL-2.0
/*
 * Linear-map permissions for DEBUG_PAGEALLOC: a walk of the kernel page
 * tables, which opens a section of its own.
 */
#include <linux/pgtable.h>

static int change_pte_prot(pte_t *ptep, unsigned long addr, void *data)
{
	struct prot_change *pc = data;

	set_pte(ptep, pte_modify_prot(ptep_get(ptep), pc));
	return 0;
}

static int change_memory_common(unsigned long addr, int numpages, pgprot_t set)
{
	struct prot_change pc = { .set = set };

	return apply_to_page_range(&init_mm, addr, numpages * PAGE_SIZE,
				   change_pte_prot, &pc);
}

int set_memory_valid(unsigned long addr, int numpages, int enable)
{
	return change_memory_common(addr, numpages,
				    enable ? __pgprot(PTE_VALID) : __pgprot(0));
}

void __kernel_map_pages(struct page *page, int numpages, int enable)
{
	set_memory_valid((unsigned long)page_address(page), numpages, enable);
}
