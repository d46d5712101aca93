"""The one seam between lazy-mmu-tools and git.

Every git command the tools run goes through run_git() (the conversion
through Repo.git()), with a fixed locale, no pager, no prompt and none of
the caller's GIT_DIR/GIT_WORK_TREE/GIT_INDEX_FILE, so its output can be
parsed and it acts on the repository it is given.  Two options cover
lazy-mmu-lint's needs: ``keep_objects`` keeps GIT_OBJECT_DIRECTORY and
GIT_ALTERNATE_OBJECT_DIRECTORIES (a pre-receive hook sees the pushed
objects only through them), and ``ceiling`` stops repository discovery
above a directory (git apply and git diff --no-index in a temporary
directory then never look at a repository around it).  On top of it:

 - the questions the driver asks before it touches anything (is this the
   top of a work tree, is an operation in progress, what is changed);
 - Snapshot: what "the tree as it was" means (HEAD and its branch, the
   mode of every tracked file, the untracked and ignored files, the
   directories), taken before the first edit;
 - commit_step(): one commit per step, new files added with -f because
   the Debian tree's .gitignore ignores everything;
 - restore(): put the tree back to a Snapshot after a failure, then
   check that it really is back.

Nothing here prints; errors are raised as GitError with git's own
message, and the driver words them for the user.
"""

import os
import stat
import subprocess
from dataclasses import dataclass, field

# A commit identity for users who have none configured.
FALLBACK_NAME = "lazy-mmu-convert"
FALLBACK_EMAIL = "lazy-mmu-convert@localhost"

# Files in .git that say another git operation is half done.
IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
    "BISECT_LOG": "a bisect",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or am",
}


class GitError(Exception):
    """A git command failed; the message is git's own stderr."""


@dataclass
class Snapshot:
    """The state of a clean tree before the conversion touched it."""
    head: str                   # commit id
    branch: str | None          # "refs/heads/x", None when detached
    modes: dict = field(default_factory=dict)      # tracked path -> st_mode
    untracked: dict = field(default_factory=dict)  # untracked + ignored
                                                   # path -> stat key
    dirs: set = field(default_factory=set)         # every directory


OBJECT_VARS = ("GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
               "GIT_QUARANTINE_PATH")


def _env(keep_objects=False, ceiling=None):
    env = dict(os.environ)
    env.update({"LC_ALL": "C", "GIT_PAGER": "cat", "PAGER": "cat",
                "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"})
    # Never let a caller's GIT_DIR/GIT_WORK_TREE point us at another repo.
    for var in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE",
                "GIT_COMMON_DIR") + (() if keep_objects else OBJECT_VARS):
        env.pop(var, None)
    if ceiling:
        env["GIT_CEILING_DIRECTORIES"] = ceiling
    return env


def run_git_full(cwd, args, input=None, binary=False, keep_objects=False,
                 ceiling=None):
    """Run git in cwd; the CompletedProcess, whatever its status (str or,
    with binary, bytes).  GitError only if git cannot be started."""
    text = {} if binary else {"text": True, "errors": "surrogateescape"}
    try:
        return subprocess.run(["git"] + list(args), cwd=cwd,
                              env=_env(keep_objects, ceiling), input=input,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=None if input is not None else
                              subprocess.DEVNULL, **text)
    except OSError as e:
        raise GitError("cannot run git: %s" % e.strerror)


def run_git(cwd, args, check=True, input=None, binary=False,
            keep_objects=False, ceiling=None):
    """Run git in cwd; return its stdout.  GitError if it fails."""
    proc = run_git_full(cwd, args, input=input, binary=binary,
                        keep_objects=keep_objects, ceiling=ceiling)
    if check and proc.returncode != 0:
        err = proc.stderr
        if binary:
            err = err.decode("utf-8", "replace")
        msg = err.strip().splitlines()
        raise GitError(msg[-1] if msg else
                       "git %s failed (status %d)"
                       % (" ".join(args), proc.returncode))
    return proc.stdout


def _split_z(out):
    return [p for p in out.split("\0") if p]


class Repo:
    """A git work tree, addressed by the path of its top directory."""

    def __init__(self, top):
        self.top = top

    def git(self, *args, check=True, input=None):
        return run_git(self.top, args, check=check, input=input)

    # -- questions --------------------------------------------------------

    @staticmethod
    def toplevel(path):
        """Top of the work tree that holds path, or None."""
        try:
            out = run_git(path, ["rev-parse", "--is-inside-work-tree",
                                 "--show-toplevel"])
        except GitError:
            return None
        lines = out.splitlines()
        if len(lines) < 2 or lines[0] != "true":
            return None
        return lines[1]

    def git_dir(self):
        """Absolute path of this work tree's own git directory."""
        return os.path.abspath(os.path.join(
            self.top, self.git("rev-parse", "--git-dir").strip()))

    def head(self):
        """Commit id of HEAD, or None on an unborn branch."""
        out = self.git("rev-parse", "-q", "--verify", "HEAD^{commit}",
                       check=False).strip()
        return out or None

    def branch(self):
        """Full name of the checked-out branch, None when detached."""
        out = self.git("symbolic-ref", "-q", "HEAD", check=False).strip()
        return out or None

    def operation_in_progress(self):
        """What half-done git operation this tree is in, or None."""
        gd = self.git_dir()
        for name, what in IN_PROGRESS.items():
            if os.path.exists(os.path.join(gd, name)):
                return what
        return None

    def changed_files(self):
        """Tracked files with changes, staged or not: ["M  path", ...]."""
        self.git("update-index", "-q", "--refresh", check=False)
        out = self.git("status", "--porcelain=v1", "-z",
                       "--untracked-files=no", "--ignore-submodules=none")
        entries = []
        parts = _split_z(out)
        i = 0
        while i < len(parts):
            entry = parts[i]
            entries.append(entry)
            # a rename or copy is followed by its source path
            i += 2 if entry[:1] in ("R", "C") else 1
        return entries

    def others(self):
        """Untracked files, ignored ones included (the Debian tree ignores
        everything), as tree-relative paths."""
        return set(_split_z(self.git("ls-files", "-z", "--others")))

    def tracked(self):
        return _split_z(self.git("ls-files", "-z"))

    def untracked_among(self, paths):
        """Those of paths that exist in the work tree and git does not
        track (ignored ones included)."""
        present = [p for p in paths
                   if os.path.lexists(os.path.join(self.top, p))]
        if not present:
            return []
        known = set(_split_z(self.git("ls-files", "-z", "--", *present)))
        return [p for p in present if p not in known]

    def identity_args(self):
        """-c options giving a fallback identity when the user has none,
        else []."""
        env = os.environ
        name = env.get("GIT_AUTHOR_NAME") or \
            self.git("config", "user.name", check=False).strip()
        email = env.get("GIT_AUTHOR_EMAIL") or \
            self.git("config", "user.email", check=False).strip()
        if name and email:
            return []
        args = []
        if not name:
            args += ["-c", "user.name=" + FALLBACK_NAME]
        if not email:
            args += ["-c", "user.email=" + FALLBACK_EMAIL]
        return args

    # -- snapshot and restore --------------------------------------------

    def snapshot(self):
        snap = Snapshot(head=self.head(), branch=self.branch())
        for path in self.tracked():
            try:
                snap.modes[path] = os.lstat(os.path.join(self.top,
                                                         path)).st_mode
            except FileNotFoundError:
                pass
        snap.untracked = {p: self._stat_key(p) for p in self.others()}
        snap.dirs = self._dirs()
        return snap

    def _stat_key(self, path):
        try:
            st = os.lstat(os.path.join(self.top, path))
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode)

    def touched_untracked(self, snap):
        """Untracked files of the user's that changed or went away since
        snap: the run must never touch them."""
        return sorted(p for p, key in snap.untracked.items()
                      if self._stat_key(p) != key)

    def _dirs(self):
        found = set()
        for root, subdirs, _ in os.walk(self.top):
            if root == self.top and ".git" in subdirs:
                subdirs.remove(".git")
            found.add(os.path.relpath(root, self.top))
        return found

    def new_files(self, snap):
        """Untracked files that were not there at snapshot time."""
        return sorted(self.others() - set(snap.untracked))

    def read_only(self, snap, paths):
        """Those of paths that were tracked files without any write bit."""
        return [p for p in paths
                if p in snap.modes and stat.S_ISREG(snap.modes[p])
                and not snap.modes[p] & 0o222]

    def restore(self, snap):
        """Put the tree back to snap: branch and HEAD, index and tracked
        files (the tree was clean, so nothing of the user's is lost),
        file modes; remove the files and directories the run created.
        Untracked files that were there before are never touched.
        Returns the list of what could not be restored ([] on success)."""
        problems = []
        try:
            if self.branch() != snap.branch:
                if snap.branch:
                    self.git("symbolic-ref", "HEAD", snap.branch)
                else:
                    self.git("update-ref", "--no-deref", "HEAD", snap.head)
            self.git("reset", "-q", "--hard", snap.head)
        except GitError as e:
            problems.append("git reset --hard %s: %s" % (snap.head[:12], e))
        for path in self.new_files(snap):
            try:
                os.unlink(os.path.join(self.top, path))
            except OSError as e:
                problems.append("cannot remove %s: %s" % (path, e.strerror))
        self._remove_new_dirs(snap, problems)
        for path, mode in snap.modes.items():
            full = os.path.join(self.top, path)
            try:
                st = os.lstat(full)
            except FileNotFoundError:
                problems.append("%s is missing" % path)
                continue
            if stat.S_ISREG(mode) and stat.S_IMODE(st.st_mode) != \
                    stat.S_IMODE(mode):
                try:
                    os.chmod(full, stat.S_IMODE(mode))
                except OSError as e:
                    problems.append("cannot chmod %s: %s"
                                    % (path, e.strerror))
        problems += self.differences(snap)
        return problems

    def _remove_new_dirs(self, snap, problems):
        new = sorted(self._dirs() - snap.dirs, key=len, reverse=True)
        for d in new:
            try:
                os.rmdir(os.path.join(self.top, d))
            except OSError as e:
                problems.append("cannot remove directory %s: %s"
                                % (d, e.strerror))

    def differences(self, snap):
        """How the tree differs from snap, one line each ([] if not)."""
        diffs = []
        if self.head() != snap.head:
            diffs.append("HEAD is %s, was %s" % (self.head(), snap.head))
        if self.branch() != snap.branch:
            diffs.append("HEAD points to %s, was %s"
                         % (self.branch() or "a detached commit",
                            snap.branch or "a detached commit"))
        for entry in self.changed_files():
            diffs.append("still changed: %s" % entry)
        now = self.others()
        extra = now - set(snap.untracked)
        lost = set(snap.untracked) - now
        diffs += ["left behind: %s" % p for p in sorted(extra)]
        diffs += ["untracked file lost: %s" % p for p in sorted(lost)]
        diffs += ["untracked file changed: %s" % p
                  for p in self.touched_untracked(snap) if p not in lost]
        return diffs

    # -- commits ----------------------------------------------------------

    def commit_step(self, paths, new_paths, message, identity):
        """Commit paths (tree-relative; new_paths are added with -f).
        Returns the new commit id, or None when nothing changed."""
        if new_paths:
            self.git("add", "-f", "--", *new_paths)
        if paths:
            self.git("add", "-f", "--", *paths)
        if not self.git("diff", "--cached", "--name-only").strip():
            return None
        self.git(*identity, "commit", "-q", "--no-edit", "-F", "-",
                 input=message)
        return self.head()

    def intent_to_add(self, new_paths):
        """Make new files show in git diff/status without staging them."""
        if new_paths:
            self.git("add", "-f", "-N", "--", *new_paths)

    def log_oneline(self, base):
        return self.git("log", "--reverse", "--format=%h %s",
                        "%s..HEAD" % base).splitlines()

    def diffstat(self, base, to=None):
        """git diff --stat from base to `to` (a commit) or the work tree."""
        args = ["diff", "--stat=80", "--summary", base]
        if to:
            args.append(to)
        return self.git(*args).rstrip("\n").splitlines()

    def changed_since(self, base):
        """Paths changed between base and the work tree."""
        return _split_z(self.git("diff", "-z", "--name-only", base))


def clone_for_dry_run(src, head, dest):
    """A throwaway copy of src at commit head in dest, sharing src's
    objects (git clone --shared), so src itself is only read."""
    run_git(os.path.dirname(dest), ["clone", "-q", "--shared",
                                    "--no-checkout", src, dest])
    run_git(dest, ["checkout", "-q", "--detach", head])
    return Repo(dest)
