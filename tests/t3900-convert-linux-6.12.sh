#!/bin/sh
# lazy-mmu-convert on a git copy of Debian's linux-source-6.12: the commit
# series, nothing legacy left in generic code, the checker clean on the
# touched files, a second run that changes nothing, a failure that leaves
# the tree as it was, and the touched objects compiling on x86_64 (XEN_PV,
# KUnit), x86_64 without PARAVIRT_XXL, powerpc64 (hash MMU) and sparc64.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

linux=$TRASH/linux
GIT_CONFIG_NOSYSTEM=1 HOME=$TRASH/home
GIT_AUTHOR_NAME='A U Thor' GIT_AUTHOR_EMAIL=author@example.com
GIT_COMMITTER_NAME='C O Mitter' GIT_COMMITTER_EMAIL=committer@example.com
export GIT_CONFIG_NOSYSTEM HOME GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL \
	GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL
unset LAZY_MMU_CONVERT_FAIL_AT LAZY_MMU_CONVERT_STEPS LAZY_MMU_CHECK
mkdir -p "$HOME"
require_kernel_tree repo --git 6.12
make -s -C "$TOP" >/dev/null 2>&1 || say "make failed; lazy-mmu-check may be missing"

test_must_be_empty() { test ! -s "$1" || { cat "$1"; false; }; }

# state DIR: HEAD, branch, index, status with ignored files, and every
# path with its mode (git status compares the content of tracked files).
state() {
	(cd "$1" &&
	git rev-parse HEAD && git symbolic-ref HEAD &&
	git ls-files -s | sha1sum &&
	git status --porcelain=v1 --ignored --untracked-files=all &&
	git diff HEAD --stat &&
	find . -path ./.git -prune -o -printf '%y %m %p\n' | LC_ALL=C sort |
		sha1sum)
}

test_expect_success 'clone the cached 6.12 repository' '
	git clone -q --shared "$repo" "$linux" &&
	git -C "$linux" rev-parse HEAD >base
'

test_expect_success 'a failure after the whole series leaves the tree as it was' '
	state "$linux" >before &&
	LAZY_MMU_CONVERT_FAIL_AT=verify lazy-mmu-convert "$linux" >out 2>err;
	test $? = 2 &&
	grep -q "committed" err &&
	grep -q "tree restored to" err &&
	state "$linux" >after && diff -u before after
'

test_expect_success 'lazy-mmu-convert converts the tree, status 0' '
	lazy-mmu-convert "$linux" >convert.out 2>convert.err;
	rc=$?; cat convert.err; cat convert.out; test $rc = 0
'

test_expect_success 'one commit per step that changed something' '
	base=$(cat base) &&
	git -C "$linux" rev-list --count $base..HEAD >count &&
	grep -c "^\[[0-9]*/[0-9]*\] [a-z0-9-]*: [0-9]* files\? changed, committed" \
		convert.err >count.expect &&
	diff -u count.expect count && test "$(cat count)" -ge 2
'

test_expect_success 'the subjects are kernel style' '
	git -C "$linux" log --format=%s $(cat base)..HEAD >subjects &&
	cat subjects &&
	! grep -v -E "^[a-z0-9_/-]+(: [a-z0-9_/ -]+)*: [a-z][^.]*[^.]$" subjects &&
	test "$(awk "length > 75" subjects | wc -l)" = 0
'

test_expect_success 'each body names its semantic patch or edit module, and the trailer' '
	for c in $(git -C "$linux" rev-list $(cat base)..HEAD); do
		git -C "$linux" log -1 --format=%B $c >msg &&
		grep -q -E "cocci/lazy_mmu_[a-z0-9_]+\.cocci|lazy_mmu_tools/[a-z_]+\.py" msg &&
		grep -q "^Generated-by: lazy-mmu-convert" msg || exit 1
	done
'

test_expect_success 'no generic code calls the legacy enter/leave any more' '
	(cd "$linux" && git grep -n -E "\<arch_(enter|leave)_lazy_mmu_mode\(\)" \
		-- mm fs kernel lib drivers block include \
		":!include/linux/pgtable.h" | grep -E "^[^:]*\.[ch]:") >left || true &&
	test_must_be_empty left
'

test_expect_success 'the only legacy calls left in .c files are the Xen context switch' '
	(cd "$linux" && git grep -n -E "\<arch_(enter|leave)_lazy_mmu_mode\(\);" \
		-- "*.c") >left || true &&
	cat left &&
	! grep -v "^arch/x86/xen/enlighten_pv.c:" left &&
	test "$(wc -l <left)" = 2
'

test_expect_success 'no arch defines __HAVE_ARCH_ENTER_LAZY_MMU_MODE any more' '
	(cd "$linux" && git grep -n -w __HAVE_ARCH_ENTER_LAZY_MMU_MODE \
		-- ":!Documentation") >left || true &&
	test_must_be_empty left &&
	(cd "$linux" && git grep -n "select ARCH_HAS_LAZY_MMU_MODE" -- "arch/*Kconfig*") >sel &&
	grep -q "^arch/x86/" sel && grep -q "^arch/powerpc/" sel &&
	grep -q "^arch/sparc/" sel
'

test_expect_success 'the arches no longer track lazy mode privately' '
	(cd "$linux" && git grep -n -E "TIF_LAZY_MMU_UPDATES|_TLF_LAZY_MMU|\<batch->active|\<tb->active" \
		-- arch/x86 arch/powerpc arch/sparc) >left || true &&
	test_must_be_empty left &&
	(cd "$linux" && git grep -l is_lazy_mmu_mode_active -- arch) >users &&
	grep -q "^arch/powerpc/" users && grep -q "^arch/sparc/" users
'

test_expect_success 'Xen flushes with xen_mc_flush() and re-enters from the task state' '
	sed -n "/^static void xen_flush_lazy_mmu(void)/,/^}/p" \
		"$linux/arch/x86/xen/mmu_pv.c" >flush &&
	grep -q "xen_mc_flush();" flush && ! grep -q arch_leave_lazy_mmu_mode flush &&
	grep -q "__task_lazy_mmu_mode_active(next)" "$linux/arch/x86/xen/enlighten_pv.c"
'

test_expect_success 'powerpc and sparc have a real arch_flush_lazy_mmu_mode()' '
	! grep -n "define arch_flush_lazy_mmu_mode() *do {} while (0)" \
		"$linux/arch/powerpc/include/asm/book3s/64/tlbflush-hash.h" \
		"$linux/arch/sparc/include/asm/tlbflush_64.h"
'

test_expect_success 'lazy-mmu-check is clean on every touched file' '
	(cd "$linux" && git diff --name-only $(cat "$TRASH/base") HEAD -- "*.c" "*.h") >touched &&
	test -s touched &&
	(cd "$linux" && "$TOP/bin/lazy-mmu-check" $(cat "$TRASH/touched")) >check.out 2>&1;
	rc=$?; cat check.out; test $rc = 0
'

test_expect_success 'a second run is a no-op' '
	state "$linux" >before &&
	lazy-mmu-convert "$linux" >again.out 2>again.err; rc=$?;
	cat again.err; test $rc = 0 &&
	grep -q "^Nothing to do" again.out &&
	! grep -q committed again.err &&
	state "$linux" >after && diff -u before after
'

(cd "$linux" && git diff --name-only "$(cat "$TRASH/base")" HEAD) \
	>"$TRASH/files" 2>/dev/null

# build ARCH COMPILER: compile the touched objects of ARCH; results in
# built-ARCH (build-touched's stdout) and build-ARCH.log.
build() {
	"$TOP/scripts/build-touched" "$1" "$linux" "$TRASH/out-$1" \
		$(cat "$TRASH/files") >"built-$1" 2>"build-$1.log";
	rc=$?; cat "built-$1"; tail -n 30 "build-$1.log"; test $rc = 0
}

have() { command -v "$1" >/dev/null 2>&1; }

test_expect_success 'x86_64 defconfig + XEN_PV + KUnit: touched objects compile' '
	build x86_64 &&
	grep -q "^built mm/memory.o$" built-x86_64 &&
	grep -q "^built mm/tests/lazy_mmu_mode_kunit.o$" built-x86_64 &&
	grep -q "^built arch/x86/xen/mmu_pv.o$" built-x86_64 &&
	grep -q "^built arch/x86/xen/enlighten_pv.o$" built-x86_64 &&
	grep -q "^CONFIG_PARAVIRT_XXL=y" out-x86_64/.config &&
	grep -q "^CONFIG_LAZY_MMU_MODE_KUNIT_TEST=y" out-x86_64/.config
'

test_expect_success 'x86_64 without PARAVIRT_XXL: the flush stub serves set_memory.c' '
	build x86_64-nopv &&
	grep -q "^built mm/memory.o$" built-x86_64-nopv &&
	grep -q "^built arch/x86/mm/pat/set_memory.o$" built-x86_64-nopv &&
	! grep -q "^CONFIG_PARAVIRT_XXL=y" out-x86_64-nopv/.config
'

if have powerpc64-linux-gnu-gcc; then
	test_expect_success 'powerpc64 (ppc64_defconfig, hash MMU): touched objects compile' '
		build powerpc64 &&
		grep -q "^built mm/memory.o$" built-powerpc64 &&
		grep -q "^built arch/powerpc/mm/book3s64/hash_tlb.o$" built-powerpc64 &&
		grep -q "^CONFIG_PPC_64S_HASH_MMU=y" out-powerpc64/.config
	'
else
	test_skip_missing 'powerpc64: touched objects compile' \
		'powerpc64-linux-gnu-gcc'
fi

if have sparc64-linux-gnu-gcc; then
	test_expect_success 'sparc64 (sparc64_defconfig): touched objects compile' '
		build sparc64 &&
		grep -q "^built mm/memory.o$" built-sparc64 &&
		grep -q "^built arch/sparc/mm/tlb.o$" built-sparc64
	'
else
	test_skip_missing 'sparc64: touched objects compile' \
		'sparc64-linux-gnu-gcc'
fi

# The build times, for the record (never asserted).
for a in x86_64 x86_64-nopv powerpc64 sparc64; do
	[ -f "$TRASH/build-$a.log" ] &&
		say "$(grep -h "s (total" "$TRASH/build-$a.log" | sed "s/^build-touched: //")"
done

test_expect_success 'every touched .c was compiled on at least one arch' '
	grep "\.c$" files | grep -v -e "^arch/arm64/" -e "^arch/x86/boot/" \
		-e "^arch/x86/entry/vdso/" | sed "s/\.c$/.o/" | sort >want &&
	cat built-* | sed -n "s/^built //p" | sort -u >have &&
	comm -23 want have >missing && test_must_be_empty missing
'

test_done
