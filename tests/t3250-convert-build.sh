#!/bin/sh
# lazy-mmu-convert --build on a fixture tree, with a fake make
# (tests/convert/fake-make): what the summary says for each build, a
# failed build (status 1, the compiler's error, the series kept, the
# temporary build directory kept for its log), a build directory reused
# (and emptied when made for another tree), build-touched --keep-config
# (a missing compiler: t3500).
# uses: no lazy-mmu-check (tests/convert/fake-check)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-convert.sh"

mkdir -p "$TRASH/bin" "$TRASH/tmp"
cp "$TESTS/convert/fake-make" "$TRASH/bin/make"
PATH=$TRASH/bin:$PATH
FAKE_MAKE_LOG=$TRASH/make.log
# Temporary build directories, and the lock that serializes kernel
# builds on the machine: here, not behind the real builds of others.
TMPDIR=$TRASH/tmp
export PATH FAKE_MAKE_LOG TMPDIR

# build_tree DIR: the fixture tree, with a scripts/config
build_tree() {
	make_fixture_tree "$1" >/dev/null &&
	mkdir -p "$1/scripts" &&
	cp "$TESTS/convert/fake-config" "$1/scripts/config" &&
	git -C "$1" add -f scripts/config &&
	git -C "$1" commit -q -m "scripts/config"
}

test_expect_success '--build: each build says what it compiled, and what no build did' '
	build_tree linux && : >make.log &&
	convert --build x86_64-nopv --build-dir "$TRASH/b" linux && expect_rc 0 &&
	cat out &&
	grep -q "^  fake-check on 5 touched .c/.h files: no findings$" out &&
	grep -q "^  build x86_64-nopv (defconfig + DEBUG_PAGEALLOC, without PARAVIRT_XXL): 3 objects compiled: mm/memory.o arch/x86/mm/pat/set_memory.o mm/tests/fake_kunit.o$" out &&
	grep -q "^  compiled by no configuration: arch/powerpc/mm/tlb.c$" out &&
	! grep -q "not built" out &&
	test -f b/x86_64-nopv/mm/memory.o &&
	grep -q "^build: x86_64-nopv: 3 objects compiled in [0-9]* s$" err
'

test_expect_success 'a build directory is reused: configured again, objects kept' '
	: >make.log && echo mine >b/x86_64-nopv/keep.txt &&
	"$TOP/scripts/build-touched" x86_64-nopv linux b/x86_64-nopv \
		mm/memory.c >built 2>log && cat built &&
	grep -q "^ *defconfig$" make.log && grep -q "^ *prepare$" make.log &&
	test -f b/x86_64-nopv/keep.txt &&
	grep -q "^built mm/memory.o$" built &&
	grep -q "^x86_64-nopv: 2 built, 0 skipped$" built
'

test_expect_success 'a build directory made for another tree is emptied first' '
	build_tree other &&
	"$TOP/scripts/build-touched" x86_64-nopv other b/x86_64-nopv \
		mm/memory.c >built 2>log && cat built &&
	test ! -e b/x86_64-nopv/keep.txt &&
	grep -q " $TRASH/other\$" b/x86_64-nopv/.lazy-mmu-config
'

test_expect_success 'a failed build: status 1, the error, the series kept' '
	build_tree broken &&
	sed -i "s/zap_one();/zap_one(); \/* FAKE_BUILD_ERROR *\//" broken/mm/memory.c &&
	git -C broken commit -q -a -m "a file that does not compile" &&
	head=$(git -C broken rev-parse HEAD) &&
	convert --build x86_64-nopv broken && expect_rc 1 &&
	cat out &&
	grep -q "^  build x86_64-nopv (.*): FAILED: mm/memory.c:1:1: error: fake build error$" out &&
	grep -q "^    log: $TRASH/tmp/lazy-mmu-build\.[^/]*/x86_64-nopv/build-touched.log$" out &&
	! grep -q "compiled by no configuration" out &&
	! grep -q restored err &&
	test "$(git -C broken rev-list --count $head..HEAD)" = 4 &&
	grep -q "^build: .*/lazy-mmu-build\..* kept for the logs of the failed build$" err &&
	ls tmp | grep -q "^lazy-mmu-build\."
'

test_expect_success 'a build that passes leaves no temporary directory' '
	rm -rf tmp/lazy-mmu-build.* && build_tree clean &&
	convert --build x86_64-nopv clean && expect_rc 0 &&
	ls tmp | grep -v "^lazy-mmu-kbuild.lock$" >left; test_must_be_empty left
'

test_expect_success 'check-series-builds: each commit on the configurations it concerns' '
	build_tree series && git -C series rev-parse HEAD >series.base &&
	base=$(cat series.base) &&
	convert series && expect_rc 0 &&
	git -C series symbolic-ref HEAD >branch && head=$(git -C series rev-parse HEAD) &&
	"$TOP/scripts/check-series-builds" --configs x86_64-nopv series $base \
		>series.out 2>series.err; rc=$?; cat series.out series.err; test $rc = 0 &&
	for c in $(git -C series rev-list $base..HEAD); do
		h=$(git -C series log -1 --format=%h $c) &&
		if git -C series diff-tree --no-commit-id --name-only -r $c |
			grep -qv "^arch/powerpc/"; then
			grep -q "^ok     x86_64-nopv $h " series.out
		else
			! grep -q " $h " series.out
		fi || exit 1
	done &&
	grep -q "^ok     x86_64-nopv ${head%"${head#???????}"}.* (matrix: the whole series) (3 built, 0 skipped)$" series.out &&
	tail -n 1 series.out | grep -q "^4 commits, 4 builds, 0 failed$" &&
	test "$(git -C series rev-parse HEAD)" = "$head" &&
	git -C series worktree list >wt && test "$(wc -l <wt)" = 1
'

test_expect_success 'check-series-builds: a commit that does not build fails, named' '
	base=$(cat series.base) && git -C series checkout -q -b broken &&
	sed -i "s/zap_one/zap_one(); \/* FAKE_BUILD_ERROR *\//" series/mm/memory.c &&
	git -C series commit -q -a -m "mm: break the build" &&
	git -C series commit -q --allow-empty -m "an empty commit after it" &&
	git -C series symbolic-ref HEAD >branch &&
	"$TOP/scripts/check-series-builds" --in-place --configs x86_64-nopv \
		--build-dir "$TRASH/sb" series $base >series.out 2>series.err
	rc=$?; cat series.out; test $rc = 1 &&
	grep -q "^FAILED x86_64-nopv [0-9a-f]* mm: break the build$" series.out &&
	grep -q "^    mm/memory.c:1:1: error: fake build error$" series.out &&
	tail -n 1 series.out | grep -q "^6 commits, [0-9]* builds, 2 failed$" &&
	git -C series symbolic-ref HEAD >branch.after && test_cmp branch branch.after &&
	git -C series status --porcelain >st && test_must_be_empty st
'

test_expect_success 'check-series-builds: bad usage is status 2, one line' '
	base=$(cat series.base) &&
	"$TOP/scripts/check-series-builds" series no-such-commit >out 2>err
	test $? = 2 && test "$(wc -l <err)" = 1 && cat err &&
	echo dirt >>series/mm/memory.c &&
	"$TOP/scripts/check-series-builds" --in-place series $base >out 2>err
	test $? = 2 && grep -q "has local changes; --in-place needs a clean tree" err &&
	git -C series checkout -q -- mm/memory.c
'

test_expect_success 'build-touched --keep-config uses the .config that is there' '
	mkdir -p mine && echo CONFIG_DEBUG_PAGEALLOC=y >mine/.config && : >make.log &&
	"$TOP/scripts/build-touched" --keep-config x86_64-nopv linux mine \
		mm/memory.c >built 2>log &&
	! grep -q defconfig make.log &&
	echo CONFIG_DEBUG_PAGEALLOC=y >expect && test_cmp expect mine/.config &&
	echo CONFIG_PARAVIRT_XXL=y >>mine/.config &&
	"$TOP/scripts/build-touched" --keep-config x86_64-nopv linux mine \
		mm/memory.c >built 2>log; rc=$?; cat log; test $rc = 1 &&
	grep -q "must not have CONFIG_PARAVIRT_XXL" log
'

test_expect_success 'build-touched: bad usage is status 2' '
	"$TOP/scripts/build-touched" mips linux out 2>log; test $? = 2 &&
	grep -q "invalid choice: .mips." log &&
	"$TOP/scripts/build-touched" x86_64 nowhere out 2>log; test $? = 2 &&
	grep -q "nowhere is not a kernel tree" log
'

test_done
