/* Delivering a composed message through libcurl's SMTP client. TLS:
 * smtps:// is TLS from the start; with starttls the session is upgraded
 * and fails if the server cannot. Credentials never come from the command
 * line: a netrc file (--netrc FILE) or the environment variables
 * SIGHTED_SMTP_USER and SIGHTED_SMTP_PASSWORD. */
#ifndef SD_OWNERS_SMTP_H
#define SD_OWNERS_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "owners/registry.h"

#define OWNERS_SMTP_MAX_BACKOFF 300 /* seconds between two attempts, at most */

struct owners_smtp_opts {
	const char *url;   /* smtp://host[:port] or smtps://host[:port] */
	const char *from;  /* envelope sender */
	const char *netrc; /* NULL: environment or no authentication */
	bool starttls;
	long timeout; /* seconds for one attempt */
	bool verbose; /* curl's protocol trace on stderr */
};

struct owners_smtp;

/* Refuses a URL that carries credentials or names another protocol. */
int owners_smtp_new(const struct owners_smtp_opts *o, struct owners_smtp **out,
		    struct sd_error *err);
void owners_smtp_free(struct owners_smtp *s);
/* One attempt. *permanent is set when the server refused for good (a
 * 5xx reply): retrying would not help. */
int owners_smtp_send(struct owners_smtp *s, const struct owner *to, const char *msg,
		     size_t len, bool *permanent, struct sd_error *err);

#endif
