
# Copyright (c) decoder_raw contributors

# decoder_raw_apply replicates the replay workload of t/010 (every case of
# the SQL format) from a slot to another server: run to --endpos, every
# table is the same on both nodes, the target's origin holds the position of
# the last commit and the slot is confirmed exactly there.  Then again into
# a target session with hostile settings, a second run that has nothing to
# do, and a run that stops on SIGTERM while idle; these through the
# procedure of the decoder_raw extension on the target.  Then the hostile
# settings again with SQL statements (--apply-mode sql).

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use ApplyTest;
use OriginTopology qw(lsn_cmp);

my $schema_file   = "$FindBin::RealBin/010_schema.sql";
my $workload_file = "$FindBin::RealBin/010_workload.sql";

my $compare_settings = q{SET extra_float_digits = 3; SET DateStyle = ISO;
SET IntervalStyle = postgres; SET TimeZone = UTC; SET bytea_output = hex;
SET lc_monetary = 'C';};

my $s = new_logical_node(
	'source',
	logical_decoding_work_mem => '64kB',
	max_prepared_transactions => 5,
	autovacuum                => 'off');
my $t = new_logical_node('target', autovacuum => 'off');
$_->start foreach $s, $t;

sub run_file
{
	my ($node, $file) = @_;
	my ($out, $err) = ('', '');

	IPC::Run::run(
		[
			$node->installed_command('psql'), qw(-X -q -v ON_ERROR_STOP=1),
			'-d', $node->connstr('replay'), '-f', $file
		],
		'>', \$out, '2>', \$err);
	return ($? >> 8, $err);
}

sub create_replay_database
{
	my ($node) = @_;

	$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS replay');
	$node->safe_psql('postgres',
		"CREATE DATABASE replay TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
	);
	my ($rc, $err) = run_file($node, $schema_file);
	die "schema failed on " . $node->name . ": $err" if $rc != 0;
	return;
}

sub table_content
{
	my ($node, $table) = @_;

	return $node->safe_psql(
		'replay', qq{$compare_settings
SELECT count(*) || ' rows' || coalesce(E'\\n' || string_agg(
	CASE WHEN length(r) > 300 THEN left(r, 100) || '... md5 ' || md5(r) ELSE r END,
	E'\\n' ORDER BY r COLLATE "C"), '')
FROM (SELECT ROW(x.*)::text AS r FROM ONLY $table x) s});
}

my @tables;

sub compare_tables
{
	my ($run) = @_;
	my $differ = 0;

	foreach my $table (@tables)
	{
		my ($got, $want) =
		  (table_content($t, $table), table_content($s, $table));
		next if $got eq $want;
		$differ++;
		diag "$run: $table differs:\n"
		  . substr($got, 0, 500)
		  . "\nexpected:\n"
		  . substr($want, 0, 500);
	}
	is($differ, 0, "$run: all " . scalar(@tables) . " tables are the same on both nodes");
	return;
}

sub progress
{
	my ($origin) = @_;
	return $t->safe_psql('replay',
		"SELECT pg_replication_origin_progress('$origin', true)");
}

sub confirmed
{
	return $s->safe_psql('replay',
		"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'apply_slot'"
	);
}

create_replay_database($_) foreach $s, $t;
$s->safe_psql('replay',
	"SELECT 'init' FROM pg_create_logical_replication_slot('apply_slot', 'decoder_raw')"
);
my ($rc, $err) = run_file($s, $workload_file);
is($rc, 0, 'workload runs') or diag $err;

# a transaction larger than logical_decoding_work_mem and the buffer
$s->safe_psql('replay',
	"INSERT INTO conc SELECT g, repeat(md5(g::text), 300), g FROM generate_series(5000, 6000) g"
);
my $endpos = $s->safe_psql('replay', 'SELECT pg_current_wal_insert_lsn()');
@tables = split /\x1f/, $s->safe_psql(
	'replay', q{
SELECT string_agg(format('%I.%I', n.nspname, c.relname), chr(31) ORDER BY n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname IN ('public', 'Weird "Schema" é')});
cmp_ok(scalar(@tables), '>', 30, 'the schema has its tables');

my $sysid = $s->safe_psql('replay',
	'SELECT system_identifier FROM pg_control_system()');
my $origin = "decoder_raw_${sysid}_apply_slot";
my $out;

# Run A: default settings, default origin name.
($rc, $out, $err) =
  run_apply($s, $t, 'dbname', 'replay', '--slot', 'apply_slot', '--endpos',
	$endpos, '--verbose');
is($rc, 0, 'run A: the applier reaches endpos and exits 0') or diag $err;
like($err, qr/created replication origin "\Q$origin\E"/,
	'the default origin is named after the system and the slot');
like($err, qr/reached endpos at (\S+): (\d+) transactions/,
	'the applier reports what it applied');
$err =~ /reached endpos at (\S+): (\d+) transactions/;
my ($last, $count) = ($1, $2);
cmp_ok($count, '>', 50, "run A: $count transactions applied");
unlike($err, qr/error|target: (?:WARNING|NOTICE)/i,
	'run A: no error, warning or notice');
like($err, qr/applying through public\.decoder_raw_apply_batch\(\$1\) on the target/,
	'run A: through the procedure of the extension on the target');
is(progress($origin), $last, 'the origin holds the last commit applied');
is(confirmed(), $last, 'the slot is confirmed exactly there');
compare_tables('run A');

# A second run has nothing to do and changes nothing.
($rc, $out, $err) = run_apply($s, $t, 'dbname', 'replay', '--slot',
	'apply_slot', '--endpos', $endpos);
is($rc, 0, 'a second run exits 0');
like($err, qr/: 0 transactions/, 'a second run applies nothing');
is(progress($origin), $last, 'and leaves the progress where it was');

# A run whose target session has hostile settings (PGOPTIONS reaches the
# target's session), into a fresh target database, from a fresh slot, with
# the workload run again; returns the applier's stderr.
sub hostile_run
{
	my ($run, @args) = @_;

	create_replay_database($t);
	$s->safe_psql('replay', "SELECT pg_drop_replication_slot('apply_slot')");
	create_replay_database($s);
	$s->safe_psql('replay',
		"SELECT 'init' FROM pg_create_logical_replication_slot('apply_slot', 'decoder_raw')"
	);
	my ($rc, $err) = run_file($s, $workload_file);
	is($rc, 0, "$run: the workload runs again") or diag $err;
	$endpos = $s->safe_psql('replay', 'SELECT pg_current_wal_insert_lsn()');
	local $ENV{PGOPTIONS} =
		'-c standard_conforming_strings=off -c DateStyle=SQL,DMY '
	  . '-c IntervalStyle=sql_standard -c TimeZone=Asia/Kathmandu '
	  . '-c extra_float_digits=-15 -c bytea_output=escape '
	  . '-c search_path=public';
	($rc, my $out, $err) = run_apply($s, $t, 'dbname', 'replay', '--slot',
		'apply_slot', '--endpos', $endpos, '--verbose', @args);
	is($rc, 0, "$run: hostile target settings, the applier reaches endpos")
	  or diag $err;
	compare_tables($run);
	return $err;
}

# Run C: hostile settings, a new origin.
hostile_run('run C', '--origin', 'run_c');

# SIGTERM while idle: exit 0, the slot confirmed to what the target has.
my $app = start_apply($s, $t, 'dbname', 'replay', '--slot', 'apply_slot',
	'--origin', 'run_c', '--status-interval', '1');
$s->safe_psql('replay', "INSERT INTO pk_simple VALUES (9001, 'after', 1)");
$t->poll_query_until('replay',
	'SELECT count(*) = 1 FROM pk_simple WHERE id = 9001')
  or die "the row did not arrive";
# --status-interval prints status lines; caught up, the lag is nothing
my $status =
  qr/applied (\S+) \(confirmed (\S+)\), lag 0 bytes 0\.0 s, [\d.]+ xacts\/s, [\d.]+ rows\/s, 1 transactions, 0 conflicts/;
foreach (1 .. 100)
{
	last if apply_log($app) =~ $status;
	usleep(100_000);
}
like(apply_log($app), $status,
	'a status line: applied and confirmed LSN, lag 0 once caught up, rates, counts');
apply_log($app) =~ $status;
cmp_ok(lsn_cmp($1, progress('run_c')), '>=', 0,
	'the applied LSN is at least the origin progress');
is(stop_apply($app, 'TERM'), 0, 'SIGTERM: the applier exits 0');
like(apply_log($app), qr/stopped at/, 'and says where it stopped');
cmp_ok(lsn_cmp(confirmed(), progress('run_c')),
	'>=', 0, 'the slot is confirmed at least to the target progress');
is($t->safe_psql('replay', 'SELECT count(*) FROM pk_simple WHERE id = 9001'),
	'1', 'the row is there once');

# Run D: as run C, with SQL statements in simple-protocol queries
# (--apply-mode sql) instead of the procedure.
$err = hostile_run('run D', '--origin', 'run_d', '--apply-mode', 'sql');
unlike($err, qr/applying through/, 'run D: not through the procedure');

# The target session reads the statements in the source database's
# encoding, whatever client_encoding the target's settings give it: with
# LATIN1 there, UTF-8 text would be stored as other characters.
$s->safe_psql('postgres', 'CREATE TABLE enc (id int PRIMARY KEY, v text)');
$t->safe_psql('postgres', 'CREATE TABLE enc (id int PRIMARY KEY, v text)');
$t->safe_psql('postgres', "ALTER DATABASE postgres SET client_encoding = 'LATIN1'");
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('enc_slot', 'decoder_raw')");
$s->safe_psql('postgres', "INSERT INTO enc VALUES (1, 'é € 日本 ✓')");
my $enc_end = $s->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
($rc, $out, $err) =
  run_apply($s, $t, '--slot', 'enc_slot', '--endpos', $enc_end);
is($rc, 0, 'a target whose settings say client_encoding LATIN1') or diag $err;
my $enc_q = 'SELECT octet_length(v), md5(v) FROM enc WHERE id = 1';
is($t->safe_psql('postgres', $enc_q), $s->safe_psql('postgres', $enc_q),
	'holds the same characters');

$s->stop;
$t->stop;
done_testing();
