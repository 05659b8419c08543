
# Copyright (c) decoder_raw contributors

=pod

=head1 NAME

DecoderRawNode - PostgreSQL::Test::Cluster set up for decoder_raw tests

=head1 SYNOPSIS

  use DecoderRawNode;

  my $node = new_logical_node('primary', work_mem => '4MB');
  $node->start;

=head1 DESCRIPTION

new_logical_node($name, %extra_conf) returns an initialised but not yet
started node with wal_level = logical and decoder_raw listed in
output_plugin_libraries, which PostgreSQL 15.19 and later require for any
output plugin other than pgoutput and test_decoding.  Each pair of
%extra_conf is appended to postgresql.conf as "key = value"; pass values
that need quoting already quoted.

=cut

package DecoderRawNode;

use strict;
use warnings;

use Exporter 'import';
use PostgreSQL::Test::Cluster;

our @EXPORT = qw(new_logical_node);

sub new_logical_node
{
	my ($name, %extra_conf) = @_;

	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(allows_streaming => 'logical');

	my $conf = <<'EOM';
output_plugin_libraries = 'decoder_raw, pgoutput, test_decoding'
max_replication_slots = 10
max_wal_senders = 10
EOM
	foreach my $key (sort keys %extra_conf)
	{
		$conf .= "$key = $extra_conf{$key}\n";
	}
	$node->append_conf('postgresql.conf', $conf);

	return $node;
}

1;
