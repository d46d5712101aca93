/* SPDX-License-Identifier: GPL-2.0 */
/* A static inline wrapper in a header is used by every file including it. */
#include <linux/pgtable.h>

static inline void pt_lazy_begin(void)
{
	lazy_mmu_mode_enable();
}

static inline void pt_lazy_end(void)
{
	lazy_mmu_mode_disable();
}
