/* The flush callback of a paravirt MMU: leave and enter again to flush. */
static void pv_mmu_flush_lazy(void)
{
	preempt_disable();

	if (xen_get_lazy_mode() == XEN_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		arch_enter_lazy_mmu_mode();
	}

	preempt_enable();
}

/* The same test on the per-cpu variable directly. */
static void pv_mmu_flush_percpu(void)
{
	if (this_cpu_read(xen_lazy_mode) == XEN_LAZY_MMU) {
		arch_leave_lazy_mmu_mode();
		arch_enter_lazy_mmu_mode();
	}
}

/* Not the flush idiom: a real section, left alone. */
static void pv_mmu_batch(pte_t *ptep, pte_t pte)
{
	arch_enter_lazy_mmu_mode();
	set_pte(ptep, pte);
	arch_leave_lazy_mmu_mode();
}

/* Leave then enter under another mode: not ours, left alone. */
static void pv_cpu_flush(void)
{
	if (xen_get_lazy_mode() == XEN_LAZY_CPU) {
		arch_leave_lazy_mmu_mode();
		arch_enter_lazy_mmu_mode();
	}
}
