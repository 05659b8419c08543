
# Copyright (c) decoder_raw contributors

# One pg_recvlogical session over many CREATE, INSERT and DROP cycles: the
# cache entries of dropped tables are freed, so the walsender's memory
# stays bounded.  Its memory contexts are read from the server log, where
# pg_log_backend_memory_contexts() writes them.

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

my $node = new_logical_node('long_session', autovacuum => 'off');
$node->start;

$node->safe_psql('postgres',
	q{SELECT 'init' FROM pg_create_logical_replication_slot('long', 'decoder_raw')});

my $out = $node->basedir . '/long.sql';
my $recv = IPC::Run::start(
	[
		'pg_recvlogical', '-d', $node->connstr('postgres'),
		'--slot', 'long', '--start', '-f', $out, '-F', '1'
	],
	'>', \my $recv_stdout, '2>', \my $recv_stderr);

my $cycles = 300;
$node->safe_psql(
	'postgres', qq{
DO \$\$
BEGIN
    FOR i IN 1..$cycles LOOP
        EXECUTE format('CREATE TABLE ls_%s (id int PRIMARY KEY, v text)', i);
        EXECUTE format('INSERT INTO ls_%s VALUES (1, ''x'')', i);
        COMMIT;
        EXECUTE format('DROP TABLE ls_%s', i);
        COMMIT;
    END LOOP;
END
\$\$;
CREATE TABLE ls_end (id int PRIMARY KEY);
INSERT INTO ls_end VALUES (1);
});

# wait until the walsender has decoded everything
my $done = 0;
for (my $i = 0; $i < 10 * $PostgreSQL::Test::Utils::timeout_default; $i++)
{
	if (-e $out && slurp_file($out) =~ /INSERT INTO public\.ls_end/)
	{
		$done = 1;
		last;
	}
	usleep(100_000);
}
ok($done, 'pg_recvlogical received every cycle');
my $sql = slurp_file($out);
my $inserts = () = $sql =~ /^INSERT INTO public\.ls_\d+ /mg;
is($inserts, $cycles, "$cycles inserts into $cycles tables");

my $pid = $node->safe_psql('postgres',
	q{SELECT active_pid FROM pg_replication_slots WHERE slot_name = 'long'});
my $log_offset = -s $node->logfile;
$node->safe_psql('postgres', "SELECT pg_log_backend_memory_contexts($pid)");
my $contexts = '';
for (my $i = 0; $i < 10 * $PostgreSQL::Test::Utils::timeout_default; $i++)
{
	$contexts = substr(slurp_file($node->logfile), $log_offset);
	last if $contexts =~ /Grand total:/;
	usleep(100_000);
}
like($contexts, qr/Grand total:/, 'the walsender logged its memory contexts');
my $entries = () = $contexts =~ /decoder_raw relation: /g;
cmp_ok($entries, '<=', 3,
	"after $cycles dropped tables, at most 3 relation cache entries are left ($entries)");

$recv->kill_kill;
$node->stop;
done_testing();
