#!/bin/sh
# lazy-mmu-convert on a fixture tree with fake steps: one commit per step,
# the output contract, idempotence, --no-commit, --arch, --dry-run and the
# checker's verdict.
# uses: no lazy-mmu-check (tests/convert/fake-check)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-convert.sh"

test_expect_success 'a conversion makes one commit per step, in order' '
	make_fixture_tree linux && base=$(git -C linux rev-parse HEAD) &&
	convert linux && expect_rc 0 &&
	git -C linux log --reverse --format=%s $base..HEAD >subjects &&
	cat >subjects.expect <<-\EOF &&
	mm: add the fake generic layer
	x86/mm: fake x86 step
	powerpc/mm: fake powerpc step
	mm: fake callers step
	EOF
	test_cmp subjects.expect subjects &&
	git -C linux status --porcelain >status && test_must_be_empty status
'

test_expect_success 'each commit has the step body, naming its .cocci, and the trailer' '
	for n in 1 2 3 4; do
		git -C linux log -1 --format=%B HEAD~$((4 - n)) >msg &&
		grep -q "^Generated with the semantic patch cocci/fake_.*\.cocci" msg &&
		sed "/^\$/d" msg | tail -n 1 | grep -q "^Generated-by: lazy-mmu-convert" ||
		exit 1
	done
'

test_expect_success 'each commit holds exactly its step'"'"'s files' '
	git -C linux show --format= --name-only HEAD~3 >files &&
	printf "include/linux/pgtable.h\nmm/Kconfig\nmm/tests/fake_kunit.c\n" >files.expect &&
	test_cmp files.expect files &&
	git -C linux show --format= --name-only HEAD >files &&
	echo mm/memory.c >files.expect && test_cmp files.expect files
'

test_expect_success 'a new file is committed although .gitignore ignores it' '
	git -C linux ls-files mm/tests >tracked &&
	echo mm/tests/fake_kunit.c >tracked.expect && test_cmp tracked.expect tracked
'

test_expect_success 'the commits use the configured identity' '
	git -C linux log -1 --format="%an <%ae>|%cn <%ce>" >who &&
	echo "A U Thor <author@example.com>|C O Mitter <committer@example.com>" >who.expect &&
	test_cmp who.expect who
'

test_expect_success 'stdout has the commit list, the diffstat and the review list' '
	grep -q "^Commits (4, on top of" out &&
	grep -q "^  [0-9a-f]* mm: fake callers step$" out &&
	grep -q "^Diffstat" out &&
	grep -q "mm/memory.c *| *4 ++--" out &&
	grep -q " 7 files changed, 8 insertions(+), 7 deletions(-)" out &&
	grep -q "^Left for manual review (1):" out &&
	grep -q "^  arch/x86/xen/enlighten.c:3: kept: pairs across functions" out &&
	grep -q "^Verification:$" out &&
	grep -q "^  fake-check on 5 touched .c/.h files: no findings$" out &&
	grep -q "^  not built: no object was compiled (--build all compiles the touched objects)$" out &&
	! grep -q "no findings on the touched files" out &&
	! grep -q "^\[" out
'

test_expect_success 'stderr has one progress line per step and its result' '
	grep -q "^\[1/4\] generic: mm: add the fake generic layer \.\.\.$" err &&
	grep -q "^\[1/4\] generic: 3 files changed, committed [0-9a-f]* ([0-9]* s)$" err &&
	grep -q "^\[2/4\] arch-x86: 2 files changed" err &&
	grep -q "^\[3/4\] arch-powerpc: 1 file changed" err &&
	grep -q "^\[4/4\] callers: 1 file changed" err &&
	grep -q "^verify: fake-check on 5 touched files$" err
'

test_expect_success 'the checker ran on every touched .c and .h file' '
	make_fixture_tree linux-log &&
	FAKE_CHECK_LOG=$TRASH/check.log convert linux-log && expect_rc 0 &&
	tr " " "\n" <check.log | sort >checked &&
	cat >checked.expect <<-\EOF &&
	arch/powerpc/mm/tlb.c
	arch/x86/include/asm/paravirt.h
	include/linux/pgtable.h
	mm/memory.c
	mm/tests/fake_kunit.c
	EOF
	test_cmp checked.expect checked
'

test_expect_success 'a second run is a no-op' '
	head=$(git -C linux rev-parse HEAD) &&
	tree_state linux >before &&
	convert linux && expect_rc 0 &&
	grep -q "^Nothing to do: .* already uses the generic lazy MMU API" out &&
	grep -q "^\[4/4\] callers: already done$" err &&
	tree_state linux >after && test_cmp before after
'

test_expect_success 'a partly converted tree gets only what is missing' '
	make_fixture_tree part &&
	sed -i "s/batch->active/is_lazy_mmu_mode_active()/" part/arch/powerpc/mm/tlb.c &&
	git -C part commit -q -a -m "powerpc by hand" &&
	convert part && expect_rc 0 &&
	grep -q "^\[3/4\] arch-powerpc: already done$" err &&
	git -C part log --format=%s >subjects &&
	! grep -q "fake powerpc" subjects &&
	test "$(git -C part rev-list --count HEAD)" = 5
'

test_expect_success '--no-commit leaves the changes in the work tree' '
	make_fixture_tree nocommit && head=$(git -C nocommit rev-parse HEAD) &&
	convert --no-commit nocommit && expect_rc 0 &&
	test "$(git -C nocommit rev-parse HEAD)" = "$head" &&
	git -C nocommit diff --name-only >changed &&
	cat >changed.expect <<-\EOF &&
	arch/powerpc/mm/tlb.c
	arch/x86/Kconfig
	arch/x86/include/asm/paravirt.h
	include/linux/pgtable.h
	mm/Kconfig
	mm/memory.c
	mm/tests/fake_kunit.c
	EOF
	test_cmp changed.expect changed &&
	git -C nocommit diff --cached --quiet &&
	grep -q "^Uncommitted changes" out && ! grep -q "^Commits" out &&
	! grep -q committed err
'

test_expect_success '--arch limits the arch steps, not the generic ones' '
	make_fixture_tree onlyx86 &&
	convert --arch x86 onlyx86 && expect_rc 0 &&
	grep -q "^\[3/4\] arch-powerpc: skipped (--arch x86)$" err &&
	git -C onlyx86 log --format=%s >subjects &&
	grep -q "fake x86 step" subjects && grep -q "fake callers" subjects &&
	! grep -q "fake powerpc" subjects &&
	grep -q "batch->active" onlyx86/arch/powerpc/mm/tlb.c
'

test_expect_success '--dry-run prints the diffstat and changes nothing' '
	make_fixture_tree dry && echo mine >dry/untracked.txt &&
	tree_state dry >before &&
	convert --dry-run dry && expect_rc 0 &&
	grep -q "mm/memory.c *| *4 ++--" out &&
	grep -q "^Dry run: nothing was changed in dry\.$" out &&
	tree_state dry >after && test_cmp before after &&
	git -C dry worktree list >wt && test "$(wc -l <wt)" = 1
'

test_expect_success '--dry-run leaves no temporary copy behind' '
	mkdir -p tmp &&
	TMPDIR=$TRASH/tmp lazy-mmu-convert --dry-run dry >out 2>err &&
	ls tmp >left && test_must_be_empty left
'

test_expect_success 'checker findings: status 1, listed, the series is kept' '
	make_fixture_tree finding &&
	sed -i "s/zap_one();/zap_one(); \/* FAKE_FINDING *\//" finding/mm/memory.c &&
	git -C finding commit -q -a -m "add a finding" &&
	head=$(git -C finding rev-parse HEAD) &&
	convert finding && expect_rc 1 &&
	grep -q "^  fake-check on 5 touched .c/.h files: 1 finding:$" out &&
	grep -q "^    mm/memory.c:4:1: fake finding \[lazy-mmu-fake\]" out &&
	test "$(git -C finding rev-list --count $head..HEAD)" = 4
'

test_expect_success 'a function the checker cannot parse: status 1, said, the series is kept' '
	make_fixture_tree skip &&
	sed -i "s/zap_one();/zap_one(); \/* FAKE_SKIP *\//" skip/mm/memory.c &&
	git -C skip commit -q -a -m "add an unparsable function" &&
	head=$(git -C skip rev-parse HEAD) &&
	convert skip && expect_rc 1 &&
	cat out &&
	grep -q "^  fake-check on 5 touched .c/.h files: no findings$" out &&
	grep -q "^  fake-check could not parse 1 function, which was not checked:$" out &&
	grep -q "^    mm/memory.c:4: cannot parse function .f. (fake); function skipped$" out &&
	! grep -q "restored" err &&
	test "$(git -C skip rev-list --count $head..HEAD)" = 4
'

test_expect_success 'bad --build and --build-dir: status 2, one line, nothing changed' '
	make_fixture_tree badbuild && tree_state badbuild >before &&
	convert --build mips badbuild && expect_rc 2 &&
	grep -q "error: --build: unknown configuration .mips. (choose from all, x86, powerpc, sparc, arm64, x86_64, x86_64-nopv, powerpc64, sparc64, arm64)" err &&
	convert --build , badbuild && expect_rc 2 &&
	grep -q "error: --build: empty list of configurations" err &&
	convert --build-dir "$TRASH/bd" badbuild && expect_rc 2 &&
	grep -q "error: --build-dir: only with --build" err &&
	tree_state badbuild >after && test_cmp before after && test ! -e bd
'

test_expect_success 'without a git identity, commits fall back to a named one' '
	make_fixture_tree anon &&
	(unset GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL &&
	 convert anon) && expect_rc 0 &&
	grep -q "no git user.name/user.email set; committing as lazy-mmu-convert" err &&
	git -C anon log -1 --format="%an <%ae>" >who &&
	echo "lazy-mmu-convert <lazy-mmu-convert@localhost>" >who.expect &&
	test_cmp who.expect who
'

test_expect_success 'a detached HEAD is converted and stays detached' '
	make_fixture_tree detached && git -C detached checkout -q --detach &&
	convert detached && expect_rc 0 &&
	! git -C detached symbolic-ref -q HEAD &&
	test "$(git -C detached rev-list --count HEAD)" = 5 &&
	test "$(git -C detached rev-list --count master)" = 1
'

test_expect_success 'a linked worktree is converted on its own branch' '
	make_fixture_tree main >/dev/null &&
	git -C main worktree add -q -b topic "$TRASH/wtree" &&
	main_head=$(git -C main rev-parse master) &&
	convert wtree && expect_rc 0 &&
	test "$(git -C wtree rev-list --count master..topic)" = 4 &&
	test "$(git -C main rev-parse master)" = "$main_head" &&
	git -C main status --porcelain >st && test_must_be_empty st &&
	test ! -e main/.git/worktrees/wtree/lazy-mmu-convert.lock
'

test_expect_success 'a reader that goes away early (| head) is not an error' '
	make_fixture_tree pipe >/dev/null &&
	{ lazy-mmu-convert pipe 2>err; echo $? >rc; } | head -n 1 >first &&
	expect_rc 0 && ! grep -q Traceback err &&
	grep -q "^Commits (4" first &&
	test "$(git -C pipe rev-list --count HEAD)" = 5
'

test_done
