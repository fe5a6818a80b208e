/* POST /api/v1/check: many queries in one request, for token holders.
 * The token is checked from the header before a byte of body is read
 * (srv_bulk_admit). Each entry is charged to the token's bucket by the
 * number of entries its answer lists (at least 1), an answer listing more
 * than SRV_MAX_ANSWER_ENTRIES in all is refused (answer_too_large), and
 * the answer is streamed one result at a time, so its memory does not
 * grow with its size. */
#ifndef SD_SERVER_BULK_H
#define SD_SERVER_BULK_H

#include <stdbool.h>

#include "server/call.h"

/* From the header alone: true when the body may be read (a known token
 * with rate left and an announced body within SRV_MAX_BODY); otherwise
 * the refusal is written and charged to the caller. */
bool srv_bulk_admit(struct srv_call *c);
void srv_bulk(struct srv_call *c);

#endif
