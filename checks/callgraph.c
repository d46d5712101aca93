/*
 * The call graph over the whole input, and the checks that need it.
 *
 * Every function the driver analyses hands over its calls (with the
 * lazy MMU mode on the paths that reach each: the caller's, active,
 * paused) and what it does itself with the caller's mode in effect
 * (opens a section, releases a lock after updating page tables).  From
 * the calls made while a section is active, and from callbacks that run
 * inside one, the call graph follows calls into the rest of the input:
 * definitions come from the index, are read again and analysed the same
 * way, function-like macros are expanded to the calls in their body.
 * Each definition belongs to an arch (or is generic); a chain of calls
 * never mixes two arches' definitions.  Three properties then flow from
 * callees to callers, per arch: may sleep, opens a section of its own,
 * releases a lock after page-table updates made under it.  They are
 * reported at the call inside the section, with the chain of calls as
 * notes.  Last, sections that no caller ever closes.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lazy.h"

#define MAXCAND 16		/* definitions of one name followed */
#define MAXHOPS 24		/* notes of one chain */
#define MAXSLOTS 16
#define MAXOPS 32		/* mm_walk_ops initializers of one file */
#define MAXMEMBERS 16

enum { P_SLEEP = 1, P_OPEN = 2, P_OPEN_LEGACY = 4, P_UNLOCK = 8, NPROP = 4 };
enum { FS_NEW, FS_DONE, FS_FAILED };

struct cname {
	char *s;
	int len;
	uint32_t hash;
	int *defs, ndefs, dalloc;	/* fnrec ids */
	int resolved;			/* the index's definitions are in defs */
	int cls, api;			/* C_* bits; an API name */
	int next;			/* hash chain */
};

struct fnrec {
	int name, file;
	unsigned int off;		/* the '{' of a function, the name of a macro */
	int line, col, end_line, end_col;
	unsigned char kind, arch, state, report;
	unsigned char local;		/* a static function or a macro of a .c file */
	unsigned char in_c;		/* defined in a .c file (else a header) */
	unsigned char dir_header;	/* a header only its directory includes */
	unsigned char is_root, queued, followed, pcalled, too_complex;
	int pnext;			/* next definition of its file waiting to be read */
	unsigned char gfp_param;	/* whether it sleeps depends on its GFP flags */
	unsigned char init;		/* __init: runs at boot only, not followed */
	unsigned char stop;		/* an arch's definition not followed (calls.def) */
	int site0, nsite, ev0, nev;
	int param[MAXPARAMS], nparams;
	int pc_site[MAXPARAMS], pc_next[MAXPARAMS], pc_arg[MAXPARAMS];
	int root_site, root_arg, root_def;
	int next;			/* (file, off) hash chain */
};

struct gsite {
	int fn, callee;
	int line, col;
	unsigned char status, legacy, gfp, cls;
	signed char param;
	unsigned char open_via, nargs;
	int open_line, open_col;
	int arg0;			/* args[arg0 .. arg0 + nargs): name ids or -1 */
	int walker;			/* a member of the mm_walk_ops this walker got */
};

struct gev {
	int fn, kind, what;		/* what: the unlock's name */
	int line, col, lline, lcol, uline, ucol;
	unsigned char legacy;
	char *lock;
};

struct callgraph {
	struct index *x;
	struct summaries *sum;
	const struct config *cfg;
	struct checker k;
	/* names */
	struct cname *names;
	int nnames, nalloc;
	int *nhash;
	int nhsize;
	/* functions, calls, events, call arguments */
	struct fnrec *fn;
	int nfn, fnalloc;
	int *fhash;
	int fhsize;
	struct gsite *site;
	int nsite, sitealloc;
	struct gev *ev;
	int nev, evalloc;
	int *args;
	int nargs, argalloc;
	/* the closure */
	int *queue;
	int nqueue, qalloc;
	int *pend;			/* per file: a definition waiting to be read, -1 */
	int npend;
	int slots[MAXSLOTS], nslots;
	int nmode;			/* slots[0, nmode): the arches generic code runs with */
	int maxdepth;			/* calls a chain may have */
	int sealed;			/* the index is complete: names can be looked up */
	unsigned char nopreempt[MAXSLOTS];	/* the arch may disable preemption */
	unsigned char *prop;		/* [fn * nslots + slot] */
	int *wsite, *wnext;		/* [(fn * nslots + slot) * NPROP + p] */
	/* the file being read */
	int curfile;
	char *buf;
	size_t len, bufsz;
	const char *mem;
	size_t memlen;
	int line_off, line_no;		/* line counting: offset, its line */
	struct report *rep;
	int ops_file;			/* walk_ops(): the file last read, */
	struct opsdef {			/* and its mm_walk_ops */
		int name, member[MAXMEMBERS], n;
	} ops[MAXOPS];
	int nops;
	int *reported;			/* (id, site) already reported */
	int nreported, repalloc;
};

/* ---- names ---- */

/* A bucket array of size chains, all empty (-1); the caller frees it. */
static int *empty_buckets(int size)
{
	int *b = xmalloc(size * sizeof(int));
	int i;

	for (i = 0; i < size; i++)
		b[i] = -1;
	return b;
}

static int intern(struct callgraph *g, const char *s, int len)
{
	uint32_t h = name_hash(s, len);
	struct cname *n;
	int i, op, legacy, arg;

	if (g->nnames * 2 >= g->nhsize) {
		int size = g->nhsize ? g->nhsize * 2 : 1024;

		free(g->nhash);
		g->nhash = empty_buckets(size);
		g->nhsize = size;
		for (i = 0; i < g->nnames; i++) {
			int b = g->names[i].hash & (size - 1);

			g->names[i].next = g->nhash[b];
			g->nhash[b] = i;
		}
	}
	for (i = g->nhash[h & (g->nhsize - 1)]; i >= 0; i = g->names[i].next)
		if (g->names[i].hash == h && g->names[i].len == len && !memcmp(g->names[i].s, s, len))
			return i;
	if (g->nnames == g->nalloc) {
		g->nalloc = g->nalloc ? g->nalloc * 2 : 1024;
		g->names = xrealloc(g->names, g->nalloc * sizeof(*g->names));
	}
	n = &g->names[g->nnames];
	memset(n, 0, sizeof(*n));
	n->s = xmalloc(len + 1);
	memcpy(n->s, s, len);
	n->s[len] = 0;
	n->len = len;
	n->hash = h;
	n->cls = call_class(s, len, &arg);
	n->api = is_api_name(s, len, &op, &legacy);
	n->next = g->nhash[h & (g->nhsize - 1)];
	g->nhash[h & (g->nhsize - 1)] = g->nnames;
	return g->nnames++;
}

static const char *NAME(struct callgraph *g, int id)
{
	return g->names[id].s;
}

static void add_def(struct callgraph *g, int name, int fn)
{
	struct cname *n = &g->names[name];
	int i;

	for (i = 0; i < n->ndefs; i++)
		if (n->defs[i] == fn)
			return;
	if (n->ndefs == n->dalloc) {
		n->dalloc = n->dalloc ? n->dalloc * 2 : 2;
		n->defs = xrealloc(n->defs, n->dalloc * sizeof(int));
	}
	n->defs[n->ndefs++] = fn;
}

/* ---- function records ---- */

struct callgraph *cg_new(struct index *x, struct summaries *sum, const struct config *cfg)
{
	struct callgraph *g = xmalloc(sizeof(*g));

	memset(g, 0, sizeof(*g));
	g->x = x;
	g->sum = sum;
	g->cfg = cfg;
	g->curfile = -1;
	g->ops_file = -1;
	g->maxdepth = cfg->max_depth;
	return g;
}

static void free_records(struct callgraph *g)
{
	int i;

	for (i = 0; i < g->nev; i++)
		free(g->ev[i].lock);
	g->nfn = g->nsite = g->nev = g->nargs = 0;
	for (i = 0; i < g->nnames; i++) {
		g->names[i].ndefs = 0;
		g->names[i].resolved = 0;
	}
	for (i = 0; i < g->fhsize; i++)
		g->fhash[i] = -1;
}

void cg_reset(struct callgraph *g)
{
	free_records(g);
}

void cg_free(struct callgraph *g)
{
	int i;

	if (!g)
		return;
	free_records(g);
	for (i = 0; i < g->nnames; i++) {
		free(g->names[i].s);
		free(g->names[i].defs);
	}
	free(g->names);
	free(g->nhash);
	free(g->fn);
	free(g->fhash);
	free(g->site);
	free(g->ev);
	free(g->args);
	free(g->queue);
	free(g->pend);
	free(g->prop);
	free(g->wsite);
	free(g->wnext);
	free(g->buf);
	free(g->reported);
	free(g);
}

static unsigned fkey(int file, unsigned off)
{
	return (unsigned)file * 2654435761u ^ off * 40503u;
}

static int find_fn(struct callgraph *g, int file, unsigned off)
{
	int i;

	if (!g->fhsize)
		return -1;
	for (i = g->fhash[fkey(file, off) & (g->fhsize - 1)]; i >= 0; i = g->fn[i].next)
		if (g->fn[i].file == file && g->fn[i].off == off)
			return i;
	return -1;
}

static int new_fn(struct callgraph *g, int name, int file, unsigned off, int kind)
{
	struct fnrec *f;
	int i, b;

	if (g->nfn * 2 >= g->fhsize) {
		int size = g->fhsize ? g->fhsize * 2 : 1024;

		free(g->fhash);
		g->fhash = empty_buckets(size);
		g->fhsize = size;
		for (i = 0; i < g->nfn; i++) {
			b = fkey(g->fn[i].file, g->fn[i].off) & (size - 1);
			g->fn[i].next = g->fhash[b];
			g->fhash[b] = i;
		}
	}
	if (g->nfn == g->fnalloc) {
		g->fnalloc = g->fnalloc ? g->fnalloc * 2 : 256;
		g->fn = xrealloc(g->fn, g->fnalloc * sizeof(*g->fn));
	}
	f = &g->fn[g->nfn];
	memset(f, 0, sizeof(*f));
	f->name = name;
	f->file = file;
	f->off = off;
	f->kind = kind;
	f->arch = index_arch(g->x, file);
	f->stop = f->arch && (arch_call_class(arch_name(g->x, f->arch), g->names[name].s) & C_STOP);
	{
		const char *path = index_path(g->x, file);
		size_t len = strlen(path);

		const char *h = index_tpath(g->x, file), *slash;

		f->in_c = len > 2 && !strcmp(path + len - 2, ".c");
		f->local = kind == DEF_LOCAL_FUNC || (kind != DEF_FUNC && f->in_c);
		f->dir_header = !f->in_c && strncmp(h, "include/", 8) &&
				!(!strncmp(h, "arch/", 5) && (slash = strchr(h + 5, '/')) &&
				  !strncmp(slash, "/include/", 9)) && strchr(h, '/');
	}
	f->state = FS_NEW;
	f->root_site = -1;
	b = fkey(file, off) & (g->fhsize - 1);
	f->next = g->fhash[b];
	g->fhash[b] = g->nfn;
	add_def(g, name, g->nfn);
	return g->nfn++;
}

static int push_site(struct callgraph *g)
{
	if (g->nsite == g->sitealloc) {
		g->sitealloc = g->sitealloc ? g->sitealloc * 2 : 1024;
		g->site = xrealloc(g->site, g->sitealloc * sizeof(*g->site));
	}
	memset(&g->site[g->nsite], 0, sizeof(g->site[0]));
	g->site[g->nsite].param = -1;
	g->site[g->nsite].open_line = -1;
	g->site[g->nsite].walker = -1;
	return g->nsite++;
}

static void push_arg(struct callgraph *g, int v)
{
	if (g->nargs == g->argalloc) {
		g->argalloc = g->argalloc ? g->argalloc * 2 : 1024;
		g->args = xrealloc(g->args, g->argalloc * sizeof(int));
	}
	g->args[g->nargs++] = v;
}

/* The arguments of a call that are one identifier ("cb", "&ops"). */
static void site_args(struct callgraph *g, struct gsite *s, const struct token *t, int lp, int rp)
{
	int a, a0, a1;

	s->arg0 = g->nargs;
	for (a = 0; a < MAXPARAMS && lp < rp && call_arg(t, lp, rp, a, &a0, &a1); a++) {
		if (a1 - a0 == 2 && tok_is(&t[a0], "&"))
			a0++;
		push_arg(g, a1 - a0 == 1 && t[a0].kind == T_IDENT ? intern(g, t[a0].s, t[a0].len) : -1);
		s->nargs++;
	}
}

static int ARG(struct callgraph *g, const struct gsite *s, int a)
{
	return a < s->nargs ? g->args[s->arg0 + a] : -1;
}

/*
 * "struct mm_walk_ops NAME = { .pmd_entry = fn, ... }" in the file: the
 * walkers (walk_page_range() and its kind) call its members, so a call
 * that passes NAME calls them too.  Each member found is a call made
 * where the walker is called.  Function pointers stored in any other
 * structure are not followed.  The file's initializers are read once.
 */
static void read_ops(struct callgraph *g, const struct unit *u)
{
	const char *b = u->buf, *e = b + u->len, *p, *q, *end, *n, *f;
	struct opsdef *o;

	g->nops = 0;
	if (!contains(b, u->len, "mm_walk_ops", 11))
		return;
	for (p = b; (p = memmem(p, e - p, "mm_walk_ops", 11)) && g->nops < MAXOPS; p += 11) {
		for (q = p + 11; q < e && (*q == ' ' || *q == '\t'); q++)
			;
		for (n = q; q < e && (isalnum((unsigned char)*q) || *q == '_'); q++)
			;
		if (q == n)
			continue;
		o = &g->ops[g->nops];
		o->name = intern(g, n, (int)(q - n));
		o->n = 0;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\n'))
			q++;
		if (q + 1 >= e || *q != '=')
			continue;
		for (q++; q < e && *q != '{' && *q != ';'; q++)
			;
		if (q >= e || *q != '{' || !(end = memchr(q, '}', e - q)))
			continue;
		for (; (q = memchr(q, '.', end - q)) && o->n < MAXMEMBERS; q++) {
			for (q++; q < end && (isalnum((unsigned char)*q) || *q == '_'); q++)
				;
			while (q < end && (*q == ' ' || *q == '\t' || *q == '='))
				q++;
			for (f = q; q < end && (isalnum((unsigned char)*q) || *q == '_'); q++)
				;
			if (q > f && !(*f >= '0' && *f <= '9'))
				o->member[o->n++] = intern(g, f, (int)(q - f));
		}
		g->nops++;
	}
}

static void walk_ops(struct callgraph *g, const struct unit *u, int file, int site)
{
	struct gsite s = g->site[site];
	int a, i, m, k;

	if (!u->buf)
		return;
	if (g->ops_file != file) {
		g->ops_file = file;
		read_ops(g, u);
	}
	for (i = 0; i < g->nops; i++)
		for (a = 0; a < s.nargs; a++) {
			if (ARG(g, &s, a) != g->ops[i].name)
				continue;
			for (m = 0; m < g->ops[i].n; m++) {
				k = push_site(g);
				g->site[k] = s;
				g->site[k].callee = g->ops[i].member[m];
				g->site[k].cls = g->names[g->site[k].callee].cls;
				g->site[k].gfp = 0;
				g->site[k].param = -1;
				g->site[k].nargs = 0;
				g->site[k].walker = s.callee;
			}
		}
}

static void add_sites(struct callgraph *g, int id, int file, const struct unit *u,
		      const struct fnout *o);
static void add_events(struct callgraph *g, int id, const struct token *t,
		       const struct fnout *o);

/* What the analysis of one function found (o NULL: it did not parse). */
void cg_add(struct callgraph *g, int file, struct unit *u, struct function *f,
	    const struct fnout *o, int parsed)
{
	const struct token *t = u->toks.t;
	unsigned off = (unsigned)(t[f->body_open].s - u->buf);
	int id = find_fn(g, file, off), i, name = intern(g, f->name, (int)strlen(f->name));
	struct fnrec *r;

	if (id < 0)
		id = new_fn(g, name, file, off, f->is_static && index_path(g->x, file)[strlen(
				index_path(g->x, file)) - 1] == 'c' ? DEF_LOCAL_FUNC : DEF_FUNC);
	r = &g->fn[id];
	if (r->state == FS_DONE)
		return;		/* one definition analysed twice (#if arms) */
	r->line = t[f->name_tok].line;
	r->col = t[f->name_tok].col;
	r->end_line = t[f->body_close].line;
	r->end_col = t[f->body_close].col;
	r->state = parsed && o ? FS_DONE : FS_FAILED;
	r->report = o && o->report;
	r->too_complex = o && o->too_complex;
	r->gfp_param = f->gfp_param;
	for (i = decl_start(u, f->name_tok); i < f->name_tok; i++)
		if (tok_is(&t[i], "__init"))
			r->init = 1;
	r->nparams = 0;
	for (i = 0; i < f->nparams; i++)
		r->param[r->nparams++] = f->params[i] >= 0 ?
			intern(g, t[f->params[i]].s, t[f->params[i]].len) : -1;
	r->site0 = g->nsite;
	r->ev0 = g->nev;
	if (o)
		add_sites(g, id, file, u, o);
	r = &g->fn[id];
	r->nsite = g->nsite - r->site0;
	if (o)
		add_events(g, id, t, o);
	r->nev = g->nev - r->ev0;
}

/* The calls of one analysed function. */
static void add_sites(struct callgraph *g, int id, int file, const struct unit *u,
		      const struct fnout *o)
{
	const struct token *t = u->toks.t;
	int i;

	for (i = 0; i < o->nsite; i++) {
		const struct callsite *cs = &o->site[i];
		const struct node *n = &o->cfg->n[cs->node];
		int k = push_site(g);
		struct gsite *s = &g->site[k];

		s->fn = id;
		s->callee = intern(g, t[cs->tok].s, t[cs->tok].len);
		s->line = t[cs->tok].line;
		s->col = t[cs->tok].col;
		s->status = cs->status;
		s->legacy = cs->legacy;
		s->gfp = n->gfp;
		s->cls = n->cls;
		s->param = n->param;
		if (cs->open_tok >= 0) {
			s->open_line = t[cs->open_tok].line;
			s->open_col = t[cs->open_tok].col;
			s->open_via = cs->open_via;
		}
		site_args(g, s, t, n->lp, n->rp);
		if (s->nargs)
			walk_ops(g, u, file, k);
	}
}

/* What one analysed function does itself with the caller's mode. */
static void add_events(struct callgraph *g, int id, const struct token *t,
		       const struct fnout *o)
{
	int i;

	for (i = 0; i < o->nev; i++) {
		const struct ownevent *e = &o->ev[i];
		struct gev *v;

		if (g->nev == g->evalloc) {
			g->evalloc = g->evalloc ? g->evalloc * 2 : 64;
			g->ev = xrealloc(g->ev, g->evalloc * sizeof(*g->ev));
		}
		v = &g->ev[g->nev++];
		memset(v, 0, sizeof(*v));
		v->fn = id;
		v->kind = e->kind;
		v->what = intern(g, t[e->tok].s, t[e->tok].len);
		v->line = t[e->tok].line;
		v->col = t[e->tok].col;
		v->legacy = e->legacy;
		if (e->kind == EV_UNLOCK) {
			v->lline = t[e->lock_tok].line;
			v->lcol = t[e->lock_tok].col;
			v->uline = e->upd_tok >= 0 ? t[e->upd_tok].line : v->line;
			v->ucol = e->upd_tok >= 0 ? t[e->upd_tok].col : v->col;
			v->lock = xstrdup(e->lock ? e->lock : "?");
		}
	}
}

/* ---- which definitions a call reaches ---- */

/* The definitions of a name: from the index (once), and those analysed. */
static void resolve_name(struct callgraph *g, int name)
{
	struct defref refs[64];
	int i, cnt;

	if (g->names[name].resolved || !g->sealed)
		return;
	g->names[name].resolved = 1;
	cnt = index_lookup(g->x, g->names[name].s, g->names[name].len, refs, 64);
	for (i = 0; i < cnt && i < 64; i++)
		if (find_fn(g, refs[i].file, refs[i].off) < 0)
			new_fn(g, name, refs[i].file, refs[i].off, refs[i].kind);
}

/* May a function of 'file' see the definition 'def'?  Headers under
 * include/ and arch/NAME/include/ are everybody's; any other header
 * (mm/internal.h, a driver's own header) only its directory's. */
static int visible(struct callgraph *g, int file, const struct fnrec *def)
{
	const char *h, *c, *slash;

	if (!def->dir_header)
		return 1;
	h = index_tpath(g->x, def->file);
	slash = strrchr(h, '/');
	c = index_tpath(g->x, file);
	return !strncmp(c, h, slash - h + 1);
}

/*
 * The definitions a call of 'name' from 'file' reaches with the arch
 * 'arch' (0: generic code only): the file's own static function, else
 * the arch's definitions, else the generic ones.  arch < 0: any arch.
 * Definitions in two .c files, or in two headers, of the scope (ACPICA's
 * snprintf() beside lib/'s; a userspace pr_err() in a shared header) are
 * ambiguous: none is followed.  A header's inline stub beside the .c
 * definition, or several definitions in one file, are the arms of an
 * #if, and all are followed.
 */
static int resolve(struct callgraph *g, int name, int file, int arch, int *out)
{
	int i, n = 0, pass, c_file, h_file;

	resolve_name(g, name);
	for (pass = 0; pass < 3 && !n; pass++) {
		const struct cname *c = &g->names[name];

		c_file = h_file = -1;
		for (i = 0; i < c->ndefs && n < MAXCAND; i++) {
			const struct fnrec *f = &g->fn[c->defs[i]];
			int *seen;

			if (f->state == FS_FAILED)
				continue;
			if (!(pass == 0 ? f->local && f->file == file :
			      pass == 1 ? !f->local && arch != 0 && (arch < 0 || f->arch == arch) :
			      !f->local && f->arch == 0))
				continue;
			if (pass && !visible(g, file, f))
				continue;
			seen = f->in_c ? &c_file : &h_file;
			if (arch >= 0 && *seen >= 0 && *seen != f->file)
				return 0;
			*seen = f->file;
			out[n++] = c->defs[i];
		}
	}
	return n;
}

/* Calls not followed: the API, and primitives whose effect is known. */
static int leaf(struct callgraph *g, int name);

/* A call through a parameter (a function pointer) names no function. */
static int through_pointer(const struct gsite *s)
{
	return s->param >= 0;
}

static int leaf(struct callgraph *g, int name)
{
	const struct cname *c = &g->names[name];

	return c->api || (c->cls & (C_SLEEP | C_LOCK | C_UNLOCK | C_STOP));
}

/* ---- reading a callee ---- */

static int read_file(struct callgraph *g, int file)
{
	struct stat st;
	ssize_t n;
	int fd;

	if (g->curfile == file)
		return 0;
	g->curfile = -1;
	g->line_off = 0;
	g->line_no = 1;
	if (g->mem) {
		g->len = g->memlen;
		if (g->len + 1 > g->bufsz) {
			g->bufsz = g->len + 1;
			g->buf = xrealloc(g->buf, g->bufsz);
		}
		memcpy(g->buf, g->mem, g->len + 1);
		g->curfile = file;
		return 0;
	}
	fd = open(index_path(g->x, file), O_RDONLY);
	if (fd < 0)
		return -1;

	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	if ((size_t)st.st_size + 1 > g->bufsz) {
		g->bufsz = st.st_size + 65536;
		g->buf = xrealloc(g->buf, g->bufsz);
	}
	for (g->len = 0; g->len < (size_t)st.st_size; g->len += n) {
		n = pread(fd, g->buf + g->len, st.st_size - g->len, g->len);
		if (n <= 0)
			break;
	}
	close(fd);
	g->buf[g->len] = 0;
	g->curfile = file;
	return 0;
}

/* The line of byte 'off' of the file being read. */
static int line_at(struct callgraph *g, size_t off)
{
	const char *p;

	if (off < (size_t)g->line_off) {
		g->line_off = 0;
		g->line_no = 1;
	}
	for (p = g->buf + g->line_off; (p = memchr(p, '\n', g->buf + off - p)); p++)
		g->line_no++;
	g->line_off = (int)off;
	return g->line_no;
}

/* The '}' that ends the body opening at q, or -1: in kernel style the
 * first '}' at the start of a line; a one-line body by matching. */
static long body_end(const char *b, size_t len, size_t q)
{
	const char *e;
	size_t i;
	int depth = 0;

	if (q == 0 || b[q - 1] == '\n') {
		e = memmem(b + q, len - q, "\n}", 2);
		return e ? e + 1 - b : -1;
	}
	for (i = q; i < len; i++) {
		char c = b[i];

		if (c == '"' || c == '\'') {
			for (i++; i < len && b[i] != c && b[i] != '\n'; i++)
				i += b[i] == '\\';
		} else if (c == '/' && i + 1 < len && b[i + 1] == '*') {
			e = memmem(b + i + 2, len - i - 2, "*/", 2);
			if (!e)
				return -1;
			i = e + 1 - b;
		} else if (c == '/' && i + 1 < len && b[i + 1] == '/') {
			while (i < len && b[i] != '\n')
				i++;
		} else if (c == '{') {
			depth++;
		} else if (c == '}' && --depth == 0) {
			return (long)i;
		}
	}
	return -1;
}

/* Tokens of bytes [from, to) of the file being read, with their lines
 * and columns in the file (from need not start a line). */
static void lex_range(struct callgraph *g, struct unit *u, size_t from, size_t to)
{
	struct lex_issue issue = { 0 };
	int base = line_at(g, from) - 1, shift = 0, i;

	while (from - shift > 0 && g->buf[from - shift - 1] != '\n')
		shift++;
	lex(g->buf + from, to - from, g->cfg, &u->toks, &issue);
	for (i = 0; i < u->toks.n; i++) {
		if (u->toks.t[i].line == 1)
			u->toks.t[i].col += shift;
		u->toks.t[i].line += base;
	}
}

static void read_function(struct callgraph *g, int id)
{
	struct fnrec *f = &g->fn[id];
	size_t name, ls, off = f->off;
	long end;
	struct unit u;
	int len, i, file = f->file;

	if (off >= g->len || !decl_name(g->buf, off, &name, &len) ||
	    len != g->names[f->name].len || memcmp(g->buf + name, g->names[f->name].s, len) ||
	    (end = body_end(g->buf, g->len, off)) < 0) {
		f->state = FS_FAILED;
		return;
	}
	for (ls = name; ls > 0 && g->buf[ls - 1] != '\n'; ls--)
		;
	memset(&u, 0, sizeof(u));
	u.path = index_path(g->x, file);
	u.buf = g->buf;
	u.len = g->len;
	u.is_arch = f->arch != 0;
	u.arena = arena_new();
	lex_range(g, &u, ls, end + 1);
	parse_unit(&u);
	for (i = 0; i < u.nfns; i++)
		if ((size_t)(u.toks.t[u.fns[i].body_open].s - g->buf) == off)
			check_function(&g->k, &u, &u.fns[i], file, 1);
	f = &g->fn[id];
	if (f->state == FS_NEW)
		f->state = FS_FAILED;
	free(u.toks.mcalls);
	free(u.toks.t);
	free(u.fns);
	arena_free(u.arena);
}

/* Is t one of the parameters of the macro whose '(' is at p? */
static int macro_param(const char *p, const struct token *t)
{
	const char *q;

	if (*p != '(')
		return 0;
	for (q = p + 1; *q && *q != ')' && *q != '\n'; q++) {
		if (!strncmp(q, t->s, t->len) && (q[t->len] == ',' || q[t->len] == ')' ||
						   q[t->len] == ' ' || q[t->len] == '.') &&
		    (q[-1] == '(' || q[-1] == ',' || q[-1] == ' '))
			return 1;
	}
	return 0;
}

/* The calls in a macro body (all of them for a function-like macro, the
 * one name for an alias); params: the macro's '(' */
static void macro_sites(struct callgraph *g, int id, const struct unit *u, const char *params,
			int kind)
{
	const struct token *tk = u->toks.t;
	int i, k, n = u->toks.n;

	for (i = 0; i < n; i++) {
		const struct token *t = &tk[i];
		struct gsite *s;
		int arg, rp, depth = 0;

		if (t->kind != T_IDENT || skip_call(t) || macro_param(params, t) ||
		    (i && tok_is(&t[-1], "##")) || (i + 1 < n && tok_is(&t[1], "##")) ||
		    (i && tok_is(&t[-1], "#")))
			continue;
		if (kind == DEF_MACRO && (i + 1 >= n || !tok_is(&t[1], "(") ||
					  (i && (tok_is(&t[-1], "->") || tok_is(&t[-1], ".")))))
			continue;
		k = push_site(g);
		s = &g->site[k];
		s->fn = id;
		s->callee = intern(g, t->s, t->len);
		s->line = t->line;
		s->col = t->col;
		s->status = ST_CALLER;
		s->cls = call_class(t->s, t->len, &arg);
		if (kind == DEF_ALIAS)
			return;
		for (rp = i + 1; rp < n; rp++) {
			if (tok_is(&tk[rp], "("))
				depth++;
			else if (tok_is(&tk[rp], ")") && --depth == 0)
				break;
		}
		s->gfp = gfp_reclaim(tk, i + 1, rp);
		site_args(g, s, tk, i + 1, rp < n ? rp : n - 1);
	}
}

/* A function-like macro: the calls in its body, made with the caller's
 * mode; an alias ("#define set_ptes __set_ptes"): a call of the other. */
static void read_macro(struct callgraph *g, int id)
{
	struct fnrec *f = &g->fn[id];
	const char *b = g->buf, *p = b + f->off, *e = b + g->len, *q;
	struct unit u;
	int len = g->names[f->name].len, kind = f->kind;

	if (f->off + len > g->len || memcmp(p, g->names[f->name].s, len)) {
		f->state = FS_FAILED;
		return;
	}
	f->line = line_at(g, f->off);
	f->col = 1;
	for (q = p; q > b && q[-1] != '\n'; q--)
		f->col++;
	p += len;
	if (kind == DEF_MACRO) {
		const char *ps = p;

		for (; p < e && *p != ')' && *p != '\n'; p++)
			;
		f->gfp_param = memmem(ps, p - ps, "gfp", 3) != NULL;
	}
	for (q = p; q < e && *q != '\n'; q++)
		q += *q == '\\' && q + 1 < e && q[1] == '\n';
	memset(&u, 0, sizeof(u));
	u.buf = b;
	u.len = g->len;
	u.arena = arena_new();
	lex_range(g, &u, p + (kind == DEF_MACRO) - b, q - b);
	f = &g->fn[id];
	f->site0 = g->nsite;
	macro_sites(g, id, &u, b + f->off + len, kind);
	f = &g->fn[id];
	f->nsite = g->nsite - f->site0;
	f->ev0 = g->nev;
	f->nev = 0;
	f->state = FS_DONE;
	free(u.toks.mcalls);
	free(u.toks.t);
	arena_free(u.arena);
}

static void enqueue(struct callgraph *g, int id)
{
	int file = g->fn[id].file;

	if (g->fn[id].queued)
		return;
	g->fn[id].queued = 1;
	if (g->fn[id].state == FS_NEW && file < g->npend) {
		g->fn[id].pnext = g->pend[file];
		g->pend[file] = id;
	}
	if (g->nqueue == g->qalloc) {
		g->qalloc = g->qalloc ? g->qalloc * 2 : 1024;
		g->queue = xrealloc(g->queue, g->qalloc * sizeof(int));
	}
	g->queue[g->nqueue++] = id;
}

/* Generic code runs with every arch that has the mode; arch code only
 * with its own. */
static int applicable(const struct callgraph *g, const struct fnrec *f, int si)
{
	return f->arch ? f->arch == g->slots[si] : si < g->nmode;
}

/* Queue what a call may reach, under every arch it applies to. */
static void follow(struct callgraph *g, const struct gsite *s)
{
	int cand[MAXCAND], si, n, i;

	if (leaf(g, s->callee) || through_pointer(s))
		return;
	for (si = 0; si < g->nslots; si++) {
		if (!applicable(g, &g->fn[s->fn], si))
			continue;
		n = resolve(g, s->callee, g->fn[s->fn].file, g->slots[si], cand);
		for (i = 0; i < n; i++)
			if (!g->fn[cand[i]].stop)
				enqueue(g, cand[i]);
	}
}

static void read_one(struct callgraph *g, int id)
{
	if (g->fn[id].state != FS_NEW)
		return;
	if (g->fn[id].kind == DEF_MACRO || g->fn[id].kind == DEF_ALIAS)
		read_macro(g, id);
	else
		read_function(g, id);
}

static void follow_all(struct callgraph *g, int id)
{
	int k;

	if (g->fn[id].state != FS_DONE || g->fn[id].followed)
		return;
	g->fn[id].followed = 1;
	for (k = g->fn[id].site0; k < g->fn[id].site0 + g->fn[id].nsite; k++)
		if (g->site[k].status & ST_CALLER)
			follow(g, &g->site[k]);
}

/* Every definition of the file being read that waits to be: while the
 * file is in memory, those its calls reach in it too. */
static void drain(struct callgraph *g, int file)
{
	int id;

	while ((id = g->pend[file]) >= 0) {
		g->pend[file] = g->fn[id].pnext;
		read_one(g, id);
		follow_all(g, id);
	}
}

/* Read and analyse every definition the queued calls reach, a file at a
 * time (each read once, unless a later call reaches it again). */
static void closure(struct callgraph *g)
{
	int head, id;

	for (head = 0; head < g->nqueue; head++) {
		id = g->queue[head];
		if (g->fn[id].state == FS_NEW) {
			if (read_file(g, g->fn[id].file) < 0) {
				g->fn[id].state = FS_FAILED;
				continue;
			}
			drain(g, g->fn[id].file);
		}
		follow_all(g, id);
	}
}

/* ---- callbacks that run inside a section ---- */

static int param_of(const struct fnrec *f, int name)
{
	int i;

	for (i = 0; i < f->nparams && name >= 0; i++)
		if (f->param[i] == name)
			return i;
	return -1;
}

/*
 * Parameters called inside an active section ("err = fn(pte, addr,
 * data)" in apply_to_pte_range()), and those passed on to such a
 * parameter of a callee (apply_to_page_range() down to there).
 */
static void called_params(struct callgraph *g)
{
	int i, k, j, n, changed, cand[MAXCAND];

	for (i = 0; i < g->nsite; i++) {
		const struct gsite *s = &g->site[i];
		struct fnrec *f = &g->fn[s->fn];

		if (s->param < 0 || s->param >= MAXPARAMS || !(s->status & ST_ACTIVE) ||
		    (f->pcalled & 1 << s->param))
			continue;
		f->pcalled |= 1 << s->param;
		f->pc_site[(int)s->param] = i;
		f->pc_next[(int)s->param] = -1;
		f->pc_arg[(int)s->param] = -1;
	}
	do {
		changed = 0;
		for (i = 0; i < g->nsite; i++) {
			int callee = g->site[i].callee, fn = g->site[i].fn;

			if (g->names[callee].api || !g->site[i].nargs)
				continue;
			n = resolve(g, callee, g->fn[fn].file, -1, cand);
			for (k = 0; k < n; k++) {
				for (j = 0; j < MAXPARAMS; j++) {
					int q;

					if (!(g->fn[cand[k]].pcalled & 1 << j))
						continue;
					q = param_of(&g->fn[fn], ARG(g, &g->site[i], j));
					if (q < 0 || (g->fn[fn].pcalled & 1 << q))
						continue;
					g->fn[fn].pcalled |= 1 << q;
					g->fn[fn].pc_site[q] = i;
					g->fn[fn].pc_next[q] = cand[k];
					g->fn[fn].pc_arg[q] = j;
					changed = 1;
				}
			}
		}
	} while (changed);
}

/* Functions passed to such a parameter: they run inside the section. */
static void find_roots(struct callgraph *g)
{
	int i, k, j, r, n, m, cand[MAXCAND], cb[MAXCAND];

	for (i = 0; i < g->nsite; i++) {
		int callee = g->site[i].callee, fn = g->site[i].fn;

		if (g->names[callee].api || !g->site[i].nargs)
			continue;
		n = resolve(g, callee, g->fn[fn].file, -1, cand);
		for (k = 0; k < n; k++) {
			for (j = 0; j < MAXPARAMS; j++) {
				int a = ARG(g, &g->site[i], j);

				if (!(g->fn[cand[k]].pcalled & 1 << j) || a < 0 ||
				    param_of(&g->fn[fn], a) >= 0)
					continue;
				m = resolve(g, a, g->fn[fn].file, g->fn[fn].arch ? g->fn[fn].arch : -1, cb);
				for (r = 0; r < m; r++) {
					struct fnrec *cbf = &g->fn[cb[r]];

					if (cbf->is_root || cbf->kind == DEF_MACRO || cbf->kind == DEF_ALIAS)
						continue;
					cbf->is_root = 1;
					cbf->root_site = i;
					cbf->root_arg = j;
					cbf->root_def = cand[k];
				}
			}
		}
	}
}

/* Functions that take callbacks run inside a section: their callers must
 * be read.  Returns the global ones' names (the caller frees the array). */
int cg_needles(struct callgraph *g, char ***names, int sealed)
{
	int i, n = 0;

	g->sealed = sealed;
	called_params(g);
	*names = xmalloc((g->nfn + 1) * sizeof(char *));
	for (i = 0; i < g->nfn; i++)
		if (g->fn[i].pcalled && g->fn[i].kind == DEF_FUNC)
			(*names)[n++] = g->names[g->fn[i].name].s;
	return n;
}

/* ---- properties: may sleep, opens a section, unlocks after updates ---- */

static int pbit(int p)
{
	return p == P_SLEEP ? 0 : p == P_OPEN ? 1 : p == P_OPEN_LEGACY ? 2 : 3;
}

static int W(const struct callgraph *g, int fn, int si, int p)
{
	return (fn * g->nslots + si) * NPROP + pbit(p);
}

static void set_prop(struct callgraph *g, int fn, int si, int p, int site, int next)
{
	unsigned char *pr = &g->prop[fn * g->nslots + si];

	if (*pr & p)
		return;
	*pr |= p;
	g->wsite[W(g, fn, si, p)] = site;
	g->wnext[W(g, fn, si, p)] = next;
}

static void own_props(struct callgraph *g)
{
	int i, k, si;

	for (i = 0; i < g->nfn; i++) {
		const struct fnrec *f = &g->fn[i];

		if (f->state != FS_DONE)
			continue;
		for (si = 0; si < g->nslots; si++) {
			if (!applicable(g, f, si))
				continue;
			for (k = f->site0; k < f->site0 + f->nsite; k++) {
				const struct gsite *s = &g->site[k];

				if ((s->status & ST_CALLER) && ((s->cls & C_SLEEP) || s->gfp))
					set_prop(g, i, si, P_SLEEP, k, -1);
			}
			for (k = f->ev0; k < f->ev0 + f->nev; k++) {
				const struct gev *e = &g->ev[k];

				if (e->kind == EV_OPEN) {
					set_prop(g, i, si, P_OPEN, -2 - k, -1);
					if (e->legacy)
						set_prop(g, i, si, P_OPEN_LEGACY, -2 - k, -1);
				} else {
					set_prop(g, i, si, P_UNLOCK, -2 - k, -1);
				}
			}
		}
	}
}

/* From callees to callers until nothing changes. */
static void props(struct callgraph *g)
{
	int i, k, si, n, c, p, changed, round, cand[MAXCAND];
	unsigned char *prev;
	size_t cells;

	/* resolve first: no definition may be added once the tables exist */
	for (k = 0; k < g->nsite; k++)
		if (!leaf(g, g->site[k].callee))
			resolve_name(g, g->site[k].callee);
	cells = (size_t)g->nfn * g->nslots;
	g->prop = xmalloc(cells + 1);
	memset(g->prop, 0, cells + 1);
	g->wsite = xmalloc((cells * NPROP + 1) * sizeof(int));
	g->wnext = xmalloc((cells * NPROP + 1) * sizeof(int));
	own_props(g);
	prev = xmalloc(cells + 1);
	/* one call deeper per round, from the round before: every chain
	 * found is a shortest one */
	for (round = 0; round < g->maxdepth; round++) {
		memcpy(prev, g->prop, cells + 1);
		changed = 0;
		for (i = 0; i < g->nfn; i++) {
			if (g->fn[i].state != FS_DONE)
				continue;
			for (si = 0; si < g->nslots; si++) {
				if (!applicable(g, &g->fn[i], si))
					continue;
				for (k = g->fn[i].site0; k < g->fn[i].site0 + g->fn[i].nsite; k++) {
					const struct gsite *s = &g->site[k];

					if (!(s->status & ST_CALLER) || leaf(g, s->callee) ||
					    through_pointer(s))
						continue;
					n = resolve(g, s->callee, g->fn[i].file, g->slots[si], cand);
					for (c = 0; c < n; c++) {
						int have = prev[cand[c] * g->nslots + si] &
							   ~g->prop[i * g->nslots + si];

						if (g->fn[cand[c]].init || g->fn[cand[c]].stop)
							continue;	/* boot only, or an arch's fact */
						/* takes GFP flags: the flags passed decide;
						 * atomic by contract: never sleeps; a lock
						 * released after updates counts in the
						 * function that does it, and one call up */
						if (g->fn[cand[c]].gfp_param ||
						    (g->names[s->callee].cls & C_ATOMIC))
							have &= ~P_SLEEP;
						have &= ~P_UNLOCK;
						for (p = 1; p <= P_UNLOCK; p <<= 1)
							if (have & p) {
								set_prop(g, i, si, p, k, cand[c]);
								changed = 1;
							}
					}
				}
			}
		}
		if (!changed)
			break;
	}
	free(prev);
}

/* ---- findings ---- */

static const char *PATH(struct callgraph *g, int fn)
{
	return index_path(g->x, g->fn[fn].file);
}

static const char *FNAME(struct callgraph *g, int fn)
{
	return NAME(g, g->fn[fn].name);
}

static int once(struct callgraph *g, int id, int key)
{
	int i;

	for (i = 0; i < g->nreported; i += 2)
		if (g->reported[i] == id && g->reported[i + 1] == key)
			return 0;
	if (g->nreported + 2 > g->repalloc) {
		g->repalloc = g->repalloc ? g->repalloc * 2 : 64;
		g->reported = xrealloc(g->reported, g->repalloc * sizeof(int));
	}
	g->reported[g->nreported++] = id;
	g->reported[g->nreported++] = key;
	return 1;
}

/* The notes of a chain of calls, from fn to what has property p. */
static void chain_notes(struct callgraph *g, struct finding *f, int fn, int si, int p)
{
	int hops;

	for (hops = 0; fn >= 0 && hops < MAXHOPS; hops++) {
		int w = g->wsite[W(g, fn, si, p)], next = g->wnext[W(g, fn, si, p)];
		const struct gsite *s;
		const struct gev *e;

		if (w >= 0) {
			s = &g->site[w];
			if (next >= 0) {
				if (s->walker >= 0)
					report_note(g->rep, f, PATH(g, fn), s->line, s->col,
						    "%s() calls %s() here, which calls %s() (a member of the mm_walk_ops it is given)",
						    FNAME(g, fn), NAME(g, s->walker), NAME(g, s->callee));
				else
					report_note(g->rep, f, PATH(g, fn), s->line, s->col, "%s() calls %s() here",
						    FNAME(g, fn), NAME(g, s->callee));
				fn = next;
				continue;
			}
			if (s->cls & C_SLEEP)
				report_note(g->rep, f, PATH(g, fn), s->line, s->col,
					    "%s() calls %s() here, which may sleep", FNAME(g, fn),
					    NAME(g, s->callee));
			else
				report_note(g->rep, f, PATH(g, fn), s->line, s->col,
					    "%s() calls %s() here with GFP flags that allow direct reclaim: it may sleep",
					    FNAME(g, fn), NAME(g, s->callee));
			return;
		}
		if (w > -2)
			return;
		e = &g->ev[-2 - w];
		if (e->kind == EV_OPEN) {
			report_note(g->rep, f, PATH(g, fn), e->line, e->col, "%s() opens a %slazy MMU section here",
				    FNAME(g, fn), e->legacy ? "legacy " : "");
		} else {
			report_note(g->rep, f, PATH(g, fn), e->lline, e->lcol, "%s() takes '%s' here",
				    FNAME(g, fn), e->lock);
			report_note(g->rep, f, PATH(g, fn), e->uline, e->ucol,
				    "%s() updates the page table here, under that lock", FNAME(g, fn));
			report_note(g->rep, f, PATH(g, fn), e->line, e->col,
				    "%s() releases '%s' here, with the caller's section still active",
				    FNAME(g, fn), e->lock);
		}
		return;
	}
}

/* Where the section a call runs in was opened. */
static void section_note(struct callgraph *g, struct finding *f, const struct gsite *s)
{
	if (s->open_line < 0)
		return;
	report_note(g->rep, f, PATH(g, s->fn), s->open_line, s->open_col, "%s%s",
		    s->legacy ? "legacy lazy MMU section opened here" : "lazy MMU section opened here",
		    s->open_via ? ", by a call that returns with it open" : "");
}

/*
 * A callback that runs inside a section: it is passed at root_site to a
 * function whose parameter goes down to a call inside the section.  The
 * notes say so; returns the site of that call (its section, its legacy).
 */
static int context_notes(struct callgraph *g, struct finding *f, int root)
{
	const struct fnrec *r = &g->fn[root];
	const struct gsite *s = &g->site[r->root_site];
	int fn = r->root_def, arg = r->root_arg, hops;

	if (f)
		report_note(g->rep, f, PATH(g, s->fn), s->line, s->col,
			    "%s() is passed to %s() here, which calls it inside a lazy MMU section",
			    FNAME(g, root), NAME(g, s->callee));
	for (hops = 0; hops < MAXHOPS && fn >= 0 && arg >= 0 && arg < MAXPARAMS; hops++) {
		const struct fnrec *d = &g->fn[fn];
		int w = d->pc_site[arg];

		s = &g->site[w];
		if (d->pc_next[arg] < 0) {
			if (f) {
				section_note(g, f, s);
				report_note(g->rep, f, PATH(g, fn), s->line, s->col, "%s() calls '%s' here",
					    FNAME(g, fn), NAME(g, s->callee));
			}
			return w;
		}
		if (f)
			report_note(g->rep, f, PATH(g, fn), s->line, s->col, "%s() passes '%s' to %s() here",
				    FNAME(g, fn), NAME(g, d->param[arg]), NAME(g, s->callee));
		fn = d->pc_next[arg];
		arg = d->pc_arg[arg];
	}
	return -1;
}

static void where_notes(struct callgraph *g, struct finding *f, const struct gsite *s, int root)
{
	if (root >= 0)
		context_notes(g, f, root);
	else
		section_note(g, f, s);
}

static const char *nest_msg(int outer_legacy)
{
	return outer_legacy ? "%s opens a lazy MMU section inside a legacy section: the legacy API does not nest" :
	       "%s opens a legacy lazy MMU section inside a lazy MMU section: the legacy API does not nest";
}

/*
 * A call made while the mode is active: in a section of the function's
 * own (root < 0), or anywhere in a callback that runs inside a section
 * (root: that callback).
 */
static void check_call(struct callgraph *g, int k, int root)
{
	const struct gsite *s = &g->site[k];
	int fn = s->fn, legacy = s->legacy, si, n, c, pr, cand[MAXCAND], ctx;
	struct finding *f;
	char who[300];

	/* "cb()", or "cb() (an mm_walk_ops member for walk_page_range())" */
	if (s->walker >= 0)
		snprintf(who, sizeof(who), "%s() (an mm_walk_ops member given to %s())",
			 NAME(g, s->callee), NAME(g, s->walker));
	else
		snprintf(who, sizeof(who), "%s()", NAME(g, s->callee));

	if (root >= 0) {
		if ((ctx = context_notes(g, NULL, root)) < 0)
			return;
		legacy = g->site[ctx].legacy;
	}
	if ((s->cls & C_SLEEP) || s->gfp) {
		/* arch code knows whether its own lazy MMU mode may sleep */
		if (g->fn[fn].arch || !once(g, D_SLEEP, k))
			return;
		f = report_add(g->rep, D_SLEEP, PATH(g, fn), s->line, s->col, FNAME(g, fn),
			       (s->cls & C_SLEEP) ? "%s may sleep while lazy MMU mode is active" :
			       "%s with GFP flags that allow direct reclaim may sleep while lazy MMU mode is active",
			       who);
		where_notes(g, f, s, root);
		return;
	}
	if (leaf(g, s->callee) || through_pointer(s))
		return;
	for (si = 0; si < g->nslots; si++) {
		if (!applicable(g, &g->fn[fn], si))
			continue;
		n = resolve(g, s->callee, g->fn[fn].file, g->slots[si], cand);
		for (c = 0; c < n; c++) {
			pr = g->fn[cand[c]].init || g->fn[cand[c]].stop ? 0 :
			     g->prop[cand[c] * g->nslots + si];
			if (g->fn[cand[c]].gfp_param || (g->names[s->callee].cls & C_ATOMIC))
				pr &= ~P_SLEEP;
			if ((pr & P_SLEEP) && g->fn[fn].arch == 0 && g->nopreempt[si] &&
			    once(g, D_SLEEP, k)) {
				f = report_add(g->rep, D_SLEEP, PATH(g, fn), s->line, s->col, FNAME(g, fn),
					       "%s may sleep while lazy MMU mode is active", who);
				where_notes(g, f, s, root);
				chain_notes(g, f, cand[c], si, P_SLEEP);
			}
			/* arch code knows whether its own sections may nest */
			if (((legacy && (pr & P_OPEN)) || (pr & P_OPEN_LEGACY)) && !g->fn[fn].arch &&
			    once(g, D_LEGACY_NEST, k)) {
				f = report_add(g->rep, D_LEGACY_NEST, PATH(g, fn), s->line, s->col, FNAME(g, fn),
					       nest_msg(legacy), who);
				where_notes(g, f, s, root);
				chain_notes(g, f, cand[c], si, legacy && (pr & P_OPEN) ? P_OPEN : P_OPEN_LEGACY);
			}
			if ((pr & P_UNLOCK) && once(g, D_UNLOCK, k)) {
				f = report_add(g->rep, D_UNLOCK, PATH(g, fn), s->line, s->col, FNAME(g, fn),
					       "%s releases a lock inside a lazy MMU section, after page-table "
					       "updates made under it: they may still be batched", who);
				where_notes(g, f, s, root);
				chain_notes(g, f, cand[c], si, P_UNLOCK);
			}
		}
	}
}

/* The chain of wrappers behind a summary's open: "f() opens it here". */
static void via_notes(struct callgraph *g, struct finding *f, const char *via, const char *path)
{
	int hops, line, col, idx;
	const char *file, *next;

	for (hops = 0; via && hops < MAXHOPS; hops++) {
		idx = summary_lookup(g->sum, via, (int)strlen(via), path);
		if (idx < 0 || !(file = summary_place(g->sum, idx, &line, &col, &next)))
			return;
		if (next)
			report_note(g->rep, f, file, line, col,
				    "%s() opens it here, by a call of %s(), which returns with it open", via, next);
		else
			report_note(g->rep, f, file, line, col, "%s() opens it here", via);
		via = next;
		path = file;
	}
}

/* What a callback that runs inside a section does itself. */
static void check_root(struct callgraph *g, int root)
{
	const struct fnrec *r = &g->fn[root];
	int k, ctx = context_notes(g, NULL, root), idx, line, col, legacy;
	const char *file, *via, *owner;
	const struct effect *e;
	struct finding *f;

	if (r->state != FS_DONE || ctx < 0)
		return;
	legacy = g->site[ctx].legacy;
	owner = FNAME(g, g->site[ctx].fn);
	for (k = r->site0; k < r->site0 + r->nsite; k++)
		if (g->site[k].status & ST_CALLER)
			check_call(g, k, root);
	for (k = r->ev0; k < r->ev0 + r->nev; k++) {
		const struct gev *v = &g->ev[k];

		if (v->kind == EV_UNLOCK && once(g, D_UNLOCK, -2 - k)) {
			f = report_add(g->rep, D_UNLOCK, PATH(g, root), v->line, v->col, FNAME(g, root),
				       "%s() releases '%s' inside a lazy MMU section, after page-table updates "
				       "made under it: they may still be batched", NAME(g, v->what), v->lock);
			context_notes(g, f, root);
			report_note(g->rep, f, PATH(g, root), v->lline, v->lcol, "'%s' taken here", v->lock);
			report_note(g->rep, f, PATH(g, root), v->uline, v->ucol,
				    "page table updated here, under that lock");
		} else if (v->kind == EV_OPEN && (legacy || v->legacy) && once(g, D_LEGACY_NEST, -2 - k)) {
			f = report_add(g->rep, D_LEGACY_NEST, PATH(g, root), v->line, v->col, FNAME(g, root),
				       "%s opens a %slazy MMU section inside %s section: the legacy API does not nest",
				       FNAME(g, root), v->legacy ? "legacy " : "", legacy ? "a legacy" : "a lazy MMU");
			context_notes(g, f, root);
		}
	}
	idx = summary_lookup(g->sum, FNAME(g, root), g->names[r->name].len, PATH(g, root));
	if (idx < 0 || summary_ambiguous(g->sum, idx) || effect_empty(e = summary_effect(g->sum, idx)) ||
	    !once(g, D_NEVER_CLOSED, -1 - root))
		return;
	file = summary_place(g->sum, idx, &line, &col, &via);
	if (e->nopen)
		f = report_add(g->rep, D_NEVER_CLOSED, PATH(g, root), r->end_line, r->end_col, FNAME(g, root),
			       e->open[0] == OP_PAUSE ?
			       "reaching the end of the function with lazy MMU mode still paused: %s() runs it inside a section and never resumes it" :
			       "reaching the end of the function with a lazy MMU section still open: %s() runs it inside a section and never closes this one",
			       owner);
	else
		f = report_add(g->rep, D_NEVER_CLOSED, PATH(g, root), r->end_line, r->end_col, FNAME(g, root),
			       "reaching the end of the function having closed the lazy MMU section it runs inside: %s() never reopens it",
			       owner);
	if (file)
		report_note(g->rep, f, file, line, col, "%s",
			    e->nopen ? (e->open[0] == OP_PAUSE ? "lazy MMU mode paused here" :
					"lazy MMU section opened here") :
			    "the section it runs inside is closed here");
	context_notes(g, f, root);
}

static int called_by_name(struct callgraph *g, int name, int is_static, int file)
{
	int k;

	for (k = 0; k < g->nsite; k++)
		if (g->site[k].callee == name && (!is_static || g->fn[g->site[k].fn].file == file))
			return 1;
	return 0;
}

/*
 * A wrapper that returns with a section open on every path, called by
 * functions that do the same, up to one that no function calls: that
 * one is reported, once, at its end, with the chain of wrappers.  A lone
 * wrapper (its own open, no caller in the input) is an API and is not.
 */
static void never_closed(struct callgraph *g)
{
	int idx, line, col, k, name, fn;
	const char *file, *via;
	struct finding *f;

	for (idx = 0; idx < summary_count(g->sum); idx++) {
		const struct effect *e = summary_effect(g->sum, idx);

		if (summary_ambiguous(g->sum, idx) || !e->nopen ||
		    !(file = summary_place(g->sum, idx, &line, &col, &via)) || !via)
			continue;
		name = intern(g, summary_name(g->sum, idx), (int)strlen(summary_name(g->sum, idx)));
		for (fn = -1, k = 0; k < g->names[name].ndefs; k++) {
			int d = g->names[name].defs[k];

			if (g->fn[d].state == FS_DONE && g->fn[d].report && !strcmp(PATH(g, d), file))
				fn = d;
		}
		if (fn < 0 || g->fn[fn].is_root ||
		    called_by_name(g, name, summary_static(g->sum, idx), g->fn[fn].file) ||
		    !once(g, D_NEVER_CLOSED, -1 - fn))
			continue;
		f = report_add(g->rep, D_NEVER_CLOSED, PATH(g, fn), g->fn[fn].end_line, g->fn[fn].end_col,
			       FNAME(g, fn),
			       "reaching the end of the function with %s still open, and no caller of %s() closes it",
			       e->open[0] == OP_PAUSE ? "a lazy MMU pause" : "a lazy MMU section", FNAME(g, fn));
		report_note(g->rep, f, file, line, col, "%s opened here by %s(), which returns with it open",
			    e->open[0] == OP_PAUSE ? "lazy MMU mode paused" : "lazy MMU section", via);
		via_notes(g, f, via, file);
	}
}

static void add_slot(struct callgraph *g, int arch)
{
	int i;

	for (i = 0; i < g->nslots; i++)
		if (g->slots[i] == arch)
			return;
	if (g->nslots < MAXSLOTS) {
		g->nopreempt[g->nslots] = 0;
		g->slots[g->nslots++] = arch;
	}
}

/*
 * Sleeping in a section is a bug where the arch's lazy MMU mode may run
 * with preemption disabled: its arch_enter_lazy_mmu_mode() calls
 * preempt_disable() (powerpc hash, sparc64).  x86 (Xen PV carries the
 * mode across context switches) and arm64 (which says so) allow it.  With
 * no arch definition at all, the generic rule stands: generic code must
 * not sleep, since an implementation may disable preemption.
 */
static void preemption(struct callgraph *g, int name)
{
	static const char *const off[] = { "preempt_disable", "get_cpu", "local_irq_save",
		"local_irq_disable", NULL };
	int i, si, k, any = 0;
	long end;

	for (i = 0; i < g->names[name].ndefs; i++) {
		const struct fnrec *f = &g->fn[g->names[name].defs[i]];

		for (si = 0; si < g->nslots; si++) {
			if (g->slots[si] != f->arch || !f->arch || f->kind == DEF_MACRO ||
			    read_file(g, f->file) < 0 || (end = body_end(g->buf, g->len, f->off)) < 0)
				continue;
			for (k = 0; off[k]; k++)
				if (memmem(g->buf + f->off, end - f->off, off[k], strlen(off[k])))
					g->nopreempt[si] = 1;
		}
	}
	for (si = 0; si < g->nslots; si++)
		any |= g->nopreempt[si];
	for (si = 0; si < g->nslots && !any; si++)
		g->nopreempt[si] = 1;
}

/*
 * The arches whose definitions chains follow: --arch, else every arch
 * that defines arch_enter_lazy_mmu_mode() (has the mode), and the arch
 * of any arch code with a section; generic code alone if there is none.
 */
static void choose_slots(struct callgraph *g)
{
	int i, k, name;

	g->nslots = 0;
	if (g->cfg->arch) {
		add_slot(g, arch_id(g->x, g->cfg->arch));
		g->nmode = 1;
		preemption(g, intern(g, "arch_enter_lazy_mmu_mode", 24));
		return;
	}
	name = intern(g, "arch_enter_lazy_mmu_mode", 24);
	resolve_name(g, name);
	for (i = 0; i < g->names[name].ndefs; i++)
		if (g->fn[g->names[name].defs[i]].arch)
			add_slot(g, g->fn[g->names[name].defs[i]].arch);
	if (!g->nslots)
		add_slot(g, 0);
	g->nmode = g->nslots;
	preemption(g, name);
	for (i = 0; i < g->nfn; i++) {
		const struct fnrec *f = &g->fn[i];

		if (!f->arch || f->state != FS_DONE)
			continue;
		if (f->is_root)
			add_slot(g, f->arch);
		for (k = f->site0; f->report && k < f->site0 + f->nsite; k++)
			if (g->site[k].status & ST_ACTIVE)
				add_slot(g, f->arch);
	}
}

void cg_finish(struct callgraph *g, struct report *rep, const char *mem, size_t memlen)
{
	int i, k, nfn;

	g->rep = rep;
	g->mem = mem;
	g->memlen = memlen;
	g->k.cfg = g->cfg;
	g->k.sum = g->sum;
	g->k.rep = rep;
	g->k.cg = g;
	g->k.pass = 1;
	g->sealed = 1;
	called_params(g);
	find_roots(g);
	choose_slots(g);
	g->npend = index_nfiles(g->x);
	g->pend = xmalloc((g->npend + 1) * sizeof(int));
	for (i = 0; i < g->npend; i++)
		g->pend[i] = -1;
	nfn = g->nfn;
	for (i = 0; i < nfn; i++) {
		if (g->fn[i].is_root)
			enqueue(g, i);
		if (g->fn[i].state != FS_DONE || !g->fn[i].report)
			continue;
		for (k = g->fn[i].site0; k < g->fn[i].site0 + g->fn[i].nsite; k++)
			if (g->site[k].status & ST_ACTIVE)
				follow(g, &g->site[k]);
	}
	closure(g);
	props(g);
	for (i = 0; i < g->nfn; i++) {
		if (g->fn[i].state != FS_DONE || !g->fn[i].report)
			continue;
		for (k = g->fn[i].site0; k < g->fn[i].site0 + g->fn[i].nsite; k++)
			if (g->site[k].status & ST_ACTIVE)
				check_call(g, k, -1);
	}
	for (i = 0; i < g->nfn; i++)
		if (g->fn[i].is_root)
			check_root(g, i);
	never_closed(g);
}
