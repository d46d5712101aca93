void tail(void)
{
	lazy_mmu_mode_enable();
	x = "unterminated;
	y = 'u;
	/* never closed
	lazy_mmu_mode_disable();
}
