/* The HTML pages: embedded templates (the .html files in web/) filled with the verdict,
 * the snapshot and the campaigns, every value HTML-escaped. The verdict is
 * rendered from report_lookup's JSON, so the page says exactly what the
 * API says. */
#ifndef SD_SERVER_PAGE_H
#define SD_SERVER_PAGE_H

#include <jansson.h>
#include <stdbool.h>

#include "net/addr.h"
#include "server/assets.h"
#include "server/snapshot.h"

struct srv_page_view {
	const struct srv_snap *snap;
	const struct net_addr *client;
	const char *query; /* what the visitor asked (NULL: own address) */
	json_t *result;	   /* report_lookup, or NULL */
	bool own;
	int status; /* non-zero: message explains a refusal */
	char message[320];
};

/* The filled template (caller frees), or NULL on out of memory. */
char *srv_page_render(const struct srv_page_view *v, const struct web_asset *tpl,
		      size_t *len);

#endif
