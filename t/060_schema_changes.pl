
# Copyright (c) decoder_raw contributors

# Schema changes in the middle of a decoded stream.  decoder_raw writes no
# DDL, so the source commits each DDL statement together with a row of
# table "ddl" that holds its text; on the target, a trigger on that table
# runs the statement when the row is replayed, at the very point of the
# stream where the source ran it.  Every table must then be the same on
# both nodes, with the stream decoded under default and hostile settings
# (byte-identical) and replayed under default and hostile settings, and
# the binary format printed by decoder_raw_dump must be the same SQL.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $tempdir = PostgreSQL::Test::Utils::tempdir;
my $dump = $ENV{DECODER_RAW_DUMP} // 'decoder_raw_dump';

# the same on both nodes before the stream starts
my $schema = q{
CREATE TABLE ddl (id int PRIMARY KEY, stmt text NOT NULL);
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE pt AS (x int, y float8);
CREATE TYPE stamp AS (n int);
CREATE TABLE t1 (id int PRIMARY KEY, a text, b int);
CREATE TABLE t2 (id int PRIMARY KEY, m mood, p pt);
CREATE TABLE tf (id int, v text, p pt, s stamp);
CREATE TABLE ts (id int PRIMARY KEY, s stamp);
ALTER TABLE tf REPLICA IDENTITY FULL;
CREATE TABLE tk (id int NOT NULL, code text NOT NULL, v text);
CREATE UNIQUE INDEX tk_code ON tk (code);
CREATE UNIQUE INDEX tk_id ON tk (id);
ALTER TABLE tk REPLICA IDENTITY USING INDEX tk_code;
CREATE TABLE parted (id int, k int, v text, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES IN (1);
CREATE TABLE parted_2 (id int, k int, v text, PRIMARY KEY (id, k));
CREATE TABLE gone (id int PRIMARY KEY, v text);
CREATE SCHEMA other;
};

# on the target only: the replayed row runs its statement
my $target_trigger = q{
CREATE FUNCTION run_ddl() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE NEW.stmt;
    RETURN NULL;
END
$$;
CREATE TRIGGER ddl_run AFTER INSERT ON ddl FOR EACH ROW EXECUTE FUNCTION run_ddl();
};

# Transactions of the workload; a DDL step is "DDL: statement" followed by
# the changes made in the same transaction after it.
my @steps = (
	q{INSERT INTO t1 VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3);
	  INSERT INTO t2 VALUES (1, 'sad', ROW(1, 0.5)), (2, 'ok', ROW(2, -0.0)), (3, 'happy', NULL);
	  INSERT INTO tf VALUES (1, 'a', ROW(1, 1.5), ROW(1)), (2, 'b', ROW(2, '-0'), ROW(2)), (2, 'b', ROW(2, '-0'), ROW(2)), (3, 'c', NULL, NULL);
	  INSERT INTO tk VALUES (1, 'k1', 'a'), (2, 'k2', 'b');
	  INSERT INTO parted VALUES (1, 1, 'p1'), (2, 1, 'p2');
	  INSERT INTO parted_2 VALUES (10, 2, 'standalone');
	  INSERT INTO gone VALUES (1, 'old'), (2, 'old');
	  INSERT INTO ts VALUES (1, ROW(1));},
	[ q{ALTER TABLE t1 ADD COLUMN c date DEFAULT '2001-02-03'},
	  q{INSERT INTO t1 VALUES (4, 'four', 4, '2024-12-31'); UPDATE t1 SET c = '1999-01-02' WHERE id = 1;} ],
	[ q{ALTER TABLE t1 DROP COLUMN b},
	  q{UPDATE t1 SET a = 'uno' WHERE id = 1; INSERT INTO t1 VALUES (5, 'five', NULL); DELETE FROM t1 WHERE id = 2;} ],
	[ q{ALTER TABLE t1 RENAME COLUMN a TO "A two"},
	  q{UPDATE t1 SET "A two" = 'tres' WHERE id = 3;} ],
	[ q{ALTER TABLE t1 ALTER COLUMN "A two" TYPE varchar(20)},
	  q{UPDATE t1 SET "A two" = 'cuatro' WHERE id = 4; UPDATE t1 SET id = 40 WHERE id = 4;} ],
	[ q{ALTER TABLE t1 RENAME TO t1r},
	  q{INSERT INTO t1r VALUES (6, 'six', '2006-06-06');} ],
	[ q{ALTER TABLE t1r SET SCHEMA other},
	  q{UPDATE other.t1r SET c = NULL WHERE id = 5; DELETE FROM other.t1r WHERE id = 6;} ],
	[ q{ALTER TABLE t2 REPLICA IDENTITY FULL},
	  q{UPDATE t2 SET m = 'happy' WHERE id = 2; DELETE FROM t2 WHERE id = 3;} ],
	q{UPDATE t2 SET p = ROW(9, 9.5) WHERE id = 1;},
	[ q{ALTER TABLE t2 REPLICA IDENTITY DEFAULT},
	  q{UPDATE t2 SET id = 20 WHERE id = 2;} ],
	[ q{ALTER TABLE tk REPLICA IDENTITY USING INDEX tk_id},
	  q{UPDATE tk SET code = 'k1b' WHERE id = 1;} ],
	[ q{ALTER TABLE parted ATTACH PARTITION parted_2 FOR VALUES IN (2)},
	  q{INSERT INTO parted VALUES (11, 2, 'attached'); UPDATE parted SET v = 'moved' WHERE id = 10;} ],
	[ q{ALTER TABLE parted DETACH PARTITION parted_1},
	  q{INSERT INTO parted_1 VALUES (3, 1, 'detached'); UPDATE parted_1 SET v = 'p1!' WHERE id = 1;} ],
	[ q{ALTER TYPE pt ADD ATTRIBUTE z int},
	  q{UPDATE tf SET v = 'a!' WHERE id = 1; UPDATE t2 SET p = ROW(1, 0.25, 7) WHERE id = 1;} ],
	q{INSERT INTO ts VALUES (3, ROW(3));},
	[ q{ALTER TYPE stamp ADD ATTRIBUTE d date, ADD ATTRIBUTE f float8},
	  q{INSERT INTO tf VALUES (4, 'd', NULL, ROW(4, '2001-02-03', 1e-7::float8 / 3)); UPDATE tf SET v = 'b!' WHERE ctid = (SELECT ctid FROM tf WHERE id = 2 LIMIT 1);} ],
	q{INSERT INTO ts VALUES (2, ROW(2, '2001-02-03', 1e-7::float8 / 3));},
	[ q{ALTER TYPE pt DROP ATTRIBUTE x},
	  q{UPDATE tf SET v = 'c!' WHERE id = 3; DELETE FROM tf WHERE id = 1; UPDATE tf SET id = 44 WHERE id = 4;} ],
	[ q{ALTER TYPE mood RENAME VALUE 'ok' TO 'fine'},
	  q{INSERT INTO t2 VALUES (4, 'fine', NULL); UPDATE t2 SET m = 'fine' WHERE id = 1;} ],
	[ q{DROP TABLE gone},
	  q{} ],
	[ q{CREATE TABLE gone (id int PRIMARY KEY, w int, v text)},
	  q{INSERT INTO gone VALUES (1, 10, 'new'); UPDATE gone SET w = 11 WHERE id = 1;} ],
	q{DELETE FROM tf WHERE id = 2; UPDATE parted SET v = 'end' WHERE id = 11;},
);

# Under which table contents are turned into text for comparison.
my $compare_settings = q{SET extra_float_digits = 3; SET DateStyle = ISO;
SET IntervalStyle = postgres; SET TimeZone = UTC;};

sub create_database
{
	my ($node, $is_target) = @_;
	$node->safe_psql('postgres', 'DROP DATABASE IF EXISTS ddl');
	$node->safe_psql('postgres',
		"CREATE DATABASE ddl TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'");
	$node->safe_psql('ddl', $schema);
	$node->safe_psql('ddl', $target_trigger) if $is_target;
	return;
}

sub run_sql_file
{
	my ($node, $file, $pgoptions) = @_;
	my ($stdout, $stderr) = ('', '');

	local $ENV{PGOPTIONS} = $pgoptions // '';
	IPC::Run::run(
		[
			$node->installed_command('psql'), qw(-X -q -v ON_ERROR_STOP=1),
			'-d', $node->connstr('ddl'), '-f', $file
		],
		'>', \$stdout, '2>', \$stderr);
	return ($? >> 8, $stderr);
}

sub write_file
{
	my ($path, $content) = @_;
	open my $fh, '>:raw', $path or die "could not open $path: $!";
	print $fh $content;
	close $fh;
	return;
}

# every table of the source at the end, and its rows as text
sub tables
{
	my ($node) = @_;
	return split /\n/, $node->safe_psql('ddl', q{
SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('public', 'other') ORDER BY 1});
}

sub table_content
{
	my ($node, $table) = @_;
	return $node->safe_psql('ddl', qq{$compare_settings
SELECT count(*) || ' rows' || coalesce(E'\\n' || string_agg(r, E'\\n' ORDER BY r COLLATE "C"), '')
  FROM (SELECT ROW(x.*)::text AS r FROM ONLY $table x) s});
}

sub replay_and_compare
{
	my ($source, $target, $file, $run, $pgoptions) = @_;

	create_database($target, 1);
	my ($rc, $stderr) = run_sql_file($target, $file, $pgoptions);
	is($rc, 0, "$run: replay succeeds");
	is($stderr, '', "$run: replay prints no error, warning or notice");
	my @tables = tables($source);
	is_deeply([ tables($target) ], \@tables, "$run: the same tables");
	foreach my $table (@tables)
	{
		is(table_content($target, $table), table_content($source, $table),
			"$run: table $table is the same on both nodes");
	}
	return;
}

my $source = new_logical_node('source', autovacuum => 'off');
$source->start;
my $target = new_logical_node('target', autovacuum => 'off');
$target->start;

create_database($source, 0);
$source->safe_psql('ddl',
	"SELECT 'init' FROM pg_create_logical_replication_slot('ddl_slot', 'decoder_raw')");

my $ddl_id = 0;
foreach my $step (@steps)
{
	if (ref $step)
	{
		my ($ddl, $dml) = @$step;
		$ddl_id++;
		(my $quoted = $ddl) =~ s/'/''/g;
		$source->safe_psql('ddl',
			"BEGIN; $ddl; INSERT INTO ddl VALUES ($ddl_id, '$quoted'); $dml COMMIT;");
	}
	else
	{
		$source->safe_psql('ddl', "BEGIN; $step COMMIT;");
	}
}

sub decode
{
	my ($settings) = @_;
	return $source->safe_psql('ddl',
		"$settings SELECT data FROM pg_logical_slot_peek_changes('ddl_slot', NULL, NULL)") . "\n";
}

my $out_a = decode('');
write_file("$tempdir/run_a.sql", $out_a);
like($out_a, qr/^UPDATE public\.tf SET .* pg_catalog\.record_image_eq\(p, /m,
	'a composite of a FULL identity table is compared field by field');

replay_and_compare($source, $target, "$tempdir/run_a.sql", 'run A');

my $hostile =
	"SET DateStyle = 'SQL, DMY'; SET IntervalStyle = 'sql_standard'; "
  . "SET extra_float_digits = -15; SET bytea_output = 'escape'; "
  . "SET TimeZone = 'Asia/Kathmandu'; "
  . "SET search_path = 'Weird \"Schema\" é', pg_catalog;";
my $out_b = decode($hostile);
is($out_b, $out_a, 'decoding under hostile settings gives byte-identical output');

replay_and_compare($source, $target, "$tempdir/run_a.sql", 'run C',
		'-c standard_conforming_strings=off -c DateStyle=SQL,DMY '
	  . '-c IntervalStyle=sql_standard -c TimeZone=Asia/Kathmandu '
	  . '-c extra_float_digits=-15 -c bytea_output=escape');

# the binary format, printed as SQL by decoder_raw_dump, is the same
my $hex = $source->safe_psql('ddl',
	"SELECT data FROM pg_logical_slot_peek_binary_changes('ddl_slot', NULL, NULL, 'format', 'binary')");
my ($dumped, $dump_err) = ('', '');
IPC::Run::run([ $dump, '--hex' ], '<', \"$hex\n", '>', \$dumped, '2>', \$dump_err);
is($dump_err, '', 'decoder_raw_dump reads the binary stream');
is($dumped, $out_a, 'decoder_raw_dump writes the SQL format of the binary stream');

$source->stop;
$target->stop;
done_testing();
