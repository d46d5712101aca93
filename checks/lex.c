/*
 * Tokenizer for unpreprocessed kernel C.  Comments vanish, #define and
 * #include lines vanish (macro bodies are not code paths), and
 * conditionals are resolved when -D/-U/autoconf make them known; the others
 * become T_PP_IF / T_PP_ELSE / T_PP_ENDIF tokens so that the parser can
 * treat their arms as branches.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"

struct lexer {
	const char *p, *end, *line_start;
	int line;
	const struct config *cfg;
	struct tokens *out;
	int next_group;
	struct lex_issue *issue;
	const char *open_literal;	/* set by one_token(): not closed */
	const struct tokens *cond;	/* the directive being handled */
	int ppkind;			/* its kind: PP_IF, PP_IFDEF, PP_IFNDEF */
};

/* Conditional-group stack entry. */
struct cond {
	int parent_active, cur_active, any_taken, unknown, group;
};

int tok_is(const struct token *t, const char *s)
{
	return (int)strlen(s) == t->len && !memcmp(t->s, s, t->len);
}

int tok_index(const struct token *t, const char *const *set)
{
	int i;

	for (i = 0; set[i]; i++)
		if (tok_is(t, set[i]))
			return i;
	return -1;
}

static struct token *push(struct lexer *lx, int kind, const char *s, int len)
{
	struct tokens *o = lx->out;
	struct token *t;

	if (o->n == o->alloc) {
		o->alloc = o->alloc ? o->alloc * 2 : 1024;
		o->t = xrealloc(o->t, o->alloc * sizeof(*o->t));
	}
	t = &o->t[o->n++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->s = s;
	t->len = len;
	t->line = lx->line;
	t->col = (int)(s - lx->line_start) + 1;
	return t;
}

static void newline(struct lexer *lx, const char *p)
{
	lx->line++;
	lx->line_start = p + 1;
}

/* Remember the first text that is not C, for the driver's note. */
static void set_issue(struct lexer *lx, int line, int col, const char *what)
{
	if (lx->issue && !lx->issue->what) {
		lx->issue->line = line;
		lx->issue->col = col;
		lx->issue->what = what;
	}
}

/* Length of the line continuation at p: backslash and LF or CRLF; or 0. */
static int continuation(const struct lexer *lx, const char *p)
{
	if (*p != '\\')
		return 0;
	if (p + 1 < lx->end && p[1] == '\n')
		return 2;
	if (p + 2 < lx->end && p[1] == '\r' && p[2] == '\n')
		return 3;
	return 0;
}

/* Skip whitespace and comments; stop at a newline only when 'in_pp'. */
static const char *skip_space(struct lexer *lx, const char *p, int in_pp)
{
	int n;

	while (p < lx->end) {
		if ((n = continuation(lx, p))) {
			newline(lx, p + n - 1);
			p += n;
		} else if (*p == '\n') {
			if (in_pp)
				return p;
			newline(lx, p);
			p++;
		} else if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v') {
			p++;
		} else if (*p == '/' && p + 1 < lx->end && p[1] == '*') {
			int line = lx->line, col = (int)(p - lx->line_start) + 1;

			for (p += 2; p < lx->end && !(*p == '*' && p + 1 < lx->end && p[1] == '/'); p++)
				if (*p == '\n')
					newline(lx, p);
			if (p + 2 > lx->end)
				set_issue(lx, line, col, "unterminated comment (the rest of the file is not checked)");
			p = p + 2 > lx->end ? lx->end : p + 2;
		} else if (*p == '/' && p + 1 < lx->end && p[1] == '/') {
			while (p < lx->end && *p != '\n') {
				if ((n = continuation(lx, p))) {
					p += n - 1;
					newline(lx, p);
				}
				p++;
			}
		} else {
			break;
		}
	}
	return p;
}

static int is_ident(int c)
{
	return isalnum(c) || c == '_' || c == '$';
}

static const char *puncts3[] = { "<<=", ">>=", "...", NULL };
static const char *puncts2[] = {
	"->", "++", "--", "<<", ">>", "<=", ">=", "==", "!=", "&&", "||",
	"*=", "/=", "%=", "+=", "-=", "&=", "^=", "|=", "##", NULL
};

static int punct_len(const char *p, const char *end)
{
	int i;

	for (i = 0; puncts3[i]; i++)
		if (end - p >= 3 && !memcmp(p, puncts3[i], 3))
			return 3;
	for (i = 0; puncts2[i]; i++)
		if (end - p >= 2 && !memcmp(p, puncts2[i], 2))
			return 2;
	return 1;
}

/* Read one token at p; returns its end. */
static const char *one_token(struct lexer *lx, const char *p, int *kind)
{
	const char *q = p;

	if (is_ident((unsigned char)*p) && !isdigit((unsigned char)*p)) {
		while (q < lx->end && is_ident((unsigned char)*q))
			q++;
		/* string/char prefixes: L"x", u8"x" */
		if (q < lx->end && (*q == '"' || *q == '\'') && q - p <= 2)
			return one_token(lx, q, kind);
		*kind = T_IDENT;
		return q;
	}
	if (isdigit((unsigned char)*p) || (*p == '.' && p + 1 < lx->end && isdigit((unsigned char)p[1]))) {
		while (q < lx->end && (is_ident((unsigned char)*q) || *q == '.' ||
		       ((*q == '+' || *q == '-') && (q[-1] == 'e' || q[-1] == 'E' || q[-1] == 'p' || q[-1] == 'P'))))
			q++;
		*kind = T_NUM;
		return q;
	}
	if (*p == '"' || *p == '\'') {
		char c = *p;

		for (q = p + 1; q < lx->end && *q != c && *q != '\n'; q++) {
			int n = continuation(lx, q);

			if (n) {
				q += n - 1;
				newline(lx, q);
			} else if (*q == '\\' && q + 1 < lx->end) {
				q++;
			}
		}
		*kind = c == '"' ? T_STR : T_CHAR;
		if (q < lx->end && *q == c)
			return q + 1;
		lx->open_literal = p;
		return q;
	}
	*kind = T_PUNCT;
	return p + punct_len(p, lx->end);
}

/* Tokenize the rest of a directive line into a temporary vector. */
static const char *directive_tokens(struct lexer *lx, const char *p, struct tokens *tmp)
{
	struct tokens *saved = lx->out;
	int kind;

	lx->out = tmp;
	for (;;) {
		const char *q;

		p = skip_space(lx, p, 1);
		if (p >= lx->end || *p == '\n')
			break;
		q = one_token(lx, p, &kind);
		push(lx, kind, p, (int)(q - p));
		p = q;
	}
	lx->out = saved;
	return p;
}

static int cond_active(struct cond *st, int depth)
{
	return depth == 0 || (st[depth - 1].parent_active && st[depth - 1].cur_active);
}

static void pp_token(struct lexer *lx, int kind, const char *s, int group, int complete)
{
	struct token *t = push(lx, kind, s, 1);

	t->group = group;
	t->complete = complete;
	/* T_PP_IF keeps its condition's text, so that two groups with the
	 * same condition can be taken together (t->complete: PP_IFDEF...) */
	if (kind == T_PP_IF && lx->cond && lx->cond->n) {
		const struct token *a = &lx->cond->t[0];
		const struct token *b = &lx->cond->t[lx->cond->n - 1];

		t->s = a->s;
		t->len = (int)(b->s + b->len - a->s);
		t->complete = lx->ppkind;
	}
}

/* Handle a conditional directive; 'v' is the evaluated condition for
 * #if/#ifdef/#ifndef/#elif (1, 0 or -1 unknown), 1 for #else. */
static void conditional(struct lexer *lx, struct cond **st, int *depth, int *alloc,
			const char *name, int v, const char *at)
{
	struct cond *c;

	if (!strcmp(name, "if")) {
		if (*depth == *alloc) {
			*alloc = *alloc ? *alloc * 2 : 16;
			*st = xrealloc(*st, *alloc * sizeof(**st));
		}
		c = &(*st)[*depth];
		c->parent_active = cond_active(*st, *depth);
		(*depth)++;
		c->any_taken = c->unknown = 0;
		c->cur_active = 0;
		c->group = -1;
		if (!c->parent_active)
			return;
		if (v == 1) {
			c->cur_active = c->any_taken = 1;
		} else if (v < 0) {
			c->cur_active = c->unknown = 1;
			c->group = lx->next_group++;
			pp_token(lx, T_PP_IF, at, c->group, 0);
		}
		return;
	}
	if (!*depth)
		return;		/* stray #else/#endif: ignore */
	c = &(*st)[*depth - 1];
	if (!strcmp(name, "endif")) {
		if (c->parent_active && c->unknown)
			pp_token(lx, T_PP_ENDIF, at, c->group, c->any_taken);
		(*depth)--;
		return;
	}
	/* #elif or #else */
	if (!c->parent_active)
		return;
	if (c->any_taken) {
		c->cur_active = 0;
		return;
	}
	if (v == 0) {
		c->cur_active = 0;
		return;
	}
	c->cur_active = 1;
	if (v == 1)
		c->any_taken = 1;
	if (c->unknown) {
		pp_token(lx, T_PP_ELSE, at, c->group, 0);
	} else if (v < 0) {
		c->unknown = 1;
		c->group = lx->next_group++;
		pp_token(lx, T_PP_IF, at, c->group, 0);
	}
}

static int lookup_define(const struct config *cfg, const struct token *t)
{
	int i;

	for (i = cfg->ndefs - 1; i >= 0; i--)
		if ((int)strlen(cfg->defs[i].name) == t->len &&
		    !memcmp(cfg->defs[i].name, t->s, t->len))
			return i;
	return -1;
}

/* 1 defined, 0 known undefined, -1 unknown */
static int is_defined(const struct config *cfg, const struct token *t)
{
	int i = lookup_define(cfg, t);

	if (i >= 0)
		return cfg->defs[i].defined;
	if (cfg->configs_known && t->len > 7 && !memcmp(t->s, "CONFIG_", 7))
		return 0;
	return -1;
}

/* ---- #if expression evaluator: values are (known, value) ---- */
struct val {
	int known;
	long v;
};

struct ev {
	const struct token *t;
	int n, i;
	const struct config *cfg;
	int depth;
};

/* Deeper nesting ("#if ((((..." or "!!!!...") is unknown, not a stack
 * overflow. */
#define EV_MAXDEPTH 256

static struct val ev_cond(struct ev *e);

static int ev_is(struct ev *e, const char *s)
{
	return e->i < e->n && tok_is(&e->t[e->i], s);
}

static struct val known(long v)
{
	struct val r = { 1, v };
	return r;
}

static struct val unknown(void)
{
	struct val r = { 0, 0 };
	return r;
}

static struct val ev_enabled(struct ev *e, const struct token *name)
{
	char buf[128];		/* NAME_MODULE, for =m options */
	struct token t = *name;
	int a = is_defined(e->cfg, name), b;

	if (name->len + 7 >= (int)sizeof(buf))
		return unknown();
	memcpy(buf, name->s, name->len);
	memcpy(buf + name->len, "_MODULE", 8);
	t.s = buf;
	t.len = name->len + 7;
	b = is_defined(e->cfg, &t);
	if (a == 1 || b == 1)
		return known(1);
	if (a == 0 && b == 0)
		return known(0);
	return unknown();
}

static struct val ev_primary(struct ev *e);

static int ev_enter(struct ev *e)
{
	if (e->depth >= EV_MAXDEPTH) {
		e->i = e->n;	/* the whole condition is unknown */
		return 0;
	}
	e->depth++;
	return 1;
}

static struct val ev_primary1(struct ev *e)
{
	const struct token *t;

	if (e->i >= e->n)
		return unknown();
	t = &e->t[e->i++];
	if (tok_is(t, "(")) {
		struct val v = ev_cond(e);

		if (ev_is(e, ")"))
			e->i++;
		return v;
	}
	if (tok_is(t, "!")) {
		struct val v = ev_primary(e);

		return v.known ? known(!v.v) : v;
	}
	if (tok_is(t, "-")) {
		struct val v = ev_primary(e);

		return v.known ? known((long)(0UL - (unsigned long)v.v)) : v;
	}
	if (t->kind == T_NUM)
		return known((long)strtoul(t->s, NULL, 0));
	if (t->kind != T_IDENT)
		return unknown();
	if (tok_is(t, "defined")) {
		int paren = ev_is(e, "(");
		int d;

		if (paren)
			e->i++;
		if (e->i >= e->n)
			return unknown();
		d = is_defined(e->cfg, &e->t[e->i++]);
		if (paren && ev_is(e, ")"))
			e->i++;
		return d < 0 ? unknown() : known(d);
	}
	if ((tok_is(t, "IS_ENABLED") || tok_is(t, "IS_REACHABLE") || tok_is(t, "IS_BUILTIN")) &&
	    ev_is(e, "(") && e->i + 2 < e->n) {
		const struct token *name = &e->t[e->i + 1];
		struct val v = tok_is(t, "IS_BUILTIN") ?
			(is_defined(e->cfg, name) < 0 ? unknown() : known(is_defined(e->cfg, name)))
			: ev_enabled(e, name);

		e->i += 3;
		return v;
	}
	{
		int i = lookup_define(e->cfg, t);

		if (i >= 0)
			return known(e->cfg->defs[i].defined ? e->cfg->defs[i].value : 0);
		if (is_defined(e->cfg, t) == 0)
			return known(0);
	}
	/* an unknown macro, maybe function-like: skip its arguments */
	if (ev_is(e, "(")) {
		int depth = 0;

		do {
			if (ev_is(e, "("))
				depth++;
			else if (ev_is(e, ")"))
				depth--;
			e->i++;
		} while (e->i < e->n && depth > 0);
	}
	return unknown();
}

static struct val ev_primary(struct ev *e)
{
	struct val v;

	if (!ev_enter(e))
		return unknown();
	v = ev_primary1(e);
	e->depth--;
	return v;
}

static int binop_prec(const struct token *t)
{
	static const char *const ops[] = { "||", "&&", "|", "^", "&", "==", "!=",
		"<", ">", "<=", ">=", "<<", ">>", "+", "-", "*", "/", "%", NULL };
	static const int prec[] = { 1, 2, 3, 4, 5, 6, 6, 7, 7, 7, 7, 8, 8, 9, 9, 10, 10, 10 };
	int i = tok_index(t, ops);

	return i < 0 ? 0 : prec[i];
}

static struct val apply(const struct token *op, struct val a, struct val b)
{
	long x = a.v, y = b.v;

	if (tok_is(op, "&&")) {
		if ((a.known && !x) || (b.known && !y))
			return known(0);
		return a.known && b.known ? known(1) : unknown();
	}
	if (tok_is(op, "||")) {
		if ((a.known && x) || (b.known && y))
			return known(1);
		return a.known && b.known ? known(0) : unknown();
	}
	if (!a.known || !b.known)
		return unknown();
	switch (op->s[0]) {
	case '|': return known(x | y);
	case '^': return known(x ^ y);
	case '&': return known(x & y);
	case '+': return known((long)((unsigned long)x + (unsigned long)y));
	case '-': return known((long)((unsigned long)x - (unsigned long)y));
	case '*': return known((long)((unsigned long)x * (unsigned long)y));
	case '/': return y && y != -1 ? known(x / y) : unknown();
	case '%': return y && y != -1 ? known(x % y) : unknown();
	case '=': return known(x == y);
	case '!': return known(x != y);
	case '<':
		if (op->len == 2)
			return op->s[1] == '<' ? known(y >= 0 && y < 63 ? (long)((unsigned long)x << y) : 0) : known(x <= y);
		return known(x < y);
	case '>':
		if (op->len == 2)
			return op->s[1] == '>' ? known(y >= 0 && y < 63 ? x >> y : 0) : known(x >= y);
		return known(x > y);
	}
	return unknown();
}

static struct val ev_binary(struct ev *e, int min)
{
	struct val a = ev_primary(e);

	while (e->i < e->n) {
		const struct token *op = &e->t[e->i];
		int p = binop_prec(op);

		if (!p || p < min)
			break;
		e->i++;
		a = apply(op, a, ev_binary(e, p + 1));
	}
	return a;
}

static struct val ev_cond1(struct ev *e)
{
	struct val c = ev_binary(e, 1);

	if (ev_is(e, "?")) {
		struct val a, b;

		e->i++;
		a = ev_cond(e);
		if (ev_is(e, ":"))
			e->i++;
		b = ev_cond(e);
		if (!c.known)
			return a.known && b.known && a.v == b.v ? a : unknown();
		return c.v ? a : b;
	}
	return c;
}

static struct val ev_cond(struct ev *e)
{
	struct val v;

	if (!ev_enter(e))
		return unknown();
	v = ev_cond1(e);
	e->depth--;
	return v;
}

/* Evaluate a preprocessor condition: 1 true, 0 false, -1 unknown. */
int pp_eval(const struct token *t, int n, const struct config *cfg)
{
	struct ev e = { t, n, 0, cfg, 0 };
	struct val v = ev_cond(&e);

	if (!v.known || e.i != n)
		return -1;
	return v.v != 0;
}

/* A macro body is not a code path, but a legacy call in it is still a
 * legacy call: keep (macro name, call) pairs for the driver. */
static void macro_calls(struct lexer *lx, const struct tokens *d)
{
	struct tokens *o = lx->out;
	int k, op, legacy;

	for (k = 1; k + 1 < d->n; k++) {
		if (d->t[k].kind != T_IDENT || !tok_is(&d->t[k + 1], "(") ||
		    !is_api_name(d->t[k].s, d->t[k].len, &op, &legacy) || !legacy)
			continue;
		o->mcalls = xrealloc(o->mcalls, (o->nmcalls + 2) * sizeof(*o->mcalls));
		o->mcalls[o->nmcalls++] = d->t[0];
		o->mcalls[o->nmcalls++] = d->t[k];
	}
}

static const char *directive(struct lexer *lx, const char *p, struct cond **st,
			     int *depth, int *alloc)
{
	const char *hash = p, *q;
	struct tokens tmp = { 0 };
	char name[16];
	int kind, v = 1, len;

	p = skip_space(lx, p + 1, 1);
	q = p < lx->end && is_ident((unsigned char)*p) ? one_token(lx, p, &kind) : p;
	len = (int)(q - p);
	if (len <= 0 || len >= (int)sizeof(name))
		len = 0;
	memcpy(name, p, len);
	name[len] = 0;
	p = directive_tokens(lx, q, &tmp);
	lx->cond = &tmp;
	lx->ppkind = !strcmp(name, "ifdef") ? PP_IFDEF : !strcmp(name, "ifndef") ? PP_IFNDEF : PP_IF;
	if (!strcmp(name, "ifdef") || !strcmp(name, "ifndef")) {
		v = tmp.n ? is_defined(lx->cfg, &tmp.t[0]) : -1;
		if (v >= 0 && name[2] == 'n')
			v = !v;
		conditional(lx, st, depth, alloc, "if", v, hash);
	} else if (!strcmp(name, "if") || !strcmp(name, "elif")) {
		v = pp_eval(tmp.t, tmp.n, lx->cfg);
		conditional(lx, st, depth, alloc, name, v, hash);
	} else if (!strcmp(name, "else") || !strcmp(name, "endif")) {
		conditional(lx, st, depth, alloc, name, 1, hash);
	} else if (!strcmp(name, "define") && cond_active(*st, *depth)) {
		macro_calls(lx, &tmp);
	}
	lx->cond = NULL;
	free(tmp.t);
	return p;
}

int lex(const char *buf, size_t len, const struct config *cfg, struct tokens *out,
	struct lex_issue *issue)
{
	struct lexer lx = { buf, buf + len, buf, 1, cfg, out, 0, issue, NULL, NULL, 0 };
	struct cond *st = NULL;
	int depth = 0, alloc = 0, kind, bol = 1;
	const char *p = buf;

	for (;;) {
		const char *q, *before = p, *line_start;
		int line = lx.line;

		p = skip_space(&lx, p, 0);
		if (lx.line != line || before == buf)
			bol = 1;
		if (p >= lx.end)
			break;
		if (*p == '#' && bol) {
			p = directive(&lx, p, &st, &depth, &alloc);
			continue;
		}
		bol = 0;
		lx.open_literal = NULL;
		line = lx.line;
		line_start = lx.line_start;
		q = one_token(&lx, p, &kind);
		if (cond_active(st, depth)) {
			push(&lx, kind, p, (int)(q - p));
			/* in code only: "#error don't" is not C */
			if (lx.open_literal)
				set_issue(&lx, line, (int)(lx.open_literal - line_start) + 1,
					  kind == T_STR ?
					  "unterminated string literal (it ends at the end of its line)" :
					  "unterminated character constant (it ends at the end of its line)");
		}
		p = q;
	}
	push(&lx, T_EOF, lx.end, 0);
	free(st);
	return 0;
}
