#include "io/mapped.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"

/* Mappings open at once (one per source being read; -j is at most
 * CORR_MAX_THREADS): a source past them reads with read(). */
#define IO_MAP_SLOTS 64

/* [lo, hi) of a registered mapping, lo 0 when the slot is free; the handler
 * reads them with no lock, as a signal handler must. */
struct guard {
	_Atomic uintptr_t lo, hi;
	atomic_bool damaged;
	atomic_bool taken;
};

static struct guard guards[IO_MAP_SLOTS];
static struct sigaction previous;
static size_t page_size;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;
	for (unsigned i = 0; si->si_code > 0 && i < IO_MAP_SLOTS; i++) {
		uintptr_t lo = atomic_load(&guards[i].lo),
			  hi = atomic_load(&guards[i].hi);
		if (!lo || a < lo || a >= hi)
			continue;
		/* the file ends before this page now: zeros from here to the
		 * end of the mapping, so that the faulting load (retried on
		 * return) and every later one succeed */
		uintptr_t p = a & ~(uintptr_t)(page_size - 1);
		if (mmap((void *)p, hi - p, PROT_READ,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		atomic_store(&guards[i].damaged, true);
		return;
	}
	/* not one of ours: what would have happened without this handler */
	if (previous.sa_flags & SA_SIGINFO) {
		previous.sa_sigaction(sig, si, ctx);
		return;
	}
	if (previous.sa_handler != SIG_DFL && previous.sa_handler != SIG_IGN) {
		previous.sa_handler(sig);
		return;
	}
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGBUS, &dfl, NULL);
	raise(sig); /* delivered on return, with the default action */
}

/* Installs the handler, or again when another took its place since (a test
 * harness does, per test): true when it is in place. */
static bool install(void)
{
	static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&mu);
	if (!page_size) {
		long ps = sysconf(_SC_PAGESIZE);
		page_size = ps > 0 ? (size_t)ps : 4096;
	}
	struct sigaction cur;
	bool ok = sigaction(SIGBUS, NULL, &cur) == 0;
	if (ok && !((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigbus)) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigbus;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		previous = cur;
		ok = sigaction(SIGBUS, &sa, NULL) == 0;
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

int io_map_open(int fd, uint64_t size, struct io_map *m)
{
	m->data = NULL;
	m->len = 0;
	m->slot = -1;
	if (size == 0 || size > (uint64_t)SIZE_MAX / 2)
		return SD_ERANGE;
	if (!install())
		return SD_EIO;
	int slot = -1;
	for (int i = 0; i < IO_MAP_SLOTS && slot < 0; i++)
		if (!atomic_exchange(&guards[i].taken, true))
			slot = i;
	if (slot < 0)
		return SD_ELIMIT;
	void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		atomic_store(&guards[slot].taken, false);
		return SD_EIO;
	}
	/* read once, front to back: the kernel reads ahead and maps 16
	 * cached pages per fault; the first IO_MAP_AHEAD bytes are asked for
	 * now, the rest as the reader goes (io_map_ahead), so a file larger
	 * than memory is not read into the page cache all at once */
	madvise(p, (size_t)size, MADV_SEQUENTIAL);
	madvise(p, size < IO_MAP_AHEAD ? (size_t)size : IO_MAP_AHEAD, MADV_WILLNEED);
	struct guard *g = &guards[slot];
	size_t span = ((size_t)size + page_size - 1) & ~(page_size - 1);
	atomic_store(&g->damaged, false);
	atomic_store(&g->hi, (uintptr_t)p + span);
	atomic_store(&g->lo, (uintptr_t)p);
	m->data = p;
	m->len = (size_t)size;
	m->slot = slot;
	return 0;
}

void io_map_close(struct io_map *m)
{
	if (m->slot < 0)
		return;
	struct guard *g = &guards[m->slot];
	atomic_store(&g->lo, 0);
	munmap((void *)m->data, m->len);
	atomic_store(&g->taken, false);
	m->data = NULL;
	m->len = 0;
	m->slot = -1;
}

bool io_map_damaged(const struct io_map *m)
{
	return m->slot >= 0 &&
	       atomic_load_explicit(&guards[m->slot].damaged, memory_order_relaxed);
}

void io_map_ahead(struct io_map *m, size_t from, size_t upto)
{
	from += IO_MAP_AHEAD;
	upto += IO_MAP_AHEAD;
	if (upto > m->len)
		upto = m->len;
	size_t a = from & ~(page_size - 1);
	if (m->slot >= 0 && a < upto)
		madvise((void *)(m->data + a), upto - a, MADV_WILLNEED);
}

void io_map_release(struct io_map *m, size_t from, size_t upto)
{
	size_t a = (from + page_size - 1) & ~(page_size - 1);
	size_t b = upto & ~(page_size - 1);
	if (m->slot >= 0 && a < b)
		madvise((void *)(m->data + a), b - a, MADV_DONTNEED);
}
