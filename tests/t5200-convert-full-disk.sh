#!/bin/sh
# lazy-mmu-convert on a disk that really fills up, and on a read-only file
# system: t3300 raises ENOSPC from inside a fake step; here the tree is on
# a small tmpfs and the kernel says ENOSPC wherever it happens first (the
# lock file, a step's write, git's objects, the index, a commit).  Each
# run either converts the tree or fails with status 2, a one-line error
# and the tree exactly as before.  Needs root for mount(8) (skipped
# otherwise).
# uses: no lazy-mmu-check (tests/convert/fake-check)
. "$(dirname "$0")/lib-tap.sh"
. "$TESTS/lib-convert.sh"

(cd "$TRASH" && make_fixture_tree pristine) >/dev/null 2>&1
DISK=$TRASH/disk
mkdir -p "$DISK"

can_mount=no
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4m lazy-mmu-test "$DISK" 2>/dev/null; then
	umount "$DISK" && can_mount=yes
fi
trap 'mountpoint -q "$DISK" && umount "$DISK"; [ -n "${KEEP_TRASH:-}" ] || rm -rf "$TRASH"' EXIT

# on_full_disk KB: a fresh 4 MB tmpfs holding a copy of the fixture tree,
# then filled up except for KB kilobytes.  Its state goes to "before".
on_full_disk() {
	{ ! mountpoint -q "$DISK" || umount "$DISK"; } &&
	mount -t tmpfs -o size=4m lazy-mmu-test "$DISK" &&
	cp -a pristine "$DISK/linux" &&
	tree_state "$DISK/linux" >before &&
	{ dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null; true; } &&
	test "$(df --output=avail -k "$DISK" | tail -n 1)" -eq 0 &&
	if [ "$1" -gt 0 ]; then truncate -s -"$1"K "$DISK/filler"; fi
}

if [ $can_mount = no ]; then
	test_skip_missing 'a full disk at every point: converted or restored' 'root and mount -t tmpfs'
	test_skip_missing 'a read-only file system: refused, nothing changed' 'root and mount -t tmpfs'
	test_done
	exit
fi

# The free space of each run, in KB: from none (the lock cannot be
# written) to enough for the whole series.
test_expect_success 'a full disk at every point: converted or restored' '
	: >outcomes &&
	for kb in 0 4 16 64 256 512 528 544 560 576 592 608 640 672 704 768 832 896 1024 1536 2048; do
		on_full_disk $kb || exit 1
		convert "$DISK/linux"
		rm -f "$DISK/filler"
		if grep -q Traceback err; then cat err; exit 1; fi
		case $(cat rc) in
		0)
			echo "$kb KB free: converted" >>outcomes &&
			test "$(git -C "$DISK/linux" rev-list --count HEAD)" = 5 &&
			git -C "$DISK/linux" status --porcelain >st && test_must_be_empty st &&
			git -C "$DISK/linux" fsck --no-progress 2>&1 || exit 1
			;;
		2)
			tree_state "$DISK/linux" >after &&
			test_cmp before after || { echo "$kb KB free: not restored"; cat err; exit 1; }
			grep -q "^lazy-mmu-convert: error: " err || { cat err; exit 1; }
			echo "$kb KB free: $(grep -m 1 "^lazy-mmu-convert: error: " err)" >>outcomes
			;;
		*)
			echo "$kb KB free: status $(cat rc)"; cat err; exit 1
			;;
		esac
	done
	sed "s/^/# /" outcomes >&2 &&
	grep -q "No space left on device" outcomes &&
	grep -q ": converted$" outcomes &&
	test "$(grep -c "No space left on device" outcomes)" -ge 3
'

test_expect_success 'a full disk: the restore message names the tree state' '
	for kb in $(seq 520 8 1024); do
		on_full_disk $kb || exit 1
		convert "$DISK/linux"
		rm -f "$DISK/filler"
		if [ "$(cat rc)" = 2 ] && grep -q "tree restored to" err; then
			tree_state "$DISK/linux" >after && test_cmp before after &&
			exit 0
		fi
	done
	echo "no run failed after changing the tree"; exit 1
'

test_expect_success 'a read-only file system: refused, nothing changed' '
	on_full_disk 2048 && rm -f "$DISK/filler" &&
	mount -o remount,ro "$DISK" &&
	convert "$DISK/linux"; mount -o remount,rw "$DISK" &&
	expect_rc 2 && test "$(grep -c "^lazy-mmu-convert: error: " err)" -eq 1 &&
	! grep -q Traceback err &&
	tree_state "$DISK/linux" >after && test_cmp before after
'

test_done
