/* Named limits. Each one has its own error message at the place it is
 * enforced, so a user learns which limit was hit, not just that one was. */
#ifndef SD_CORE_LIMITS_H
#define SD_CORE_LIMITS_H

#define SD_MAX_LINE 65536		/* longest accepted input line, bytes */
#define SD_MAX_CAMPAIGNS 65535		/* campaigns in one snapshot (u16 ids) */
#define SD_MAX_STRING 4096		/* one string in a snapshot, bytes */
#define SD_MAX_SOURCES_PER_SET 256	/* sources one sighting may carry */
#define SD_MAX_SIGHTINGS_PER_ENTRY 4096 /* campaigns sighted at one key */
#define SD_MAX_ENTRIES 1000000000u	/* entries in one snapshot */
#define SD_MAX_CHECK_HITS 129		/* covering entries for one address */

#endif
