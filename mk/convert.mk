# The conversion driver (bin/lazy-mmu-convert): its tests and benchmark.
#   make check-convert        driver tests on fixture trees (seconds),
#                             the real-tree conversions and their builds
#                             (t39xx: minutes)
#   make check-convert-quick  the driver tests only, no kernel tree
#   make bench-convert        time the conversion of each real tree, next
#                             to upstream's two-rule Coccinelle script

check-convert: all
	@tests/run -j $(JOBS) t31 t32 t33 t34 t35 t39

check-convert-quick:
	@tests/run -j $(JOBS) t31 t32 t33 t34 t35

bench-convert: all
	@scripts/bench-convert

.PHONY: check-convert check-convert-quick bench-convert
