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

# A case that cannot run here is reported as skipped, with the reason.
test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # skip $2"
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}

# Path of the pristine 6.12 tree (unpacked on first use).
kernel_tree() { "$TOP/scripts/kernel-tree" "$@"; }
