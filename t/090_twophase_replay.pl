# Copyright (c) decoder_raw contributors

# Two-phase replay: the SQL output of a two-phase slot, replayed by psql on
# a second node, prepares each transaction there at its PREPARE and commits
# or rolls it back at COMMIT PREPARED / ROLLBACK PREPARED, with the origin
# progress recorded at each step; restarts of the source and of the target
# between the two phases change nothing.  gid-prefix keeps the replayed
# GIDs apart from the target's own prepared transactions.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $source = new_logical_node('source', max_prepared_transactions => 10);
my $target = new_logical_node('target', max_prepared_transactions => 10);
$source->start;
$target->start;

my $schema = 'CREATE TABLE t (id int PRIMARY KEY, v text);';
$source->safe_psql('postgres', $schema);
$target->safe_psql('postgres', $schema);
$target->safe_psql('postgres', "SELECT pg_replication_origin_create('src')");
$source->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('tp', 'decoder_raw', false, true)"
);

# Decode what is new and replay it on the target as a psql script, in a
# session that replays from origin "src".
sub replay
{
	my ($name, %opts) = @_;
	my $prefix = $opts{gid_prefix} // 'src:';
	my $sql = $source->safe_psql('postgres',
		"SELECT data FROM pg_logical_slot_get_changes('tp', NULL, NULL, 'origin-progress', 'on', 'gid-prefix', '$prefix')"
	);
	note "$name:\n$sql";
	my ($rc, $out, $err) = $target->psql('postgres',
		"SELECT pg_replication_origin_session_setup('src');\n$sql\n",
		on_error_stop => 1);
	return ($rc, $err, $sql);
}

sub progress
{
	return $target->safe_psql('postgres',
		"SELECT coalesce(pg_replication_origin_progress('src', true), '0/0')");
}

sub prepared_on_target
{
	return $target->safe_psql('postgres',
		'SELECT string_agg(gid, \',\' ORDER BY gid) FROM pg_prepared_xacts');
}

sub rows
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		"SELECT string_agg(id || ':' || coalesce(v, 'NULL'), ',' ORDER BY id) FROM t"
	);
}

sub lsn_gt
{
	my ($a, $b) = @_;
	return $target->safe_psql('postgres', "SELECT '$a'::pg_lsn > '$b'::pg_lsn")
	  eq 't';
}

# PREPARE: the target holds the prepared transaction, its rows not visible
$source->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (1, 'one'), (2, 'two'); PREPARE TRANSACTION 'g1';"
);
my ($rc, $err, $sql) = replay('prepare g1');
is($rc, 0, 'PREPARE TRANSACTION replays') or diag($err);
like($sql, qr/^PREPARE TRANSACTION 'src:g1';$/m, 'the GID has the prefix');
is(prepared_on_target(), 'src:g1', 'the target holds the prepared transaction');
is(rows($target), '', 'its rows are not visible yet');
my $p1 = progress();
ok(lsn_gt($p1, '0/0'), "PREPARE recorded the origin progress ($p1)");

# the source restarts between PREPARE and COMMIT PREPARED
$source->restart;
$source->safe_psql('postgres', "COMMIT PREPARED 'g1';");
($rc, $err, $sql) = replay('commit prepared g1');
is($rc, 0, 'COMMIT PREPARED replays after a restart of the source')
  or diag($err);
unlike($sql, qr/INSERT/, 'the changes are not sent again');
is(prepared_on_target(), '', 'nothing is left prepared on the target');
is(rows($target), rows($source), 'the tables are the same');
my $p2 = progress();
ok(lsn_gt($p2, $p1), "COMMIT PREPARED recorded the origin progress ($p2)");

# a PREPARE decoded only after a restart of the source; the target restarts
# between the phases
$source->safe_psql('postgres',
	"BEGIN; UPDATE t SET v = 'uno' WHERE id = 1; DELETE FROM t WHERE id = 2; INSERT INTO t VALUES (3, NULL); PREPARE TRANSACTION 'g2';"
);
$source->restart;
($rc, $err) = replay('prepare g2');
is($rc, 0, 'a PREPARE decoded after a restart replays') or diag($err);
is(prepared_on_target(), 'src:g2', 'the target holds it');
my $p3 = progress();
ok(lsn_gt($p3, $p2), 'PREPARE recorded progress again');
$target->restart;
is(prepared_on_target(), 'src:g2', 'it survives a restart of the target');
$source->safe_psql('postgres', "COMMIT PREPARED 'g2';");
($rc, $err) = replay('commit prepared g2');
is($rc, 0, 'COMMIT PREPARED replays after a restart of the target')
  or diag($err);
is(rows($target), rows($source), 'the tables are the same');

# ROLLBACK PREPARED
$source->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (4, 'rolled back'); PREPARE TRANSACTION 'g3';");
($rc, $err) = replay('prepare g3');
is($rc, 0, 'PREPARE of g3 replays') or diag($err);
my $p4 = progress();
$source->safe_psql('postgres', "ROLLBACK PREPARED 'g3';");
($rc, $err, $sql) = replay('rollback prepared g3');
is($rc, 0, 'ROLLBACK PREPARED replays') or diag($err);
like($sql, qr/^ROLLBACK PREPARED 'src:g3';$/m, 'as ROLLBACK PREPARED');
is(prepared_on_target(), '', 'nothing is left prepared');
is(rows($target), rows($source), 'the tables are the same');
ok(lsn_gt(progress(), $p4), 'ROLLBACK PREPARED recorded the origin progress');

# The target prepares a transaction of its own with the same GID: without
# a prefix the replayed PREPARE fails, with one it does not.
$target->safe_psql('postgres',
	"BEGIN; CREATE TABLE local_t (x int); PREPARE TRANSACTION 'g4';");
$source->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (5, 'five'); PREPARE TRANSACTION 'g4';");
my $peeked = $source->safe_psql('postgres',
	"SELECT data FROM pg_logical_slot_peek_changes('tp', NULL, NULL)");
my ($rc2, $out2, $err2) = $target->psql('postgres', $peeked,
	on_error_stop => 1);
isnt($rc2, 0, 'without gid-prefix the PREPARE collides with the target\'s own');
like($err2, qr/transaction identifier "g4" is already in use/,
	'and says so');
($rc, $err) = replay('prepare g4');
is($rc, 0, 'with gid-prefix it does not') or diag($err);
is(prepared_on_target(), 'g4,src:g4', 'both are prepared on the target');
$source->safe_psql('postgres', "COMMIT PREPARED 'g4';");
$target->safe_psql('postgres', "ROLLBACK PREPARED 'g4';");
($rc, $err) = replay('commit prepared g4');
is($rc, 0, 'COMMIT PREPARED of g4 replays') or diag($err);
is(rows($target), rows($source), 'the tables are the same at the end');

# a slot without two-phase decoding still writes the committed ones as
# ordinary transactions, at COMMIT PREPARED
$source->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('plain', 'decoder_raw')");
$source->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (6, 'six'); PREPARE TRANSACTION 'g5';");
is($source->safe_psql('postgres',
		"SELECT count(*) FROM pg_logical_slot_peek_changes('plain', NULL, NULL, 'skip-empty-xacts', 'on')"),
	'0', 'without two-phase decoding nothing is written at PREPARE');
$source->safe_psql('postgres', "COMMIT PREPARED 'g5';");
is($source->safe_psql('postgres',
		"SELECT string_agg(data, E'\\n') FROM pg_logical_slot_get_changes('plain', NULL, NULL, 'skip-empty-xacts', 'on')"),
	"BEGIN;\nINSERT INTO public.t (id, v) VALUES (6, 'six');\nCOMMIT;",
	'and the transaction at COMMIT PREPARED, as an ordinary one');

done_testing();
