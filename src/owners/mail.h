/* One notification message for one owner, composed as RFC 5322 + MIME
 * bytes: a short plain-text summary and the owner's CSV as an attachment.
 * Composed here rather than by curl_mime so that the bytes sent and the
 * bytes of `notify --dry-run` are the same, and deterministic: the
 * boundary and Message-ID derive from the report's digest, the Date from
 * the caller. Lines end in CRLF. */
#ifndef SD_OWNERS_MAIL_H
#define SD_OWNERS_MAIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "owners/group.h"

#define OWNERS_DIGEST_STRLEN 65 /* SHA-256 in hex + NUL */

struct owners_mail {
	const char *from;
	const struct owner *owner;
	const struct db *snap, *since;
	const struct owners_hit *hits; /* the owner's */
	size_t nhits;
	uint64_t addresses;
	const char *csv; /* the attachment: owners_rows_write CSV */
	size_t csv_len;
	time_t date;
};

/* SHA-256 of the attachment, the identity of a report in the state file. */
void owners_mail_digest(const char *csv, size_t len, char out[OWNERS_DIGEST_STRLEN]);
/* The whole message; *out is malloc'ed. Returns 0 or SD_ENOMEM. */
int owners_mail_compose(const struct owners_mail *m, char **out, size_t *len);

#endif
