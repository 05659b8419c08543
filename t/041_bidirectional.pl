
# Copyright (c) decoder_raw contributors

# Bidirectional replication between two nodes.  Each node decodes its own
# slot with only-local and origin-progress; an applier replays A's output on
# B in a session bound to origin from_a (through the SQL functions) and B's
# on A as from_b (through pg_recvlogical, options passed with -o, on a slot
# created by pg_recvlogical).  Both nodes write at the same time as the
# appliers run.  At the end both hold the same data, every change is there
# exactly once on each node, marked with the right origin, and nothing came
# back to the node it started from.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology;

my $xacts = 300;    # transactions written on each node

my %node;
foreach my $name (qw(A B))
{
	$node{$name} = new_logical_node("node_$name", autovacuum => 'off');
	$node{$name}->start;
	create_test_tables($node{$name});
}
my ($node_a, $node_b) = @node{qw(A B)};

# Origins first, so that their creation is not in the streams.
$node_b->safe_psql('postgres',
	"SELECT pg_replication_origin_create('from_a');");
$node_a->safe_psql('postgres',
	"SELECT pg_replication_origin_create('from_b');");

$node_a->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('a_to_b', 'decoder_raw');"
);
$node_b->command_ok(
	[
		'pg_recvlogical',             '--dbname',
		$node_b->connstr('postgres'), '--slot',
		'b_to_a',                     '--plugin',
		'decoder_raw',                '--create-slot'
	],
	'pg_recvlogical creates the slot of B');

# Observers that see everything, to check origins afterwards.
foreach my $n ($node_a, $node_b)
{
	$n->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('watch', 'decoder_raw');"
	);
}

my $spool   = PostgreSQL::Test::Utils::tempdir() . '/b_to_a.sql';
my @streams = (
	{
		via     => 'sql',
		from    => $node_a,
		slot    => 'a_to_b',
		to      => $node_b,
		origin  => 'from_a',
		options => [ 'only-local' => 'on' ]
	},
	{
		via     => 'recvlogical',
		from    => $node_b,
		slot    => 'b_to_a',
		to      => $node_a,
		origin  => 'from_b',
		spool   => $spool,
		options => [ 'only-local' => 'on' ]
	});

# Replicate both ways while both nodes write.
my @writers = (
	start_writer($node_a, 'A', 0,      $xacts),
	start_writer($node_b, 'B', 100000, $xacts));
my $rounds = rounds_while_writing(\@writers, @streams);
cmp_ok($rounds, '>', 1, 'several rounds ran while the nodes wrote');
note "$rounds rounds while writing";

# Catch up, then once more: a change sent back to where it came from would
# keep the streams busy for ever.
my $passes = rounds_until_quiet(10, @streams);
note "caught up in $passes passes";
is(rounds_until_quiet(1, @streams), 1, 'a further pass applies nothing');

my %applied = map { $_->{origin} => $_->{total} } @streams;
is($applied{from_a}, $xacts, "A's transactions applied on B once each");
is($applied{from_b}, $xacts, "B's transactions applied on A once each");

# Nothing is left for either stream: only-local drops every replayed change.
foreach my $s (@streams)
{
	is( $s->{from}->safe_psql(
			'postgres',
			"SELECT count(*) FROM pg_logical_slot_peek_changes('$s->{slot}', NULL, NULL, 'only-local', 'on', 'skip-empty-xacts', 'on');"
		),
		'0',
		"nothing left to send from $s->{slot}");
}

# Same data on both nodes, every journal entry exactly once.
nodes_agree(\%node, $xacts, 'A', 'B');

# The origin tracks the stream: B's progress for from_a is where A's slot
# was confirmed.
is( origin_progress($node_b, 'from_a'),
	slot_confirmed($node_a, 'a_to_b'),
	"B's progress for from_a is A's confirmed position");

# What each node's WAL says: its own transactions are local, the other's
# carry the applier's origin, and each is there once.
is_deeply(
	journal_census($node_a, 'watch'),
	{
		'local:A'      => $xacts,
		'from_b:B'     => $xacts,
		'msg local:A'  => $xacts / 25,
		'msg from_b:B' => $xacts / 25
	},
	"on A, A's changes are local and B's come from from_b, once each");
is_deeply(
	journal_census($node_b, 'watch'),
	{
		'local:B'      => $xacts,
		'from_a:A'     => $xacts,
		'msg local:B'  => $xacts / 25,
		'msg from_a:A' => $xacts / 25
	},
	"on B, B's changes are local and A's come from from_a, once each");

$node_a->stop;
$node_b->stop;

done_testing();
