#!/usr/bin/env python3
# uses: no lazy-mmu-check (scripts/check-boot's logic, no kernel build)
"""scripts/check-boot without a kernel: target selection, bad usage, the
verdicts on kunit.py results and kernel logs, the build key, and the
negative control patch against the generic layer the conversion writes
today (a template change that the patch no longer fits fails here, in
seconds, not after a kernel build).  The boots themselves run in
'make check-boot'.  Prints TAP."""

import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tests"))
from libtap import Tap, check, check_equal, check_in  # noqa: E402

SCRIPT = os.path.join(TOP, "scripts", "check-boot")
TEMPLATES = os.path.join(TOP, "lazy_mmu_tools", "templates")


def load_check_boot():
    loader = importlib.machinery.SourceFileLoader("check_boot", SCRIPT)
    spec = importlib.util.spec_from_loader("check_boot", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


cb = load_check_boot()
PPC = next(t for t in cb.TARGETS if t.name == "6.12:powerpc64")
X86 = next(t for t in cb.TARGETS if t.name == "6.12:x86_64")
NEG = next(t for t in cb.TARGETS if t.negative)
MOD = next(t for t in cb.TARGETS if t.name == "6.12:powerpc64:module")
STATE = ["lazy_mmu_test_nesting", "lazy_mmu_test_pause",
         "lazy_mmu_test_pause_outside", "lazy_mmu_test_interrupt"]
BATCH = ["lazy_mmu_test_apply_nested",
         "lazy_mmu_test_nested_disable_flushes",
         "lazy_mmu_test_pause_reads_back", "lazy_mmu_test_batch_empty"]
PPC_LOG = "hash-mmu: Initializing hash mmu with SLB\n"


def results(status=None):
    """kunit.py JSON for both suites, every case PASS unless in status."""
    status = status or {}

    def suite(name, cases):
        return {"name": name, "sub_groups": [], "test_cases": [
            {"name": c, "status": status.get(c, "PASS")} for c in cases]}
    return {"name": "KUnit Test Group", "test_cases": [], "sub_groups": [
        suite("lazy_mmu_mode", STATE), suite("lazy_mmu_mode_batch", BATCH)]}


def verdict(fn, *args):
    """The BootError reason fn raises, or None."""
    try:
        fn(*args)
    except cb.BootError as e:
        return e.args[0]
    return None


def test_select_targets():
    names = [t.name for t in cb.select_targets([])]
    check_equal(names, ["6.12:powerpc64", "6.12:x86_64", "6.19:powerpc64",
                        "6.19:x86_64", "6.19:arm64",
                        "6.12:powerpc64:negative", "6.12:powerpc64:module",
                        "6.12:x86_64:module"])
    check_equal([t.name for t in cb.select_targets(["6.19:arm64"])],
                ["6.19:arm64"])
    check_equal([t.name for t in cb.select_targets(["x86_64"])],
                ["6.12:x86_64", "6.19:x86_64", "6.12:x86_64:module"])
    check_equal([t.name for t in cb.select_targets(["module"])],
                ["6.12:powerpc64:module", "6.12:x86_64:module"])
    check_equal([t.name for t in cb.select_targets(["negative"])],
                ["6.12:powerpc64:negative"])
    check_equal(len(cb.select_targets(["6.12", "6.12:x86_64"])), 5,
                "each target once")


def test_bad_usage_one_line_status_2():
    for args in (["mips"], ["-j", "0", "6.12"], ["--timeout", "0"]):
        p = subprocess.run([SCRIPT] + args, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        check_equal(p.returncode, 2, " ".join(args))
        check_equal(p.stdout, "", " ".join(args))
        lines = p.stderr.splitlines()
        check(len(lines) == 1 and lines[0].startswith("check-boot: error:"),
              p.stderr)


def test_json_cases():
    cases = cb.json_cases(results({"lazy_mmu_test_pause": "FAIL"}), [])
    check_equal(len(cases), 8)
    check_in(("lazy_mmu_mode", "lazy_mmu_test_pause", "FAIL"), cases)
    check_equal(cb.summary(cases), "8 tests, 7 passed, 1 failed, 0 skipped")


def test_positive_passes_a_clean_complete_run():
    cases = cb.json_cases(results(), [])
    check_equal(verdict(cb.judge_positive, PPC, 0, cases, PPC_LOG), None)


def test_positive_fails_each_way_a_run_can_be_wrong():
    ok = cb.json_cases(results(), [])
    failed = cb.json_cases(results({BATCH[1]: "FAIL"}), [])
    crashed = cb.json_cases(results({BATCH[0]: "ERROR"}), [])
    skipped = cb.json_cases(results({BATCH[3]: "SKIP"}), [])
    no_batch = [c for c in ok if c[0] != "lazy_mmu_mode_batch"]
    bad = {
        "failed": (PPC, 0, failed, PPC_LOG),
        "crashed": (PPC, 0, crashed, PPC_LOG),
        "status": (PPC, 1, ok, PPC_LOG),
        "skip": (PPC, 0, skipped, PPC_LOG),
        "suite": (PPC, 0, no_batch, PPC_LOG),
        "machine": (PPC, 0, ok, "radix-mmu: Initializing Radix MMU\n"),
        "warning": (PPC, 0, ok, PPC_LOG + "WARNING: CPU: 0 PID: 1 at x\n"),
        "sleep": (PPC, 0, ok, PPC_LOG + "BUG: sleeping function called "
                  "from invalid context at mm/vmalloc.c:3300\n"),
    }
    for what, args in bad.items():
        check(verdict(cb.judge_positive, *args) is not None, what)
    check_in("lazy_mmu_test_nested_disable_flushes",
             verdict(cb.judge_positive, *bad["failed"]))


def test_x86_may_skip_only_the_batch_case():
    log = "Booting paravirtualized kernel on bare hardware\n"
    skipped = cb.json_cases(results({BATCH[3]: "SKIP"}), [])
    check_equal(verdict(cb.judge_positive, X86, 0, skipped, log), None)
    other = cb.json_cases(results({BATCH[0]: "SKIP"}), [])
    check(verdict(cb.judge_positive, X86, 0, other, log) is not None)
    check(verdict(cb.judge_positive, X86, 0, skipped, "Linux\n") is not None,
          "pv on bare hardware")


def test_negative_needs_a_failed_case():
    ok = cb.json_cases(results(), [])
    check(verdict(cb.judge_negative, NEG, ok, PPC_LOG) is not None)
    failed = cb.json_cases(results({BATCH[1]: "FAIL"}), [])
    check_equal(cb.judge_negative(NEG, failed, PPC_LOG), [BATCH[1]])
    state_only = [c for c in failed if c[0] == "lazy_mmu_mode"]
    check(verdict(cb.judge_negative, NEG, state_only, PPC_LOG) is not None,
          "the batching suite must have run")


def test_build_key_follows_config_and_content():
    k = cb.build_key(PPC, "a" * 40)
    check_equal(k, cb.build_key(PPC, "a" * 40))
    check(k != cb.build_key(PPC, "b" * 40), "tree id")
    check(k != cb.build_key(X86, "a" * 40), "arch and compiler")
    with tempfile.TemporaryDirectory() as d:
        other = os.path.join(d, "lazy_mmu.kunitconfig")
        with open(cb.KUNITCONFIG) as f, open(other, "w") as g:
            g.write(f.read() + "CONFIG_KASAN=y\n")
        old, cb.KUNITCONFIG = cb.KUNITCONFIG, other
        try:
            check(cb.build_key(PPC, "a" * 40) != k, "kunitconfig")
        finally:
            cb.KUNITCONFIG = old


def generic_pgtable_h(d):
    """A git repository whose include/linux/pgtable.h holds the generic
    layer as the conversion writes it (the template), at a line number
    unlike a real tree's."""
    path = os.path.join(d, "include", "linux", "pgtable.h")
    os.makedirs(os.path.dirname(path))
    with open(os.path.join(TEMPLATES, "pgtable_helpers.h")) as f:
        helpers = f.read()
    with open(path, "w") as f:
        f.write("/* a few lines before */\n" * 7 + helpers + "#endif\n")
    subprocess.run(["git", "init", "-q", d], check=True)
    return path


def disable_body(text):
    start = text.index("static inline void lazy_mmu_mode_disable(void)")
    return text[start:text.index("\n}\n", start)]


def test_negative_patch_breaks_only_the_nested_flush():
    with tempfile.TemporaryDirectory() as d:
        path = generic_pgtable_h(d)
        with open(path) as f:
            before = f.read()
        check_in("arch_flush_lazy_mmu_mode();", disable_body(before),
                 "the template's disable flushes when nested")
        subprocess.run(["git", "-C", d, "apply", cb.NEGATIVE_PATCH],
                       check=True)
        with open(path) as f:
            after = f.read()
        body = disable_body(after)
        check("arch_flush_lazy_mmu_mode" not in body, body)
        check_in("arch_leave_lazy_mmu_mode();", body)
        check_equal(before.replace(disable_body(before), ""),
                    after.replace(body, ""), "nothing else changed")


def test_negative_patch_refuses_another_generic_layer():
    with tempfile.TemporaryDirectory() as d:
        path = generic_pgtable_h(d)
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write(text.replace("\telse\n\t\tarch_flush_lazy_mmu_mode();",
                                 "\telse if (1)\n\t\tarch_flush_lazy_mmu_mode();"))
        p = subprocess.run(["git", "-C", d, "apply", "--check",
                            cb.NEGATIVE_PATCH], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        check(p.returncode != 0, "applied to a different disable()")


def test_module_target_needs_the_ko():
    with tempfile.TemporaryDirectory() as d:
        reason = verdict(cb.check_module, d, "build 1s")
        check(reason is not None and cb.MODULE_KO in reason, reason)
        write(os.path.join(d, cb.MODULE_KO), "x" * 4096)
        line = cb.check_module(d, "build 1s")
        check(line.startswith("ok: %s built (4 KB" % cb.MODULE_KO), line)
    key = cb.build_key(MOD, "a" * 40)
    check(key != cb.build_key(PPC, "a" * 40), "module build key")
    check_in("CONFIG_LAZY_MMU_MODE_KUNIT_TEST=m", " ".join(cb.MODULE_CONFIG))


def test_a_tree_without_drivers_is_reported_blocked():
    with tempfile.TemporaryDirectory() as d:
        reason = verdict(cb.check_buildable, d, PPC)
        check(reason is not None and reason.startswith("blocked:"), reason)
        os.makedirs(os.path.join(d, "drivers", "base"))
        open(os.path.join(d, "drivers", "base", "core.c"), "w").close()
        check_equal(verdict(cb.check_buildable, d, PPC), None)


def test_qemu_configs_name_the_machines():
    for t in cb.TARGETS:
        with open(t.qemu_config) as f:
            text = f.read()
        check_in("QEMU_ARCH", text, t.qemu_config)
    with open(PPC.qemu_config) as f:
        ppc = f.read()
    check("'power8'" in ppc and "# CONFIG_PPC_RADIX_MMU is not set" in ppc,
          "powerpc64: POWER8, no radix")
    with open(X86.qemu_config) as f:
        check_in("CONFIG_PARAVIRT_XXL=y", f.read())
    with open(os.path.join(TOP, "tests", "boot", "arm64.py")) as f:
        check_in("'cortex-a57'", f.read())


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, "-c", "user.name=t",
                           "-c", "user.email=t@t"] + list(args),
                          check=True, stdout=subprocess.PIPE,
                          universal_newlines=True).stdout


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def mtime(path):
    return os.stat(path).st_mtime_ns


def test_time_stamps_rebuild_only_what_changed():
    """A reconverted file with the same content gets its old time stamp
    back; a file whose content changed, or went back to the pristine
    one, is newer than the last build."""
    with tempfile.TemporaryDirectory() as d:
        src, build = os.path.join(d, "src"), os.path.join(d, "build")
        os.makedirs(build)
        for name in ("same.h", "edited.c", "reverted.c", "pristine.c"):
            write(os.path.join(src, name), "pristine " + name + "\n")
        git(d, "init", "-q", src)
        git(src, "add", ".")
        git(src, "commit", "-q", "-m", "pristine")
        git(src, "tag", "check-boot-pristine")

        def convert(edited, reverted):
            git(src, "checkout", "-q", "-f", "-B", "check-boot",
                "check-boot-pristine")
            write(os.path.join(src, "same.h"), "converted\n")
            write(os.path.join(src, "new.c"), "new\n")
            write(os.path.join(src, "edited.c"), edited)
            if not reverted:
                write(os.path.join(src, "reverted.c"), "converted\n")
            git(src, "add", ".")
            git(src, "commit", "-q", "-m", "series")

        convert("first\n", False)
        cb.restore_stamps(src, build)
        old = {n: mtime(os.path.join(src, n))
               for n in ("same.h", "new.c", "edited.c", "reverted.c")}
        cb.record_stamps(src, build)
        time.sleep(0.05)
        convert("second\n", True)
        built = time.time_ns()
        time.sleep(0.05)
        cb.restore_stamps(src, build)
        for name in ("same.h", "new.c"):
            check_equal(mtime(os.path.join(src, name)), old[name], name)
        for name in ("edited.c", "reverted.c"):
            check(mtime(os.path.join(src, name)) > built, name)


def main():
    tap = Tap()
    for name, fn in list(globals().items()):
        if name.startswith("test_") and callable(fn):
            tap.case(name[len("test_"):].replace("_", " "), fn)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
