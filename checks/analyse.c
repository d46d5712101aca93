/*
 * Path-sensitive analysis of one function.  A path state is a stack of
 * {enable, pause} frames with counts, the closes of the caller's frames
 * made so far (underflows), which kinds this function has opened, and a
 * few facts (zero / non-zero) about variables that guard sections.  States
 * are explored depth-first; a state already seen at a node is not explored
 * again, so loops terminate and correlated conditions stay correlated.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"

#define MAXFACTS 6
#define MAXTRAIL 4
#define MAXCOUNT 4
#define NODE_SOFT 24		/* states per node before facts are dropped */
#define KEYLEN 48
#define NODE_HARD 512		/* states per node: give up */
#define MAXLOCKS 2

enum { TC_BUDGET = 1, TC_NODE, TC_DEPTH, TC_UNDER };

enum { OWN_E = 1, OWN_P = 2 };

struct frame {
	unsigned char kind, count, legacy, via;
	int tok;
};

struct fact {
	char key[KEYLEN];
	unsigned char val;
	unsigned char prio;	/* 2: guards a call or is an #if; 1: guards an exit */
};

struct state {
	unsigned char nframes, nunder, own, nfacts, nlocks;
	struct frame f[MAXFRAMES];
	unsigned char under[MAXUNDER];
	struct fact facts[MAXFACTS];
	uint32_t lockh[MAXLOCKS];	/* locks taken on this path */
	unsigned char lockupd[MAXLOCKS];	/* page tables updated under it, mode not paused */
	/* payload, not compared */
	int lock_tok[MAXLOCKS], upd_tok[MAXLOCKS];
	int under_tok[MAXUNDER];
	int closed_tok[2];
	int last_jump;		/* goto/break/continue node since the last call */
	unsigned char ntrail;
	int trail_node[MAXTRAIL], trail_branch[MAXTRAIL];
	struct state *next_seen;
};

struct exitrec {
	int node;
	struct state st;
};

struct nodeinfo {
	struct state *seen;
	int nseen;
	int suggest;		/* legacy ops: the replacement, from the first path */
	int partner;		/* legacy close: where its section was opened */
	int reached;
};

struct work {
	int node;
	struct state *st;
};

struct ctx {
	struct unit *u;
	struct function *f;
	struct cfg *g;
	struct summaries *sum;
	const struct config *cfg;
	struct report *rep;
	struct arena *a;
	struct nodeinfo *ni;
	struct work *stack;
	int nstack, stalloc;
	struct exitrec *exits;
	int nexits, exalloc;
	int *reported;		/* tokens already reported, with the id */
	int nreported, repalloc;
	long visits;
	int too_complex;	/* why the analysis gave up (TC_*), and where */
	int too_complex_tok;
	char keys[24][KEYLEN];	/* variables worth facts: they guard calls */
	unsigned char keyprio[24];
	int nkeys;
	int mode;		/* AF_* */
	struct fnout *out;
	int *site_of;		/* CFG node -> index in out->site, or -1 */
};

static struct token *T(struct ctx *c, int i)
{
	return &c->u->toks.t[i];
}

static int succ(const struct node *n, int k)
{
	return n->succ ? n->succ[k] : n->s2[k];
}

static void give_up(struct ctx *c, int why, int tok)
{
	if (!c->too_complex) {
		c->too_complex = why;
		c->too_complex_tok = tok;
	}
}

/* ---- state ---- */

static int state_equal(const struct state *a, const struct state *b)
{
	int i;

	if (a->nframes != b->nframes || a->nunder != b->nunder || a->own != b->own ||
	    a->nfacts != b->nfacts || a->nlocks != b->nlocks)
		return 0;
	for (i = 0; i < a->nlocks; i++)
		if (a->lockh[i] != b->lockh[i] || a->lockupd[i] != b->lockupd[i])
			return 0;
	for (i = 0; i < a->nframes; i++)
		if (a->f[i].kind != b->f[i].kind || a->f[i].count != b->f[i].count ||
		    a->f[i].legacy != b->f[i].legacy || a->f[i].via != b->f[i].via)
			return 0;
	if (memcmp(a->under, b->under, a->nunder))
		return 0;
	for (i = 0; i < a->nfacts; i++)
		if (a->facts[i].val != b->facts[i].val || strcmp(a->facts[i].key, b->facts[i].key))
			return 0;
	return 1;
}

static struct fact *fact_find(struct state *s, const char *key)
{
	int i;

	for (i = 0; i < s->nfacts; i++)
		if (!strcmp(s->facts[i].key, key))
			return &s->facts[i];
	return NULL;
}

/* Drop the facts of priority 'prio' and below. */
static void facts_drop(struct state *s, int prio)
{
	int i, n = 0;

	for (i = 0; i < s->nfacts; i++)
		if (s->facts[i].prio > prio)
			s->facts[n++] = s->facts[i];
	s->nfacts = n;
}

static void fact_set(struct state *s, const char *key, int val, int prio)
{
	struct fact *f = fact_find(s, key);
	int i;

	if (strlen(key) >= KEYLEN)
		return;
	if (val == F_UNKNOWN) {
		if (f) {
			*f = s->facts[--s->nfacts];
			goto sort;
		}
		return;
	}
	if (f) {
		f->val = val;
		return;
	}
	if (s->nfacts == MAXFACTS) {
		/* full: an important fact evicts a less important one */
		for (i = 0; i < s->nfacts && s->facts[i].prio >= prio; i++)
			;
		if (i == s->nfacts)
			return;
		f = &s->facts[i];
	} else {
		f = &s->facts[s->nfacts++];
	}
	strcpy(f->key, key);
	f->val = val;
	f->prio = prio;
sort:
	/* keep facts sorted so that equal states compare equal */
	for (i = 1; i < s->nfacts; i++) {
		int k = i;

		while (k > 0 && strcmp(s->facts[k - 1].key, s->facts[k].key) > 0) {
			struct fact t = s->facts[k];

			s->facts[k] = s->facts[k - 1];
			s->facts[k - 1] = t;
			k--;
		}
	}
}

static void trail_add(struct state *s, int node, int branch)
{
	if (s->ntrail == MAXTRAIL) {
		memmove(s->trail_node, s->trail_node + 1, (MAXTRAIL - 1) * sizeof(int));
		memmove(s->trail_branch, s->trail_branch + 1, (MAXTRAIL - 1) * sizeof(int));
		s->ntrail--;
	}
	s->trail_node[s->ntrail] = node;
	s->trail_branch[s->ntrail++] = branch;
}

static void push(struct ctx *c, int node, const struct state *st)
{
	struct state *copy = arena_alloc(c->a, sizeof(*copy));

	*copy = *st;
	copy->next_seen = NULL;
	if (c->nstack == c->stalloc) {
		c->stalloc = c->stalloc ? c->stalloc * 2 : 256;
		c->stack = xrealloc(c->stack, c->stalloc * sizeof(*c->stack));
	}
	c->stack[c->nstack].node = node;
	c->stack[c->nstack++].st = copy;
}

/* ---- findings ---- */

static int already(struct ctx *c, int id, int tok)
{
	int i;

	for (i = 0; i < c->nreported; i += 2)
		if (c->reported[i] == id && c->reported[i + 1] == tok)
			return 1;
	if (c->nreported + 2 > c->repalloc) {
		c->repalloc = c->repalloc ? c->repalloc * 2 : 32;
		c->reported = xrealloc(c->reported, c->repalloc * sizeof(int));
	}
	c->reported[c->nreported++] = id;
	c->reported[c->nreported++] = tok;
	return 0;
}

static struct finding *finding(struct ctx *c, int id, int tok, const char *fmt, const char *a1,
			       const char *a2)
{
	if (!(c->mode & AF_REPORT) || already(c, id, tok))
		return NULL;
	return report_add(c->rep, id, c->u->path, T(c, tok)->line, T(c, tok)->col,
			  c->f->name, fmt, a1, a2);
}

static void note(struct ctx *c, struct finding *f, int tok, const char *fmt, const char *arg)
{
	if (f)
		report_note(c->rep, f, c->u->path, T(c, tok)->line, T(c, tok)->col, fmt, arg);
}

static const char *frame_what(const struct frame *fr)
{
	if (fr->kind == OP_PAUSE)
		return "lazy MMU mode paused here";
	return fr->legacy ? "legacy lazy MMU section opened here" : "lazy MMU section opened here";
}

/* "section opened here", naming the summarised callee that opened it. */
static void trail_notes_but(struct ctx *c, struct finding *f, const struct state *s, int skip);

static void trail_notes(struct ctx *c, struct finding *f, const struct state *s)
{
	trail_notes_but(c, f, s, -1);
}

/* The chain of wrappers behind a frame opened by a call: "f() opens it
 * here", down to the function that does. */
static void wrapper_notes(struct ctx *c, struct finding *f, const struct token *t)
{
	char name[128];
	const char *path = c->u->path, *file, *via;
	int hops, idx, line, col;

	snprintf(name, sizeof(name), "%.*s", t->len, t->s);
	for (hops = 0; hops < 16; hops++) {
		idx = summary_lookup(c->sum, name, (int)strlen(name), path);
		if (idx < 0 || !(file = summary_place(c->sum, idx, &line, &col, &via)))
			return;
		if (via)
			report_note(c->rep, f, file, line, col,
				    "%s() opens it here, by a call of %s(), which returns with it open",
				    name, via);
		else
			report_note(c->rep, f, file, line, col, "%s() opens it here", name);
		if (!via)
			return;
		snprintf(name, sizeof(name), "%s", via);
		path = file;
	}
}

static void frame_note(struct ctx *c, struct finding *f, const struct frame *fr)
{
	char buf[200];
	struct token *t = T(c, fr->tok);

	if (!fr->via) {
		note(c, f, fr->tok, "%s", frame_what(fr));
		return;
	}
	snprintf(buf, sizeof(buf), "%s by %.*s(), which returns with it open",
		 fr->kind == OP_PAUSE ? "lazy MMU mode paused here" : "lazy MMU section opened here",
		 t->len, t->s);
	note(c, f, fr->tok, "%s", buf);
	if (f)
		wrapper_notes(c, f, t);
}

static void trail_notes_but(struct ctx *c, struct finding *f, const struct state *s, int skip)
{
	int i;

	for (i = 0; f && i < s->ntrail; i++) {
		const struct node *n = &c->g->n[s->trail_node[i]];

		if (s->trail_node[i] == skip)
			continue;
		if (n->kind == N_COND)
			note(c, f, n->tok, s->trail_branch[i] ? "following the 'false' branch (when '%s' is false)"
			     : "following the 'true' branch (when '%s')", n->what);
		else if (!strcmp(n->what, "break") || !strcmp(n->what, "continue"))
			note(c, f, n->tok, "'%s' here", n->what);
		else if (!strncmp(n->what, "taking", 6) || !strncmp(n->what, "assuming", 8) ||
			 !strncmp(n->what, "entering", 8) || !strncmp(n->what, "skipping", 8) ||
			 !strncmp(n->what, "no case", 7))
			note(c, f, n->tok, "%s", n->what);
		else
			note(c, f, n->tok, "jumping to '%s'", n->what);
	}
}

static void open_notes(struct ctx *c, struct finding *f, const struct state *s)
{
	int i;

	for (i = s->nframes - 1; i >= 0; i--)
		frame_note(c, f, &s->f[i]);
}

/* ---- what the call graph needs: call sites, own events ---- */

static int status_of(const struct state *s)
{
	int i, enabled = 0;

	for (i = 0; i < s->nframes; i++) {
		if (s->f[i].kind == OP_PAUSE)
			return ST_PAUSED;
		enabled = 1;
	}
	if (enabled)
		return ST_ACTIVE;
	return s->nunder ? ST_CLOSED : ST_CALLER;
}

/* The innermost open section (not a pause), or NULL. */
static const struct frame *open_section(const struct state *s)
{
	int i;

	for (i = s->nframes - 1; i >= 0; i--)
		if (s->f[i].kind == OP_ENABLE)
			return &s->f[i];
	return NULL;
}

static int legacy_open(const struct state *s)
{
	int i;

	for (i = 0; i < s->nframes; i++)
		if (s->f[i].kind == OP_ENABLE && s->f[i].legacy)
			return 1;
	return 0;
}

static void own_event(struct ctx *c, int kind, int tok, int legacy, const struct state *s,
		      const char *lock)
{
	struct fnout *o = c->out;
	struct ownevent *e;
	int i;

	if (!o)
		return;
	for (i = 0; i < o->nev; i++)
		if (o->ev[i].kind == kind && o->ev[i].tok == tok)
			return;
	if (o->nev == o->evalloc) {
		o->evalloc = o->evalloc ? o->evalloc * 2 : 8;
		o->ev = xrealloc(o->ev, o->evalloc * sizeof(*o->ev));
	}
	e = &o->ev[o->nev++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->tok = tok;
	e->legacy = legacy;
	e->lock = lock;
	if (kind == EV_UNLOCK && s) {
		e->lock_tok = s->lock_tok[0];
		e->upd_tok = s->upd_tok[0];
	}
}

static void record_site(struct ctx *c, int node, const struct state *s)
{
	struct fnout *o = c->out;
	struct callsite *cs;
	const struct frame *fr;
	int st = status_of(s);

	if (!o)
		return;
	if (c->site_of[node] < 0) {
		if (o->nsite == o->sitealloc) {
			o->sitealloc = o->sitealloc ? o->sitealloc * 2 : 16;
			o->site = xrealloc(o->site, o->sitealloc * sizeof(*o->site));
		}
		c->site_of[node] = o->nsite;
		cs = &o->site[o->nsite++];
		memset(cs, 0, sizeof(*cs));
		cs->node = node;
		cs->tok = c->g->n[node].tok;
		cs->open_tok = -1;
	}
	cs = &o->site[c->site_of[node]];
	if (st == ST_ACTIVE && !(cs->status & ST_ACTIVE) && (fr = open_section(s))) {
		cs->open_tok = fr->tok;
		cs->open_via = fr->via;
	}
	if (st == ST_ACTIVE)
		cs->legacy |= legacy_open(s);
	cs->status |= st;
}

static int lock_find(const struct state *s, uint32_t h)
{
	int i;

	for (i = 0; i < s->nlocks; i++)
		if (s->lockh[i] == h)
			return i;
	return -1;
}

static void lock_drop(struct state *s, int i)
{
	s->nlocks--;
	s->lockh[i] = s->lockh[s->nlocks];
	s->lockupd[i] = s->lockupd[s->nlocks];
	s->lock_tok[i] = s->lock_tok[s->nlocks];
	s->upd_tok[i] = s->upd_tok[s->nlocks];
}

/* A lock released inside an active section after page-table updates made
 * under it: the updates may still sit in the batch when another CPU
 * takes the lock. */
static void unlock_in_section(struct ctx *c, const struct node *n, struct state *s, int i)
{
	const struct frame *fr = open_section(s);
	struct finding *f;
	char msg[300];

	snprintf(msg, sizeof(msg), "%s() releases '%s' inside a lazy MMU section, after page-table "
		 "updates made under it: they may still be batched", n->callee, n->lockname);
	f = finding(c, D_UNLOCK, n->tok, "%s%s", msg, "");
	if (fr)
		frame_note(c, f, fr);
	note(c, f, s->lock_tok[i], "'%s' taken here", n->lockname);
	note(c, f, s->upd_tok[i], "%s", "page table updated here, under that lock");
}

/* Locks and page-table updates along the path. */
static void lock_events(struct ctx *c, const struct node *n, struct state *s)
{
	int st = status_of(s), i;

	if ((n->cls & C_UPDATE) && (st == ST_ACTIVE || st == ST_CALLER))
		for (i = 0; i < s->nlocks; i++)
			if (!s->lockupd[i]) {
				s->lockupd[i] = 1;
				s->upd_tok[i] = n->tok;
			}
	if ((n->cls & C_UNLOCK) && n->lockname && (i = lock_find(s, n->lockh)) >= 0) {
		if (s->lockupd[i] && st == ST_ACTIVE)
			unlock_in_section(c, n, s, i);
		if (s->lockupd[i] && st == ST_CALLER) {
			struct state one = *s;

			one.lock_tok[0] = s->lock_tok[i];
			one.upd_tok[0] = s->upd_tok[i];
			own_event(c, EV_UNLOCK, n->tok, 0, &one, n->lockname);
		}
		lock_drop(s, i);
	}
	if ((n->cls & C_LOCK) && n->lockname && lock_find(s, n->lockh) < 0 && s->nlocks < MAXLOCKS) {
		i = s->nlocks++;
		s->lockh[i] = n->lockh;
		s->lockupd[i] = 0;
		s->lock_tok[i] = n->tok;
		s->upd_tok[i] = -1;
	}
}

/* ---- transfer functions; return 0 to end the path ---- */

static int op_open(struct ctx *c, struct state *s, int kind, int legacy, int tok, int count,
		   int via)
{
	struct frame *top = s->nframes ? &s->f[s->nframes - 1] : NULL;

	if (legacy && kind == OP_ENABLE) {
		int i;

		for (i = 0; i < s->nframes; i++)
			if (s->f[i].kind == OP_ENABLE) {
				struct finding *f = finding(c, D_LEGACY_NEST, tok,
					"legacy %s() while a lazy MMU section is already open: the legacy API does not nest%s",
					"arch_enter_lazy_mmu_mode", "");

				frame_note(c, f, &s->f[i]);
				trail_notes(c, f, s);
				break;
			}
	}
	if (!(legacy && kind == OP_PAUSE))
		s->own |= kind == OP_ENABLE ? OWN_E : OWN_P;
	if (kind == OP_ENABLE && !via && !s->nframes && !s->nunder)
		own_event(c, EV_OPEN, tok, legacy, s, NULL);
	if (top && top->kind == kind) {
		top->count = top->count + count > MAXCOUNT ? MAXCOUNT : top->count + count;
		return 1;
	}
	if (s->nframes == MAXFRAMES) {
		give_up(c, TC_DEPTH, tok);
		return 0;
	}
	top = &s->f[s->nframes++];
	top->kind = kind;
	top->count = count > MAXCOUNT ? MAXCOUNT : count;
	top->legacy = legacy;
	top->via = via;
	top->tok = tok;
	return 1;
}

static const char *close_name(int kind, int legacy)
{
	if (legacy)
		return "arch_leave_lazy_mmu_mode";
	return kind == OP_DISABLE ? "lazy_mmu_mode_disable" : "lazy_mmu_mode_resume";
}

static int underflow(struct ctx *c, struct state *s, int kind, int legacy, int tok, const char *via)
{
	int own = kind == OP_DISABLE ? OWN_E : OWN_P;
	struct finding *f;

	if (s->own & own) {
		f = finding(c, D_DOUBLE_CLOSE, tok, kind == OP_DISABLE ?
			    "%s%s() with no lazy MMU section open: the section was already closed" :
			    "%s%s() without a matching lazy_mmu_mode_pause(): the pause was already resumed",
			    legacy ? "legacy " : "", via ? via : close_name(kind, legacy));
		if (s->closed_tok[kind == OP_DISABLE ? 0 : 1] >= 0)
			note(c, f, s->closed_tok[kind == OP_DISABLE ? 0 : 1], "%s", "it was closed here");
		trail_notes(c, f, s);
		return 0;
	}
	if (s->nunder == MAXUNDER) {
		give_up(c, TC_UNDER, tok);
		return 0;
	}
	s->under_tok[s->nunder] = tok;
	s->under[s->nunder++] = kind;
	return 1;
}

static int op_close(struct ctx *c, struct state *s, int kind, int legacy, int tok, const char *via)
{
	struct frame *top = s->nframes ? &s->f[s->nframes - 1] : NULL;
	int want = kind == OP_DISABLE ? OP_ENABLE : OP_PAUSE, i;
	struct finding *f;

	if (top && top->kind == want) {
		if (--top->count == 0)
			s->nframes--;
		s->closed_tok[kind == OP_DISABLE ? 0 : 1] = tok;
		return 1;
	}
	if (!top)
		return underflow(c, s, kind, legacy, tok, via);
	if (kind == OP_DISABLE) {
		f = finding(c, D_WRONG_CLOSE, tok, "%s() while lazy MMU mode is paused by this function%s",
			    via ? via : close_name(kind, legacy), "");
		frame_note(c, f, top);
	} else {
		for (i = s->nframes - 1; i >= 0 && s->f[i].kind != OP_PAUSE; i--)
			;
		if (i < 0 && (s->own & OWN_P))
			return underflow(c, s, kind, legacy, tok, via);
		f = finding(c, D_WRONG_CLOSE, tok, i >= 0 ?
			    "%s() while a lazy MMU section enabled after the pause is still open%s" :
			    "%s() while this function's lazy MMU section is open%s",
			    via ? via : close_name(kind, legacy), "");
		frame_note(c, f, top);
		if (i >= 0)
			frame_note(c, f, &s->f[i]);
	}
	trail_notes(c, f, s);
	return 0;
}

static int op_call(struct ctx *c, struct state *s, const struct node *n)
{
	const struct effect *e = summary_effect(c->sum, n->summary);
	char via[160];
	int k;

	snprintf(via, sizeof(via), "%s", n->callee);
	for (k = 0; k < e->nunder; k++)
		if (!op_close(c, s, e->under[k], 0, n->tok, via))
			return 0;
	/* a callee that opens a section inside a legacy one: the call graph
	 * reports it, with the chain down to the open (callgraph.c) */
	for (k = 0; k < e->nopen; k++) {
		if (!op_open(c, s, e->open[k], 0, n->tok, e->count[k], 1))
			return 0;
	}
	return 1;
}

/*
 * Legacy code in a callee: a leave with nothing open stops the caller's
 * batching and a later enter restarts it, which is what pause/resume do
 * (conversion rule 2).  Such a leave pushes a "legacy pause" frame; an
 * enter on top of it pops it; one still open at the exit is a close of
 * the caller's section (a callback), not a leak.
 */
static int is_legacy_pause(const struct frame *f)
{
	return f->kind == OP_PAUSE && f->legacy;
}

static int top_is_legacy_pause(const struct state *s)
{
	return s->nframes && is_legacy_pause(&s->f[s->nframes - 1]);
}

static int legacy_op(struct ctx *c, struct state *s, const struct node *n)
{
	struct frame *top = s->nframes ? &s->f[s->nframes - 1] : NULL;
	struct finding *f;

	if (n->op == OP_ENABLE && top && is_legacy_pause(top)) {
		s->nframes--;		/* resume the caller's section */
		return 1;
	}
	if (n->op == OP_DISABLE && !top) {
		if (s->own & OWN_E)
			return underflow(c, s, OP_DISABLE, 1, n->tok, NULL);
		return op_open(c, s, OP_PAUSE, 1, n->tok, 1, 0);
	}
	if (n->op == OP_DISABLE && is_legacy_pause(top)) {
		f = finding(c, D_DOUBLE_CLOSE, n->tok,
			    "legacy %s() while the caller's lazy MMU section is already closed%s",
			    "arch_leave_lazy_mmu_mode", "");
		note(c, f, top->tok, "%s", "it was closed here");
		trail_notes(c, f, s);
		return 0;
	}
	if (n->op == OP_ENABLE)
		return op_open(c, s, OP_ENABLE, 1, n->tok, 1, 0);
	return op_close(c, s, OP_DISABLE, 1, n->tok, NULL);
}

static void suggest(struct ctx *c, int node, const struct state *s)
{
	const struct node *n = &c->g->n[node];
	struct nodeinfo *ni = &c->ni[node];

	if (!n->legacy || ni->reached)
		return;
	ni->reached = 1;
	ni->partner = -1;
	if (n->op == OP_ENABLE) {
		ni->suggest = top_is_legacy_pause(s) ? OP_RESUME : OP_ENABLE;
	} else if (n->op == OP_DISABLE) {
		int own = s->nframes && !top_is_legacy_pause(s);

		ni->suggest = own ? OP_DISABLE : OP_PAUSE;
		if (own)
			ni->partner = s->f[s->nframes - 1].tok;
	}
}

static int do_op(struct ctx *c, struct state *s, int node)
{
	const struct node *n = &c->g->n[node];

	suggest(c, node, s);
	if (n->legacy && (n->op == OP_ENABLE || n->op == OP_DISABLE))
		return legacy_op(c, s, n);
	switch (n->op) {
	case OP_ENABLE:
	case OP_PAUSE:
		return op_open(c, s, n->op, n->legacy, n->tok, 1, 0);
	case OP_DISABLE:
	case OP_RESUME:
		return op_close(c, s, n->op, n->legacy, n->tok, NULL);
	case OP_CALL:
		return op_call(c, s, n);
	}
	return 1;
}

/* ---- conditions ---- */

enum { A_OPAQUE, A_VAR, A_CONST };

struct atom {
	int kind, want;		/* A_VAR: the atom holds when (var != 0) == want */
	char key[KEYLEN];
};

static int match_close(struct ctx *c, int i, int end)
{
	int depth = 0;

	for (; i < end; i++) {
		if (T(c, i)->kind != T_PUNCT)
			continue;
		if (tok_is(T(c, i), "(") || tok_is(T(c, i), "["))
			depth++;
		else if ((tok_is(T(c, i), ")") || tok_is(T(c, i), "]")) && --depth == 0)
			return i;
	}
	return -1;
}

/* Append t's spelling to key (n bytes so far); 0 if it would not fit. */
static int key_add(char *key, int *n, const struct token *t)
{
	if (*n + t->len >= KEYLEN)
		return 0;
	memcpy(key + *n, t->s, t->len);
	*n += t->len;
	return 1;
}

static int is_chain(struct ctx *c, int a0, int a1, char *key)
{
	int k, n = 0;

	if (a1 <= a0 || (a1 - a0) % 2 == 0)
		return 0;
	for (k = a0; k < a1; k++) {
		struct token *t = T(c, k);

		if ((k - a0) % 2 == 0 ? t->kind != T_IDENT :
		    !(tok_is(t, "->") || tok_is(t, ".")))
			return 0;
		if (!key_add(key, &n, t))
			return 0;
	}
	key[n] = 0;
	return 1;
}

static int is_zero(struct token *t)
{
	return tok_is(t, "NULL") || tok_is(t, "0") || tok_is(t, "false");
}

/* An expression of variables and constants without calls or side
 * effects ("flags & FOO"): the same text has the same value until one of
 * its variables is assigned. */
static int pure(struct ctx *c, int a0, int a1, char *key)
{
	static const char *const bad[] = { "=", "++", "--", "+=", "-=", "|=", "&=",
		"^=", "*=", "/=", "<<=", ">>=", "%=", "?", ",", "{", NULL };
	int k, n = 0;

	for (k = a0; k < a1; k++) {
		struct token *t = T(c, k);

		if (t->kind == T_STR || t->kind >= T_PP_IF)
			return 0;
		if (t->kind == T_PUNCT) {
			if (tok_index(t, bad) >= 0)
				return 0;
			if (tok_is(t, "(") && k > a0 && T(c, k - 1)->kind == T_IDENT)
				return 0;
		}
		if (!key_add(key, &n, t))
			return 0;
	}
	key[n] = 0;
	return n > 0;
}

/* Forget facts about expressions that mention 'var'. */
static void invalidate(struct state *s, const char *var)
{
	size_t n = strlen(var);
	int i;

	for (i = 0; i < s->nfacts; i++) {
		const char *k = s->facts[i].key, *p;

		if (!strcmp(k, var))
			continue;
		for (p = strstr(k, var); p; p = strstr(p + 1, var)) {
			int before = p > k && (isalnum((unsigned char)p[-1]) || p[-1] == '_' ||
					       p[-1] == '>' || p[-1] == '.');
			int after = isalnum((unsigned char)p[n]) || p[n] == '_';

			if (!before && !after) {
				fact_set(s, k, F_UNKNOWN, 0);
				i = -1;
				break;
			}
		}
	}
}

static void atom(struct ctx *c, int a0, int a1, struct atom *at)
{
	int neg = 0, k, v, depth;

	at->kind = A_OPAQUE;
	for (;;) {
		if (a0 < a1 && tok_is(T(c, a0), "!")) {
			neg ^= 1;
			a0++;
		} else if (a0 < a1 && tok_is(T(c, a0), "(") && match_close(c, a0, a1) == a1 - 1) {
			a0++;
			a1--;
		} else if (a0 + 1 < a1 && (tok_is(T(c, a0), "likely") || tok_is(T(c, a0), "unlikely")) &&
			   tok_is(T(c, a0 + 1), "(") && match_close(c, a0 + 1, a1) == a1 - 1) {
			a0 += 2;
			a1--;
		} else {
			break;
		}
	}
	if (is_chain(c, a0, a1, at->key)) {
		at->kind = A_VAR;
		at->want = !neg;
		return;
	}
	for (k = a0 + 1, depth = 0; k < a1 - 1; k++) {
		struct token *t = T(c, k);
		char rhs[KEYLEN];

		if (tok_is(t, "(") || tok_is(t, "["))
			depth++;
		else if (tok_is(t, ")") || tok_is(t, "]"))
			depth--;
		if (depth || (!tok_is(t, "==") && !tok_is(t, "!=")))
			continue;
		if (is_zero(T(c, a1 - 1)) && a1 - 1 == k + 1 && is_chain(c, a0, k, at->key)) {
			at->kind = A_VAR;
			at->want = tok_is(t, "!=") ^ neg;
		} else if (is_zero(T(c, a0)) && k == a0 + 1 && is_chain(c, k + 1, a1, at->key)) {
			at->kind = A_VAR;
			at->want = tok_is(t, "!=") ^ neg;
		} else if (pure(c, a0, k, at->key) && pure(c, k + 1, a1, rhs) &&
			   strlen(at->key) + strlen(rhs) + 2 < KEYLEN) {
			/* "ret == -ENOENT" and "ret != -ENOENT": one fact */
			strcat(at->key, "==");
			strcat(at->key, rhs);
			at->kind = A_VAR;
			at->want = tok_is(t, "==") ^ neg;
		}
		return;
	}
	v = pp_eval(T(c, a0), a1 - a0, c->cfg);
	if (v >= 0) {
		at->kind = A_CONST;
		at->want = v ^ neg;
	} else if (pure(c, a0, a1, at->key)) {
		at->kind = A_VAR;	/* the expression's own value */
		at->want = !neg;
	}
}

/* 1 holds, 0 fails, -1 unknown */
static int atom_status(struct state *s, const struct atom *at)
{
	struct fact *f;

	if (at->kind == A_CONST)
		return at->want;
	if (at->kind != A_VAR || !(f = fact_find(s, at->key)))
		return -1;
	return (f->val == F_NONZERO) == at->want;
}

/* 0: not worth a fact; else the fact's priority. */
static int tracked(struct ctx *c, const char *key)
{
	int i;

	for (i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i], key))
			return c->keyprio[i];
	return 0;
}

static void track(struct ctx *c, const char *key, int prio)
{
	int i;

	for (i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i], key)) {
			if (c->keyprio[i] < prio)
				c->keyprio[i] = prio;
			return;
		}
	if (c->nkeys < (int)(sizeof(c->keys) / sizeof(c->keys[0]))) {
		strcpy(c->keys[c->nkeys], key);
		c->keyprio[c->nkeys++] = prio;
	}
}

static void atom_apply(struct ctx *c, struct state *s, const struct atom *at, int holds)
{
	int prio = at->kind == A_VAR ? tracked(c, at->key) : 0;

	if (prio)
		fact_set(s, at->key, (at->want == holds) ? F_NONZERO : F_ZERO, prio);
}

#define MAXATOMS 8

/* Split at top-level && or ||; returns the number of atoms, 0 if mixed. */
static int split(struct ctx *c, int a0, int a1, struct atom *at, int *is_or)
{
	int depth = 0, k, start = a0, n = 0, ands = 0, ors = 0;

	for (k = a0; k <= a1; k++) {
		struct token *t = k < a1 ? T(c, k) : NULL;

		if (t && (tok_is(t, "(") || tok_is(t, "[")))
			depth++;
		else if (t && (tok_is(t, ")") || tok_is(t, "]")))
			depth--;
		else if (!t || (!depth && (tok_is(t, "&&") || tok_is(t, "||")))) {
			if (t)
				tok_is(t, "&&") ? ands++ : ors++;
			if (n == MAXATOMS)
				return 0;
			atom(c, start, k, &at[n++]);
			start = k + 1;
		}
	}
	*is_or = ors > 0;
	return ands && ors ? 0 : n;
}

/* Is branch 'taken' (1 true, 0 false) feasible in s?  Updates s's facts. */
static int branch(struct ctx *c, const struct node *n, struct state *s, int taken)
{
	struct atom at[MAXATOMS];
	int is_or = 0, na, k, st, unknown = 0, last = -1;

	if (n->val)
		return 1;	/* opaque, e.g. "} while_each_thread(g, t);" */
	if (n->a0 == n->a1)
		return taken;	/* for (;;) */
	na = split(c, n->a0, n->a1, at, &is_or);
	if (!na)
		return 1;
	/* "all hold" for && taken / || not taken (negated atoms) */
	if (is_or ? !taken : taken) {
		int want = !is_or;

		for (k = 0; k < na; k++) {
			st = atom_status(s, &at[k]);
			if (st >= 0 && st != want)
				return 0;
			atom_apply(c, s, &at[k], want);
		}
		return 1;
	}
	/* at least one fails (&&, false) / one holds (||, true) */
	for (k = 0; k < na; k++) {
		st = atom_status(s, &at[k]);
		if (st == is_or)
			return 1;	/* already decided */
		if (st < 0) {
			unknown++;
			last = k;
		}
	}
	if (!unknown)
		return 0;
	if (unknown == 1)
		atom_apply(c, s, &at[last], is_or);
	return 1;
}

/* ---- exploration ---- */

static int seen(struct ctx *c, int node, struct state *st)
{
	struct nodeinfo *ni = &c->ni[node];
	struct state *p;

	for (p = ni->seen; p; p = p->next_seen)
		if (state_equal(p, st))
			return 1;
	/* too many states here: forget the less important facts first */
	if (ni->nseen >= NODE_SOFT && st->nfacts) {
		int before = st->nfacts;

		facts_drop(st, ni->nseen >= 2 * NODE_SOFT ? 2 : 1);
		if (st->nfacts != before)
			return seen(c, node, st);
	}
	if (ni->nseen >= NODE_HARD) {
		give_up(c, TC_NODE, c->g->n[node].tok);
		return 1;
	}
	st->next_seen = ni->seen;
	ni->seen = st;
	ni->nseen++;
	return 0;
}

static void record_exit(struct ctx *c, int node, const struct state *s)
{
	int i;

	for (i = 0; i < c->nexits; i++)
		if (c->exits[i].node == node && state_equal(&c->exits[i].st, s))
			return;
	if (c->nexits == c->exalloc) {
		c->exalloc = c->exalloc ? c->exalloc * 2 : 16;
		c->exits = xrealloc(c->exits, c->exalloc * sizeof(*c->exits));
	}
	c->exits[c->nexits].node = node;
	c->exits[c->nexits++].st = *s;
}

static int pp_arm(struct ctx *c, const struct node *n, struct state *s, int arm);

static void step(struct ctx *c, int node, struct state *s)
{
	const struct node *n = &c->g->n[node];
	struct state t;
	int k;

	if (seen(c, node, s))
		return;
	/* a call that matters to nobody is no path state of its own */
	if (!n->plain && ++c->visits > c->cfg->max_states) {
		give_up(c, TC_BUDGET, n->tok);
		return;
	}
	switch (n->kind) {
	case N_OP:
		t = *s;
		if (n->op == OP_CALL)
			record_site(c, node, &t);
		if (n->plain) {
			lock_events(c, n, &t);
			push(c, succ(n, 0), &t);
			return;
		}
		t.last_jump = -1;
		if (do_op(c, &t, node))
			push(c, succ(n, 0), &t);
		return;
	case N_ASSIGN:
		t = *s;
		if (tracked(c, n->callee))
			fact_set(&t, n->callee, n->val, tracked(c, n->callee));
		invalidate(&t, n->callee);
		push(c, succ(n, 0), &t);
		return;
	case N_COND:
		for (k = 1; k >= 0; k--) {
			struct state other = *s;

			t = *s;
			if (!branch(c, n, &t, !k))
				continue;
			if (branch(c, n, &other, k))
				trail_add(&t, node, k);
			push(c, succ(n, k), &t);
		}
		return;
	case N_RET:
	case N_EXIT:
		record_exit(c, node, s);
		return;
	default:
		for (k = n->nsucc - 1; k >= 0; k--) {
			t = *s;
			if (n->what && (n->kind == N_NOP || n->kind == N_JUMP))
				trail_add(&t, node, -1);
			if (n->kind == N_JUMP)
				t.last_jump = node;
			if (n->kind == N_MULTI && n->op == 1 && !pp_arm(c, n, &t, k))
				continue;
			push(c, succ(n, k), &t);
		}
	}
}

/* The fact key of a preprocessor group's condition, whitespace collapsed;
 * "#ifdef X" and "#ifndef X" share "#defined X"; long ones are hashed. */
static void pp_key(struct ctx *c, const struct node *n, char *key)
{
	const struct token *t = T(c, n->tok);
	char buf[1024];
	int k, len, space = 0;
	unsigned long h = 1469598103934665603UL;

	len = snprintf(buf, sizeof(buf), "%s", t->complete == PP_IF ? "#if " : "#defined ");
	for (k = 0; k < t->len && len < (int)sizeof(buf) - 2; k++) {
		char ch = t->s[k];

		if (ch == '\\' || ch == '\n' || ch == ' ' || ch == '\t' || ch == '\r') {
			space = 1;
			continue;
		}
		if (space && buf[len - 1] != ' ')
			buf[len++] = ' ';
		space = 0;
		buf[len++] = ch;
	}
	buf[len] = 0;
	if (len < KEYLEN) {
		memcpy(key, buf, len + 1);
		return;
	}
	for (k = 0; k < len; k++)
		h = (h ^ (unsigned char)buf[k]) * 1099511628211UL;
	snprintf(key, KEYLEN, "%.24s#%016lx", buf, h);
}

static int pp_arm(struct ctx *c, const struct node *n, struct state *s, int arm)
{
	char key[KEYLEN];
	int truth = (arm == 0) ^ (T(c, n->tok)->complete == PP_IFNDEF);
	struct fact *f;

	pp_key(c, n, key);
	if (!key[0] || !tracked(c, key))
		return 1;
	f = fact_find(s, key);
	if (f)
		return (f->val == F_NONZERO) == truth;
	fact_set(s, key, truth ? F_NONZERO : F_ZERO, 2);
	return 1;
}

/* Variables named in conditions that guard calls that matter, and the
 * conditions of preprocessor groups that occur more than once. */
static void collect_keys(struct ctx *c)
{
	struct atom at[MAXATOMS];
	char key[KEYLEN], seen1[16][KEYLEN];
	int i, k, na, is_or, nseen1 = 0;

	for (i = 0; i < c->g->nn; i++) {
		const struct node *n = &c->g->n[i];

		if (n->kind != N_MULTI || n->op != 1)
			continue;
		pp_key(c, n, key);
		if (!key[0] || tracked(c, key))
			continue;
		for (k = 0; k < nseen1 && strcmp(seen1[k], key); k++)
			;
		if (k == nseen1) {
			if (nseen1 < 16)
				strcpy(seen1[nseen1++], key);
		} else {
			track(c, key, 2);
		}
	}

	for (i = 0; i < c->g->nn; i++) {
		const struct node *n = &c->g->n[i];

		if (n->kind != N_COND || !n->guards || n->a0 == n->a1)
			continue;
		na = split(c, n->a0, n->a1, at, &is_or);
		for (k = 0; k < na; k++)
			if (at[k].kind == A_VAR)
				track(c, at[k].key, n->guards);
	}
}

static void explore(struct ctx *c)
{
	struct state init;

	collect_keys(c);
	memset(&init, 0, sizeof(init));
	init.closed_tok[0] = init.closed_tok[1] = -1;
	init.last_jump = -1;
	push(c, c->g->entry, &init);
	while (c->nstack && !c->too_complex) {
		struct work w = c->stack[--c->nstack];

		step(c, w.node, w.st);
	}
}

/* ---- per-function verdicts ---- */

static void effect_of(const struct state *s, struct effect *e)
{
	int i;

	memset(e, 0, sizeof(*e));
	e->nunder = s->nunder;
	memcpy(e->under, s->under, s->nunder);
	for (i = 0; i < s->nframes; i++) {
		if (is_legacy_pause(&s->f[i])) {
			if (e->nunder < MAXUNDER)
				e->under[e->nunder++] = OP_DISABLE;
			continue;
		}
		e->open[e->nopen] = s->f[i].kind;
		e->count[e->nopen++] = s->f[i].count;
	}
}

/* Where the first close of the caller's section on this path happened. */
static int first_under_tok(const struct state *s)
{
	int i;

	if (s->nunder)
		return s->under_tok[0];
	for (i = 0; i < s->nframes; i++)
		if (is_legacy_pause(&s->f[i]))
			return s->f[i].tok;
	return -1;
}

/*
 * Where a leaking path goes wrong: at its exit, unless balanced paths
 * leave through the same exit; then at the goto/break/continue it took
 * (with no lazy MMU call after it) to get there, which skipped the close.
 */
static int leak_jump(struct ctx *c, const struct exitrec *x)
{
	struct effect e;
	int i;

	if (x->st.last_jump < 0)
		return -1;
	for (i = 0; i < c->nexits; i++) {
		if (c->exits[i].node != x->node)
			continue;
		effect_of(&c->exits[i].st, &e);
		if (!e.nopen)
			return x->st.last_jump;
	}
	return -1;
}

static void report_leak(struct ctx *c, const struct exitrec *x)
{
	const struct node *n = &c->g->n[x->node];
	const struct frame *top = NULL;
	const char *what;
	struct finding *f;
	int i, j = leak_jump(c, x);

	for (i = x->st.nframes - 1; i >= 0 && !top; i--)
		if (!is_legacy_pause(&x->st.f[i]))
			top = &x->st.f[i];
	if (!top)
		return;
	what = top->kind == OP_PAUSE ? "lazy MMU mode still paused" :
			   top->legacy ? "a legacy lazy MMU section still open" :
			   "a lazy MMU section still open";
	if (j >= 0) {
		const struct node *jn = &c->g->n[j];
		char how[160];

		if (!strcmp(jn->what, "break") || !strcmp(jn->what, "continue"))
			snprintf(how, sizeof(how), "'%s'", jn->what);
		else
			snprintf(how, sizeof(how), "jumping to '%s'", jn->what);
		f = finding(c, D_UNBALANCED, jn->tok, "%s skips the close: the function returns with %s",
			    how, what);
		open_notes(c, f, &x->st);
		trail_notes_but(c, f, &x->st, j);
		note(c, f, n->tok, "%s", n->kind == N_RET ? "returning here" : "the function ends here");
		return;
	} else if (n->kind == N_RET)
		f = finding(c, D_UNBALANCED, n->tok, "returning with %s%s", what, "");
	else
		f = finding(c, D_UNBALANCED, n->tok, "reaching the end of the function with %s%s", what, "");
	open_notes(c, f, &x->st);
	trail_notes(c, f, &x->st);
}

static void report_under(struct ctx *c, const struct exitrec *x, const struct exitrec *other)
{
	struct finding *f;

	struct effect e;

	effect_of(&x->st, &e);
	f = finding(c, D_INCONSISTENT, first_under_tok(&x->st),
		    "closes a lazy MMU %s it did not open on some paths only%s",
		    e.under[0] == OP_DISABLE ? "section" : "pause", "");
	trail_notes(c, f, &x->st);
	note(c, f, c->g->n[other->node].tok, "%s",
	     "another path leaves the function here without that close");
}

/* A static function in a .c file is only called from that file; one in a
 * header is included everywhere, like a global one. */
static const char *file_scope(struct ctx *c)
{
	size_t n = strlen(c->u->path);

	if (!c->f->is_static || (n > 2 && !strcmp(c->u->path + n - 2, ".h")))
		return NULL;
	return c->u->path;
}

/* Where the effect of a summary happens, for the notes of its callers. */
static void summary_place_of(struct ctx *c, const struct state *s, const struct effect *e)
{
	int idx, tok = first_under_tok(s);
	char via[128];
	const struct token *t;

	if (effect_empty(e))
		return;
	via[0] = 0;
	if (tok < 0 && s->nframes) {
		tok = s->f[0].tok;
		if (s->f[0].via)
			snprintf(via, sizeof(via), "%.*s", T(c, tok)->len, T(c, tok)->s);
	}
	idx = summary_lookup(c->sum, c->f->name, (int)strlen(c->f->name), c->u->path);
	if (idx < 0 || tok < 0)
		return;
	t = T(c, tok);
	summary_set_place(c->sum, idx, c->u->path, t->line, t->col, via[0] ? via : NULL);
}

static void verdict(struct ctx *c)
{
	char where[512];
	struct effect e0, e;
	int i, k, same = 1;

	if (!c->nexits)
		return;
	effect_of(&c->exits[0].st, &e0);
	for (i = 1; i < c->nexits && same; i++) {
		effect_of(&c->exits[i].st, &e);
		same = effect_equal(&e, &e0);
	}
	snprintf(where, sizeof(where), "%s:%d", c->u->path, T(c, c->f->name_tok)->line);
	if (!(c->mode & AF_SUMMARY)) {
		/* no summary from this analysis: only its reports */
	} else if (same) {
		summary_update(c->sum, c->f->name, &e0, where, file_scope(c));
		summary_place_of(c, &c->exits[0].st, &e0);
		return;
	}
	/* paths disagree: no summary, the callers see no effect */
	if (c->mode & AF_SUMMARY)
		summary_update(c->sum, c->f->name, &(struct effect){ 0 }, where, file_scope(c));
	for (i = 0; i < c->nexits; i++) {
		effect_of(&c->exits[i].st, &e);
		if (e.nopen)
			report_leak(c, &c->exits[i]);
	}
	for (i = 0; i < c->nexits; i++) {
		struct effect o;

		effect_of(&c->exits[i].st, &e);
		if (!e.nunder)
			continue;
		for (k = 0; k < c->nexits; k++) {
			effect_of(&c->exits[k].st, &o);
			if (o.nunder != e.nunder || memcmp(o.under, e.under, e.nunder)) {
				report_under(c, &c->exits[i], &c->exits[k]);
				break;
			}
		}
	}
}

static void legacy_calls(struct ctx *c, int generic)
{
	static const char *repl[] = { NULL, "lazy_mmu_mode_enable", "lazy_mmu_mode_disable",
		"lazy_mmu_mode_pause", "lazy_mmu_mode_resume" };
	const char *where = generic ? "in generic code" : "outside the arch callbacks";
	char msg[200];
	int i;

	for (i = 0; i < c->g->nn; i++) {
		const struct node *n = &c->g->n[i];
		struct nodeinfo *ni = &c->ni[i];
		struct finding *f;
		int r;

		if (n->kind != N_OP || !n->legacy)
			continue;
		if (n->op == OP_FLUSH) {
			f = finding(c, D_LEGACY_CALL, n->tok,
				    "legacy %s() %s: only the lazy MMU layer may call the arch callbacks",
				    n->callee, where);
			continue;
		}
		r = ni->reached ? ni->suggest : n->op;
		snprintf(msg, sizeof(msg), "legacy %s() %s: use %s()", n->callee, where, repl[r]);
		f = finding(c, D_LEGACY_CALL, n->tok, "%s%s", msg, "");
		if (ni->reached && ni->partner >= 0)
			note(c, f, ni->partner, "%s", "the section it closes was opened here");
	}
}

static void too_complex(struct ctx *c)
{
	static const char *why[] = { NULL,
		"more than %s path states",
		"more than %s distinct states at one statement",
		"sections nested more than %s deep",
		"more than %s closes of the caller's sections" };
	char num[32], msg[200];
	struct finding *f;
	int n = c->too_complex == TC_BUDGET ? c->cfg->max_states :
		c->too_complex == TC_NODE ? NODE_HARD :
		c->too_complex == TC_DEPTH ? MAXFRAMES : MAXUNDER;

	snprintf(num, sizeof(num), "%d", n);
	snprintf(msg, sizeof(msg), why[c->too_complex], num);
	f = finding(c, D_TOO_COMPLEX, c->f->name_tok,
		    "function is too complex to analyse fully (%s); findings for it may be incomplete%s",
		    msg, "");
	note(c, f, c->too_complex_tok, "%s", "the analysis gave up here");
}

void fnout_free(struct fnout *o)
{
	free(o->site);
	free(o->ev);
	memset(o, 0, sizeof(*o));
}

int analyse_function(struct unit *u, struct function *f, struct summaries *sum,
		     const struct config *cfg, struct report *rep, struct cfg *g, int generic,
		     int mode, struct fnout *out)
{
	struct ctx c;
	int i;

	memset(&c, 0, sizeof(c));
	c.mode = mode;
	c.out = out;
	if (out) {
		out->cfg = g;
		out->report = !!(mode & AF_REPORT);
	}
	c.site_of = xmalloc((g->nn + 1) * sizeof(int));
	for (i = 0; i < g->nn; i++)
		c.site_of[i] = -1;
	c.u = u;
	c.f = f;
	c.g = g;
	c.sum = sum;
	c.cfg = cfg;
	c.rep = rep;
	c.a = arena_new();
	c.ni = xmalloc(g->nn * sizeof(*c.ni));
	memset(c.ni, 0, g->nn * sizeof(*c.ni));
	explore(&c);
	if (c.too_complex) {
		too_complex(&c);
		if (out)
			out->too_complex = 1;
	} else {
		verdict(&c);
	}
	legacy_calls(&c, generic);
	free(c.site_of);
	free(c.ni);
	free(c.stack);
	free(c.exits);
	free(c.reported);
	arena_free(c.a);
	return 0;
}
