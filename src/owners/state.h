/* What `notify` has sent: one record per delivered report, `owner TAB
 * sha256-of-the-CSV TAB snapshot-content-id`. A record is appended and
 * fsynced as soon as the server accepted the message, so a run that is
 * killed loses at most the message in flight; at the end the file is
 * rewritten sorted and deduplicated (atomically). A report already
 * recorded for an owner is never sent again. The file is locked while a
 * run uses it. Format in docs/owners.md. */
#ifndef SD_OWNERS_STATE_H
#define SD_OWNERS_STATE_H

#include <stdbool.h>

#include "core/error.h"

struct owners_state;

/* A missing file is an empty state. A malformed record is an error (the
 * file is not guessed at); a last line cut short by a crash is reported
 * and ignored. read_only (notify --dry-run) neither creates nor changes
 * the file. */
int owners_state_open(const char *path, bool read_only, struct owners_state **out,
		      struct sd_error *err);
bool owners_state_sent(const struct owners_state *s, const char *owner,
		       const char *digest);
int owners_state_record(struct owners_state *s, const char *owner, const char *digest,
			const char *content_id, struct sd_error *err);
/* Rewrites the file compacted and releases it; frees s. */
int owners_state_close(struct owners_state *s, struct sd_error *err);

#endif
