/* Server log lines on stderr (the journal under systemd): one line each,
 * a UTC timestamp first, written with one write() so threads never
 * interleave within a line. */
#ifndef SD_SERVER_LOG_H
#define SD_SERVER_LOG_H

void srv_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
