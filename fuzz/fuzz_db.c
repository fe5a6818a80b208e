/* Covers src/db/reader.c, query.c and inputs.c (the INPUTS section is
 * validated on open). Snapshot reader on arbitrary bytes: db_open_buffer either refuses the
 * image or every query on it stays in bounds. The checksum would reject
 * almost every mutation, so the harness recomputes it first when the first
 * byte is odd: that sends the fuzzer's mutations into the structural
 * checks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "db/format.h"
#include "fuzz_db_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(const struct db_entry *e, void *p)
{
	const struct db *db = p;
	for (uint32_t i = 0; i < e->nsightings; i++) {
		struct db_sighting s;
		struct db_campaign c;
		db_entry_sighting(db, e, i, &s);
		if (db_campaign_get(db, s.campaign, &c) == 0 && strlen(c.name) > 1u << 20)
			abort();
		for (uint32_t k = 0; k < db_sourceset_size(db, s.sources); k++)
			(void)strlen(db_sourceset_item(db, s.sources, k));
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t n;
	unsigned char *buf = fuzz_db_image(data, size, &n);
	if (!buf)
		return 0;
	struct db *db;
	struct sd_error err = {0};
	if (db_open_buffer(buf, n, &db, &err) == 0) {
		static const char *const q[] = {"192.0.2.7", "::/0", "0.0.0.0/0",
						"2001:db8::1", "10.0.0.0/8"};
		for (size_t i = 0; i < 5; i++) {
			struct net_prefix p;
			struct db_entry e[129];
			net_prefix_parse(q[i], strlen(q[i]), &p, 0, NULL);
			size_t k = db_cover(db, &p, e, 129);
			for (size_t j = 0; j < k && j < 129; j++)
				visit(&e[j], db);
			db_range(db, &p, visit, db, NULL);
		}
		db_foreach(db, visit, db);
		db_close(db);
	} else if (err.msg[0] == '\0') {
		abort(); /* a refusal always says why */
	}
	free(buf);
	return 0;
}
