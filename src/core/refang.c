#include "core/refang.h"
#include "core/error.h"

#include <stdbool.h>
#include <string.h>
#include <strings.h>

struct repl {
	const char *from;
	const char *to;
};

static const struct repl repls[] = {
    {"[://]", "://"},	{"[:]", ":"},	  {"[.]", "."},	      {"(.)", "."},
    {"{.}", "."},	{"[dot]", "."},	  {"(dot)", "."},     {"\\.", "."},
    {"[@]", "@"},	{"[at]", "@"},	  {"hxxps", "https"}, {"hxxp", "http"},
    {"h**ps", "https"}, {"h**p", "http"}, {"fxp", "ftp"},
};

static inline bool may_start(char c)
{
	switch (c) {
	case '[':
	case '(':
	case '{':
	case '\\':
	case 'h':
	case 'H':
	case 'f':
	case 'F':
		return true;
	default:
		return false;
	}
}

long sd_refang(const char *s, size_t n, char *out, size_t size)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		/* every pattern starts with one of [ ( { \\ h f: a run of
		 * other bytes (a plain address or name) is copied whole */
		size_t run = i;
		while (run < n && !may_start(s[run]))
			run++;
		if (run > i) {
			if (run - i >= size - w)
				return SD_ERANGE;
			memcpy(out + w, s + i, run - i);
			w += run - i;
			i = run;
			continue;
		}
		const struct repl *hit = NULL;
		for (size_t k = 0; k < sizeof(repls) / sizeof(repls[0]); k++) {
			size_t fl = strlen(repls[k].from);
			if (fl <= n - i && strncasecmp(s + i, repls[k].from, fl) == 0) {
				/* scheme words only at the start of a token */
				if (repls[k].from[0] != '[' && repls[k].from[0] != '(' &&
				    repls[k].from[0] != '{' && repls[k].from[0] != '\\' &&
				    i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t')
					continue;
				hit = &repls[k];
				break;
			}
		}
		const char *src = hit ? hit->to : s + i;
		size_t len = hit ? strlen(hit->to) : 1;
		if (len >= size - w)
			return SD_ERANGE;
		memcpy(out + w, src, len);
		w += len;
		i += hit ? strlen(hit->from) : 1;
	}
	if (w >= size)
		return SD_ERANGE;
	out[w] = '\0';
	return (long)w;
}
