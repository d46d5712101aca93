/* Xen's half of the paravirt lazy mode: it plugs in the generic flush. */
static void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_flush();
	paravirt_leave_lazy_mmu();
	preempt_enable();
}

static const typeof(pv_ops) xen_mmu_ops __initconst = {
	.mmu = {
		.lazy_mode = {
			.enter = paravirt_enter_lazy_mmu,
			.leave = xen_leave_lazy_mmu,
			.flush = paravirt_flush_lazy_mmu,
		},
	},
};
