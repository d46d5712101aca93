#!/bin/sh
# lazy-mmu-check on hostile and broken input: the bad-input table of
# docs/robustness.md.  Each case: no crash and no sanitizer report, the
# exit status the table gives (0 clean, 1 findings or an incomplete check,
# 2 I/O or usage error), the note or one-line reason it promises, and a
# peak RSS under a generous bound.  Big inputs are generated here, in
# $TRASH.  Under 'make check SANITIZE=1' the same cases run against the
# ASan+UBSan build.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

# check ARGS...: run lazy-mmu-check in $TRASH; stdout in out, stderr in
# err, status in rc (negative: killed by that signal), peak RSS in KB in
# mem.  The watchdog only turns a hang into a failure (status -9); it is
# no time limit for a run that ends.
check() {
	python3 - "$@" <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import resource, subprocess, sys
	with open("out", "wb") as o, open("err", "wb") as e:
	    try:
	        rc = subprocess.call(["lazy-mmu-check"] + sys.argv[1:], stdout=o,
	                             stderr=e, stdin=subprocess.DEVNULL, timeout=900)
	    except subprocess.TimeoutExpired:
	        rc = -9
	open("rc", "w").write("%d\n" % rc)
	open("mem", "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
	PY
}

# expect_rc N: the status was N, and nothing crashed or complained.
expect_rc() {
	echo "$1" >rc.expect &&
	if ! cmp -s rc.expect rc; then
		echo "exit status $(cat rc), expected $1"; cat err; return 1
	fi &&
	if grep -E 'Sanitizer|runtime error|internal error' err; then
		return 1
	fi
}

# mem_below MB: the peak RSS of the last run.
mem_below() {
	if [ "$(cat mem)" -ge $(($1 * 1024)) ]; then
		echo "peak RSS $(cat mem) KB, bound $1 MB"; return 1
	fi
}

# one_note PATTERN: exactly one [lazy-mmu-parse] note, matching PATTERN.
one_note() {
	grep 'note: .*\[lazy-mmu-parse\]' out >notes;
	test "$(wc -l <notes)" -eq 1 && grep -q "$1" notes || { cat out; return 1; }
}

# A function with a finding: an early return out of a section.
bad_fn() {
	printf 'int %s(struct b *b)\n{\n\tlazy_mmu_mode_enable();\n\tif (b->err)\n\t\treturn -1;\n\tlazy_mmu_mode_disable();\n\treturn 0;\n}\n' "$1"
}

test_expect_success 'empty file: status 0, no output' '
	: >empty.c && check empty.c && expect_rc 0 &&
	test_must_be_empty() { test ! -s "$1"; } &&
	test_must_be_empty out && test_must_be_empty err && mem_below 256
'

test_expect_success '100,000 nested braces: note, status 1' '
	python3 -c "print(\"void f(void)\n{\n\tlazy_mmu_mode_enable();\n\" + \"{\" * 100000 + \"}\" * 100000 + \"\n}\")" >braces.c &&
	check braces.c && expect_rc 1 &&
	one_note "braces.c:4:.*cannot parse function .f. (statements nested too deeply" &&
	mem_below 512
'

test_expect_success '100,000 nested if statements: note, status 1' '
	python3 -c "print(\"void f(void)\n{\n\tlazy_mmu_mode_enable();\n\" + \"if (x) \" * 100000 + \";\n}\")" >ifs.c &&
	check ifs.c && expect_rc 1 &&
	one_note "cannot parse function .f. (statements nested too deeply" &&
	mem_below 512
'

test_expect_success '100,000 open parentheses in a call: note, status 1' '
	python3 -c "print(\"void f(void)\n{\n\tlazy_mmu_mode_enable(\" + \"(\" * 100000 + \");\n}\")" >parens.c &&
	check parens.c && expect_rc 1 &&
	one_note "parens.c:2:1: note: this .{. has no matching .}." &&
	mem_below 512
'

test_expect_success '#if with 100,000 parentheses or 200,000 !: unknown, no stack overflow' '
	{ python3 -c "print(\"#if \" + \"(\" * 100000 + \"1\" + \")\" * 100000)" &&
	  printf "int x;\n#endif\n" && bad_fn after; } >pp-paren.c &&
	check pp-paren.c && expect_rc 1 && grep -q "pp-paren.c:.*warning: returning" out &&
	mem_below 512 &&
	{ python3 -c "print(\"#if \" + \"!\" * 200000 + \"1\")" &&
	  printf "int x;\n#endif\n" && bad_fn after; } >pp-not.c &&
	check pp-not.c && expect_rc 1 && grep -q "pp-not.c:.*warning: returning" out &&
	mem_below 512
'

test_expect_success '100,000 nested #if groups: no crash, the function after them checked' '
	python3 -c "print(\"#ifdef A\n\" * 100000 + \"int x;\n\" + \"#endif\n\" * 100000)" >pp-nest.c &&
	bad_fn after >>pp-nest.c &&
	check pp-nest.c && expect_rc 1 && grep -q "warning: returning" out &&
	mem_below 512
'

# 50 MB of functions that matter, the bad one last: all of it is read,
# lexed and split, so memory grows with the file (docs/robustness.md).
test_expect_success '20,000 gotos back and forth in one function: the state budget ends it' '
	python3 - >gotos.c <<-\PY &&
	print("void f(int *a)\n{\n\tlazy_mmu_mode_enable();")
	for i in range(20000):
	    print("\tif (a[%d]) goto l%d;\nl%d:\n\tx(%d);" % (i, (i * 7919) % 20000, i, i))
	print("\tlazy_mmu_mode_disable();\n}")
	PY
	check gotos.c && expect_rc 1 &&
	grep -q "gotos.c:1:6: warning: function is too complex to analyse fully (more than 200000 path states)" out &&
	mem_below 512
'

test_expect_success '50 MB file that matters: whole file checked, memory bounded' '
	python3 - <<-\PY &&
	fn = ("static void balanced_%d(struct batch *b)\n{\n\tint i;\n\n"
	      "\tlazy_mmu_mode_enable();\n\tfor (i = 0; i < b->nr; i++)\n"
	      "\t\tset_pte_at(b->mm, b->addr[i], b->ptep[i], b->pte[i]);\n"
	      "\tlazy_mmu_mode_disable();\n}\n\n")
	with open("big.c", "w") as f:
	    n = size = 0
	    while size < 50 << 20:
	        s = fn % n
	        f.write(s)
	        size += len(s)
	        n += 1
	PY
	bad_fn bad_last >>big.c &&
	test $(stat -c %s big.c) -ge 52428800 &&
	check big.c && expect_rc 1 &&
	grep -q "^big.c:[0-9]*:3: warning: returning with a lazy MMU section still open" out &&
	test "$(grep -c warning: out)" -eq 1 &&
	mem_below 2048
'

test_expect_success '50 MB file that does not matter: scanned in chunks, flat memory' '
	sed "s/lazy_mmu_mode_/other_mode_/g" big.c >big-other.c && rm -f big.c &&
	check big-other.c && expect_rc 0 && test ! -s out &&
	mem_below 128
'

test_expect_success 'a 10 MB line: no crash' '
	{ printf "int bad(struct b *b)\n{\n\tlazy_mmu_mode_enable();\n\tx = 0"; python3 -c "print(\" + 1\" * 2500000, end=\"\")"; printf ";\n\tif (b->err)\n\t\treturn -1;\n\tlazy_mmu_mode_disable();\n\treturn 0;\n}\n"; } >longline.c &&
	check longline.c && expect_rc 1 && grep -q "longline.c:6:3: warning: returning" out &&
	mem_below 1024
'

test_expect_success 'unterminated comment: note at its start, status 1, code before it checked' '
	{ bad_fn before && printf "/* never closed\n" && bad_fn hidden; } >comment.c &&
	check comment.c && expect_rc 1 &&
	one_note "comment.c:9:1: note: unterminated comment (the rest of the file is not checked)" &&
	grep -q "comment.c:5:3: warning: returning" out && ! grep -q "comment.c:1[0-9]:.*warning" out &&
	mem_below 256
'

# A literal that is not closed ends with its line (as in cpp); the
# statement it is in goes on to the "if" on the next line.
literal_fn() {
	printf 'int bad(struct b *b)\n{\n\tlazy_mmu_mode_enable();\n\tb->name = %s;\n\tif (b->err)\n\t\treturn -1;\n\tlazy_mmu_mode_disable();\n\treturn 0;\n}\n' "$1"
}

test_expect_success 'unterminated string: note, it ends with its line, the rest is checked' '
	literal_fn "\"never closed" >string.c &&
	check string.c && expect_rc 1 &&
	one_note "string.c:4:12: note: unterminated string literal (it ends at the end of its line)" &&
	grep -q "string.c:6:3: warning: returning" out
'

test_expect_success "unterminated character constant: note, the rest is checked" '
	literal_fn "'"'"'x" >char.c &&
	check char.c && expect_rc 1 &&
	one_note "char.c:4:12: note: unterminated character constant" &&
	grep -q "char.c:6:3: warning: returning" out
'

test_expect_success "#error don't: no unterminated literal in a directive" '
	{ printf "#ifdef A\n#error don'"'"'t do this\n#endif\n" && bad_fn after; } >error.c &&
	check error.c && expect_rc 1 && ! grep -q "note:.*unterminated" out &&
	grep -q "error.c:8:3: warning: returning" out
'

test_expect_success 'NUL bytes: one note with the place, file not checked, status 1' '
	{ printf "void f(void)\n{\n\tx = 1;\0\0\n}\n" && bad_fn after; } >nul.c &&
	check nul.c && expect_rc 1 &&
	one_note "nul.c:3:8: note: NUL byte: not a C source file; file not checked" &&
	! grep -q warning: out && mem_below 256
'

test_expect_success 'an ELF binary that mentions lazy_mmu: the NUL note, status 1' '
	cp "$TOP/bin/lazy-mmu-check" elf.c && grep -q lazy_mmu elf.c &&
	check elf.c && expect_rc 1 &&
	one_note "elf.c:1:[0-9]*: note: NUL byte: not a C source file" && mem_below 256
'

test_expect_success 'an ELF binary that does not, named: the NUL note, status 1' '
	cp /bin/true true.c && ! grep -q lazy_mmu true.c &&
	check true.c && expect_rc 1 &&
	one_note "true.c:1:[0-9]*: note: NUL byte: not a C source file" &&
	! grep -q warning: out
'

test_expect_success 'the same binary found by a directory walk: not read whole, status 0' '
	mkdir -p walk && cp /bin/true walk/true.c &&
	check walk && expect_rc 0 && test ! -s out
'

test_expect_success 'CRLF line ends: the same findings as with LF' '
	{ printf "#define BEGIN_BATCH \\\\\n\t{\n\n" && bad_fn crlf &&
	  printf "static void s(void)\n{\n\tx = \"a\\\\\nb\";\n}\n" && bad_fn crlf2; } >lf.c &&
	sed "s/\$/\r/" lf.c >crlf.c && grep -q "$(printf "\r")" crlf.c &&
	check lf.c && expect_rc 1 && sed "s/^lf.c/F/" out >lf.out &&
	test "$(grep -c warning: lf.out)" -eq 2 &&
	check crlf.c && expect_rc 1 && sed "s/^crlf.c/F/" out >crlf.out &&
	cmp lf.out crlf.out
'

test_expect_success 'non-UTF-8 bytes: checked as bytes; JSON and SARIF stay valid UTF-8 JSON' '
	printf "int bad(struct b *b)\n{\n\t/* \\377\\376 caf\\351 */\n\tlazy_mmu_mode_enable();\n\tif (b->err == \"\\351\\300\")\n\t\treturn -1;\n\tlazy_mmu_mode_disable();\n\treturn 0;\n}\n" >latin1.c &&
	check latin1.c && expect_rc 1 && grep -q "latin1.c:6:3: warning: returning" out &&
	check --format=json latin1.c && expect_rc 1 && mv out latin1.json &&
	check --format=sarif latin1.c && expect_rc 1 && mv out latin1.sarif &&
	python3 - <<-\PY
	import json
	for name in ("latin1.json", "latin1.sarif"):
	    data = open(name, "rb").read()
	    doc = json.loads(data.decode("utf-8"))
	    if b"\\ufffd\\ufffd" not in data:
	        raise SystemExit("%s: no U+FFFD" % name)
	f = json.load(open("latin1.json"))["findings"][0]
	if not (f["line"] == 6 and f["function"] == "bad"):
	    raise SystemExit(f)
	PY
'

# The SARIF of a non-UTF-8 source is still valid against the official
# schema (scripts/sarif-validate; a missing validator fails in CI).
echo '{"version": "2.1.0", "runs": []}' >"$TRASH/minimal.sarif"
if "$TOP/scripts/sarif-validate" "$TRASH/minimal.sarif" 2>/dev/null; then
	test_expect_success 'non-UTF-8 bytes: the SARIF validates against the official schema' '
		"$TOP/scripts/sarif-validate" latin1.sarif
	'
else
	test_skip_missing 'non-UTF-8 bytes: the SARIF validates' 'scripts/sarif-validate (run scripts/install-deps)'
fi

test_expect_success 'a symlink loop given as the path: one-line reason, status 2' '
	ln -s loop loop && check loop && expect_rc 2 &&
	test "$(cat err)" = "lazy-mmu-check: loop: Too many levels of symbolic links"
'

test_expect_success 'directory cycles through symlinks are not followed' '
	mkdir -p tree/mm/sub && bad_fn walked >tree/mm/sub/a.c &&
	ln -s .. tree/mm/sub/up && ln -s ../../.. tree/mm/sub/top &&
	ln -s /proc/self/cwd tree/mm/cwd &&
	check tree && expect_rc 1 &&
	test "$(grep -c warning: out)" -eq 1 &&
	grep -q "^tree/mm/sub/a.c:5:3: warning" out
'

test_expect_success 'a FIFO or a device as the path: one-line reason, status 2, no hang' '
	mkfifo fifo && check fifo && expect_rc 2 &&
	test "$(cat err)" = "lazy-mmu-check: fifo: not a regular file or directory" &&
	check /dev/zero && expect_rc 2 &&
	test "$(cat err)" = "lazy-mmu-check: /dev/zero: not a regular file or directory"
'

# Root reads any file, so as root the check runs as nobody (setpriv).
as_user=
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
	else
		as_user=none
	fi
fi
if [ "$as_user" = none ]; then
	test_skip 'an unreadable file or directory: reason, status 2' 'root without setpriv'
else
	test_expect_success 'an unreadable file or directory: reason, status 2, the rest checked' '
		chmod 755 "$TRASH" && mkdir -p perm/locked && bad_fn ok >perm/ok.c &&
		bad_fn secret >perm/secret.c && chmod 000 perm/secret.c &&
		bad_fn hidden >perm/locked/x.c && chmod 000 perm/locked &&
		$as_user lazy-mmu-check perm >out 2>err; echo $? >rc;
		chmod 755 perm/locked && chmod 644 perm/secret.c &&
		expect_rc 2 &&
		grep -q "^lazy-mmu-check: perm/secret.c: Permission denied$" err &&
		grep -q "^lazy-mmu-check: perm/locked: Permission denied$" err &&
		test "$(wc -l <err)" -eq 2 &&
		grep -q "^perm/ok.c:5:3: warning" out
	'
fi

test_done
