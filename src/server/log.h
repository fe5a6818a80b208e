/* Server log lines on stderr (the journal under systemd): one line each,
 * a UTC timestamp first, written with one write() so threads never
 * interleave within a line. */
#ifndef SD_SERVER_LOG_H
#define SD_SERVER_LOG_H

#define SRV_LOG_MALFORMED_PER_S 5 /* lines about bad requests per second */

void srv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For lines a client can cause at will (malformed requests): at most
 * SRV_LOG_MALFORMED_PER_S a second; the next line allowed says how many
 * were dropped, and /metrics counts them. */
void srv_log_limited(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
