void crlf(int x)
{
#define M(a) \
	do { a; } while (0)
	lazy_mmu_mode_enable();
	if (x) {
		return;
	}
	lazy_mmu_mode_disable();
}
