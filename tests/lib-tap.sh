# Shell helpers for test scripts, in the spirit of git's test-lib.sh.
# Source it from tests/tNNNN-*.sh; every assertion prints one TAP line.
#
#   test_expect_success 'what it checks' '
#           commands joined with &&
#   '
#   test_done
#
# Variables: TOP (project top), TESTS (this folder), TRASH (a scratch
# directory removed at exit unless KEEP_TRASH is set).

TESTS=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$TESTS/.." && pwd)
export TOP TESTS
PATH=$TOP/bin:$PATH
export PATH

test_count=0
test_failed=0
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/lazy-mmu-test.XXXXXX")
export TRASH
trap '[ -n "${KEEP_TRASH:-}" ] || rm -rf "$TRASH"' EXIT

say() { echo "# $*"; }

test_expect_success() {
	test_count=$((test_count + 1))
	if (cd "$TRASH" && eval "$2") >"$TRASH/.out.$test_count" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out.$test_count"
	fi
}

# A case that cannot run here for a reason no installation fixes (not
# root, a read-only mount refused) is reported as skipped, with the reason.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # skip $2"
}

# In CI (CI=true, which .ci/run sets) everything scripts/install-deps
# provides must be there: a test that cannot run for want of it fails.
in_ci() {
	case ${CI:-} in
	[Tt]rue|TRUE|1|[Yy]es) return 0 ;;
	esac
	return 1
}

# test_skip_missing 'what it checks' 'what is missing': the case needs
# something the CI machine has (a tool or a tree scripts/install-deps and
# scripts/kernel-tree provide, root): a skip on a developer's machine, a
# failure in CI.
test_skip_missing() {
	test_count=$((test_count + 1))
	if in_ci; then
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1 # missing in CI: $2"
	else
		echo "ok $test_count - $1 # skip missing: $2"
	fi
}

# skip_all_missing 'what it checks' 'what is missing': the same for the
# rest of the script, which ends here.
skip_all_missing() {
	test_skip_missing "$1" "$2"
	test_done
	exit
}

# test_have CMD...: true when every command is on PATH.
test_have() {
	for _cmd; do
		command -v "$_cmd" >/dev/null 2>&1 || return 1
	done
}

# require_cmd 'what it checks' CMD...: the rest of the script needs every
# CMD (all provided by scripts/install-deps).
require_cmd() {
	_what=$1; shift
	for _cmd; do
		test_have "$_cmd" || skip_all_missing "$_what" "$_cmd"
	done
}

test_cmp() {
	diff -u "$@"
}

test_must_be_empty() {
	test ! -s "$1" || { cat "$1"; false; }
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

# Path of a pristine tree (default 6.12; unpacked on first use).
kernel_tree() { "$TOP/scripts/kernel-tree" "$@"; }

# require_kernel_tree VAR [--git] [VERSION]: set and export VAR to the
# path kernel_tree prints, or skip the rest of the script (a failure in
# CI, where scripts/install-deps and scripts/kernel-tree provide every
# tree).  Never run a test with an empty tree path.
require_kernel_tree() {
	_var=$1; shift
	if _path=$(kernel_tree "$@" 2>"$TRASH/.kernel-tree.err") &&
	   [ -n "$_path" ] && [ -d "$_path" ]; then
		eval "$_var=\$_path"
		export "$_var"
	else
		skip_all_missing "kernel tree ${*:-6.12}" \
			"the tree ($(tail -n 1 "$TRASH/.kernel-tree.err"))"
	fi
}
