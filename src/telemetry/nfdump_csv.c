/* nfdump `-o csv` output (1.6/1.7): a header row naming the columns (ts,
 * te, td, sa, da, sp, dp, pr, ..., ipkt, ibyt, opkt, obyt, ...), one
 * unidirectional flow per row with space-padded numbers, and a trailing
 * "Summary" block with its own header that carries no flows. */
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "telemetry/backend.h"
#include "telemetry/direction.h"
#include "telemetry/field.h"

enum { N_TS, N_SA, N_DA, N_SP, N_DP, N_PR, N_IPKT, N_IBYT, N_OPKT, N_OBYT, NNF };
/* as nfdump writes them: exact case, no padding */
static const struct sd_csv_name nf_names[] = {
    {"ts", N_TS}, {"sa", N_SA},	    {"da", N_DA},     {"sp", N_SP},	{"dp", N_DP},
    {"pr", N_PR}, {"ipkt", N_IPKT}, {"ibyt", N_IBYT}, {"opkt", N_OPKT}, {"obyt", N_OBYT},
};

#define NF_MAX_COLS 128

struct nfcsv {
	struct tel_backend base;
	int col[NNF];
	int ncols;
	bool header, summary;
	struct sd_field f[NF_MAX_COLS];
};

static void nf_close(struct tel_backend *b)
{
	free(b);
}

static uint64_t num(struct sd_field *f)
{
	uint64_t v = 0;
	sd_field_trim(f);
	tel_parse_u64(f->s, f->len, &v);
	return v;
}

static int nf_line(struct tel_backend *b, const char *line, size_t len, uint64_t ln,
		   struct tel_record *rec, const char **why, struct sd_error *err)
{
	struct nfcsv *r = (struct nfcsv *)b;
	(void)err;
	if (r->summary)
		return TEL_LINE_SKIPPED;
	if (len == 7 && !memcmp(line, "Summary", 7)) {
		r->summary = true; /* totals follow, no flows */
		return TEL_LINE_NONE;
	}
	long n = sd_csv_split((char *)line, len, ',', r->f, NF_MAX_COLS, why);
	if (n < 0)
		return TEL_LINE_MALFORMED;
	if (n > NF_MAX_COLS)
		n = NF_MAX_COLS;
	if (r->f[0].len == 2 && !memcmp(r->f[0].s, "ts", 2)) {
		sd_csv_columns(r->f, (size_t)n, nf_names, NNF, 0, r->col, NNF);
		r->ncols = (int)n;
		r->header = true;
		if (r->col[N_TS] < 0 || r->col[N_SA] < 0 || r->col[N_DA] < 0) {
			*why = "header lacks ts, sa or da";
			return TEL_LINE_MALFORMED;
		}
		return TEL_LINE_NONE;
	}
	if (!r->header || r->col[N_TS] < 0 || r->col[N_SA] < 0 || r->col[N_DA] < 0) {
		*why = "flow row before a usable header row";
		return TEL_LINE_MALFORMED;
	}
	if (n != r->ncols) {
		*why = tel_backend_why(b, "%ld columns where the header has %d", n,
				       r->ncols);
		return TEL_LINE_MALFORMED;
	}
	tel_record_start(rec, ln, TEL_FLOW);
	struct sd_field *ts = &r->f[r->col[N_TS]], *sa = &r->f[r->col[N_SA]],
			*da = &r->f[r->col[N_DA]];
	sd_field_trim(ts);
	sd_field_trim(sa);
	sd_field_trim(da);
	/* nfdump prints ts in the collector's local time (--tz) */
	if (!tel_clock_parse(&b->clock, ts->s, ts->len, &rec->ts, why)) {
		*why = tel_backend_why(b, "bad ts '%.*s'",
				       (int)(ts->len > 40 ? 40 : ts->len), ts->s);
		return TEL_LINE_MALFORMED;
	}
	if (!tel_addr(sa->s, sa->len, &rec->client) ||
	    !tel_addr(da->s, da->len, &rec->server)) {
		*why = "sa/da is not an address";
		return TEL_LINE_MALFORMED;
	}
	/* nfdump flows are one direction each */
	rec->flags = TEL_HAS_CLIENT | TEL_HAS_SERVER | TEL_DIR_UNKNOWN;
	static const char *const port_name[2] = {"sp", "dp"};
	uint16_t *port[2] = {&rec->client_port, &rec->server_port};
	for (int k = 0; k < 2; k++) {
		int c = r->col[k ? N_DP : N_SP];
		if (c < 0)
			continue;
		struct sd_field *p = &r->f[c];
		sd_field_trim(p);
		/* never cut to 16 bits: 65979 would read as 443 */
		if (!tel_parse_port(p->s, p->len, port[k])) {
			*why = tel_backend_why(
			    b, "%s '%.*s' is not a port number 0-65535", port_name[k],
			    (int)(p->len > 20 ? 20 : p->len), p->s);
			return TEL_LINE_MALFORMED;
		}
	}
	/* a reply flow (from a service port to an ephemeral one) is
	 * turned round, so both halves of an exchange name the same
	 * client; with the ports saying nothing the matcher tries both
	 * ends */
	if (tel_dir_ports(rec)) {
		tel_dir_orient_ports(rec);
		rec->flags &= ~(unsigned)TEL_DIR_UNKNOWN;
	}
	if (r->col[N_PR] >= 0) {
		struct sd_field *p = &r->f[r->col[N_PR]];
		sd_field_trim(p);
		rec->proto = tel_proto(p->s, p->len);
	}
	uint64_t ipkt = r->col[N_IPKT] >= 0 ? num(&r->f[r->col[N_IPKT]]) : 0;
	uint64_t ibyt = r->col[N_IBYT] >= 0 ? num(&r->f[r->col[N_IBYT]]) : 0;
	uint64_t opkt = r->col[N_OPKT] >= 0 ? num(&r->f[r->col[N_OPKT]]) : 0;
	uint64_t obyt = r->col[N_OBYT] >= 0 ? num(&r->f[r->col[N_OBYT]]) : 0;
	rec->packets = ipkt + opkt;
	rec->bytes = ibyt + obyt;
	/* opkt/obyt are nfdump's "output" counters: a reverse direction
	 * only for a bidirectional exporter, but a NetFlow v9 exporter's
	 * egress counters of the same one-way flow for another, so they
	 * never make a row answered (the reply row is the evidence) */
	return TEL_LINE_RECORD;
}

static int nf_next(struct tel_backend *b, struct tel_record *rec, struct sd_error *err)
{
	return tel_backend_next_line(b, nf_line, rec, err);
}

static const struct tel_backend_ops nf_ops = {nf_next, nf_close};

int tel_nfdump_open(struct io_source *src, const struct tel_options *opt,
		    struct tel_backend **out, struct sd_error *err)
{
	(void)opt;
	struct nfcsv *r =
	    tel_backend_new(sizeof(*r), &nf_ops, TEL_FMT_NFDUMP_CSV, src, err);
	if (!r)
		return err->code;
	for (int i = 0; i < NNF; i++)
		r->col[i] = -1;
	*out = &r->base;
	return 0;
}
