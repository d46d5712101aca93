/*
 * Control-flow graph of one function body, built backwards from the
 * statement tree: every statement is given the node that follows it and
 * returns its own entry.  Only what the analysis needs becomes a node:
 * lazy MMU calls, calls of summarised functions, assignments to simple
 * lvalues, conditions, jumps (for path notes) and exits.
 */
#include <string.h>
#include "lazy.h"

struct label {
	const char *name;
	int node;
	struct label *next;
};

struct swctx {
	int *cases;
	int ncases, alloc, has_default;
};

struct builder {
	struct unit *u;
	struct function *f;
	struct cfg *g;
	const struct summaries *sum;
	int legacy_active;
	int brk, cont, exit;
	struct swctx *sw;
	struct label *labels;
};

static const struct {
	const char *name;
	int op, legacy;
} api[] = {
	{ "lazy_mmu_mode_enable", OP_ENABLE, 0 },
	{ "lazy_mmu_mode_disable", OP_DISABLE, 0 },
	{ "lazy_mmu_mode_pause", OP_PAUSE, 0 },
	{ "lazy_mmu_mode_resume", OP_RESUME, 0 },
	{ "arch_enter_lazy_mmu_mode", OP_ENABLE, 1 },
	{ "arch_leave_lazy_mmu_mode", OP_DISABLE, 1 },
	{ "arch_flush_lazy_mmu_mode", OP_FLUSH, 1 },
	/* upstream's helpers after the series: the task variants act on
	 * the task they are given (a context switch), the queries change
	 * nothing; all of them are the API's own definitions */
	{ "__task_lazy_mmu_mode_pause", OP_PAUSE, 0 },
	{ "__task_lazy_mmu_mode_resume", OP_RESUME, 0 },
	{ "__task_lazy_mmu_mode_active", OP_NONE, 0 },
	{ "is_lazy_mmu_mode_active", OP_NONE, 0 },
	{ NULL, 0, 0 }
};

/* "__task_lazy_mmu_mode_pause(tsk)" pauses the current path's mode only
 * when tsk is 'current'; the Xen context switch passes prev and next. */
static int task_variant(const char *s, int len)
{
	return len > 6 && !memcmp(s, "__task", 6);
}

int is_api_name(const char *s, int len, int *op, int *legacy)
{
	int i;

	for (i = 0; api[i].name; i++)
		if ((int)strlen(api[i].name) == len && !memcmp(api[i].name, s, len)) {
			*op = api[i].op;
			*legacy = api[i].legacy;
			return 1;
		}
	return 0;
}

static int new_node(struct builder *b, int kind, int tok, int next)
{
	struct cfg *g = b->g;
	struct node *n;

	if (g->nn == g->alloc) {
		g->alloc = g->alloc ? g->alloc * 2 : 64;
		g->n = xrealloc(g->n, g->alloc * sizeof(*g->n));
	}
	n = &g->n[g->nn];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->tok = tok;
	n->succ = NULL;
	if (next >= 0) {
		n->nsucc = 1;
		n->s2[0] = next;
	}
	return g->nn++;
}

static struct node *N(struct builder *b, int i)
{
	return &b->g->n[i];
}

static void set_succ2(struct builder *b, int n, int t, int f)
{
	N(b, n)->nsucc = 2;
	N(b, n)->s2[0] = t;
	N(b, n)->s2[1] = f;
}

static struct token *T(struct builder *b, int i)
{
	return &b->u->toks.t[i];
}

static int spaced_op(const struct token *t)
{
	static const char *const ops[] = { "&&", "||", "==", "!=", "<", ">", "<=",
		">=", "=", "?", ":", "|", "+", "/", "%", "^", "<<", ">>", "+=", "-=",
		"|=", "&=", NULL };

	return t->kind == T_PUNCT && tok_index(t, ops) >= 0;
}

static int word_end(const struct token *t)
{
	return t->kind == T_IDENT || t->kind == T_NUM || t->kind == T_STR ||
	       t->kind == T_CHAR || tok_is(t, ")") || tok_is(t, "]");
}

/* Text of tokens [a0, a1) joined the way a person would write them. */
static char *join(struct builder *b, int a0, int a1)
{
	char buf[256];
	int n = 0, k, prev = -1;

	for (k = a0; k < a1 && n < 200; k++) {
		struct token *t = T(b, k);

		if (t->kind >= T_PP_IF)
			continue;
		if (prev >= 0) {
			struct token *p = T(b, prev);

			if (spaced_op(t) || spaced_op(p) || tok_is(p, ",") ||
			    (word_end(p) && (t->kind == T_IDENT || t->kind == T_NUM)))
				buf[n++] = ' ';
		}
		n += snprintf(buf + n, sizeof(buf) - n, "%.*s", t->len, t->s);
		prev = k;
	}
	if (n > 200)
		strcpy(buf + 197, "...");
	buf[n < 200 ? n : 200] = 0;
	return arena_strndup(b->u->arena, buf, strlen(buf));
}

/* Start of the lvalue chain (a, a->b, a.b[...]) that ends at 'end'. */
static int chain_start(struct builder *b, int a0, int end)
{
	int k = end - 1;

	if (k < a0 || T(b, k)->kind != T_IDENT)
		return -1;
	while (k - 2 >= a0 && T(b, k - 2)->kind == T_IDENT &&
	       (tok_is(T(b, k - 1), "->") || tok_is(T(b, k - 1), ".")))
		k -= 2;
	if (k - 1 >= a0 && (tok_is(T(b, k - 1), "->") || tok_is(T(b, k - 1), ".")))
		return -1;
	return k;
}

static int rhs_value(struct builder *b, int k, int a1)
{
	struct token *t;

	/* a = b = NULL: skip the inner lvalues */
	while (k + 1 < a1 && T(b, k)->kind == T_IDENT && tok_is(T(b, k + 1), "="))
		k += 2;
	if (k + 1 > a1)
		return F_UNKNOWN;
	t = T(b, k);
	if (k + 1 < a1 && !tok_is(T(b, k + 1), ";") && !tok_is(T(b, k + 1), ",") &&
	    !tok_is(T(b, k + 1), ")"))
		return F_UNKNOWN;
	if (tok_is(t, "NULL") || tok_is(t, "0") || tok_is(t, "false"))
		return F_ZERO;
	if (tok_is(t, "true") || (t->kind == T_NUM && t->s[0] >= '1' && t->s[0] <= '9'))
		return F_NONZERO;
	return F_UNKNOWN;
}

static int assign_node(struct builder *b, int s0, int s1, int val, int next)
{
	int n = new_node(b, N_ASSIGN, s0, next);

	N(b, n)->a0 = s0;
	N(b, n)->a1 = s1;
	N(b, n)->callee = join(b, s0, s1);
	N(b, n)->val = val;
	return n;
}

static int is_assign_op(struct token *t)
{
	static const char *const ops[] = { "=", "+=", "-=", "*=", "/=", "%=", "&=",
		"|=", "^=", "<<=", ">>=", NULL };

	return t->kind == T_PUNCT && tok_index(t, ops) >= 0;
}

/* Assignments in [a0, a1), as N_ASSIGN nodes in front of 'next'. */
static int assignments(struct builder *b, int a0, int a1, int next)
{
	int k;

	for (k = a1 - 1; k >= a0; k--) {
		struct token *t = T(b, k);
		int s;

		if (is_assign_op(t)) {
			s = chain_start(b, a0, k);
			if (s >= 0)
				next = assign_node(b, s, k, tok_is(t, "=") ?
						   rhs_value(b, k + 1, a1) : F_UNKNOWN, next);
		} else if (tok_is(t, "++") || tok_is(t, "--")) {
			s = chain_start(b, a0, k);
			if (s >= 0)
				next = assign_node(b, s, k, F_UNKNOWN, next);
		} else if (tok_is(t, "&") && k + 1 < a1 && T(b, k + 1)->kind == T_IDENT &&
			   (k == a0 || (T(b, k - 1)->kind == T_PUNCT && !tok_is(T(b, k - 1), ")") &&
					!tok_is(T(b, k - 1), "]")))) {
			int e = k + 1;

			while (e + 2 < a1 && (tok_is(T(b, e + 1), "->") || tok_is(T(b, e + 1), ".")))
				e += 2;
			next = assign_node(b, k + 1, e + 1, F_UNKNOWN, next);
		}
	}
	return next;
}

int skip_call(const struct token *t)
{
	static const char *const kw[] = { "if", "while", "for", "switch", "return", "sizeof",
		"typeof", "__typeof__", "__typeof", "_Alignof", "__alignof__", "defined", "asm",
		"__asm__", "__asm", "volatile", "__volatile__", "__attribute__", "_Static_assert",
		"static_assert", "__builtin_expect", "likely", "unlikely", "do", "else", "case",
		"offsetof", "__builtin_constant_p", "__same_type", NULL };

	return tok_index(t, kw) >= 0;
}

/* The ')' that closes the '(' at i, or -1. */
static int close_paren(struct builder *b, int i, int end)
{
	int depth = 0;

	for (; i < end; i++) {
		if (T(b, i)->kind != T_PUNCT)
			continue;
		if (tok_is(T(b, i), "(") || tok_is(T(b, i), "[") || tok_is(T(b, i), "{"))
			depth++;
		else if ((tok_is(T(b, i), ")") || tok_is(T(b, i), "]") || tok_is(T(b, i), "}")) &&
			 --depth == 0)
			return i;
	}
	return -1;
}

/* Tokens of argument 'arg' of the call whose '(' is at lp: [*a0, *a1). */
int call_arg(const struct token *t, int lp, int rp, int arg, int *a0, int *a1)
{
	int i, depth = 0, n = 0, start = lp + 1;

	for (i = lp + 1; i <= rp; i++) {
		if (i == rp || (depth == 0 && tok_is(&t[i], ","))) {
			if (n++ == arg) {
				*a0 = start;
				*a1 = i;
				return 1;
			}
			start = i + 1;
			continue;
		}
		if (tok_is(&t[i], "(") || tok_is(&t[i], "[") || tok_is(&t[i], "{"))
			depth++;
		else if (tok_is(&t[i], ")") || tok_is(&t[i], "]") || tok_is(&t[i], "}"))
			depth--;
	}
	return 0;
}

/* GFP flags in the arguments that allow direct reclaim (the allocation
 * may sleep), and nothing that forbids it. */
int gfp_reclaim(const struct token *tk, int lp, int rp)
{
	static const char *const yes[] = { "GFP_KERNEL", "GFP_KERNEL_ACCOUNT", "GFP_USER",
		"GFP_HIGHUSER", "GFP_HIGHUSER_MOVABLE", "GFP_NOFS", "GFP_NOIO",
		"GFP_TRANSHUGE", "__GFP_DIRECT_RECLAIM", "__GFP_RECLAIM", "GFP_PGTABLE_KERNEL",
		"GFP_PGTABLE_USER", NULL };
	static const char *const no[] = { "GFP_ATOMIC", "GFP_NOWAIT", "GFP_TRANSHUGE_LIGHT",
		"__GFP_NOWAIT", NULL };
	int k, found = 0;

	for (k = lp + 1; k < rp; k++) {
		const struct token *t = &tk[k];

		if (t->kind != T_IDENT)
			continue;
		if (tok_index(t, no) >= 0 || (k > lp + 1 && tok_is(&tk[k - 1], "~")))
			return 0;
		found |= tok_index(t, yes) >= 0;
	}
	return found;
}

/* The text of a lock argument without '&' and parentheses: its key. */
static void lock_key(struct builder *b, struct node *n, int arg)
{
	char buf[128];
	int a0, a1, k, len = 0;

	n->lockname = NULL;
	if (arg < 0 || !call_arg(b->u->toks.t, n->lp, n->rp, arg, &a0, &a1))
		return;
	for (k = a0; k < a1; k++) {
		const struct token *t = T(b, k);

		if (tok_is(t, "&") || tok_is(t, "(") || tok_is(t, ")") || t->kind >= T_PP_IF)
			continue;
		if (len + t->len >= (int)sizeof(buf))
			return;
		memcpy(buf + len, t->s, t->len);
		len += t->len;
	}
	if (!len)
		return;
	n->lockh = name_hash(buf, len);
	n->lockname = arena_strndup(b->u->arena, buf, len);
}

static int param_index(struct builder *b, const struct token *t)
{
	int i;

	for (i = 0; i < b->f->nparams; i++)
		if (b->f->params[i] >= 0 && T(b, b->f->params[i])->len == t->len &&
		    !memcmp(T(b, b->f->params[i])->s, t->s, t->len))
			return i;
	return -1;
}

/* Calls in [a0, a1), then assignments, in front of 'next': lazy MMU
 * calls, and every other call (the call graph needs them all). */
static int events(struct builder *b, int a0, int a1, int next)
{
	int k, op, legacy, arg;

	next = assignments(b, a0, a1, next);
	for (k = a1 - 2; k >= a0; k--) {
		struct token *t = T(b, k);
		struct node *nd;
		int n, idx;

		if (t->kind != T_IDENT || !tok_is(T(b, k + 1), "("))
			continue;
		if (k > a0 && (tok_is(T(b, k - 1), "->") || tok_is(T(b, k - 1), ".")))
			continue;
		if (is_api_name(t->s, t->len, &op, &legacy)) {
			if ((legacy && !b->legacy_active) || op == OP_NONE)
				continue;
			if (task_variant(t->s, t->len) &&
			    !(k + 3 < a1 && tok_is(T(b, k + 2), "current") && tok_is(T(b, k + 3), ")")))
				continue;
			n = new_node(b, N_OP, k, next);
			N(b, n)->op = op;
			N(b, n)->legacy = legacy;
			N(b, n)->callee = arena_strndup(b->u->arena, t->s, t->len);
			next = n;
			continue;
		}
		if (skip_call(t))
			continue;
		idx = b->sum ? summary_lookup(b->sum, t->s, t->len, b->u->path) : -1;
		if (idx >= 0 && t->len == (int)strlen(b->f->name) && !memcmp(t->s, b->f->name, t->len))
			idx = -1;	/* recursion: no summary of itself */
		n = new_node(b, N_OP, k, next);
		nd = N(b, n);
		nd->op = OP_CALL;
		nd->summary = idx;
		nd->plain = idx < 0;
		nd->callee = arena_strndup(b->u->arena, t->s, t->len);
		nd->lp = k + 1;
		nd->rp = close_paren(b, k + 1, a1 + 1);
		if (nd->rp < 0)
			nd->rp = a1;
		nd->cls = call_class(t->s, t->len, &arg);
		if (nd->cls & (C_LOCK | C_UNLOCK))
			lock_key(b, nd, arg);
		nd->gfp = gfp_reclaim(b->u->toks.t, nd->lp, nd->rp);
		nd->param = param_index(b, t);
		next = n;
	}
	return next;
}

static int note_node(struct builder *b, int tok, const char *what, int next)
{
	int n = new_node(b, N_NOP, tok, next);

	N(b, n)->what = what;
	return n;
}

static int label_node(struct builder *b, int tok)
{
	struct token *t = T(b, tok);
	struct label *l;

	for (l = b->labels; l; l = l->next)
		if ((int)strlen(l->name) == t->len && !memcmp(l->name, t->s, t->len))
			return l->node;
	l = arena_alloc(b->u->arena, sizeof(*l));
	l->name = arena_strndup(b->u->arena, t->s, t->len);
	l->node = new_node(b, N_NOP, tok, -1);
	l->next = b->labels;
	b->labels = l;
	return l->node;
}

static int cond_node(struct builder *b, int tok, int a0, int a1)
{
	int n = new_node(b, N_COND, tok, -1);

	N(b, n)->a0 = a0;
	N(b, n)->a1 = a1;
	N(b, n)->what = join(b, a0, a1);
	return n;
}

static int build(struct builder *b, struct stmt *s, int next);

static int build_seq(struct builder *b, struct stmt *s, int next)
{
	int k;

	for (k = s->nkids - 1; k >= 0; k--)
		next = build(b, s->kids[k], next);
	return next;
}

/* Does a node created since 'from' call something that matters? */
/* 2 if a node created since 'from' calls something that matters; else 1
 * if, with 'exits', one leaves the straight path (return, goto, break,
 * continue); else 0. */
static int has_ops(struct builder *b, int from, int exits)
{
	int k;

	int r = 0;

	for (k = from; k < b->g->nn; k++)
		if (N(b, k)->kind == N_OP && !N(b, k)->plain)
			return 2;
		else if (exits && (N(b, k)->kind == N_RET || N(b, k)->kind == N_JUMP))
			r = 1;
	return r;
}

static int build_if(struct builder *b, struct stmt *s, int next)
{
	int c = cond_node(b, s->tok, s->a0, s->a1);
	int t = build(b, s->body, next);
	int f = s->els ? build(b, s->els, next) : next;

	set_succ2(b, c, t, f);
	N(b, c)->guards = has_ops(b, c, 1);
	return events(b, s->a0, s->a1, c);
}

/* while, for and loop macros: head -> body -> (step) -> head */
static int build_loop(struct builder *b, struct stmt *s, int next)
{
	int sb = b->brk, sc = b->cont, head, entry, step, body;

	if (s->kind == S_MACRO_LOOP) {
		head = new_node(b, N_MULTI, s->tok, -1);
		entry = events(b, s->a0, s->a1, head);
	} else {
		head = cond_node(b, s->tok, s->a0, s->a1);
		entry = events(b, s->a0, s->a1, head);
	}
	step = s->kind == S_FOR ? events(b, s->s0, s->s1, entry) : entry;
	b->brk = next;
	b->cont = step;
	body = build(b, s->body, step);
	N(b, head)->guards = has_ops(b, head, 0);
	b->brk = sb;
	b->cont = sc;
	if (s->kind == S_MACRO_LOOP) {
		int in = note_node(b, s->tok, "entering the loop body", body);
		int out = note_node(b, s->tok, "skipping the loop", next);

		set_succ2(b, head, in, out);
	} else {
		set_succ2(b, head, body, next);
	}
	return s->kind == S_FOR ? events(b, s->i0, s->i1, entry) : entry;
}

static int build_do(struct builder *b, struct stmt *s, int next)
{
	int sb = b->brk, sc = b->cont;
	int top = new_node(b, N_NOP, s->tok, -1);
	int c = cond_node(b, s->a0 > 1 ? s->a0 - 2 : s->tok, s->a0, s->a1);
	int ce = events(b, s->a0, s->a1, c), body;

	set_succ2(b, c, top, next);
	N(b, c)->val = s->complete;	/* a macro loop tail: unknown */
	b->brk = next;
	b->cont = ce;
	body = build(b, s->body, ce);
	N(b, c)->guards = has_ops(b, top, 0);
	b->brk = sb;
	b->cont = sc;
	N(b, top)->nsucc = 1;
	N(b, top)->s2[0] = body;
	return top;
}

static int build_switch(struct builder *b, struct stmt *s, int next)
{
	struct swctx sw = { 0 }, *saved = b->sw;
	int sb = b->brk, head, k;

	head = new_node(b, N_MULTI, s->tok, -1);
	b->sw = &sw;
	b->brk = next;
	build(b, s->body, next);
	b->sw = saved;
	b->brk = sb;
	N(b, head)->nsucc = sw.ncases + !sw.has_default;
	N(b, head)->succ = arena_alloc(b->u->arena, (N(b, head)->nsucc + 1) * sizeof(int));
	for (k = 0; k < sw.ncases; k++)
		N(b, head)->succ[k] = sw.cases[k];
	if (!sw.has_default)
		N(b, head)->succ[k] = note_node(b, s->tok, "no case matches", next);
	return events(b, s->a0, s->a1, head);
}

static int build_case(struct builder *b, struct stmt *s, int next)
{
	struct swctx *sw = b->sw;
	int n;

	if (!sw)
		return next;
	if (tok_is(T(b, s->tok), "default")) {
		n = note_node(b, s->tok, "taking the default case", next);
	} else {
		char buf[256];

		snprintf(buf, sizeof(buf), "taking 'case %s:'", join(b, s->a0, s->a1));
		n = note_node(b, s->tok, arena_strndup(b->u->arena, buf, strlen(buf)), next);
	}
	if (tok_is(T(b, s->tok), "default"))
		sw->has_default = 1;
	if (sw->ncases == sw->alloc) {
		int *c;

		sw->alloc = sw->alloc ? sw->alloc * 2 : 8;
		c = arena_alloc(b->u->arena, sw->alloc * sizeof(int));
		if (sw->ncases)
			memcpy(c, sw->cases, sw->ncases * sizeof(int));
		sw->cases = c;
	}
	sw->cases[sw->ncases++] = n;
	return n;
}

static int build_ppif(struct builder *b, struct stmt *s, int next)
{
	int head = new_node(b, N_MULTI, s->tok, -1), k;
	struct node *h;

	h = N(b, head);
	h->op = 1;		/* a preprocessor group: arm 0 is "condition true" */
	h->nsucc = s->nkids + !s->complete;
	h->succ = arena_alloc(b->u->arena, (h->nsucc + 1) * sizeof(int));
	for (k = 0; k < s->nkids; k++) {
		int arm = build(b, s->kids[k], next);

		arm = note_node(b, s->kids[k]->tok, "assuming this preprocessor arm is compiled", arm);
		N(b, head)->succ[k] = arm;
	}
	if (!s->complete)
		N(b, head)->succ[k] = note_node(b, s->tok, "assuming this preprocessor block is compiled out", next);
	return head;
}

static int jump_to(struct builder *b, int tok, const char *what, int target, int next)
{
	int n = note_node(b, tok, what, target >= 0 ? target : next);

	N(b, n)->kind = N_JUMP;
	return n;
}

static int build(struct builder *b, struct stmt *s, int next)
{
	int n;

	switch (s->kind) {
	case S_EXPR:
		return events(b, s->a0, s->a1, next);
	case S_BLOCK:
		return build_seq(b, s, next);
	case S_IF:
		return build_if(b, s, next);
	case S_WHILE:
	case S_FOR:
	case S_MACRO_LOOP:
		return build_loop(b, s, next);
	case S_ONCE:
		return events(b, s->a0, s->a1, build(b, s->body, next));
	case S_DO:
		return build_do(b, s, next);
	case S_SWITCH:
		return build_switch(b, s, next);
	case S_CASE:
		return build_case(b, s, next);
	case S_LABEL:
		n = label_node(b, s->tok);
		N(b, n)->nsucc = 1;
		N(b, n)->s2[0] = next;
		return n;
	case S_GOTO:
		if (s->a1 - s->a0 != 1)
			return next;	/* computed goto */
		n = label_node(b, s->a0);
		return jump_to(b, s->tok, join(b, s->a0, s->a1), n, next);
	case S_BREAK:
		return jump_to(b, s->tok, "break", b->brk, next);
	case S_CONTINUE:
		return jump_to(b, s->tok, "continue", b->cont, next);
	case S_RETURN:
		n = new_node(b, N_RET, s->tok, -1);
		return events(b, s->a0, s->a1, n);
	case S_PPIF:
		return build_ppif(b, s, next);
	}
	return next;
}

int build_cfg(struct unit *u, struct function *f, const struct summaries *sum,
	      int legacy_active, struct cfg *g)
{
	struct builder b = { u, f, g, sum, legacy_active, -1, -1, -1, NULL, NULL };
	struct label *l;

	g->nn = 0;
	b.exit = new_node(&b, N_EXIT, f->body_close, -1);
	g->entry = build(&b, f->body, b.exit);
	/* a goto to a label the parser never saw (e.g. in a dropped #if arm) */
	for (l = b.labels; l; l = l->next)
		if (!g->n[l->node].nsucc) {
			g->n[l->node].nsucc = 1;
			g->n[l->node].s2[0] = b.exit;
		}
	return 0;
}
