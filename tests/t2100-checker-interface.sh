#!/bin/sh
# lazy-mmu-check's interface: output formats, exit status, bad input,
# -W switches, debug dumps and the kbuild checker command line.
# uses: lazy-mmu-check
. "$(dirname "$0")/lib-tap.sh"

FIX=$TOP/tests/checks

test_expect_success 'JSON output parses and carries the text findings' '
	{ (cd "$FIX" && lazy-mmu-check unbalanced.c) >text.out; test $? -eq 1; } &&
	{ (cd "$FIX" && lazy-mmu-check --format=json unbalanced.c) >out.json; test $? -eq 1; } &&
	python3 -m json.tool out.json >/dev/null &&
	python3 - out.json text.out <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import json, sys
	doc = json.load(open(sys.argv[1]))
	check(doc["version"] == 1 and doc["tool"] == "lazy-mmu-check", doc)
	text = [l for l in open(sys.argv[2]) if ": warning: " in l]
	check(len(doc["findings"]) == len(text) == 7, (len(doc["findings"]), len(text)))
	for f, l in zip(doc["findings"], text):
	    want = "%s:%d:%d: warning: %s [%s]\n" % (f["file"], f["line"], f["column"], f["message"], f["id"])
	    check(want == l, (want, l))
	    check(f["severity"] == "warning" and f["function"].startswith("bad_"))
	    check(f["notes"] and all(set(n) == {"file", "line", "column", "message"} for n in f["notes"]))
	check(doc["skipped"] == [])
	PY
'

test_expect_success 'JSON lists a function the parser skipped' '
	{ (cd "$FIX" && lazy-mmu-check --format=json parse_error.c) >out.json; test $? -eq 1; } &&
	python3 - out.json <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import json, sys
	doc = json.load(open(sys.argv[1]))
	s = doc["skipped"]
	check(len(s) == 1 and s[0]["file"] == "parse_error.c" and s[0]["line"] == 15, s)
	check("skipped_macro_if" in s[0]["message"])
	PY
'

test_expect_success 'SARIF 2.1.0 has rules, results, related locations, code flows, fingerprints' '
	{ (cd "$FIX" && lazy-mmu-check --format=sarif unbalanced.c wrong_close.c) >out.sarif; test $? -eq 1; } &&
	python3 - out.sarif <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import json, sys
	doc = json.load(open(sys.argv[1]))
	check(doc["version"] == "2.1.0" and "sarif" in doc["$schema"])
	run = doc["runs"][0]
	rules = {r["id"] for r in run["tool"]["driver"]["rules"]}
	for rid in ("unbalanced-return", "double-close", "wrong-close", "inconsistent-paths",
	            "legacy-call", "legacy-nesting", "sleep-in-section", "unlock-in-section",
	            "never-closed", "too-complex", "parse"):
	    check("lazy-mmu-" + rid in rules, rid)
	res = run["results"]
	check(len(res) == 9, len(res))
	fps = set()
	for r in res:
	    check(r["ruleId"] in rules and r["level"] == "warning" and r["message"]["text"])
	    loc = r["locations"][0]["physicalLocation"]
	    check(loc["artifactLocation"]["uri"] in ("unbalanced.c", "wrong_close.c"))
	    check(loc["region"]["startLine"] > 0 and loc["region"]["startColumn"] > 0)
	    check(r["relatedLocations"], r)
	    flow = r["codeFlows"][0]["threadFlows"][0]["locations"]
	    check(len(flow) == len(r["relatedLocations"]) + 1)
	    fps.add(r["partialFingerprints"]["lazyMmuFingerprint/v1"])
	check(len(fps) == len(res))
	PY
'

test_expect_success 'exit 0 on clean input' '
	cat >clean.c <<-\EOF &&
	static void f(void)
	{
		lazy_mmu_mode_enable();
		lazy_mmu_mode_disable();
	}
	EOF
	lazy-mmu-check clean.c >out && test ! -s out
'

test_expect_success 'exit 2 and a one-line reason for a missing path' '
	{ lazy-mmu-check clean.c no-such-file.c >out 2>err; test $? -eq 2; } &&
	test $(wc -l <err) -eq 1 &&
	grep "no-such-file.c: No such file or directory" err
'

test_expect_success 'exit 2 for usage errors' '
	lazy-mmu-check >out 2>err; test $? -eq 2 && grep usage err &&
	lazy-mmu-check --format=xml clean.c 2>err; test $? -eq 2 &&
	test $(wc -l <err) -eq 1 && grep "unknown format" err &&
	lazy-mmu-check -include /nonexistent/autoconf.h clean.c 2>err; test $? -eq 2 &&
	test $(wc -l <err) -eq 1
'

test_expect_success 'garbage input does not crash and is reported as skipped' '
	printf "void f(void)\n{\n\tlazy_mmu_mode_enable();\n\tif (x) else }}}\n" >bad.c &&
	lazy-mmu-check bad.c >out; test $? -eq 1 && grep "lazy-mmu-parse" out
'

# Random bytes from fixed seeds, so that a failure can be replayed: the
# input that failed is kept in .cache/ with its seed in the name.
test_expect_success 'random bytes (seeded) do not crash the checker' '
	for seed in 1 2 3 4 5 6 7 8; do
		python3 -c "import random, sys; r = random.Random($seed); \
			sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(20000)) + b\"lazy_mmu\")" \
			>rnd.c &&
		lazy-mmu-check rnd.c >out 2>err; rc=$?
		if [ $rc -gt 1 ] || [ -s err ]; then
			mkdir -p "$TOP/.cache" && cp rnd.c "$TOP/.cache/t2100-random-seed$seed.c" &&
			echo "seed $seed: exit $rc; input kept in .cache/t2100-random-seed$seed.c" && cat err
			return 1
		fi
	done
'

# Every SARIF document the checker prints in this script is validated
# against the official SARIF 2.1.0 schema (scripts/sarif-validate).
sarif_ok() {
	"$TOP/scripts/sarif-validate" "$@"
}
echo '{"version": "2.1.0", "runs": []}' >"$TRASH/minimal.sarif"
if sarif_ok "$TRASH/minimal.sarif"; then
	have_validator=yes
else
	have_validator=
fi

if [ -n "$have_validator" ]; then
test_expect_success 'SARIF of every kind of run validates against the official schema' '
	{ (cd "$FIX" && lazy-mmu-check --format=sarif unbalanced.c wrong_close.c) >findings.sarif; test $? -eq 1; } &&
	lazy-mmu-check --format=sarif clean.c >clean.sarif &&
	{ (cd "$FIX" && lazy-mmu-check --format=sarif parse_error.c) >skipped.sarif; test $? -eq 1; } &&
	{ lazy-mmu-check --format=sarif clean.c no-such-file.c >failed.sarif 2>/dev/null; test $? -eq 2; } &&
	cp "$FIX/unbalanced.c" "weird name é.c" &&
	{ lazy-mmu-check --format=sarif "weird name é.c" >weird.sarif; test $? -eq 1; } &&
	{ lazy-mmu-check --format=sarif "$TRASH/weird name é.c" >weird-abs.sarif; test $? -eq 1; } &&
	{ (cd "$FIX" && lazy-mmu-check --format=sarif sleeping nesting unlocking closing) >chains.sarif; test $? -eq 1; } &&
	sarif_ok findings.sarif clean.sarif skipped.sarif failed.sarif weird.sarif weird-abs.sarif \
		chains.sarif
'

test_expect_success 'SARIF codeFlows carry the chain of calls, in order, ending at the finding' '
	{ (cd "$FIX" && lazy-mmu-check sleeping) >chains.txt; test $? -eq 1; } &&
	python3 - chains.sarif chains.txt <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import json, sys
	run = json.load(open(sys.argv[1]))["runs"][0]
	res = [r for r in run["results"] if r["ruleId"] == "lazy-mmu-sleep-in-section"]
	text = open(sys.argv[2]).read()
	check(len(res) == text.count("[lazy-mmu-sleep-in-section]"), len(res))
	deep = [r for r in res if "pt_finish" in r["message"]["text"]][0]
	flow = deep["codeFlows"][0]["threadFlows"][0]["locations"]
	msgs = [l["location"]["message"]["text"] for l in flow]
	check(msgs[0] == "lazy MMU section opened here", msgs)
	check([m.split("(")[0] for m in msgs[1:4]] == ["pt_finish", "pt_settle", "pt_wait_idle"], msgs)
	check("might_sleep" in msgs[3] and flow[-1].get("importance") == "essential", msgs)
	arch = [r for r in res if "flush_pending_hpte" in r["message"]["text"]][0]
	uris = [l["location"]["physicalLocation"]["artifactLocation"]["uri"]
	        for l in arch["codeFlows"][0]["threadFlows"][0]["locations"]]
	check("sleeping/arch/powerpc/mm/hash_flush.c" in uris, uris)
	PY
'

test_expect_success 'SARIF: absolute rule links, encoded URIs, a failed run says so' '
	python3 - <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import json, re
	absolute = re.compile(r"^[a-z][a-z0-9+.-]*:")
	for name in ("findings.sarif", "failed.sarif"):
	    driver = json.load(open(name))["runs"][0]["tool"]["driver"]
	    check(absolute.match(driver["informationUri"]), driver["informationUri"])
	    for rule in driver["rules"]:
	        check(absolute.match(rule["helpUri"]), rule["helpUri"])
	        check(rule["helpUri"].endswith("#" + rule["id"]), rule["helpUri"])
	run = json.load(open("weird.sarif"))["runs"][0]
	uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
	check(uris == {"weird%20name%20%C3%A9.c"}, uris)
	run = json.load(open("weird-abs.sarif"))["runs"][0]
	uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
	check(len(uris) == 1 and uris.pop().startswith("file:///") , uris)
	inv = json.load(open("failed.sarif"))["runs"][0]["invocations"][0]
	check(inv["executionSuccessful"] is False, inv)
	check(any("no-such-file.c" in n["message"]["text"] for n in inv["toolExecutionNotifications"]), inv)
	inv = json.load(open("clean.sarif"))["runs"][0]["invocations"][0]
	check(inv["executionSuccessful"] is True, inv)
	PY
'

test_expect_success 'the validator rejects what the schema forbids (so the checks above can fail)' '
	sed "s|\"helpUri\": \"[^\"]*\"|\"helpUri\": \"docs/checks.md\"|" findings.sarif >relative.sarif &&
	sarif_ok relative.sarif >errs; test $? -eq 1 && grep -q "helpUri: must match format \"uri\"" errs &&
	sed "s|weird%20name%20%C3%A9.c|weird name é.c|" weird.sarif >raw.sarif &&
	sarif_ok raw.sarif >errs; test $? -eq 1 && grep -q "uri-reference" errs &&
	sed "s|\"startLine\": [0-9]*|\"startLine\": 0|" findings.sarif >line0.sarif &&
	sarif_ok line0.sarif >errs; test $? -eq 1 &&
	echo "{" >broken.sarif && sarif_ok broken.sarif 2>err; test $? -eq 2
'
else
	test_skip_missing 'SARIF validates against the official schema' 'scripts/sarif-validate (run scripts/install-deps)'
fi

test_expect_success 'arch or generic from the path in the tree, not as typed: same answer from any directory' '
	{ (cd "$FIX" && lazy-mmu-check arch/x86/xen/lazy_arch.c) >top.out; test $? -eq 1; } &&
	{ (cd "$FIX/arch/x86/xen" && lazy-mmu-check lazy_arch.c) >here.out; test $? -eq 1; } &&
	sed "s|^arch/x86/xen/||" top.out >top-rel.out &&
	cmp top-rel.out here.out &&
	{ (cd "$FIX/arch/x86" && lazy-mmu-check xen) >dir.out; test $? -eq 1; } &&
	sed "s|^arch/x86/||" top.out | cmp - dir.out &&
	! grep "generic code" here.out
'

test_expect_success '--arch: chains follow one arch, and never mix two' '
	{ (cd "$FIX" && lazy-mmu-check -Wno-legacy-call nesting) >all.out; test $? -eq 1; } &&
	{ (cd "$FIX" && lazy-mmu-check -Wno-legacy-call --arch=powerpc nesting) >ppc.out; test $? -eq 1; } &&
	{ (cd "$FIX" && lazy-mmu-check -Wno-legacy-call --arch=arm64 nesting) >arm.out; test $? -eq 1; } &&
	grep -q "^nesting/mm/memory.c:41:3: warning: set_pte_at()" ppc.out &&
	! grep -q "tlb_next_batch() opens" ppc.out && ! grep -q "arch/arm64" ppc.out &&
	grep -q "^nesting/mm/memory.c:64:25: warning: tlb_next_batch() opens" arm.out &&
	! grep -q "set_pte_at() opens" arm.out && ! grep -q "arch/powerpc" arm.out &&
	grep -q "set_pte_at() opens" all.out && grep -q "tlb_next_batch() opens" all.out &&
	{ (cd "$FIX" && lazy-mmu-check -Wno-legacy-call --arch=x86 nesting) >x86.out; test $? -eq 1; } &&
	! grep -q "set_pte_at() opens\|tlb_next_batch() opens" x86.out
'

test_expect_success '-Wno-<id> and -W<id> select diagnostics' '
	{ (cd "$FIX" && lazy-mmu-check -Wno-legacy-call legacy.c) >out; test $? -eq 1; } &&
	! grep legacy-call out && grep -c "lazy-mmu-legacy-nesting" out &&
	{ (cd "$FIX" && lazy-mmu-check -Wno-lazy-mmu-legacy-call -Wno-legacy-nesting -Wno-double-close legacy.c) >out; test $? -eq 0; } &&
	test ! -s out &&
	(cd "$FIX" && lazy-mmu-check -Wno-legacy-call -Wlegacy-call legacy.c | grep -c legacy-call) >n &&
	test $(cat n) -eq 19
'

test_expect_success 'directories: recurse into .c and .h only, print paths as given' '
	mkdir -p tree/mm tree/sub/deeper &&
	cp "$FIX/unbalanced.c" tree/mm/a.c &&
	cp "$FIX/double_close.c" tree/sub/deeper/b.h &&
	cp "$FIX/wrong_close.c" tree/sub/notes.txt &&
	lazy-mmu-check tree >out; test $? -eq 1 &&
	grep -q "^tree/mm/a.c:30:3: warning" out &&
	grep -q "^tree/sub/deeper/b.h:19:3: warning" out &&
	! grep -q notes.txt out &&
	lazy-mmu-check tree/ >out2; grep -q "^tree/mm/a.c:" out2 &&
	lazy-mmu-check "$TRASH/tree/mm" | grep -q "^$TRASH/tree/mm/a.c:30:3:"
'

test_expect_success '--dump=tokens shows unresolved #if as branch tokens' '
	(cd "$FIX" && lazy-mmu-check --dump=tokens kernel_style.c) >out &&
	grep -c "pp-if group" out >n && test $(cat n) -eq 2 &&
	(cd "$FIX" && lazy-mmu-check -DCONFIG_PT_DEBUG -UCONFIG_PT_BATCH -UCONFIG_PT_SLOW --dump=tokens kernel_style.c) >out &&
	! grep "pp-if" out
'

test_expect_success '--dump=cfg and --dump=summaries' '
	(cd "$FIX" && lazy-mmu-check --dump=cfg correlated.c) >out &&
	grep "^function good_goto_out:" out && grep "cond line 16 .!start_pte." out &&
	(cd "$FIX" && lazy-mmu-check --dump=summaries summary) >out &&
	grep "^pt_batch_begin summary/helpers.c:9: leaves-open-enable\*1$" out &&
	grep "^pt_batch_end summary/helpers.c:16: closes-caller-disable$" out &&
	grep "^pt_walk_begin summary/helpers.c:24: leaves-open-enable\*1$" out &&
	! grep pt_batch_maybe_end out
'

test_expect_success '--dump=functions: every definition with its first and last line, as JSON' '
	mkdir -p df/sub &&
	printf "static int\ntwo_line_decl(int a)\n{\n\treturn a;\n}\n\nstatic inline void one_liner(void) { }\n\n#ifdef CONFIG_X\nvoid under_if(void)\n{\n}\n#endif\n" >df/f.c &&
	printf "struct s { int a; };\nint\nEXPORT_ME(x);\nunsigned long knr(a)\nint a;\n{\n\treturn a;\n}\n" >df/sub/g.h &&
	lazy-mmu-check --dump=functions --format=json df >funcs.json &&
	python3 - funcs.json <<-\PY
	def check(cond, *why):
	    """assert that PYTHONOPTIMIZE cannot turn off"""
	    if not cond:
	        raise SystemExit("check failed: %r" % (why,))
	import json, sys
	doc = json.load(open(sys.argv[1]))
	check(doc["version"] == 1, doc)
	got = [(f["file"], f["name"], f["start"], f["end"]) for f in doc["functions"]]
	check(got == [("df/f.c", "two_line_decl", 1, 5), ("df/f.c", "one_liner", 7, 7),
	              ("df/f.c", "under_if", 10, 12), ("df/sub/g.h", "knr", 4, 8)], got)
	PY
	lazy-mmu-check --dump=functions df/nope.c >out 2>err; test $? -eq 2 &&
	grep -q "df/nope.c: No such file or directory" err
'

# A fake configured tree, called the way kbuild calls $(CHECK).
test_expect_success 'kbuild checker command line: flags ignored, autoconf via kconfig.h' '
	mkdir -p k/include/linux k/include/generated k/mm &&
	printf "#include <generated/autoconf.h>\n#define IS_ENABLED(x) 1\n" >k/include/linux/kconfig.h &&
	printf "#define CONFIG_MMU 1\n#define CONFIG_PT_DEBUG_MODULE 1\n" >k/include/generated/autoconf.h &&
	cat >k/mm/walk.c <<-\EOF &&
	static int walk(pte_t *pte)
	{
		lazy_mmu_mode_enable();
	#ifdef CONFIG_PT_TRACE
		if (!pte)
			return -EINVAL;
	#endif
		if (IS_ENABLED(CONFIG_PT_DEBUG) && !pte)
			return -EFAULT;
		set_pte_batch(pte);
		lazy_mmu_mode_disable();
		return 0;
	}
	EOF
	kflags="-D__linux__ -Dlinux -D__STDC__ -Dunix -D__unix__ -Wbitwise -Wno-return-void \
		-Wno-unknown-attribute -D__x86_64__ --arch=x86 -mlittle-endian -m64 \
		-Wp,-MMD,mm/.walk.o.d -nostdinc -I ./include -I./arch/x86/include \
		-isystem /usr/lib/gcc/x86_64-linux-gnu/12/include \
		-include ./include/linux/kconfig.h -D__KERNEL__ -fmacro-prefix-map=./= \
		-std=gnu11 -fno-strict-aliasing -mno-red-zone -mcmodel=kernel -O2 \
		-Wall -Wundef -fno-PIE -DKBUILD_MODFILE=\"mm/walk\" -DKBUILD_BASENAME=\"walk\" \
		-DKBUILD_MODNAME=\"walk\" -D__KBUILD_MODNAME=kmod_walk" &&
	(cd k && lazy-mmu-check $kflags mm/walk.c) >out; test $? -eq 1 &&
	grep -c warning out >n && test $(cat n) -eq 1 &&
	grep "^mm/walk.c:9:1: warning: returning with a lazy MMU section still open" out &&
	(cd k && lazy-mmu-check --exit-zero $kflags mm/walk.c) >out && grep -q warning out &&
	(cd k && lazy-mmu-check mm/walk.c) >out; test $? -eq 1 &&
	grep -c warning out >n && test $(cat n) -eq 2
'

test_done
