/* The inside of the snapshot builder, shared by builder.c (what is added)
 * and builder_write.c (sorting, assembling and writing the snapshot).
 * Not for use outside src/db/. */
#ifndef SD_DB_BUILDER_IMPL_H
#define SD_DB_BUILDER_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/intern.h"
#include "db/builder.h"
#include "io/ident.h"

struct item {
	uint64_t hi, lo;
	uint32_t first, last, count, set;
	uint16_t campaign;
	uint8_t plen, evidence, confidence;
};

struct campaign {
	uint32_t name, title, advisory, remediation; /* string ids */
	uint32_t window_start, window_end;
};

struct db_builder {
	struct sd_intern *strings;
	struct sd_intern *names; /* campaign name -> campaign id */
	struct sd_intern *sets;	 /* sorted string-id arrays */
	struct campaign *campaigns;
	size_t ncampaigns, cap_campaigns;
	struct item *items;
	size_t nitems, cap_items;
	struct binput {
		uint32_t label; /* string id */
		char *text;	/* the label, NUL-terminated */
		struct io_ident id;
	} * inputs;
	size_t ninputs, cap_inputs;
};

/* qsort_r comparison of two string ids (ctx: the builder's strings) by
 * their bytes: the content order every written table follows. */
int db_builder_cmp_string(const void *a, const void *b, void *ctx);

#endif
