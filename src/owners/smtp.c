/* SMTP through libcurl. One easy handle for the whole run: curl keeps the
 * connection open between messages. */
#include "owners/smtp.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

struct owners_smtp {
	struct owners_smtp_opts o;
	CURL *curl;
	bool tls; /* smtps:// */
	long ssl; /* CURLOPT_USE_SSL for smtp:// */
	char *user, *password;
	bool fresh; /* the last transfer failed: do not reuse its connection */
};

struct upload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct upload *u = ctx;
	size_t n = size * nitems < u->left ? size * nitems : u->left;
	memcpy(buf, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

int owners_smtp_new(const struct owners_smtp_opts *o, struct owners_smtp **out,
		    struct sd_error *err)
{
	*out = NULL;
	bool tls = !strncasecmp(o->url, "smtps://", 8);
	if (!tls && strncasecmp(o->url, "smtp://", 7))
		return sd_error_set(
		    err, SD_EUSAGE,
		    "--smtp wants smtp://HOST[:PORT] or smtps://HOST[:PORT]");
	const char *auth = o->url + (tls ? 8 : 7);
	size_t alen = strcspn(auth, "/?#");
	if (memchr(auth, '@', alen))
		return sd_error_set(
		    err, SD_EUSAGE,
		    "--smtp: credentials do not go on the command line; use "
		    "--netrc FILE or SIGHTED_SMTP_USER/SIGHTED_SMTP_PASSWORD");
	if (o->starttls && o->plaintext_auth)
		return sd_error_set(err, SD_EUSAGE,
				    "--starttls (require TLS) and --smtp-plaintext "
				    "exclude each other");
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return sd_error_set(err, SD_ENOMEM, "libcurl initialisation failed");
	struct owners_smtp *s = calloc(1, sizeof(*s));
	if (!s || !(s->curl = curl_easy_init())) {
		free(s);
		return sd_error_set(err, SD_ENOMEM, "out of memory");
	}
	s->o = *o;
	const char *u = getenv("SIGHTED_SMTP_USER"), *p = getenv("SIGHTED_SMTP_PASSWORD");
	if (u && *u && !o->netrc) {
		s->user = strdup(u);
		s->password = strdup(p ? p : "");
		if (!s->user || !s->password) {
			owners_smtp_free(s);
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		}
	}
	s->tls = tls;
	/* upgrade whenever the server offers it; credentials, and a message
	 * that asked for it, never go out in the clear */
	bool creds = o->netrc || s->user;
	s->ssl = o->starttls || (creds && !o->plaintext_auth) ? (long)CURLUSESSL_ALL
							      : (long)CURLUSESSL_TRY;
	*out = s;
	return 0;
}

void owners_smtp_free(struct owners_smtp *s)
{
	if (!s)
		return;
	curl_easy_cleanup(s->curl);
	if (s->password)
		memset(s->password, 0, strlen(s->password));
	free(s->user);
	free(s->password);
	free(s);
	curl_global_cleanup();
}

int owners_smtp_send(struct owners_smtp *s, const struct owner *to, const char *msg,
		     size_t len, enum owners_smtp_failure *why, struct sd_error *err)
{
	*why = OWNERS_SMTP_TRANSIENT;
	CURL *c = s->curl;
	curl_easy_reset(c);
	struct curl_slist *rcpt = NULL;
	char addr[300];
	for (uint32_t i = 0; i < to->ncontacts; i++) {
		snprintf(addr, sizeof(addr), "<%s>", to->contacts[i]);
		struct curl_slist *n = curl_slist_append(rcpt, addr);
		if (!n) {
			curl_slist_free_all(rcpt);
			return sd_error_set(err, SD_ENOMEM, "out of memory");
		}
		rcpt = n;
	}
	char from[300];
	snprintf(from, sizeof(from), "<%s>", s->o.from);
	struct upload up = {msg, len};
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, s->o.url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, s->o.timeout > 0 ? s->o.timeout : 60L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
			 s->o.timeout > 0 ? s->o.timeout : 30L);
	curl_easy_setopt(c, CURLOPT_VERBOSE, s->o.verbose ? 1L : 0L);
	/* after a failure the session may be mid-transaction on the server's
	 * side (curl would reuse it and get "nested MAIL"): start over */
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, s->fresh ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_USE_SSL, s->tls ? (long)CURLUSESSL_ALL : s->ssl);
	/* never relaxed: a relay whose certificate does not verify would get
	 * the credentials and the reports */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (s->o.cacert) {
		/* only these CAs: the built-in directory of system CAs would
		 * still be searched otherwise */
		curl_easy_setopt(c, CURLOPT_CAINFO, s->o.cacert);
		curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
	}
	if (s->o.netrc) {
		curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_REQUIRED);
		curl_easy_setopt(c, CURLOPT_NETRC_FILE, s->o.netrc);
	} else if (s->user) {
		curl_easy_setopt(c, CURLOPT_USERNAME, s->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, s->password);
	}
	CURLcode rc = curl_easy_perform(c);
	curl_slist_free_all(rcpt);
	s->fresh = rc != CURLE_OK;
	if (rc == CURLE_OK)
		return 0;
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc == CURLE_USE_SSL_FAILED && !s->tls) {
		*why = OWNERS_SMTP_NO_TLS;
		return sd_error_set(
		    err, SD_EIO,
		    "%s: no TLS through STARTTLS (%s), and TLS is required %s: "
		    "nothing was sent; use smtps://, a server with STARTTLS, or "
		    "--smtp-plaintext for a local relay",
		    s->o.url, *errbuf ? errbuf : curl_easy_strerror(rc),
		    s->o.starttls ? "(--starttls)"
				  : "to send credentials (--netrc or SIGHTED_SMTP_USER)");
	}
	if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
		*why = OWNERS_SMTP_UNTRUSTED;
		return sd_error_set(
		    err, SD_EIO,
		    "%s: the server's TLS certificate %s (%s): nothing was sent; "
		    "give the CA that signed it with --smtp-cacert FILE",
		    s->o.url,
		    rc == CURLE_SSL_CACERT_BADFILE ? "cannot be checked: no usable CA "
						     "certificate"
						   : "did not verify",
		    *errbuf ? errbuf : curl_easy_strerror(rc));
	}
	if (code >= 500 && code < 600)
		*why = OWNERS_SMTP_PERMANENT;
	if (code)
		return sd_error_set(err, SD_EIO, "%s (server replied %ld)",
				    *errbuf ? errbuf : curl_easy_strerror(rc), code);
	return sd_error_set(err, SD_EIO, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
}
