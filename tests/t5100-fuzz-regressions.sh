#!/bin/sh
# Every input the fuzzers found (tests/fuzz-regressions/*.in, minimised)
# runs again: through lazy-mmu-check exactly as the fuzz target ran it,
# and, when clang can build it, through the fuzz target itself (ASan +
# UBSan, build/fuzz/replay).  Each must end, with status 0 or 1 and no
# sanitizer report.  tests/fuzz-regressions/README.md says what each one
# found and which commit fixed it.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

REG=$TOP/tests/fuzz-regressions

test_expect_success 'there are regression cases, each one described in the README' '
	ls "$REG"/*.in >cases && test -s cases &&
	while read -r f; do
		grep -q "^| \`${f##*/}\` |" "$REG/README.md" ||
			{ echo "${f##*/} is not in README.md"; exit 1; }
	done <cases
'

# The fuzz target's view of an input of N bytes (checks/fuzz/fuzz_check.c):
# odd N is arch code, N % 3 picks the format; every function is parsed.
for f in "$REG"/*.in; do
	name=${f##*/}
	test_expect_success "lazy-mmu-check on $name as the fuzz target saw it" "
		size=\$(stat -c %s '$f') &&
		if [ \$((size % 2)) -eq 1 ]; then path=arch/x86/mm/fuzz.c; else path=mm/fuzz.c; fi &&
		case \$((size % 3)) in 0) fmt=text;; 1) fmt=json;; 2) fmt=sarif;; esac &&
		mkdir -p \$(dirname \$path) && cp '$f' \$path &&
		python3 - \$fmt \$path <<-\\PY &&
		import resource, subprocess, sys
		try:
		    p = subprocess.run(['lazy-mmu-check', '--all-functions', '--format=' + sys.argv[1],
		                        '-DCONFIG_X86', '-DCONFIG_PARAVIRT', '-UCONFIG_PPC',
		                        '-D__KERNEL__', sys.argv[2]],
		                       capture_output=True, stdin=subprocess.DEVNULL, timeout=900)
		    rc, err = p.returncode, p.stderr
		except subprocess.TimeoutExpired:
		    rc, err = 'hang (watchdog)', b''
		open('rc', 'w').write('%s\n' % rc)
		open('err', 'wb').write(err)
		open('mem', 'w').write('%d\n' % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
		PY
		case \$(cat rc) in 0|1) ;; *) echo \"status \$(cat rc)\"; cat err; exit 1;; esac &&
		! grep -E 'Sanitizer|runtime error|internal error' err &&
		test \$(cat mem) -lt 524288
	"
done

if command -v "${FUZZ_CC:-clang}" >/dev/null 2>&1 &&
   echo 'int main(void){return 0;}' >"$TRASH/t.c" &&
   "${FUZZ_CC:-clang}" -fsanitize=address,undefined -o "$TRASH/t" "$TRASH/t.c" 2>/dev/null; then
	test_expect_success 'the fuzz target itself (ASan+UBSan) on every case and seed' '
		make -s -C "$TOP" FUZZ_DIR="$TRASH/fuzz" "$TRASH/fuzz/replay" >build.log 2>&1 ||
			{ cat build.log; exit 1; }
		ls "$REG"/*.in "$TOP"/checks/fuzz/corpus/* >inputs &&
		xargs "$TRASH/fuzz/replay" <inputs >out 2>err; rc=$?
		test $rc -eq 0 || { echo "status $rc"; cat err; exit 1; }
		! grep -E "Sanitizer|runtime error" err
	'
else
	test_skip_missing 'the fuzz target itself (ASan+UBSan) on every case and seed' \
		"${FUZZ_CC:-clang} with -fsanitize=address,undefined"
fi

test_done
