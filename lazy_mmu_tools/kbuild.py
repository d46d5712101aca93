"""Compile the objects a conversion touched, out of tree, per configuration.

The library behind `lazy-mmu-convert --build`, scripts/build-touched and
scripts/check-series-builds.  A configuration (CONFIGS) is an architecture,
a defconfig and the symbols that make the lazy MMU code of the series
compile: x86_64 (XEN_PV so PARAVIRT_XXL, KASAN_VMALLOC, AMD_MEM_ENCRYPT,
USERFAULTFD, DEVICE_PRIVATE so mm/migrate_device.c is built, and the KUnit
test when the tree has it), x86_64-nopv (no PARAVIRT_XXL), powerpc64 (hash
MMU, subpage protection), sparc64 and arm64.

One build of one configuration in one directory (make O=OUT) is:

 1. configure: defconfig, the symbols with scripts/config, olddefconfig,
    then check that the required symbols are set (with keep_config, the
    directory's own .config, only checked).  A directory is reused from
    one build to the next: kconfig runs again (a later commit may add a
    symbol), but the host tools, make prepare's output and the objects
    stay, and kbuild remakes only what changed.  A stamp file records
    the configuration and tree a directory was made for; one made for
    another tree is emptied first;
 2. `make prepare`;
 3. one make call for every object to compile: each touched .c of this
    architecture (or of none) as its .o, mm/memory.o (it includes the
    touched headers), and the objects the configuration always builds.
    An object whose Makefile line needs a symbol the configuration does
    not set is skipped, with that symbol as the reason; so are files that
    cannot be compiled one by one (the x86 boot code).

Only one kernel build runs at a time on the machine: a flock()ed file in
$TMPDIR serializes callers (BuildLock).

Nothing here prints: progress goes to a log callable, the make output to
OUT/build-touched.log, and failures are BuildError with the last lines of
make's output.
"""

import fcntl
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Sequence, Tuple

JOBS = 2
LOG_NAME = "build-touched.log"
STAMP_NAME = ".lazy-mmu-config"
TAIL_LINES = 40


@dataclass(frozen=True)
class Config:
    name: str
    srcarch: str                     # the arch/ directory
    make: Tuple[str, ...]            # ARCH=, CROSS_COMPILE=
    defconfig: str
    what: str                        # one line, for summaries
    enable: Tuple[str, ...] = ()
    disable: Tuple[str, ...] = ()
    require: Tuple[str, ...] = ()    # must be =y after olddefconfig
    absent: Tuple[str, ...] = ()     # must not be set
    always: Tuple[str, ...] = ()     # objects compiled in every build
    compiler: str = "gcc"

    def stamp(self, tree):
        """What the stamp file of a directory configured for this, for
        the source tree at tree (absolute), says.  The tree is part of
        it: kbuild's dependency files name the sources by path, so a
        directory configured for another tree must not be reused."""
        return "%s %s +%s -%s %s\n" % (self.name, self.defconfig,
                                       ",".join(self.enable),
                                       ",".join(self.disable), tree)


# mm/migrate_device.c is built only with DEVICE_MIGRATION = MIGRATION &&
# ZONE_DEVICE; ZONE_DEVICE needs memory hot(un)plug.
_DEVICE_PRIVATE = ("MEMORY_HOTPLUG", "MEMORY_HOTREMOVE", "ZONE_DEVICE",
                   "DEVICE_PRIVATE")

CONFIGS = {
    "x86_64": Config(
        "x86_64", "x86", ("ARCH=x86_64",), "defconfig",
        "defconfig + XEN_PV (PARAVIRT_XXL), KASAN_VMALLOC, AMD_MEM_ENCRYPT, "
        "USERFAULTFD, DEVICE_PRIVATE, KUnit test",
        enable=("HYPERVISOR_GUEST", "PARAVIRT", "XEN", "XEN_PV", "KUNIT",
                "LAZY_MMU_MODE_KUNIT_TEST",
                # mm/kasan/shadow.c holds the pause/resume callers
                "KASAN", "KASAN_GENERIC", "KASAN_VMALLOC",
                # mm/mem_encrypt_identity.c #undefs the PARAVIRT symbols
                "AMD_MEM_ENCRYPT", "USERFAULTFD") + _DEVICE_PRIVATE,
        require=("PARAVIRT_XXL", "XEN_PV", "KUNIT", "KASAN_VMALLOC",
                 "AMD_MEM_ENCRYPT", "USERFAULTFD", "DEVICE_MIGRATION")),
    # x86 without PARAVIRT_XXL: no arch callbacks; set_memory.c calls
    # arch_flush_lazy_mmu_mode() directly (under DEBUG_PAGEALLOC).
    "x86_64-nopv": Config(
        "x86_64-nopv", "x86", ("ARCH=x86_64",), "defconfig",
        "defconfig + DEBUG_PAGEALLOC, without PARAVIRT_XXL",
        enable=("DEBUG_PAGEALLOC",), disable=("XEN",),
        require=("DEBUG_PAGEALLOC",),
        absent=("PARAVIRT_XXL", "ARCH_HAS_LAZY_MMU_MODE"),
        always=("arch/x86/mm/pat/set_memory.o",)),
    "powerpc64": Config(
        "powerpc64", "powerpc",
        ("ARCH=powerpc", "CROSS_COMPILE=powerpc64-linux-gnu-"),
        "ppc64_defconfig", "ppc64_defconfig + hash MMU, subpage protection",
        enable=("PPC_64S_HASH_MMU", "PPC_SUBPAGE_PROT"),
        require=("PPC_BOOK3S_64", "PPC_64S_HASH_MMU", "PPC_SUBPAGE_PROT"),
        always=("arch/powerpc/mm/book3s64/hash_tlb.o",),
        compiler="powerpc64-linux-gnu-gcc"),
    "sparc64": Config(
        "sparc64", "sparc",
        ("ARCH=sparc", "CROSS_COMPILE=sparc64-linux-gnu-"),
        "sparc64_defconfig", "sparc64_defconfig",
        require=("SPARC64",), always=("arch/sparc/mm/tlb.o",),
        compiler="sparc64-linux-gnu-gcc"),
    "arm64": Config(
        "arm64", "arm64",
        ("ARCH=arm64", "CROSS_COMPILE=aarch64-linux-gnu-"),
        "defconfig", "defconfig",
        require=("ARM64",), always=("arch/arm64/mm/mmu.o",),
        compiler="aarch64-linux-gnu-gcc"),
}

# --build accepts configuration names, these arch names, and "all".
ARCH_CONFIGS = {
    "x86": ("x86_64", "x86_64-nopv"),
    "powerpc": ("powerpc64",),
    "sparc": ("sparc64",),
    "arm64": ("arm64",),
}

# Symbols required only when the tree defines them, with the object that
# then has to be compiled: the KUnit test the series adds.
OPTIONAL = {"x86_64": (("LAZY_MMU_MODE_KUNIT_TEST",
                        "mm/tests/lazy_mmu_mode_kunit.o"),)}

# Directories whose objects cannot be compiled one by one: the directory
# target that builds them (with a file it must produce), or None and why.
# The x86 early startup code moved to arch/x86/boot/startup/ (6.16) is
# part of vmlinux and compiles like any other object.
SPECIAL_DIRS = [
    ("arch/x86/entry/vdso/", "arch/x86/entry/vdso/",
     "arch/x86/entry/vdso/vdso32/vclock_gettime.o", None),
    ("arch/x86/boot/", None, None,
     "the boot code is only built with a whole vmlinux"),
]
ORDINARY_DIRS = ("arch/x86/boot/startup/",)


def special_dir(path):
    """The SPECIAL_DIRS entry path is under, or None."""
    if path.startswith(ORDINARY_DIRS):
        return None
    for entry in SPECIAL_DIRS:
        if path.startswith(entry[0]):
            return entry
    return None

# Where a tree says an architecture has lazy MMU code: before the series
# an arch header defines __HAVE_ARCH_ENTER_LAZY_MMU_MODE, after it the
# arch's Kconfig selects ARCH_HAS_LAZY_MMU_MODE.
LAZY_MMU_ARCH_RE = (r"__HAVE_ARCH_ENTER_LAZY_MMU_MODE|"
                    r"select ARCH_HAS_LAZY_MMU_MODE")


class BuildError(Exception):
    """A configuration or a make failed; the message says which, then
    (after a newline) the last lines of make's output."""


@dataclass
class BuildResult:
    config: str
    built: List[str] = field(default_factory=list)
    skipped: List[Tuple[str, str]] = field(default_factory=list)
    error: Optional[str] = None
    seconds: float = 0.0
    reused: bool = False            # the configured directory was reused
    log: str = ""
    tree: str = ""                  # the source tree (absolute)

    @property
    def ok(self):
        return self.error is None


# -- which configurations -------------------------------------------------

def arch_has_lazy_mmu(tree, srcarch):
    """Does tree have lazy MMU code for arch/<srcarch>?"""
    top = os.path.join(tree, "arch", srcarch)
    if not os.path.isdir(top):
        return False
    proc = subprocess.run(
        ["grep", "-rlqE", "--include=*.h", "--include=Kconfig*",
         LAZY_MMU_ARCH_RE, top], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    return proc.returncode == 0


def select(names: Sequence[str], tree: Optional[str] = None) -> List[str]:
    """Configuration names for names (configurations, arch names or
    "all"), in CONFIGS order.  "all" (and an arch name) keeps only the
    configurations whose arch has lazy MMU code in tree; a configuration
    named explicitly is kept.  ValueError names an unknown one."""
    want = set()
    for n in names:
        if n == "all":
            picked = [c.name for c in CONFIGS.values()
                      if tree is None or arch_has_lazy_mmu(tree, c.srcarch)]
        elif n in ARCH_CONFIGS:
            picked = list(ARCH_CONFIGS[n])
            if tree is not None and \
                    not arch_has_lazy_mmu(tree, CONFIGS[picked[0]].srcarch):
                picked = []
        elif n in CONFIGS:
            picked = [n]
        else:
            raise ValueError("unknown configuration '%s' (choose from all, "
                             "%s, %s)" % (n, ", ".join(ARCH_CONFIGS),
                                          ", ".join(CONFIGS)))
        want.update(picked)
    return [c for c in CONFIGS if c in want]


def parse_list(text: str) -> List[str]:
    """"x86,powerpc64" -> ["x86", "powerpc64"]; ValueError if empty."""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise ValueError("empty list of configurations")
    return names


# -- the machine-wide lock ------------------------------------------------

class BuildLock:
    """One kernel build at a time on this machine (they use every core
    and a lot of memory): an flock() on $TMPDIR/lazy-mmu-kbuild.lock."""

    def __init__(self, log=None):
        self.path = os.path.join(os.environ.get("TMPDIR", "/tmp"),
                                 "lazy-mmu-kbuild.lock")
        self.log = log or (lambda msg: None)
        self.f = None

    def __enter__(self):
        self.f = open(self.path, "a")
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.log("waiting for another kernel build to finish (%s)"
                     % self.path)
            fcntl.flock(self.f, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        self.f.close()
        self.f = None


# -- make -----------------------------------------------------------------

class Make:
    """make -C TREE O=OUT -jN ARCH=... for one configuration; output to
    OUT/build-touched.log, command lines to log()."""

    def __init__(self, tree, out, config, jobs=JOBS, log=None):
        self.tree, self.out, self.config = tree, out, config
        self.jobs = jobs
        self.log = log or (lambda msg: None)
        self.logfile = os.path.join(out, LOG_NAME)

    def command(self, targets):
        return ["make", "-C", self.tree, "O=" + self.out,
                "-j%d" % self.jobs] + list(self.config.make) + list(targets)

    def run(self, targets):
        self.call(self.command(targets), "make " + " ".join(targets))

    def call(self, cmd, what):
        self.log("$ " + " ".join(shown(a) for a in cmd))
        with open(self.logfile, "a") as f:
            f.write("$ " + " ".join(cmd) + "\n")
            f.flush()
            try:
                rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
            except OSError as e:
                raise BuildError("%s: cannot run %s: %s"
                                 % (what, cmd[0], e.strerror))
        if rc != 0:
            raise BuildError("%s failed (status %d); log %s\n%s"
                             % (what, rc, self.logfile, self.tail()))

    def tail(self, n=TAIL_LINES):
        try:
            with open(self.logfile, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""


def shown(arg):
    """arg as a log line shows it: a path (or VAR=path) inside the
    current directory relative to it, so that logs and docs do not carry
    the build machine's absolute paths."""
    var, eq, path = arg.rpartition("=") if arg.startswith("O=") else \
        ("", "", arg)
    if os.path.isabs(path):
        rel = os.path.relpath(path)
        if not rel.startswith(".."):
            path = rel
    return var + eq + path


# -- configuration --------------------------------------------------------

def read_config(out):
    conf = {}
    try:
        with open(os.path.join(out, ".config"), errors="replace") as f:
            for line in f:
                m = re.match(r"^CONFIG_(\w+)=(.*)$", line)
                if m:
                    conf[m.group(1)] = m.group(2)
    except OSError:
        pass
    return conf


def tree_has_symbol(tree, sym):
    """Is 'config SYM' defined in the tree's mm/Kconfig?"""
    try:
        with open(os.path.join(tree, "mm", "Kconfig"), errors="replace") as f:
            return re.search(r"^config %s$" % sym, f.read(), re.M) is not None
    except OSError:
        return False


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def owner(out):
    """The stamp of OUT (what this module configured it for), or None."""
    return _read(os.path.join(out, STAMP_NAME))


def forget_other_tree(out, config, tree):
    """Empty OUT if this module configured it for another tree: kbuild's
    dependency files name the sources by path, so its objects would not
    be remade when this tree's sources change.  A directory without our
    stamp is the user's: left alone.  True if OUT was emptied."""
    stamp = owner(out)
    if stamp is None or stamp == config.stamp(tree):
        return False
    for name in os.listdir(out):
        path = os.path.join(out, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
    return True


def configure(make, keep_config=False):
    """Configure make.out for make.config and check the result; returns
    (the .config as a dict, whether the directory was reused).

    The configuration is made again on every build, from the tree's own
    Kconfig: a later commit of a series may add a symbol the
    configuration asks for (the KUnit test's).  That costs a few seconds
    of kconfig; the objects and make prepare's output stay, and kbuild
    remakes only what depends on what changed.  With keep_config an
    existing .config is used as it is."""
    cfg, out = make.config, make.out
    if keep_config and os.path.isfile(os.path.join(out, ".config")):
        conf = read_config(out)
        check_config(make.tree, cfg, conf)
        return conf, True
    reused = not forget_other_tree(out, cfg, make.tree) and \
        os.path.isfile(os.path.join(out, ".config"))
    make.run([cfg.defconfig])
    args = []
    for sym in cfg.enable:
        args += ["--enable", sym]
    for sym in cfg.disable:
        args += ["--disable", sym]
    if args:
        make.call([os.path.join(make.tree, "scripts", "config"),
                   "--file", os.path.join(out, ".config")] + args,
                  "scripts/config")
        make.run(["olddefconfig"])
    with open(os.path.join(out, STAMP_NAME), "w") as f:
        f.write(cfg.stamp(make.tree))
    conf = read_config(out)
    check_config(make.tree, cfg, conf)
    return conf, reused


def check_config(tree, cfg, conf):
    required = list(cfg.require)
    for sym, _ in OPTIONAL.get(cfg.name, ()):
        if tree_has_symbol(tree, sym):
            required.append(sym)
    present = [s for s in cfg.absent if s in conf]
    if present:
        raise BuildError("%s configuration must not have %s" % (
            cfg.name, ", ".join("CONFIG_" + s for s in present)))
    missing = [s for s in required if conf.get(s) != "y"]
    if missing:
        raise BuildError("%s configuration lacks %s" % (
            cfg.name, ", ".join("CONFIG_%s=y" % s for s in missing)))


# -- which objects --------------------------------------------------------

def logical_lines(path):
    """A Makefile's lines with backslash continuations joined."""
    text = _read(path)
    return text.replace("\\\n", " ").splitlines() if text else []


CONF_RE = re.compile(r"\$\(CONFIG_(\w+)\)")


def gate(tree, d, name):
    """The config symbols the Makefile (or Kbuild) of directory d puts in
    front of name ("memory.o", "kasan/"), or None when neither mentions
    it."""
    word = re.compile(r"(^|[\s=])" + re.escape(name) + r"(\s|$)")
    for mk in ("Kbuild", "Makefile"):
        for line in logical_lines(os.path.join(tree, d, mk)):
            if line.lstrip().startswith("#"):
                continue
            m = re.match(r"^\s*([\w\-$()]+)\s*[:+]?=(.*)$", line)
            if m and word.search(" " + m.group(2)):
                return CONF_RE.findall(m.group(1))
    return None


def _unset(conf, syms):
    for s in syms or []:
        if conf.get(s) not in ("y", "m"):
            return "CONFIG_%s is not set" % s
    return None


def _always_visited(d):
    # a top-level directory, or arch/<arch>, is always visited
    return "/" not in d or re.match(r"^arch/[^/]+$", d) is not None


def why_not_built(tree, conf, rel_obj):
    """None if rel_obj is built in this configuration, else the reason:
    the first symbol on the way from its directory up to the top that
    the configuration does not set."""
    d, _, name = rel_obj.rpartition("/")
    while d:
        syms = gate(tree, d, name)
        if syms is None and name.endswith("/") and _always_visited(d):
            syms = []
        reason = _unset(conf, syms)
        if reason:
            return reason
        if syms is None and not name.endswith("/") and "/" in d:
            # maybe listed as subdir/file.o one level up
            up, sub = d.rsplit("/", 1)
            syms_up = gate(tree, up, sub + "/" + name)
            if syms_up is not None:
                return _unset(conf, syms_up)
        if _always_visited(d):
            return None
        d, _, sub = d.rpartition("/")
        name = sub + "/"
    return None


def objects_for(config, files):
    """(targets, skipped): the make targets for the touched files (tree
    relative), and (file, reason) for those that cannot be compiled one
    by one."""
    objs = ["mm/memory.o"] + list(config.always)
    skipped = []
    for f in files:
        if f.startswith("arch/") and \
                not f.startswith("arch/%s/" % config.srcarch):
            continue
        special = special_dir(f)
        if special and f.endswith((".c", ".h")):
            _, target, _, why = special
            if target is None:
                skipped.append((f, why))
            elif target not in objs:
                objs.append(target)
            continue
        if not f.endswith(".c") or \
                f.startswith(("tools/", "scripts/", "Documentation/",
                              "samples/", "usr/")):
            continue
        o = f[:-2] + ".o"
        if o not in objs:
            objs.append(o)
    return objs, skipped


def product(target):
    """The file whose existence proves that target was built."""
    for _, dirtarget, proof, _ in SPECIAL_DIRS:
        if target == dirtarget:
            return proof
    return target


def plan(tree, config, conf, files):
    """(todo, skipped): what to compile in this configuration."""
    objs, skipped = objects_for(config, files)
    for sym, obj in OPTIONAL.get(config.name, ()):
        if tree_has_symbol(tree, sym) and obj not in objs and \
                os.path.exists(os.path.join(tree, obj[:-2] + ".c")):
            objs.append(obj)
    todo = []
    for o in objs:
        reason = None if o.endswith("/") else why_not_built(tree, conf, o)
        if reason:
            skipped.append((o, reason))
        else:
            todo.append(o)
    return todo, skipped


# -- a build --------------------------------------------------------------

def check_compiler(config):
    if not shutil.which(config.compiler):
        raise BuildError("%s: %s not found (scripts/install-deps installs "
                         "it)" % (config.name, config.compiler))


def build(tree: str, out: str, name: str, files: Sequence[str],
          jobs: int = JOBS, keep_config: bool = False,
          log: Optional[Callable[[str], None]] = None) -> BuildResult:
    """Configure (or reuse), prepare and compile the touched objects of
    files for configuration name in out.  Never raises BuildError: a
    failure is the result's error.  Holds the machine-wide lock."""
    log = log or (lambda msg: None)
    config = CONFIGS[name]
    tree, out = os.path.abspath(tree), os.path.abspath(out)
    res = BuildResult(name, log=os.path.join(out, LOG_NAME), tree=tree)
    start = time.monotonic()
    try:
        check_compiler(config)
        os.makedirs(out, exist_ok=True)
        with BuildLock(log):
            _build(Make(tree, out, config, jobs, log), files, keep_config,
                   res)
    except BuildError as e:
        res.error = str(e)
    except OSError as e:
        res.error = "%s: %s" % (name, e)
    res.seconds = time.monotonic() - start
    log("%s: %s in %.0f s" % (name, "%d objects compiled" % len(res.built)
                              if res.ok else "FAILED", res.seconds))
    return res


def _build(make, files, keep_config, res):
    conf, res.reused = configure(make, keep_config)
    make.run(["prepare"])
    todo, res.skipped = plan(make.tree, make.config, conf, files)
    for o, reason in res.skipped:
        make.log("skip %s: %s" % (o, reason))
    for o in todo:
        path = os.path.join(make.out, product(o))
        if os.path.exists(path):
            os.unlink(path)     # prove that this run compiled it
    make.run(todo)
    for o in todo:
        if not os.path.exists(os.path.join(make.out, product(o))):
            raise BuildError("make succeeded but %s was not produced"
                             % product(o))
    res.built = todo


def first_error(result: BuildResult) -> str:
    """The line of a failed build's output that says what went wrong:
    the first compiler error (its paths relative to the tree), else the
    first line of the message."""
    text = result.error or ""
    for line in text.splitlines()[1:]:
        if re.search(r"\berror\b", line) and not line.startswith("make"):
            line = line.strip()
            if result.tree:     # as the compiler names it: make -C resolves
                line = line.replace(os.path.realpath(result.tree) + "/", "")
            return line
    return text.splitlines()[0] if text else ""


def uncovered(files: Sequence[str], results: Sequence[BuildResult]):
    """The touched .c files of the kernel that no successful build
    compiled (a file of a directory built as a whole counts as compiled
    when its directory was)."""
    built = set()
    for r in results:
        built.update(r.built)
    missing = []
    for f in files:
        if not f.endswith(".c") or \
                f.startswith(("tools/", "scripts/", "Documentation/",
                              "samples/", "usr/")):
            continue
        special = special_dir(f)
        target = special[1] if special else f[:-2] + ".o"
        if target is None or target not in built:
            missing.append(f)
    return missing
