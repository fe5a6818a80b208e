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

/* What the port numbers alone say, for a record the service ports leave
 * open (tel_dir_ports 0): a privileged port (1-1023) against an
 * unprivileged one (1024 or more) is the server's (clients send from
 * unprivileged ports). -1 the record is written backwards (the client's
 * port is the privileged one), 1 the right way round, 0 no evidence (a
 * port is 0, both are privileged, or both unprivileged: the lower of two
 * high ports is no evidence, since the server's owner, a C2's operator,
 * picks it). Weaker evidence than tel_dir_ports: readers use it only
 * where the record says a service was spoken to (EVE alerts with an
 * application-layer part, DNS answers). */
int tel_dir_lower_port(const struct tel_record *rec);

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

#endif
