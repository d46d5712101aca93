#!/bin/sh
# bin/lazy-mmu-lint --range A..B on a git clone of the 6.12 tree, and a
# git format-patch series on stdin.  The commits are the fixture patches
# of tests/lint/, made with plumbing on a clone without a checkout (the
# range mode only reads git objects, never the work tree).  6.12 has the
# legacy API, so new-api-caller.patch (lazy_mmu_mode_enable() in
# mm/vmalloc.c) is a finding there; t4040 lints ranges whose commits
# change the tree's API.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

require_cmd 'lazy-mmu-lint --range' spatch git
require_kernel_tree K 6.12
require_kernel_tree repo --git 6.12
L=$TESTS/lint
R=$TRASH/repo
export L R

commit_patch() {
	# commit_patch PARENT PATCH MSG [-R]: print the new commit's id
	GIT_INDEX_FILE=$TRASH/index git -C "$R" read-tree "$1" &&
	GIT_INDEX_FILE=$TRASH/index git -C "$R" apply --cached $4 "$2" &&
	t=$(GIT_INDEX_FILE=$TRASH/index git -C "$R" write-tree) &&
	git -C "$R" -c user.name=T -c user.email=t@example.org \
		commit-tree -p "$1" -m "$3" "$t"
}

test_expect_success 'clone the 6.12 repository and commit the fixtures' '
	git clone -q --no-checkout --shared "$repo" "$R" &&
	base=$(git -C "$R" rev-parse HEAD) &&
	c1=$(commit_patch "$base" "$L/new-api-caller.patch" "mm/vmalloc: lazy") &&
	c2=$(commit_patch "$c1" "$L/early-return.patch" "mm: early return") &&
	c3=$(commit_patch "$base" "$L/clean-refactor.patch" "mm: refactor") &&
	c4=$(commit_patch "$c2" "$L/early-return.patch" "mm: undo the early return" -R) &&
	echo "$base $c1 $c2 $c3 $c4" >"$TRASH/commits"
'
read base c1 c2 c3 c4 <"$TRASH/commits" 2>/dev/null || true

# lint RC OUT ARGS...: lazy-mmu-lint ARGS, stdout in OUT and stderr in
# OUT.err; fails unless it exited RC.
lint() {
	want=$1 out=$2
	shift 2
	rc=0
	lazy-mmu-lint "$@" >"$out" 2>"$out.err" || rc=$?
	if [ "$rc" != "$want" ]; then
		echo "lazy-mmu-lint $*: exit $rc, expected $want"
		cat "$out" "$out.err"
		return 1
	fi
}

test_expect_success '--range over a clean refactor: exit 0' '
	lint 0 out --tree "$R" --range "$base..$c3" &&
	test ! -s out
'

test_expect_success '--range over one commit = the same patch on a file' '
	lint 1 out --tree "$R" --range "$c1..$c2" &&
	lint 1 expect --tree "$K" "$L/early-return.patch" &&
	test_cmp expect out
'

test_expect_success '--range over two commits reports both' '
	lint 1 out --tree "$R" --range "$base..$c2" &&
	grep -q "^mm/vmalloc.c:403:2: error: lazy_mmu_mode_enable() is not in this tree" out &&
	grep -q "^mm/memory.c:2560:" out
'

test_expect_success '--range A...B starts from the merge base' '
	# c3 and c2 fork at base: c3...c2 is base..c2
	lint 1 out3 --tree "$R" --range "$c3...$c2" &&
	lint 1 out2 --tree "$R" --range "$base..$c2" &&
	test_cmp out2 out3
'

test_expect_success 'a bug added and removed in the range: the net change is clean' '
	lint 0 out --tree "$R" --range "$c1..$c4" &&
	test ! -s out
'

test_expect_success '--each lints every commit: the one that added it is named' '
	lint 1 out --tree "$R" --range "$base..$c4" --each --stats &&
	cat out out.err &&
	grep -q "^lazy-mmu-lint: 3 commits linted one by one$" out.err &&
	grep -q "^mm/memory.c:2560:4: warning: .*\[lazy-mmu-unbalanced-return\]$" out &&
	grep -q "^mm/memory.c:2560:4: note: introduced by commit $(echo $c2 | cut -c1-12) (\"mm: early return\")$" out &&
	grep -q "^mm/vmalloc.c:403:2: note: introduced by commit $(echo $c1 | cut -c1-12) " out
'

test_expect_success '--each in JSON carries the commit id' '
	lint 1 json --tree "$R" --range "$base..$c4" --each --format=json &&
	grep -q "\"commit\": \"$c2\"" json &&
	grep -q "\"commit\": \"$c1\"" json
'

test_expect_success '--each without --range is an error' '
	rc=0; lazy-mmu-lint --tree "$R" --each "$L/early-return.patch" 2>err || rc=$?
	test "$rc" = 2 && grep -q "each goes with --range" err
'

test_expect_success 'a format-patch series on stdin is applied in order' '
	git -C "$R" format-patch -q --stdout "$base..$c2" >series.mbox &&
	test "$(grep -c "^From [0-9a-f]\{40\} " series.mbox)" = 2 &&
	lint 1 out --tree "$K" - <series.mbox &&
	lint 1 expect --tree "$R" --range "$base..$c2" &&
	test_cmp expect out
'

test_expect_success 'a bad revision in --range: exit 2' '
	rc=0; lazy-mmu-lint --tree "$R" --range "$base..nosuchrev" 2>err || rc=$?
	test "$rc" = 2 &&
	grep -q "^lazy-mmu-lint: bad revision .nosuchrev.$" err
'

test_expect_success '--range and patch files together: exit 2' '
	rc=0; lazy-mmu-lint --tree "$R" --range "$base..$c1" "$L/early-return.patch" 2>err || rc=$?
	test "$rc" = 2 && grep -q "either --range or patch files" err
'

test_done
