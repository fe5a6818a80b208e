/* The web page's files, compiled into the binary by scripts/embed-assets
 * (build/<variant>/gen/web_assets.c): the server never opens a file to
 * answer a request. */
#ifndef SD_SERVER_ASSETS_H
#define SD_SERVER_ASSETS_H

#include <stddef.h>

struct web_asset {
	const char *name;
	const unsigned char *data;
	size_t size;
};

/* Terminated by an entry with name NULL. */
extern const struct web_asset web_assets[];

/* The asset called name (a file name under web/), or NULL. */
const struct web_asset *srv_asset_find(const char *name);
/* Content-Type for a file name, by extension. */
const char *srv_asset_type(const char *name);

#endif
