#!/usr/bin/perl
# A scripted SMTP server for the TLS policy tests of notify.t (run as
# perl fakesmtp.pl PORTFILE LOG MODE). It binds a free port on 127.0.0.1
# (written to PORTFILE once it listens), serves one connection after
# another until killed, writes every line a client sends to LOG, and
# accepts every message. aiosmtpd (smtpsink.py) cannot be told to offer
# AUTH without TLS from its command line, hence this one. What EHLO
# offers, by MODE:
#   auth            AUTH PLAIN, no STARTTLS
#   starttls-auth   STARTTLS (answered 454: TLS not available) and AUTH PLAIN
use strict;
use warnings;
use IO::Socket::INET;

my ($portfile, $log, $mode) = @ARGV;
die "usage: fakesmtp.pl PORTFILE LOG MODE\n" unless defined $mode;
my $srv = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	Proto => 'tcp', Listen => 5, ReuseAddr => 1) or die "listen: $!\n";
open(my $pf, '>', "$portfile.tmp") or die "$portfile.tmp: $!\n";
print $pf $srv->sockport, "\n";
close($pf);
rename("$portfile.tmp", $portfile) or die "rename: $!\n";

while (my $c = $srv->accept) {
	$c->autoflush(1);
	my $reply = sub { print $c "$_[0]\r\n" };
	my $line = sub {
		my $l = <$c>;
		if (defined $l) {
			open(my $lf, '>>', $log) or die "$log: $!\n";
			print $lf $l;
			close($lf);
		}
		return $l;
	};
	$reply->('220 fakesmtp ESMTP');
	while (defined(my $l = $line->())) {
		my @w = split(' ', $l);
		my $verb = @w ? uc $w[0] : '';
		if ($verb eq 'EHLO') {
			my @offers = ('fakesmtp');
			push @offers, 'STARTTLS' if $mode eq 'starttls-auth';
			push @offers, 'AUTH PLAIN';
			for my $i (0 .. $#offers) {
				$reply->(($i == $#offers ? '250 ' : '250-') . $offers[$i]);
			}
		} elsif ($verb eq 'STARTTLS') {
			$reply->('454 4.7.0 TLS not available');
		} elsif ($verb eq 'AUTH') {
			if (@w == 2) { # the credentials come on the next line
				$reply->('334 ');
				$line->();
			}
			$reply->('235 2.7.0 authenticated');
		} elsif ($verb eq 'DATA') {
			$reply->('354 end with a dot');
			while (defined(my $d = $line->())) {
				last if $d eq ".\r\n";
			}
			$reply->('250 2.0.0 queued');
		} elsif ($verb eq 'QUIT') {
			$reply->('221 2.0.0 bye');
			last;
		} else {
			$reply->('250 2.0.0 ok');
		}
	}
	close($c);
}
