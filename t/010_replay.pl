# Copyright (c) decoder_raw contributors

# Replay and compare: a workload covering every case of the SQL format is
# decoded on one node and the output is run by psql on another node with
# the same schema; every table must then hold the same rows on both.
#
# The decoding is repeated in a session with hostile settings, and must give
# byte-identical output; the replay is repeated in a session with hostile
# settings, standard_conforming_strings = off among them, and must give the
# same tables.  Decoding the replayed changes on the target must give back
# the source's changes.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $schema_file   = "$FindBin::RealBin/010_schema.sql";
my $workload_file = "$FindBin::RealBin/010_workload.sql";
my $tempdir       = PostgreSQL::Test::Utils::tempdir;

# Settings under which table contents are turned into text for comparison:
# -0 and 0, 1.0 and 1.00, '1 day' and '24:00:00' all print differently.
my $compare_settings = q{SET extra_float_digits = 3; SET DateStyle = ISO;
SET IntervalStyle = postgres; SET TimeZone = UTC; SET bytea_output = hex;
SET lc_monetary = 'C';};

# Sequences that TRUNCATE ... RESTART IDENTITY resets, and one that it must
# leave alone.
my @restarted_sequences =
  qw(tr_a_id_seq tr_b_id_seq tr_always_id_seq tr_fk_child_id_seq);
my $kept_sequence = 'tr_keep_id_seq';

# Run a SQL file with psql in the database "replay" of a node, the way a
# consumer would; returns psql's exit code and standard error.
sub run_sql_file
{
	my ($node, $file, $pgoptions) = @_;
	my ($stdout, $stderr) = ('', '');

	local $ENV{PGOPTIONS} = $pgoptions // '';
	my @cmd = (
		$node->installed_command('psql'),
		qw(-X -q -v ON_ERROR_STOP=1),
		'-d', $node->connstr('replay'),
		'-f', $file);
	IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr);
	return ($? >> 8, $stderr);
}

# (Re)create the database "replay" of a node with the schema.  On a target,
# the sequences are moved away from their start, so that a replayed RESTART
# IDENTITY shows.
sub create_replay_database
{
	my ($node, $is_target) = @_;

	$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS replay');
	$node->safe_psql('postgres',
		"CREATE DATABASE replay TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
	);
	my ($rc, $stderr) = run_sql_file($node, $schema_file);
	die "schema script failed on " . $node->name . ": $stderr" if $rc != 0;
	$node->safe_psql('replay',
		"SELECT setval(oid, 1000) FROM pg_class WHERE relkind = 'S'")
	  if $is_target;
	return;
}

# Like is(), but on failure shows the first line that differs rather than
# both texts, which may be megabytes.
sub is_text
{
	my ($got, $expected, $name) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;

	return pass($name) if $got eq $expected;

	my @got      = split /\n/, $got,      -1;
	my @expected = split /\n/, $expected, -1;
	my $i        = 0;
	$i++ while $i < @got && $i < @expected && $got[$i] eq $expected[$i];
	my $shorten = sub {
		my $line = shift;
		return '(end of text)' unless defined $line;
		return length($line) > 300 ? substr($line, 0, 300) . '...' : $line;
	};
	fail($name);
	diag(
		sprintf(
			"first difference at line %d (%d lines against %d expected)\n"
			  . "     got: %s\nexpected: %s",
			$i + 1,
			scalar @got,
			scalar @expected,
			$shorten->($got[$i]),
			$shorten->($expected[$i])));
	return 0;
}

sub write_file
{
	my ($path, $content) = @_;
	open my $fh, '>:raw', $path or die "could not open $path: $!";
	print $fh $content;
	close $fh;
	return;
}

# Content of one table (without its inheritance children) as text: the row
# count, then the rows in a fixed order, long rows shortened to a digest.
# ROW(x.*), since a bare x would be a column of that name if there is one.
sub table_content
{
	my ($node, $table) = @_;

	return $node->safe_psql(
		'replay', qq{$compare_settings
SELECT count(*) || ' rows' || coalesce(E'\\n' || string_agg(
	CASE WHEN length(r) > 300
		 THEN left(r, 100) || '... (' || length(r) || ' characters, md5 ' || md5(r) || ')'
		 ELSE r END,
	E'\\n' ORDER BY r COLLATE "C"), '')
FROM (SELECT ROW(x.*)::text AS r FROM ONLY $table x) s});
}

sub sequence_state
{
	my ($node, $seq) = @_;
	return $node->safe_psql('replay',
		"SELECT last_value || ' ' || is_called FROM $seq");
}

# Compare every table, and the restarted sequences, of source and target.
sub compare_nodes
{
	my ($source, $target, $tables, $run) = @_;

	foreach my $table (@$tables)
	{
		is_text(
			table_content($target, $table),
			table_content($source, $table),
			"$run: table $table is the same on both nodes");
	}
	foreach my $seq (@restarted_sequences)
	{
		is( sequence_state($target, $seq),
			sequence_state($source, $seq),
			"$run: sequence $seq restarted as on the source");
	}
	is(sequence_state($target, $kept_sequence),
		'1000 true', "$run: sequence $kept_sequence not restarted");
	return;
}

# Replay a decoded stream on a fresh target database and compare.
sub replay_and_compare
{
	my ($source, $target, $tables, $file, $run, $pgoptions) = @_;

	create_replay_database($target, 1);
	my ($rc, $stderr) = run_sql_file($target, $file, $pgoptions);
	is($rc,     0,  "$run: replay succeeds");
	is($stderr, '', "$run: replay prints no error, warning or notice");
	compare_nodes($source, $target, $tables, $run);
	return;
}

my $source = new_logical_node(
	'source',
	logical_decoding_work_mem => '64kB',
	max_prepared_transactions => 5,
	max_connections           => 20,
	autovacuum                => 'off');
$source->start;
my $target = new_logical_node('target', autovacuum => 'off');
$target->start;

create_replay_database($source, 0);
$source->safe_psql('replay',
	"SELECT 'init' FROM pg_create_logical_replication_slot('replay_slot', 'decoder_raw')"
);

# Concurrent sessions: transactions interleave and commit in another order
# than they began; the output is in commit order.
my @s = map { $source->background_psql('replay') } 0 .. 2;
$s[0]->query_safe('BEGIN');
$s[0]->query_safe(
	"INSERT INTO conc VALUES (1, 's0', 0), (2, 's0', 0), (3, 's0', 0)");
$s[1]->query_safe('BEGIN ISOLATION LEVEL REPEATABLE READ');
$s[1]->query_safe("INSERT INTO conc VALUES (10, 's1', 0), (11, 's1', 0)");
$s[1]->query_safe("INSERT INTO conc_full VALUES (1, 0), (1, 0), (2, 0)");
$s[2]->query_safe("INSERT INTO conc VALUES (20, 's2', 0)");
$s[0]->query_safe("UPDATE conc SET n = n + 1 WHERE id = 1");
$s[0]->query_safe('SAVEPOINT sp');
$s[0]->query_safe("INSERT INTO conc VALUES (4, 'rolled back', 0)");
$s[0]->query_safe('ROLLBACK TO SAVEPOINT sp');
$s[1]->query_safe(
	"UPDATE conc_full SET n = 1 WHERE ctid = (SELECT ctid FROM conc_full WHERE k = 1 LIMIT 1)"
);
$s[1]->query_safe('COMMIT');
$s[2]->query_safe('BEGIN');
$s[2]->query_safe("UPDATE conc SET v = 's2 saw s1', n = n + 1 WHERE id = 10");
$s[0]->query_safe("UPDATE conc SET n = n + 10 WHERE id = 11");
$s[0]->query_safe("DELETE FROM conc_full WHERE k = 2");
$s[0]->query_safe('COMMIT');
$s[2]->query_safe("DELETE FROM conc WHERE id = 2");
$s[2]->query_safe("UPDATE conc SET n = n + 100 WHERE id = 11");
$s[2]->query_safe('COMMIT');

# A transaction larger than logical_decoding_work_mem, with TOAST, while
# small ones commit.
$s[1]->query_safe('BEGIN');
$s[1]->query_safe(
	"INSERT INTO conc SELECT g, (SELECT string_agg(md5((g * 100 + i)::text), '') FROM generate_series(1, 100) i), g FROM generate_series(100, 1100) g"
);
$s[2]->query_safe("UPDATE conc SET n = -1 WHERE id = 20");
$s[1]->query_safe("UPDATE conc SET n = n * 2 WHERE id BETWEEN 100 AND 200");
$s[2]->query_safe("INSERT INTO conc VALUES (21, 's2', 0)");
$s[0]->query_safe("INSERT INTO conc_full VALUES (3, 3)");
$s[1]->query_safe("DELETE FROM conc WHERE id > 1000");
$s[1]->query_safe('COMMIT');
$_->quit foreach @s;

# Concurrent clients that wait on each other's row locks.
$source->pgbench(
	'--no-vacuum --client=4 --transactions=50',
	0,
	[qr{processed: 200/200}],
	[],
	'concurrent clients',
	{
		'010_replay_bench' => q{
\set aid random(1, 100)
\set delta random(-5000, 5000)
\set k random(1, 10)
BEGIN;
UPDATE bench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
INSERT INTO bench_history (aid, delta) VALUES (:aid, :delta);
UPDATE bench_full SET n = n + 1 WHERE k = :k;
END;
}
	},
	'replay');

# A transaction that fails is not decoded.
my ($ret, $stdout, $stderr) = $source->psql('replay',
	"BEGIN; INSERT INTO xact VALUES (300, 'aborted by error'); INSERT INTO xact VALUES (300, 'duplicate'); COMMIT;"
);
isnt($ret, 0, 'failing transaction fails');
like(
	$stderr,
	qr/duplicate key value violates unique constraint "xact_pkey"/,
	'failing transaction fails on the duplicate key');

my ($rc, $workload_stderr) = run_sql_file($source, $workload_file);
is($rc, 0, 'workload runs') or diag($workload_stderr);

my $end_lsn =
  $source->safe_psql('replay', 'SELECT pg_current_wal_insert_lsn()');

# Every table of the schema, by quoted name; names may hold newlines.
my @tables = split /\x1f/, $source->safe_psql(
	'replay', q{
SELECT string_agg(format('%I.%I', n.nspname, c.relname), chr(31) ORDER BY n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname IN ('public', 'Weird "Schema" é')});

# Decode the whole workload in a session with the given settings; the
# output must come with no warning.
sub decode
{
	my ($label, $settings, $options) = @_;
	my ($out, $err);

	$options = defined $options ? ", $options" : '';
	$source->psql(
		'replay',
		"$settings SELECT data FROM pg_logical_slot_peek_changes('replay_slot', '$end_lsn', NULL$options)",
		stdout       => \$out,
		stderr       => \$err,
		on_error_die => 1);
	is($err, '', "$label: decoding gives no warning");
	return "$out\n";
}

my $out_a = decode('run A', '');
write_file("$tempdir/run_a.sql", $out_a);

# The plugin writes a quoted name holding a control character as a U&""
# identifier, so that every record stays on one line.
sub plugin_name
{
	my ($name) = @_;
	$name =~ s{("(?:[^"]|"")*")}{
		my $q = $1;
		if ($q =~ /[\x00-\x1f\x7f]/)
		{
			$q =~ s/\\/\\\\/g;
			$q =~ s/([\x00-\x1f\x7f])/sprintf('\\%04X', ord($1))/ge;
			$q = "U&$q";
		}
		$q;
	}ge;
	return $name;
}

# The workload reached what it is meant to exercise.
foreach my $table (@tables)
{
	my $written = plugin_name($table);
	like(
		$out_a,
		qr/^(?:INSERT INTO|UPDATE(?: ONLY)?|DELETE FROM(?: ONLY)?) \Q$written\E /m,
		"the output changes $table");
}
is( $source->safe_psql(
		'replay',
		"SELECT spill_txns > 0 FROM pg_stat_replication_slots WHERE slot_name = 'replay_slot'"
	),
	't',
	'a transaction was spilled to disk');
like(
	$out_a,
	qr/^UPDATE public\.toast_pk SET id = 101, small = 0 WHERE id = 1;$/m,
	'unchanged TOAST columns are left out of SET');
like(
	$out_a,
	qr/^-- UPDATE on public\.toast_always changed no column that can be assigned$/m,
	'an UPDATE of nothing but unchanged TOAST is a comment');
like(
	$out_a,
	qr/^UPDATE public\.ri_switch SET id = 2, v = 'BB' WHERE ctid = \(SELECT ctid FROM public\.ri_switch WHERE id = 2 AND v = 'B' LIMIT 1\);$/m,
	'a change of replica identity in a transaction is followed');
like(
	$out_a,
	qr/^UPDATE ONLY public\.inh_parent SET id = 1, v = 'parent!' WHERE id = 1;$/m,
	'an inheritance parent is updated with ONLY');
like(
	$out_a,
	qr/^TRUNCATE ONLY public\.tr_fk_parent, ONLY public\.tr_fk_child RESTART IDENTITY CASCADE;$/m,
	'TRUNCATE keeps RESTART IDENTITY and CASCADE');
like(
	$out_a,
	qr/^SELECT pg_catalog\.pg_logical_emit_message\(false, 'aborted', 'non-transactional, decoded anyway'\);$/m,
	'the non-transactional message of an aborted transaction is decoded');
unlike(
	$out_a,
	qr/rolled back|aborted by error|never decoded|VALUES \(100, 'aborted'\)/,
	'nothing of aborted transactions and subtransactions is decoded');

# Run A: decoding and replay with default settings.
replay_and_compare($source, $target, \@tables, "$tempdir/run_a.sql", 'run A');

# Packed messages (message-size): a row holds several statements, one per
# line, and the output is byte for byte the same, whatever the size: a
# message ending anywhere, the large transaction spanning many messages.
foreach my $size ('1', '100', '1000', '8kB', '64kB', '64MB')
{
	my $packed = decode("message-size $size", '', "'message-size', '$size'");
	is_text($packed, $out_a,
		"message-size $size: the same output, byte for byte");
	write_file("$tempdir/run_p.sql", $packed) if $size eq '1000';
}
replay_and_compare($source, $target, \@tables, "$tempdir/run_p.sql",
	'run P, message-size 1000');

# pg_recvlogical: a replication connection packs by default, and the file,
# a newline after each message, holds the same script.
$source->safe_psql('replay',
	"SELECT 'copy' FROM pg_copy_logical_replication_slot('replay_slot', 'replay_recv')"
);
{
	my ($stdout, $stderr);
	IPC::Run::run(
		[
			$source->installed_command('pg_recvlogical'),
			'-d', $source->connstr('replay'),
			'--slot', 'replay_recv', '--start', '--no-loop',
			'--endpos', $end_lsn, '-f', "$tempdir/run_r.sql"
		],
		'>', \$stdout, '2>', \$stderr,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	is($?, 0, 'pg_recvlogical succeeds') or diag($stderr);
}
is_text(PostgreSQL::Test::Utils::slurp_file("$tempdir/run_r.sql"),
	$out_a, 'pg_recvlogical, packed by default: the same output, byte for byte');
$source->safe_psql('replay', "SELECT pg_drop_replication_slot('replay_recv')");

# Decoding the replayed changes on the target gives back the source's
# changes, messages included: nothing was lost or added by the replay.
# Only the comments and the transactions left empty by them differ.
create_replay_database($target, 1);
$target->safe_psql('replay',
	"SELECT 'init' FROM pg_create_logical_replication_slot('roundtrip', 'decoder_raw')"
);
($rc, $stderr) = run_sql_file($target, "$tempdir/run_a.sql");
is($rc, 0, 'replay for the round trip succeeds');
my $roundtrip = $target->safe_psql('replay',
	"SELECT data FROM pg_logical_slot_get_changes('roundtrip', NULL, NULL, 'skip-empty-xacts', '1')"
);
my $expected = decode('round trip', '', "'skip-empty-xacts', '1'");
$expected =~
  s/^-- UPDATE on .*? changed no column that can be assigned\n//mgs;
$expected =~ s/^BEGIN;\nCOMMIT;\n//mg;
$roundtrip .= "\n";

# ri_switch has REPLICA IDENTITY FULL for a while on the source only.
s/^.*public\.ri_switch .*\n//mg foreach ($roundtrip, $expected);
is_text($roundtrip, $expected,
	'decoding the replay on the target gives the source changes back');
$target->safe_psql('replay', "SELECT pg_drop_replication_slot('roundtrip')");

# Run B: decoding under hostile settings is byte for byte the same.
my $hostile =
	"SET DateStyle = 'SQL, DMY'; SET IntervalStyle = 'sql_standard'; "
  . "SET extra_float_digits = -15; SET bytea_output = 'escape'; "
  . "SET TimeZone = 'Asia/Kathmandu'; "
  . "SET search_path = 'Weird \"Schema\" é', pg_catalog;";
if ($source->psql('replay', "SET lc_monetary = 'C.UTF-8'") == 0)
{
	$hostile .= " SET lc_monetary = 'C.UTF-8';";
}
my $out_b = decode('run B', $hostile);
is_text($out_b, $out_a,
	'decoding under hostile settings gives byte-identical output');
write_file("$tempdir/run_b.sql", $out_b);
replay_and_compare($source, $target, \@tables, "$tempdir/run_b.sql", 'run B');

my $out_q =
  decode('quote_all_identifiers', 'SET quote_all_identifiers = on;');
is_text($out_q, $out_a,
	'decoding with quote_all_identifiers gives byte-identical output');

# Run C: replay in a session with hostile settings: a backslash in a plain
# literal would be read differently, and the text forms that compare values
# of types without "=" are not those of the decoding session.
replay_and_compare($source, $target, \@tables, "$tempdir/run_a.sql", 'run C',
		'-c standard_conforming_strings=off -c DateStyle=SQL,DMY '
	  . '-c IntervalStyle=sql_standard -c TimeZone=Asia/Kathmandu '
	  . '-c extra_float_digits=-15 -c bytea_output=escape');

$source->stop;
$target->stop;

done_testing();
