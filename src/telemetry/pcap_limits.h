/* Named limits of the pcap reader (the flow table's are in flow_table.h,
 * the parsers' in dns_wire.h, tls_hello.h, http_req.h, QUIC's in quic_reasm.h
 * and quic_hello.h). Each has its own
 * message where it is enforced. */
#ifndef SD_TELEMETRY_PCAP_LIMITS_H
#define SD_TELEMETRY_PCAP_LIMITS_H

/* DNS queries waiting for their response; the oldest is emitted
 * unanswered to make room. */
#define PCAPR_DNS_PENDING 512
/* A query unanswered this long (capture time, seconds) is emitted as such;
 * a duplicate response within it is recognised and dropped. */
#define PCAPR_DNS_TIMEOUT_SECS 30
/* DNS messages read from one TCP segment (pipelined queries). */
#define PCAPR_MAX_DNS_PER_SEGMENT 4
/* TLS ClientHellos being reassembled across segments at once; each holds
 * up to TLSH_MAX_RECORD bytes. */
#define PCAPR_TLS_REASM_SLOTS 16
/* Proxied HTTP requests (absolute URI or CONNECT), each the first of its
 * TCP connection, waiting for the status line of their response, which
 * says whether the proxy served them; each copies its segment (at most a
 * packet's captured length) and its path. When full, the one
 * waiting longest is emitted without an answer (it teaches no proxy),
 * counted as skipped and reported. */
#define PCAPR_HTTP_HELD 256
/* Records queued from one packet before they are handed out: at most two
 * flows ended (one evicted, the packet's own) with their held request
 * each, a request given up for room, plus what the payload yields. */
#define PCAPR_OUT_QUEUE 32
/* stdio buffer between libpcap and the (decompressing) source. */
#define PCAPR_IO_BUFFER (256 * 1024)

#endif
