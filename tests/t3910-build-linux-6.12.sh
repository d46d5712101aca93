#!/bin/sh
# The compile matrix of the 6.12 conversion (tests/lib-build.sh; every
# commit of the series: t3960, make check-slow): x86_64 (XEN_PV, KASAN_VMALLOC,
# AMD_MEM_ENCRYPT, USERFAULTFD, DEVICE_PRIVATE, KUnit), x86_64 without
# PARAVIRT_XXL, powerpc64 (hash MMU, subpage protection), sparc64.
# uses: no lazy-mmu-check (tests/convert/fake-check: the checker's
# verdict on the conversion is t3900's and t30xx's; the builds are this one's)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-build.sh"

BUILD_TREE=6.12
BUILD_CONFIGS="x86_64 x86_64-nopv powerpc64 sparc64"
build_matrix_tests

expect_built x86_64 mm/memory.o mm/migrate_device.o mm/tests/lazy_mmu_mode_kunit.o \
	arch/x86/xen/enlighten_pv.o arch/x86/xen/mmu_pv.o \
	arch/x86/mm/mem_encrypt_identity.o
expect_built x86_64-nopv mm/memory.o arch/x86/mm/pat/set_memory.o
expect_built powerpc64 mm/memory.o arch/powerpc/mm/book3s64/hash_tlb.o \
	arch/powerpc/mm/book3s64/subpage_prot.o arch/powerpc/kernel/process.o
expect_built sparc64 mm/memory.o arch/sparc/mm/tlb.o

test_expect_success 'the configurations are what they say' '
	grep -q "^CONFIG_PARAVIRT_XXL=y" build/x86_64/.config &&
	grep -q "^CONFIG_KASAN_VMALLOC=y" build/x86_64/.config &&
	grep -q "^CONFIG_DEVICE_PRIVATE=y" build/x86_64/.config &&
	grep -q "^CONFIG_USERFAULTFD=y" build/x86_64/.config &&
	grep -q "^CONFIG_LAZY_MMU_MODE_KUNIT_TEST=y" build/x86_64/.config &&
	! grep -q "^CONFIG_PARAVIRT_XXL=y" build/x86_64-nopv/.config &&
	grep -q "^CONFIG_PPC_64S_HASH_MMU=y" build/powerpc64/.config &&
	grep -q "^CONFIG_PPC_SUBPAGE_PROT=y" build/powerpc64/.config
'

test_done
