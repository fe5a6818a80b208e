#include "db/inputs.h"

#include <stdlib.h>
#include <string.h>

int db_input_cmp(const struct db_input *a, const struct db_input *b)
{
	const struct io_ident *x = &a->id, *y = &b->id;
	int c = io_hash128_cmp(&x->head, &y->head);
	if (c)
		return c;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if ((c = io_hash128_cmp(&x->content, &y->content)))
		return c;
	return strcmp(a->label, b->label);
}

static int cmp_input(const void *a, const void *b)
{
	return db_input_cmp(a, b);
}

/* Same file and label: candidates for joining. */
static int cmp_file_label(const void *pa, const void *pb)
{
	const struct db_input *a = pa, *b = pb;
	int c = io_hash128_cmp(&a->id.head, &b->id.head);
	if (c)
		return c;
	if (a->id.size != b->id.size)
		return a->id.size < b->id.size ? -1 : 1;
	if ((c = strcmp(a->label, b->label)))
		return c;
	return cmp_input(pa, pb);
}

size_t db_inputs_canonical(struct db_input *in, size_t n)
{
	if (n < 2)
		return n;
	qsort(in, n, sizeof(*in), cmp_file_label);
	/* exact repeats are adjacent in this order: keep one */
	size_t u = 1;
	for (size_t i = 1; i < n; i++)
		if (db_input_cmp(&in[u - 1], &in[i]))
			in[u++] = in[i];
	size_t k = 0;
	for (size_t i = 0; i < u; i++) {
		struct db_input *last = k ? &in[k - 1] : NULL;
		if (last && last->id.size == in[i].id.size &&
		    !io_hash128_cmp(&last->id.head, &in[i].id.head) &&
		    !strcmp(last->label, in[i].label) && last->id.end == in[i].id.start) {
			last->id.end = in[i].id.end;
			io_hash128_add(&last->id.content, &in[i].id.content);
			continue;
		}
		in[k++] = in[i];
	}
	qsort(in, k, sizeof(*in), cmp_input);
	return k;
}

bool db_inputs_overlap(const struct io_ident *a, const struct io_ident *b)
{
	if (a->size != b->size || io_hash128_cmp(&a->head, &b->head))
		return false;
	if (a->start == b->start && a->end == b->end)
		return !io_hash128_cmp(&a->content, &b->content);
	/* an empty range shares nothing */
	if (a->start == a->end || b->start == b->end)
		return false;
	return a->start < b->end && b->start < a->end;
}
