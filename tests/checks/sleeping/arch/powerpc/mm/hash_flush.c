// SPDX-License-Identifier: GPL-2.0
/* This arch's pending-flush helper waits for a hypervisor call. */
#include <linux/mutex.h>

void flush_pending_hpte(struct mm_struct *mm)
{
	mutex_lock(&hcall_mutex);
	hcall_flush(mm->context.id);
	mutex_unlock(&hcall_mutex);
}
