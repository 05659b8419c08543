
# Copyright (c) decoder_raw contributors

# Ring of three nodes, A -> B -> C -> A.  A replication origin records only
# the last hop, so the appliers keep the name of the node where a change was
# first written: on every node, origin node_X marks the changes written on
# node X, whatever neighbour delivered them.  The applier learns that name
# from include-origin ("origin node_X" on BEGIN) and replays local changes
# of its upstream under the upstream's name.  Each node then forwards its
# local changes and those of its upstream's origin (forward-origins names
# the upstream node), and drops those of its downstream, which already has
# them: a change written on A goes A -> B -> C and stops there.
#
# All three nodes write while the appliers run; at the end the three hold
# the same data, and each node's WAL holds every change of the other two
# exactly once, under the origin of the node it was written on.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology;

my $xacts = 200;    # transactions written on each node

my @names = qw(A B C);
my %node;
my %base = (A => 0, B => 100000, C => 200000);
foreach my $name (@names)
{
	my $n = new_logical_node("node_$name", autovacuum => 'off');
	$n->start;
	create_test_tables($n);

	# one origin per other node, named after it
	foreach my $other (grep { $_ ne $name } @names)
	{
		$n->safe_psql('postgres',
				"SELECT pg_replication_origin_create('node_"
			  . lc($other)
			  . "');");
	}
	$node{$name} = $n;
}

# upstream => downstream, with the transport of each stream
my %next = (A => 'B', B => 'C', C => 'A');
my %prev = reverse %next;
my %via  = (A => 'sql', B => 'recvlogical', C => 'sql');
my $tmp  = PostgreSQL::Test::Utils::tempdir();

my @streams;
foreach my $up (@names)
{
	my $down = $next{$up};
	my ($from, $to) = @node{ $up, $down };
	my $slot = 'ring_to_' . lc($down);

	if ($via{$up} eq 'sql')
	{
		$from->safe_psql('postgres',
			"SELECT 'init' FROM pg_create_logical_replication_slot('$slot', 'decoder_raw');"
		);
	}
	else
	{
		$from->safe_psql(
			'postgres',
			"CREATE_REPLICATION_SLOT $slot LOGICAL decoder_raw",
			replication => 'database');
	}
	$from->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('watch', 'decoder_raw');"
	);

	my $up_origin = 'node_' . lc($up);
	push @streams, {
		via     => $via{$up},
		from    => $from,
		slot    => $slot,
		to      => $to,
		spool   => "$tmp/$slot.sql",
		options => [ 'forward-origins' => 'node_' . lc($prev{$up}) ],

		# keep the origin of the node the change was written on
		origin_for => sub { return $_[0] // $up_origin },

		# every origin but the target's own is fed by this stream only
		progress_origins =>
		  [ map { 'node_' . lc($_) } grep { $_ ne $down } @names ],
	};
}

my @writers = map { start_writer($node{$_}, $_, $base{$_}, $xacts) } @names;
my $rounds  = rounds_while_writing(\@writers, @streams);
cmp_ok($rounds, '>', 1, 'several passes ran while the nodes wrote');
note "$rounds passes while writing";

# A change reaches the last node of its path one pass after the one before.
my $passes = rounds_until_quiet(10, @streams);
note "caught up in $passes passes";
is(rounds_until_quiet(1, @streams), 1, 'a further pass applies nothing');

# Each stream carries the changes of its upstream and of the node before.
foreach my $s (@streams)
{
	is($s->{total}, 2 * $xacts,
		"$s->{slot} applied the changes of two nodes, once each");
}

nodes_agree(\%node, $xacts, @names);

# In each node's WAL: its own changes are local, the others' carry the
# origin of the node they were written on, once each.
origins_by_writer(\%node, $xacts, 'watch');

# What the ring forwards: C holds A's changes, but its stream towards A
# leaves them out.
my $to_a = $node{C}->safe_psql('postgres',
	"SELECT count(*) FROM pg_logical_slot_peek_changes('watch', NULL, NULL, 'forward-origins', 'node_b', 'include-origin', 'on') WHERE data LIKE '%origin node_a,%';"
);
is($to_a, '0', "C's stream towards A leaves A's changes out");
my $on_c = $node{C}->safe_psql('postgres',
	"SELECT count(*) FROM pg_logical_slot_peek_changes('watch', NULL, NULL, 'include-origin', 'on') WHERE data LIKE '%origin node_a,%';"
);
is($on_c, $xacts, "C holds A's transactions");

$node{$_}->stop foreach @names;

done_testing();
