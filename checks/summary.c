/*
 * Interprocedural summaries: a function that, on every path, closes
 * sections its caller opened (a callback) and/or returns with sections of
 * its own still open (a wrapper) gets its effect recorded by name; calls of
 * it are then replayed as those closes and opens at the call site.
 * Summaries live for the whole run (they cover the whole input set); one
 * name seen with two different effects is ambiguous and gets none.
 */
#include <stdlib.h>
#include <string.h>
#include "lazy.h"

struct summary {
	char *name;
	char *where;		/* file:line of the definition */
	char *file;		/* static functions: only calls in this file */
	struct effect e;
	int ambiguous;
	/* where its effect happens (the first open or close), for notes */
	char *ofile, *ovia;
	int oline, ocol;
};

struct summaries {
	struct summary *s;
	int n, alloc;
	int generation;		/* bumped whenever a summary changes */
};

struct summaries *summaries_new(void)
{
	struct summaries *s = xmalloc(sizeof(*s));

	memset(s, 0, sizeof(*s));
	return s;
}

void summaries_free(struct summaries *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->s[i].name);
		free(s->s[i].where);
		free(s->s[i].file);
		free(s->s[i].ofile);
		free(s->s[i].ovia);
	}
	free(s->s);
	free(s);
}

/* The summary for a call of 'name' from a function in 'path'. */
int summary_lookup(const struct summaries *s, const char *name, int len, const char *path)
{
	int i, global = -1;

	for (i = 0; i < s->n; i++) {
		const struct summary *x = &s->s[i];

		if (x->ambiguous || (int)strlen(x->name) != len || memcmp(x->name, name, len))
			continue;
		if (!x->file && global < 0)
			global = i;
		else if (x->file && !strcmp(x->file, path))
			return i;	/* this file's own static function */
	}
	return global;
}

/* Does a file need a look because it may call this summary?  A static
 * function's callers are in its own file, which is looked at anyway. */
int summary_global(const struct summaries *s, int idx)
{
	return !s->s[idx].file && !s->s[idx].ambiguous;
}

const struct effect *summary_effect(const struct summaries *s, int idx)
{
	return &s->s[idx].e;
}

const char *summary_where(const struct summaries *s, int idx)
{
	return s->s[idx].where;
}

const char *summary_name(const struct summaries *s, int idx)
{
	return s->s[idx].name;
}

int summary_count(const struct summaries *s)
{
	return s->n;
}

int summary_generation(const struct summaries *s)
{
	return s->generation;
}

int effect_equal(const struct effect *a, const struct effect *b)
{
	return a->nunder == b->nunder && a->nopen == b->nopen &&
	       !memcmp(a->under, b->under, a->nunder) &&
	       !memcmp(a->open, b->open, a->nopen) &&
	       !memcmp(a->count, b->count, a->nopen);
}

int effect_empty(const struct effect *e)
{
	return !e->nunder && !e->nopen;
}

/*
 * Record the effect of 'name' (an empty effect removes a summary).  The
 * same name defined twice with different effects (static functions in two
 * files) becomes ambiguous.  Returns 1 when the table changed.
 */
int summary_update(struct summaries *s, const char *name, const struct effect *e,
		   const char *where, const char *file)
{
	struct summary *x;
	int i;

	for (i = 0; i < s->n; i++) {
		x = &s->s[i];
		if (strcmp(x->name, name))
			continue;
		/* two static functions of one name in two files are unrelated */
		if ((x->file || file) && (!x->file || !file || strcmp(x->file, file)))
			continue;
		if (x->ambiguous || effect_equal(&x->e, e))
			return 0;
		if (strcmp(x->where, where)) {
			x->ambiguous = 1;
		} else {
			x->e = *e;
		}
		s->generation++;
		return 1;
	}
	if (effect_empty(e))
		return 0;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 16;
		s->s = xrealloc(s->s, s->alloc * sizeof(*s->s));
	}
	x = &s->s[s->n++];
	x->name = xstrdup(name);
	x->where = xstrdup(where);
	x->file = file ? xstrdup(file) : NULL;
	x->e = *e;
	x->ambiguous = 0;
	x->ofile = x->ovia = NULL;
	x->oline = x->ocol = 0;
	s->generation++;
	return 1;
}

/* Where the summary's effect happens: its first open (or first close of
 * the caller's section), and the callee that did it (NULL: itself). */
void summary_set_place(struct summaries *s, int idx, const char *file, int line, int col,
		       const char *via)
{
	struct summary *x = &s->s[idx];

	free(x->ofile);
	free(x->ovia);
	x->ofile = xstrdup(file);
	x->ovia = via ? xstrdup(via) : NULL;
	x->oline = line;
	x->ocol = col;
}

const char *summary_place(const struct summaries *s, int idx, int *line, int *col,
			  const char **via)
{
	const struct summary *x = &s->s[idx];

	*line = x->oline;
	*col = x->ocol;
	*via = x->ovia;
	return x->ofile;
}

int summary_ambiguous(const struct summaries *s, int idx)
{
	return s->s[idx].ambiguous;
}

int summary_static(const struct summaries *s, int idx)
{
	return s->s[idx].file != NULL;
}
