/* --listen ADDR:PORT parsing: "127.0.0.1:8080", "[::1]:8080", "[::]:80"
 * (dual-stack), port 0 for any free port. */
#ifndef SD_SERVER_LISTEN_H
#define SD_SERVER_LISTEN_H

#include <sys/socket.h>

/* Returns 0, or -1 with *why set. */
int srv_listen_parse(const char *s, struct sockaddr_storage *out, const char **why);

#endif
