
# Copyright (c) decoder_raw contributors

# decoder_raw_apply on a slot with two-phase decoding, after
# src/test/subscription/t/021_twophase.pl: a PREPARE on the source is a
# prepared transaction on the target (its rows not visible), COMMIT
# PREPARED and ROLLBACK PREPARED follow later, each exactly once across a
# crash of the target and of the source between the two phases and a
# SIGKILL of the applier; gid-prefix keeps the target's own GIDs apart, and
# a target without max_prepared_transactions, or that prepared a GID of its
# own, stops the applier with a message before the progress call: nothing
# applied, no progress recorded.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use ApplyTest;

my $s = new_logical_node('source', max_prepared_transactions => 10);
my $t = new_logical_node('target', max_prepared_transactions => 10);
$_->start foreach $s, $t;

my $schema = 'CREATE TABLE t (id int PRIMARY KEY, v text);';
$_->safe_psql('postgres', $schema) foreach $s, $t;
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('tp', 'decoder_raw', false, true)"
);
my @args = ('--slot', 'tp', '--origin', 'src', '-o', 'gid-prefix=src:');

sub catch_up
{
	my ($name) = @_;
	return apply_to_end($name, $s, $t, @args);
}

sub prepared
{
	return $t->safe_psql('postgres',
		"SELECT coalesce(string_agg(gid, ',' ORDER BY gid), '') FROM pg_prepared_xacts"
	);
}

sub rows
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		"SELECT coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '') FROM t");
}

sub progress
{
	return $t->safe_psql('postgres',
		"SELECT coalesce(pg_replication_origin_progress('src', true), '0/0')");
}

# PREPARE: prepared on the target, nothing visible yet
$s->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (1, 'one'), (2, 'two'); PREPARE TRANSACTION 'g1';"
);
$s->safe_psql('postgres', "INSERT INTO t VALUES (3, 'three')");
catch_up('prepare');
is(prepared(), 'src:g1', 'the target holds the prepared transaction');
is(rows($t), '3:three', 'its rows are not visible; the next commit is');

# a crash of the target between the phases: the prepared transaction
# survives, and nothing is prepared or applied twice
$t->stop('immediate');
$t->start;
my $err = catch_up('after a crash of the target');
like($err, qr/0 transactions/, 'nothing to apply again');
is(prepared(), 'src:g1', 'still prepared, once');

# the target's own prepared transaction of the same GID does not clash
$t->safe_psql('postgres', "BEGIN; INSERT INTO t VALUES (100, 'own'); PREPARE TRANSACTION 'g2';");
$s->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (4, 'four'); UPDATE t SET v = 'THREE' WHERE id = 3; PREPARE TRANSACTION 'g2';"
);

# SIGKILL of the applier once g2 is prepared on the target, then a crash
# of the source between the phases
my $app = start_apply($s, $t, @args);
$t->poll_query_until('postgres',
	"SELECT count(*) = 1 FROM pg_prepared_xacts WHERE gid = 'src:g2'")
  or die 'g2 was not prepared on the target';
$app->{h}->signal('KILL');
eval { $app->{h}->finish };
is(prepared(), 'g2,src:g1,src:g2', 'the target holds its own g2 and src:g2');
my $after_prepare = progress();
$s->stop('immediate');
$s->start;
$t->poll_query_until('postgres',
	"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'applier'")
  or die "the killed applier's backend did not end";
$err = catch_up('after the kill and a crash of the source');
is(prepared(), 'g2,src:g1,src:g2', 'nothing prepared twice');
is(progress(), $after_prepare, 'and the progress where the PREPARE left it');

# the second phase
$s->safe_psql('postgres', "COMMIT PREPARED 'g1'");
$s->safe_psql('postgres', "ROLLBACK PREPARED 'g2'");
$s->safe_psql('postgres', "INSERT INTO t VALUES (5, 'five')");
$err = catch_up('commit prepared and rollback prepared');
like($err, qr/3 transactions/, 'both, and the commit after them');
is(prepared(), 'g2', 'only the target\'s own prepared transaction is left');
$t->safe_psql('postgres', "ROLLBACK PREPARED 'g2'");
is(rows($t), rows($s), 'the tables are the same');
is(progress(), $s->safe_psql('postgres',
		"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'tp'"),
	'the slot is confirmed to the progress');

# a crash of the target right after COMMIT PREPARED: nothing twice
$s->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (6, 'six'); PREPARE TRANSACTION 'g3';");
catch_up('prepare g3');
$s->safe_psql('postgres', "COMMIT PREPARED 'g3'");
catch_up('commit prepared g3');
$t->stop('immediate');
$t->start;
$err = catch_up('after a crash of the target');
like($err, qr/0 transactions/, 'COMMIT PREPARED is not applied again');
is(rows($t), rows($s), 'the tables are the same');

# a target without prepared transactions: stop, say why, apply nothing
my $u = new_logical_node('noprepare', max_prepared_transactions => 0);
$u->start;
$u->safe_psql('postgres', $schema);
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('tp2', 'decoder_raw', false, true)"
);
$s->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (7, 'seven'); PREPARE TRANSACTION 'g4';");
my $end = $s->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
my ($rc, $out);
($rc, $out, $err) =
  run_apply($s, $u, '--slot', 'tp2', '--endpos', $end, '-o', 'gid-prefix=src:');
is($rc, 1, 'a target without max_prepared_transactions: exit 1');
like($err,
	qr/could not prepare the transaction at source LSN \S+ in the transaction of xid \d+ begun at \S+, commit end \S+ on the target: a transaction of its GID is prepared there already, or max_prepared_transactions allows no more/,
	'the message names the LSN, the transaction and why');
like($err, qr/^statement: SELECT 1 \/ \(\(SELECT pg_catalog.count\(\*\) FROM pg_catalog.pg_prepared_xacts WHERE gid = 'src:g4'\) = 0 /m,
	'and the check that failed, before the progress call');
is($u->safe_psql('postgres', 'SELECT count(*) FROM t WHERE id = 7'),
	'0', 'nothing of it is applied');
is($u->safe_psql('postgres',
		'SELECT coalesce(max(pg_replication_origin_progress(roname, true)), \'0/0\') FROM pg_replication_origin'),
	'0/0', 'and no progress recorded');
$s->safe_psql('postgres', "ROLLBACK PREPARED 'g4'");

# a GID the target has prepared itself: the same, before the progress call
$t->safe_psql('postgres', "BEGIN; INSERT INTO t VALUES (200, 'own'); PREPARE TRANSACTION 'src:g5';");
catch_up('up to g5');
my $before = progress();
$s->safe_psql('postgres', "BEGIN; INSERT INTO t VALUES (8, 'eight'); PREPARE TRANSACTION 'g5';");
$end = $s->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
($rc, $out, $err) = run_apply($s, $t, @args, '--endpos', $end);
is($rc, 1, 'a GID prepared on the target already: exit 1');
like($err, qr/a transaction of its GID is prepared there already/, 'it says why');
is(progress(), $before, 'no progress recorded for it');
is($t->safe_psql('postgres', 'SELECT count(*) FROM t WHERE id = 8'), '0', 'nothing applied');
$t->safe_psql('postgres', "ROLLBACK PREPARED 'src:g5'");
catch_up('once the GID is free');
is(prepared(), 'src:g5', 'then prepared');
$s->safe_psql('postgres', "COMMIT PREPARED 'g5'");
catch_up('and committed');
is($t->safe_psql('postgres', 'SELECT count(*) FROM t WHERE id = 8'), '1', 'applied once');
is(rows($t), rows($s), 'the tables are the same at the end');

done_testing();
