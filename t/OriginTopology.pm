
# Copyright (c) decoder_raw contributors

=pod

=head1 NAME

OriginTopology - appliers for the replication topology tests of decoder_raw

=head1 SYNOPSIS

  use OriginTopology;

  # one round: decode node A's slot, replay on node B as origin from_a,
  # then confirm to A's slot what B committed
  my $round = apply_sql_round(
	  from    => $node_a,
	  slot    => 'a_to_b',
	  to      => $node_b,
	  origin  => 'from_a',
	  options => [ 'only-local' => 'on' ]);
  print "$round->{applied} transactions\n";

  # the same through pg_recvlogical and a spool file
  apply_recvlogical_round(from => $node_b, slot => 'b_to_a', to => $node_a,
	  origin => 'from_b', spool => "$dir/b_to_a.sql",
	  options => [ 'only-local' => 'on' ]);

=head1 DESCRIPTION

An applier reads the SQL that decoder_raw writes with C<origin-progress>
and feeds it to C<psql -X -v ON_ERROR_STOP=1> in a session that first ran
C<pg_replication_origin_session_setup()>.  Every replayed change then
carries that origin in the target's WAL, and the commit of every replayed
transaction records, atomically, the source LSN it came from.

Each round first resumes: the target's C<pg_replication_origin_progress(...,
true)> says which source transactions it already holds.  Through the SQL
functions, the source slot is advanced to that position before the changes
are peeked, and it is advanced past what was applied only after psql has
committed it.  pg_recvlogical confirms to its slot what it has written to
its output file, so through it the file is the queue: it is appended to,
and each round replays from it every complete transaction that the origin
progress does not cover yet.

Arguments common to all rounds:

=over

=item from, slot: the source node and its decoder_raw slot

=item to, dbname: the target node and database (default postgres)

=item origin: the origin to replay under, or origin_for, a function that
receives a transaction's origin name as decoder_raw's C<include-origin>
wrote it (undef for a change local to the source) and returns the origin
to replay it under

=item progress_origins: the target's origins whose progress tracks this
stream (default: [origin]); the stream resumes after the largest

=item options: decoder_raw options as a flat list of name, value pairs;
C<origin-progress> and C<skip-empty-xacts> are always added, and
C<include-origin> when origin_for is given

=back

Each round returns a hash: applied (transactions replayed), records (the
parsed stream, see parse_stream) and script (what psql was given).

=cut

package OriginTopology;

use strict;
use warnings;

use Exporter 'import';
use IPC::Run;
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(
  lsn_to_int lsn_cmp origin_progress resume_position slot_confirmed
  parse_stream apply_script decoder_options
  apply_sql_round sql_fetch apply_recvlogical_round recvlogical_fetch
  read_spool apply_spool
  apply_round rounds_until_quiet
  create_test_tables start_writer rounds_while_writing journal_census
  nodes_agree origins_by_writer
);

# "X/Y" to a number; undef stays undef.
sub lsn_to_int
{
	my ($lsn) = @_;

	return undef if !defined $lsn || $lsn eq '';
	die "not an LSN: $lsn" unless $lsn =~ m{^([0-9A-Fa-f]+)/([0-9A-Fa-f]+)$};
	return hex($1) * 4294967296 + hex($2);
}

# Compare two LSNs like <=>; undef sorts first.
sub lsn_cmp
{
	my ($x, $y) = (lsn_to_int($_[0]), lsn_to_int($_[1]));

	return (defined $x ? 1 : 0) <=> (defined $y ? 1 : 0)
	  if !defined $x || !defined $y;
	return $x <=> $y;
}

# Flushed progress of a replication origin on a node, or undef.
sub origin_progress
{
	my ($node, $origin) = @_;
	my $lsn = $node->safe_psql('postgres',
		"SELECT pg_catalog.pg_replication_origin_progress('$origin', true);");

	return $lsn eq '' ? undef : $lsn;
}

# The largest progress among the origins that track one stream.
sub resume_position
{
	my ($node, @origins) = @_;
	my $max;

	foreach my $origin (@origins)
	{
		my $lsn = origin_progress($node, $origin);
		$max = $lsn if lsn_cmp($lsn, $max) > 0;
	}
	return $max;
}

sub slot_confirmed
{
	my ($node, $slot, $dbname) = @_;

	return $node->safe_psql(
		$dbname // 'postgres',
		"SELECT confirmed_flush_lsn FROM pg_catalog.pg_replication_slots WHERE slot_name = '$slot';"
	);
}

=pod

=head2 parse_stream(@lines)

Splits decoder_raw SQL output written with C<origin-progress> into
records.  A transaction is a hash with kind 'xact', lsn (the source
commit's end LSN, from the pg_replication_origin_xact_setup line), origin
and origin_lsn (from C<include-origin>, undef for local changes) and lines;
anything outside a transaction (a non-transactional message) is a record of
kind 'other'.  A transaction cut short, by pg_recvlogical stopping at
--endpos before its COMMIT, is left out: it is sent again whole.

=cut

sub parse_stream
{
	my (@lines) = @_;
	my @records;
	my $xact;

	foreach my $line (@lines)
	{
		if ($line =~ /^BEGIN;(?: -- (.*))?$/)
		{
			my $notes = $1 // '';

			# a BEGIN inside a transaction: the one before was cut short
			$xact = { kind => 'xact', lines => [$line] };
			if ($notes =~ /(?:^|, )origin (\S+), origin_lsn (\S+)/)
			{
				$xact->{origin}     = $1;
				$xact->{origin_lsn} = $2;
			}
		}
		elsif (defined $xact)
		{
			push @{ $xact->{lines} }, $line;
			if (!defined $xact->{lsn}
				&& $line =~
				/^SELECT WHERE pg_catalog\.pg_replication_origin_xact_setup\('([0-9A-F]+\/[0-9A-F]+)', '[^']*'\) IS NULL;$/
			  )
			{
				$xact->{lsn} = $1;
			}
			elsif ($line =~ /^COMMIT;/)
			{
				die "transaction without origin progress:\n"
				  . join("\n", @{ $xact->{lines} })
				  unless defined $xact->{lsn};
				push @records, $xact;
				undef $xact;
			}
		}
		elsif ($line ne '')
		{
			push @records, { kind => 'other', lines => [$line] };
		}
	}
	return @records;
}

=pod

=head2 apply_script(%args)

Builds the psql script that replays records (the parsed stream) under the
right origin: args records, origin or origin_for, and after, the target's
progress: transactions that end at or before it are already there and are
skipped, as are repeated ones.  Returns the script, the number of
transactions in it and the LSN of the last one.

=cut

sub apply_script
{
	my (%args)     = @_;
	my $origin_for = $args{origin_for} // sub { return $args{origin} };
	my $after      = $args{after};
	my ($script, $count, $last, $session) = ('', 0, undef, undef);

	foreach my $rec (@{ $args{records} })
	{
		my $origin;

		if ($rec->{kind} eq 'xact')
		{
			next if lsn_cmp($rec->{lsn}, $after) <= 0;
			next if lsn_cmp($rec->{lsn}, $last) <= 0;
			$origin = $origin_for->($rec->{origin});
		}
		else
		{
			$origin = $args{origin} // $origin_for->(undef);
		}

		# the session's origin can only change between transactions
		if (!defined $session || $session ne $origin)
		{
			$script .=
			  "SELECT pg_catalog.pg_replication_origin_session_reset();\n"
			  if defined $session;
			$script .=
			  "SELECT pg_catalog.pg_replication_origin_session_setup('$origin');\n";
			$session = $origin;
		}
		$script .= join("\n", @{ $rec->{lines} }) . "\n";
		if ($rec->{kind} eq 'xact')
		{
			$count++;
			$last = $rec->{lsn};
		}
	}
	return ($script, $count, $last);
}

# The decoder options of an applier's stream, as a flat list.
sub decoder_options
{
	my (%args) = @_;
	my @options = @{ $args{options} // [] };

	push @options, 'origin-progress' => 'on', 'skip-empty-xacts' => 'on';
	push @options, 'include-origin' => 'on' if $args{origin_for};
	return @options;
}

sub progress_origins
{
	my (%args) = @_;

	return @{ $args{progress_origins} } if $args{progress_origins};
	die "origin or progress_origins is required" unless defined $args{origin};
	return ($args{origin});
}

# Run a script through psql on the target; die with psql's errors.
sub run_psql_script
{
	my ($node, $dbname, $script) = @_;
	my ($ret,  $stdout, $stderr) = $node->psql($dbname, $script);

	die "applier failed on " . $node->name . " (exit $ret): $stderr"
	  if $ret != 0;
	return;
}

=pod

=head2 apply_sql_round(%args)

One round through the SQL functions: resume, peek
(C<pg_logical_slot_peek_changes(slot, NULL, max_changes, options...)>),
replay, then C<pg_replication_slot_advance()> to the end of the last
transaction received.

=cut

sub apply_sql_round
{
	my (%args) = @_;
	my ($from, $to, $slot) = @args{qw(from to slot)};
	my $dbname = $args{dbname} // 'postgres';
	my ($records, $last_commit, $progress) = sql_fetch(%args);
	my ($script, $count) = apply_script(
		records    => $records,
		origin     => $args{origin},
		origin_for => $args{origin_for},
		after      => $progress);

	run_psql_script($to, $dbname, $script) if $script ne '';

	# only now that the target has committed may the source forget
	$from->safe_psql($dbname,
		"SELECT pg_catalog.pg_replication_slot_advance('$slot', '$last_commit');"
	) if defined $last_commit;

	return { applied => $count, records => $records, script => $script };
}

=pod

=head2 sql_fetch(%args)

The first half of apply_sql_round: advance the slot to the target's
progress, then peek.  Returns the parsed records, the LSN of the last
COMMIT row (where to advance the slot once they are applied) and the
target's progress.

=cut

sub sql_fetch
{
	my (%args) = @_;
	my ($from, $to, $slot) = @args{qw(from to slot)};
	my $dbname    = $args{dbname}      // 'postgres';
	my $max       = $args{max_changes} // 'NULL';
	my $progress  = resume_position($to, progress_origins(%args));
	my $confirmed = slot_confirmed($from, $slot, $dbname);

	# resume: what the target committed need not be decoded again
	if (lsn_cmp($progress, $confirmed) > 0)
	{
		$from->safe_psql($dbname,
			"SELECT pg_catalog.pg_replication_slot_advance('$slot', '$progress');"
		);
	}

	my @options = decoder_options(%args);
	my $optlist = join('', map { ", '$_'" } @options);
	my $out     = $from->safe_psql($dbname,
		"SELECT c.lsn || ' ' || l.line FROM pg_catalog.pg_logical_slot_peek_changes('$slot', NULL, $max$optlist) WITH ORDINALITY AS c(lsn, xid, data, n), pg_catalog.regexp_split_to_table(c.data, E'\\n') WITH ORDINALITY AS l(line, m) ORDER BY c.n, l.m;"
	);
	my (@lines, $last_commit);
	foreach my $row (split /\n/, $out)
	{
		die "unexpected row from $slot: $row"
		  unless $row =~ m{^([0-9A-F]+/[0-9A-F]+) (.*)$};
		push @lines, $2;
		$last_commit = $1 if $2 =~ /^COMMIT;/;
	}
	my @records = parse_stream(@lines);

	# decoding resumed from the progress: nothing the target has may come
	my ($first) = grep { $_->{kind} eq 'xact' } @records;
	die "$slot resent the transaction ending at $first->{lsn}, "
	  . "though the target's progress is $progress"
	  if defined $first && lsn_cmp($first->{lsn}, $progress) <= 0;

	return (\@records, $last_commit, $progress);
}

=pod

=head2 recvlogical_fetch(%args), apply_spool(%args), apply_recvlogical_round(%args)

recvlogical_fetch appends to the file named by spool what pg_recvlogical
receives from the slot (options passed with -o), from the target's progress
(--startpos) up to endpos (--endpos, default: the source's current WAL
position).  apply_spool replays the complete transactions of the spool that
the target's origin progress does not cover, and empties the spool once
everything in it is applied.  apply_recvlogical_round does both.

=cut

sub recvlogical_fetch
{
	my (%args) = @_;
	my ($from, $slot) = @args{qw(from slot)};
	my $dbname = $args{dbname} // 'postgres';
	my $endpos = $args{endpos}
	  // $from->safe_psql($dbname, 'SELECT pg_catalog.pg_current_wal_lsn();');
	my $startpos = resume_position($args{to}, progress_origins(%args));
	my @options  = decoder_options(%args);

	my @cmd = (
		$from->installed_command('pg_recvlogical'),
		'--dbname' => $from->connstr($dbname),
		'--slot'   => $slot,
		'--start', '--no-loop',
		'--endpos' => $endpos,
		'--file'   => $args{spool});
	push @cmd, '--startpos' => $startpos if defined $startpos;

	while (my ($name, $value) = splice(@options, 0, 2))
	{
		push @cmd, '-o', "$name=$value";
	}

	my ($stdout, $stderr) = ('', '');
	IPC::Run::run(\@cmd, '>', \$stdout, '2>', \$stderr,
		IPC::Run::timeout($PostgreSQL::Test::Utils::timeout_default))
	  or die "pg_recvlogical failed (exit $?): $stderr";
	return $endpos;
}

sub read_spool
{
	my ($spool) = @_;

	return () unless -e $spool;
	return split /\n/, slurp_file($spool);
}

sub apply_spool
{
	my (%args)   = @_;
	my $progress = resume_position($args{to}, progress_origins(%args));
	my @lines    = read_spool($args{spool});
	my @records  = parse_stream(@lines);
	my ($script, $count) = apply_script(
		records    => \@records,
		origin     => $args{origin},
		origin_for => $args{origin_for},
		after      => $progress);

	run_psql_script($args{to}, $args{dbname} // 'postgres', $script)
	  if $script ne '';

	# all applied: the next fetch starts on an empty file, unless this one
	# ends with a transaction cut short, which the next fetch sends again
	if (!@lines || $lines[-1] =~ /^COMMIT;/)
	{
		open my $fh, '>', $args{spool}
		  or die "could not empty $args{spool}: $!";
		close $fh;
	}

	return { applied => $count, records => \@records, script => $script };
}

sub apply_recvlogical_round
{
	my (%args) = @_;

	recvlogical_fetch(%args);
	return apply_spool(%args);
}

=pod

=head2 apply_round($stream), rounds_until_quiet($max_passes, @streams)

A stream is a hash reference holding the arguments of a round plus via
('sql', the default, or 'recvlogical').  apply_round runs one round of it
and adds what it applied to $stream->{total}.  rounds_until_quiet runs
rounds over every stream until a whole pass applies nothing and returns
the number of passes, or dies after $max_passes: a change that came back to
where it started would keep the streams busy.

=cut

sub apply_round
{
	my ($stream) = @_;
	my %args     = %$stream;
	my $via      = delete $args{via} // 'sql';
	my $round;

	delete $args{total};
	if ($via eq 'sql')
	{
		$round = apply_sql_round(%args);
	}
	elsif ($via eq 'recvlogical')
	{
		$round = apply_recvlogical_round(%args);
	}
	else
	{
		die "unknown applier \"$via\"";
	}
	$stream->{total} += $round->{applied};
	return $round;
}

sub rounds_until_quiet
{
	my ($max_passes, @streams) = @_;

	for my $pass (1 .. $max_passes)
	{
		my $applied = 0;

		$applied += apply_round($_)->{applied} foreach @streams;
		return $pass if $applied == 0;
	}
	die "streams still busy after $max_passes passes";
}

=pod

=head2 Workload

create_test_tables($node) creates public.items (id int PRIMARY KEY, node
text, n int, note text) and public.journal (node text, seq int, payload
text, no key: a journal entry replayed twice shows as two rows).

start_writer($node, $name, $base, $xacts, $pause) starts, in the
background, a session that commits $xacts transactions, $pause seconds
apart (default 0.01); transaction i adds item
$base + i and journal entry ($name, i), updates one of the node's items,
every 10th deletes one and every 25th emits a transactional message with
prefix "topo".  It returns a hash: h (the IPC::Run harness) and err.

rounds_while_writing(\@writers, @streams) runs rounds over the streams
until every writer has finished, checks that they succeeded, and returns
the number of passes.

journal_census($node, $slot) peeks an unfiltered slot with include-origin
and counts journal entries and messages by the origin of their transaction
and the node they were written on: { "origin:node" => count }, with
"local" for changes made on $node itself and "msg " in front for messages.

=cut

sub create_test_tables
{
	my ($node) = @_;

	$node->safe_psql(
		'postgres', q{
CREATE TABLE public.items (id int PRIMARY KEY, node text NOT NULL,
	n int NOT NULL, note text);
CREATE TABLE public.journal (node text NOT NULL, seq int NOT NULL,
	payload text);
});
	return;
}

sub start_writer
{
	my ($node, $name, $base, $xacts, $pause) = @_;
	$pause //= 0.01;
	my $sql = qq{
DO \$\$
BEGIN
	FOR i IN 1..$xacts LOOP
		INSERT INTO public.items VALUES ($base + i, '$name', 0, 'new ' || i);
		INSERT INTO public.journal
			VALUES ('$name', i, repeat('$name', i % 40));
		UPDATE public.items SET n = n + 1, note = E'upd\\t' || i
			WHERE id = $base + 1 + i % 23;
		IF i % 10 = 0 THEN
			DELETE FROM public.items WHERE id = $base + i - 3;
		END IF;
		IF i % 25 = 0 THEN
			PERFORM pg_logical_emit_message(true, 'topo', '$name ' || i);
		END IF;
		PERFORM pg_sleep($pause);
		COMMIT;
	END LOOP;
END
\$\$;};
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[
			$node->installed_command('psql'), '-X',
			'-q',                             '-v',
			'ON_ERROR_STOP=1',                '-d',
			$node->connstr('postgres'),       '-c',
			$sql
		],
		'>',
		\$out,
		'2>',
		\$err);
	return { h => $h, err => \$err, name => $name };
}

sub rounds_while_writing
{
	my ($writers, @streams) = @_;
	my $passes = 0;

	while (grep { $_->{h}->pumpable } @$writers)
	{
		$_->{h}->pump_nb foreach grep { $_->{h}->pumpable } @$writers;
		apply_round($_)  foreach @streams;
		die "writers still running after $passes passes" if ++$passes > 10000;
	}
	foreach my $w (@$writers)
	{
		$w->{h}->finish or die "writer $w->{name} failed: ${ $w->{err} }";
	}
	return $passes;
}

sub journal_census
{
	my ($node, $slot) = @_;
	my %census;
	my $origin = 'local';

	foreach my $line (
		split /\n/,
		$node->safe_psql(
			'postgres',
			"SELECT data FROM pg_catalog.pg_logical_slot_peek_changes('$slot', NULL, NULL, 'include-origin', 'on', 'skip-empty-xacts', 'on');"
		))
	{
		if ($line =~ /^BEGIN;(?: -- origin (\S+), origin_lsn \S+)?$/)
		{
			$origin = $1 // 'local';
		}
		elsif ($line =~
			/^INSERT INTO public\.journal \(node, seq, payload\) VALUES \('(\w+)', /
		  )
		{
			$census{"$origin:$1"}++;
		}
		elsif ($line =~
			/^SELECT pg_catalog\.pg_logical_emit_message\(true, 'topo', '(\w+) /
		  )
		{
			$census{"msg $origin:$1"}++;
		}
	}
	return \%census;
}

# Tests that the nodes (name => node; the first name in sort order is the
# reference) hold the same items and journal, and on each every journal
# entry of every writer (@writers, names as start_writer() got them) once:
# $xacts entries, 1 to $xacts.
sub nodes_agree
{
	my ($node, $xacts, @writers) = @_;
	my $items_q = 'SELECT id, node, n, note FROM public.items ORDER BY id';
	my $journal_q =
	  'SELECT node, seq, payload FROM public.journal ORDER BY node, seq, payload';
	my $counts_q =
	  q{SELECT node, count(*), count(DISTINCT seq), min(seq), max(seq)
		FROM public.journal GROUP BY node ORDER BY node};
	my ($first, @others) = sort keys %$node;

	foreach my $name ($first, @others)
	{
		is( $node->{$name}->safe_psql('postgres', $counts_q),
			join("\n", map { "$_|$xacts|$xacts|1|$xacts" } sort @writers),
			"node $name: every journal entry once");
	}
	foreach my $name (@others)
	{
		is( $node->{$name}->safe_psql('postgres', $items_q),
			$node->{$first}->safe_psql('postgres', $items_q),
			"node $name: items identical to $first\'s");
		is( $node->{$name}->safe_psql('postgres', $journal_q),
			$node->{$first}->safe_psql('postgres', $journal_q),
			"node $name: journal identical to $first\'s");
	}
	return;
}

# Tests that in the WAL of each node (name => node; the writers' names as
# start_writer() got them), read through $slot, the node's own changes are
# local and those of each other node carry origin node_<name>: $xacts
# journal entries and $xacts / 25 messages each.
sub origins_by_writer
{
	my ($node, $xacts, $slot) = @_;

	foreach my $name (sort keys %$node)
	{
		my %want = ("local:$name" => $xacts, "msg local:$name" => $xacts / 25);
		foreach my $other (grep { $_ ne $name } keys %$node)
		{
			my $origin = 'node_' . lc($other);
			$want{"$origin:$other"}     = $xacts;
			$want{"msg $origin:$other"} = $xacts / 25;
		}
		is_deeply(journal_census($node->{$name}, $slot),
			\%want, "node $name: each change once, under the origin of its node");
	}
	return;
}

1;
