/* Covers src/telemetry/reader.c, zeek_tsv.c, zeek_json.c, eve.c, eve_fast.c,
 * backend.c, clock.c (--tz, the window year), unsupported.c, nfdump_csv.c, csv_generic.c, squid.c, bind.c, dnsmasq.c, field.c and
 * json_util.c, and the CSV field writer of `sighted records --csv`
 * (core/csv.c). */
/* All text telemetry readers behind one harness: the first byte picks the
 * format (0 = content detection, which also reaches pcap when linked in),
 * the rest is the file. The input goes through a memfd so the real
 * io_source path (including gzip/zstd detection) is exercised. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "report/rows.h"
#include "io/source.h"
#include "telemetry/reader.h"

static void ignore(void *ctx, const char *where, const char *why)
{
	(void)ctx;
	/* touch the strings so a bad pointer shows up under ASan */
	volatile size_t n = strlen(where) + strlen(why);
	(void)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const enum tel_format fmts[] = {
	    TEL_FMT_AUTO,  TEL_FMT_ZEEK_TSV,   TEL_FMT_ZEEK_JSON,
	    TEL_FMT_EVE,   TEL_FMT_NFDUMP_CSV, TEL_FMT_CSV,
	    TEL_FMT_SQUID, TEL_FMT_BIND,       TEL_FMT_DNSMASQ,
	};
	/* the first byte: format (mod 9), then whether local times are in a
	 * zone with daylight saving and whether year-less times take their
	 * year from a campaign window (the file is new, the window 2023) */
	size_t nf = sizeof(fmts) / sizeof(fmts[0]);
	struct tel_options opt = {
	    .format = fmts[data[0] % nf],
	    .tz = (data[0] / nf) & 1 ? "Europe/Berlin" : NULL,
	    .window_start = (data[0] / nf) & 2 ? 1672531200 : 0,
	    .window_end = (data[0] / nf) & 2 ? 1682899199 : 0,
	    .column_map = "time=frame.time_epoch,client=ip.src,client=ipv6.src,"
			  "server=ip.dst,server=ipv6.dst,client_port=udp.srcport,"
			  "client_port=tcp.srcport,response=dns.flags.response,"
			  "dns=dns.qry.name,answer=dns.a,answer=dns.aaaa,"
			  "sni=tls.handshake.extensions_server_name,host=http.host,"
			  "path=http.request.uri",
	    .year = (data[0] / nf) & 2 ? 0 : 2023,
	};
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		return 0;
	if (size > 1 && write(fd, data + 1, size - 1) != (ssize_t)(size - 1)) {
		close(fd);
		return 0;
	}
	lseek(fd, 0, SEEK_SET);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	struct sd_error err;
	struct io_source *src;
	struct tel_reader *r;
	/* `sighted records --csv` writes name and path through this; an
	 * absent one is (NULL, 0) */
	static FILE *sink;
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (io_open(path, &src, &err) == 0 && tel_open(src, &opt, &r, &err) == 0) {
		tel_set_report(r, ignore, NULL);
		struct tel_record rec;
		while (tel_next(r, &rec, &err) == 1) {
			/* every slice the record hands out must be readable */
			volatile unsigned sum = 0;
			for (size_t i = 0; i < rec.name_len; i++)
				sum += (unsigned char)rec.name[i];
			for (size_t i = 0; i < rec.path_len; i++)
				sum += (unsigned char)rec.path[i];
			for (size_t i = 0; i < rec.nanswers; i++)
				sum += rec.answers[i].b[15];
			(void)sum;
			if (sink) {
				report_csv_field_fpn(sink, rec.name, rec.name_len);
				report_csv_field_fpn(sink, rec.path, rec.path_len);
			}
		}
		tel_close(r);
	}
	close(fd);
	return 0;
}
