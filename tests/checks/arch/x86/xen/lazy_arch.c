// SPDX-License-Identifier: GPL-2.0
/*
 * Arch code (the path has an arch/ component): legacy calls are the arch's
 * own business unless a function owns a section (its first legacy call is
 * an enter and it also leaves), which the conversion rules convert.
 */
#include <linux/pgtable.h>

/* Callback definitions: never reported. */
void arch_enter_lazy_mmu_mode(void)
{
	this_cpu_write(lazy_state, 1);
}

void arch_leave_lazy_mmu_mode(void)
{
	flush_pending();
	this_cpu_write(lazy_state, 0);
}

/* Flush idiom inside an arch callback (rule 3): kept. */
static void hv_flush_lazy_mmu(void)
{
	preempt_disable();
	if (this_cpu_read(lazy_state)) {
		arch_leave_lazy_mmu_mode();
		arch_enter_lazy_mmu_mode();
	}
	preempt_enable();
}

/* Context switch split across two functions (rule 4): kept. */
static void hv_start_context_switch(struct task_struct *prev)
{
	if (this_cpu_read(lazy_state)) {
		arch_leave_lazy_mmu_mode();
		set_ti_thread_flag(task_thread_info(prev), TIF_LAZY_MMU_UPDATES);
	}
}

static void hv_end_context_switch(struct task_struct *next)
{
	if (test_and_clear_ti_thread_flag(task_thread_info(next), TIF_LAZY_MMU_UPDATES))
		arch_enter_lazy_mmu_mode();
}

/* An owner section in arch code (rule 1): converted, so reported. */
static void hv_update_range(pte_t *pte, int nr)
{
	arch_enter_lazy_mmu_mode();
	while (nr--)
		hv_update_one(pte++);
	arch_leave_lazy_mmu_mode();
}

/* Direct flush calls in arch code stay. */
static void hv_kmap_flush(void)
{
	arch_flush_lazy_mmu_mode();
}

/* Arch-internal macros may use the callbacks. */
#define hv_flush_pending_batch()		\
	do {					\
		arch_leave_lazy_mmu_mode();	\
		arch_enter_lazy_mmu_mode();	\
	} while (0)
