
# Copyright (c) decoder_raw contributors

# Replication origin options on one node: changes made locally and under two
# origins, selected by only-local, forward-origins and exclude-origins
# (DML, TRUNCATE and both kinds of logical messages alike); include-origin
# and origin-progress annotations; the errors of bad combinations; and, in
# a walsender, an origin created after decoding started, reusing the id of a
# dropped one.

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

my $node = new_logical_node(
	'filter',
	track_commit_timestamp => 'on',
	autovacuum             => 'off');
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE TABLE public.t (id int PRIMARY KEY, src text);
CREATE TABLE public.tr (id int);
SELECT pg_replication_origin_create('node_b');
SELECT pg_replication_origin_create('node_c');
SELECT 'init' FROM pg_create_logical_replication_slot('filter', 'decoder_raw');
});

# Run statements in a session bound to an origin.
sub as_origin
{
	my ($origin, $sql) = @_;

	$node->safe_psql('postgres',
		"SELECT pg_replication_origin_session_setup('$origin');\n$sql");
}

# Each block is what one source contributes to the output, in order.
my @blocks;

$node->safe_psql('postgres', "INSERT INTO public.t VALUES (1, 'local');");
push @blocks, [
	'local', "BEGIN;
INSERT INTO public.t (id, src) VALUES (1, 'local');
COMMIT;"
];

as_origin(
	'node_b', q{
BEGIN;
SELECT pg_replication_origin_xact_setup('0/AB0', '2026-01-01 00:00:00+00');
INSERT INTO public.t VALUES (2, 'node_b');
SELECT pg_logical_emit_message(true, 'm', 'from node_b');
COMMIT;
});
push @blocks, [
	'node_b', "BEGIN;
INSERT INTO public.t (id, src) VALUES (2, 'node_b');
SELECT pg_catalog.pg_logical_emit_message(true, 'm', 'from node_b');
COMMIT;"
];

as_origin(
	'node_c', q{
BEGIN;
INSERT INTO public.t VALUES (3, 'node_c');
UPDATE public.t SET src = 'node_c2' WHERE id = 3;
COMMIT;
});
push @blocks, [
	'node_c', "BEGIN;
INSERT INTO public.t (id, src) VALUES (3, 'node_c');
UPDATE public.t SET id = 3, src = 'node_c2' WHERE id = 3;
COMMIT;"
];

as_origin(
	'node_b', q{
BEGIN;
SELECT pg_replication_origin_xact_setup('0/CD0', '2026-01-01 00:00:01+00');
TRUNCATE public.tr;
COMMIT;
});
push @blocks, [
	'node_b', "BEGIN;
TRUNCATE ONLY public.tr;
COMMIT;"
];

as_origin('node_c', "SELECT pg_logical_emit_message(false, 'nt', 'node_c');");
push @blocks,
  [
	'node_c',
	"SELECT pg_catalog.pg_logical_emit_message(false, 'nt', 'node_c');"
  ];

$node->safe_psql('postgres',
	"SELECT pg_logical_emit_message(false, 'nt', 'local');");
push @blocks,
  [
	'local',
	"SELECT pg_catalog.pg_logical_emit_message(false, 'nt', 'local');"
  ];

$node->safe_psql('postgres', "DELETE FROM public.t WHERE id = 3;");
push @blocks, [
	'local', "BEGIN;
DELETE FROM public.t WHERE id = 3;
COMMIT;"
];

sub peek
{
	my (@options) = @_;
	my $list = join('', map { ", '$_'" } @options);

	return $node->safe_psql('postgres',
		"SELECT data FROM pg_logical_slot_peek_changes('filter', NULL, NULL$list);"
	);
}

# The output made of the blocks of the given sources.
sub expected
{
	my (@sources) = @_;
	my %want = map { $_ => 1 } @sources;

	return join("\n", map { $_->[1] } grep { $want{ $_->[0] } } @blocks);
}

my @all = qw(local node_b node_c);

is(peek(), expected(@all), 'no option: every change');
is(peek('only-local', 'on'),  expected('local'), 'only-local: local changes');
is(peek('only-local', 'off'), expected(@all), 'only-local off: every change');
is( peek('forward-origins', 'node_b'),
	expected('local', 'node_b'),
	'forward-origins node_b: local and node_b');
is(peek('forward-origins', ' node_c , node_b '),
	expected(@all), 'forward-origins, two names with white space');
is(peek('forward-origins', 'NODE_B'),
	expected('local'), 'origin names are case-sensitive');
is( peek('exclude-origins', 'node_b'),
	expected('local', 'node_c'),
	'exclude-origins node_b: local and node_c');
is(peek('exclude-origins', 'node_b,node_c'),
	expected('local'), 'exclude-origins, two names');
is(peek('exclude-origins', 'node_x'),
	expected(@all), 'exclude-origins naming an unknown origin');
is( peek('only-local', 'off', 'forward-origins', 'node_c'),
	expected('local', 'node_c'),
	'only-local off with forward-origins');
is(peek('only-local', 'on', 'exclude-origins', 'node_b'),
	expected('local'), 'only-local with exclude-origins: they agree');

# A name that no origin has yet is accepted, and selects its changes once
# an origin of that name exists and marks some.
is(peek('forward-origins', 'node_late'),
	expected('local'),
	'forward-origins naming an origin that does not exist yet');
$node->safe_psql('postgres',
	"SELECT pg_replication_origin_create('node_late');");
as_origin('node_late', "INSERT INTO public.t VALUES (4, 'node_late');");
push @blocks, [
	'node_late', "BEGIN;
INSERT INTO public.t (id, src) VALUES (4, 'node_late');
COMMIT;"
];

# the origin's creation is a local transaction of its own, empty here
is( peek('forward-origins', 'node_late', 'skip-empty-xacts', 'on'),
	expected('local', 'node_late'),
	'forward-origins: the origin created later is forwarded');
is(peek('only-local', 'on', 'skip-empty-xacts', 'on'),
	expected('local'), 'only-local still drops it');

# include-origin: origin name and origin commit LSN, on BEGIN only.
my $out    = peek('include-origin', 'on', 'skip-empty-xacts', 'on');
my @begins = grep { /^BEGIN;/ } split /\n/, $out;
is_deeply(
	\@begins,
	[
		'BEGIN;',
		'BEGIN; -- origin node_b, origin_lsn 0/AB0',
		'BEGIN; -- origin node_c, origin_lsn 0/0',
		'BEGIN; -- origin node_b, origin_lsn 0/CD0',
		'BEGIN;',
		'BEGIN; -- origin node_late, origin_lsn 0/0',
	],
	'include-origin names the origin and its commit LSN');
like(
	peek(
		'include-origin', 'on',  'include-xids',    'on',
		'only-local',     'off', 'forward-origins', 'node_b'),
	qr/^BEGIN; -- xid \d+, origin node_b, origin_lsn 0\/AB0$/m,
	'include-origin after include-xids');

# origin-progress: right before COMMIT (an abort on PostgreSQL 16 and later
# records the progress that was set), deferred constraints checked first,
# then the end LSN of the source commit (the position a consumer confirms
# after it) and the source commit time.  Both rows carry the commit's LSN,
# so that no consumer stops between them and the COMMIT.  A transaction
# replayed under an origin without pg_replication_origin_xact_setup() has
# no origin time: PostgreSQL decodes it as its zero timestamp, which the
# next xact_setup takes as "no time".  (A row holding several lines is
# split into them, each with the row's LSN.)
my $rows = $node->safe_psql('postgres',
	"SELECT c.lsn || ' ' || l.line FROM pg_logical_slot_peek_changes('filter', NULL, NULL, 'origin-progress', 'on', 'include-xids', 'on') WITH ORDINALITY AS c(lsn, xid, data, n), regexp_split_to_table(c.data, E'\\n') WITH ORDINALITY AS l(line, m) ORDER BY c.n, l.m;"
);
my @rows = split /\n/, $rows;
my ($xacts, $good) = (0, 0);
for (my $i = 0; $i < @rows; $i++)
{
	next unless $rows[$i] =~ /^\S+ BEGIN; -- xid (\d+)$/;
	my $xid = $1;
	$xacts++;

	my ($j) = grep { $rows[$_] =~ /^\S+ COMMIT; -- xid $xid$/ } $i + 1 .. $#rows;
	next unless defined $j && $j >= $i + 3;
	my $commit_lsn = (split / /, $rows[$j])[0];
	next unless $rows[ $j - 2 ] eq "$commit_lsn SET CONSTRAINTS ALL IMMEDIATE;";
	my ($row_lsn, $lsn, $time) =
	  $rows[ $j - 1 ] =~
	  /^(\S+) SELECT WHERE pg_catalog\.pg_replication_origin_xact_setup\('(\S+)', '([^']+)'\) IS NULL;$/
	  or next;
	my $commit_time =
	  ($rows[ $i + 1 ] =~ /'node_(c|late)'\);$/)
	  ? '2000-01-01 00:00:00+00'
	  : $node->safe_psql(
		'postgres',
		"SET TimeZone = 'UTC'; SELECT pg_xact_commit_timestamp('$xid'::xid);"
	  );
	$good++
	  if $row_lsn eq $commit_lsn && $lsn eq $commit_lsn && $time eq $commit_time;
}
is($xacts, 7, 'origin-progress: seven transactions, one empty');
is($good, $xacts,
	'origin-progress: every COMMIT is preceded, at its own LSN, by the end LSN and time of the commit'
);

# Bad values and combinations.
sub peek_fails
{
	my ($options, $error, $name) = @_;
	my $list = join('', map { ", '$_'" } @$options);
	my ($ret, $stdout, $stderr) = $node->psql('postgres',
		"SELECT data FROM pg_logical_slot_peek_changes('filter', NULL, NULL$list);"
	);

	isnt($ret, 0, "$name: fails");
	like($stderr, $error, "$name: error message");
}

peek_fails(
	[ 'forward-origins', 'node_b', 'exclude-origins', 'node_c' ],
	qr/ERROR:  options "forward-origins" and "exclude-origins" cannot be used together/,
	'forward-origins with exclude-origins');
peek_fails(
	[ 'only-local', 'on', 'forward-origins', 'node_b' ],
	qr/ERROR:  options "only-local" and "forward-origins" cannot be used together\nDETAIL:  "only-local" drops every change that "forward-origins" would forward\./,
	'only-local with forward-origins');
peek_fails(
	[ 'forward-origins', 'node_b', 'only-local', 'true' ],
	qr/ERROR:  options "only-local" and "forward-origins" cannot be used together/,
	'forward-origins with only-local, in the other order');
peek_fails(
	[ 'forward-origins', '' ],
	qr/ERROR:  option "forward-origins" requires a value/,
	'forward-origins without a value');
peek_fails(
	[ 'exclude-origins', 'node_b,,node_c' ],
	qr/ERROR:  invalid value "node_b,,node_c" for option "exclude-origins"\nDETAIL:  Replication origin names must not be empty\./,
	'exclude-origins with an empty name');
peek_fails(
	[ 'only-local', 'maybe' ],
	qr/ERROR:  invalid value "maybe" for boolean option "only-local"/,
	'only-local with a bad value');
peek_fails(
	[ 'origin-progress', 'on', 'include-transaction', 'off' ],
	qr/ERROR:  option "origin-progress" requires "include-transaction"/,
	'origin-progress without include-transaction');
peek_fails(
	[ 'forward-origins', 'node_b', 'forward-origins', 'node_c' ],
	qr/ERROR:  option "forward-origins" is specified more than once/,
	'forward-origins twice');

# The same filters in a walsender, through a slot created on a replication
# connection and read by pg_recvlogical: there the filter runs outside any
# transaction and must find origin names by itself.  An origin that appears
# while the stream runs takes effect, even when it reuses the id of an
# origin dropped meanwhile, whose verdict the filter had cached.
$node->safe_psql(
	'postgres',
	'CREATE_REPLICATION_SLOT "stream" LOGICAL decoder_raw',
	replication => 'database');
my $file = $node->basedir . '/stream.sql';
my ($recv_out, $recv_err) = ('', '');
my $recv = IPC::Run::start(
	[
		$node->installed_command('pg_recvlogical'), '--dbname',
		$node->connstr('postgres'),                 '--slot',
		'stream',                                   '--start',
		'--no-loop',                                '--file',
		$file,                                      '--fsync-interval',
		'1',                                        '--status-interval',
		'1',                                        '-o',
		'forward-origins=node_c,node_new',          '-o',
		'include-origin=on',                        '-o',
		'skip-empty-xacts=on'
	],
	'>',
	\$recv_out,
	'2>',
	\$recv_err);

# Wait until the stream has written a line matching $re.
sub wait_for_stream
{
	my ($re) = @_;

	foreach my $i (1 .. 10 * $PostgreSQL::Test::Utils::timeout_default)
	{
		return 1 if -e $file && slurp_file($file) =~ $re;
		usleep(100_000);
	}
	return 0;
}

my $gone_id = $node->safe_psql('postgres',
	"SELECT pg_replication_origin_create('node_gone');");
as_origin('node_gone', "INSERT INTO public.t VALUES (10, 'node_gone');");
as_origin('node_c',    "INSERT INTO public.t VALUES (11, 'node_c');");
$node->safe_psql('postgres', "INSERT INTO public.t VALUES (12, 'marker');");
ok(wait_for_stream(qr/'marker'/), 'pg_recvlogical streams');

$node->safe_psql('postgres',
	"SELECT pg_replication_origin_drop('node_gone');");
my $new_id = $node->safe_psql('postgres',
	"SELECT pg_replication_origin_create('node_new');");
is($new_id, $gone_id, 'the new origin reuses the id of the dropped one');
as_origin('node_new', "INSERT INTO public.t VALUES (13, 'node_new');");
as_origin('node_b',   "INSERT INTO public.t VALUES (14, 'node_b');");
$node->safe_psql('postgres', "INSERT INTO public.t VALUES (15, 'end');");
ok(wait_for_stream(qr/'end'/), 'pg_recvlogical streams on');
$recv->signal('INT');
$recv->finish;

is( slurp_file($file), "BEGIN; -- origin node_c, origin_lsn 0/0
INSERT INTO public.t (id, src) VALUES (11, 'node_c');
COMMIT;
BEGIN;
INSERT INTO public.t (id, src) VALUES (12, 'marker');
COMMIT;
BEGIN; -- origin node_new, origin_lsn 0/0
INSERT INTO public.t (id, src) VALUES (13, 'node_new');
COMMIT;
BEGIN;
INSERT INTO public.t (id, src) VALUES (15, 'end');
COMMIT;
", 'walsender: forward-origins follows origins created while streaming');

$node->stop;

done_testing();
