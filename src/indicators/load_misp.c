/* MISP event JSON, as exported or returned by the REST API:
 * {"response":[{"Event":{...}}, ...]}, {"Event":{...}}, a bare event, a
 * list of those, or an attribute search result {"response":{"Attribute":
 * [...]}}. Attributes are read at the event level and inside every Object.
 * Network types: ip-dst, ip-src, ip-dst|port, ip-src|port, domain,
 * hostname, hostname|port, domain|ip, url, uri, link. to_ids false leaves
 * an attribute out (counted as filtered) unless misp_all is set: MISP
 * uses it for context that must not raise alerts. Numbers and booleans
 * may arrive as strings ("1", "true"). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "indicators/load.h"
#include "indicators/load_util.h"

struct misp_ctx {
	struct ind_set *set;
	const struct ind_load_opts *opt;
	const char *name, *source, *campaign;
	unsigned long nattr;
};

static bool truthy(json_t *v)
{
	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	const char *s = json_string_value(v);
	return s && (!strcmp(s, "1") || !strcasecmp(s, "true"));
}

/* domain|ip: the address is what the domain resolved to when it was
 * seen, often a CDN or a parking host that serves many others (a
 * Cloudflare address would list every client of Cloudflare), so it is
 * context, counted as filtered, unless --misp-all asks for all of MISP's
 * context. */
static int domain_ip_address(struct misp_ctx *c, const char *obj, const char *value,
			     const char *bar)
{
	if (c->opt && c->opt->misp_all)
		return ind_add_value(c->set, c->opt, c->name, 0, obj, bar + 1,
				     strlen(bar + 1), c->campaign, c->source, 0, 0);
	ind_set_stats(c->set)->filtered++;
	ind_report(c->opt, c->name, 0, obj, "filtered",
		   "domain|ip %.80s: the address is the domain's resolution at the "
		   "time, context not matched (--misp-all to include)",
		   value);
	return 0;
}

static int do_attr(struct misp_ctx *c, json_t *a, const char *objname)
{
	struct ind_stats *st = ind_set_stats(c->set);
	c->nattr++;
	const char *type = json_string_value(json_object_get(a, "type"));
	const char *value = json_string_value(json_object_get(a, "value"));
	const char *uuid = json_string_value(json_object_get(a, "uuid"));
	char obj[160];
	snprintf(obj, sizeof(obj), "attribute %lu%s%s%s%s", c->nattr,
		 objname ? " in object " : "", objname ? objname : "", uuid ? " " : "",
		 uuid ? uuid : "");
	if (!type || !value) {
		st->malformed++;
		ind_report(c->opt, c->name, 0, obj, "malformed",
			   "attribute without a string type and value");
		return 0;
	}
	if (truthy(json_object_get(a, "deleted"))) {
		st->filtered++;
		ind_report(c->opt, c->name, 0, obj, "filtered", "deleted attribute");
		return 0;
	}
	enum ind_type_class cls = ind_type_classify(type, strlen(type));
	if (cls == IND_TYPE_HASH) {
		st->hashes++;
		ind_report(c->opt, c->name, 0, obj, "hash",
			   "%.32s %.80s: not a network indicator", type, value);
		return 0;
	}
	if (cls == IND_TYPE_UNSUPPORTED) {
		st->unsupported++;
		ind_report(c->opt, c->name, 0, obj, "unsupported",
			   "type '%.32s' is not a network indicator", type);
		return 0;
	}
	json_t *ti = json_object_get(a, "to_ids");
	if (ti && !truthy(ti) && !(c->opt && c->opt->misp_all)) {
		st->filtered++;
		ind_report(c->opt, c->name, 0, obj, "filtered",
			   "%.32s %.80s has to_ids false (use --misp-all to include)",
			   type, value);
		return 0;
	}
	const char *bar = strchr(value, '|');
	if (strchr(type, '|') && bar) {
		/* ip-dst|port, hostname|port: the port is not kept */
		int rc =
		    ind_add_value(c->set, c->opt, c->name, 0, obj, value,
				  (size_t)(bar - value), c->campaign, c->source, 0, 0);
		if (!rc && !strcasecmp(type, "domain|ip"))
			rc = domain_ip_address(c, obj, value, bar);
		return rc;
	}
	return ind_add_value(c->set, c->opt, c->name, 0, obj, value, strlen(value),
			     c->campaign, c->source, 0, 0);
}

static int do_attrs(struct misp_ctx *c, json_t *arr, const char *objname)
{
	size_t i;
	json_t *a;
	json_array_foreach(arr, i, a)
	{
		int rc = do_attr(c, a, objname);
		if (rc)
			return rc;
	}
	return 0;
}

static int do_event(struct misp_ctx *c, json_t *ev)
{
	if (json_is_object(json_object_get(ev, "Event")))
		ev = json_object_get(ev, "Event");
	int rc = do_attrs(c, json_object_get(ev, "Attribute"), NULL);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(ev, "Object"), i, o)
	{
		if (rc)
			break;
		const char *on = json_string_value(json_object_get(o, "name"));
		rc = do_attrs(c, json_object_get(o, "Attribute"), on ? on : "?");
	}
	return rc;
}

int ind_load_misp(struct ind_set *set, const char *buf, size_t len, const char *name,
		  const struct ind_load_opts *opt, struct sd_error *err)
{
	json_error_t je;
	json_t *root = json_loadb(buf, len, 0, &je);
	if (!root)
		return sd_error_set(err, SD_EPARSE, "%s:%d: not valid JSON: %s", name,
				    je.line, je.text);
	struct misp_ctx c = {
	    .set = set,
	    .opt = opt,
	    .name = name,
	    .source = ind_source_label(opt, name),
	    .campaign = opt ? opt->campaign : NULL,
	};
	int rc = 0;
	json_t *resp = json_object_get(root, "response");
	json_t *list = json_is_array(root) ? root : json_is_array(resp) ? resp : NULL;
	if (list) {
		size_t i;
		json_t *ev;
		json_array_foreach(list, i, ev)
		{
			if ((rc = do_event(&c, ev)))
				break;
		}
	} else if (json_is_object(resp) &&
		   json_is_array(json_object_get(resp, "Attribute"))) {
		rc = do_attrs(&c, json_object_get(resp, "Attribute"), NULL);
	} else if (json_is_object(root) && (json_object_get(root, "Event") ||
					    json_object_get(root, "Attribute") ||
					    json_object_get(root, "Object"))) {
		rc = do_event(&c, root);
	} else {
		json_decref(root);
		return sd_error_set(
		    err, SD_EFORMAT,
		    "%s: not a MISP event (no Event, Attribute or response)", name);
	}
	json_decref(root);
	if (rc)
		return sd_error_set(err, rc, "out of memory");
	return 0;
}
