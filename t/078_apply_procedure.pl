
# Copyright (c) decoder_raw contributors

# decoder_raw_apply through decoder_raw_apply_batch(), the procedure of the
# decoder_raw extension on the target (apply/procedure.c,
# src/apply_batch.c): bad usage; a target without the extension; a
# parameter the procedure cannot read as EXECUTE would (the batch runs again
# as SQL, and the session goes on with SQL); a conflict, reported as with
# SQL, with what committed before it kept; and the target's backend
# terminated again and again while a workload runs: every transaction
# exactly once.

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
use OriginTopology;

my $s = new_logical_node('source');
my $t = new_logical_node('target');
$_->start foreach $s, $t;

# decoder_raw_apply without ApplyTest's CREATE EXTENSION
sub run_plain
{
	my ($db, @args) = @_;
	my ($out, $err) = ('', '');

	IPC::Run::run(
		[
			apply_program(),
			'--source', $s->connstr($db), '--target', $t->connstr($db), @args
		],
		'>', \$out, '2>', \$err,
		IPC::Run::timeout(3 * $PostgreSQL::Test::Utils::timeout_default));
	return ($? >> 8, $err);
}

sub end_lsn
{
	return $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
}

# 1. Bad usage, and --apply-mode procedure on a target without it.
my ($rc, $err) = run_plain('postgres', '--slot', 'p', '--apply-mode', 'bogus');
is($rc, 2, 'an unknown --apply-mode: exit 2');
like($err, qr/invalid --apply-mode "bogus": expected auto, procedure or sql/,
	'naming the modes');
($rc, $err) = run_plain('postgres', '--slot', 'p', '--apply-mode', 'procedure',
	'--on-conflict', 'skip-and-log');
is($rc, 2, '--apply-mode procedure with --on-conflict skip-and-log: exit 2');
like($err, qr/--apply-mode procedure cannot be combined with --on-conflict skip-and-log/,
	'saying why');

$s->safe_psql('postgres', 'CREATE TABLE mix (id int PRIMARY KEY, b bool, i int)');
$t->safe_psql('postgres', 'CREATE TABLE mix (id int PRIMARY KEY, b text, i text)');
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('p', 'decoder_raw')");
$s->safe_psql('postgres', 'INSERT INTO mix VALUES (1, true, 5)');
($rc, $err) = run_plain('postgres', '--slot', 'p', '--apply-mode', 'procedure',
	'--endpos', end_lsn());
is($rc, 1, '--apply-mode procedure on a target without the extension: exit 1');
like($err,
	qr/--apply-mode procedure: the target database has no decoder_raw_apply_batch\(\) that this role may call\n.*hint: CREATE EXTENSION decoder_raw/,
	'saying what it needs');
is($t->safe_psql('postgres', 'SELECT count(*) FROM mix'), '0',
	'and applying nothing');

# 2. The target's columns are text where the source's are boolean and
# integer.  EXECUTE casts the bare constants true and 5 to text: 'true',
# '5'.  The procedure does not read a bare constant with the input function
# of another type ('t' for a boolean): it fails, the batch runs again as
# SQL, and the rest of the session is SQL.
$s->safe_psql('postgres', 'INSERT INTO mix VALUES (2, false, 6)');
$err = apply_to_end('a parameter of another type', $s, $t, '--slot', 'p',
	'--verbose');
like($err, qr/applying through public\.decoder_raw_apply_batch\(\$1\) on the target/,
	'the applier takes the procedure');
like($err,
	qr/decoder_raw_apply_batch\(\) on the target could not apply a batch that SQL statements could; applying with SQL statements from now on\.  It said: ERROR:  parameter \$2 of prepared statement "dr_\d+" is of type text, which does not read the constant as its source type does/,
	'the procedure gives way to SQL, and says why');
is($t->safe_psql('postgres', 'SELECT id, b, i FROM mix ORDER BY id'),
	"1|true|5\n2|false|6", 'the rows hold what EXECUTE makes of the constants');

# 3. A conflict: the transactions before it commit, the applier stops as it
# does with SQL, and the progress is the commit before it.
$s->safe_psql('postgres', 'CREATE TABLE c (id int PRIMARY KEY, v text)');
$t->safe_psql('postgres', 'CREATE TABLE c (id int PRIMARY KEY, v text)');
$s->safe_psql('postgres', "INSERT INTO c VALUES (1, 'a'), (2, 'a'), (3, 'a')");
apply_to_end('three rows', $s, $t, '--slot', 'p');
$t->safe_psql('postgres', 'DELETE FROM c WHERE id = 2');
$s->safe_psql('postgres', "UPDATE c SET v = 'b' WHERE id = 1");
my $before = end_lsn();
$s->safe_psql('postgres', "UPDATE c SET v = 'b' WHERE id = 2");
$s->safe_psql('postgres', "UPDATE c SET v = 'b' WHERE id = 3");
my $out;
($rc, $out, $err) = run_apply($s, $t, '--slot', 'p', '--endpos', end_lsn());
is($rc, 1, 'a conflict: exit 1');
like($err,
	qr/conflict at source LSN \S+ in the transaction of xid \d+ begun at \S+: the row to change is not on the target\nstatement: UPDATE public\.c SET id = 2, v = 'b' WHERE id = 2;/,
	'reported as with SQL statements');
is($t->safe_psql('postgres', 'SELECT id, v FROM c ORDER BY id'),
	"1|b\n3|a", 'the transaction before it is applied, the one after it is not');
my $progress = origin_progress($t, "decoder_raw_" . $s->safe_psql('postgres',
		'SELECT system_identifier FROM pg_control_system()') . "_p");
cmp_ok(lsn_cmp($progress, $before), '<=', 0,
	'the progress is that of the transaction before');
$t->safe_psql('postgres', "INSERT INTO c VALUES (2, 'a')");
apply_to_end('the row put back', $s, $t, '--slot', 'p');
is($t->safe_psql('postgres', 'SELECT id, v FROM c ORDER BY id'),
	"1|b\n2|b\n3|b", 'then everything is applied once');

# 4. The target's backend is terminated again and again while a workload
# runs through the procedure: the applier reconnects and resumes, and
# every transaction is applied exactly once.
create_test_tables($_) foreach $s, $t;
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('k', 'decoder_raw')");
my $xacts = 3000;
my $app = start_apply($s, $t, '--slot', 'k', '--origin', 'from_k',
	'--apply-mode', 'procedure', '--status-interval', '1');
# streaming first: a connection lost before that is a setup failure
$s->poll_query_until('postgres',
	"SELECT active FROM pg_replication_slots WHERE slot_name = 'k'")
  or die 'the applier did not start: ' . apply_log($app);
my $w = start_writer($s, 'K', 0, $xacts, 0.002);
my $terminated = 0;
while ($w->{h}->pumpable)
{
	$w->{h}->pump_nb;
	usleep(int(rand(300_000)) + 100_000);
	$terminated += $t->safe_psql('postgres',
		q{SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		  WHERE application_name = 'applier' AND backend_type = 'client backend'});
}
$w->{h}->finish or die "writer failed: ${ $w->{err} }";
my $end = end_lsn();
$t->poll_query_until('postgres',
	"SELECT coalesce(pg_replication_origin_progress('from_k', false) >= '$end', false)"
	  . " OR (SELECT count(*) FROM public.journal) = $xacts")
  or die 'the applier did not catch up: ' . apply_log($app);
$t->poll_query_until('postgres', "SELECT count(*) = $xacts FROM public.journal")
  or die 'the journal is not complete: ' . apply_log($app);
cmp_ok($terminated, ">=", 4, "the target's backend was terminated $terminated times");
is(stop_apply($app, 'TERM'), 0, 'the applier stops with SIGTERM, exit 0');
like(apply_log($app), qr/connection to the target lost/,
	'it lost the target, and reconnected');
unlike(apply_log($app), qr/from now on/, 'and kept to the procedure');
nodes_agree({ S => $s, T => $t }, $xacts, 'K');

$s->stop;
$t->stop;
done_testing();
