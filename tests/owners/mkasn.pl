#!/usr/bin/perl
# Writes a MaxMind DB in the GeoLite2-ASN layout with Debian's
# libmaxmind-db-writer-perl, for the owners tests and benchmark.
#   mkasn.pl 4|6 NETWORKS.tsv OUT.mmdb
# NETWORKS.tsv: network/len <TAB> AS number <TAB> organization
# An IPv6 tree also answers IPv4 lookups (::/96 aliased, as GeoLite2 does).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

die "usage: $0 4|6 NETWORKS.tsv OUT.mmdb\n" unless @ARGV == 3;
my ( $family, $in, $out ) = @ARGV;
die "family must be 4 or 6\n" unless $family eq '4' || $family eq '6';
my %types = (
    autonomous_system_number       => 'uint32',
    autonomous_system_organization => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
    ip_version               => $family,
    record_size              => 32,
    database_type            => 'GeoLite2-ASN',
    languages                => ['en'],
    description              => { en => 'sighted test ASN database' },
    map_key_type_callback    => sub { $types{ $_[0] } },
    remove_reserved_networks => 0,
    alias_ipv6_to_ipv4       => ( $family eq '6' ? 1 : 0 ),
);
open my $fh, '<:encoding(UTF-8)', $in or die "$in: $!\n";
while ( my $line = <$fh> ) {
    chomp $line;
    next if $line eq '' || $line =~ /^#/;
    my ( $net, $asn, $org ) = split /\t/, $line, 3;
    die "$in:$.: expected 3 fields\n" unless defined $org;
    next if $family eq '4' && $net =~ /:/;    # an IPv4 tree holds IPv4 only
    $tree->insert_network( $net,
        { autonomous_system_number => $asn + 0, autonomous_system_organization => $org } );
}
close $fh;
open my $o, '>:raw', $out or die "$out: $!\n";
$tree->write_tree($o);
close $o or die "$out: $!\n";
