
# Copyright (c) decoder_raw contributors

=pod

=head1 NAME

ApplyTest - run decoder_raw_apply in the TAP tests

=head1 SYNOPSIS

  use ApplyTest;

  my ($rc, $out, $err) = run_apply($source, $target,
	  '--slot', 's', '--endpos', $lsn);
  my $h = start_apply($source, $target, '--slot', 's');
  stop_apply($h, 'TERM');
  my $err = apply_to_end('name', $source, $target, '--slot', 's');
  my $w = start_sql($node, $sql);   # psql in the background
  $w->{h}->finish or die "failed: ${ $w->{err} }";

=head1 DESCRIPTION

run_apply() runs decoder_raw_apply to its end and returns its exit status,
standard output and standard error; start_apply() starts it in the
background and returns a hash (h, the IPC::Run harness, and log, the file its standard
error goes to, which apply_log() reads).  Both connections of the applier
have application_name "applier".  Both pass --source and --target
for the given nodes' database (default postgres, or dbname => NAME as the
first pair of arguments) and the rest of the arguments as given.  The
program is $ENV{DECODER_RAW_APPLY}, or decoder_raw_apply on the PATH.

Unless the arguments say --apply-mode sql, the target database gets the
decoder_raw extension first (if it can: a test of a target that is down
goes on without it), so that the applier applies through its procedure
decoder_raw_apply_batch(), as a target with the extension has it applied.
$ENV{DECODER_RAW_APPLY_MODE}, if set, is passed as --apply-mode to every
run that does not give one.

=cut

package ApplyTest;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use Test::More;
use PostgreSQL::Test::Utils;

our @EXPORT =
  qw(apply_program apply_command run_apply start_apply apply_log stop_apply
  start_sql apply_to_end);

sub apply_program
{
	return $ENV{DECODER_RAW_APPLY} // 'decoder_raw_apply';
}

sub apply_command
{
	my ($source, $target, @args) = @_;
	my $dbname = 'postgres';

	if (@args && $args[0] eq 'dbname')
	{
		(undef, $dbname, @args) = @args;
	}
	my $mode = (grep { /^--apply-mode/ } @args) ? undef : $ENV{DECODER_RAW_APPLY_MODE};
	push @args, "--apply-mode=$mode" if defined $mode;
	if (!sql_mode(@args))
	{
		$target->psql($dbname, 'CREATE EXTENSION IF NOT EXISTS decoder_raw',
			on_error_stop => 0);
	}
	return (
		apply_program(),
		'--source', $source->connstr($dbname) . ' application_name=applier',
		'--target', $target->connstr($dbname) . ' application_name=applier',
		@args);
}

# does the command line ask for --apply-mode sql?
sub sql_mode
{
	my @args = @_;

	for my $i (0 .. $#args)
	{
		return 1 if $args[$i] eq '--apply-mode=sql';
		return 1
		  if $args[$i] eq '--apply-mode' && $i < $#args && $args[ $i + 1 ] eq 'sql';
	}
	return 0;
}

sub run_apply
{
	my ($source, $target, @args) = @_;
	my ($out, $err) = ('', '');

	IPC::Run::run([ apply_command($source, $target, @args) ],
		'>', \$out, '2>', \$err,
		IPC::Run::timeout(3 * $PostgreSQL::Test::Utils::timeout_default));
	return ($? >> 8, $out, $err);
}

# stderr goes to a file: nobody pumps the harness while a test waits, and
# a full pipe would stop the applier.
my $started = 0;

sub start_apply
{
	my ($source, $target, @args) = @_;
	my $log =
	  PostgreSQL::Test::Utils::tempdir() . '/apply_' . ++$started . '.log';
	my $h = IPC::Run::start([ apply_command($source, $target, @args) ],
		'>', '/dev/null', '2>', $log);

	return { h => $h, log => $log };
}

# What a started applier wrote to stderr so far.
sub apply_log
{
	my ($app) = @_;
	return -e $app->{log} ? PostgreSQL::Test::Utils::slurp_file($app->{log}) : '';
}

# Send a signal and wait for the end; returns the wait status ($?).
sub stop_apply
{
	my ($app, $signal) = @_;

	$app->{h}->signal($signal);
	eval { $app->{h}->finish };
	return $app->{h}->full_result(0);
}

# Run the applier to the source's WAL position now and check that it
# exits 0 there ("$name: the applier reaches endpos"); returns its stderr.
sub apply_to_end
{
	my ($name, $source, $target, @args) = @_;
	my $end = $source->safe_psql('postgres', 'SELECT pg_current_wal_insert_lsn()');
	my ($rc, $out, $err) = run_apply($source, $target, @args, '--endpos', $end);

	is($rc, 0, "$name: the applier reaches endpos") or diag $err;
	return $err;
}

# Run SQL with psql in the background on a node's postgres database;
# returns a hash (h, the IPC::Run harness; err, a reference to its
# standard error).  $h->finish is false when psql failed.
sub start_sql
{
	my ($node, $sql) = @_;
	my $err = '';
	my $h = IPC::Run::start(
		[
			$node->installed_command('psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1',
			'-d', $node->connstr('postgres'), '-c', $sql
		],
		'>', '/dev/null', '2>', \$err);
	return { h => $h, err => \$err };
}

1;
