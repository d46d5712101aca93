// SPDX-License-Identifier: GPL-2.0-only
/*
 * The flush idiom inside an arch callback (Xen's flush callback shape): a
 * leave immediately followed by an enter, in a function that did not
 * enter.  It is not a pause/resume and not a section: left alone and
 * reported; the arch rewrite replaces it with the arch's own flush.
 */

static void demo_flush_lazy_mmu(void)
{
	preempt_disable();

	if (demo_get_lazy_mode() == DEMO_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		arch_enter_lazy_mmu_mode();
	}

	preempt_enable();
}
