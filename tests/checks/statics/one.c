// SPDX-License-Identifier: GPL-2.0
/* Its own static helper: a wrapper, used here only. */
#include <linux/pgtable.h>

static void begin_update(struct pt *pt)
{
	pt->nr = 0;
	lazy_mmu_mode_enable();
}

static int bad_one_user(struct pt *pt)
{
	begin_update(pt);
	if (pt_update(pt))
		return -EIO;
	lazy_mmu_mode_disable();
	return 0;
}
