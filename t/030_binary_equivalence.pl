
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

# Options that change what either format writes.  The annotations carry
# xids, LSNs, times and origins, which differ between runs: comparing the
# two formats on the same changes is what makes them testable here.
my @option_sets = (
	[ 'default options' ],
	[
		'annotations', 'include-xids', 'on', 'include-lsn', 'on',
		'include-timestamp', 'on', 'include-origin', 'on',
		'origin-progress', 'on'
	],
	[ 'skip-empty-xacts', 'skip-empty-xacts', 'on', 'include-xids', 'on' ],
	[
		'without transactions', 'include-transaction', 'off',
		'include-lsn', 'on'
	],
	[ 'only-local', 'only-local', 'on', 'skip-empty-xacts', 'on' ],
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

foreach my $file (@workloads)
{
	my $name = basename($file, '.sql');
	my $db = "eq_$name";

	$node->safe_psql('postgres', "CREATE DATABASE \"$db\"");
	$node->safe_psql($db,
		"SELECT 'init' FROM pg_create_logical_replication_slot('equivalence', 'decoder_raw')"
	);

	# The workload as pg_regress runs it; its own errors are expected ones.
	my ($rc, $out, $err) = run_cmd(
		[ 'psql', '-X', '-a', '-q', '-d', $node->connstr($db), '-f', $file ],
		'');
	note "workload $name: psql exit status $rc";

	foreach my $set (@option_sets)
	{
		my ($label, @opts) = @$set;
		my $optlist = option_list(@opts);

		my $sql = query_rows($db,
			"SELECT data FROM pg_logical_slot_peek_changes('equivalence', NULL, NULL$optlist)"
		);
		my $hex = query_rows($db,
			"SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('equivalence', NULL, NULL, 'format', 'binary'$optlist)"
		);
		my $binary = join('', map { pack('H*', $_) } split(/\n/, $hex));

		my ($drc, $dout, $derr) = run_cmd([$dump], $binary);
		is($drc, 0, "$name, $label: decoder_raw_dump succeeds")
		  or diag($derr);
		is($dout, $sql,
			"$name, $label: decoder_raw_dump prints the SQL format's output ("
			  . ($sql =~ tr/\n//) . " lines)");
		$total_lines += ($sql =~ tr/\n//);
	}

	# binary-values: not SQL, but every record must parse
	my $hex = query_rows($db,
		"SELECT encode(data, 'hex') FROM pg_logical_slot_peek_binary_changes('equivalence', NULL, NULL, 'format', 'binary', 'binary-values', 'on')"
	);
	my $binary = join('', map { pack('H*', $_) } split(/\n/, $hex));
	my ($drc, $dout, $derr) = run_cmd([ $dump, '--records' ], $binary);
	is($drc, 0, "$name, binary-values: every record parses") or diag($derr);

	$node->safe_psql($db,
		"SELECT pg_drop_replication_slot('equivalence')");
}

# Guard against comparing nothing with nothing.
cmp_ok($total_lines, '>', 100, 'the workloads wrote changes');

$node->stop;

done_testing();
