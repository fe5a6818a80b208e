#include "telemetry/direction.h"

#include <string.h>

/* Service ports whose owner is the server of the exchange. Only ports a
 * client does not bind as its source: 123 (NTP) and 5353 (mDNS) are left
 * out because both ends use them. */
bool tel_dir_server_port(uint16_t port)
{
	switch (port) {
	case 21:   /* ftp */
	case 22:   /* ssh */
	case 23:   /* telnet */
	case 25:   /* smtp */
	case 53:   /* dns */
	case 80:   /* http */
	case 110:  /* pop3 */
	case 143:  /* imap */
	case 389:  /* ldap */
	case 443:  /* https, QUIC */
	case 445:  /* smb */
	case 465:  /* smtps */
	case 587:  /* submission */
	case 636:  /* ldaps */
	case 853:  /* dns over tls/quic */
	case 993:  /* imaps */
	case 995:  /* pop3s */
	case 1080: /* socks */
	case 3128: /* squid */
	case 3389: /* rdp */
	case 8000:
	case 8080: /* http alternate, proxies */
	case 8443:
	case 8888:
		return true;
	}
	return false;
}

void tel_record_swap(struct tel_record *rec)
{
	struct net_addr a = rec->client;
	rec->client = rec->server;
	rec->server = a;
	uint16_t p = rec->client_port;
	rec->client_port = rec->server_port;
	rec->server_port = p;
	unsigned has = rec->flags & (TEL_HAS_CLIENT | TEL_HAS_SERVER);
	rec->flags &= ~(unsigned)(TEL_HAS_CLIENT | TEL_HAS_SERVER);
	if (has & TEL_HAS_CLIENT)
		rec->flags |= TEL_HAS_SERVER;
	if (has & TEL_HAS_SERVER)
		rec->flags |= TEL_HAS_CLIENT;
}

/* The other side must be an unprivileged port that is no service of its
 * own: a client's ephemeral port. */
static bool ephemeral(uint16_t port)
{
	return port >= 1024 && !tel_dir_server_port(port);
}

int tel_dir_ports(const struct tel_record *rec)
{
	if (tel_dir_server_port(rec->client_port) && ephemeral(rec->server_port))
		return -1;
	if (tel_dir_server_port(rec->server_port) && ephemeral(rec->client_port))
		return 1;
	return 0;
}

bool tel_dir_orient_ports(struct tel_record *rec)
{
	if (tel_dir_ports(rec) >= 0)
		return false;
	tel_record_swap(rec);
	return true;
}

/* A privileged port against an unprivileged one, never two high ports:
 * whoever runs the service picks its port, and a C2 listening above its
 * client's ephemeral port (60443 against 50001) would otherwise be named
 * the client of its own victim. */
int tel_dir_lower_port(const struct tel_record *rec)
{
	uint16_t c = rec->client_port, s = rec->server_port;
	if (c && c < 1024 && s >= 1024)
		return -1;
	if (s && s < 1024 && c >= 1024)
		return 1;
	return 0;
}

bool tel_dir_orient_history(struct tel_record *rec, const char *history, size_t n)
{
	int ports = tel_dir_ports(rec);
	if (ports > 0)
		return false;
	if (history && n) {
		if (memchr(history, '^', n) || history[0] == 'S')
			return false;
		if (history[0] == 'H') {
			tel_record_swap(rec);
			return true;
		}
	}
	if (ports < 0)
		tel_record_swap(rec);
	return ports < 0;
}
