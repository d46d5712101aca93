# Semantic patches (cocci/): their tests and their benchmark.
#   make check-cocci   fixtures, the 6.12 and 6.19 integration tests, make coccicheck
#   make bench-cocci   lazy_mmu_callers.cocci against upstream's script

check-cocci:
	@tests/run -j $(JOBS) t1000 t1100 t1110 t1200

bench-cocci:
	@scripts/bench-cocci

.PHONY: check-cocci bench-cocci
