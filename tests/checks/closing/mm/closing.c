// SPDX-License-Identifier: GPL-2.0
/*
 * A section (or a pause) that no path of any caller ever closes: a
 * function that opens and never closes is a wrapper, and so is each
 * caller that never closes either; the outermost one, which nothing in
 * the input calls, is reported once, at its end, with the chain.  A
 * callback run inside a section must leave the mode as it found it.
 *
 * check-command: lazy-mmu-check closing
 */

static void pt_begin(void)
{
	lazy_mmu_mode_enable();
}

static void pt_begin_batch(struct pt_batch *b)
{
	b->nr = 0;
	pt_begin();
}

/* no caller closes: reported here, once */
void bad_never_closed(struct pt_batch *b)
{
	pt_begin_batch(b);
	pt_fill(b);
}

static void pt_end(void)
{
	lazy_mmu_mode_disable();
}

/* a wrapper whose caller closes: fine */
void good_caller_closes(struct pt_batch *b)
{
	pt_begin_batch(b);
	pt_fill(b);
	pt_end();
}

static int walk_range(pte_t *pte, unsigned long addr, unsigned long end,
		      pte_fn_t fn, void *data)
{
	int err = 0;

	lazy_mmu_mode_enable();
	for (; addr != end; pte++, addr += PAGE_SIZE) {
		err = fn(pte, addr, data);
		if (err)
			break;
	}
	lazy_mmu_mode_disable();
	return err;
}

int walk_kernel_range(unsigned long addr, unsigned long size, pte_fn_t fn, void *data)
{
	return walk_range(walk_to_pte(&init_mm, addr), addr, addr + size, fn, data);
}

/* pauses, and never resumes: the section it runs in stays paused */
static int bad_depopulate_pte(pte_t *ptep, unsigned long addr, void *unused)
{
	pte_t pte;

	lazy_mmu_mode_pause();
	pte = ptep_get_and_clear(&init_mm, addr, ptep);
	if (pte_present(pte))
		free_page((unsigned long)pfn_to_virt(pte_pfn(pte)));
	return 0;
}

static int good_depopulate_pte(pte_t *ptep, unsigned long addr, void *unused)
{
	pte_t pte;

	lazy_mmu_mode_pause();
	pte = ptep_get_and_clear(&init_mm, addr, ptep);
	if (pte_present(pte))
		free_page((unsigned long)pfn_to_virt(pte_pfn(pte)));
	lazy_mmu_mode_resume();
	return 0;
}

void depopulate_shadow(unsigned long addr, unsigned long size)
{
	walk_kernel_range(addr, size, bad_depopulate_pte, NULL);
	walk_kernel_range(addr, size, good_depopulate_pte, NULL);
}

/*
 * check-exit-value: 1
 *
 * check-output-start
closing/mm/closing.c:28:1: warning: reaching the end of the function with a lazy MMU section still open, and no caller of bad_never_closed() closes it [lazy-mmu-never-closed]
closing/mm/closing.c:26:2: note: lazy MMU section opened here by pt_begin_batch(), which returns with it open
closing/mm/closing.c:20:2: note: pt_begin_batch() opens it here, by a call of pt_begin(), which returns with it open
closing/mm/closing.c:14:2: note: pt_begin() opens it here
closing/mm/closing.c:73:1: warning: reaching the end of the function with lazy MMU mode still paused: walk_range() runs it inside a section and never resumes it [lazy-mmu-never-closed]
closing/mm/closing.c:68:2: note: lazy MMU mode paused here
closing/mm/closing.c:89:2: note: bad_depopulate_pte() is passed to walk_kernel_range() here, which calls it inside a lazy MMU section
closing/mm/closing.c:60:9: note: walk_kernel_range() passes 'fn' to walk_range() here
closing/mm/closing.c:48:2: note: lazy MMU section opened here
closing/mm/closing.c:50:9: note: walk_range() calls 'fn' here
 * check-output-end
 */
