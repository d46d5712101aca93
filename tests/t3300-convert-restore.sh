#!/bin/sh
# Any failure of lazy-mmu-convert, at any point, leaves the tree exactly as
# it was: HEAD and branch, refs, index, tracked files and their modes, the
# user's untracked and ignored files, no file or directory left behind.
# uses: no lazy-mmu-check (tests/convert/fake-check)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-convert.sh"

(cd "$TRASH" && make_fixture_tree pristine) >/dev/null 2>&1

# fresh_tree: a copy of the fixture with files of the user's that are not
# tracked: an untracked note, an ignored build product, an untracked file
# in a directory of its own; its state goes to "before".
fresh_tree() {
	rm -rf linux && cp -a pristine linux &&
	echo "my notes" >linux/notes.txt &&
	echo "object" >linux/mm/memory.o &&
	mkdir -p linux/scratch && echo "wip" >linux/scratch/idea.c &&
	tree_state linux >before
}

# expect_restored: the run failed with status 2, said so, and the tree is
# as before.
expect_restored() {
	expect_rc 2 &&
	grep -q "tree restored to [0-9a-f]*, as before the run" err &&
	tree_state linux >after && test_cmp before after
}

for point in generic generic:commit arch-x86 arch-x86:commit \
	arch-powerpc arch-powerpc:commit callers callers:commit verify
do
	test_expect_success "injected failure at $point: tree restored" "
		fresh_tree &&
		LAZY_MMU_CONVERT_FAIL_AT=$point convert linux &&
		expect_restored &&
		grep -q 'error: injected failure at $point' err
	"
done

test_expect_success 'the injected failure really happened after edits and commits' '
	fresh_tree &&
	LAZY_MMU_CONVERT_FAIL_AT=callers:commit convert linux &&
	grep -q "^\[1/4\] generic: 3 files changed, committed" err &&
	grep -q "^\[3/4\] arch-powerpc: 1 file changed, committed" err &&
	git -C linux reflog --format=%gs refs/heads/master >reflog &&
	grep -q "^commit: mm: fake callers step" reflog &&
	head -n 1 reflog | grep -q "^reset: moving to"
'

for kind in steperror enospc eacces bug; do
	test_expect_success "a step raising ($kind) half-way: tree restored" "
		fresh_tree &&
		FAKE_STEP_FAIL=callers:$kind convert linux &&
		expect_restored && grep -q '^lazy-mmu-convert: error: callers: ' err
	"
done

test_expect_success 'a full disk is reported with the file it hit' '
	fresh_tree &&
	FAKE_STEP_FAIL=generic:enospc convert linux && expect_restored &&
	grep -q "error: generic: No space left on device (include/linux/pgtable.h)" err
'

test_expect_success 'a bug in a step is named, not a traceback' '
	fresh_tree &&
	FAKE_STEP_FAIL=arch-x86:bug convert linux && expect_restored &&
	grep -q "error: arch-x86: KeyError" err && ! grep -q Traceback err
'

test_expect_success 'a read-only file is not changed: refused, mode kept' '
	fresh_tree && chmod a-w linux/arch/powerpc/mm/tlb.c &&
	tree_state linux >before &&
	convert linux && expect_restored &&
	grep -q "arch-powerpc: refusing to change read-only file arch/powerpc/mm/tlb.c" err &&
	test "$(stat -c %a linux/arch/powerpc/mm/tlb.c)" = 444
'

test_expect_success 'a checker that fails is a failure: tree restored' '
	fresh_tree &&
	FAKE_CHECK_CRASH=1 convert linux && expect_restored &&
	grep -q "verify: lazy-mmu-check failed: lazy-mmu-check: internal error" err
'

test_expect_success 'a failing spatch (real callers step) restores the tree' '
	fresh_tree &&
	mkdir -p fakebin &&
	printf "#!/bin/sh\necho \"spatch: cannot parse\" >&2\nexit 1\n" >fakebin/spatch &&
	chmod +x fakebin/spatch &&
	PATH="$TRASH/fakebin:$PATH" LAZY_MMU_CONVERT_STEPS=fake_steps:with_real_callers \
		convert linux && expect_restored &&
	grep -q "^\[4/4\] callers: " err &&
	grep -q "error: callers: spatch lazy_mmu_callers.cocci failed" err
'

test_expect_success 'a step that writes an untracked file of the user is stopped' '
	fresh_tree &&
	FAKE_STEP_TOUCH=arch-x86:notes.txt convert linux && expect_rc 2 &&
	grep -q "arch-x86 changed untracked files of yours, which it must not touch: notes.txt" err &&
	test -f linux/notes.txt &&
	git -C linux rev-parse HEAD >head && git -C pristine rev-parse HEAD >head.expect &&
	test_cmp head.expect head &&
	git -C linux status --porcelain >st && test_must_be_empty st
'

test_expect_success 'SIGTERM during a step: tree restored, status 2' '
	{ fresh_tree || exit 1; }
	(FAKE_STEP_WAIT=arch-powerpc:$TRASH/go convert linux) &
	{ wait_for go.started || { touch go; wait; false; }; } &&
	kill -TERM $(cat linux/.git/lazy-mmu-convert.lock) &&
	wait $! ; rm -f go.started &&
	expect_restored && grep -q "error: interrupted" err
'

test_expect_success 'a restore on a detached HEAD keeps it detached' '
	fresh_tree && git -C linux checkout -q --detach &&
	tree_state linux >before &&
	LAZY_MMU_CONVERT_FAIL_AT=callers:commit convert linux &&
	expect_restored
'

test_expect_success 'a branch that is not master is restored, others untouched' '
	fresh_tree && git -C linux checkout -q -b topic &&
	git -C linux branch other &&
	tree_state linux >before &&
	LAZY_MMU_CONVERT_FAIL_AT=verify convert linux &&
	expect_restored
'

test_done
