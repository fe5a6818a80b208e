/* pcap and pcapng through libpcap, as a telemetry backend (see backend.h).
 * The dispatcher has already recognised the magic; src is positioned at the
 * start of the (decompressed) capture and is borrowed, not owned. Reports
 * malformed packets as "file:packet N: why". */
#ifndef SD_TELEMETRY_PCAP_READER_H
#define SD_TELEMETRY_PCAP_READER_H

#include "core/error.h"
#include "io/source.h"
#include "telemetry/reader.h"

struct tel_backend;

int pcapr_open(struct io_source *src, const struct tel_options *opt,
	       struct tel_backend **out, struct sd_error *err);

#endif
