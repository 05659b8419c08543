
# Copyright (c) decoder_raw contributors

# A long transaction whose changes are all left out (DELETE on a table
# without replica identity) writes nothing for a long time.  On
# PostgreSQL 15 the plugin itself reports progress every 100 such changes,
# as pgoutput does, so that the walsender reads the receiver's replies and
# sends keepalives: with a short wal_sender_timeout and a receiver that
# only replies when asked, the session must survive the transaction.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use IPC::Run;
use Time::HiRes qw(usleep);
use lib $FindBin::RealBin;
use DecoderRawNode;

my $node = new_logical_node(
	'keepalive',
	autovacuum => 'off',
	wal_sender_timeout => "'1s'",
	logical_decoding_work_mem => '64kB');
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE TABLE nokey (id int, v text);
INSERT INTO nokey SELECT g, 'x' FROM generate_series(1, 3000000) g;
CREATE TABLE marker (id int PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('ka', 'decoder_raw');
});

my $out = $node->basedir . '/ka.sql';
my $recv = IPC::Run::start(
	[
		'pg_recvlogical', '-d', $node->connstr('postgres'), '--slot', 'ka',
		'--start', '--no-loop', '-s', '3600', '-F', '0', '-f', $out
	],
	'>', \my $recv_stdout, '2>', \my $recv_stderr);

my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', 'DELETE FROM nokey; INSERT INTO marker VALUES (1);');

my $received = 0;
for (my $i = 0; $i < 600; $i++)
{
	if (-e $out && slurp_file($out) =~ /INSERT INTO public\.marker/)
	{
		$received = 1;
		last;
	}
	last unless $recv->pumpable;
	usleep(100_000);
}
my $log = substr(slurp_file($node->logfile), $log_offset);
unlike($log, qr/terminating walsender process due to replication timeout/,
	'the walsender does not time out during the skipped transaction');
ok($received, 'the change after the skipped transaction is received');
like(slurp_file($out),
	qr/^-- 0 UPDATE and 3000000 DELETE on public\.nokey left out: the table has no replica identity$/m,
	'the output says the changes were left out');

$recv->kill_kill;
$node->stop;
done_testing();
