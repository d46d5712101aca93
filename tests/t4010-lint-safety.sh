#!/bin/sh
# bin/lazy-mmu-lint with hostile or broken input: every case exits 2 with
# one line on stderr, prints nothing on stdout, and writes nothing outside
# its temporary directory.  The analysers are switched off where the case
# is about the input (--no-checker --no-cocci), so these tests run before
# the checker is built; the input handling is the same code either way.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

L=$TESTS/lint

# A small fake kernel tree: Makefile, mm/a.c, and a few traps.
mkdir -p "$TRASH/outside" "$TRASH/tree/mm" "$TRASH/tree/sub"
T=$TRASH/tree
printf 'all:\n' >"$T/Makefile"
printf 'int a;\nint b;\nint c;\n' >"$T/mm/a.c"
printf 'int secret;\n' >"$TRASH/outside/victim.c"
ln -s ../outside "$T/escape"                # a directory symlink
ln -s ../../outside/victim.c "$T/mm/link.c" # a file symlink
export T L

# expect_reject PATTERN [lint args]: exit 2, one line matching PATTERN
expect_reject() {
	pat=$1; shift
	rc=0
	lazy-mmu-lint --tree "$T" ${LINT_OPTS:---no-checker --no-cocci} "$@" >out 2>err || rc=$?
	cat err
	test "$rc" = 2 &&
	test ! -s out &&
	test "$(wc -l <err)" = 1 &&
	grep -q "^lazy-mmu-lint: $pat" err
}

mkpatch() {
	# mkpatch OLD NEW: an added line in a file named OLD/NEW (a/ b/)
	printf '%s\n' "--- $1" "+++ $2" "@@ -1,3 +1,4 @@" " int a;" "+int x;" \
		" int b;" " int c;"
}

test_expect_success 'a well-formed patch against the fake tree applies' '
	mkpatch a/mm/a.c b/mm/a.c >ok.patch &&
	lazy-mmu-lint --tree "$T" --no-checker --no-cocci --stats ok.patch 2>err &&
	grep -q "1 C file analysed (mm/a.c)" err
'

test_expect_success 'a patch to a FIFO in the tree is refused, without blocking' '
	mkfifo "$T/mm/fifo.c" &&
	mkpatch a/mm/fifo.c b/mm/fifo.c >p &&
	expect_reject "mm/fifo.c is not a regular file$" p &&
	rm "$T/mm/fifo.c"
'

test_expect_success 'a ../ path (fixture) is rejected' '
	expect_reject "path escapes the tree: \.\./escape\.c$" "$L/dotdot-path.patch" &&
	test ! -e "$TRASH/escape.c" && test ! -e "$(dirname "$T")/escape.c"
'

test_expect_success 'a ../ in the middle of a path is rejected' '
	mkpatch a/mm/../../outside/victim.c b/mm/../../outside/victim.c >p &&
	expect_reject "path escapes the tree" p &&
	test "$(cat "$TRASH/outside/victim.c")" = "int secret;"
'

test_expect_success 'an absolute path (fixture) is rejected' '
	expect_reject "absolute path in patch: /tmp/lazy-mmu-lint-owned.c$" \
		"$L/absolute-path.patch" &&
	test ! -e /tmp/lazy-mmu-lint-owned.c
'

test_expect_success 'a path through a directory symlink is rejected' '
	mkpatch a/escape/victim.c b/escape/victim.c >p &&
	expect_reject "path goes through a symlink in the tree: escape/victim.c$" p &&
	test "$(cat "$TRASH/outside/victim.c")" = "int secret;"
'

test_expect_success 'a patch to a file that is a symlink is rejected' '
	printf "%s\n" "--- a/mm/link.c" "+++ b/mm/link.c" "@@ -1 +1,2 @@" \
		" int secret;" "+int y;" >p &&
	expect_reject "path goes through a symlink in the tree: mm/link.c$" p
'

test_expect_success 'a git patch creating a symlink is rejected' '
	printf "%s\n" "diff --git a/mm/new b/mm/new" "new file mode 120000" \
		"index 0000000..1111111" "--- /dev/null" "+++ b/mm/new" \
		"@@ -0,0 +1 @@" "+/etc/passwd" "\\ No newline at end of file" >p &&
	expect_reject "symlink patch is not supported: mm/new$" p
'

test_expect_success 'a path into .git is rejected' '
	mkpatch a/.git/config b/.git/config >p &&
	expect_reject "path inside .git: .git/config$" p
'

test_expect_success 'a git binary patch (fixture) is rejected' '
	expect_reject "binary patch is not supported: Documentation/logo.png$" \
		"$L/binary.patch"
'

test_expect_success 'a "Binary files differ" diff is rejected' '
	printf "%s\n" "diff --git a/x.bin b/x.bin" "index 1..2 100644" \
		"Binary files a/x.bin and b/x.bin differ" >p &&
	expect_reject "binary patch is not supported" p
'

test_expect_success 'binary input (NUL bytes) is rejected' '
	printf "\0\1\2ELF" >p &&
	expect_reject "input is binary, not a patch$" p
'

test_expect_success 'text that is not a patch is rejected' '
	printf "Hello,\n\nthis mail has no diff.\n" >p &&
	expect_reject "input is not a patch (no unified diff found)$" p
'

test_expect_success 'empty input on stdin is rejected' '
	expect_reject "input is not a patch" - </dev/null
'

test_expect_success 'a patch over 10 MB is rejected without reading it all' '
	{ mkpatch a/mm/a.c b/mm/a.c; head -c 11000000 /dev/zero | tr "\0" "x"; } >big &&
	expect_reject "big: patch too large (over 10 MB)$" big
'

test_expect_success 'a missing patch file is an error' '
	expect_reject "cannot read nosuch.patch: No such file or directory$" nosuch.patch
'

test_expect_success 'a corrupt hunk is an error, not a crash' '
	printf "%s\n" "--- a/mm/a.c" "+++ b/mm/a.c" "@@ -1,3 +1,4 @@" " int a;" \
		"+int x;" "garbage" >p &&
	expect_reject "corrupt patch" p
'

test_expect_success 'a hunk whose context does not match: does not apply' '
	printf "%s\n" "--- a/mm/a.c" "+++ b/mm/a.c" "@@ -1,3 +1,4 @@" " int q;" \
		"+int x;" " int b;" " int c;" >p &&
	expect_reject "patch does not apply: patch failed: mm/a.c:1$" p
'

test_expect_success 'a patch to a file the tree lacks: does not apply' '
	mkpatch a/mm/none.c b/mm/none.c >p &&
	expect_reject "patch does not apply: mm/none.c: No such file or directory$" p
'

test_expect_success 'a tree that is not a kernel tree: clear error' '
	mkpatch a/mm/a.c b/mm/a.c >p &&
	rc=0; (cd "$TRASH/outside" && lazy-mmu-lint p) 2>err || rc=$?
	test "$rc" = 2 && grep -q "use --tree" err
'

test_expect_success 'a bad --range is an error' '
	rc=0; lazy-mmu-lint --tree "$T" --range nothing 2>err || rc=$?
	test "$rc" = 2 && grep -q "^lazy-mmu-lint: --range wants A..B" err
'

test_expect_success 'a cocci rule that fails in spatch: exit 2, with the reason' '
	mkdir -p boom &&
	printf "%s\n" "virtual report" "@r depends on report@" "position p;" "@@" \
		"foo@p();" "@script:python depends on report@" "p << r.p;" "@@" \
		"raise Exception(\"boom\")" >boom/boom.cocci &&
	printf "%s\n" "void f(void)" "{" "	foo();" "}" >"$T/mm/f.c" &&
	printf "%s\n" "--- a/mm/f.c" "+++ b/mm/f.c" "@@ -1,4 +1,5 @@" " void f(void)" \
		" {" " 	foo();" "+	foo();" " }" >p &&
	LINT_OPTS="--no-checker --tree-api=converted" &&
	expect_reject "spatch boom.cocci failed: .*" --cocci-dir boom p &&
	grep -Eq "Python|Exception|boom" err &&
	unset LINT_OPTS &&
	rm "$T/mm/f.c"
'

test_expect_success 'the tree and the outside were left alone' '
	test "$(cat "$T/mm/a.c")" = "$(printf "int a;\nint b;\nint c;")" &&
	test "$(cat "$TRASH/outside/victim.c")" = "int secret;" &&
	test "$(ls "$T/mm" | tr "\n" " ")" = "a.c link.c "
'

test_expect_success 'no temporary directory is left behind' '
	mkdir -p tmp &&
	mkpatch a/mm/a.c b/mm/a.c >p &&
	TMPDIR=$TRASH/tmp lazy-mmu-lint --tree "$T" --no-checker --no-cocci p &&
	TMPDIR=$TRASH/tmp lazy-mmu-lint --tree "$T" --no-checker --no-cocci \
		"$L/dotdot-path.patch" 2>/dev/null; test $? = 2 &&
	printf "%s\n" "--- a/mm/a.c" "+++ b/mm/a.c" "@@ -1,3 +1,4 @@" " int q;" \
		"+int x;" " int b;" " int c;" >bad &&
	TMPDIR=$TRASH/tmp lazy-mmu-lint --tree "$T" --no-checker --no-cocci bad 2>/dev/null; test $? = 2 &&
	test -z "$(ls -A tmp)"
'

test_done
