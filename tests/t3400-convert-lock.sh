#!/bin/sh
# One lazy-mmu-convert per tree: a second run is refused while the first
# holds the lock, and a lock left by a dead run does not block anyone.
# uses: no lazy-mmu-check (tests/convert/fake-check)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-convert.sh"

(cd "$TRASH" && make_fixture_tree linux) >/dev/null 2>&1

test_expect_success 'a second run on the same tree is refused, naming the pid' '
	(FAKE_STEP_WAIT=arch-x86:$TRASH/go lazy-mmu-convert linux >out1 2>err1;
	 echo $? >rc1) &
	{ wait_for go.started || { touch go; wait; false; }; } &&
	pid=$(cat linux/.git/lazy-mmu-convert.lock) &&
	convert linux && expect_rc 2 &&
	test "$(wc -l <err)" -eq 1 &&
	grep -q "another lazy-mmu-convert (pid $pid) is running on this tree" err &&
	touch go && wait &&
	echo 0 >rc1.expect && test_cmp rc1.expect rc1 &&
	grep -q "^Commits (4" out1
'

test_expect_success 'the lock is gone after a run' '
	test ! -e linux/.git/lazy-mmu-convert.lock
'

test_expect_success 'the refused run changed nothing of the first run' '
	test "$(git -C linux rev-list --count HEAD)" = 5 &&
	git -C linux status --porcelain >st && test_must_be_empty st
'

test_expect_success 'a stale lock from a dead pid is taken over, with a note' '
	make_fixture_tree stale >/dev/null &&
	sh -c "exit 0" & wait $! && dead=$! &&
	echo $dead >stale/.git/lazy-mmu-convert.lock &&
	convert stale && expect_rc 0 &&
	grep -q "took over the lock of pid $dead, which is no longer running" err &&
	test ! -e stale/.git/lazy-mmu-convert.lock
'

test_expect_success 'a run killed with SIGKILL leaves a lock that does not block' '
	{ make_fixture_tree killed >/dev/null && rm -f go go.started || exit 1; }
	(FAKE_STEP_WAIT=generic:$TRASH/go exec lazy-mmu-convert killed >/dev/null 2>&1) &
	{ wait_for go.started || { touch go; wait; false; }; } &&
	kill -KILL $(cat killed/.git/lazy-mmu-convert.lock) && wait;
	test -e killed/.git/lazy-mmu-convert.lock &&
	git -C killed reset -q --hard && git -C killed clean -q -f -d -x -e .git &&
	convert killed && expect_rc 0 &&
	grep -q "took over the lock of pid" err
'

test_expect_success 'a dry run does not take the lock' '
	{ make_fixture_tree dry >/dev/null && rm -f go go.started || exit 1; }
	(FAKE_STEP_WAIT=callers:$TRASH/go lazy-mmu-convert dry >/dev/null 2>&1) &
	{ wait_for go.started || { touch go; wait; false; }; } &&
	convert --dry-run dry; touch go; wait;
	expect_rc 2 && grep -q "has local changes" err
'

test_done
