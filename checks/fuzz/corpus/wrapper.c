static inline void my_enter(void)
{
	arch_enter_lazy_mmu_mode();
}

static inline void my_leave(void)
{
	arch_leave_lazy_mmu_mode();
}

void user(int x)
{
	my_enter();
	if (x)
		return;
	({ asm volatile("" ::: "memory"); });
	my_leave();
}
