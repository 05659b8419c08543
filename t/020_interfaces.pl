# Copyright (c) decoder_raw contributors

# The three ways in: the SQL functions, pg_recvlogical, and the replication
# protocol over a "replication=database" connection.  One slot is created
# through each, the same transactions are decoded by all three, and each
# gives exactly the same statements.  A node whose output_plugin_libraries
# does not list decoder_raw refuses it through every interface.

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

# Run pg_recvlogical against a node; returns exit code, stdout and stderr.
# The timeout only keeps a hung pg_recvlogical from hanging the suite.
sub pg_recvlogical
{
	my ($node,   @args)   = @_;
	my ($stdout, $stderr) = ('', '');

	IPC::Run::run(
		[
			$node->installed_command('pg_recvlogical'), '-d',
			$node->connstr('postgres'),                 @args
		],
		'>',
		\$stdout,
		'2>',
		\$stderr,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return ($? >> 8, $stdout, $stderr);
}

my $node = new_logical_node('interfaces');
$node->start;

$node->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY, v text)');

# (a) SQL function
is( $node->safe_psql(
		'postgres',
		"SELECT slot_name FROM pg_create_logical_replication_slot('sql_slot', 'decoder_raw')"
	),
	'sql_slot',
	'slot created with pg_create_logical_replication_slot');

# (b) pg_recvlogical --create-slot
my ($rc, $stdout, $stderr) = pg_recvlogical($node, '--slot', 'recv_slot',
	'--create-slot', '-P', 'decoder_raw');
is($rc,     0,  'slot created with pg_recvlogical --create-slot');
is($stderr, '', 'pg_recvlogical --create-slot prints nothing on stderr');

# (c) replication protocol
my $proto_lsn;
($rc, $stdout, $stderr) = $node->psql(
	'postgres',
	"CREATE_REPLICATION_SLOT proto_slot LOGICAL decoder_raw (SNAPSHOT 'nothing')",
	replication => 'database');
is($rc, 0, 'slot created with CREATE_REPLICATION_SLOT');
like($stdout, qr{^proto_slot\|([0-9A-F]+/[0-9A-F]+)\|\|decoder_raw$},
	'CREATE_REPLICATION_SLOT returns slot name, consistent point, no snapshot and plugin'
);
($proto_lsn) = $stdout =~ m{\|([0-9A-F]+/[0-9A-F]+)\|};

is( $node->safe_psql(
		'postgres',
		"SELECT slot_name || ' ' || plugin || ' ' || slot_type || ' ' || database FROM pg_replication_slots ORDER BY slot_name"
	),
	"proto_slot decoder_raw logical postgres
recv_slot decoder_raw logical postgres
sql_slot decoder_raw logical postgres",
	'all three slots use decoder_raw');
is( $node->safe_psql(
		'postgres',
		"SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'proto_slot'"
	),
	$proto_lsn,
	'CREATE_REPLICATION_SLOT returned the consistent point of the slot');

# The same workload for all slots: two transactions with changes, and
# between them one with an xid but nothing in the WAL, which is not decoded
# at all, and a DDL, which is decoded as an empty transaction.
my $xid1 = $node->safe_psql(
	'postgres', q{BEGIN;
INSERT INTO t VALUES (1, 'one');
INSERT INTO t VALUES (2, E'two\nlines');
SELECT pg_current_xact_id();
COMMIT;});
$node->safe_psql('postgres', 'SELECT pg_current_xact_id()');
$node->safe_psql('postgres', 'CREATE TABLE unrelated (a int)');
my $xid2 = $node->safe_psql(
	'postgres', q{BEGIN;
UPDATE t SET v = 'uno' WHERE id = 1;
DELETE FROM t WHERE id = 2;
SELECT pg_logical_emit_message(true, 'prefix', 'content') IS NOT NULL;
SELECT pg_current_xact_id();
COMMIT;});
$xid2 =~ s/^t\n//;
my $endpos =
  $node->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');

my $first_xact = "BEGIN;
INSERT INTO public.t (id, v) VALUES (1, 'one');
INSERT INTO public.t (id, v) VALUES (2, E'two\\nlines');
COMMIT;";
my $second_xact = "BEGIN;
UPDATE public.t SET id = 1, v = 'uno' WHERE id = 1;
DELETE FROM public.t WHERE id = 2;
SELECT pg_catalog.pg_logical_emit_message(true, 'prefix', 'content');
COMMIT;";
my $all_default = "$first_xact
BEGIN;
COMMIT;
$second_xact";
my $all_with_xids = "BEGIN; -- xid $xid1
INSERT INTO public.t (id, v) VALUES (1, 'one');
INSERT INTO public.t (id, v) VALUES (2, E'two\\nlines');
COMMIT; -- xid $xid1
BEGIN; -- xid $xid2
UPDATE public.t SET id = 1, v = 'uno' WHERE id = 1;
DELETE FROM public.t WHERE id = 2;
SELECT pg_catalog.pg_logical_emit_message(true, 'prefix', 'content');
COMMIT; -- xid $xid2";

# (a) SQL functions: peek does not consume, get does.
is( $node->safe_psql(
		'postgres',
		"SELECT data FROM pg_logical_slot_peek_changes('sql_slot', NULL, NULL)"
	),
	$all_default,
	'peek: every transaction, the empty one included by default');
is( $node->safe_psql(
		'postgres',
		"SELECT data FROM pg_logical_slot_peek_changes('sql_slot', NULL, NULL, 'include-xids', '1', 'skip-empty-xacts', '1')"
	),
	$all_with_xids,
	'peek with include-xids and skip-empty-xacts');
is( $node->safe_psql(
		'postgres',
		"SELECT string_agg(convert_from(data, 'UTF8'), E'\\n' ORDER BY ordinality) FROM pg_logical_slot_peek_binary_changes('sql_slot', NULL, NULL) WITH ORDINALITY"
	),
	$all_default,
	'peek_binary_changes gives the same bytes');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_logical_slot_peek_changes('sql_slot', NULL, NULL) WHERE xid = '$xid1' AND data LIKE 'INSERT INTO public.t %'"
	),
	'2',
	'the xid column holds the transaction of each change');

# upto_nchanges stops at the end of the transaction holding that change.
is( $node->safe_psql(
		'postgres',
		"SELECT data FROM pg_logical_slot_get_changes('sql_slot', NULL, 1)"),
	$first_xact,
	'get with upto_nchanges returns the first transaction');
is( $node->safe_psql(
		'postgres',
		"SELECT data FROM pg_logical_slot_peek_changes('sql_slot', NULL, NULL, 'skip-empty-xacts', '1')"
	),
	$second_xact,
	'peek after get starts after the consumed transaction');
is( $node->safe_psql(
		'postgres',
		"SELECT data FROM pg_logical_slot_get_changes('sql_slot', NULL, NULL, 'skip-empty-xacts', '1')"
	),
	$second_xact,
	'get returns the rest');
is( $node->safe_psql(
		'postgres',
		"SELECT count(*) FROM pg_logical_slot_get_changes('sql_slot', NULL, NULL)"
	),
	'0',
	'nothing is left after get');

# (b) pg_recvlogical streams into a file; every message is a line.
my $recv_file = "$tempdir/recv.sql";
($rc, $stdout, $stderr) = pg_recvlogical(
	$node,      '--slot', 'recv_slot',      '--start',
	'--endpos', $endpos,  '--no-loop',      '-f',
	$recv_file, '-o',     'include-xids=1', '-o',
	'skip-empty-xacts=1');
is($rc,     0,  'pg_recvlogical --start stops at --endpos');
is($stderr, '', 'pg_recvlogical --start prints nothing on stderr');
is(slurp_file($recv_file), "$all_with_xids\n",
	'pg_recvlogical writes the statements to the file');

# An unknown option fails at startup, and the error reaches the client.
($rc, $stdout, $stderr) = pg_recvlogical(
	$node,                 '--slot', 'recv_slot', '--start',
	'--endpos',            $endpos,  '--no-loop', '-f',
	"$tempdir/unused.sql", '-o',     'no-such-option=1');
isnt($rc, 0, 'pg_recvlogical with an unknown option fails');
like(
	$stderr,
	qr/: ERROR:  unrecognized decoder_raw option "no-such-option"
HINT:  Valid options are: format, format-version, binary-values, include-transaction, skip-empty-xacts, include-xids, include-timestamp, include-lsn, include-origin, origin-progress, only-local, forward-origins, exclude-origins, missing-identity, message-size, include-tables, exclude-tables, actions, include-message-prefixes, exclude-message-prefixes, publication-names, partitions-as-root, gid-prefix, stream-changes\.
CONTEXT:  slot "recv_slot", output plugin "decoder_raw", in the startup callback$/m,
	'pg_recvlogical shows the unknown option error');

# (c) replication protocol: stream the slot created by CREATE_REPLICATION_SLOT.
# Options given as bare names mean true.
($rc, $stdout, $stderr) = pg_recvlogical(
	$node,      '--slot', 'proto_slot',   '--start',
	'--endpos', $endpos,  '--no-loop',    '-f',
	'-',        '-o',     'include-xids', '-o',
	'skip-empty-xacts');
is($rc, 0, 'streaming the protocol-created slot stops at --endpos');
is($stdout, "$all_with_xids\n",
	'the protocol-created slot streams the statements');

($rc, $stdout, $stderr) = $node->psql(
	'postgres',
	'DROP_REPLICATION_SLOT proto_slot',
	replication => 'database');
is($rc, 0, 'DROP_REPLICATION_SLOT');
($rc, $stdout, $stderr) =
  pg_recvlogical($node, '--slot', 'recv_slot', '--drop-slot');
is($rc, 0, 'pg_recvlogical --drop-slot');
$node->safe_psql('postgres', "SELECT pg_drop_replication_slot('sql_slot')");
is( $node->safe_psql('postgres', 'SELECT count(*) FROM pg_replication_slots'),
	'0',
	'all slots dropped');

$node->stop;

# A node that does not list decoder_raw in output_plugin_libraries refuses
# it whatever the way in, while test_decoding, which it lists, works.
my $restricted = new_logical_node('restricted',
	output_plugin_libraries => "'pgoutput, test_decoding'");
$restricted->start;

my $refusal =
  qr/ERROR:  library "decoder_raw" may not be used as an output plugin
HINT:  If it is safe for all REPLICATION users to use this library as an output plugin, add it to "output_plugin_libraries" and reload the server configuration\./;

($rc, $stdout, $stderr) = $restricted->psql('postgres',
	"SELECT pg_create_logical_replication_slot('refused', 'decoder_raw')");
isnt($rc, 0, 'restricted node: SQL function refuses decoder_raw');
like($stderr, $refusal, 'restricted node: SQL function gives the reason');

($rc, $stdout, $stderr) = $restricted->psql(
	'postgres',
	'CREATE_REPLICATION_SLOT refused LOGICAL decoder_raw',
	replication => 'database');
isnt($rc, 0, 'restricted node: CREATE_REPLICATION_SLOT refuses decoder_raw');
like($stderr, $refusal,
	'restricted node: CREATE_REPLICATION_SLOT gives the reason');

($rc, $stdout, $stderr) = pg_recvlogical($restricted, '--slot', 'refused',
	'--create-slot', '-P', 'decoder_raw');
isnt($rc, 0,
	'restricted node: pg_recvlogical --create-slot refuses decoder_raw');
like($stderr, $refusal,
	'restricted node: pg_recvlogical --create-slot gives the reason');

is( $restricted->safe_psql(
		'postgres', 'SELECT count(*) FROM pg_replication_slots'),
	'0',
	'restricted node: no slot was left behind');
is( $restricted->safe_psql(
		'postgres',
		"SELECT slot_name FROM pg_create_logical_replication_slot('allowed', 'test_decoding')"
	),
	'allowed',
	'restricted node: a listed plugin is accepted');

# Listing decoder_raw makes it usable; unlisting it again stops an existing
# slot from decoding.
$restricted->append_conf('postgresql.conf',
	"output_plugin_libraries = 'decoder_raw, pgoutput, test_decoding'");
$restricted->reload;
$restricted->poll_query_until('postgres',
	"SELECT current_setting('output_plugin_libraries') = 'decoder_raw, pgoutput, test_decoding'"
) or die 'the new output_plugin_libraries never took effect';
is( $restricted->safe_psql(
		'postgres',
		"SELECT slot_name FROM pg_create_logical_replication_slot('listed', 'decoder_raw')"
	),
	'listed',
	'once listed, decoder_raw is accepted');
$restricted->safe_psql('postgres', 'CREATE TABLE t (id int PRIMARY KEY)');
$restricted->safe_psql('postgres', 'INSERT INTO t VALUES (1)');
is( $restricted->safe_psql(
		'postgres',
		"SELECT data FROM pg_logical_slot_peek_changes('listed', NULL, NULL, 'skip-empty-xacts', '1')"
	),
	"BEGIN;\nINSERT INTO public.t (id) VALUES (1);\nCOMMIT;",
	'once listed, decoder_raw decodes');
$restricted->append_conf('postgresql.conf',
	"output_plugin_libraries = 'pgoutput, test_decoding'");
$restricted->reload;
$restricted->poll_query_until('postgres',
	"SELECT current_setting('output_plugin_libraries') = 'pgoutput, test_decoding'"
) or die 'the new output_plugin_libraries never took effect';
($rc, $stdout, $stderr) = $restricted->psql('postgres',
	"SELECT data FROM pg_logical_slot_peek_changes('listed', NULL, NULL)");
isnt($rc, 0,
	'unlisted again, decoder_raw refuses to decode an existing slot');
like($stderr, $refusal, 'unlisted again, the reason is given');

$restricted->stop;

done_testing();
