/*
 * Where a file sits in the kernel tree.  Arch code or generic, and which
 * arch, is decided on the file's path below the top of its tree (the
 * nearest directory above it that has an arch/ subdirectory), not on the
 * path as typed: 'lazy-mmu-check enlighten_pv.c' run from arch/x86/xen
 * is arch code, like arch/x86/xen/enlighten_pv.c run from the top.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "lazy.h"

static int has_arch_dir(const char *dir)
{
	char buf[PATH_MAX + 8];
	struct stat st;

	if (snprintf(buf, sizeof(buf), "%s/arch", dir) >= (int)sizeof(buf))
		return 0;
	return !stat(buf, &st) && S_ISDIR(st.st_mode);
}

/*
 * The path of 'path' below the top of its kernel tree ("" for the top
 * itself), malloc'd; NULL when no directory above it has an arch/.
 */
char *tree_path(const char *path)
{
	char *real = realpath(path, NULL), *dir, *slash, *rel = NULL;
	struct stat st;
	size_t n;

	if (!real)
		return NULL;
	dir = xstrdup(real);
	if (stat(real, &st) || !S_ISDIR(st.st_mode)) {
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir] = 0;
	}
	for (;;) {
		if (has_arch_dir(dir)) {
			n = strlen(dir);
			rel = xstrdup(real[n] == '/' ? real + n + 1 : n == 1 ? real + 1 : "");
			break;
		}
		slash = strrchr(dir, '/');
		if (!slash || !dir[1])
			break;
		slash[slash == dir] = 0;
	}
	free(dir);
	free(real);
	return rel;
}

/*
 * The arch a tree path belongs to ("arch/NAME/..."), copied into 'arch';
 * returns 0 for generic code.  Without a tree (paths that are not on
 * disk, as in the fuzz targets) the last "arch/NAME/" component of the
 * path decides.
 */
int tree_arch(const char *treepath, int in_tree, char *arch, size_t n)
{
	const char *p = treepath, *found = NULL, *end;

	if (in_tree) {
		if (!strncmp(p, "arch/", 5))
			found = p + 5;
	} else {
		for (; p; p = strchr(p, '/')) {
			if (*p == '/')
				p++;
			if (!strncmp(p, "arch/", 5))
				found = p + 5;
		}
	}
	if (!found || !(end = strchr(found, '/')) || end == found)
		return 0;
	if ((size_t)(end - found) >= n)
		end = found + n - 1;
	memcpy(arch, found, end - found);
	arch[end - found] = 0;
	return 1;
}
