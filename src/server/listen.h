/* --listen ADDR:PORT parsing: "127.0.0.1:8080", "[::1]:8080", "[::]:80"
 * (dual-stack), port 0 for any free port. */
#ifndef SD_SERVER_LISTEN_H
#define SD_SERVER_LISTEN_H

#include <stdbool.h>
#include <sys/socket.h>

/* Returns 0, or -1 with *why set. */
int srv_listen_parse(const char *s, struct sockaddr_storage *out, const char **why);

/* True when sa can be bound without SO_REUSEPORT, that is when no other
 * socket listens there: a socket is bound there and closed again. The
 * worker threads' listening sockets share a port through SO_REUSEPORT,
 * which would let a second server join them silently; asking this first
 * makes the second one fail to start as it would without the option.
 * dual_stack: an IPv6 socket that also takes IPv4 (listening on [::]).
 * On false, *err is the errno of the bind (EADDRINUSE when taken). */
bool srv_listen_port_free(const struct sockaddr *sa, bool dual_stack, int *err);

/* Sets TCP_DEFER_ACCEPT (SRV_DEFER_ACCEPT seconds) on the listening socket
 * fd: the kernel hands a connection to accept() once its first bytes are
 * in, so a worker thread is woken once per connection, for its request,
 * instead of once for the handshake and again for the request. A
 * connection that sends nothing is accepted when the period ends (the
 * kernel resends its SYN-ACK once), and the idle timeout then applies to
 * it as before. Returns 0, or the errno. */
int srv_listen_defer_accept(int fd);

#endif
