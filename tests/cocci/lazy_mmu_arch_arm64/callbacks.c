/* Barriers for page table updates, deferred while in lazy MMU mode. */
static inline void queue_pte_barriers(void)
{
	unsigned long flags;

	if (in_interrupt()) {
		emit_pte_barriers();
		return;
	}

	flags = read_thread_flags();

	if (flags & BIT(TIF_LAZY_MMU)) {
		/* no atomic op when the flag is set already */
		if (!(flags & BIT(TIF_LAZY_MMU_PENDING)))
			set_thread_flag(TIF_LAZY_MMU_PENDING);
	} else {
		emit_pte_barriers();
	}
}

static inline void arch_enter_lazy_mmu_mode(void)
{
	if (in_interrupt())
		return;

	set_thread_flag(TIF_LAZY_MMU);
}

static inline void arch_flush_lazy_mmu_mode(void)
{
	if (in_interrupt())
		return;

	if (test_and_clear_thread_flag(TIF_LAZY_MMU_PENDING))
		emit_pte_barriers();
}

static inline void arch_leave_lazy_mmu_mode(void)
{
	if (in_interrupt())
		return;

	arch_flush_lazy_mmu_mode();
	clear_thread_flag(TIF_LAZY_MMU);
}

/* A plain reader of the flag. */
static bool pte_batching(void)
{
	return test_thread_flag(TIF_LAZY_MMU);
}

/* in_interrupt() elsewhere is not ours. */
static void other_irq_user(void)
{
	if (in_interrupt())
		return;
	do_work();
}
