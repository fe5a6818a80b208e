/* Who may learn what (docs/server.md, "Access policy"):
 *   self  an anonymous caller learns only about its own address (default);
 *   open  an anonymous caller may check any single address;
 *   token a token holder may check addresses and prefixes inside its scope,
 *         and use bulk; its own address is always allowed.
 * Prefixes and bulk need a token under either policy: a prefix answer lists
 * the entries inside it, which would list victims wholesale. */
#ifndef SD_SERVER_POLICY_H
#define SD_SERVER_POLICY_H

#include <stdbool.h>

#include "net/addr.h"
#include "report/report.h"
#include "server/tokens.h"

enum srv_policy_mode { SRV_POLICY_SELF, SRV_POLICY_OPEN };

struct srv_policy {
	enum srv_policy_mode mode;
	enum report_detail anon_detail; /* detail shown to anonymous callers */
};

/* Why a request was refused: an HTTP status, a stable code, a sentence. */
struct srv_denial {
	int status;
	const char *code;
	const char *message;
};

/* May this caller (tok NULL for anonymous) look up q? On yes sets *detail;
 * on no fills *why. */
bool srv_policy_check(const struct srv_policy *p, const struct net_addr *client,
		      const struct srv_token *tok, const struct net_prefix *q,
		      enum report_detail *detail, struct srv_denial *why);

int srv_policy_parse(const char *s, enum srv_policy_mode *out);
int srv_detail_parse(const char *s, enum report_detail *out);

#endif
