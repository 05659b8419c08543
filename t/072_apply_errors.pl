
# Copyright (c) decoder_raw contributors

# decoder_raw_apply on bad input: a clear message and exit status, and
# nothing applied half-way.  2: bad usage; 3: a server it cannot reach
# (without printing a password); 1: a slot of another plugin, a target
# without the table, a conflict.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology qw(origin_progress slot_confirmed);
use ApplyTest;

my $s = new_logical_node('source');
my $t = new_logical_node('target');
$_->start foreach $s, $t;
$s->safe_psql('postgres',
	'CREATE TABLE a (id int PRIMARY KEY, v text); CREATE TABLE b (id int PRIMARY KEY, v text);'
);
$t->safe_psql('postgres', 'CREATE TABLE a (id int PRIMARY KEY, v text);');

my ($rc, $out, $err);

# bad usage
($rc, $out, $err) = run_apply($s, $t, '--slot', 's', '--no-such-option');
is($rc, 2, 'an unknown option: exit 2');
like($err, qr/unknown option "--no-such-option"/, 'and names it');
($rc, $out, $err) = run_apply($s, $t, '--slot', 's', '-o', 'format=sql');
is($rc, 2, 'the SQL format: exit 2');
like($err, qr/reads the binary format/, 'the applier says what it reads');
($rc, $out, $err) = run_apply($s, $t, '--slot', 's', '-o', 'binary-values');
is($rc, 2, 'values in binary form: exit 2');
like($err, qr/plugin option "binary-values" is not supported: the applier reads the binary format with text values/,
	'and says why');
($rc, $out, $err) = run_apply($s, $t, '--slot', 's', '--endpos', 'nowhere');
is($rc, 2, 'a bad LSN: exit 2');
IPC::Run::run([ apply_program(), '--slot', 's' ], '>', \$out, '2>', \$err);
is($? >> 8, 2, 'without --source and --target: exit 2');

# unreachable, and the password stays secret
my $port = PostgreSQL::Test::Cluster::get_free_port();
IPC::Run::run(
	[
		apply_program(), '--source',
		"host=127.0.0.1 port=$port dbname=postgres user=u password=s3cr3t",
		'--target', $t->connstr('postgres'),
		'--slot', 's'
	],
	'>', \$out, '2>', \$err);
is($? >> 8, 3, 'an unreachable source: exit 3');
like($err, qr/could not connect to the source \(host=127\.0\.0\.1 port=$port dbname=postgres user=u\)/,
	'the message names the server');
unlike($err, qr/s3cr3t/, 'but not the password');

# a slot of another plugin
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('td', 'test_decoding')");
($rc, $out, $err) = run_apply($s, $t, '--slot', 'td');
is($rc, 1, 'a test_decoding slot: exit 1');
like($err, qr/replication slot "td" is not a decoder_raw slot: it is a logical slot of plugin test_decoding/,
	'the message says whose slot it is');
($rc, $out, $err) = run_apply($s, $t, '--slot', 'td', '--create-slot');
is($rc, 1, '--create-slot on a test_decoding slot: exit 1');
like($err, qr/is not a decoder_raw slot/, 'with the same message');
($rc, $out, $err) = run_apply($s, $t, '--slot', 'nosuch');
is($rc, 1, 'a missing slot: exit 1');
like($err, qr/replication slot "nosuch" does not exist/, 'and says so');

# --create-slot creates it; a transaction that fails on the target on its
# second change is not applied at all, and the progress does not move
my $end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
($rc, $out, $err) = run_apply($s, $t, '--slot', 'dr', '--create-slot',
	'--origin', 'from_s', '--endpos', $end);
is($rc, 0, '--create-slot creates the slot') or diag $err;
like($err, qr/created replication slot "dr"/, 'and says so');
$s->safe_psql('postgres', "INSERT INTO a VALUES (1, 'one');");
my $ok_end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
$s->safe_psql('postgres',
	"BEGIN; INSERT INTO a VALUES (2, 'two'); INSERT INTO b VALUES (1, 'no table'); COMMIT;"
);
$end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
($rc, $out, $err) =
  run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s', '--endpos', $end);
is($rc, 1, 'a target without the table: exit 1');
like($err,
	qr/could not apply the change at source LSN \S+ in the transaction of xid \d+ begun at \S+, commit end \S+: ERROR:  relation "public.b" does not exist/,
	'the message names the LSN, the transaction and the error');
like($err, qr/^statement: INSERT INTO public\.b \(id, v\) VALUES \(1, 'no table'\);$/m,
	'and the statement');
is($t->safe_psql('postgres', 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM a'),
	'1', 'the transaction before is applied, the failed one not at all');
my $progress = origin_progress($t, 'from_s');
cmp_ok($progress, 'ne', '', 'the origin has progress');
cmp_ok(OriginTopology::lsn_cmp($progress, $ok_end), '<=', 0,
	'the progress stays at the last transaction applied');
cmp_ok(OriginTopology::lsn_cmp(slot_confirmed($s, 'dr'), $end),
	'<', 0, 'the slot is not confirmed past the failed transaction');

# once the table is there, the transaction applies
$t->safe_psql('postgres', 'CREATE TABLE b (id int PRIMARY KEY, v text);');
($rc, $out, $err) =
  run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s', '--endpos', $end);
is($rc, 0, 'with the table, the transaction applies') or diag $err;
is($t->safe_psql('postgres', 'SELECT count(*) FROM a') . ' '
	  . $t->safe_psql('postgres', 'SELECT count(*) FROM b'),
	'2 1', 'whole, once');

# --skip-xact: a transaction that cannot apply is skipped, by its commit
# end or its begin, and recorded as applied: a restart does not meet it
# again, though nothing was applied after it
$s->safe_psql('postgres', 'CREATE TABLE c (id int PRIMARY KEY)');
foreach my $by ('commit end', 'begun at')
{
	my $id = $by eq 'commit end' ? 10 : 20;
	$s->safe_psql('postgres',
		"BEGIN; INSERT INTO a VALUES ($id, 'skipped'); INSERT INTO c VALUES ($id); COMMIT;");
	my $skipped_end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
	$s->safe_psql('postgres', "INSERT INTO a VALUES ($id + 1, 'after');");
	$end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
	($rc, $out, $err) =
	  run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s', '--endpos', $end);
	is($rc, 1, "$by: the transaction into a missing table stops the applier");
	my ($xid, $begin, $commit) =
	  $err =~ /in the transaction of xid (\d+) begun at (\S+), commit end (\S+):/
	  or die "no transaction named in: $err";
	like($err, qr/^decoder_raw_apply: hint: --skip-xact \Q$commit\E skips this transaction/m,
		"$by: the error hints at --skip-xact");
	my $lsn = $by eq 'commit end' ? $commit : $begin;
	($rc, $out, $err) = run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s',
		'--endpos', $skipped_end, '--skip-xact', $lsn);
	is($rc, 0, "--skip-xact with the transaction's $by") or diag $err;
	like($err,
		qr/skipping the transaction of xid $xid begun at \Q$begin\E, commit end \Q$commit\E, as --skip-xact asks/,
		"$by: the skip is logged with the xid and the LSN");
	is(origin_progress($t, 'from_s'), $commit,
		"$by: the origin progress records the skipped transaction");
	($rc, $out, $err) =
	  run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s', '--endpos', $end);
	is($rc, 0, "$by: a restart does not meet the skipped transaction again") or diag $err;
	is($t->safe_psql('postgres', "SELECT string_agg(v, ',' ORDER BY id) FROM a WHERE id IN ($id, $id + 1)"),
		'after', "$by: nothing of the skipped transaction, the next one applied");
}
($rc, $out, $err) = run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s',
	'--endpos', $end, '--skip-xact', '0/1');
is($rc, 0, 'an unused --skip-xact: exit 0');
like($err, qr/no transaction began or ended at --skip-xact 0\/1: none was skipped/,
	'and it says so');
$s->safe_psql('postgres', 'DROP TABLE c');

# conflicts: an UPDATE that finds no row stops the applier
$t->safe_psql('postgres', 'DELETE FROM a WHERE id = 2');
$s->safe_psql('postgres', "UPDATE a SET v = 'TWO' WHERE id = 2; INSERT INTO a VALUES (3, 'three');");
$end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
$progress = origin_progress($t, 'from_s');
($rc, $out, $err) =
  run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s', '--endpos', $end);
is($rc, 1, 'an UPDATE that finds no row: exit 1');
like($err, qr/conflict at source LSN .*\nstatement: UPDATE public\.a SET id = 2, v = 'TWO' WHERE id = 2;/,
	'the conflict names the statement');
is(origin_progress($t, 'from_s'), $progress, 'the progress did not move');
($rc, $out, $err) =
  run_apply($s, $t, '--slot', 'dr', '--origin', 'from_s', '--endpos', $end,
	'--on-conflict', 'skip-and-log');
is($rc, 0, '--on-conflict skip-and-log goes on') or diag $err;
like($err, qr/conflict skipped at source LSN/, 'and logs the conflict');
like($err, qr/1 conflicts/, 'and counts it');
is($t->safe_psql('postgres', 'SELECT string_agg(id::text, \',\' ORDER BY id) FROM a'),
	'1,3,11,21', 'the rest was applied');

$s->stop;
$t->stop;
done_testing();
