/* GeoLite2-ASN layout through libmaxminddb. */
#include "owners/asn_db.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int asn_mmdb_open(struct asn_db *db, const char *path, struct sd_error *err)
{
	int rc = MMDB_open(path, MMDB_MODE_MMAP, &db->mmdb);
	if (rc != MMDB_SUCCESS)
		return sd_error_set(err, rc == MMDB_IO_ERROR ? SD_EIO : SD_ECORRUPT,
				    "%s: cannot read the MaxMind DB: %s", path,
				    MMDB_strerror(rc));
	db->is_mmdb = true;
	return 0;
}

/* Sets lo..hi to the network of plen bits (in a's own family) around a. */
static void network(const struct net_addr *a, unsigned plen, struct net_addr *lo,
		    struct net_addr *hi)
{
	struct net_prefix p = {.addr = *a, .len = (uint8_t)plen};
	net_addr_mask(&p.addr, p.len);
	*lo = p.addr;
	net_prefix_last(&p, hi);
}

uint32_t asn_mmdb_lookup(struct asn_db *db, const struct net_addr *a, struct net_addr *lo,
			 struct net_addr *hi)
{
	struct sockaddr_storage ss = {0};
	bool v4 = net_addr_is_v4(a);
	if (v4) {
		struct sockaddr_in *s4 = (void *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->b + 12, 4);
	} else {
		struct sockaddr_in6 *s6 = (void *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->b, 16);
	}
	int mmerr = 0;
	MMDB_lookup_result_s res =
	    MMDB_lookup_sockaddr(&db->mmdb, (struct sockaddr *)&ss, &mmerr);
	/* the netmask counts bits of the tree: an IPv4 address looked up in
	 * an IPv6 tree starts 96 bits down, as a mapped address does here */
	unsigned plen = res.netmask;
	if (v4 && db->mmdb.metadata.ip_version == 4)
		plen += 96;
	if (v4 && plen < 96)
		plen = 96;
	if (plen > 128 || mmerr != MMDB_SUCCESS)
		plen = 128;
	network(a, plen, lo, hi);
	if (mmerr != MMDB_SUCCESS || !res.found_entry)
		return 0;
	MMDB_entry_data_s num, org;
	if (MMDB_get_value(&res.entry, &num, "autonomous_system_number", NULL) !=
		MMDB_SUCCESS ||
	    !num.has_data)
		return 0;
	uint64_t asn;
	switch (num.type) {
	case MMDB_DATA_TYPE_UINT32:
		asn = num.uint32;
		break;
	case MMDB_DATA_TYPE_UINT16:
		asn = num.uint16;
		break;
	case MMDB_DATA_TYPE_UINT64:
		asn = num.uint64;
		break;
	case MMDB_DATA_TYPE_INT32:
		asn = num.int32 < 0 ? 0 : (uint64_t)num.int32;
		break;
	default:
		return 0;
	}
	if (!asn || asn > UINT32_MAX)
		return 0;
	const char *name = "";
	size_t nlen = 0;
	if (MMDB_get_value(&res.entry, &org, "autonomous_system_organization", NULL) ==
		MMDB_SUCCESS &&
	    org.has_data && org.type == MMDB_DATA_TYPE_UTF8_STRING) {
		name = org.utf8_string;
		nlen = org.data_size;
		/* a name is one line of text: stop at a control character */
		for (size_t i = 0; i < nlen; i++)
			if ((unsigned char)name[i] < 0x20) {
				nlen = i;
				break;
			}
	}
	uint32_t id = asn_intern(db, (uint32_t)asn, name, nlen);
	return id == UINT32_MAX ? 0 : id;
}
