
# Copyright (c) decoder_raw contributors

# Cascade X -> Y -> Z.  Y replays X's changes under origin from_x and writes
# changes of its own.  Y's slot towards Z forwards X's changes because its
# forward-origins names from_x; a second downstream, Z2, reads a slot of Y
# whose forward-origins leaves from_x out, and gets Y's changes only.  The
# origin LSN that Y records for each of X's transactions (through
# origin-progress) is the end of that transaction's commit on X, and
# include-origin passes it on.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology;

my $xacts = 150;

my %node;
foreach my $name (qw(X Y Z Z2))
{
	my $n = new_logical_node("node_$name", autovacuum => 'off');
	$n->start;
	create_test_tables($n);
	$node{$name} = $n;
}
$node{Y}
  ->safe_psql('postgres', "SELECT pg_replication_origin_create('from_x');");
$node{Z}
  ->safe_psql('postgres', "SELECT pg_replication_origin_create('from_y');");
$node{Z2}
  ->safe_psql('postgres', "SELECT pg_replication_origin_create('from_y');");

$node{X}->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('$_', 'decoder_raw');"
) foreach qw(x_to_y watch);
$node{Y}->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('$_', 'decoder_raw');"
) foreach qw(y_to_z2 watch);
$node{Y}->safe_psql(
	'postgres',
	'CREATE_REPLICATION_SLOT y_to_z LOGICAL decoder_raw',
	replication => 'database');
$node{$_}->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('watch', 'decoder_raw');"
) foreach qw(Z Z2);

my @streams = (
	{
		from    => $node{X},
		slot    => 'x_to_y',
		to      => $node{Y},
		origin  => 'from_x',
		options => [ 'only-local' => 'on' ]
	},
	{
		via     => 'recvlogical',
		from    => $node{Y},
		slot    => 'y_to_z',
		to      => $node{Z},
		origin  => 'from_y',
		spool   => PostgreSQL::Test::Utils::tempdir() . '/y_to_z.sql',
		options => [ 'forward-origins' => 'from_x' ]
	},
	{
		from    => $node{Y},
		slot    => 'y_to_z2',
		to      => $node{Z2},
		origin  => 'from_y',
		options => [ 'forward-origins' => 'from_w' ]
	});

my @writers = (
	start_writer($node{X}, 'X', 0,      $xacts),
	start_writer($node{Y}, 'Y', 100000, $xacts));
my $rounds = rounds_while_writing(\@writers, @streams);
cmp_ok($rounds, '>', 1, 'several passes ran while X and Y wrote');
my $passes = rounds_until_quiet(10, @streams);
note "$rounds passes while writing, caught up in $passes";

is($streams[0]{total}, $xacts,     "X's transactions applied on Y");
is($streams[1]{total}, 2 * $xacts, "X's and Y's transactions applied on Z");
is($streams[2]{total}, $xacts,     "Y's transactions only applied on Z2");

my $counts_q =
  q{SELECT node, count(*), count(DISTINCT seq) FROM public.journal
	GROUP BY node ORDER BY node};
is( $node{Z}->safe_psql('postgres', $counts_q),
	"X|$xacts|$xacts\nY|$xacts|$xacts",
	'Z: every journal entry of X and Y once');
is($node{Z2}->safe_psql('postgres', $counts_q),
	"Y|$xacts|$xacts", 'Z2: every journal entry of Y once, none of X');

my $items_q = 'SELECT id, node, n, note FROM public.items ORDER BY id';
is( $node{Z}->safe_psql('postgres', $items_q),
	$node{Y}->safe_psql('postgres', $items_q),
	'Z holds the items of Y');
is( $node{Z2}->safe_psql('postgres', $items_q),
	$node{Y}->safe_psql(
		'postgres',
		"SELECT id, node, n, note FROM public.items WHERE node = 'Y' ORDER BY id"
	),
	"Z2 holds Y's own items");
is( $node{Y}->safe_psql(
		'postgres',
		"SELECT id, node, n, note FROM public.items WHERE node = 'X' ORDER BY id"
	),
	$node{X}->safe_psql('postgres', $items_q),
	"Y holds X's items");

# On Z, both X's and Y's changes arrive through Y: origins record the last
# hop.
is_deeply(
	journal_census($node{Z}, 'watch'),
	{
		'from_y:X'     => $xacts,
		'from_y:Y'     => $xacts,
		'msg from_y:X' => $xacts / 25,
		'msg from_y:Y' => $xacts / 25
	},
	'Z: the changes of X and Y, once each, under from_y');

# exclude-origins leaves X's changes out as well.
my $x_rows_q =
  "SELECT count(*) FROM pg_logical_slot_peek_changes('watch', NULL, NULL%s) WHERE data LIKE 'INSERT INTO public.journal %%''X''%%';";
is($node{Y}->safe_psql('postgres', sprintf($x_rows_q, '')),
	$xacts, "X's journal entries in Y's WAL");
is( $node{Y}->safe_psql(
		'postgres', sprintf($x_rows_q, ", 'exclude-origins', 'from_x'")),
	'0',
	'exclude-origins from_x: none of them on the way out of Y');

# The origin LSN of each of X's transactions on Y is the end of its commit
# on X, the LSN origin-progress gave to pg_replication_origin_xact_setup().
my $x_ends = $node{X}->safe_psql('postgres',
	"SELECT string_agg(substring(data from '''([0-9A-F]+/[0-9A-F]+)'''), ' ') FROM pg_logical_slot_peek_changes('watch', NULL, NULL, 'origin-progress', 'on', 'skip-empty-xacts', 'on') WHERE data LIKE '%pg_catalog.pg_replication_origin_xact_setup(%';"
);
my $y_origin_lsns = $node{Y}->safe_psql('postgres',
	"SELECT string_agg(substring(data from 'origin_lsn (\\S+)\$'), ' ') FROM pg_logical_slot_peek_changes('watch', NULL, NULL, 'include-origin', 'on', 'skip-empty-xacts', 'on') WHERE data LIKE 'BEGIN; -- origin from_x,%';"
);
my @x_ends = split / /, $x_ends;
is(scalar(@x_ends), $xacts, "X's watch slot shows its transactions");
is($y_origin_lsns, $x_ends,
	"on Y, the origin LSNs of X's transactions are their commit ends on X");

is( origin_progress($node{Z2}, 'from_y'),
	slot_confirmed($node{Y}, 'y_to_z2'),
	"Z2's progress for from_y is where Y's slot was confirmed");
is( origin_progress($node{Y}, 'from_x'),
	slot_confirmed($node{X}, 'x_to_y'),
	"Y's progress for from_x is where X's slot was confirmed");

$node{$_}->stop foreach qw(X Y Z Z2);

done_testing();
