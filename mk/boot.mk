# Runtime proof (scripts/check-boot): convert a fresh copy of each tree,
# build a KUnit kernel with the kernel's own kunit.py and boot it under
# QEMU; builds are cached in .cache/boot/, so a second run only boots.
#
#   make check-boot            every tree and arch, and the negative control
#   make check-boot-ci         what .ci/run runs: 6.12 on powerpc64
#   make check-boot-negative   the negative control alone: a broken generic
#                              layer must make a KUnit case fail
#   make check-boot BOOT_TARGETS="6.19:arm64"   any targets (see the script)

BOOT_TARGETS ?=
BOOT_CI_TARGETS := 6.12:powerpc64

check-boot: all
	@scripts/check-boot -j $(JOBS) $(BOOT_TARGETS)

check-boot-ci: all
	@scripts/check-boot -j $(JOBS) $(BOOT_CI_TARGETS)

check-boot-negative: all
	@scripts/check-boot -j $(JOBS) negative

.PHONY: check-boot check-boot-ci check-boot-negative
