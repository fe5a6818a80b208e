#include "server/reload.h"

#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>

void srv_ref_init(struct srv_ref *r, void (*destroy)(struct srv_ref *))
{
	atomic_init(&r->refs, 1);
	r->destroy = destroy;
}

void srv_ref_put(struct srv_ref *r)
{
	if (r && atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1)
		r->destroy(r);
}

void srv_ref_hold(struct srv_ref *r)
{
	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
}

void srv_slot_init(struct srv_slot *s, struct srv_ref *r)
{
	pthread_mutex_init(&s->mu, NULL);
	s->cur = r;
}

struct srv_ref *srv_slot_get(struct srv_slot *s)
{
	pthread_mutex_lock(&s->mu);
	struct srv_ref *r = s->cur;
	if (r)
		atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	pthread_mutex_unlock(&s->mu);
	return r;
}

void srv_slot_swap(struct srv_slot *s, struct srv_ref *r)
{
	pthread_mutex_lock(&s->mu);
	struct srv_ref *old = s->cur;
	s->cur = r;
	pthread_mutex_unlock(&s->mu);
	srv_ref_put(old);
}

void srv_slot_destroy(struct srv_slot *s)
{
	srv_ref_put(s->cur);
	s->cur = NULL;
	pthread_mutex_destroy(&s->mu);
}

void srv_file_id(const char *path, struct srv_file_id *out)
{
	struct stat st;
	*out = (struct srv_file_id){0};
	if (!path)
		return;
	if (stat(path, &st) != 0) {
		out->error = errno;
		return;
	}
	out->present = true;
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	out->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
	out->size = st.st_size;
}

bool srv_file_id_same(const struct srv_file_id *a, const struct srv_file_id *b)
{
	return a->present == b->present && a->dev == b->dev && a->ino == b->ino &&
	       a->mtime_ns == b->mtime_ns && a->size == b->size;
}
