
# Copyright (c) decoder_raw contributors

# Bidirectional replication through two decoder_raw_apply processes, each
# with -o only-local=on, while both nodes write: each change reaches the
# other node once and never comes back.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology;
use ApplyTest;

my $a = new_logical_node('node_a');
my $b = new_logical_node('node_b');
$_->start              foreach $a, $b;
create_test_tables($_) foreach $a, $b;

my @a_to_b = ('--slot', 'a_to_b', '--origin', 'from_a', '-o', 'only-local=on');
my @b_to_a = ('--slot', 'b_to_a', '--origin', 'from_b', '-o', 'only-local=on');

# the appliers create the slots and origins, and run while both nodes write
my $ab = start_apply($a, $b, @a_to_b, '--create-slot');
my $ba = start_apply($b, $a, @b_to_a, '--create-slot');
foreach my $node ($a, $b)
{
	my $slot = $node == $a ? 'a_to_b' : 'b_to_a';
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_replication_slots WHERE slot_name = '$slot' AND active"
	) or die "slot $slot not streaming";
}
my $wa = start_writer($a, 'A', 0,      500, 0.002);
my $wb = start_writer($b, 'B', 100000, 500, 0.002);
$_->{h}->finish or die "writer failed: ${ $_->{err} }" foreach $wa, $wb;

is(stop_apply($ab, 'TERM'), 0, 'the A to B applier stops with exit 0');
is(stop_apply($ba, 'TERM'), 0, 'the B to A applier stops with exit 0');

# catch up both ways to the current end
foreach my $run ([ $a, $b, @a_to_b ], [ $b, $a, @b_to_a ])
{
	my ($from, $to, @args) = @$run;
	my $end = $from->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
	my ($rc, $out, $err) = run_apply($from, $to, @args, '--endpos', $end);
	is($rc, 0, $from->name . ' to ' . $to->name . ' catches up') or diag $err;
}

foreach my $node ($a, $b)
{
	is( $node->safe_psql(
			'postgres',
			"SELECT node, count(*), count(DISTINCT seq) FROM public.journal GROUP BY node ORDER BY node"
		),
		"A|500|500\nB|500|500",
		$node->name . ': every journal entry of both nodes, once');
}
my $q = 'SELECT id, node, n, note FROM public.items ORDER BY id';
is($a->safe_psql('postgres', $q), $b->safe_psql('postgres', $q),
	'items identical on both nodes');

# nothing came back
is( $a->safe_psql('postgres',
		"SELECT count(*) FROM public.journal WHERE node = 'A'"),
	'500', 'A holds its own changes once: none came back');

$a->stop;
$b->stop;
done_testing();
