#!/usr/bin/perl
# Slowloris from many loopback source addresses, for tests/server/abuse.t
# and bench/serve.sh: from each of 127.0.0.FIRST .. 127.0.0.LAST it holds
# PER connections to 127.0.0.1:PORT, each sending a request line and then
# one header line per INTERVAL seconds, never finishing its header; a
# connection the server closes is opened again at once. Runs SECONDS
# seconds (or until SIGTERM), then prints how many connections it opened and
# how many the server closed.
use strict;
use warnings;
use IO::Socket::INET;
use IO::Select;
use Time::HiRes qw(time sleep);

my ($port, $first, $last, $per, $seconds, $interval) = @ARGV;
die "usage: slowloris.pl PORT FIRST LAST PER SECONDS [INTERVAL]\n" unless defined $seconds;
$interval //= 0.5;
$SIG{PIPE} = 'IGNORE';
my (@socks, %from);
my ($opened, $closed) = (0, 0);
my $sel = IO::Select->new;

sub open_one {
	my ($src) = @_;
	my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
		LocalAddr => $src, Proto => 'tcp', Timeout => 2) or return;
	$s->autoflush(1);
	print $s "GET / HTTP/1.1\r\nHost: x\r\n";
	$opened++;
	$from{$s} = $src;
	$sel->add($s);
}

for my $i ($first .. $last) {
	open_one("127.0.0.$i") for 1 .. $per;
}
my $end = time + $seconds;
$SIG{TERM} = sub { $end = 0 };
my $n = 0;
while (time < $end) {
	# a readable socket was answered or closed by the server: replace it
	for my $s ($sel->can_read($interval)) {
		my $buf;
		my $got = sysread($s, $buf, 4096);
		next if $got;
		my $src = $from{$s};
		$sel->remove($s);
		delete $from{$s};
		close $s;
		$closed++;
		open_one($src);
	}
	$n++;
	for my $s ($sel->handles) {
		print $s "X-Slow-$n: y\r\n";
	}
}
print "opened $opened closed $closed\n";
