/* Untrusted text on the user's terminal: a log line or a query may hold
 * escape sequences or bytes that are not UTF-8. Every message the CLI
 * prints about its input goes through here. */
#ifndef SD_CLI_TERMINAL_H
#define SD_CLI_TERMINAL_H

#include <stddef.h>
#include <stdio.h>

/* Length of the valid UTF-8 sequence at s (1..4), 0 if s[0..n) does not
 * start with one. */
size_t cli_utf8_len(const unsigned char *s, size_t n);

/* Writes s[0..n) with control characters (C0, DEL, C1), backslashes and
 * bytes that are not valid UTF-8 written as \xNN. */
void cli_write_escaped(FILE *f, const char *s, size_t n);

/* The same into buf (always NUL-terminated; cut at a whole character when
 * buf is too small). Returns the length written. */
size_t cli_escape(char *buf, size_t size, const char *s, size_t n);

#endif
