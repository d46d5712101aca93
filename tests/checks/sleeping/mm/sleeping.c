// SPDX-License-Identifier: GPL-2.0
/*
 * Calls that may sleep while the mode is active: directly, through
 * callees at any depth, through an arch's definition (only where that
 * arch's mode may disable preemption), and in a callback that runs inside
 * a section.  Not while paused, not after the close, not with GFP flags
 * that forbid direct reclaim.
 *
 * check-command: lazy-mmu-check sleeping
 */
#include <linux/slab.h>

static DEFINE_MUTEX(pt_mutex);

static void pt_drain_batch(struct pt_batch *b)
{
	mutex_lock(&pt_mutex);
	pt_write_out(b);
	mutex_unlock(&pt_mutex);
}

static void bad_sleeping_callee(struct pt_batch *b)
{
	lazy_mmu_mode_enable();
	pt_fill(b);
	pt_drain_batch(b);
	lazy_mmu_mode_disable();
}

static void pt_wait_idle(struct pt_batch *b)
{
	might_sleep();
	while (b->busy)
		cpu_relax();
}

static void pt_settle(struct pt_batch *b)
{
	pt_wait_idle(b);
}

static void pt_finish(struct pt_batch *b)
{
	if (b->nr)
		pt_settle(b);
}

/* three calls down, to a function the kernel marks with might_sleep() */
static void bad_deep_callee(struct pt_batch *b)
{
	lazy_mmu_mode_enable();
	pt_fill(b);
	pt_finish(b);
	lazy_mmu_mode_disable();
}

static void bad_primitives(struct pt_batch *b, void __user *ubuf)
{
	struct pt_entry *e;

	lazy_mmu_mode_enable();
	cond_resched();
	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (copy_to_user(ubuf, b->stats, sizeof(b->stats)))
		b->err = -EFAULT;
	lazy_mmu_mode_disable();
	kfree(e);
}

static void good_no_reclaim(struct pt_batch *b)
{
	struct pt_entry *e, *f;

	lazy_mmu_mode_enable();
	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	f = kmalloc(sizeof(*f), GFP_NOWAIT | __GFP_NOWARN);
	pt_fill(b);
	lazy_mmu_mode_disable();
	kfree(e);
	kfree(f);
}

static void good_paused(struct pt_batch *b)
{
	lazy_mmu_mode_enable();
	pt_fill(b);
	lazy_mmu_mode_pause();
	msleep(1);
	pt_drain_batch(b);
	lazy_mmu_mode_resume();
	lazy_mmu_mode_disable();
}

static void good_after_close(struct pt_batch *b)
{
	lazy_mmu_mode_enable();
	pt_fill(b);
	lazy_mmu_mode_disable();
	pt_drain_batch(b);
}

static struct pt_entry *pt_alloc_entry(gfp_t gfp)
{
	return kmalloc(sizeof(struct pt_entry), gfp);
}

/* a callee that takes GFP flags sleeps as the flags passed say */
static void bad_gfp_passed(struct pt_batch *b)
{
	lazy_mmu_mode_enable();
	b->spare = pt_alloc_entry(GFP_ATOMIC);
	b->next = pt_alloc_entry(GFP_KERNEL);
	lazy_mmu_mode_disable();
}

/* powerpc's flush_pending_hpte() waits, and its mode disables preemption */
static void bad_arch_callee(struct mm_struct *mm, struct pt_batch *b)
{
	lazy_mmu_mode_enable();
	pt_fill(b);
	flush_pending_hpte(mm);
	lazy_mmu_mode_disable();
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

int walk_page_table_range(struct mm_struct *mm, unsigned long addr,
			  unsigned long size, pte_fn_t fn, void *data)
{
	return walk_range(walk_to_pte(mm, addr), addr, addr + size, fn, data);
}

/* a callback run inside walk_range()'s section allocates (kasan, 2025) */
static int bad_populate_pte(pte_t *pte, unsigned long addr, void *data)
{
	unsigned long page = __get_free_page(GFP_KERNEL);

	if (!page)
		return -ENOMEM;
	set_pte(pte, pfn_pte(PFN_DOWN(__pa(page)), PAGE_KERNEL));
	return 0;
}

static int good_populate_pte(pte_t *pte, unsigned long addr, void *data)
{
	unsigned long page;

	lazy_mmu_mode_pause();
	page = __get_free_page(GFP_KERNEL);
	if (page)
		set_pte(pte, pfn_pte(PFN_DOWN(__pa(page)), PAGE_KERNEL));
	lazy_mmu_mode_resume();
	return page ? 0 : -ENOMEM;
}

int populate_shadow(unsigned long addr, unsigned long size)
{
	int err = walk_page_table_range(&init_mm, addr, size, bad_populate_pte, NULL);

	return err ?: walk_page_table_range(&init_mm, addr, size, good_populate_pte, NULL);
}

/*
 * check-exit-value: 1
 *
 * check-output-start
sleeping/mm/sleeping.c:26:2: warning: pt_drain_batch() may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:24:2: note: lazy MMU section opened here
sleeping/mm/sleeping.c:17:2: note: pt_drain_batch() calls mutex_lock() here, which may sleep
sleeping/mm/sleeping.c:53:2: warning: pt_finish() may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:51:2: note: lazy MMU section opened here
sleeping/mm/sleeping.c:45:3: note: pt_finish() calls pt_settle() here
sleeping/mm/sleeping.c:39:2: note: pt_settle() calls pt_wait_idle() here
sleeping/mm/sleeping.c:32:2: note: pt_wait_idle() calls might_sleep() here, which may sleep
sleeping/mm/sleeping.c:62:2: warning: cond_resched() may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:61:2: note: lazy MMU section opened here
sleeping/mm/sleeping.c:63:6: warning: kmalloc() with GFP flags that allow direct reclaim may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:61:2: note: lazy MMU section opened here
sleeping/mm/sleeping.c:64:6: warning: copy_to_user() may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:61:2: note: lazy MMU section opened here
sleeping/mm/sleeping.c:112:12: warning: pt_alloc_entry() with GFP flags that allow direct reclaim may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:110:2: note: lazy MMU section opened here
sleeping/mm/sleeping.c:121:2: warning: flush_pending_hpte() may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:119:2: note: lazy MMU section opened here
sleeping/arch/powerpc/mm/hash_flush.c:7:2: note: flush_pending_hpte() calls mutex_lock() here, which may sleep
sleeping/mm/sleeping.c:149:23: warning: __get_free_page() with GFP flags that allow direct reclaim may sleep while lazy MMU mode is active [lazy-mmu-sleep-in-section]
sleeping/mm/sleeping.c:171:12: note: bad_populate_pte() is passed to walk_page_table_range() here, which calls it inside a lazy MMU section
sleeping/mm/sleeping.c:143:9: note: walk_page_table_range() passes 'fn' to walk_range() here
sleeping/mm/sleeping.c:130:2: note: lazy MMU section opened here
sleeping/mm/sleeping.c:132:9: note: walk_range() calls 'fn' here
 * check-output-end
 */
