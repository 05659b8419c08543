
# Copyright (c) decoder_raw contributors

# A cascade through decoder_raw_apply, every node writing: A -> B -> C.
# B applies A's transactions under origin from_a; the applier B -> C
# forwards them (forward-origins from_a) with B's own, and C writes rows of
# its own that go nowhere.  Appliers run while the three nodes write; at
# the end B holds A's and B's rows once each, C those of all three, and a
# second downstream C2 fed with only-local holds B's only.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use ApplyTest;

my %node;
foreach my $name (qw(A B C C2))
{
	$node{$name} = new_logical_node("node_$name", autovacuum => 'off');
	$node{$name}->start;
	$node{$name}->safe_psql('postgres',
		'CREATE TABLE t (id int PRIMARY KEY, node text NOT NULL, v int)');
}
$node{A}->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('a_b', 'decoder_raw')");
$node{B}->safe_psql('postgres',
	"SELECT count(pg_create_logical_replication_slot(s, 'decoder_raw')) FROM (VALUES ('b_c'), ('b_c2')) v(s)"
);
my %hop = (
	a_b => [ $node{A}, $node{B}, '--origin', 'from_a' ],
	b_c => [ $node{B}, $node{C}, '--origin', 'from_b', '-o', 'forward-origins=from_a' ],
	b_c2 => [ $node{B}, $node{C2}, '--origin', 'from_b', '-o', 'only-local=on' ]);

# transactions of one node: inserts of its own range, updates and deletes
sub start_writer
{
	my ($name, $base) = @_;
	my $sql = qq{
DO \$\$
BEGIN
	FOR i IN 1..300 LOOP
		INSERT INTO t VALUES ($base + 2 * i, '$name', i), ($base + 2 * i + 1, '$name', -i);
		UPDATE t SET v = v * 10 WHERE id = $base + 2 * i;
		DELETE FROM t WHERE id = $base + 2 * i - 1 AND i % 3 = 0;
		COMMIT;
	END LOOP;
END
\$\$;};
	return start_sql($node{$name}, $sql);
}

my @apps = map { start_apply(@{ $hop{$_} }[ 0, 1 ], '--slot', $_, @{ $hop{$_} }[ 2 .. $#{ $hop{$_} } ]) }
  sort keys %hop;
my @writers = (start_writer('A', 0), start_writer('B', 100000), start_writer('C', 200000));
$_->{h}->finish or die "writer failed: ${ $_->{err} }" foreach @writers;
is(stop_apply($_, 'TERM'), 0, 'a running applier stops on SIGTERM with exit 0') foreach @apps;

# catch up hop by hop, in the cascade's order
foreach my $slot (qw(a_b b_c b_c2))
{
	my ($from, $to, @args) = @{ $hop{$slot} };
	my $end = $from->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
	my ($rc, $out, $err) = run_apply($from, $to, '--slot', $slot, '--endpos', $end, @args);
	is($rc, 0, "$slot reaches endpos") or diag $err;
}

sub rows
{
	my ($n, $which) = @_;
	return $node{$n}->safe_psql('postgres',
		"SELECT count(*) || ' ' || md5(string_agg(t::text, ',' ORDER BY id)) FROM t WHERE node IN ($which)"
	);
}
is(rows('B', "'A'"), rows('A', "'A'"), "B holds A's rows");
is(rows('C', "'A', 'B'"), rows('B', "'A', 'B'"), "C holds A's and B's rows, forwarded");
is(rows('C2', "'A', 'B', 'C'"), rows('B', "'B'"), "C2, only-local, holds B's rows only");
is($node{C}->safe_psql('postgres', 'SELECT count(*) FROM t'),
	$node{A}->safe_psql('postgres', 'SELECT count(*) FROM t') * 3,
	'C: the same number of rows from each node, none twice');

done_testing();
