/*
 * The run: walk the inputs, pick the files that can matter with a byte
 * scan, lex/parse/analyse those, and repeat while the interprocedural
 * summaries change.  One file is in memory at a time; only summaries and
 * findings outlive it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lazy.h"

#define MAXPASSES 6

struct driver {
	const struct config *cfg;
	struct summaries *sum;
	struct report *rep;
	char *buf;
	size_t bufsz;
	int errors;
	int pass;
};

static int is_arch_path(const char *path)
{
	const char *p = path;

	for (;;) {
		if (!strncmp(p, "arch/", 5))
			return 1;
		p = strchr(p, '/');
		if (!p)
			return 0;
		p++;
	}
}

/* Does the body call anything that matters?  Sets *owner for arch code:
 * its first legacy call is an enter and it also leaves. */
static int relevant(struct driver *d, struct unit *u, struct function *f, int *owner)
{
	int i, op, legacy, any = 0, first = 0, leaves = 0;

	for (i = f->body_open; i < f->body_close; i++) {
		struct token *t = &u->toks.t[i];

		if (t->kind != T_IDENT || !tok_is(&u->toks.t[i + 1], "("))
			continue;
		if (is_api_name(t->s, t->len, &op, &legacy)) {
			if (op == OP_NONE)
				continue;
			if (!legacy)
				any = 1;
			else if (op == OP_ENABLE || op == OP_DISABLE) {
				if (!first)
					first = op;
				leaves |= op == OP_DISABLE;
			}
			if (legacy && !u->is_arch)
				any = 1;
		} else if (summary_lookup(d->sum, t->s, t->len, u->path) >= 0) {
			any = 1;
		}
	}
	*owner = u->is_arch && first == OP_ENABLE && leaves;
	return any || *owner;
}

static void check_function(struct driver *d, struct unit *u, struct function *f);

/*
 * #if arms that split a statement ("} else\n#endif\n{"): analyse the body
 * with the first arm of every group, else with the last one, on a
 * filtered copy of its tokens.  Returns 1 when one of them parsed.
 */
static int fallback(struct driver *d, struct unit *u, struct function *f, int owner)
{
	struct tokens saved = u->toks, copy;
	struct function g;
	struct cfg cfg = { 0 };
	int mode;

	for (mode = 0; mode < 2; mode++) {
		pp_filter(&saved, f->name_tok, f->body_close, mode, &copy);
		u->toks = copy;
		g = *f;
		g.name_tok = 0;
		g.body_open = f->body_open - f->name_tok;
		while (g.body_open < copy.n && !tok_is(&copy.t[g.body_open], "{"))
			g.body_open++;
		g.body_close = copy.n - 1;
		parse_function(u, &g);
		if (g.body) {
			build_cfg(u, &g, d->sum, !u->is_arch || owner, &cfg);
			analyse_function(u, &g, d->sum, d->cfg, d->rep, &cfg, !u->is_arch);
			free(cfg.n);
		}
		u->toks = saved;
		free(copy.t);
		if (g.body)
			return 1;
	}
	return 0;
}

static void check_function(struct driver *d, struct unit *u, struct function *f)
{
	struct cfg g = { 0 };
	int owner, op, legacy;

	if (is_api_name(f->name, (int)strlen(f->name), &op, &legacy))
		return;		/* the API's own definitions */
	if (!relevant(d, u, f, &owner) && !d->cfg->all_functions)
		return;
	parse_function(u, f);
	if (!f->body) {
		struct token *t = &u->toks.t[f->error_tok];

		if (!fallback(d, u, f, owner))
			report_skip(d->rep, u->path, t->line, t->col,
				    "cannot parse function '%s' (%s at line %d); function skipped",
				    f->name, f->error, t->line);
		return;
	}
	build_cfg(u, f, d->sum, !u->is_arch || owner, &g);
	if (d->cfg->dump && !strcmp(d->cfg->dump, "cfg") && d->pass == 0)
		print_cfg(u, f, &g);
	analyse_function(u, f, d->sum, d->cfg, d->rep, &g, !u->is_arch);
	free(g.n);
}

/* Legacy calls in the #define bodies of generic code: not code paths, so
 * not analysed, but reported like any legacy call outside arch/. */
static void macro_legacy_calls(struct driver *d, struct unit *u)
{
	int i;

	for (i = 0; !u->is_arch && i + 1 < u->toks.nmcalls; i += 2) {
		const struct token *m = &u->toks.mcalls[i], *c = &u->toks.mcalls[i + 1];

		report_add(d->rep, D_LEGACY_CALL, u->path, c->line, c->col, "",
			   "legacy %.*s() in the body of macro '%.*s' in generic code: "
			   "macro bodies are not analysed; convert it by hand",
			   c->len, c->s, m->len, m->s);
	}
}

static void check_unit(struct driver *d, const char *path, const char *buf, size_t len)
{
	struct lex_issue issue = { 0 };
	const char *nul = memchr(buf, 0, len);
	struct unit u;
	int i;

	if (nul) {
		const char *bol = nul;
		int line = 1;

		while (bol > buf && bol[-1] != '\n')
			bol--;
		for (i = 0; i < bol - buf; i++)
			line += buf[i] == '\n';
		report_skip(d->rep, path, line, (int)(nul - bol) + 1,
			    "NUL byte: not a C source file; file not checked");
		return;
	}
	memset(&u, 0, sizeof(u));
	u.path = path;
	u.buf = buf;
	u.is_arch = is_arch_path(path);
	u.arena = arena_new();
	lex(buf, len, d->cfg, &u.toks, &issue);
	if (issue.what)
		report_skip(d->rep, path, issue.line, issue.col, "%s", issue.what);
	i = parse_unit(&u);
	if (i >= 0)
		report_skip(d->rep, path, u.toks.t[i].line, u.toks.t[i].col,
			    "this '{' has no matching '}' (the rest of the file is not checked)");
	if (d->cfg->dump && !strcmp(d->cfg->dump, "tokens") && d->pass == 0)
		print_tokens(&u);
	for (i = 0; i < u.nfns; i++)
		check_function(d, &u, &u.fns[i]);
	macro_legacy_calls(d, &u);
	free(u.toks.mcalls);
	free(u.toks.t);
	free(u.fns);
	arena_free(u.arena);
}

static int wanted(struct driver *d, const char *buf, size_t len)
{
	int i;

	if (d->cfg->all_functions || memmem(buf, len, "lazy_mmu", 8))
		return 1;
	for (i = 0; i < summary_count(d->sum); i++) {
		const char *n = summary_name(d->sum, i);

		if (!summary_global(d->sum, i))
			continue;
		if (memmem(buf, len, n, strlen(n)))
			return 1;
	}
	return 0;
}

static void io_error(struct driver *d, const char *path)
{
	if (d->pass == 0)
		report_error(d->rep, "%s: %s", path, strerror(errno));
	d->errors++;
}

#define CHUNK (1 << 20)
#define OVERLAP 256		/* longest needle kept across chunk borders */

static int ensure(struct driver *d, size_t n)
{
	if (n > d->bufsz) {
		d->bufsz = n + 65536;
		d->buf = xrealloc(d->buf, d->bufsz);
	}
	return 0;
}

/* Read the whole file (len bytes) into d->buf; -1 on error. */
static int read_all(int fd, struct driver *d, size_t size, size_t *len)
{
	ensure(d, size + 1);
	*len = 0;
	while (*len < size) {
		ssize_t n = pread(fd, d->buf + *len, size - *len, *len);

		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*len += n;
	}
	d->buf[*len] = 0;
	return 0;
}

/*
 * Does the file mention anything that matters?  Large files are scanned in
 * chunks so that memory stays flat; only files that matter are read whole.
 */
static int scan_chunks(int fd, struct driver *d, size_t size)
{
	size_t off = 0, keep = 0;

	ensure(d, CHUNK + OVERLAP + 1);
	while (off < size) {
		ssize_t n = pread(fd, d->buf + keep, CHUNK, off);

		if (n <= 0)
			return n < 0 ? -1 : 0;
		if (wanted(d, d->buf, keep + n))
			return 1;
		off += n;
		if ((size_t)n + keep > OVERLAP) {
			memmove(d->buf, d->buf + keep + n - OVERLAP, OVERLAP);
			keep = OVERLAP;
		}
	}
	return 0;
}

/*
 * A file named on the command line is looked at even when it cannot matter:
 * if its head holds a NUL byte it is not C, and the user who asked for it
 * is told so.  Files found by a directory walk are not, to keep whole-tree
 * runs at the speed of a scan.
 */
static void note_binary(struct driver *d, const char *path, int fd)
{
	char head[4096];
	ssize_t n = pread(fd, head, sizeof(head), 0);

	if (n > 0 && memchr(head, 0, n))
		check_unit(d, path, head, n);
}

static void check_file(struct driver *d, const char *path, int top)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	size_t len = 0;
	int want;

	if (fd < 0 || fstat(fd, &st) < 0) {
		io_error(d, path);
		if (fd >= 0)
			close(fd);
		return;
	}
	if ((size_t)st.st_size <= CHUNK) {
		if (read_all(fd, d, st.st_size, &len) < 0)
			goto fail;
		want = wanted(d, d->buf, len);
	} else {
		want = scan_chunks(fd, d, st.st_size);
		if (want < 0)
			goto fail;
		if (want && read_all(fd, d, st.st_size, &len) < 0)
			goto fail;
	}
	if (!want && top)
		note_binary(d, path, fd);
	close(fd);
	if (want)
		check_unit(d, path, d->buf, len);
	return;
fail:
	io_error(d, path);
	close(fd);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int source_name(const char *name)
{
	size_t n = strlen(name);

	return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'c' || name[n - 1] == 'h');
}

static void check_path(struct driver *d, const char *path, int top);

static void check_dir(struct driver *d, const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char **names = NULL, *sub;
	int n = 0, alloc = 0, i;
	size_t plen = strlen(path);

	if (!dir) {
		io_error(d, path);
		return;
	}
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type == DT_LNK)
			continue;
		if (e->d_type == DT_REG && !source_name(e->d_name))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			names = xrealloc(names, alloc * sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dir);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		sub = xmalloc(plen + strlen(names[i]) + 2);
		sprintf(sub, "%s%s%s", path, plen && path[plen - 1] == '/' ? "" : "/", names[i]);
		check_path(d, sub, 0);
		free(sub);
		free(names[i]);
	}
	free(names);
}

static void check_path(struct driver *d, const char *path, int top)
{
	struct stat st;

	if ((top ? stat(path, &st) : lstat(path, &st)) < 0) {
		io_error(d, path);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		check_dir(d, path);
	} else if (S_ISREG(st.st_mode)) {
		if (top || source_name(path))
			check_file(d, path, top);
	} else if (top) {
		/* a FIFO would block the run, /dev/zero never end: say why */
		if (d->pass == 0)
			report_error(d->rep, "%s: not a regular file or directory", path);
		d->errors++;
	}
}

/* The passes over the inputs: the files and directories of 'paths', or
 * when 'mem' is set one file already in memory, named paths[0]. */
static int run_inputs(char **paths, int npaths, const char *mem, size_t memlen,
		      const struct config *cfg, const char *format)
{
	struct driver d;
	int i, gen, nwarn;

	memset(&d, 0, sizeof(d));
	d.cfg = cfg;
	d.sum = summaries_new();
	d.rep = report_new();
	for (d.pass = 0; d.pass < MAXPASSES; d.pass++) {
		report_reset(d.rep);
		gen = summary_generation(d.sum);
		d.errors = 0;
		for (i = 0; i < npaths; i++) {
			if (!mem)
				check_path(&d, paths[i], 1);
			else if (wanted(&d, mem, memlen))
				check_unit(&d, paths[i], mem, memlen);
		}
		if (summary_generation(d.sum) == gen)
			break;
	}
	if (d.pass == MAXPASSES)
		print_error("summaries did not settle after %d passes", MAXPASSES);
	if (cfg->dump && !strcmp(cfg->dump, "summaries"))
		print_summaries(d.sum);
	nwarn = cfg->dump ? 0 : report_print(d.rep, format, cfg);
	summaries_free(d.sum);
	report_free(d.rep);
	free(d.buf);
	if (d.errors)
		return 2;
	return nwarn ? 1 : 0;
}

int run(char **paths, int npaths, const struct config *cfg, const char *format)
{
	return run_inputs(paths, npaths, NULL, 0, cfg, format);
}

/* One file already in memory, for the fuzz targets; buf[len] must be 0. */
int run_buffer(const char *path, const char *buf, size_t len,
	       const struct config *cfg, const char *format)
{
	char *p = (char *)path;

	return run_inputs(&p, 1, buf, len, cfg, format);
}
