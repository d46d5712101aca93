# The conversion steps (lazy_mmu_tools/steps.py), their edits and the arch
# rewrites: unit tests, the 6.12 run without builds, the helpers on the host.
check-steps:
	@tests/run t30

.PHONY: check-steps
