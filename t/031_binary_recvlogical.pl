
# Copyright (c) decoder_raw contributors

# A binary stream captured by pg_recvlogical -f, which writes a newline
# after every message, is read by decoder_raw_dump as it is: the SQL it
# prints is what the SQL format writes for the same changes.  The capture
# is made in two sessions appended to one file, so the reader also meets a
# second header and relation ids that start over.  The slots decode
# prepared transactions at PREPARE: one is prepared in the first session
# and committed in the second (on a table of its own: its lock would block
# the second session's DDL).  It is made with one
# record per message, with the default packing of a replication
# connection, and with message sizes that end messages anywhere in a
# transaction, in the middle of the header's session or of a relation's.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use IPC::Run;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $dump = $ENV{DECODER_RAW_DUMP} // 'decoder_raw_dump';

my $node = new_logical_node(
	'recvlogical',
	autovacuum => 'off',
	max_prepared_transactions => 10,
	logical_decoding_work_mem => '64kB');
$node->start;

my @options = (
	'include-xids' => 'on',
	'include-lsn' => 'on',
	'include-timestamp' => 'on');

$node->safe_psql(
	'postgres', q{
CREATE TABLE public.t (id int PRIMARY KEY, v text, n numeric, f float8);
CREATE TABLE public.other (k text PRIMARY KEY, b bytea);
CREATE TABLE public.prepared_t (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('rl_sql', 'decoder_raw', false, true);
});

# message-size of each capture; undef: the default
my @sizes = ('0', undef, '1', '7', '30', '100', '1000', '8kB');
foreach my $i (0 .. $#sizes)
{
	$node->safe_psql('postgres',
		"SELECT 'init' FROM pg_create_logical_replication_slot('rl_binary_$i', 'decoder_raw', false, true)"
	);
}

# Values and lengths that put newline bytes (0x0A) inside records: a value
# of 8 bytes has the header 0x0A, text with newlines, a record whose body
# is 10 bytes long.
$node->safe_psql(
	'postgres', q{
INSERT INTO t VALUES (1, E'line\nbreak\n', 10, 0.1);
INSERT INTO t VALUES (2, '12345678', NULL, NULL);
INSERT INTO t VALUES (10, repeat(E'\n', 10), 1e10, -1.5);
INSERT INTO other VALUES (E'\n', '\x0a0a0a');
BEGIN;
INSERT INTO t SELECT i, 'row ' || i, i * 1.5, i / 3.0 FROM generate_series(100, 2100) i;
UPDATE t SET v = v || E'\n' WHERE id % 7 = 0;
DELETE FROM t WHERE id % 11 = 0;
COMMIT;
SELECT pg_logical_emit_message(true, E'\n', E'\n\n');
BEGIN;
INSERT INTO prepared_t VALUES (1);
PREPARE TRANSACTION E'g\n1';
BEGIN;
DELETE FROM other;
PREPARE TRANSACTION 'g2';
ROLLBACK PREPARED 'g2';
});

sub capture_file
{
	my ($i) = @_;
	return $node->basedir . "/capture_$i.bin";
}

# Run pg_recvlogical of every capture up to the current end of WAL,
# appending to its file.
sub capture_upto
{
	my $endpos = $node->safe_psql('postgres',
		'SELECT pg_current_wal_insert_lsn()');
	foreach my $i (0 .. $#sizes)
	{
		my @cmd = (
			'pg_recvlogical', '-d', $node->connstr('postgres'),
			'--slot', "rl_binary_$i", '--start', '--no-loop',
			'--endpos', $endpos, '-f', capture_file($i),
			'-o', 'format=binary');
		push @cmd, '-o', "message-size=$sizes[$i]" if defined $sizes[$i];
		for (my $j = 0; $j < @options; $j += 2)
		{
			push @cmd, '-o', "$options[$j]=$options[$j + 1]";
		}
		my ($out, $err);
		IPC::Run::run(\@cmd, '>', \$out, '2>', \$err,
			IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default))
		  or die "pg_recvlogical failed: $err";
	}
	return $endpos;
}

my $endpos1 = capture_upto();

# A second session: the relations are described again, with ids that
# start over, after a second header record.
$node->safe_psql(
	'postgres', q{
INSERT INTO other VALUES ('x', NULL);
ALTER TABLE t ADD COLUMN extra int DEFAULT 7;
UPDATE t SET id = -id WHERE id = 1;
TRUNCATE other;
SELECT pg_logical_emit_message(false, 'p', 'non-transactional');
INSERT INTO t VALUES (3, 'flushes the message');
COMMIT PREPARED E'g\n1';
});
my $endpos2 = capture_upto();

my $optlist = join('', map { ", '$_'" } @options);
my $sql = '';
foreach my $upto ($endpos1, $endpos2)
{
	my $rows = $node->safe_psql('postgres',
		"SELECT data FROM pg_logical_slot_get_changes('rl_sql', '$upto', NULL$optlist)"
	);
	$sql .= "$rows\n";
}

# One record per message: a newline after each.
my $content = slurp_file(capture_file(0));
is(substr($content, 0, 8), "\x48\x05DRAW\x02\n",
	'one record per message: the capture starts with a header record and the newline pg_recvlogical adds'
);
my $headers = () = $content =~ /\nH\x05DRAW\x02\n/g;
is($headers, 1, 'one record per message: the capture holds a second session');

# Packed by default: the header shares its message with the first begin.
$content = slurp_file(capture_file(1));
is(substr($content, 0, 8), "\x48\x05DRAW\x02B",
	'default: the header record and the begin record share a message');
$headers = () = $content =~ /\nH\x05DRAW\x02B/g;
is($headers, 1, 'default: the capture holds a second session');

foreach my $i (0 .. $#sizes)
{
	my $label = 'message-size ' . ($sizes[$i] // 'default');
	my ($out, $err) = ('', '');
	IPC::Run::run([ $dump, capture_file($i) ], '>', \$out, '2>', \$err);
	is($?, 0, "$label: decoder_raw_dump reads the capture") or diag($err);
	is($out, $sql,
		"$label: decoder_raw_dump prints what the SQL format writes ("
		  . ($sql =~ tr/\n//) . ' lines)');
}

$node->stop;

done_testing();
