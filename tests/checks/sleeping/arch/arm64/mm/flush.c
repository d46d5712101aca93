// SPDX-License-Identifier: GPL-2.0
/* The same helper here also waits, but this arch's lazy MMU mode leaves
 * preemption on: sleeping in a section is allowed with it. */
#include <linux/mutex.h>

void flush_pending_hpte(struct mm_struct *mm)
{
	mutex_lock(&tlbi_mutex);
	tlbi_flush_asid(mm->context.id);
	mutex_unlock(&tlbi_mutex);
}
