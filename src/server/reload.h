/* Read-mostly state swapped while requests run: the snapshot and the token
 * table. A reader takes a reference for the length of one request; a swap
 * publishes the new object and drops the slot's reference to the old one,
 * which is destroyed when the last request using it finishes. So requests
 * in flight always finish on the object they started with. */
#ifndef SD_SERVER_RELOAD_H
#define SD_SERVER_RELOAD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct srv_ref {
	atomic_uint refs;
	void (*destroy)(struct srv_ref *r);
};

/* The mutex only covers "load the pointer and take a reference", a few
 * instructions; it makes a reader's increment impossible to race with the
 * final decrement of a swapped-out object (the classic refcount-swap
 * hazard) without an RCU library. */
struct srv_slot {
	pthread_mutex_t mu;
	struct srv_ref *cur;
};

void srv_ref_init(struct srv_ref *r, void (*destroy)(struct srv_ref *));
void srv_ref_put(struct srv_ref *r);
/* One more reference to an object the caller already holds. */
void srv_ref_hold(struct srv_ref *r);

void srv_slot_init(struct srv_slot *s, struct srv_ref *r);
/* A new reference to the current object (NULL if none); release it with
 * srv_ref_put. */
struct srv_ref *srv_slot_get(struct srv_slot *s);
/* Publishes r (the slot takes over the caller's reference). */
void srv_slot_swap(struct srv_slot *s, struct srv_ref *r);
void srv_slot_destroy(struct srv_slot *s);

/* Identity of a file as replaced by `mv new old` or rewritten in place. */
struct srv_file_id {
	dev_t dev;
	ino_t ino;
	int64_t mtime_ns;
	int64_t size;
	bool present;
	int error; /* errno of a failed stat, 0 if present */
};
void srv_file_id(const char *path, struct srv_file_id *out);
bool srv_file_id_same(const struct srv_file_id *a, const struct srv_file_id *b);

#endif
