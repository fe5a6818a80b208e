/* One error space for the whole project: 0 is success, negative errno values
 * pass through from the system, and sighted's own codes start at -1000 so the
 * two can never collide (the Knot DNS convention). */
#ifndef SD_CORE_ERROR_H
#define SD_CORE_ERROR_H

#include <stddef.h>

enum sd_err {
	SD_OK = 0,
	SD_EPARSE = -1000,     /* malformed text input */
	SD_ERANGE = -1001,     /* a number or length out of its allowed range */
	SD_EHOSTBITS = -1002,  /* prefix has bits set past its length */
	SD_ECORRUPT = -1003,   /* snapshot or binary input fails validation */
	SD_EVERSION = -1004,   /* snapshot format version not supported */
	SD_ETRUNC = -1005,     /* input ends before its structure does */
	SD_ELIMIT = -1006,     /* a named limit was exceeded */
	SD_ENOMEM = -1007,     /* allocation failed */
	SD_EUSAGE = -1008,     /* bad command-line usage */
	SD_EFORMAT = -1009,    /* unknown or undetectable input format */
	SD_ENOTFOUND = -1010,  /* named thing (campaign, column) absent */
	SD_ECHECKSUM = -1011,  /* snapshot checksum mismatch */
	SD_EIO = -1012,	       /* I/O failed in a library (gzip, zstd) */
	SD_EDUPLICATE = -1013, /* the same input given twice (merge) */
};

/* Detailed error: a code plus a human sentence saying what and where. */
struct sd_error {
	int code;
	char msg[512];
};

const char *sd_strerror(int code);

/* Records code and a printf-style message; returns code so callers can write
 * `return sd_error_set(err, SD_EPARSE, "...")`. err may be NULL. */
int sd_error_set(struct sd_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like sd_error_set with code -errno and the system's text appended. */
int sd_error_errno(struct sd_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void sd_error_clear(struct sd_error *err);

#endif
