/* Started as root (to bind a low port), the server becomes an unprivileged
 * user once its sockets are open, then sets PR_SET_NO_NEW_PRIVS so no
 * executable can raise its privileges again. */
#ifndef SD_SERVER_PRIVDROP_H
#define SD_SERVER_PRIVDROP_H

#include "core/error.h"

/* If running as root, switches to user (groups, gid, uid) and checks that
 * root cannot be regained; in every case sets PR_SET_NO_NEW_PRIVS. */
int srv_drop_privileges(const char *user, struct sd_error *err);

#endif
