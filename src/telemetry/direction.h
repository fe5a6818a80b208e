/* Who is the client of an exchange, decided from the evidence in the
 * record rather than from the producer's field names: a log may write an
 * event in the packet's direction (a DNS answer from the resolver, an
 * alert on a web server's response) or a flow in the order its first
 * packet happened to be seen. The readers call these after filling a
 * record so that `client` is the side that began the exchange. */
#ifndef SD_TELEMETRY_DIRECTION_H
#define SD_TELEMETRY_DIRECTION_H

#include <stdbool.h>
#include <stdint.h>

#include "telemetry/record.h"

/* A port that services listen on and clients do not send from (53, 80,
 * 443, 853, 8080, 3128, ... see direction.c). */
bool tel_dir_server_port(uint16_t port);

/* Exchanges the two ends of rec: addresses, ports and their HAS flags. */
void tel_record_swap(struct tel_record *rec);

/* What the ports say: -1 the record is written backwards (the client's
 * port is a server port, the server's an unprivileged port that is none),
 * 1 it is written the right way round (the mirror case), 0 they do not
 * tell (both or neither are service ports, or a port is unknown). */
int tel_dir_ports(const struct tel_record *rec);

/* Swaps rec when tel_dir_ports says it is backwards; true when it did. */
bool tel_dir_orient_ports(struct tel_record *rec);

/* A Zeek conn record (TSV and JSON alike): ports that say the record is
 * written the right way round settle it. Otherwise `history` (may be NULL
 * or empty), Zeek's connection history: a '^' means Zeek has already
 * turned the record round (the first packet came from a likely server
 * port); a leading 'S' is the originator's SYN; a leading 'H' is a
 * SYN-ACK sent by the "originator", which is therefore the server (Zeek
 * missed the SYN and did not know the port). Without any of these the
 * ports decide. Swaps rec when it is backwards; true when it did. A
 * reader may skip reading `history` when tel_dir_ports(rec) is 1. */
bool tel_dir_orient_history(struct tel_record *rec, const char *history, size_t n);

/* Pairing of events of one flow by the producer's flow id (Suricata
 * flow_id): the first event that shows the request direction (a DNS
 * query, an HTTP request, a TLS ClientHello, a flow) records its client;
 * later events of the flow (answers, alerts) are oriented by it. A small
 * direct-mapped table: constant memory whatever the input; an entry is
 * overwritten by a later flow with the same slot, and an entry is only
 * used when its two addresses are the record's two ends. */
#define TEL_DIR_PAIRS 4096

struct tel_dir_pair {
	uint64_t flow_id; /* 0: empty */
	struct net_addr client, server;
	uint16_t client_port;
};

struct tel_dir_pairs {
	struct tel_dir_pair slot[TEL_DIR_PAIRS];
};

/* Remembers rec's client as the client of flow_id (0 is ignored). */
void tel_dir_pair_learn(struct tel_dir_pairs *p, uint64_t flow_id,
			const struct tel_record *rec);

/* 1: flow_id is known and rec is written the same way; -1: known and rec
 * is written backwards; 0: unknown. */
int tel_dir_pair_lookup(const struct tel_dir_pairs *p, uint64_t flow_id,
			const struct tel_record *rec);

#endif
