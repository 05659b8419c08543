
# Copyright (c) decoder_raw contributors

# Crash safety of an applier that follows origin progress.  A long stream
# from S is being replayed on T when the applier is killed, or T itself
# stops with -m immediate, in the middle of a transaction.  The commit of
# every replayed transaction recorded its source LSN in T's origin; the
# applier restarts from pg_replication_origin_progress('from_s', true) and T
# ends with exactly S's data: nothing lost, nothing applied twice.
#
# Through the SQL functions the slot is confirmed only after T commits, so
# the restart advances it to T's progress and decodes the rest again.
# pg_recvlogical confirms what it has written to its file, ahead of T, so
# that file is the queue: the restart replays it from T's progress.

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
use OriginTopology;

my $xacts = 600;    # transactions in each stream
my $cut   = 250;    # transactions T holds when the crash comes

my $s = new_logical_node('source', autovacuum => 'off');
my $t = new_logical_node('target', autovacuum => 'off');
$_->start              foreach $s, $t;
create_test_tables($_) foreach $s, $t;
$t->safe_psql('postgres', "SELECT pg_replication_origin_create('from_s');");
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('s_to_t', 'decoder_raw');"
);
$s->command_ok(
	[
		'pg_recvlogical',        '--dbname',
		$s->connstr('postgres'), '--slot',
		's_spool',               '--plugin',
		'decoder_raw',           '--create-slot'
	],
	'pg_recvlogical creates the spool slot');

my $spool      = PostgreSQL::Test::Utils::tempdir() . '/s_to_t.sql';
my %sql_stream = (
	from    => $s,
	slot    => 's_to_t',
	to      => $t,
	origin  => 'from_s',
	options => [ 'only-local' => 'on' ]);
my %spool_stream = (%sql_stream, slot => 's_spool', spool => $spool);

# Both slots must see every batch; the other slot is brought along after
# each scenario without applying anything.
sub skip_slot
{
	my ($slot) = @_;

	$s->safe_psql('postgres',
		"SELECT count(*) FROM pg_logical_slot_get_changes('$slot', NULL, NULL);"
	);
}

# Write one batch of $xacts transactions on S.
my $batch = 0;

sub write_batch
{
	my $name = 'S' . ++$batch;
	my $w    = start_writer($s, $name, 100000 * $batch, $xacts, 0);
	$w->{h}->finish or die "writer failed: ${ $w->{err} }";
	return $name;
}

# Start psql on T replaying the first $cut transactions of $records and the
# beginning of the next one, and wait until T has committed those and the
# next is open: that is where the crash hits.
sub apply_until_cut
{
	my ($records) = @_;
	my ($script)  = apply_script(
		records => [ @$records[ 0 .. $cut - 1 ] ],
		origin  => 'from_s');
	my @open = @{ $records->[$cut]{lines} }[ 0 .. 2 ];
	like(
		$open[2],
		qr/^(INSERT|UPDATE|DELETE) /,
		'the transaction cut short has begun changing rows');

	# nobody reads psql's output while it runs: let it go
	my ($in, $err) = ($script . join("\n", @open) . "\n", '');
	my $h = IPC::Run::start(
		[
			$t->installed_command('psql'), '-X',
			'-q',                          '-v',
			'ON_ERROR_STOP=1',             '-d',
			$t->connstr('postgres')
		],
		'<',
		\$in,
		'>',
		'/dev/null',
		'2>',
		\$err);

	# keep feeding psql until T is where the crash should hit
	my $lsn   = $records->[ $cut - 1 ]{lsn};
	my $query = qq{
SELECT pg_replication_origin_progress('from_s', true) = '$lsn'
	AND EXISTS (SELECT FROM pg_stat_activity
		WHERE state = 'idle in transaction');
};
	my $ready = 0;
	foreach my $i (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		# psql stopping early (an error) leaves the loop with $ready false
		last unless eval { $h->pump_nb; 1 } && $h->pumpable;
		last if $ready = ($t->safe_psql('postgres', $query) eq 't');
		usleep(100_000);
	}
	ok($ready, "T committed $cut transactions and has the next one open")
	  or diag $err;
	return $h;
}

# T holds the first $cut transactions of the batch, then all of it.
sub check_target
{
	my ($name, $count, $what) = @_;

	is( $t->safe_psql(
			'postgres',
			"SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM public.journal WHERE node = '$name';"
		),
		"$count|$count|$count",
		"$what: T holds transactions 1 to $count of $name once each");
}

sub check_identical
{
	my ($what) = @_;
	my $q = 'SELECT id, node, n, note FROM public.items ORDER BY id';
	my $j =
	  'SELECT node, seq, payload FROM public.journal ORDER BY node, seq';

	is( $t->safe_psql('postgres', $q),
		$s->safe_psql('postgres', $q),
		"$what: items identical");
	is( $t->safe_psql('postgres', $j),
		$s->safe_psql('postgres', $j),
		"$what: journal identical");
}

# 1. The applier dies (SIGKILL) in the middle of a transaction, through
# the SQL functions: it had not confirmed anything to the slot yet.
{
	my $name      = write_batch();
	my $start     = slot_confirmed($s, 's_to_t');
	my ($records) = sql_fetch(%sql_stream);
	is(scalar(@$records), $xacts, "$name: $xacts transactions to replay");

	my $h = apply_until_cut($records);
	$h->signal('KILL');
	$h->finish;
	check_target($name, $cut, 'applier killed');
	is(slot_confirmed($s, 's_to_t'), $start, 'the slot was not confirmed');

	my $round = apply_sql_round(%sql_stream);
	is( $round->{applied},
		$xacts - $cut,
		'the restart replays only what T did not commit');
	check_target($name, $xacts, 'after the restart');
	check_identical('applier killed, SQL functions');
	skip_slot('s_spool');
}

# 2. T stops with -m immediate in the middle of a transaction, through the
# SQL functions.
{
	my $name      = write_batch();
	my ($records) = sql_fetch(%sql_stream);
	my $h         = apply_until_cut($records);

	$t->stop('immediate');
	$h->kill_kill;
	$t->start;
	is( origin_progress($t, 'from_s'),
		$records->[ $cut - 1 ]{lsn},
		'after the crash, T recovered its progress');
	check_target($name, $cut, 'target crashed');

	my $round = apply_sql_round(%sql_stream);
	is( $round->{applied},
		$xacts - $cut,
		'the restart replays only what T did not commit');
	check_target($name, $xacts, 'after the restart');
	check_identical('target crashed, SQL functions');
	skip_slot('s_spool');
}

# 3 and 4. The same through pg_recvlogical: the slot is confirmed as far as
# the file goes, beyond what T holds, and the restart reads the file again.
foreach my $crash ('applier', 'target')
{
	skip_slot('s_to_t') if $crash eq 'target';
	my $name = write_batch();
	recvlogical_fetch(%spool_stream);
	my @records = parse_stream(read_spool($spool));
	is(scalar(@records), $xacts, "$name: $xacts transactions in the file");

	my $h = apply_until_cut(\@records);
	if ($crash eq 'applier')
	{
		$h->signal('KILL');
		$h->finish;
	}
	else
	{
		$t->stop('immediate');
		$h->kill_kill;
		$t->start;
	}
	check_target($name, $cut, "$crash crashed");
	cmp_ok(
		lsn_cmp(slot_confirmed($s, 's_spool'), origin_progress($t, 'from_s')),
		'>', 0, 'the slot was confirmed beyond what T holds');

	my $round = apply_spool(%spool_stream);
	is( $round->{applied},
		$xacts - $cut,
		'the restart replays the rest of the file');
	check_target($name, $xacts, 'after the restart');
	check_identical("$crash crashed, pg_recvlogical");
	is(-s $spool, 0, 'the file is emptied once applied');
}

# 5. pg_recvlogical stops at --endpos inside a transaction.  With one
# record per message, the file ends with the transaction cut short, which
# is not applied; the slot is confirmed to the middle of it, and the next
# fetch sends it whole.  With packed messages (the default on a replication
# connection), the message holding the transaction carries its commit's
# LSN, past --endpos: none of it is written, and the next fetch sends it
# whole too.
foreach my $case ([ 'one record per message', '0', 1 ],
	[ 'packed messages', undef, 3 ])
{
	my ($label, $size, $seq) = @$case;
	my @size = defined $size ? ('message-size' => $size) : ();
	my %stream = (%spool_stream,
		options => [ @{ $spool_stream{options} }, @size ]);

	my $open = $s->background_psql('postgres');
	$open->query_safe(
		"BEGIN; INSERT INTO public.journal VALUES ('cut', $seq, 'before');");
	my $endpos =
	  $s->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn();');
	$open->query_safe("INSERT INTO public.journal VALUES ('cut', "
		  . ($seq + 1)
		  . ", 'after'); COMMIT;");
	$open->quit;

	recvlogical_fetch(%stream, endpos => $endpos);
	my @lines = read_spool($spool);
	if (defined $size)
	{
		is($lines[0], 'BEGIN;',
			"$label: the file has the beginning of the transaction");
		ok((grep { /'before'/ } @lines) && !(grep { /^COMMIT;/ } @lines),
			"$label: but not its end");
	}
	else
	{
		is(scalar(@lines), 0, "$label: the file has none of the transaction");
	}
	is(apply_spool(%stream)->{applied},
		0, "$label: a transaction cut short is not applied");
	is( $t->safe_psql(
			'postgres',
			"SELECT count(*) FROM public.journal WHERE node = 'cut' AND seq >= $seq;"),
		'0',
		"$label: none of it is on T");

	is(apply_recvlogical_round(%stream)->{applied},
		1, "$label: the next fetch sends it whole");
	check_identical("transaction cut short, $label");
}

$s->stop;
$t->stop;

done_testing();
