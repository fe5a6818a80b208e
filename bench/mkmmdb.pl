#!/usr/bin/perl
# Writes a MaxMind DB of the same entries the sighted benchmark builds, with
# Debian's libmaxmind-db-writer-perl: the baseline's own writer.
#   mkmmdb.pl 4|6 ENTRIES.tsv OUT.mmdb
# ENTRIES.tsv: address <TAB> first_seen <TAB> last_seen <TAB> count <TAB> campaign
# (one host per line, as `db_lookup emit` prints it). Each network's data is a
# map of the same four fields sighted stores.
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 4|6 ENTRIES.tsv OUT.mmdb\n" unless @ARGV == 3;
my ( $family, $in, $out ) = @ARGV;
die "family must be 4 or 6\n" unless $family eq '4' || $family eq '6';
my $hostlen = $family eq '4' ? 32 : 128;

my %types = (
    campaign   => 'utf8_string',
    first_seen => 'uint32',
    last_seen  => 'uint32',
    count      => 'uint32',
);

# Record values must hold node count + data offset; 32 bits fits any set
# this benchmark writes, 28 the 1M IPv4 one (about 14M nodes + 50 MB data).
open my $fh, '<', $in or die "$in: $!\n";
my $lines = 0;
$lines++ while <$fh>;
close $fh;
my $record_size = ( $family eq '4' && $lines <= 2_000_000 ) ? 28 : 32;

my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => $family,
    record_size              => $record_size,
    database_type            => 'sighted-bench',
    languages                => ['en'],
    description              => { en => 'sighted benchmark: random sightings' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,
);

open $fh, '<', $in or die "$in: $!\n";
my $n = 0;
while ( my $line = <$fh> ) {
    chomp $line;
    my ( $addr, $first, $last, $count, $campaign ) = split /\t/, $line;
    die "$in:$.: expected 5 fields\n" unless defined $campaign;
    $tree->insert_network(
        "$addr/$hostlen",
        {
            campaign   => $campaign,
            first_seen => $first + 0,
            last_seen  => $last + 0,
            count      => $count + 0,
        }
    );
    $n++;
}
close $fh;

open my $ofh, '>:raw', "$out.tmp" or die "$out.tmp: $!\n";
$tree->write_tree($ofh);
close $ofh or die "$out.tmp: $!\n";
rename "$out.tmp", $out or die "$out: $!\n";
printf STDERR "mkmmdb: %d networks, record size %d, %d nodes\n", $n,
    $record_size, $tree->node_count();
