#include "server/policy.h"

#include <string.h>

#include "core/error.h"

bool srv_policy_check(const struct srv_policy *p, const struct net_addr *client,
		      const struct srv_token *tok, const struct net_prefix *q,
		      enum report_detail *detail, struct srv_denial *why)
{
	bool own = q->len == 128 && net_addr_cmp(&q->addr, client) == 0;
	if (tok) {
		if (own || srv_token_covers(tok, q)) {
			*detail = REPORT_FULL;
			return true;
		}
		*why =
		    (struct srv_denial){403, "out_of_scope",
					"this token's scope does not include the address "
					"or prefix asked about"};
		return false;
	}
	*detail = p->anon_detail;
	if (own)
		return true;
	if (q->len < 128) {
		*why =
		    (struct srv_denial){403, "token_required",
					"checking a prefix needs a token scoped to it"};
		return false;
	}
	if (p->mode == SRV_POLICY_OPEN)
		return true;
	*why = (struct srv_denial){403, "self_only",
				   "this server answers anonymous callers only about "
				   "their own address; checking another address needs a "
				   "token scoped to it"};
	return false;
}

int srv_policy_parse(const char *s, enum srv_policy_mode *out)
{
	if (!strcmp(s, "self"))
		*out = SRV_POLICY_SELF;
	else if (!strcmp(s, "open"))
		*out = SRV_POLICY_OPEN;
	else
		return SD_EUSAGE;
	return SD_OK;
}

int srv_detail_parse(const char *s, enum report_detail *out)
{
	if (!strcmp(s, "verdict"))
		*out = REPORT_VERDICT;
	else if (!strcmp(s, "full"))
		*out = REPORT_FULL;
	else
		return SD_EUSAGE;
	return SD_OK;
}
