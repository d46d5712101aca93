#!/bin/sh
# lazy-mmu-check as the kernel's checker: a real kbuild run,
# make O=... C=2 CHECK=bin/lazy-mmu-check, on an x86_64 defconfig of the
# 6.12 tree.  kbuild passes its whole compiler command line; the checker
# must ignore what it does not know, resolve CONFIG_* through
# -include kconfig.h, and report the legacy calls of the files compiled.
# make -s sends the commands' stdout to /dev/null, hence --stderr.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

# Run from 'make -s check', the inner makes would inherit -s (which sends
# the checker's stdout to /dev/null) and the jobserver: not theirs.
unset MAKEFLAGS MFLAGS MAKELEVEL

require_cmd 'kbuild C=2 run' make gcc flex bison
require_kernel_tree repo --git 6.12

test_expect_success 'configured 6.12 tree (x86_64_defconfig, prepare)' '
	git clone -q --shared "$repo" linux &&
	make -s -C linux O="$TRASH/build" x86_64_defconfig >/dev/null &&
	make -s -C linux O="$TRASH/build" -j2 prepare >prepare.log 2>&1 &&
	test -f build/include/generated/autoconf.h
'

test_expect_success 'make C=2 CHECK=lazy-mmu-check reports the legacy calls of the files built' '
	make -s -C linux O="$TRASH/build" C=2 CHECK="$TOP/bin/lazy-mmu-check" \
		CF="--exit-zero --stderr" mm/mremap.o mm/madvise.o >kbuild.out 2>&1 &&
	grep ": warning: " kbuild.out | sed "s|^$TRASH/linux/||" >warnings &&
	test $(wc -l <warnings) -eq 11 &&
	test $(grep -c "^mm/mremap.c:[0-9]*:[0-9]*: warning: legacy arch_" warnings) -eq 2 &&
	test $(grep -c "^mm/madvise.c:[0-9]*:[0-9]*: warning: legacy arch_" warnings) -eq 9 &&
	! grep -v "\[lazy-mmu-legacy-call\]$" warnings
'

test_expect_success 'without --exit-zero a finding stops the build, as the exit status says' '
	rm -f build/mm/mremap.o &&
	! make -C linux O="$TRASH/build" C=1 CHECK="$TOP/bin/lazy-mmu-check" \
		mm/mremap.o >stop.out 2>&1 &&
	grep -q "mm/mremap.c:188:2: warning: legacy" stop.out
'

test_expect_success 'the kbuild command line makes #ifdef CONFIG_* known' '
	rm -f build/mm/mremap.o &&
	make -C linux O="$TRASH/build" C=1 V=1 CHECK="$TOP/bin/lazy-mmu-check" \
		CF=--exit-zero mm/mremap.o 2>&1 | grep "lazy-mmu-check .*mremap.c" | head -n 1 >cmd &&
	test -s cmd &&
	(cd build && eval "$(cat ../cmd) --dump=tokens") | grep -c "pp-if" >configured &&
	lazy-mmu-check --dump=tokens linux/mm/mremap.c | grep -c "pp-if" >unconfigured &&
	test $(cat configured) -lt $(cat unconfigured)
'

test_done
