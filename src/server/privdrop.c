#include "server/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

int srv_drop_privileges(const char *user, struct sd_error *err)
{
	if (geteuid() == 0 || getuid() == 0) {
		struct passwd *pw = getpwnam(user);
		if (!pw)
			return sd_error_set(err, SD_ENOTFOUND,
					    "no user '%s' to drop privileges to", user);
		if (pw->pw_uid == 0)
			return sd_error_set(
			    err, SD_EUSAGE,
			    "--user %s is root; refusing to serve as root", user);
		/* glibc applies these to every thread of the process */
		if (setgroups(0, NULL) != 0)
			return sd_error_errno(err, errno, "setgroups");
		if (setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0)
			return sd_error_errno(err, errno, "setresgid(%u)",
					      (unsigned)pw->pw_gid);
		if (setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0)
			return sd_error_errno(err, errno, "setresuid(%u)",
					      (unsigned)pw->pw_uid);
		if (setuid(0) == 0 || seteuid(0) == 0)
			return sd_error_set(
			    err, SD_EIO, "could regain root after dropping to %s", user);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return sd_error_errno(err, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
	return SD_OK;
}
