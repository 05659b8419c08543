
# Copyright (c) decoder_raw contributors

# Origin progress is recorded only for transactions that commit.  From
# PostgreSQL 16 on, an abort also records the progress that
# pg_replication_origin_xact_setup() set, so decoder_raw writes that call
# right before COMMIT, after SET CONSTRAINTS ALL IMMEDIATE, as the qual of
# a SELECT after which the server checks for no interrupt before COMMIT.
# An applier (psql) killed after any line before it, or failing on any
# change or on a deferred constraint, leaves the target's origin where it
# was, on every major; a session that sends the transaction as one query
# and is terminated or cancelled right after the call still commits.  What
# is left, documented in doc/topologies.md, is a failure between the call
# and the end of COMMIT when they are sent apart or COMMIT itself fails: on
# 16 and later it records progress for the aborted transaction, and the
# applier puts the origin back with pg_replication_origin_advance().

use strict;
use warnings;

use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $s = new_logical_node('source');
my $t = new_logical_node('target');
$_->start foreach $s, $t;

my $schema = q{
CREATE TABLE t (id int PRIMARY KEY, v text);
CREATE TABLE d (id int PRIMARY KEY, ref int,
	CONSTRAINT d_ref UNIQUE (ref) DEFERRABLE INITIALLY DEFERRED);
};
$_->safe_psql('postgres', $schema) foreach $s, $t;
$t->safe_psql('postgres', "SELECT pg_replication_origin_create('from_s');");
$s->safe_psql('postgres',
	"SELECT count(pg_create_logical_replication_slot(name, 'decoder_raw')) FROM (VALUES ('s'), ('r_sql'), ('r_bin')) AS v(name);"
);

my $abort_records_progress =
  $t->safe_psql('postgres', 'SHOW server_version_num') >= 160000;

sub progress
{
	return $t->safe_psql('postgres',
		"SELECT coalesce(pg_replication_origin_progress('from_s', true), '0/0');"
	);
}

sub decode
{
	my $out = $s->safe_psql('postgres',
		"SELECT data FROM pg_logical_slot_get_changes('s', NULL, NULL, 'origin-progress', 'on', 'skip-empty-xacts', 'on');"
	);
	return split /\n/, $out;
}

sub setup_lsn
{
	my @lines = @_;
	my ($lsn) =
	  map { /^SELECT WHERE pg_catalog\.pg_replication_origin_xact_setup\('(\S+)'/ ? $1 : () }
	  @lines;
	return $lsn;
}

# Replay @lines through psql under the origin; returns exit code and stderr.
sub replay
{
	my @lines  = @_;
	my $script = "SELECT pg_catalog.pg_replication_origin_session_setup('from_s');\n"
	  . join("\n", @lines) . "\n";
	my ($ret, $stdout, $stderr) =
	  $t->psql('postgres', $script, on_error_stop => 1);
	return ($ret, $stderr);
}

# Send the first $n lines to a psql session, wait until they have run, then
# kill psql with SIGKILL and wait for its backend to end (it aborts).
sub replay_killed_after
{
	my ($n, @lines) = @_;
	my $app = "applier_$n";
	my ($in, $out, $err) = ('', '', '');
	my $h = IPC::Run::start(
		[
			'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d',
			$t->connstr('postgres') . " application_name=$app"
		],
		'<', \$in, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	$in .= "SELECT pg_catalog.pg_replication_origin_session_setup('from_s');\n";
	$in .= join("\n", @lines[ 0 .. $n - 1 ]) . "\n\\echo sent $n\n";
	$h->pump until $out =~ /sent $n/ || $err ne '';
	die "psql failed: $err" if $err ne '';
	$h->signal('KILL');
	eval { $h->finish };
	$t->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = '$app';"
	) or die "the backend of $app did not end";
	return;
}

# A transaction of three changes, killed after each line before COMMIT.
$s->safe_psql('postgres',
	"BEGIN; INSERT INTO t VALUES (1, 'a'), (2, 'b'); UPDATE t SET v = 'c' WHERE id = 1; COMMIT;"
);
my @xact = decode();
my $lsn1 = setup_lsn(@xact);
is(scalar(@xact), 7, 'BEGIN, three changes, SET CONSTRAINTS, progress, COMMIT');
is($xact[4], 'SET CONSTRAINTS ALL IMMEDIATE;',
	'deferred constraints are checked before the progress is set');
like($xact[5], qr/^SELECT WHERE pg_catalog\.pg_replication_origin_xact_setup\('[^']+', '[^']+'\) IS NULL;$/,
	'the progress is set right before COMMIT');
is($xact[6], 'COMMIT;', 'COMMIT ends the transaction');

# pg_recvlogical --endpos at the commit's end LSN, the position a consumer
# confirms, stops after the COMMIT, never between it and the progress.
my $dump = $ENV{DECODER_RAW_DUMP} // 'decoder_raw_dump';
foreach my $format ('sql', 'binary')
{
	my $slot = $format eq 'sql' ? 'r_sql' : 'r_bin';
	my $file = PostgreSQL::Test::Utils::tempdir() . "/$slot.out";
	$s->command_ok(
		[
			'pg_recvlogical', '--dbname', $s->connstr('postgres'),
			'--slot', $slot, '--start', '--no-loop', '--endpos', $lsn1,
			'-f', $file, '-o', "format=$format", '-o', 'origin-progress=on',
			'-o', 'skip-empty-xacts=on'
		],
		"pg_recvlogical ($format) up to the commit's end LSN");
	my $got;
	if ($format eq 'sql')
	{
		$got = slurp_file($file);
	}
	else
	{
		my $err = '';
		IPC::Run::run([ $dump, $file ], '>', \$got, '2>', \$err)
		  or die "decoder_raw_dump failed: $err";
	}
	is($got, join("\n", @xact) . "\n",
		"pg_recvlogical ($format) --endpos has the whole transaction");
}

foreach my $n (1 .. 5)
{
	replay_killed_after($n, @xact);
	is(progress(), '0/0',
		"applier killed after line $n of 7: no progress recorded");
	is($t->safe_psql('postgres', 'SELECT count(*) FROM t'),
		'0', "applier killed after line $n of 7: nothing applied");
}

# Killed between the progress call and COMMIT: on 16 and later the abort
# records the progress; the applier puts it back before it resumes.
replay_killed_after(6, @xact);
is( progress(),
	$abort_records_progress ? $lsn1 : '0/0',
	'applier killed between the progress call and COMMIT: progress recorded only where an abort records it'
);
$t->safe_psql('postgres',
	"SELECT pg_replication_origin_advance('from_s', '0/0');");
is(progress(), '0/0', 'pg_replication_origin_advance() puts the origin back');

# One query, as decoder_raw_apply sends a transaction: a session that ends
# or is cancelled right after the progress call (here it signals itself
# there) aborts nothing, since the server acts on it only after COMMIT.
# The same call written as a plain SELECT lets it abort the transaction,
# and on 16 and later record the progress: what the form prevents.
sub replay_signalled
{
	my ($what, $line, @lines) = @_;
	my $app = "signalled_$what";
	my @txn = @lines;
	$txn[5] = $line;
	IPC::Run::run(
		[
			'psql', '-X', '-q', '-d',
			$t->connstr('postgres') . " application_name=$app",
			'-c', "SELECT pg_catalog.pg_replication_origin_session_setup('from_s');",
			'-c', join("\n", @txn)
		],
		'>', \my $out, '2>', \my $err);
	$t->poll_query_until('postgres',
		"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = '$app';"
	) or die "the backend of $app did not end";
	return $err;
}

sub forget
{
	$t->safe_psql('postgres',
		"DELETE FROM t; SELECT pg_replication_origin_advance('from_s', '0/0');");
	return;
}

my $term   = 'pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid())';
my $cancel = 'pg_catalog.pg_cancel_backend(pg_catalog.pg_backend_pid())';
my $call   = $xact[5] =~ s/^SELECT WHERE (.*) IS NULL;$/$1/r;
my $source_rows = $s->safe_psql('postgres', 'SELECT id, v FROM t ORDER BY id');

like(replay_signalled('plain', "SELECT $call, $term;", @xact),
	qr/terminating connection/, 'a plain SELECT of the call: terminated');
is($t->safe_psql('postgres', 'SELECT count(*) FROM t'),
	'0', 'a plain SELECT of the call: the transaction aborted');
is( progress(),
	$abort_records_progress ? $lsn1 : '0/0',
	'a plain SELECT of the call: its progress recorded where an abort records it'
);
forget();

foreach my $signal ([ 'terminate', $term ], [ 'cancel', $cancel ])
{
	my ($what, $sql) = @$signal;
	replay_signalled($what, $xact[5] =~ s/ IS NULL;$/ IS NULL OR ($sql AND false);/r,
		@xact);
	is($t->safe_psql('postgres', 'SELECT id, v FROM t ORDER BY id'),
		$source_rows, "$what right after the progress call: the transaction commits");
	is(progress(), $lsn1, "$what right after the progress call: with its progress");
	forget();
}

# An applier failing on a change records nothing either.
$t->safe_psql('postgres', "INSERT INTO t VALUES (2, 'in the way');");
my ($ret, $stderr) = replay(@xact);
isnt($ret, 0, 'the replay fails on a conflicting change');
like($stderr, qr/duplicate key value violates unique constraint "t_pkey"/,
	'the replay names the conflict');
is(progress(), '0/0', 'a failed change records no progress');
$t->safe_psql('postgres', 'DELETE FROM t;');

($ret, $stderr) = replay(@xact);
is($ret, 0, 'the transaction replays whole');
is(progress(), $lsn1, 'its commit records its progress');
is( $t->safe_psql('postgres', 'SELECT id, v FROM t ORDER BY id'),
	$s->safe_psql('postgres', 'SELECT id, v FROM t ORDER BY id'),
	'target has the transaction once');

# A deferred constraint fails at SET CONSTRAINTS, before the progress is set.
$t->safe_psql('postgres', 'INSERT INTO d VALUES (100, 7);');
$s->safe_psql('postgres', 'INSERT INTO d VALUES (1, 7);');
my @dxact = decode();
my $lsn2  = setup_lsn(@dxact);
($ret, $stderr) = replay(@dxact);
isnt($ret, 0, 'the replay fails on the deferred constraint');
like($stderr, qr/duplicate key value violates unique constraint "d_ref"/,
	'the replay names the deferred constraint');
is(progress(), $lsn1, 'a deferred constraint that fails records no progress');

# The window: a COMMIT that fails after the progress was set (here, the
# same deferred constraint checked only at COMMIT).
($ret, $stderr) = replay(grep { !/^SET CONSTRAINTS/ } @dxact);
isnt($ret, 0, 'a COMMIT that fails after the progress call fails');
like($stderr, qr/duplicate key value violates unique constraint "d_ref"/,
	'at the deferred constraint');
is( progress(),
	$abort_records_progress ? $lsn2 : $lsn1,
	'a failed COMMIT records progress only where an abort records it');
# the repair of doc/topologies.md, in a session bound to the origin
$t->safe_psql(
	'postgres', qq{
SELECT pg_replication_origin_session_setup('from_s');
SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_advance('from_s', '$lsn1');
SELECT pg_replication_origin_session_setup('from_s');
});
is(progress(), $lsn1,
	'the applier puts the origin back to its last committed transaction');

$t->safe_psql('postgres', 'DELETE FROM d WHERE id = 100;');
($ret, $stderr) = replay(@dxact);
is($ret,       0,     'once the conflict is gone the transaction replays');
is(progress(), $lsn2, 'and records its progress');
is( $t->safe_psql('postgres', 'SELECT * FROM d ORDER BY id'),
	$s->safe_psql('postgres', 'SELECT * FROM d ORDER BY id'),
	'target has the deferred-constraint transaction once');

done_testing();
