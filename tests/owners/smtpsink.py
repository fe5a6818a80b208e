"""An aiosmtpd handler for the notify tests (run by /usr/bin/python3 -m
aiosmtpd -n -l 127.0.0.1:PORT -c smtpsink.Sink DIR MODE [ARG]).

Every accepted message is written to DIR/NNN.eml with its envelope in
DIR/NNN.env (MAIL FROM, then one RCPT TO a line). Modes:
  accept              accept everything
  refuse-rcpt DOMAIN  answer 550 to RCPT TO at DOMAIN
  drop-data N         close the connection without answering the first N
                      DATA commands (the client sees the server vanish
                      mid-message), accept afterwards
  kill-at N PIDFILE   on the N-th message, SIGKILL the process in PIDFILE
                      before answering, and do not store that message
"""
import os
import signal


class Sink:
    def __init__(self, directory, mode="accept", arg=None, arg2=None):
        self.dir = directory
        self.mode = mode
        self.arg = arg
        self.arg2 = arg2
        self.datas = 0
        self.count = len([f for f in os.listdir(directory) if f.endswith(".eml")])

    @classmethod
    def from_cli(cls, parser, *args):
        if not args:
            parser.error("smtpsink.Sink wants DIR [MODE [ARG [ARG2]]]")
        return cls(*args)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.mode == "refuse-rcpt" and address.endswith("@" + self.arg):
            return "550 5.1.1 <%s>: no such mailbox here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.datas += 1
        if self.mode == "drop-data" and self.datas <= int(self.arg):
            server.transport.abort()  # gone without a reply
            return "421 closing"  # written to a closed transport: never sent
        if self.mode == "kill-at" and self.datas == int(self.arg):
            with open(self.arg2) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL)
            return "451 4.3.0 try again later"
        self.count += 1
        base = os.path.join(self.dir, "%03d" % self.count)
        with open(base + ".env.tmp", "w") as f:
            f.write(envelope.mail_from + "\n")
            for r in envelope.rcpt_tos:
                f.write(r + "\n")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(base + ".env.tmp", base + ".env")
        os.rename(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 stored as %03d" % self.count
