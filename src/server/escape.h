/* Escaping for text echoed into HTML, and the page templates. Everything a
 * client sent or the snapshot holds goes through srv_buf_html before it
 * reaches a page, so no input can become markup. */
#ifndef SD_SERVER_ESCAPE_H
#define SD_SERVER_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>

/* A growable byte buffer with a sticky out-of-memory flag: after a failed
 * allocation every append does nothing and srv_buf_take returns NULL. */
struct srv_buf {
	char *data;
	size_t len, cap;
	bool failed;
};

void srv_buf_put(struct srv_buf *b, const char *s, size_t n);
void srv_buf_puts(struct srv_buf *b, const char *s);
void srv_buf_printf(struct srv_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s with & < > " ' replaced by entities; bytes that are not valid
 * UTF-8 and control characters become U+FFFD. */
void srv_buf_html(struct srv_buf *b, const char *s, size_t n);
/* The buffer's contents (NUL-terminated, caller frees), or NULL if an
 * allocation failed; the buffer is reset either way. */
char *srv_buf_take(struct srv_buf *b, size_t *len);
void srv_buf_free(struct srv_buf *b);

/* Fills a template: each "{{name}}" is replaced by the value fn gives for
 * name (fn appends it, escaped as it sees fit); other text is copied. */
typedef void (*srv_template_fn)(struct srv_buf *out, const char *name, size_t n,
				void *ctx);
void srv_template(struct srv_buf *out, const char *tpl, size_t len, srv_template_fn fn,
		  void *ctx);

#endif
