/* Delivering a composed message through libcurl's SMTP client. TLS:
 * smtps:// is TLS from the start. On smtp:// the session is upgraded with
 * STARTTLS whenever the server offers it; it is required (no byte of the
 * message, and no credential, goes out in the clear) with starttls, and
 * whenever credentials are given unless plaintext_auth opts out (a local
 * relay, tests). Credentials never come from the command line: a netrc
 * file (--netrc FILE) or the environment variables SIGHTED_SMTP_USER and
 * SIGHTED_SMTP_PASSWORD. The server's certificate and host name are always
 * verified: against the system CA bundle, or only against the CA
 * certificates of cacert (a private relay with an internal CA). */
#ifndef SD_OWNERS_SMTP_H
#define SD_OWNERS_SMTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "owners/registry.h"

#define OWNERS_SMTP_MAX_BACKOFF 300 /* seconds between two attempts, at most */

struct owners_smtp_opts {
	const char *url;     /* smtp://host[:port] or smtps://host[:port] */
	const char *from;    /* envelope sender */
	const char *netrc;   /* NULL: environment or no authentication */
	const char *cacert;  /* PEM CA certificates; NULL: the system's */
	bool starttls;	     /* require TLS */
	bool plaintext_auth; /* credentials may go out without TLS */
	long timeout;	     /* seconds for one attempt */
	bool verbose;	     /* curl's protocol trace on stderr */
};

struct owners_smtp;

/* Refuses a URL that carries credentials or names another protocol, and
 * starttls with plaintext_auth. */
int owners_smtp_new(const struct owners_smtp_opts *o, struct owners_smtp **out,
		    struct sd_error *err);
void owners_smtp_free(struct owners_smtp *s);
enum owners_smtp_failure {
	OWNERS_SMTP_TRANSIENT, /* worth retrying */
	OWNERS_SMTP_PERMANENT, /* the server refused for good (a 5xx reply) */
	OWNERS_SMTP_NO_TLS,    /* TLS is required and the server has none:
				* no message can be sent */
	OWNERS_SMTP_UNTRUSTED, /* the server's certificate did not verify:
				* no message can be sent */
};

/* One attempt; on failure *why says whether another could succeed. */
int owners_smtp_send(struct owners_smtp *s, const struct owner *to, const char *msg,
		     size_t len, enum owners_smtp_failure *why, struct sd_error *err);

#endif
