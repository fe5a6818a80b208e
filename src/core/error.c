#include "core/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *sd_strerror(int code)
{
	switch (code) {
	case SD_OK:
		return "success";
	case SD_EPARSE:
		return "malformed input";
	case SD_ERANGE:
		return "value out of range";
	case SD_EHOSTBITS:
		return "prefix has host bits set";
	case SD_ECORRUPT:
		return "corrupt data";
	case SD_EVERSION:
		return "unsupported format version";
	case SD_ETRUNC:
		return "truncated input";
	case SD_ELIMIT:
		return "limit exceeded";
	case SD_ENOMEM:
		return "out of memory";
	case SD_EUSAGE:
		return "usage error";
	case SD_EFORMAT:
		return "unknown input format";
	case SD_ENOTFOUND:
		return "not found";
	case SD_ECHECKSUM:
		return "checksum mismatch";
	case SD_EIO:
		return "I/O error";
	case SD_EDUPLICATE:
		return "input given twice";
	}
	if (code < 0 && code > -4096)
		return strerror(-code);
	return "unknown error";
}

int sd_error_set(struct sd_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		err->code = code;
	}
	return code;
}

int sd_error_errno(struct sd_error *err, int errnum, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < sizeof(err->msg))
			snprintf(err->msg + n, sizeof(err->msg) - (size_t)n, ": %s",
				 strerror(errnum));
		err->code = -errnum;
	}
	return -errnum;
}

void sd_error_clear(struct sd_error *err)
{
	if (err) {
		err->code = 0;
		err->msg[0] = '\0';
	}
}
