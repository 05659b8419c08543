
# Copyright (c) decoder_raw contributors

# Exactly once through decoder_raw_apply.  While a workload runs on S, the
# applier is killed with SIGKILL at random points and restarted; then T
# crashes at random points under a running applier, then S stops with -m
# immediate.  The journal table has no key, so a transaction applied twice shows
# as two rows, and one lost as none: T must end with every journal entry
# once and the same rows as S.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use OriginTopology;
use ApplyTest;

my $seed = $ENV{APPLY_CRASH_SEED} // time;
srand($seed);
note "random seed $seed (APPLY_CRASH_SEED)";

my $s = new_logical_node('source', autovacuum => 'off');
my $t = new_logical_node(
	'target',
	autovacuum          => 'off',
	wal_buffers         => '8MB',
	restart_after_crash => 'on');
$_->start              foreach $s, $t;
create_test_tables($_) foreach $s, $t;
$s->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('s_to_t', 'decoder_raw');"
);

my @args = (
	'--slot', 's_to_t', '--origin', 'from_s', '--status-interval', '1',
	'--max-retries', '30', '--verbose');

sub census
{
	my ($name) = @_;
	return $t->safe_psql('postgres',
		"SELECT count(*), count(DISTINCT seq), coalesce(max(seq), 0) FROM public.journal WHERE node = '$name';"
	);
}

sub check_identical
{
	my ($what) = @_;
	my $q = 'SELECT id, node, n, note FROM public.items ORDER BY id';
	my $j = 'SELECT node, seq, payload FROM public.journal ORDER BY node, seq';

	is($t->safe_psql('postgres', $q), $s->safe_psql('postgres', $q),
		"$what: items identical");
	is($t->safe_psql('postgres', $j), $s->safe_psql('postgres', $j),
		"$what: journal identical");
	return;
}

# Apply everything S has, with --endpos.
sub catch_up
{
	my ($what) = @_;
	return apply_to_end($what, $s, $t, @args);
}

sub wait_for_rows
{
	my ($name, $n) = @_;

	$t->poll_query_until('postgres',
		"SELECT count(*) >= $n FROM public.journal WHERE node = '$name'")
	  or die "T did not get $n rows of $name";
	return;
}

# 1. SIGKILL at twenty random points of a running workload, preferably while
# the applier has a transaction open on T.
sub xact_open
{
	return $t->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'applier' AND xact_start IS NOT NULL"
	) > 0;
}

# Large transactions, 10000 journal rows each (several messages), 100 ms
# apart, keep the applier in the middle of a transaction much of the time,
# for as long as the twenty kills take.
sub start_big_writer
{
	my ($n) = @_;
	my $sql = qq{
DO \$\$
BEGIN
	FOR b IN 0..$n - 1 LOOP
		INSERT INTO public.journal
			SELECT 'B', b * 10000 + g, 'big ' || g FROM generate_series(1, 10000) g;
		PERFORM pg_sleep(0.1);
		COMMIT;
	END LOOP;
END
\$\$;};
	return start_sql($s, $sql);
}

{
	my ($xacts, $big) = (8000, 120);
	my $w  = start_writer($s, 'K', 0, $xacts, 0.001);
	my $bw = start_big_writer($big);
	my ($kills, $mid_xact) = (0, 0);

	while ($kills < 20)
	{
		# the backend of the applier killed last must be gone first, or
		# xact_open() would see its transaction, not the new applier's
		$t->poll_query_until('postgres',
			"SELECT count(*) = 0 FROM pg_stat_activity WHERE application_name = 'applier'"
		) or die "the killed applier's backend did not end";
		my $app = start_apply($s, $t, @args);

		usleep(100_000 + int(rand(400_000)));
		# kill right after seeing the transaction open: asking again would
		# let it commit in between
		my $open = 0;
		foreach (1 .. 1000)
		{
			$open = xact_open() and last;
			usleep(5_000);
		}
		$app->{h}->signal('KILL');
		$mid_xact++ if $open;
		eval { $app->{h}->finish };
		$kills++;
	}
	$w->{h}->finish  or die "writer failed: ${ $w->{err} }";
	$bw->{h}->finish or die "big writer failed: ${ $bw->{err} }";
	note "T had "
	  . census('K') . " of K and "
	  . census('B')
	  . " of B after the kills; $mid_xact of $kills kills came with a transaction open on T";
	cmp_ok($mid_xact, '>=', 10, 'most kills hit a transaction open on T');
	catch_up('after twenty kills');
	is(census('K'), "$xacts|$xacts|$xacts",
		'after twenty SIGKILLs: every small transaction once, none lost');
	my $rows = 10000 * $big;
	is(census('B'), "$rows|$rows|$rows",
		'after twenty SIGKILLs: every row of the large transactions once');
	check_identical('after twenty SIGKILLs');
	cmp_ok(lsn_cmp(slot_confirmed($s, 's_to_t'), origin_progress($t, 'from_s')),
		'>=', 0, 'the slot is confirmed up to the target progress');
}

# 2. T crashes at six (or up to twelve) random points under a running
# applier, which reconnects each time.  The applier commits on T with synchronous_commit
# off, so a crash loses T's last commits, and the slot must not have been
# confirmed for them, or S would not send them again.  Three crashes are
# -m immediate stops; for the other three T's WAL writer is stopped for a
# while first, so that the commits of that while, unwritten in T's WAL
# buffers, are lost, and then killed with SIGKILL, which makes the
# postmaster restart T.  Returns the journal rows of T just before and
# just after.
sub crash_target
{
	my ($crash, $app) = @_;
	my ($before, $after);

	if ($crash % 2)
	{
		# the applier is held while T restarts, so that the count after
		# the crash is T's own and not what the applier sent again
		$app->{h}->signal('STOP');
		($before) = split /\|/, census('T');
		$t->stop('immediate');
		$t->start;
	}
	else
	{
		my $walwriter = $t->safe_psql('postgres',
			"SELECT pid FROM pg_stat_activity WHERE backend_type = 'walwriter'");
		kill 'STOP', $walwriter;
		usleep(1_200_000 + int(rand(800_000)));
		$app->{h}->signal('STOP');
		($before) = split /\|/, census('T');
		kill 'KILL', $walwriter;
		# a new WAL writer: the postmaster has restarted T (a query that
		# comes before it notices the kill would meet the restart)
		$t->poll_query_until('postgres',
			"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'walwriter' AND pid <> $walwriter"
		) or die 'T did not restart after its WAL writer was killed';
	}
	($after) = split /\|/, census('T');
	$app->{h}->signal('CONT');
	return ($before, $after);
}

{
	my $xacts = 8000;
	my $w     = start_writer($s, 'T', 10000, $xacts, 0.002);
	my $app   = start_apply($s, $t, @args);
	my $lost  = 0;

	my $crashes = 0;
	wait_for_rows('T', 50);
	# six crashes, and more while none has lost a commit yet: whether one
	# does depends on the machine's timing, not only on the applier
	foreach my $crash (1 .. 12)
	{
		last if $crash > 6 && $lost > 0;
		$crashes++;
		my ($before) = split /\|/, census('T');

		wait_for_rows('T', $before + 20 < $xacts ? $before + 20 : $xacts);
		usleep(100_000 + int(rand(500_000)));
		my $after;
		($before, $after) = crash_target($crash, $app);
		$lost += $before - $after if $after < $before;
	}
	$w->{h}->finish or die "writer failed: ${ $w->{err} }";
	wait_for_rows('T', $xacts);
	note "$crashes crashes of T lost at least $lost of its commits";
	SKIP:
	{
		# seen on 15; on 17 and 18 the commits of the pause reach disk
		# anyway, and the test then checks only that nothing is lost
		skip 'no crash of T lost a commit on this server', 1 if $lost == 0;
		cmp_ok($lost, '>', 0, 'the crashes of T lost asynchronous commits');
	}
	ok($app->{h}->pumpable, 'the applier survived the target crashes');
	is(stop_apply($app, 'TERM'), 0, 'and stops with SIGTERM, exit 0');
	like(apply_log($app), qr/connection to the target lost/,
		'it saw the target go');
	like(apply_log($app), qr/reconnecting in \d+ s/, 'and reconnected');
	is(census('T'), "$xacts|$xacts|$xacts",
		"target crashed $crashes times: every transaction once, none lost");
	check_identical('target crashed');
}

# 3. S stops with -m immediate while the applier is catching up.
{
	my $xacts = 1500;
	my $w     = start_writer($s, 'S', 20000, $xacts, 0);
	$w->{h}->finish or die "writer failed: ${ $w->{err} }";
	my $app = start_apply($s, $t, @args);

	wait_for_rows('S', 100);
	$s->stop('immediate');
	$s->start;
	wait_for_rows('S', $xacts);
	ok($app->{h}->pumpable, 'the applier survived the source restart');
	is(stop_apply($app, 'TERM'), 0, 'and stops with SIGTERM, exit 0');
	like(apply_log($app), qr/reconnecting in \d+ s/, 'it reconnected');
	is(census('S'), "$xacts|$xacts|$xacts",
		'source restarted: every transaction once');
	check_identical('source restarted');
}

$s->stop;
$t->stop;
done_testing();
