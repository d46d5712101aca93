#!/bin/sh
# The compile matrix of the 6.1 conversion (tests/lib-build.sh): x86_64
# (XEN_PV, KASAN_VMALLOC, AMD_MEM_ENCRYPT, USERFAULTFD, DEVICE_PRIVATE,
# KUnit), x86_64 without PARAVIRT_XXL, powerpc64 (hash MMU, subpage
# protection), sparc64.  6.1 is the tree whose conversion used to pass
# the checker and not build (pgtable.h before sched.h under KASAN, the
# PARAVIRT flush idiom without its fallbacks).
# uses: no lazy-mmu-check (tests/convert/fake-check: the checker's
# verdict on the conversion is t3900's and t30xx's; the builds are this one's)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-build.sh"

BUILD_TREE=6.1
BUILD_CONFIGS="x86_64 x86_64-nopv powerpc64 sparc64"
build_matrix_tests

expect_built x86_64 mm/memory.o mm/migrate_device.o \
	mm/tests/lazy_mmu_mode_kunit.o arch/x86/xen/mmu_pv.o \
	arch/x86/kernel/paravirt.o arch/x86/mm/mem_encrypt_identity.o
expect_built x86_64-nopv mm/memory.o arch/x86/mm/pat/set_memory.o \
	arch/x86/kernel/paravirt.o
expect_built powerpc64 mm/memory.o arch/powerpc/mm/book3s64/hash_tlb.o \
	arch/powerpc/mm/book3s64/subpage_prot.o
expect_built sparc64 mm/memory.o arch/sparc/mm/tlb.o

test_done
