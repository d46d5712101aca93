#!/bin/sh
# lazy-mmu-convert refuses, with one line and status 2, every request it
# cannot carry out safely, before it changes anything.
# uses: no lazy-mmu-check (tests/convert/fake-check)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-convert.sh"

(cd "$TRASH" && make_fixture_tree linux) >/dev/null 2>&1

test_expect_success 'no tree: usage error, status 2' '
	convert && expect_rc 2 && grep -q "usage: lazy-mmu-convert" err
'

test_expect_success '--help prints the usage on stdout, status 0' '
	convert --help && expect_rc 0 &&
	grep -q -- "--dry-run" out && grep -q -- "--no-commit" out
'

test_expect_success 'unknown --arch is refused, naming it' '
	convert --arch x86,mips linux && expect_rc 2 &&
	grep -q "unknown arch .mips." err
'

test_expect_success 'a missing directory is refused' '
	convert nowhere && expect_rc 2 &&
	test "$(wc -l <err)" -eq 1 && grep -q "not a directory" err
'

test_expect_success 'a directory that is not a git work tree is refused' '
	mkdir -p plain && convert plain && expect_rc 2 &&
	test "$(wc -l <err)" -eq 1 && grep -q "not a git work tree" err
'

test_expect_success 'a git tree that is not a kernel tree is refused' '
	git init -q notkernel && echo hi >notkernel/README &&
	git -C notkernel add README && git -C notkernel commit -q -m x &&
	convert notkernel && expect_rc 2 &&
	test "$(wc -l <err)" -eq 1 &&
	grep -q "does not look like a Linux kernel tree" err
'

test_expect_success 'a subdirectory of the kernel tree is refused' '
	convert linux/mm && expect_rc 2 &&
	grep -q "give the top of the kernel tree" err
'

test_expect_success 'a tree with local changes is refused, with the list' '
	tree_state linux >before &&
	echo "/* mine */" >>linux/mm/memory.c &&
	echo "x" >>linux/mm/Kconfig && git -C linux add -f mm/Kconfig &&
	convert linux && expect_rc 2 &&
	grep -q "has local changes" err &&
	grep -q " M mm/memory.c" err && grep -q "M  mm/Kconfig" err &&
	grep -q "/\* mine \*/" linux/mm/memory.c &&
	git -C linux diff --cached --name-only >staged &&
	echo mm/Kconfig >staged.expect && test_cmp staged.expect staged &&
	git -C linux reset -q --hard &&
	tree_state linux >after && test_cmp before after
'

test_expect_success 'untracked files alone do not make the tree dirty' '
	echo scratch >linux/notes.txt &&
	convert --dry-run linux && expect_rc 0 &&
	rm linux/notes.txt
'

test_expect_success 'an untracked file where the series creates one is refused' '
	mkdir -p linux/mm/tests && echo "/* my own test */" >linux/mm/tests/fake_kunit.c &&
	tree_state linux >before &&
	convert linux && expect_rc 2 && test "$(wc -l <err)" -eq 1 &&
	grep -q "mm/tests/fake_kunit.c. is not tracked by git and the conversion creates it" err &&
	tree_state linux >after && test_cmp before after &&
	grep -q "my own test" linux/mm/tests/fake_kunit.c &&
	convert --dry-run linux && expect_rc 2 &&
	convert --arch powerpc linux && expect_rc 2 &&
	rm -r linux/mm/tests
'

test_expect_success 'a tree in the middle of a merge is refused' '
	cp linux/.git/HEAD linux/.git/MERGE_HEAD &&
	convert linux && expect_rc 2 && grep -q "middle of a merge" err &&
	rm linux/.git/MERGE_HEAD
'

test_expect_success 'a tree without commits is refused' '
	make_fixture_tree unborn >/dev/null 2>&1 &&
	rm -rf unborn/.git && git init -q unborn &&
	convert unborn && expect_rc 2 && grep -q "has no commit" err
'

test_expect_success 'missing spatch: one line, status 2, tree untouched' '
	tree_state linux >before &&
	SPATCH=/nonexistent/spatch lazy-mmu-convert linux >out 2>err;
	echo $? >rc && expect_rc 2 &&
	test "$(wc -l <err)" -eq 1 && grep -q "spatch not found" err &&
	tree_state linux >after && test_cmp before after
'

test_expect_success 'spatch missing from PATH is found out too' '
	mkdir -p minbin &&
	for p in git python3 env; do ln -sf "$(command -v $p)" minbin/$p; done &&
	env -u SPATCH PATH="$TRASH/minbin" \
		"$TOP/bin/lazy-mmu-convert" linux >out 2>err;
	echo $? >rc && expect_rc 2 && grep -q "spatch not found" err
'

test_expect_success 'missing checker: one line, status 2' '
	tree_state linux >before &&
	LAZY_MMU_CHECK=/nonexistent/lazy-mmu-check \
		lazy-mmu-convert linux >out 2>err;
	echo $? >rc && expect_rc 2 &&
	test "$(wc -l <err)" -eq 1 && grep -q "no such program" err &&
	tree_state linux >after && test_cmp before after
'

# As root, permission bits do not stop writes; a read-only bind mount
# does, when this sandbox lets us make one (it is unmounted at once).
if [ "$(id -u)" -ne 0 ]; then
	test_expect_success 'a read-only tree is refused' '
		chmod -R a-w linux &&
		convert linux; chmod -R u+w linux && expect_rc 2 &&
		test "$(wc -l <err)" -eq 1 && grep -q "is read-only" err
	'
elif mkdir -p "$TRASH/ro" &&
	mount --bind -o ro "$TRASH/linux" "$TRASH/ro" 2>/dev/null; then
	test_expect_success 'a read-only tree (read-only mount) is refused' '
		convert ro; umount ro && expect_rc 2 &&
		test "$(wc -l <err)" -eq 1 && grep -q "is read-only" err
	'
	umount "$TRASH/ro" 2>/dev/null
else
	test_skip 'a read-only tree is refused' \
		'running as root and cannot make a read-only mount here'
fi

test_done
