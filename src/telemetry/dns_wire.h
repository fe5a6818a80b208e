/* The question (and A/AAAA answers) of one DNS message in wire format
 * (RFC 1035 section 4). Compression pointers are followed with a bound on
 * hops and on the name's length, so a pointer loop ends as a parse error. */
#ifndef SD_TELEMETRY_DNS_WIRE_H
#define SD_TELEMETRY_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/addr.h"

#define DNSW_MAX_NAME_WIRE 255 /* RFC 1035 2.3.4 */
/* Presentation form: every byte may become \DDD, plus dots. */
#define DNSW_MAX_NAME_TEXT (DNSW_MAX_NAME_WIRE * 4 + 1)
/* Compression pointers followed while reading one name. */
#define DNSW_MAX_POINTERS 32
/* A and AAAA answers kept from one response; the rest are ignored. */
#define DNSW_MAX_ANSWERS 16
/* Answer records looked at in one response. */
#define DNSW_MAX_RRS 256

enum dnsw_result {
	DNSW_OK = 0,
	DNSW_NO_QUESTION = 1, /* well-formed, but no question to report */
	DNSW_TRUNCATED = 2,   /* the message ends inside the question */
	DNSW_MALFORMED = 3,
};

struct dnsw_msg {
	uint16_t id;
	bool response;
	uint8_t opcode, rcode;
	uint16_t qtype, qclass;
	/* Query name in presentation form, without the final dot (the root is
	 * "."); bytes outside [!-~] and '.' or '\' inside a label are written as
	 * \DDD, so a label can never pose as two. */
	char qname[DNSW_MAX_NAME_TEXT + 1];
	size_t qname_len;
	struct net_addr answers[DNSW_MAX_ANSWERS];
	size_t nanswers;
	/* Set when the question was fine but the answer section was not:
	 * the question stands, the answers so far are kept. */
	const char *answer_error;
};

/* *why is a static sentence for DNSW_TRUNCATED and DNSW_MALFORMED. */
enum dnsw_result dnsw_parse(const uint8_t *msg, size_t len, struct dnsw_msg *out,
			    const char **why);

#endif
