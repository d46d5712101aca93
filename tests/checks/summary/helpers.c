// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers whose effect on the lazy MMU state is summarised and replayed
 * at their call sites in users.c: none of them is reported here.
 */
#include <linux/pgtable.h>

/* A wrapper: returns with a section open on every path. */
void pt_batch_begin(struct pt_batch *b)
{
	b->nr = 0;
	lazy_mmu_mode_enable();
}

/* A callback: closes its caller's section on every path. */
void pt_batch_end(struct pt_batch *b)
{
	if (b->nr)
		flush_batch(b);
	lazy_mmu_mode_disable();
}

/* A wrapper of a wrapper. */
void pt_walk_begin(struct pt_batch *b, struct mm_struct *mm)
{
	mmap_assert_locked(mm);
	pt_batch_begin(b);
}

/* Paths disagree: reported where the close happens on some paths only. */
void pt_batch_maybe_end(struct pt_batch *b)
{
	if (b->nr)
		lazy_mmu_mode_disable();
}
