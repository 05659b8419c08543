
# Copyright (c) decoder_raw contributors

# decoder_raw_apply with stream-changes, after src/test/subscription/t/015
# to 019 and 023: with logical_decoding_work_mem = 64kB, large
# transactions come in stream blocks before they commit, interleaved with
# each other and with small transactions.  The applier keeps each in a
# spool file and applies it at its stream commit: subtransactions rolled
# back (a savepoint, nested ones, after streaming started) leave nothing, a
# streamed transaction that aborts leaves nothing, DDL inside a streamed
# transaction changes the rows that follow it, a streamed prepared
# transaction is prepared and later committed, and a SIGKILL of the
# applier in the middle of a stream loses and duplicates nothing, and a
# spool directory that cannot be written stops it before it applies any of
# the transaction.  No spool file is left at the end.

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

my $s = new_logical_node(
	'source',
	logical_decoding_work_mem => '64kB',
	max_prepared_transactions => 5);
my $t = new_logical_node('target', max_prepared_transactions => 5);
$_->start foreach $s, $t;

my $spool = PostgreSQL::Test::Utils::tempdir();
my $schema = q{CREATE TABLE st (id int PRIMARY KEY, v text, n int);
CREATE TABLE small (id int PRIMARY KEY, v text);};
$_->safe_psql('postgres', $schema) foreach $s, $t;
# the column that a streamed transaction adds on the source is there already
$t->safe_psql('postgres', 'ALTER TABLE st ADD COLUMN extra text');
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('sp', 'decoder_raw', false, true)"
);
my @args = (
	'--slot', 'sp', '--origin', 'src', '--spool-dir', $spool,
	'-o', 'stream-changes=on', '-o', 'gid-prefix=src:');

sub catch_up
{
	my ($name) = @_;
	return apply_to_end($name, $s, $t, @args);
}

sub same
{
	my ($name) = @_;
	foreach my $tab ('st', 'small')
	{
		my $q =
		  "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, ',' ORDER BY id)), '') FROM (SELECT id, v, n FROM $tab) x";
		$q = "SELECT count(*) || ' ' || coalesce(md5(string_agg(x::text, ',' ORDER BY id)), '') FROM $tab x"
		  if $tab eq 'small';
		is($t->safe_psql('postgres', $q), $s->safe_psql('postgres', $q),
			"$name: $tab is the same");
	}
}

sub streamed
{
	return $s->safe_psql('postgres',
		"SELECT stream_txns FROM pg_stat_replication_slots WHERE slot_name = 'sp'");
}

# 1. subtransactions, aborts and DDL in streamed transactions, two of them
# interleaved, small transactions between their blocks
my $big1 = start_sql($s, q{
BEGIN;
INSERT INTO st SELECT g, repeat('a', 50), 0 FROM generate_series(1, 3000) g;
SELECT pg_sleep(0.3);
SAVEPOINT s1;
INSERT INTO st SELECT g, 'rolled back', 1 FROM generate_series(100001, 102000) g;
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
UPDATE st SET n = n + 1 WHERE id % 3 = 0;
RELEASE SAVEPOINT s2;
SAVEPOINT s3;
DELETE FROM st WHERE id % 7 = 0;
SAVEPOINT s4;
INSERT INTO st SELECT g, 'nested, rolled back', 2 FROM generate_series(106001, 107000) g;
ROLLBACK TO SAVEPOINT s3;
SELECT pg_sleep(0.3);
ALTER TABLE st ADD COLUMN extra text;
INSERT INTO st SELECT g, 'after ddl', 3, 'x' || g FROM generate_series(8001, 10000) g;
COMMIT;});
my $big2 = start_sql($s, q{
BEGIN;
INSERT INTO st SELECT g, repeat('b', 50), 10 FROM generate_series(20001, 23000) g;
SELECT pg_sleep(0.4);
INSERT INTO st SELECT g, repeat('b', 50), 11 FROM generate_series(23001, 26000) g;
COMMIT;});
my $gone = start_sql($s, q{
BEGIN;
INSERT INTO st SELECT g, 'aborted', 4 FROM generate_series(30001, 34000) g;
SELECT pg_sleep(0.2);
ROLLBACK;});
foreach my $i (1 .. 20)
{
	$s->safe_psql('postgres', "INSERT INTO small VALUES ($i, 'small $i')");
	usleep(30_000);
}
$_->{h}->finish or die "script failed: ${ $_->{err} }" foreach $big1, $big2, $gone;
my $err = catch_up('interleaved streams');
# from 17 on, one already known to have aborted is not streamed
cmp_ok(streamed(), '>=', 2, 'the large transactions were streamed');
like($err, qr/\b22 transactions/, 'the streamed ones that committed and the small ones, once');
same('interleaved streams');
is( $t->safe_psql('postgres',
		"SELECT count(*) FROM st WHERE v IN ('rolled back', 'nested, rolled back', 'aborted')"
	),
	'0', 'nothing of the rolled back subtransactions and the aborted transaction');
is($t->safe_psql('postgres', "SELECT count(*) FROM st WHERE extra IS NOT NULL"),
	'2000', 'the rows after the DDL have the new column');

# 2. SIGKILL of the applier while a transaction is being streamed: the
# server streams it again from its start, and it applies once
$s->safe_psql('postgres', 'TRUNCATE small');
my $app = start_apply($s, $t, @args);
my $big3 = start_sql($s, q{
BEGIN;
INSERT INTO st SELECT g, 'killed', 20 FROM generate_series(40001, 44000) g;
SELECT pg_sleep(1.5);
INSERT INTO st SELECT g, 'killed', 21 FROM generate_series(44001, 48000) g;
COMMIT;});
my $spooled = 0;
foreach (1 .. 300)
{
	opendir(my $dh, $spool) or die;
	$spooled = grep { /^decoder_raw_apply-sp-\d+\.spool$/ } readdir($dh);
	closedir($dh);
	last if $spooled;
	usleep(10_000);
}
ok($spooled, 'the applier spools the transaction being streamed');
$app->{h}->signal('KILL');
eval { $app->{h}->finish };
$big3->{h}->finish or die "script failed: ${ $big3->{err} }";
$t->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'applier'")
  or die "the killed applier's backend did not end";
catch_up('after a SIGKILL in the middle of a stream');
same('after a SIGKILL');
is($t->safe_psql('postgres', "SELECT count(*) FROM st WHERE n IN (20, 21)"),
	'8000', 'the streamed transaction applied once');

# 3. a streamed prepared transaction: prepared at its stream prepare,
# committed at COMMIT PREPARED
$s->safe_psql('postgres', q{
BEGIN;
INSERT INTO st SELECT g, 'prepared', 30 FROM generate_series(50001, 54000) g;
PREPARE TRANSACTION 'big';});
catch_up('stream prepare');
is($t->safe_psql('postgres', 'SELECT gid FROM pg_prepared_xacts'),
	'src:big', 'prepared on the target');
is($t->safe_psql('postgres', 'SELECT count(*) FROM st WHERE n = 30'),
	'0', 'its rows not visible yet');
$s->safe_psql('postgres', "COMMIT PREPARED 'big'");
catch_up('commit prepared');
same('after the streamed prepared transaction');

# 4. a spool directory the applier cannot write to: it stops at the first
# stream block, with the file it could not create, and applies nothing;
# a run with a good directory then applies the transaction once
$s->safe_psql('postgres',
	"INSERT INTO st SELECT g, 'spool', 40 FROM generate_series(60001, 64000) g");
my $bad = "$spool/missing";
my $end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
my @bad_args = map { $_ eq $spool ? $bad : $_ } @args;
my ($rc, $out);
($rc, $out, $err) = run_apply($s, $t, @bad_args, '--endpos', $end);
is($rc, 1, 'a spool directory that does not exist: exit 1');
like($err, qr/could not create spool file "\Q$bad\E\/decoder_raw_apply-sp-\d+\.spool": No such file or directory/,
	'naming the file it could not create');
is($t->safe_psql('postgres', 'SELECT count(*) FROM st WHERE n = 40'),
	'0', 'and applying nothing of the transaction');
catch_up('with a spool directory again');
is($t->safe_psql('postgres', 'SELECT count(*) FROM st WHERE n = 40'),
	'4000', 'the transaction applied once');
same('after the spool directory came back');

opendir(my $dh, $spool) or die;
my @left = grep { !/^\./ } readdir($dh);
closedir($dh);
is(scalar(@left), 0, 'no spool file is left');

done_testing();
