// SPDX-License-Identifier: GPL-2.0
/* Wrapper and callback built on c_batch.c's. */

void walk_begin(struct walk *w)
{
	w->pos = 0;
	batch_begin(&w->batch);
}

void walk_end(struct walk *w)
{
	batch_end(&w->batch);
	w->pos = -1;
}
