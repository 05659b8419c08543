
# Copyright (c) decoder_raw contributors

# A ring of three nodes through decoder_raw_apply, A -> B -> C -> A, all
# writing.  With --preserve-origins each applier replays its source's local
# transactions under the source's origin (--origin node_X) and those that
# carry an upstream origin under an origin of that name, so that on every
# node origin node_X marks what was written on node X; each stream
# forwards the changes of its source's upstream (forward-origins), and a
# change stops one node before it would come back.  The applier into B is
# killed with SIGKILL at random points of the workload and restarted: it
# resumes after the largest progress of the origins it feeds.  At the end
# the three nodes hold the same rows, every journal entry once, each
# node's WAL every change of the others once under the origin of the node
# it was written on.  t/042 runs the same ring with psql.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology;
use ApplyTest;

my $seed = $ENV{APPLY_RING_SEED} // time;
srand($seed);
note "random seed $seed (APPLY_RING_SEED)";

my $xacts = 600;    # transactions written on each node
my @names = qw(A B C);
my %base  = (A => 0, B => 100000, C => 200000);
my %next  = (A => 'B', B => 'C', C => 'A');
my %prev  = reverse %next;
my %node;
foreach my $name (@names)
{
	$node{$name} = new_logical_node("node_$name", autovacuum => 'off');
	$node{$name}->start;
	create_test_tables($node{$name});
	$node{$name}->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('watch', 'decoder_raw');"
	);
}

# the applier into $down: from its upstream, under the upstream's name,
# forwarding the upstream's own upstream
sub hop
{
	my ($down) = @_;
	my $up = $prev{$down};
	return (
		$node{$up}, $node{$down},
		'--slot',   'ring_to_' . lc($down),
		'--origin', 'node_' . lc($up),
		'--preserve-origins', '-o', 'forward-origins=node_' . lc($prev{$up}),
		'--status-interval',  '1');
}
foreach my $down (@names)
{
	$node{ $prev{$down} }->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('ring_to_"
		  . lc($down)
		  . "', 'decoder_raw');");
}

my @writers = map { start_writer($node{$_}, $_, $base{$_}, $xacts, 0.005) } @names;
my %app = map { $_ => start_apply(hop($_)) } qw(C A);

# B's applier, killed at random points while the nodes write
my $kills = 0;
while (grep { $_->{h}->pumpable } @writers)
{
	$node{B}->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'applier' AND backend_type = 'client backend'"
	) or die "the killed applier's backend did not end";
	my $b = start_apply(hop('B'));
	usleep(300_000 + int(rand(700_000)));
	$b->{h}->signal('KILL');
	eval { $b->{h}->finish };
	$kills++;
	$_->{h}->pump_nb foreach grep { $_->{h}->pumpable } @writers;
}
$_->{h}->finish or die "writer failed: ${ $_->{err} }" foreach @writers;
cmp_ok($kills, '>=', 3, 'the applier into B was killed while the nodes wrote');
note "$kills kills of the applier into B";
is(stop_apply($app{$_}, 'TERM'), 0, "the applier into $_ stops on SIGTERM")
  foreach sort keys %app;

# A change reaches the third node two hops after it was written: two
# rounds, in the ring's order, bring every node up to date.
foreach my $round (1, 2)
{
	foreach my $down (qw(B C A))
	{
		apply_to_end("round $round into $down", hop($down));
	}
}

nodes_agree(\%node, $xacts, @names);

# In each node's WAL: its own changes are local, the others' carry the
# origin of the node they were written on, once each.
origins_by_writer(\%node, $xacts, 'watch');

# B's origins: node_a for A's changes, node_c for C's that A forwarded,
# which the applier created; each at a position of A's WAL.
my $a_end = $node{A}->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
foreach my $origin (qw(node_a node_c))
{
	my $p = origin_progress($node{B}, $origin);
	ok(defined $p && lsn_cmp($p, $a_end) <= 0,
		"B: origin $origin holds a position of A's stream");
}

# the options --preserve-origins cannot work with
my ($rc, $out, $err) = run_apply($node{A}, $node{B}, '--slot', 'ring_to_b',
	'--preserve-origins', '-o', 'stream-changes=on');
is($rc, 2, '--preserve-origins with stream-changes: bad usage');
like($err, qr/a streamed transaction does not carry its origin/,
	'it says why');
($rc, $out, $err) = run_apply($node{A}, $node{B}, '--slot', 'ring_to_b',
	'--preserve-origins', '-o', 'include-origin=off');
is($rc, 2, '--preserve-origins without include-origin: bad usage');
like($err, qr/needs plugin option "include-origin" on/, 'it names the option');

$node{$_}->stop foreach @names;

done_testing();
