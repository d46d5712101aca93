/*
 * The run: walk the inputs once, indexing every file's definitions
 * (index.c) and picking the files that can matter with a byte scan; then
 * lex/parse/analyse those, and walk again while the interprocedural
 * summaries change or new functions turn out to take callbacks that run
 * inside a section (their callers must be read).  Last, the call graph
 * (callgraph.c) follows the calls made inside sections into the rest of
 * the input.  One file is in memory at a time; the index, the summaries,
 * the call graph and the findings outlive it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lazy.h"

#define MAXPASSES 8

struct driver {
	struct checker k;
	struct index *idx;
	char *buf;
	size_t bufsz;
	int errors;
	int indexing;		/* this walk indexes every file */
	char **needles;		/* names whose callers must be read */
	size_t *needlen;
	int nneedles;
	unsigned char *mentions;	/* per file: mentions lazy_mmu (pass 0) */
	int nmentions;
	int dump_functions;
	int nfunctions;		/* --dump=functions: printed so far */
	int arg;		/* the command-line argument being walked */
	int *visited;		/* pass 0: files read that did not matter yet */
	int *visited_arg;
	int nvisited, valloc;
	int needle_pos;		/* how many of those were read before the last needle */
	int sealed;
};

/* Does the body call anything that matters?  Sets *owner for arch code
 * (its first legacy call is an enter and it also leaves) and *legacy
 * when it calls the legacy API at all. */
static int relevant(struct checker *k, struct unit *u, struct function *f, int *owner,
		    int *legacy_calls)
{
	int i, op, legacy, any = 0, first = 0, leaves = 0;

	*legacy_calls = 0;
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
				*legacy_calls = 1;
				if (!first)
					first = op;
				leaves |= op == OP_DISABLE;
			}
			if (legacy && !u->is_arch)
				any = 1;
		} else if (summary_lookup(k->sum, t->s, t->len, u->path) >= 0) {
			any = 1;
		}
	}
	*owner = u->is_arch && first == OP_ENABLE && leaves;
	return any || *owner;
}

static void analyse_one(struct checker *k, struct unit *u, struct function *f, int file,
			int legacy_active, int mode)
{
	struct cfg g = { 0 };
	struct fnout out = { 0 };

	build_cfg(u, f, k->sum, legacy_active, &g);
	if ((mode & AF_REPORT) && k->cfg->dump && !strcmp(k->cfg->dump, "cfg") && k->pass == 0)
		print_cfg(u, f, &g);
	analyse_function(u, f, k->sum, k->cfg, k->rep, &g, !u->is_arch, mode, &out);
	cg_add(k->cg, file, u, f, &out, 1);
	fnout_free(&out);
	free(g.n);
}

/*
 * #if arms that split a statement ("} else\n#endif\n{"): analyse the body
 * with the first arm of every group, else with the last one, on a
 * filtered copy of its tokens.  Returns 1 when one of them parsed.
 */
static int fallback(struct checker *k, struct unit *u, struct function *f, int file,
		    int legacy_active, int mode)
{
	struct tokens saved = u->toks, copy;
	struct function g;
	int pass;

	for (pass = 0; pass < 2; pass++) {
		pp_filter(&saved, f->name_tok, f->body_close, pass, &copy);
		u->toks = copy;
		g = *f;
		g.name_tok = 0;
		g.body_open = f->body_open - f->name_tok;
		while (g.body_open < copy.n && !tok_is(&copy.t[g.body_open], "{"))
			g.body_open++;
		g.body_close = copy.n - 1;
		parse_function(u, &g);
		if (g.body)
			analyse_one(k, u, &g, file, legacy_active, mode);
		u->toks = saved;
		free(copy.t);
		if (g.body)
			return 1;
	}
	return 0;
}

/*
 * One function definition.  Those that call the API (or a summarised
 * function) are checked and reported; every other one is analysed
 * quietly for the call graph (its calls, and the mode at each).  In the
 * closure (callgraph.c reading a callee) nothing is reported.
 */
void check_function(struct checker *k, struct unit *u, struct function *f, int file,
		    int closure)
{
	int owner, op, legacy, legacy_calls, mode, rel;

	if (is_api_name(f->name, (int)strlen(f->name), &op, &legacy))
		return;		/* the API's own definitions */
	rel = relevant(k, u, f, &owner, &legacy_calls) || k->cfg->all_functions;
	/* arch code that is no owner: its legacy calls are the arch's own
	 * business, but they still give it a summary */
	mode = closure ? 0 : rel ? AF_REPORT | AF_SUMMARY : legacy_calls ? AF_SUMMARY : 0;
	parse_function(u, f);
	if (!f->body) {
		struct token *t = &u->toks.t[f->error_tok];

		if (!fallback(k, u, f, file, !u->is_arch || owner || legacy_calls, mode)) {
			if (mode & AF_REPORT)
				report_skip(k->rep, u->path, t->line, t->col,
					    "cannot parse function '%s' (%s at line %d); function skipped",
					    f->name, f->error, t->line);
			cg_add(k->cg, file, u, f, NULL, 0);
		}
		return;
	}
	analyse_one(k, u, f, file, !u->is_arch || owner || legacy_calls, mode);
}

/* Legacy calls in the #define bodies of generic code: not code paths, so
 * not analysed, but reported like any legacy call outside arch/. */
static void macro_legacy_calls(struct driver *d, struct unit *u)
{
	int i;

	for (i = 0; !u->is_arch && i + 1 < u->toks.nmcalls; i += 2) {
		const struct token *m = &u->toks.mcalls[i], *c = &u->toks.mcalls[i + 1];

		report_add(d->k.rep, D_LEGACY_CALL, u->path, c->line, c->col, "",
			   "legacy %.*s() in the body of macro '%.*s' in generic code: "
			   "macro bodies are not analysed; convert it by hand",
			   c->len, c->s, m->len, m->s);
	}
}

/* A NUL byte: not C.  Returns 1 (and notes it) when there is one. */
static int binary(struct report *rep, const char *path, const char *buf, size_t len)
{
	const char *nul = memchr(buf, 0, len), *bol;
	int line = 1;
	size_t i;

	if (!nul)
		return 0;
	for (bol = nul; bol > buf && bol[-1] != '\n'; bol--)
		;
	for (i = 0; i < (size_t)(bol - buf); i++)
		line += buf[i] == '\n';
	report_skip(rep, path, line, (int)(nul - bol) + 1,
		    "NUL byte: not a C source file; file not checked");
	return 1;
}

static void dump_functions(struct driver *d, struct unit *u)
{
	int i;

	for (i = 0; i < u->nfns; i++) {
		const struct function *f = &u->fns[i];

		print_function_json(d->nfunctions++ == 0, u->path, f->name,
				    u->toks.t[decl_start(u, f->name_tok)].line,
				    u->toks.t[f->body_close].line);
	}
}

static void check_unit(struct driver *d, int file, const char *buf, size_t len)
{
	struct lex_issue issue = { 0 };
	struct unit u;
	int i;

	if (binary(d->k.rep, index_path(d->idx, file), buf, len))
		return;
	memset(&u, 0, sizeof(u));
	u.path = index_path(d->idx, file);
	u.buf = buf;
	u.len = len;
	u.is_arch = index_arch(d->idx, file) != 0;
	u.arena = arena_new();
	lex(buf, len, d->k.cfg, &u.toks, &issue);
	if (issue.what && !d->dump_functions)
		report_skip(d->k.rep, u.path, issue.line, issue.col, "%s", issue.what);
	i = parse_unit(&u);
	if (i >= 0 && !d->dump_functions)
		report_skip(d->k.rep, u.path, u.toks.t[i].line, u.toks.t[i].col,
			    "this '{' has no matching '}' (the rest of the file is not checked)");
	if (d->dump_functions) {
		dump_functions(d, &u);
	} else {
		if (d->k.cfg->dump && !strcmp(d->k.cfg->dump, "tokens") && d->k.pass == 0)
			print_tokens(&u);
		for (i = 0; i < u.nfns; i++)
			check_function(&d->k, &u, &u.fns[i], file, 0);
		macro_legacy_calls(d, &u);
	}
	free(u.toks.mcalls);
	free(u.toks.t);
	free(u.fns);
	arena_free(u.arena);
}

/* Does the file mention lazy_mmu?  Pass 0 looks; the later ones know. */
static int mentions(struct driver *d, int file, const char *buf, size_t len)
{
	int m;

	if (d->k.pass && file >= 0 && file < d->nmentions)
		return d->mentions[file];
	m = contains(buf, len, "lazy_mmu", 8);
	if (file >= 0) {
		if (file >= d->nmentions) {
			int n = file + 1024;

			d->mentions = xrealloc(d->mentions, n);
			memset(d->mentions + d->nmentions, 0, n - d->nmentions);
			d->nmentions = n;
		}
		d->mentions[file] = m;
	}
	return m;
}

static int wanted(struct driver *d, int file, const char *buf, size_t len)
{
	int i;

	if (d->k.cfg->all_functions || d->dump_functions || mentions(d, file, buf, len))
		return 1;
	for (i = 0; i < summary_count(d->k.sum); i++) {
		const char *n = summary_name(d->k.sum, i);

		if (summary_global(d->k.sum, i) && contains(buf, len, n, strlen(n)))
			return 1;
	}
	for (i = 0; i < d->nneedles; i++)
		if (contains(buf, len, d->needles[i], d->needlen[i]))
			return 1;
	return 0;
}

static void io_error(struct driver *d, const char *path)
{
	if (d->k.pass == 0)
		report_error(d->k.rep, "%s: %s", path, strerror(errno));
	d->errors++;
}

#define CHUNK (1 << 20)
#define OVERLAP 256		/* longest needle kept across chunk borders */

static void ensure(struct driver *d, size_t n)
{
	if (n > d->bufsz) {
		d->bufsz = n + 65536;
		d->buf = xrealloc(d->buf, d->bufsz);
	}
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
 * Large files are scanned in chunks so that memory stays flat: does the
 * file mention anything that matters (only such files are read whole)?
 * They are not indexed: over 1 MiB, a kernel source is a generated
 * register header or a data table (amdgpu's asic_reg/, crypto/testmgr.h),
 * with no function that a chain of calls reaches.
 */
static int scan_chunks(int fd, struct driver *d, size_t size)
{
	size_t off = 0, keep = 0;

	ensure(d, CHUNK + OVERLAP + 1);
	while (off < size) {
		ssize_t n = pread(fd, d->buf + keep, CHUNK, off);

		if (n <= 0)
			return n < 0 ? -1 : 0;
		if (wanted(d, -1, d->buf, keep + n))
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

	if (n > 0 && d->k.pass == 0)
		binary(d->k.rep, path, head, n);
}

/* Userspace programs in the kernel tree: walked and checked like any
 * file, but their definitions are not the kernel's (no call reaches them). */
static int userspace(const char *tpath)
{
	return tpath && (!strncmp(tpath, "tools/", 6) || !strncmp(tpath, "scripts/", 8));
}

static int file_id(struct driver *d, const char *path, const char *tpath)
{
	char arch[32];
	int in_tree = tpath != NULL, a = 0;

	if (tree_arch(in_tree ? tpath : path, in_tree, arch, sizeof(arch)))
		a = arch_id(d->idx, arch);
	return index_add_file(d->idx, path, tpath, a);
}

static void analyse_file(struct driver *d, int file, size_t len);

static void visit(struct driver *d, int file)
{
	if (d->nvisited == d->valloc) {
		d->valloc = d->valloc ? d->valloc * 2 : 1024;
		d->visited = xrealloc(d->visited, d->valloc * sizeof(int));
		d->visited_arg = xrealloc(d->visited_arg, d->valloc * sizeof(int));
	}
	d->visited_arg[d->nvisited] = d->arg;
	d->visited[d->nvisited++] = file;
}

static void check_file(struct driver *d, const char *path, const char *tpath, int top)
{
	int fd = open(path, O_RDONLY), want, file;
	struct stat st;
	size_t len = 0;

	if (fd < 0 || fstat(fd, &st) < 0) {
		io_error(d, path);
		if (fd >= 0)
			close(fd);
		return;
	}
	file = file_id(d, path, tpath);
	if ((size_t)st.st_size <= CHUNK) {
		if (read_all(fd, d, st.st_size, &len) < 0)
			goto fail;
		want = wanted(d, file, d->buf, len);
		if (d->indexing && !userspace(tpath))
			index_scan(d->idx, file, d->buf, len, 0);
	} else {
		want = scan_chunks(fd, d, st.st_size);
		if (want < 0 || (want && read_all(fd, d, st.st_size, &len) < 0))
			goto fail;
	}
	if (!want && top)
		note_binary(d, path, fd);
	close(fd);
	if (want)
		analyse_file(d, file, len);
	else if (d->k.pass == 0)
		visit(d, file);
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

static char *join_path(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char *s = xmalloc(n + strlen(name) + 2);

	sprintf(s, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", name);
	return s;
}

static void check_path(struct driver *d, const char *path, const char *tpath, int top);

static int is_dir(const char *dir, const char *name)
{
	char *p = join_path(dir, name);
	struct stat st;
	int r = !stat(p, &st) && S_ISDIR(st.st_mode);

	free(p);
	return r;
}

/*
 * At the top of a kernel tree, mm/ and include/ are read first: the
 * functions that take callbacks run inside a section (apply_to_page_range()
 * and its kind) are defined there, and the files read before they are
 * known must be read again (rescan()).  Only the order of reading
 * changes: the output is sorted as a plain walk would visit the files.
 */
static void first_things_first(const char *dir, char **names, int n)
{
	static const char *const first[] = { "include", "mm" };
	int i, k, j;

	if (!is_dir(dir, "arch") || !is_dir(dir, "mm"))
		return;
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++)
			if (!strcmp(names[i], first[k])) {
				char *t = names[i];

				for (j = i; j > 0; j--)
					names[j] = names[j - 1];
				names[0] = t;
				break;
			}
}

static void check_dir(struct driver *d, const char *path, const char *tpath)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	char **names = NULL, *sub, *tsub;
	int n = 0, alloc = 0, i;

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
	if (!d->dump_functions)
		first_things_first(path, names, n);
	for (i = 0; i < n; i++) {
		sub = join_path(path, names[i]);
		tsub = tpath ? (*tpath ? join_path(tpath, names[i]) : xstrdup(names[i])) : NULL;
		check_path(d, sub, tsub, 0);
		free(tsub);
		free(sub);
		free(names[i]);
	}
	free(names);
}

static void check_path(struct driver *d, const char *path, const char *tpath, int top)
{
	struct stat st;

	if ((top ? stat(path, &st) : lstat(path, &st)) < 0) {
		io_error(d, path);
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		check_dir(d, path, tpath);
	} else if (S_ISREG(st.st_mode)) {
		if (top || source_name(path))
			check_file(d, path, tpath, top);
	} else if (top) {
		/* a FIFO would block the run, /dev/zero never end: say why */
		if (d->k.pass == 0)
			report_error(d->k.rep, "%s: not a regular file or directory", path);
		d->errors++;
	}
}

/* One walk over the inputs, collecting the files to analyse. */
static void walk(struct driver *d, char **paths, int npaths)
{
	int i;

	for (i = 0; i < npaths; i++) {
		char *tpath = tree_path(paths[i]);

		d->arg = i;
		check_path(d, paths[i], tpath, 1);
		free(tpath);
	}
}

static int add_needles(struct driver *d);

/* A file that matters, in d->buf: analysed at once.  In pass 0 a new
 * callback-taking function makes the files read so far suspect. */
static void analyse_file(struct driver *d, int file, size_t len)
{
	report_arg(d->k.rep, index_path(d->idx, file), d->arg);
	check_unit(d, file, d->buf, len);
	if (d->k.pass == 0 && !d->dump_functions && add_needles(d))
		d->needle_pos = d->nvisited;
}

/* Pass 0: the files read before the last callback-taking function was
 * known, read again for their calls of it. */
static void rescan(struct driver *d)
{
	int i, k, n = d->needle_pos, fd;
	size_t len;
	struct stat st;

	d->needle_pos = 0;
	for (i = 0; i < n; i++) {
		const char *path = index_path(d->idx, d->visited[i]);

		fd = open(path, O_RDONLY);
		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			continue;	/* read in the walk: a race, reported there */
		}
		k = (size_t)st.st_size <= CHUNK ? read_all(fd, d, st.st_size, &len) == 0 &&
			wanted(d, -1, d->buf, len) : scan_chunks(fd, d, st.st_size) > 0 &&
			read_all(fd, d, st.st_size, &len) == 0;
		close(fd);
		if (k) {
			d->arg = d->visited_arg[i];
			analyse_file(d, d->visited[i], len);
		}
	}
}

static int add_needles(struct driver *d)
{
	char **names;
	int n = cg_needles(d->k.cg, &names, d->sealed), i, k, added = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < d->nneedles && strcmp(d->needles[k], names[i]); k++)
			;
		if (k < d->nneedles)
			continue;
		d->needles = xrealloc(d->needles, (d->nneedles + 1) * sizeof(*d->needles));
		d->needlen = xrealloc(d->needlen, (d->nneedles + 1) * sizeof(*d->needlen));
		d->needlen[d->nneedles] = strlen(names[i]);
		d->needles[d->nneedles++] = xstrdup(names[i]);
		added++;
	}
	free(names);
	return added;
}

/* The passes over the inputs: the files and directories of 'paths', or
 * when 'mem' is set one file already in memory, named paths[0]. */
static int run_inputs(char **paths, int npaths, const char *mem, size_t memlen,
		      const struct config *cfg, const char *format)
{
	struct driver d;
	int i, gen, nwarn, more;

	memset(&d, 0, sizeof(d));
	d.k.cfg = cfg;
	d.k.sum = summaries_new();
	d.k.rep = report_new();
	d.idx = index_new();
	d.k.cg = cg_new(d.idx, d.k.sum, cfg);
	d.dump_functions = cfg->dump && !strcmp(cfg->dump, "functions");
	if (d.dump_functions)
		print_functions_begin();
	for (d.k.pass = 0; d.k.pass < MAXPASSES; d.k.pass++) {
		report_reset(d.k.rep);
		cg_reset(d.k.cg);
		gen = summary_generation(d.k.sum);
		d.errors = 0;
		d.indexing = d.k.pass == 0 && !d.dump_functions;
		d.nvisited = d.needle_pos = 0;
		if (mem) {
			i = file_id(&d, paths[0], NULL);
			if (d.indexing)
				index_scan(d.idx, i, mem, memlen, 0);
			if (wanted(&d, i, mem, memlen)) {
				report_arg(d.k.rep, paths[0], 0);
				check_unit(&d, i, mem, memlen);
			}
		} else {
			walk(&d, paths, npaths);
		}
		if (d.indexing) {
			index_seal(d.idx);
			d.sealed = 1;
		}
		if (d.dump_functions)
			break;
		rescan(&d);
		more = add_needles(&d);
		if (summary_generation(d.k.sum) == gen && !more)
			break;
	}
	if (d.k.pass == MAXPASSES)
		print_error("the summaries did not settle after %d passes", MAXPASSES);
	if (d.dump_functions) {
		print_functions_end();
		nwarn = 0;
	} else {
		cg_finish(d.k.cg, d.k.rep, mem, memlen);
		if (cfg->dump && !strcmp(cfg->dump, "summaries"))
			print_summaries(d.k.sum);
		nwarn = cfg->dump ? 0 : report_print(d.k.rep, format, cfg);
	}
	cg_free(d.k.cg);
	index_free(d.idx);
	summaries_free(d.k.sum);
	report_free(d.k.rep);
	for (i = 0; i < d.nneedles; i++)
		free(d.needles[i]);
	free(d.needles);
	free(d.needlen);
	free(d.mentions);
	free(d.visited);
	free(d.visited_arg);
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
