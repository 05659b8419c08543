# Copyright (c) decoder_raw contributors

# decoder_raw_apply --copy-data: the slot is created with an exported
# snapshot, every table is copied under it and the stream starts at its
# consistent point.  The source holds data before the applier starts and
# a writer changes every table while the copy runs; once the writes stop, a
# run to --endpos must leave every table the same on both nodes (a copy
# that did not read the snapshot would hold rows that the stream inserts
# again, or miss changes).  The source and the target read dates and
# numbers with different settings.  Then, with partitions-as-root: a
# missing or non-empty target table is refused with nothing copied and no
# slot left; SIGTERM during the copy leaves nothing; an applier killed
# during the copy leaves nothing, and a new run copies again.

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use ApplyTest;
use OriginTopology qw(lsn_cmp);

my $s = new_logical_node('source');
my $t = new_logical_node('target');
$_->start foreach $s, $t;

my $compare_settings = q{SET extra_float_digits = 3; SET DateStyle = ISO;
SET IntervalStyle = postgres; SET TimeZone = UTC; SET bytea_output = hex;};

# the same tables on both nodes; the target's gen has its columns in
# another order
my $schema = q{
CREATE TABLE public.big (id int PRIMARY KEY, v text, n int);
CREATE TABLE public.ident (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text);
CREATE TABLE public.part (id int PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE public.part_1 PARTITION OF public.part FOR VALUES FROM (MINVALUE) TO (100000);
CREATE TABLE public.part_2 PARTITION OF public.part FOR VALUES FROM (100000) TO (MAXVALUE);
CREATE TABLE public.dropped (id int PRIMARY KEY, gone int, v text);
ALTER TABLE public.dropped DROP COLUMN gone;
CREATE TABLE public.nocols ();
CREATE SCHEMA "Odd Schema";
CREATE TABLE "Odd Schema"."Mixed ""Name""" (k text PRIMARY KEY, d date,
	i interval, ts timestamptz, f float8, b bytea, j jsonb);
};
$s->safe_psql('postgres', $schema
	  . q{CREATE TABLE public.gen (id int PRIMARY KEY, a int,
	b int GENERATED ALWAYS AS (a * 2) STORED);
CREATE UNLOGGED TABLE public.scratch (id int);});
$t->safe_psql('postgres', $schema
	  . q{CREATE TABLE public.gen (b int GENERATED ALWAYS AS (a * 2) STORED,
	a int, id int PRIMARY KEY);});

# a value copied as text must not be read back as another
$s->safe_psql('postgres',
	q{ALTER DATABASE postgres SET DateStyle = 'SQL, MDY';
ALTER DATABASE postgres SET extra_float_digits = -15;
ALTER DATABASE postgres SET IntervalStyle = 'sql_standard';
ALTER DATABASE postgres SET bytea_output = 'escape';});
$t->safe_psql('postgres',
	q{ALTER DATABASE postgres SET DateStyle = 'SQL, DMY';
ALTER DATABASE postgres SET IntervalStyle = 'postgres_verbose';});

$s->safe_psql(
	'postgres', q{
INSERT INTO public.big SELECT g, md5(g::text) || repeat('x', g % 50),
	CASE WHEN g % 7 <> 0 THEN g END FROM generate_series(1, 60000) g;
INSERT INTO public.gen (id, a) SELECT g, CASE WHEN g % 5 <> 0 THEN g END
	FROM generate_series(1, 5000) g;
INSERT INTO public.ident (v) SELECT 'v' || g FROM generate_series(1, 3000) g;
INSERT INTO public.part SELECT g * 37, 'p' || g FROM generate_series(1, 6000) g;
INSERT INTO public.dropped SELECT g, E'tab\there ' || g FROM generate_series(1, 500) g;
INSERT INTO public.nocols SELECT FROM generate_series(1, 3);
INSERT INTO public.scratch VALUES (1);
INSERT INTO "Odd Schema"."Mixed ""Name"""
	SELECT 'k' || g, date '2026-01-02' + g, make_interval(days => -g, secs => g / 7.0),
		timestamptz '2026-03-04 05:06:07.891+02' + g * interval '1 hour',
		g / 3.0::float8, decode(md5(g::text), 'hex'), jsonb_build_object('g', g, 'q', E'"\\\\')
	FROM generate_series(1, 2000) g;
INSERT INTO "Odd Schema"."Mixed ""Name""" (k) VALUES ('nulls');
});

# Every table of the source and the columns to compare, by name, so that
# the target's other column order does not matter.
my %columns = map { split /\|/, $_, -1 } split /\n/, $s->safe_psql(
	'postgres', q{
SELECT format('%I.%I', n.nspname, c.relname),
	coalesce(string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE c.relkind = 'r' AND c.relpersistence = 'p'
	AND n.nspname NOT IN ('pg_catalog', 'information_schema')
GROUP BY 1 ORDER BY 1});
is(scalar(keys %columns), 8, 'the source has eight tables to copy');

sub table_digest
{
	my ($node, $db, $table, $cols) = @_;

	return $node->safe_psql(
		$db, qq{$compare_settings
SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r COLLATE "C")), '-')
FROM (SELECT ROW($cols)::text AS r FROM ONLY $table) x});
}

sub compare_tables
{
	my ($what, $db, %cols) = @_;
	my $differ = 0;

	foreach my $table (sort keys %cols)
	{
		my $want = table_digest($s, $db, $table, $cols{$table});
		my $got  = table_digest($t, $db, $table, $cols{$table});
		next if $got eq $want;
		$differ++;
		diag "$what: $table: $got, expected $want";
	}
	is($differ, 0,
		"$what: all " . scalar(keys %cols) . " tables are the same on both nodes");
	return;
}

sub origin_progress_of
{
	my ($db, $slot) = @_;
	my $sysid =
	  $s->safe_psql($db, 'SELECT system_identifier FROM pg_control_system()');
	return $t->safe_psql($db,
		"SELECT pg_replication_origin_progress('decoder_raw_${sysid}_$slot', true)"
	);
}

sub slot_exists
{
	my ($slot) = @_;
	return $s->safe_psql('postgres',
		"SELECT count(*) FROM pg_replication_slots WHERE slot_name = '$slot'");
}

# Writes to every table, one transaction every few milliseconds.
sub start_writes
{
	my ($n) = @_;
	my $sql = qq{
DO \$\$
BEGIN
	FOR w IN 1..$n LOOP
		INSERT INTO public.big VALUES (100000 + w, 'w' || w, w);
		UPDATE public.big SET n = coalesce(n, 0) + 1, v = v || '+'
			WHERE id = 1 + (w * 7919) % 60000;
		DELETE FROM public.big WHERE id = 1 + (w * 104729) % 60000;
		INSERT INTO public.gen (id, a) VALUES (100000 + w, w);
		UPDATE public.gen SET a = coalesce(a, 0) + 1 WHERE id = 1 + w % 5000;
		INSERT INTO public.ident (v) VALUES ('w' || w);
		UPDATE public.ident SET v = v || '!' WHERE id = 1 + (w * 31) % 3000;
		INSERT INTO public.part VALUES (300000 + w, 'w' || w);
		UPDATE public.part SET v = v || '.' WHERE id = 37 * (1 + w % 6000);
		DELETE FROM public.part WHERE id = 37 * (1 + (w * 13) % 6000);
		UPDATE public.dropped SET v = v || w WHERE id = 1 + w % 500;
		UPDATE "Odd Schema"."Mixed ""Name""" SET f = f + 1, d = d + 1
			WHERE k = 'k' || (1 + w % 2000);
		PERFORM pg_sleep(0.002);
		COMMIT;
	END LOOP;
END
\$\$;};
	return start_sql($s, $sql);
}

sub wait_for_log
{
	my ($app, $re) = @_;

	foreach (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if apply_log($app) =~ $re;
		return 0 unless $app->{h}->pumpable;
		usleep(100_000);
	}
	return 0;
}

my ($rc, $out, $err);

# Bad usage: a copy of every table with a stream of some.
($rc, $out, $err) = run_apply($s, $t, '--slot', 'copy_slot', '--copy-data',
	'-o', 'include-tables=public.big');
is($rc, 2, '--copy-data with include-tables: bad usage');
like($err, qr/--copy-data copies every table: it cannot be combined with plugin option "include-tables"/,
	'and says why');

# 1. The copy while a writer changes every table.
my $w = start_writes(3000);
$s->poll_query_until('postgres',
	'SELECT count(*) >= 20 FROM public.big WHERE id > 100000')
  or die 'the writer does not write';
my $app = start_apply($s, $t, '--slot', 'copy_slot', '--copy-data',
	'--verbose', '--status-interval', '1');
ok(wait_for_log($app, qr/copied 8 tables/), 'the copy ends')
  or diag apply_log($app);
my $log = apply_log($app);
note "the applier's log:\n$log";
ok($w->{h}->pumpable, 'the writes went on during the whole copy');
$w->{h}->finish or die "writer failed: ${ $w->{err} }";
my $endpos = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
is(stop_apply($app, 'TERM'), 0, 'the applier streams after the copy, exit 0 on SIGTERM')
  or diag apply_log($app);

like($log, qr/created replication slot "copy_slot" at (\S+), exporting snapshot \S+/,
	'the slot is created with an exported snapshot');
$log =~ /created replication slot "copy_slot" at (\S+),/;
my $consistent = $1;
like($log,
	qr/copied public\.big: 60000 rows, [\d.]+ (?:bytes|kB|MB) in [\d.]+ s/,
	'a line per table: rows, bytes, seconds');
like($log, qr/copied "Odd Schema"\."Mixed ""Name""": 2001 rows/,
	'names are quoted');
like($log, qr/copied public\.part_2: \d+ rows/, 'partitions are copied');
like($log, qr/copied public\.nocols: 3 rows/, 'a table without columns too');
unlike($log, qr/scratch/, 'an unlogged table is not copied');
like($log,
	qr/copied 8 tables, \d+ rows, \S+ \S+ in [\d.]+ s; streaming from the slot's consistent point \Q$consistent\E/,
	'a summary line');
unlike($log, qr/error|WARNING/, 'no error, no warning');

($rc, $out, $err) = run_apply($s, $t, '--slot', 'copy_slot', '--copy-data',
	'--endpos', $endpos);
is($rc, 0, 'a second run with --copy-data reaches endpos') or diag $err;
like($err, qr/has progress \S+: the target holds what was copied or streamed up to there; --copy-data copies nothing/,
	'and copies nothing, with a message');
compare_tables('copy under writes, then stream', 'postgres', %columns);
is( $t->safe_psql('postgres',
		'SELECT count(*) FROM public.gen WHERE b IS DISTINCT FROM a * 2'),
	'0', 'the generated column is computed by the target');
cmp_ok(lsn_cmp(origin_progress_of('postgres', 'copy_slot'), $consistent),
	'>', 0, 'the origin went on from the consistent point');

# An origin with progress whose slot is gone holds another stream's data.
$s->safe_psql('postgres', "SELECT pg_drop_replication_slot('copy_slot')");
($rc, $out, $err) = run_apply($s, $t, '--slot', 'copy_slot', '--copy-data');
is($rc, 1, 'an origin with progress but no slot: exit 1');
like($err, qr/has progress \S+ but replication slot "copy_slot" does not exist: the target holds data of another stream/,
	'and says why');
is(slot_exists('copy_slot'), '0', 'no slot is created');

# 2. A database whose target tables are missing or not empty, then an
# applier killed during the copy.  The stream and the copy write the rows
# of a partition to its root (partitions-as-root): the target's proot is
# not partitioned.
$_->safe_psql('postgres', 'CREATE DATABASE again') foreach $s, $t;
my $tables2 = q{
CREATE TABLE public.huge (id int PRIMARY KEY, v text);
CREATE TABLE public.slow (id int PRIMARY KEY, v text);
CREATE TABLE public.zz_last (id int PRIMARY KEY);};
$_->safe_psql('again', $tables2) foreach $s, $t;
# the target takes the rows of slow slowly, for the copy's progress lines
$t->safe_psql(
	'again', q{
CREATE FUNCTION public.slow_down() RETURNS trigger LANGUAGE plpgsql AS
	$$BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END$$;
CREATE TRIGGER slow_down BEFORE INSERT ON public.slow
	FOR EACH ROW EXECUTE FUNCTION public.slow_down();
ALTER TABLE public.slow ENABLE ALWAYS TRIGGER slow_down;});
$s->safe_psql(
	'again', q{
CREATE TABLE public.proot (id int PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE public.proot_a PARTITION OF public.proot FOR VALUES FROM (MINVALUE) TO (1000);
CREATE TABLE public.proot_b PARTITION OF public.proot FOR VALUES FROM (1000) TO (MAXVALUE);
INSERT INTO public.proot SELECT g * 10, 'r' || g FROM generate_series(1, 300) g;
INSERT INTO public.huge SELECT g, repeat(md5(g::text), 3) FROM generate_series(1, 300000) g;
INSERT INTO public.zz_last SELECT generate_series(1, 10);
INSERT INTO public.slow SELECT g, repeat(md5(g::text), 64) FROM generate_series(1, 1500) g;
CREATE TABLE public.only_here (id int);});
$t->safe_psql('again', 'CREATE TABLE public.proot (v text, id int PRIMARY KEY)');
my %columns2 =
  ('public.huge' => 'id, v', 'public.slow' => 'id, v', 'public.zz_last' => 'id');
my @args2 = (
	'dbname', 'again', '--slot', 'again_slot', '--copy-data',
	'-o', 'partitions-as-root');

($rc, $out, $err) = run_apply($s, $t, @args2);
is($rc, 1, 'a table missing on the target: exit 1');
like($err, qr/table public\.only_here does not exist on the target: nothing was copied/,
	'the message names the table');
$s->safe_psql('again', 'DROP TABLE public.only_here');

$t->safe_psql('again', 'INSERT INTO public.zz_last VALUES (42)');
($rc, $out, $err) = run_apply($s, $t, @args2);
is($rc, 1, 'a non-empty target table: exit 1');
like($err, qr/table public\.zz_last is not empty on the target: --copy-data copies only into empty tables; nothing was copied/,
	'the message names the table');
like($err, qr/dropped replication slot "again_slot" again/, 'the slot is dropped again');
is(slot_exists('again_slot'), '0', 'no slot is left on the source');
is($t->safe_psql('again', 'SELECT count(*) FROM public.huge'),
	'0', 'nothing was copied');
is(origin_progress_of('again', 'again_slot'), '', 'the origin has no progress');
$t->safe_psql('again', 'DELETE FROM public.zz_last');

# SIGTERM while slow is copied: rolled back, the slot dropped, exit 0.
$app = start_apply($s, $t, @args2, '--verbose');
ok(wait_for_log($app, qr/copied public\.proot_b/), 'the copy reaches slow')
  or diag apply_log($app);
is(stop_apply($app, 'TERM'), 0, 'SIGTERM during the copy: exit 0');
like(apply_log($app), qr/dropped replication slot "again_slot" again\n.*copy interrupted: nothing was committed on the target/,
	'the copy is interrupted and the slot dropped');
is(slot_exists('again_slot'), '0', 'no slot is left on the source');
is($t->safe_psql('again', 'SELECT count(*) FROM public.huge'),
	'0', 'nothing was copied');

# The last table is locked on the target, so that the applier waits inside
# the copy, huge copied in its open transaction, when it is killed.
my $lock = $t->background_psql('again');
$lock->query_safe('BEGIN; LOCK TABLE public.zz_last IN SHARE MODE');
$app = start_apply($s, $t, @args2, '--status-interval', '1');
$t->poll_query_until('again',
	"SELECT count(*) = 1 FROM pg_stat_activity WHERE application_name = 'applier' AND wait_event_type = 'Lock' AND query LIKE 'COPY public.zz_last%'"
) or die 'the applier did not reach the locked table: ' . apply_log($app);
like(apply_log($app), qr/copied public\.huge: 300000 rows/,
	'the applier copied huge and waits for the last table');
$app->{h}->signal('KILL');
eval { $app->{h}->finish };
$lock->query_safe('COMMIT');
$lock->quit;
$t->poll_query_until('again',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'applier'"
) or die "the killed applier's session did not end";
is($t->safe_psql('again', 'SELECT count(*) FROM public.huge'),
	'0', 'killed during the copy: nothing is on the target');
is(origin_progress_of('again', 'again_slot'), '',
	'and the origin has no progress');
is(slot_exists('again_slot'), '1', 'the slot is left on the source');

$s->safe_psql('again',
	"INSERT INTO public.huge VALUES (300001, 'after the kill'); DELETE FROM public.huge WHERE id = 7; UPDATE public.zz_last SET id = 11 WHERE id = 1; INSERT INTO public.proot VALUES (5, 'after')"
);
$endpos = $s->safe_psql('again', 'SELECT pg_current_wal_insert_lsn()');
($rc, $out, $err) = run_apply($s, $t, @args2, '--endpos', $endpos,
	'--verbose', '--status-interval', '1');
is($rc, 0, 'a new run with --copy-data copies again and reaches endpos')
  or diag $err;
like($err, qr/replication slot "again_slot" exists but origin "[^"]+" has no progress: no copy finished; dropping the slot to create it again/,
	'it says that it creates the slot again');
like($err, qr/copying public\.slow: \d+ rows, [\d.]+ [kM]B so far in [\d.]+ s/,
	'a table that takes long to copy has progress lines');
note "the applier's log:\n$err";
compare_tables('after a kill during the copy', 'again', %columns2);
my $tree = "$compare_settings SELECT count(*), md5(string_agg(ROW(id, v)::text, ',' ORDER BY id)) FROM public.proot";
is($t->safe_psql('again', $tree), $s->safe_psql('again', $tree),
	'partitions-as-root: the partitions are copied into the root');

$s->stop;
$t->stop;
done_testing();
