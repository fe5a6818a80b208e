/* Covers src/telemetry/pcap_reader.c, pkt_decode.c, flow_table.c,
 * pcap_dns.c, pcap_http.c, dns_wire.c, tls_hello.c and http_req.c. */
/* The whole pcap reader on one capture file image (pcap or pcapng, plain
 * or compressed), through a memfd so the real io_source and libpcap paths
 * run. Every record's strings are read in full so that a bad pointer or
 * length shows up under ASan. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/source.h"
#include "telemetry/reader.h"

static void touch(void *ctx, const char *where, const char *why)
{
	(void)ctx;
	volatile size_t n = strlen(where) + strlen(why);
	(void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz.pcap", 0);
	if (fd < 0)
		return 0;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct io_source *src;
	struct sd_error err;
	if (io_open(path, &src, &err) == 0) {
		struct tel_options opt = {.format = TEL_FMT_PCAP};
		struct tel_reader *r;
		if (tel_open(src, &opt, &r, &err) == 0) {
			tel_set_report(r, touch, NULL);
			struct tel_record rec;
			volatile uint64_t sum = 0;
			while (tel_next(r, &rec, &err) == 1) {
				for (size_t i = 0; i < rec.name_len; i++)
					sum += (unsigned char)rec.name[i];
				for (size_t i = 0; i < rec.path_len; i++)
					sum += (unsigned char)rec.path[i];
				for (size_t i = 0; i < rec.nanswers; i++)
					sum += rec.answers[i].b[15];
				if (rec.kind < TEL_FLOW || rec.kind > TEL_HTTP)
					abort();
			}
			tel_close(r);
		}
	}
	close(fd);
	return 0;
}
