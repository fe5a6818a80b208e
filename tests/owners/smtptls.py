"""A TLS SMTP server for notify_tls.t, built on Debian's python3-aiosmtpd
(whose command line cannot set an authenticator). Run with /usr/bin/python3:

  smtptls.py PORTFILE DIR LOG CERT KEY USER PASSWORD

It binds a free port on 127.0.0.1 (written to PORTFILE once it listens),
offers STARTTLS with CERT/KEY and requires it before anything else
(require_starttls), and AUTH only over TLS (auth_require_tls). The
authenticator accepts exactly USER/PASSWORD. LOG gets one line per event:
  CONNECT                   a client connected
  STARTTLS                  the client asked for the upgrade
  TLS up | TLS failed       how the handshake ended
  AUTH MECH tls=0|1         an AUTH command, before any policy check
  LOGIN MECH USER tls=0|1 accepted|rejected   what the authenticator saw
Accepted messages are stored as smtpsink.py stores them (DIR/NNN.eml and
DIR/NNN.env).
"""
import asyncio
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from smtpsink import Sink  # noqa: E402


def main():
    portfile, directory, log, cert, key, user, password = sys.argv[1:8]

    def record(line):
        with open(log, "a") as f:
            f.write(line + "\n")

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        login = auth_data.login.decode("utf-8", "replace") \
            if isinstance(auth_data, LoginPassword) else "?"
        record("LOGIN %s %s tls=%d %s" % (mechanism, login,
                                          session.ssl is not None,
                                          "accepted" if ok else "rejected"))
        return AuthResult(success=ok)

    class LoggingSMTP(SMTP):
        def connection_made(self, transport):
            if self._original_transport is None:  # not the TLS layer
                record("CONNECT")
            SMTP.connection_made(self, transport)

        # the AUTH command is logged before aiosmtpd's own checks, so an
        # attempt in the clear (refused with 538) is seen too
        async def smtp_AUTH(self, arg):
            record("AUTH %s tls=%d" % ((arg.split() or ["-"])[0],
                                       self._tls_protocol is not None))
            return await SMTP.smtp_AUTH(self, arg)

        async def smtp_STARTTLS(self, arg):
            record("STARTTLS")
            try:
                result = await SMTP.smtp_STARTTLS(self, arg)
            except Exception:
                record("TLS failed")
                raise
            record("TLS up")
            return result

    for name in ("smtp_AUTH", "smtp_STARTTLS"):  # HELP and EHLO read these
        for attr in ("__smtp_syntax__", "__smtp_syntax_extended__",
                     "__smtp_syntax_when__"):
            setattr(getattr(LoggingSMTP, name), attr,
                    getattr(getattr(SMTP, name), attr))

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    ctx.verify_mode = ssl.CERT_NONE  # no client certificates
    handler = Sink(directory)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    def factory():
        return LoggingSMTP(handler, hostname="localhost", tls_context=ctx,
                           require_starttls=True, auth_require_tls=True,
                           authenticator=authenticator, loop=loop)

    server = loop.run_until_complete(
        loop.create_server(factory, host="127.0.0.1", port=0))
    port = server.sockets[0].getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)
    loop.run_forever()


if __name__ == "__main__":
    main()
