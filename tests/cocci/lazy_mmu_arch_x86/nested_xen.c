/* Xen's own lazy MMU mode (Linux 6.8 on): enter and leave BUG() when
 * the mode is already entered or not entered. */
static void xen_enter_lazy_mmu(void)
{
	enter_lazy(XEN_LAZY_MMU);
}

static void xen_leave_lazy_mmu(void)
{
	preempt_disable();
	xen_mc_flush();
	leave_lazy(XEN_LAZY_MMU);
	preempt_enable();
}

/* The CPU mode of the context switch is not ours: left alone. */
static void xen_start_cpu_batch(void)
{
	enter_lazy(XEN_LAZY_CPU);
}
