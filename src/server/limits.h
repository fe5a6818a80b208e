/* Named limits of the HTTP server. Each has its own error code and message
 * where it is enforced (docs/server.md lists them), so a client learns which
 * limit it hit. Those marked (flag) can be changed on the command line. */
#ifndef SD_SERVER_LIMITS_H
#define SD_SERVER_LIMITS_H

#define SRV_MAX_LISTEN 16	     /* --listen addresses */
#define SRV_MAX_TRUST 64	     /* --trust-proxy prefixes */
#define SRV_MAX_CONNECTIONS 1024     /* open connections, all clients (flag) */
#define SRV_MAX_PER_IP 64	     /* open connections from one address (flag) */
#define SRV_IDLE_TIMEOUT 10	     /* seconds a connection may sit idle (flag) */
#define SRV_REQUEST_DEADLINE 15	     /* seconds to send one whole request (flag) */
#define SRV_CONN_MEMORY 16384	     /* per-connection buffer: bounds the header */
#define SRV_MAX_BODY (1024 * 1024)   /* bytes in a bulk request body */
#define SRV_MAX_BULK 10000	     /* entries in one bulk request (default) */
#define SRV_MAX_QUERY 128	     /* bytes of one address or prefix text */
#define SRV_MAX_TOKEN 256	     /* bytes of a bearer token */
#define SRV_MIN_TOKEN 16	     /* shorter tokens are refused in the file */
#define SRV_MAX_TOKENS 100000	     /* entries in a tokens file */
#define SRV_MAX_SCOPES 64	     /* scope prefixes of one token */
#define SRV_MAX_XFF 2048	     /* bytes of X-Forwarded-For considered */
#define SRV_MAX_XFF_HOPS 32	     /* trusted X-Forwarded-For hops walked past */
#define SRV_RATE_SLOTS 65536	     /* clients the rate limiter remembers */
#define SRV_MAX_INSIDE 1000	     /* entries listed for a prefix query */
#define SRV_MAX_ANSWER_ENTRIES 50000 /* entries listed in one bulk answer */
#define SRV_MAX_ECHO 64		     /* bytes of a bad query echoed back */
#define SRV_HEADER_DEADLINE 5  /* seconds from request line to end of header (flag) */
#define SRV_MIN_SEND_RATE 4096 /* bytes/s an answer must drain at (flag) */
#define SRV_V6_PREFIX 64       /* IPv6 prefix counted as one address (flag) */
#define SRV_DEFER_ACCEPT 1     /* seconds the kernel holds a silent new connection */
#define SRV_STATS_MAX_POINTS 200000    /* (campaign, day) cells in /stats */
#define SRV_ANSWER_CACHE_SLOTS 64      /* answers kept per worker thread */
#define SRV_ANSWER_CACHE_MAX_BODY 4096 /* larger answers are never kept */

#endif
