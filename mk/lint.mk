# Installing the semantic patches into a kernel tree, so that the tree's
# own 'make coccicheck' runs them with the upstream ones.
#
#   make install-cocci KERNEL_TREE=/path/to/linux
#   make uninstall-cocci KERNEL_TREE=/path/to/linux
#
# The files go to $(KERNEL_TREE)/scripts/coccinelle/api/lazy_mmu/, a
# directory this target owns: files in it that are no longer in cocci/ are
# removed.  The macro hints (cocci/*.h) go there too; coccicheck only runs
# *.cocci, so they are used only when asked for:
#   make coccicheck SPFLAGS="--macro-file scripts/coccinelle/api/lazy_mmu/lazy_mmu_macros.h"  Every installed file must declare the four coccicheck modes
# (a file without 'virtual report' would stop everyone's plain
# 'make coccicheck'), so an incomplete one stops the install before
# anything is copied.  Existing files are unlinked before they are
# written, so a tree made with 'cp -al' (hard links) never has a pristine
# file modified through a link.

KERNEL_TREE ?=
LAZY_MMU_COCCI_SUBDIR := scripts/coccinelle/api/lazy_mmu

install-cocci:
	@tree='$(KERNEL_TREE)'; \
	if [ -z "$$tree" ]; then \
		echo 'install-cocci: set KERNEL_TREE=/path/to/linux' >&2; exit 2; \
	fi; \
	if [ ! -f "$$tree/scripts/coccicheck" ] || \
	   [ ! -d "$$tree/scripts/coccinelle" ]; then \
		echo "install-cocci: $$tree is not a kernel tree (no scripts/coccicheck)" >&2; \
		exit 2; \
	fi; \
	set -- cocci/*.cocci; \
	if [ ! -f "$$1" ]; then \
		echo 'install-cocci: no cocci/*.cocci to install' >&2; exit 2; \
	fi; \
	bad=0; \
	for f in "$$@"; do \
		for m in patch context org report; do \
			grep -Eq "^virtual[[:space:]]+$$m[[:space:]]*$$" "$$f" || { \
				echo "install-cocci: $$f does not declare 'virtual $$m'" >&2; \
				bad=1; }; \
		done; \
	done; \
	[ $$bad -eq 0 ] || exit 1; \
	dest="$$tree/$(LAZY_MMU_COCCI_SUBDIR)"; \
	for d in scripts scripts/coccinelle scripts/coccinelle/api \
		 $(LAZY_MMU_COCCI_SUBDIR); do \
		if [ -L "$$tree/$$d" ]; then \
			echo "install-cocci: $$tree/$$d is a symlink, not writing through it" >&2; \
			exit 2; \
		fi; \
	done; \
	mkdir -p "$$dest" || exit 2; \
	for old in "$$dest"/*.cocci "$$dest"/*.h; do \
		[ -e "$$old" ] || continue; \
		[ -f "cocci/$${old##*/}" ] || { rm -f "$$old" && \
			echo "  REMOVE  $(LAZY_MMU_COCCI_SUBDIR)/$${old##*/}"; }; \
	done; \
	for f in "$$@" cocci/*.h; do \
		[ -f "$$f" ] || continue; \
		rm -f "$$dest/$${f##*/}" && \
		cp "$$f" "$$dest/$${f##*/}" && \
		chmod 644 "$$dest/$${f##*/}" || exit 2; \
		echo "  INSTALL $(LAZY_MMU_COCCI_SUBDIR)/$${f##*/}"; \
	done

uninstall-cocci:
	@tree='$(KERNEL_TREE)'; \
	if [ -z "$$tree" ]; then \
		echo 'uninstall-cocci: set KERNEL_TREE=/path/to/linux' >&2; exit 2; \
	fi; \
	dest="$$tree/$(LAZY_MMU_COCCI_SUBDIR)"; \
	if [ -L "$$dest" ]; then \
		echo "uninstall-cocci: $$dest is a symlink" >&2; exit 2; \
	fi; \
	if [ -d "$$dest" ]; then \
		rm -f "$$dest"/*.cocci "$$dest"/*.h && rmdir "$$dest" && \
		echo "  REMOVE  $(LAZY_MMU_COCCI_SUBDIR)"; \
	fi

# bin/lazy-mmu-lint and the modules behind it (t40xx, t41xx).
check-lint: all
	@tests/run -j $(JOBS) t40 t41

bench-lint: all
	@scripts/bench-lint

.PHONY: install-cocci uninstall-cocci check-lint bench-lint
