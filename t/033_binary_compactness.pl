
# Copyright (c) decoder_raw contributors

# Compactness of the binary format: on the benchmark workloads of bench/
# ((a) and (b): 500,000 inserts, 100,000 updates, 70,000 deletes on a
# five-column table, in large or in small transactions), binary records
# with text values take at most 0.8 times the bytes of pgoutput's messages
# (proto_version 1, text values) for the same changes.  Both are decoded
# from the same WAL, in one session each, and all of their output counts:
# begin, commit and relation messages too.
#
# DECODER_RAW_COMPACTNESS_SCALE (default 1) divides the row counts, for a
# quicker run.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $scale = $ENV{DECODER_RAW_COMPACTNESS_SCALE} // 1;
my $n_ins = int(500000 / $scale);
my $n_upd = int(100000 / $scale);
my $n_del = int(70000 / $scale);

my $node = new_logical_node('compactness', autovacuum => 'off');
$node->start;

# The rows of bench/: int key, text, numeric, timestamptz, bool; one text
# value in fifty holds a quote.
$node->safe_psql(
	'postgres', q{
CREATE FUNCTION rows5(lo int, hi int)
RETURNS TABLE (id int, name text, amount numeric(12, 2), created timestamptz,
			   active bool)
LANGUAGE sql AS $$
	SELECT i,
		   md5(i::text) || CASE WHEN i % 50 = 0 THEN ' it''s' ELSE '' END,
		   round(i * 1.37, 2),
		   timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second',
		   i % 2 = 0
	  FROM generate_series(lo, hi) AS i
$$;
CREATE TABLE bench_a (id int PRIMARY KEY, name text, amount numeric(12, 2),
	created timestamptz, active bool);
CREATE TABLE bench_b (LIKE bench_a INCLUDING ALL);
CREATE PUBLICATION pub FOR TABLE bench_a, bench_b;
});

# Bytes of the output of both plugins for the changes made by $workload,
# and the number of changes in decoder_raw's.
sub measure
{
	my ($workload) = @_;

	$node->safe_psql(
		'postgres', q{
SELECT 'init' FROM pg_create_logical_replication_slot('raw', 'decoder_raw');
SELECT 'init' FROM pg_create_logical_replication_slot('pgoutput', 'pgoutput');
});
	$node->safe_psql('postgres', $workload);
	my $result = $node->safe_psql(
		'postgres', q{
SELECT count(*) FILTER (WHERE get_byte(data, 0) IN (73, 85, 68)),
	sum(octet_length(data))
  FROM pg_logical_slot_peek_binary_changes('raw', NULL, NULL, 'format', 'binary', 'message-size', '0');
SELECT sum(octet_length(data))
  FROM pg_logical_slot_peek_binary_changes('pgoutput', NULL, NULL,
	'proto_version', '1', 'publication_names', 'pub');
SELECT pg_drop_replication_slot('raw');
SELECT pg_drop_replication_slot('pgoutput');
});
	my ($counts, $pgoutput) = split(/\n/, $result);
	my ($changes, $raw) = split(/\|/, $counts);
	return ($changes, $raw, $pgoutput);
}

my %workloads = (
	'(a) large transactions' => qq{
DO \$\$
DECLARE
	lo int;
BEGIN
	FOR lo IN 1 .. $n_ins BY 100000 LOOP
		INSERT INTO bench_a SELECT * FROM rows5(lo, least(lo + 99999, $n_ins));
		COMMIT;
	END LOOP;
	UPDATE bench_a SET amount = amount + 1, active = NOT active,
		name = name || 'u' WHERE id <= $n_upd;
	COMMIT;
	DELETE FROM bench_a WHERE id > $n_ins - $n_del;
END
\$\$;
},
	'(b) small transactions' => qq{
DO \$\$
DECLARE
	r record;
BEGIN
	FOR k IN 0 .. $n_upd - 1 LOOP
		FOR r IN SELECT * FROM rows5(k * 5 + 1, k * 5 + 5) LOOP
			INSERT INTO bench_b VALUES (r.id, r.name, r.amount, r.created, r.active);
		END LOOP;
		UPDATE bench_b SET amount = amount + 1, active = NOT active,
			name = name || 'u' WHERE id = greatest(k * 5 - 4, 1);
		IF k > 0 AND k % 10 < 7 THEN
			DELETE FROM bench_b WHERE id = k * 5 - 3;
		END IF;
		COMMIT;
	END LOOP;
END
\$\$;
});

foreach my $name (sort keys %workloads)
{
	my ($changes, $raw, $pgoutput) = measure($workloads{$name});

	cmp_ok($changes, '>=', $n_ins + $n_upd + $n_del * 0.99,
		"$name: the binary output holds the changes ($changes)");
	my $ratio = $raw / $pgoutput;
	note sprintf('%s: decoder_raw binary %d bytes, pgoutput %d bytes, ratio %.3f',
		$name, $raw, $pgoutput, $ratio);
	cmp_ok($ratio, '<=', 0.8,
		sprintf("$name: binary output takes at most 0.8 times pgoutput's bytes (%.3f)",
			$ratio));
}

$node->stop;

done_testing();
