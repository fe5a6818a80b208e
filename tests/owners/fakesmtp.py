"""A scripted SMTP server for the TLS policy tests of notify.t (run by
/usr/bin/python3 fakesmtp.py PORTFILE LOG MODE). It binds a free port on
127.0.0.1 (written to PORTFILE once it listens), serves one connection
after another until killed, writes every line a client sends to LOG, and
accepts every message. aiosmtpd (smtpsink.py) cannot be told to offer AUTH
without TLS from its command line, hence this one. What EHLO offers, by
MODE:
  auth            AUTH PLAIN, no STARTTLS
  starttls-auth   STARTTLS (answered 454: TLS not available) and AUTH PLAIN
"""
import os
import socketserver
import sys

PORTFILE, LOG, MODE = sys.argv[1], sys.argv[2], sys.argv[3]


class Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")
        self.wfile.flush()

    def logged_line(self):
        line = self.rfile.readline()
        with open(LOG, "ab") as f:
            f.write(line)
        return line

    def handle(self):
        self.reply("220 fakesmtp ESMTP")
        while True:
            line = self.logged_line()
            if not line:
                return
            words = line.split()
            verb = words[0].upper() if words else b""
            if verb == b"EHLO":
                offers = ["fakesmtp"]
                if MODE == "starttls-auth":
                    offers.append("STARTTLS")
                offers.append("AUTH PLAIN")
                for i, o in enumerate(offers):
                    self.reply(("250 " if i == len(offers) - 1 else "250-") + o)
            elif verb == b"STARTTLS":
                self.reply("454 4.7.0 TLS not available")
            elif verb == b"AUTH":
                if len(words) == 2:  # the credentials come on the next line
                    self.reply("334 ")
                    self.logged_line()
                self.reply("235 2.7.0 authenticated")
            elif verb == b"DATA":
                self.reply("354 end with a dot")
                while self.logged_line() not in (b".\r\n", b""):
                    pass
                self.reply("250 2.0.0 queued")
            elif verb == b"QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("250 2.0.0 ok")


class Server(socketserver.TCPServer):
    allow_reuse_address = True


with Server(("127.0.0.1", 0), Session) as server:
    with open(PORTFILE + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(PORTFILE + ".tmp", PORTFILE)
    server.serve_forever()
