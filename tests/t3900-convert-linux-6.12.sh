#!/bin/sh
# lazy-mmu-convert on a git copy of Debian's linux-source-6.12: the commit
# series, nothing legacy left in generic code, the checker clean on the
# touched files, a second run that changes nothing, a failure that leaves
# the tree as it was.  The builds of the result and of every commit of
# the series are t3910's.
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

# no_match OUT CMD...: CMD is a grep that must find nothing: exit status
# 1 and no output.  Anything else fails, a missing tree (status 128 of
# git grep) included.
no_match() {
	_out=$1
	shift
	"$@" >"$_out"
	_rc=$?
	if [ $_rc = 1 ] && ! [ -s "$_out" ]; then
		return 0
	fi
	cat "$_out"
	echo "expected no match (status 1), got status $_rc: $*" >&2
	return 1
}

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

test_expect_success 'the summary says what was verified, and that nothing was built' '
	n=$(git -C "$linux" diff --name-only "$(cat base)" HEAD -- "*.c" "*.h" | wc -l) &&
	test "$n" -gt 0 &&
	grep -q "^  lazy-mmu-check on $n touched .c/.h files: no findings$" convert.out &&
	grep -q "^  not built: no object was compiled" convert.out &&
	! grep -q "^  build " convert.out
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
		grep -q -E "cocci/lazy_mmu_[a-z0-9_]+\.cocci|lazy_mmu_tools/[a-z_/]+\.py" msg &&
		grep -q "^Generated-by: lazy-mmu-convert" msg || exit 1
	done
'

# (Calls are statements: the KUnit test's comments name the arch hooks.)
test_expect_success 'no generic code calls the legacy enter/leave any more' '
	no_match left git -C "$linux" grep -n -E \
		"\<arch_(enter|leave)_lazy_mmu_mode\(\);" -- \
		"mm/*.[ch]" "fs/*.[ch]" "kernel/*.[ch]" "lib/*.[ch]" \
		"drivers/*.[ch]" "block/*.[ch]" "include/*.[ch]" \
		":!include/linux/pgtable.h"
'

test_expect_success 'the only legacy calls left in .c files are the Xen context switch' '
	git -C "$linux" grep -n -E "\<arch_(enter|leave)_lazy_mmu_mode\(\);" \
		-- "*.c" >left &&
	cat left &&
	! grep -v "^arch/x86/xen/enlighten_pv.c:" left &&
	test "$(wc -l <left)" = 2
'

test_expect_success 'no arch defines __HAVE_ARCH_ENTER_LAZY_MMU_MODE any more' '
	no_match left git -C "$linux" grep -n -w \
		__HAVE_ARCH_ENTER_LAZY_MMU_MODE -- ":!Documentation" &&
	git -C "$linux" grep -n "select ARCH_HAS_LAZY_MMU_MODE" -- "arch/*Kconfig*" >sel &&
	grep -q "^arch/x86/" sel && grep -q "^arch/powerpc/" sel &&
	grep -q "^arch/sparc/" sel
'

test_expect_success 'the arches no longer track lazy mode privately' '
	no_match left git -C "$linux" grep -n -E \
		"TIF_LAZY_MMU_UPDATES|_TLF_LAZY_MMU|\<batch->active|\<tb->active" \
		-- arch/x86 arch/powerpc arch/sparc &&
	git -C "$linux" grep -l is_lazy_mmu_mode_active -- arch >users &&
	grep -q "^arch/powerpc/" users && grep -q "^arch/sparc/" users
'

test_expect_success 'Xen flushes with xen_mc_flush() and re-enters from the task state' '
	sed -n "/^static void xen_flush_lazy_mmu(void)/,/^}/p" \
		"$linux/arch/x86/xen/mmu_pv.c" >flush &&
	grep -q "xen_mc_flush();" flush && ! grep -q arch_leave_lazy_mmu_mode flush &&
	grep -q "__task_lazy_mmu_mode_active(next)" "$linux/arch/x86/xen/enlighten_pv.c"
'

test_expect_success 'powerpc and sparc have a real arch_flush_lazy_mmu_mode()' '
	no_match left grep -n "define arch_flush_lazy_mmu_mode() *do {} while (0)" \
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

test_done
