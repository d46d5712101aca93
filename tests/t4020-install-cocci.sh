#!/bin/sh
# make install-cocci KERNEL_TREE=<copy of 6.12>, then the copy's own
# 'make coccicheck MODE=report M=mm' runs the lazy_mmu rules.
#
# The copy is 'cp -al' (hard links, ~1.5 s) of the pristine tree.  Its
# scripts/coccinelle/ is replaced by a real directory holding only one
# upstream script (api/vma_pages.cocci) plus what install-cocci puts
# there: all 73 upstream scripts over mm/ take minutes, and what this test
# proves is that a plain coccicheck run, which picks up every script under
# scripts/coccinelle/, includes ours next to an upstream one.  The last
# test checks that no hard-linked (pristine) file was written.
. "$(dirname "$0")/lib-tap.sh"

require_cmd 'make install-cocci and coccicheck' spatch make
require_kernel_tree K 6.12
C=$TRASH/linux
export K C

test_expect_success 'make a hard-linked copy of the 6.12 tree' '
	cp -al "$K" "$C" &&
	rm -rf "$C/scripts/coccinelle" &&
	mkdir -p "$C/scripts/coccinelle/api" &&
	cp "$K/scripts/coccinelle/api/vma_pages.cocci" "$C/scripts/coccinelle/api/" &&
	touch "$TRASH/stamp"
'

test_expect_success 'install-cocci needs KERNEL_TREE' '
	rc=0; make -s -C "$TOP" install-cocci KERNEL_TREE= 2>err || rc=$?
	test "$rc" != 0 && grep -q "set KERNEL_TREE=" err
'

test_expect_success 'install-cocci refuses a directory that is not a kernel tree' '
	mkdir notatree &&
	rc=0; make -s -C "$TOP" install-cocci KERNEL_TREE="$TRASH/notatree" 2>err || rc=$?
	test "$rc" != 0 && grep -q "is not a kernel tree" err &&
	test -z "$(ls notatree)"
'

test_expect_success 'install-cocci copies every cocci/*.cocci and macro file' '
	make -s -C "$TOP" install-cocci KERNEL_TREE="$C" >out &&
	cat out &&
	(cd "$TOP/cocci" && ls *.cocci *.h 2>/dev/null) | sort >expect &&
	(cd "$C/scripts/coccinelle/api/lazy_mmu" && ls) | sort >actual &&
	cmp expect actual &&
	for f in $(cat expect); do
		cmp "$TOP/cocci/$f" "$C/scripts/coccinelle/api/lazy_mmu/$f" || return 1
	done
'

test_expect_success 'a second install replaces files and drops stale ones' '
	d=$C/scripts/coccinelle/api/lazy_mmu &&
	echo stale >"$d/lazy_mmu_gone.cocci" &&
	f=$(ls "$d" | grep -v gone | head -n 1) &&
	echo changed >"$d/$f" &&
	make -s -C "$TOP" install-cocci KERNEL_TREE="$C" >out &&
	test ! -e "$d/lazy_mmu_gone.cocci" &&
	cmp "$TOP/cocci/$f" "$d/$f"
'

test_expect_success 'install over a hard link does not write through it' '
	d=$C/scripts/coccinelle/api/lazy_mmu &&
	f=$(ls "$d" | head -n 1) &&
	echo "do not touch" >"$TRASH/linked" &&
	rm "$d/$f" && ln "$TRASH/linked" "$d/$f" &&
	make -s -C "$TOP" install-cocci KERNEL_TREE="$C" >out &&
	test "$(cat "$TRASH/linked")" = "do not touch" &&
	cmp "$TOP/cocci/$f" "$d/$f"
'

test_expect_success 'install-cocci refuses a rule without all four modes' '
	mkdir -p fake/cocci fake/mk &&
	cp "$TOP/mk/lint.mk" fake/mk/ &&
	printf "virtual patch\nvirtual report\n@@\n@@\n- f();\n" >fake/cocci/half.cocci &&
	rc=0; make -s -C fake -f mk/lint.mk install-cocci KERNEL_TREE="$C" 2>err || rc=$?
	cat err &&
	test "$rc" != 0 &&
	grep -q "half.cocci does not declare .virtual context." err &&
	test ! -e "$C/scripts/coccinelle/api/lazy_mmu/half.cocci"
'

test_expect_success 'make coccicheck MODE=report M=mm in the copy runs them' '
	# the kernel .cocciconfig says --use-gitgrep: if $TRASH sits inside
	# some git repository, git grep would answer for that one (0 files)
	(cd "$C" && GIT_CEILING_DIRECTORIES=$TRASH make coccicheck MODE=report M=mm) >cc.out 2>cc.err &&
	cat cc.err &&
	grep -q "cocci-file ./scripts/coccinelle/api/lazy_mmu/lazy_mmu_legacy.cocci" cc.out &&
	grep -q "cocci-file ./scripts/coccinelle/api/vma_pages.cocci" cc.out
'

test_expect_success 'the coccicheck report lists the legacy calls of mm/memory.c' '
	for l in 1123 1192 1603 1682 2555 2565 2811 2824; do
		grep -q "^mm/memory.c:$l:[0-9]*-[0-9]*: .*legacy" cc.out || {
			echo "no report for mm/memory.c:$l"; return 1; }
	done
'

test_expect_success 'coccicheck ran every installed rule, without EXN' '
	for f in $(cd "$TOP/cocci" && ls *.cocci); do
		grep -q "cocci-file ./scripts/coccinelle/api/lazy_mmu/$f " cc.out || {
			echo "$f was not run"; return 1; }
	done &&
	! grep -q "^EXN" cc.out
'

test_expect_success 'uninstall-cocci removes the directory' '
	make -s -C "$TOP" uninstall-cocci KERNEL_TREE="$C" >out &&
	test ! -e "$C/scripts/coccinelle/api/lazy_mmu" &&
	test -f "$C/scripts/coccinelle/api/vma_pages.cocci"
'

test_expect_success 'no hard-linked file of the copy was modified' '
	find "$C" -type f -links +1 -newer "$TRASH/stamp" >modified &&
	test ! -s modified
'

test_done
