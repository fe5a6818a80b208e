/* The names both ASN backends intern: one dense id per (AS number, name). */
#include "owners/asn_db.h"

#include <string.h>

uint32_t asn_intern(struct asn_db *db, uint32_t asn, const char *name, size_t len)
{
	if (!asn)
		return 0;
	if (len > ASN_MAX_NAME)
		len = ASN_MAX_NAME;
	/* the name is kept with its NUL so asn_db_name can hand it out */
	char key[4 + ASN_MAX_NAME + 1];
	memcpy(key, &asn, 4);
	memcpy(key + 4, name, len);
	key[4 + len] = 0;
	uint32_t id;
	if (sd_intern_put(db->names, key, 4 + len + 1, &id))
		return UINT32_MAX;
	return id;
}
