/* Composing a notification. */
#include "owners/mail.h"

#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

void owners_mail_digest(const char *csv, size_t len, char out[OWNERS_DIGEST_STRLEN])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&c);
	sha256_update(&c, len, (const uint8_t *)csv);
	sha256_digest(&c, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static bool ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void base64(FILE *fp, const unsigned char *p, size_t n, size_t line)
{
	size_t col = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
			     i + 1 < n ? b64[v >> 6 & 63] : '=',
			     i + 2 < n ? b64[v & 63] : '='};
		fwrite(q, 1, 4, fp);
		col += 4;
		if (line && col >= line && i + 3 < n) {
			fputs("\r\n", fp);
			col = 0;
		}
	}
}

/* A header value of free text: as is when ASCII, else one RFC 2047
 * encoded word per chunk of whole UTF-8 characters. */
static void header_text(FILE *fp, const char *s)
{
	if (ascii(s)) {
		fputs(s, fp);
		return;
	}
	size_t n = strlen(s), i = 0;
	while (i < n) {
		size_t take = n - i < 45 ? n - i : 45;
		while (i + take < n && ((unsigned char)s[i + take] & 0xc0) == 0x80)
			take--; /* do not split a character */
		if (!take)
			take = 1;
		fputs(i ? "\r\n =?UTF-8?B?" : "=?UTF-8?B?", fp);
		base64(fp, (const unsigned char *)s + i, take, 0);
		fputs("?=", fp);
		i += take;
	}
}

/* Free text wrapped at 72 columns, each line indented: SMTP limits line
 * length, and mail readers show plain text as it comes. */
static void wrapped(FILE *fp, const char *indent, const char *s)
{
	size_t col = 0, ind = strlen(indent);
	fputs(indent, fp);
	col = ind;
	while (*s) {
		while (*s == ' ')
			s++;
		size_t w = strcspn(s, " ");
		if (!w)
			break;
		if (col > ind && col + 1 + w > 72) {
			fputs("\r\n", fp);
			fputs(indent, fp);
			fputs("  ", fp);
			col = ind + 2;
		} else if (col > ind) {
			fputc(' ', fp);
			col++;
		}
		fwrite(s, 1, w, fp);
		col += w;
		s += w;
	}
	fputs("\r\n", fp);
}

static void summary(FILE *fp, const struct owners_mail *m)
{
	const struct owner *o = m->owner;
	char id[DB_CONTENT_ID_STRLEN], built[SD_TIME_STRLEN];
	db_content_id(m->snap, id);
	sd_time_format((int64_t)db_build_time(m->snap), built, sizeof(built));
	fprintf(fp, "Hello %s,\r\n\r\n", *o->name ? o->name : o->id);
	fprintf(fp,
		"sighted lists %zu sighting%s at %llu address%s inside the networks\r\n"
		"registered for you (owner \"%s\"): addresses that were seen talking to "
		"the\r\n"
		"infrastructure of a supply-chain attack campaign.\r\n\r\n",
		m->nhits, m->nhits == 1 ? "" : "s", (unsigned long long)m->addresses,
		m->addresses == 1 ? "" : "es", o->id);
	fprintf(fp, "Snapshot: %s, built %s.\r\n", id, built);
	if (m->since) {
		char sid[DB_CONTENT_ID_STRLEN];
		size_t added = 0;
		for (size_t i = 0; i < m->nhits; i++)
			added += owners_hit_change(&m->hits[i]) == DB_CHANGE_ADDED;
		db_content_id(m->since, sid);
		fprintf(fp,
			"Only what is new since snapshot %s: %zu added, %zu changed\r\n"
			"(seen again, seen more often, or with more evidence).\r\n",
			sid, added, m->nhits - added);
	}
	fputs("\r\nBy campaign:\r\n", fp);
	/* campaigns are few: count them in a small table */
	uint32_t nc = db_campaign_count(m->snap);
	uint64_t *per = calloc(nc ? nc : 1, sizeof(*per));
	for (size_t i = 0; per && i < m->nhits; i++) {
		struct db_entry e;
		struct db_sighting s;
		if (!db_entry_get(m->snap, owners_hit_table(&m->hits[i]),
				  owners_hit_index(&m->hits[i]), &e))
			continue;
		db_entry_sighting(m->snap, &e, owners_hit_sighting(&m->hits[i]), &s);
		if (s.campaign < nc)
			per[s.campaign]++;
	}
	for (uint32_t c = 0; per && c < nc; c++) {
		struct db_campaign dc;
		if (!per[c] || db_campaign_get(m->snap, c, &dc))
			continue;
		fprintf(fp, "  %s: %llu sighting%s\r\n", dc.name,
			(unsigned long long)per[c], per[c] == 1 ? "" : "s");
		if (*dc.title)
			wrapped(fp, "    ", dc.title);
		if (*dc.advisory)
			fprintf(fp, "    advisory: %s\r\n", dc.advisory);
		if (*dc.remediation) {
			fputs("    what to do:\r\n", fp);
			wrapped(fp, "    ", dc.remediation);
		}
	}
	free(per);
	fprintf(
	    fp,
	    "\r\nThe attached CSV lists each address with its AS, the campaign, first\r\n"
	    "and last seen (UTC), how often, by what evidence and how sure. It\r\n"
	    "holds only addresses in your networks. A listing means \"potentially\r\n"
	    "impacted\": please check the hosts and follow the advisory.\r\n\r\n"
	    "You receive this because %s is a contact of \"%s\" in the\r\n"
	    "sender's owner registry. This message is sent once per report;\r\n"
	    "a later one comes only when something changes.\r\n",
	    o->ncontacts ? o->contacts[0] : "this address", o->id);
}

int owners_mail_compose(const struct owners_mail *m, char **out, size_t *len)
{
	char digest[OWNERS_DIGEST_STRLEN], id[DB_CONTENT_ID_STRLEN], date[64];
	owners_mail_digest(m->csv, m->csv_len, digest);
	db_content_id(m->snap, id);
	struct tm tm;
	gmtime_r(&m->date, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	const char *domain = strrchr(m->from, '@');
	domain = domain ? domain + 1 : "sighted.invalid";
	FILE *fp = open_memstream(out, len);
	if (!fp)
		return SD_ENOMEM;
	const struct owner *o = m->owner;
	fprintf(fp, "From: %s\r\nTo: ", m->from);
	for (uint32_t i = 0; i < o->ncontacts; i++)
		fprintf(fp, "%s%s", i ? ",\r\n " : "", o->contacts[i]);
	fputs("\r\nSubject: ", fp);
	char subject[512];
	snprintf(subject, sizeof(subject),
		 "[sighted] %zu sighting%s in the networks of %s", m->nhits,
		 m->nhits == 1 ? "" : "s", *o->name ? o->name : o->id);
	header_text(fp, subject);
	fprintf(fp,
		"\r\nDate: %s\r\n"
		"Message-ID: <sighted.%s.%s.%.16s@%s>\r\n"
		"Auto-Submitted: auto-generated\r\n"
		"X-Sighted-Snapshot: %s\r\n"
		"X-Sighted-Owner: %s\r\n"
		"X-Sighted-Report-Digest: sha256:%s\r\n"
		"MIME-Version: 1.0\r\n"
		"Content-Type: multipart/mixed; boundary=\"sighted-%.32s\"\r\n"
		"\r\n"
		"This is a MIME message.\r\n"
		"\r\n--sighted-%.32s\r\n"
		"Content-Type: text/plain; charset=utf-8\r\n"
		"Content-Transfer-Encoding: 8bit\r\n\r\n",
		date, id, o->id, digest, domain, id, o->id, digest, digest, digest);
	summary(fp, m);
	fprintf(fp,
		"\r\n--sighted-%.32s\r\n"
		"Content-Type: text/csv; charset=utf-8; name=\"%s-%s.csv\"\r\n"
		"Content-Disposition: attachment; filename=\"%s-%s.csv\"\r\n"
		"Content-Transfer-Encoding: base64\r\n\r\n",
		digest, o->id, id, o->id, id);
	base64(fp, (const unsigned char *)m->csv, m->csv_len, 76);
	fprintf(fp, "\r\n--sighted-%.32s--\r\n", digest);
	if (fclose(fp) != 0) {
		free(*out);
		*out = NULL;
		return SD_ENOMEM;
	}
	return 0;
}
