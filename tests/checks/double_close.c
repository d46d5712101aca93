// SPDX-License-Identifier: GPL-2.0
/*
 * A close with nothing of its kind open on that path, after the function
 * has already closed its own pair: double disable, resume without pause.
 */
#include <linux/pgtable.h>

struct range {
	unsigned long start, end;
	bool dirty;
};

static void bad_double_disable(struct range *r)
{
	lazy_mmu_mode_enable();
	update_range(r);
	lazy_mmu_mode_disable();
	if (r->dirty)
		lazy_mmu_mode_disable();
}

static void bad_resume_twice(struct range *r)
{
	lazy_mmu_mode_pause();
	wait_range(r);
	lazy_mmu_mode_resume();
	lazy_mmu_mode_resume();
}

static void bad_close_in_error_path(struct range *r)
{
	lazy_mmu_mode_enable();
	if (update_range(r))
		goto err;
	lazy_mmu_mode_disable();
	return;
err:
	lazy_mmu_mode_disable();
	lazy_mmu_mode_disable();
}

static void good_two_sections(struct range *r)
{
	lazy_mmu_mode_enable();
	update_range(r);
	lazy_mmu_mode_disable();
	cond_resched();
	lazy_mmu_mode_enable();
	update_range(r);
	lazy_mmu_mode_disable();
}

/*
 * check-exit-value: 1
 *
 * check-output-start
double_close.c:19:3: warning: lazy_mmu_mode_disable() with no lazy MMU section open: the section was already closed [lazy-mmu-double-close]
double_close.c:17:2: note: it was closed here
double_close.c:18:2: note: following the 'true' branch (when 'r->dirty')
double_close.c:27:2: warning: lazy_mmu_mode_resume() without a matching lazy_mmu_mode_pause(): the pause was already resumed [lazy-mmu-double-close]
double_close.c:26:2: note: it was closed here
double_close.c:39:2: warning: lazy_mmu_mode_disable() with no lazy MMU section open: the section was already closed [lazy-mmu-double-close]
double_close.c:38:2: note: it was closed here
double_close.c:33:2: note: following the 'true' branch (when 'update_range(r)')
double_close.c:34:3: note: jumping to 'err'
 * check-output-end
 */
