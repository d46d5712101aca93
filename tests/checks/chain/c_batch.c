// SPDX-License-Identifier: GPL-2.0
/* The only file that calls the API. */
#include <linux/pgtable.h>

void batch_begin(struct batch *b)
{
	b->nr = 0;
	lazy_mmu_mode_enable();
}

void batch_end(struct batch *b)
{
	flush_batch(b);
	lazy_mmu_mode_disable();
}
