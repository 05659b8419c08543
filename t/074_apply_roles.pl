
# Copyright (c) decoder_raw contributors

# decoder_raw_apply without superusers, with the grants the README lists:
# on the source a role with REPLICATION, on the target a role with EXECUTE
# on the replication origin functions, SET on session_replication_role and
# the tables' privileges, which logs in with a password.  A wrong password
# and a missing grant fail with a clear message that never shows the
# password; with the grants the workload replicates whole, through the
# procedure of the decoder_raw extension, which needs no grant of its own.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology;
use ApplyTest;

my $s = new_logical_node('source');
my $t = new_logical_node('target');
$_->start              foreach $s, $t;
create_test_tables($_) foreach $s, $t;

$s->safe_psql('postgres', 'CREATE ROLE rep_src LOGIN REPLICATION');
$t->safe_psql(
	'postgres', q{
SET password_encryption = 'scram-sha-256';
CREATE ROLE apply_tgt LOGIN PASSWORD 'pw s3cr3t';
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO apply_tgt;
GRANT EXECUTE ON FUNCTION
	pg_replication_origin_create(text),
	pg_replication_origin_oid(text),
	pg_replication_origin_session_setup(text),
	pg_replication_origin_session_reset(),
	pg_replication_origin_session_progress(boolean),
	pg_replication_origin_advance(text, pg_lsn),
	pg_replication_origin_progress(text, boolean),
	pg_replication_origin_xact_setup(pg_lsn, timestamp with time zone)
	TO apply_tgt;});

# the target's role must give its password
my $hba = $t->data_dir . '/pg_hba.conf';
my $rules = slurp_file($hba);
open my $fh, '>', $hba or die "could not write $hba: $!";
print $fh "local all apply_tgt scram-sha-256\n", $rules;
close $fh;
$t->reload;

my $source = $s->connstr('postgres') . ' user=rep_src application_name=applier';

sub apply_as
{
	my ($password, @args) = @_;
	my ($out, $err) = ('', '');
	my $target = $t->connstr('postgres')
	  . " user=apply_tgt password='$password' application_name=applier";

	IPC::Run::run(
		[
			apply_program(), '--source', $source, '--target', $target,
			'--slot', 'roles', '--origin', 'from_s', @args
		],
		'>', \$out, '2>', \$err,
		IPC::Run::timeout(3 * $PostgreSQL::Test::Utils::timeout_default));
	return ($? >> 8, $err);
}

# a wrong password: exit 3, and no password in the message; the slot, which
# the REPLICATION role creates first, is there for the workload
my $end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
my ($rc, $err) = apply_as('wrong s3cr3t', '--create-slot', '--endpos', $end);
is($rc, 3, 'a wrong password on the target: exit 3');
like($err, qr/created replication slot "roles"/,
	'the REPLICATION role created the slot first');
like($err, qr/could not connect to the target \(.*user=apply_tgt\): .*password authentication failed/,
	'the message names the server and the role');
unlike($err, qr/s3cr3t/, 'but shows no password');

my $w = start_writer($s, 'R', 0, 200, 0);
$w->{h}->finish or die "writer failed: ${ $w->{err} }";
$end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');

# without SET on session_replication_role: exit 1, with a hint
($rc, $err) = apply_as('pw s3cr3t', '--create-slot', '--endpos', $end);
is($rc, 1, 'without SET on session_replication_role: exit 1');
like($err, qr/permission denied to set parameter "session_replication_role"/,
	'the target says why');
like($err, qr/hint: needs a superuser, or GRANT SET ON PARAMETER session_replication_role/,
	'and the applier what to grant');
unlike($err, qr/s3cr3t/, 'no password there either');

$t->safe_psql('postgres',
	'GRANT SET ON PARAMETER session_replication_role TO apply_tgt');
# the extension's procedure needs no grant of its own
$t->safe_psql('postgres', 'CREATE EXTENSION decoder_raw');
($rc, $err) = apply_as('pw s3cr3t', '--create-slot', '--endpos', $end,
	'--apply-mode', 'procedure');
is($rc, 0, 'with the grants, a REPLICATION role and a plain role replicate')
  or diag $err;
is($t->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT seq) FROM public.journal WHERE node = 'R'"),
	'200|200', 'every transaction once');
my $q = 'SELECT id, node, n, note FROM public.items ORDER BY id';
is($t->safe_psql('postgres', $q), $s->safe_psql('postgres', $q),
	'items identical');
cmp_ok(lsn_cmp(slot_confirmed($s, 'roles'), origin_progress($t, 'from_s')),
	'>=', 0, 'and the slot is confirmed there');

# The extension in a schema the role may not use: auto takes SQL statements.
$t->safe_psql('postgres',
	'CREATE SCHEMA hidden; ALTER EXTENSION decoder_raw SET SCHEMA hidden');
$s->safe_psql('postgres', "INSERT INTO public.items VALUES (9001, 'R', 0, 'hidden')");
$end = $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
($rc, $err) = apply_as('pw s3cr3t', '--endpos', $end, '--verbose');
is($rc, 0, 'the procedure in a schema the role may not use: the applier runs')
  or diag $err;
like($err, qr/applying with SQL statements: the target database has no decoder_raw_apply_batch\(\) that this role may call/,
	'with SQL statements, saying why');
is($t->safe_psql('postgres', 'SELECT note FROM public.items WHERE id = 9001'),
	'hidden', 'and the row arrives');

$s->stop;
$t->stop;
done_testing();
