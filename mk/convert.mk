# The conversion driver (bin/lazy-mmu-convert): its tests and benchmark.
#   make check-convert        driver tests on fixture trees (seconds)
#                             and the 6.12 conversion with the builds
#   make check-convert-quick  the driver tests only, no kernel tree
#   make bench-convert        time a conversion of the 6.12 tree

check-convert: all
	@tests/run -j $(JOBS) t31 t32 t33 t34 t35 t3900

check-convert-quick:
	@tests/run -j $(JOBS) t31 t32 t33 t34 t35

bench-convert: all
	@scripts/bench-convert

.PHONY: check-convert check-convert-quick bench-convert
