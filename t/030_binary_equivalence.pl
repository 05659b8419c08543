
# Copyright (c) decoder_raw contributors

# Equivalence of the formats: for every workload of the test suite (the
# pg_regress files in sql/), the binary format's records printed by
# decoder_raw_dump must be, byte for byte, what the SQL format writes for
# the same changes with the same options.
#
# Each workload runs in a database of its own, under a slot created before
# it; the slot is then peeked once in each format per set of options.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use File::Basename;
use IPC::Run;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $srcdir = "$FindBin::RealBin/..";
my $dump = $ENV{DECODER_RAW_DUMP} // 'decoder_raw_dump';

my @workloads = sort glob("$srcdir/sql/*.sql");
cmp_ok(scalar(@workloads), '>', 0, 'the test suite has workloads');

# One more workload, for what the others leave out: origins whose names
# need quoting in a comment, one dropped before decoding, which is named by
# its id, and one longer than NAMEDATALEN.
my $origins_workload = q{
CREATE TABLE origin_t (id int PRIMARY KEY, v text);
SELECT pg_replication_origin_create(name)
  FROM unnest(ARRAY['odd, name', E'new\nline', 'dropped']) AS name;
SELECT pg_replication_origin_session_setup('odd, name');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/A1', '2026-01-01 00:00:00+00');
INSERT INTO origin_t VALUES (1, 'from odd, name');
COMMIT;
SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_session_setup(E'new\nline');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/A2', '2026-01-01 00:00:00+00');
INSERT INTO origin_t VALUES (2, 'from new line');
COMMIT;
SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_session_setup('dropped');
BEGIN;
SELECT pg_replication_origin_xact_setup('0/A3', '2026-01-01 00:00:00+00');
INSERT INTO origin_t VALUES (3, 'from dropped');
COMMIT;
SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_drop('dropped');
INSERT INTO origin_t VALUES (4, 'local');
SELECT pg_replication_origin_create(repeat('long name ', 10));
SELECT pg_replication_origin_session_setup(repeat('long name ', 10));
INSERT INTO origin_t VALUES (5, 'from a 100-byte name');
SELECT pg_replication_origin_session_reset();
};

# Options that change what either format writes.  The annotations carry
# xids, LSNs, times and origins, which differ between runs: comparing the
# two formats on the same changes is what makes them testable here.  The
# last set decodes in a session whose settings would change the output if
# anything depended on them.
my @option_sets = (
	[ 'default options', '' ],
	[
		'annotations', '', 'include-xids', 'on', 'include-lsn', 'on',
		'include-timestamp', 'on', 'include-origin', 'on',
		'origin-progress', 'on'
	],
	[ 'skip-empty-xacts', '', 'skip-empty-xacts', 'on', 'include-xids', 'on' ],
	[
		'without transactions', '', 'include-transaction', 'off',
		'include-lsn', 'on'
	],
	[ 'only-local', '', 'only-local', 'on', 'skip-empty-xacts', 'on' ],
	[
		'exclude-origins', '', 'exclude-origins', "new\nline",
		'include-origin', 'on'
	],
	[
		'odd session settings',
		"SET quote_all_identifiers = on; SET DateStyle = 'SQL, DMY'; "
		  . "SET TimeZone = 'Asia/Kolkata'; SET extra_float_digits = 0; "
		  . "SET bytea_output = 'escape'; SET IntervalStyle = 'sql_standard'; "
		  . "SET search_path = pg_catalog, public; ",
		'include-timestamp', 'on'
	],
);

my $node = new_logical_node(
	'equivalence',
	max_replication_slots => 50,
	logical_decoding_work_mem => '64kB');
$node->start;

# Run a program; returns its exit status, stdout and stderr.
sub run_cmd
{
	my ($cmd, $stdin) = @_;
	my ($out, $err) = ('', '');

	IPC::Run::run($cmd, '<', \$stdin, '>', \$out, '2>', \$err,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default));
	return (($? & 127) ? 128 + ($? & 127) : $? >> 8, $out, $err);
}

# Rows of a query, as psql -At prints them: each followed by a newline.
sub query_rows
{
	my ($db, $query) = @_;
	my ($rc, $out, $err) = run_cmd(
		[ 'psql', '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr($db),
		  '-c', $query ], '');
	die "query failed: $query\n$err" if $rc != 0;
	return $out;
}

sub option_list
{
	my @opts = @_;
	return join('', map { ", '$_'" } @opts);
}

my $total_lines = 0;

my $origins_file = $node->basedir . '/origins.sql';
PostgreSQL::Test::Utils::append_to_file($origins_file, $origins_workload);

foreach my $file (@workloads, $origins_file)
{
	my $name = basename($file, '.sql');
	my $db = "eq_$name";

	$node->safe_psql('postgres', "CREATE DATABASE \"$db\"");
	$node->safe_psql($db,
		"SELECT 'init' FROM pg_create_logical_replication_slot('equivalence', 'decoder_raw')"
	);
	# a workload with prepared transactions is also decoded by a two-phase
	# slot, which writes them at PREPARE
	my @slots = ('equivalence');
	if (slurp_file($file) =~ /PREPARE TRANSACTION/)
	{
		$node->safe_psql($db,
			"SELECT 'init' FROM pg_create_logical_replication_slot('equivalence_2pc', 'decoder_raw', false, true)"
		);
		push @slots, 'equivalence_2pc';
	}

	# The workload as pg_regress runs it; its own errors are expected ones.
	my ($rc, $out, $err) = run_cmd(
		[ 'psql', '-X', '-a', '-q', '-d', $node->connstr($db), '-f', $file ],
		'');
	note "workload $name: psql exit status $rc";

	# Both formats decode exactly the same WAL: up to a point the workload
	# has passed, whatever the server writes later (autovacuum's
	# transactions, for one).  A transaction with an xid flushes the WAL.
	my $upto = $node->safe_psql($db,
		'SELECT pg_catalog.pg_current_xact_id() IS NOT NULL; SELECT pg_catalog.pg_current_wal_flush_lsn()'
	);
	$upto = (split /\n/, $upto)[-1];

	foreach my $slot (@slots)
	{
	foreach my $set (@option_sets)
	{
		my ($label, $setup, @opts) = @$set;
		my $optlist = option_list(@opts);
		$label .= ', two-phase slot' if $slot ne 'equivalence';

		my $sql = query_rows($db,
			"${setup}SELECT data FROM pg_logical_slot_peek_changes('$slot', '$upto', NULL$optlist)"
		);
		my $hex = query_rows($db,
			"${setup}SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('$slot', '$upto', NULL, 'format', 'binary'$optlist)"
		);
		my $binary = join('', map { pack('H*', $_) } split(/\n/, $hex));

		my ($drc, $dout, $derr) = run_cmd([$dump], $binary);
		is($drc, 0, "$name, $label: decoder_raw_dump succeeds")
		  or diag($derr);
		is($dout, $sql,
			"$name, $label: decoder_raw_dump prints the SQL format's output ("
			  . ($sql =~ tr/\n//) . " lines)");
		$total_lines += ($sql =~ tr/\n//);

		# The SQL functions pack the binary format by default: the records
		# are the same, one per row, with message-size 0.
		my $hex0 = query_rows($db,
			"${setup}SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('$slot', '$upto', NULL, 'format', 'binary', 'message-size', '0'$optlist)"
		);
		is(join('', map { pack('H*', $_) } split(/\n/, $hex0)),
			$binary, "$name, $label: one record per message, the same bytes");

		# The SQL format packed: rows of several lines, the same lines.
		foreach my $size ('100', '64kB')
		{
			my $packed = query_rows($db,
				"${setup}SELECT data FROM pg_logical_slot_peek_changes('$slot', '$upto', NULL, 'message-size', '$size'$optlist)"
			);
			is($packed, $sql, "$name, $label: SQL format, message-size $size");
		}
	}
	}

	# binary-values: not SQL, but every record must parse
	my $hex = query_rows($db,
		"SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('equivalence', '$upto', NULL, 'format', 'binary', 'binary-values', 'on')"
	);
	my $binary = join('', map { pack('H*', $_) } split(/\n/, $hex));
	my ($drc, $dout, $derr) = run_cmd([ $dump, '--records' ], $binary);
	is($drc, 0, "$name, binary-values: every record parses") or diag($derr);

	$node->safe_psql($db, "SELECT pg_drop_replication_slot('$_')")
	  foreach @slots;
}

# Guard against comparing nothing with nothing.
cmp_ok($total_lines, '>', 100, 'the workloads wrote changes');

# A message boundary at every position of a transaction: the same changes
# decoded with every message size from 1 byte to more than the largest
# transaction, in both formats.  Every size must give the same records;
# every record boundary must end a message for some size; a message holds
# less than message-size bytes before its last record, and a record larger
# than message-size goes alone (but for a commit, which goes with what
# precedes it); every commit ends a message.
{
	my $db = 'eq_boundaries';
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql(
		$db, q{
CREATE TABLE bnd_t (id int PRIMARY KEY, v text, n numeric);
CREATE TABLE bnd_u (k text PRIMARY KEY);
SELECT 'init' FROM pg_create_logical_replication_slot('boundaries', 'decoder_raw');
INSERT INTO bnd_t VALUES (0, 'first', 0);
BEGIN;
INSERT INTO bnd_t SELECT i, repeat(E'v\n', i * 4), i / 3.0 FROM generate_series(1, 12) i;
UPDATE bnd_t SET n = n + 1 WHERE id <= 3;
SELECT 'msg' FROM pg_logical_emit_message(true, 'bnd', 'inside');
INSERT INTO bnd_u VALUES ('a'), ('b');
DELETE FROM bnd_t WHERE id = 5;
TRUNCATE bnd_u;
COMMIT;
SELECT 'msg' FROM pg_logical_emit_message(false, 'bnd', 'outside');
INSERT INTO bnd_t VALUES (100, 'last', 1);
});
	my $upto = $node->safe_psql($db,
		'SELECT pg_catalog.pg_current_xact_id() IS NOT NULL; SELECT pg_catalog.pg_current_wal_flush_lsn()'
	);
	$upto = (split /\n/, $upto)[-1];
	my $optlist = option_list('include-xids', 'on', 'include-lsn', 'on',
		'origin-progress', 'on');

	# message-size => [ messages ], in order, of one format; the records
	# of the SQL format hold no raw newline, the rows hold one between
	# records
	my $messages_by_size = sub {
		my ($binary, $max) = @_;
		my $fn = $binary ? 'peek_binary_changes' : 'peek_changes';
		my $fmt = $binary ? ", 'format', 'binary'" : '';
		my $val = $binary ? "encode(data, 'hex')" : "replace(data, E'\\n', chr(31))";
		my %by_size;
		foreach my $row (split /\n/,
			query_rows($db,
				"SELECT s, $val FROM generate_series(0, $max) s, "
				  . "LATERAL pg_logical_slot_$fn('boundaries', '$upto', NULL$fmt, 'message-size', s::text$optlist) WITH ORDINALITY AS c(lsn, xid, data, n) ORDER BY s, n"
			))
		{
			my ($size, $msg) = split /\|/, $row, 2;
			$msg = $binary ? pack('H*', $msg) : ($msg =~ s/\x1f/\n/gr);
			push @{ $by_size{$size} }, $msg;
		}
		return \%by_size;
	};

	foreach my $binary (0, 1)
	{
		my $format = $binary ? 'binary' : 'sql';
		my $sep = $binary ? '' : "\n";
		my $records = $messages_by_size->($binary, 0)->{0};
		my $max = 0;
		my $xact = 0;
		foreach my $r (@$records)
		{
			$xact += length($r) + length($sep);
			if ($binary ? substr($r, 0, 1) eq 'C' : $r =~ /^COMMIT;/)
			{
				$max = $xact if $xact > $max;
				$xact = 0;
			}
		}
		my $by_size = $messages_by_size->($binary, $max + 2);

		# offsets in the stream at which each record ends, and commits end
		my (%record_end, %commit_end, @record_at);
		my $off = 0;
		foreach my $r (@$records)
		{
			push @record_at, [ $off, length($r) ];
			$off += length($r);
			$record_end{$off} = 1;
			$commit_end{$off} = 1
			  if ($binary ? substr($r, 0, 1) eq 'C' : $r =~ /^COMMIT;/);
			$off += length($sep);
		}
		my $stream = join($sep, @$records);

		my (%ended, @bad);
		foreach my $size (1 .. $max + 2)
		{
			my $msgs = $by_size->{$size};
			if (join($sep, @$msgs) ne $stream)
			{
				push @bad, "$size: not the same records";
				next;
			}
			my %ends;
			$off = 0;
			foreach my $m (@$msgs)
			{
				my $end = $off + length($m);
				push @bad, "$size: a message ends inside a record at $end"
				  unless $record_end{$end};
				# the records of the message but its last
				my ($last) = grep { $_->[0] + $_->[1] == $end } @record_at;
				push @bad, "$size: a message holds $end - $off bytes"
				  if $last->[0] > $off
				  && $last->[0] - length($sep) - $off >= $size;
				push @bad, "$size: a record of $last->[1] bytes does not go alone"
				  if $last->[0] > $off
				  && $last->[1] > $size
				  && !$commit_end{$end};
				$ends{$end} = $ended{$end} = 1;
				$off = $end + length($sep);
			}
			foreach my $c (keys %commit_end)
			{
				push @bad, "$size: the commit ending at $c does not end a message"
				  unless $ends{$c};
			}
		}
		is(join("\n", @bad[0 .. ($#bad < 4 ? $#bad : 4)]), '',
			"$format: every message size from 1 to " . ($max + 2)
			  . ' bytes gives the same records, cut between records, before message-size, larger ones alone, at every commit');
		is_deeply([ sort { $a <=> $b } keys %ended ],
			[ sort { $a <=> $b } keys %record_end ],
			"$format: every one of the " . scalar(@$records)
			  . ' records ends a message for some size');

		if ($binary)
		{
			# and decoder_raw_dump reads them all as the SQL format
			my $sql = query_rows($db,
				"SELECT data FROM pg_logical_slot_peek_changes('boundaries', '$upto', NULL$optlist)");
			my $all = join('', map { join('', @{ $by_size->{$_} }) } 1 .. $max + 2);
			my ($drc, $dout, $derr) = run_cmd([$dump], $all);
			is($drc, 0, 'binary, every message size: decoder_raw_dump succeeds')
			  or diag($derr);
			ok($dout eq $sql x ($max + 2),
				'binary, every message size: decoder_raw_dump prints the SQL format\'s output');
		}
	}
}

# Commit times as the reader writes them, against PostgreSQL's own output
# of the same timestamptz in UTC: random times over the whole range, and
# its edges.
sub varint
{
	my ($v) = @_;
	my $s = '';
	while ($v >= 0x80)
	{
		$s .= chr(($v & 0x7f) | 0x80);
		$v >>= 7;
	}
	return $s . chr($v);
}

my $usecs_per_day = 86400 * 1000000;
my $min_day = -2451545;      # 4714-11-24 BC, Julian day 0
my $end_day = 106751983;     # 294277-01-01, the end of the range
my @times = (
	0, 1, -1, 999999, 1000000, 500000, -500000,
	-63158400000000000, -211813488000000000,
	9223371331199999999, 9223372036854775807, -9223372036854775807 - 1,
	-62987673600000000, -63082281600000000, -63082281600000001,
	-63113904000000000);
srand(20261121);
for (my $i = 0; $i < 500; $i++)
{
	my $day = $min_day + int(rand($end_day - $min_day));
	my $usec = int(rand(86400)) * 1000000 + int(rand(1000000));
	$usec = int($usec / 1000) * 1000 if $i % 3 == 0;
	$usec = int($usec / 1000000) * 1000000 if $i % 3 == 1;
	push @times, $day * $usecs_per_day + $usec;
}

my $stream = "H\x05DRAW\x01";
my @exprs;
foreach my $t (@times)
{
	$stream .= "C\x09\x04" . pack('q>', $t);
	if ($t == 9223372036854775807)
	{
		push @exprs, "'infinity'::timestamptz";
	}
	elsif ($t == -9223372036854775807 - 1)
	{
		push @exprs, "'-infinity'::timestamptz";
	}
	else
	{
		my $day = int($t / $usecs_per_day);
		$day-- if $day * $usecs_per_day > $t;
		my $usec = $t - $day * $usecs_per_day;
		push @exprs,
		  "timestamptz '2000-01-01 00:00:00+00' + interval '$day days' + interval '$usec microseconds'";
	}
}
my $pg_times = $node->safe_psql('postgres',
	"SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SELECT 'COMMIT; -- time ' || t::text FROM unnest(ARRAY["
	  . join(', ', @exprs)
	  . "]) WITH ORDINALITY AS u(t, n) ORDER BY n");
my ($trc, $tout, $terr) = run_cmd([$dump], $stream);
is($trc, 0, 'decoder_raw_dump reads the commit times') or diag($terr);
is($tout, "$pg_times\n",
	'commit times are written as PostgreSQL writes them ('
	  . scalar(@times) . ' times)');

$node->stop;

done_testing();
