#!/usr/bin/perl
#
# report.pl
#	Turn the measurements of bench/run.sh into the Markdown report.
#
# Usage: report.pl DIR
#
# DIR holds the files run.sh writes (tab-separated):
#	meta.tsv		key, value
#	contenders.tsv	id, label, status ("ok" or why it did not run)
#	workloads.tsv	workload, label, description, WAL bytes, seconds to run
#	peeks.tsv		workload, contender, round, ms, CPU ms, records, bytes
#	recv.tsv		workload, contender, round, seconds, walsender CPU
#					seconds, peak RssAnon kB, VmHWM kB, first RssAnon kB
#	errors.tsv		workload, contender, message
#	memory.tsv		rows, contender, then as recv.tsv from seconds on
#
# Nothing is judged here beyond arithmetic: the targets are printed next to
# the measured ratios, for the reader.

use strict;
use warnings;

my $dir = shift or die "usage: $0 DIR\n";

sub read_tsv
{
	my ($name) = @_;
	my @rows;
	open(my $fh, '<', "$dir/$name") or return ();
	while (my $line = <$fh>)
	{
		chomp $line;
		next if $line eq '';
		push @rows, [ split /\t/, $line, -1 ];
	}
	close $fh;
	return @rows;
}

sub median
{
	my @v = sort { $a <=> $b } @_;
	return undef unless @v;
	my $n = scalar @v;
	return $n % 2 ? $v[ ($n - 1) / 2 ] : ($v[ $n / 2 - 1 ] + $v[ $n / 2 ]) / 2;
}

sub group_digits
{
	my ($n) = @_;
	1 while $n =~ s/^(\d+)(\d{3})/$1,$2/;
	return $n;
}

sub fmt_ms
{
	my ($ms) = @_;
	return 'n/a' unless defined $ms;
	return group_digits(sprintf('%.0f', $ms));
}

sub fmt_bytes
{
	my ($b) = @_;
	return 'n/a' unless defined $b;
	return sprintf('%.1f MB', $b / 1e6) if $b >= 1e6;
	return sprintf('%.1f kB', $b / 1e3) if $b >= 1e3;
	return "$b B";
}

my %meta = map { $_->[0] => $_->[1] } read_tsv('meta.tsv');
my @contenders = read_tsv('contenders.tsv');
my %label = map { $_->[0] => $_->[1] } @contenders;
my %status = map { $_->[0] => $_->[2] } @contenders;
my @workloads = read_tsv('workloads.tsv');

my (%ms, %cpu, %records, %bytes, %recv, %recv_cpu, %error);
for my $r (read_tsv('peeks.tsv'))
{
	my ($w, $c, $round, $ms, $cpu, $n, $b) = @$r;
	push @{ $ms{$w}{$c} }, $ms;
	push @{ $cpu{$w}{$c} }, $cpu;
	$records{$w}{$c} = $n;
	$bytes{$w}{$c} = $b;
}
for my $r (read_tsv('recv.tsv'))
{
	push @{ $recv{ $r->[0] }{ $r->[1] } }, $r->[3];
	push @{ $recv_cpu{ $r->[0] }{ $r->[1] } }, $r->[4] if $r->[4] ne '';
}
for my $r (read_tsv('errors.tsv'))
{
	$error{ $r->[0] }{ $r->[1] } = $r->[2];
}

my (%median, %median_cpu, %best);
for my $w (keys %ms)
{
	$median{$w}{$_} = median(@{ $ms{$w}{$_} }) for keys %{ $ms{$w} };
	for my $c (keys %{ $ms{$w} })
	{
		($best{$w}{$c}) = sort { $a <=> $b } @{ $ms{$w}{$c} };
	}
	$median_cpu{$w}{$_} = median(@{ $cpu{$w}{$_} }) for keys %{ $cpu{$w} };
}

my @out;
push @out, "# decoder_raw benchmark results", "";
push @out, "Measured by `bench/run.sh` (see [README.md](README.md)) on $meta{date}.", "";
push @out, "| | |", "| --- | --- |";
for my $k ('machine', 'load', 'postgresql', 'decoder_raw', 'plugins',
	'scale', 'rounds', 'settings')
{
	push @out, "| $k | $meta{$k} |" if defined $meta{$k};
}
push @out, "";
push @out, $meta{note}, "" if $meta{note};

# The targets of workload (a), as ratios of medians of the same run.
my %a = %{ $median{a} || {} };
my %a_cpu = %{ $median_cpu{a} || {} };
my %a_best = %{ $best{a} || {} };
if (%a)
{
	push @out, "## Targets on workload (a)", "";
	push @out, "Ratios of the median times, of the median CPU times, and of the best (shortest) rounds, which other work on the machine can only lengthen.", "";
	push @out, "| ratio | median times | median CPU times | best rounds | target |", "| --- | ---: | ---: | ---: | ---: |";
	my @targets = (
		[ 'decoder_raw sql / pgoutput text', 'dr_sql', 'pgoutput', '≤ 1.00' ],
		[ 'decoder_raw sql / test_decoding', 'dr_sql', 'test_decoding', '≤ 0.60' ],
		[ 'decoder_raw binary, text values / pgoutput text', 'dr_bin', 'pgoutput', '≤ 0.85' ],
		[ 'decoder_raw binary, binary-values / pgoutput binary', 'dr_binvals', 'pgoutput_bin', '' ],
		[ 'decoder_raw sql, packed / pgoutput text', 'dr_sql_pack', 'pgoutput', '≤ 0.60' ],
		[ 'decoder_raw binary, packed / pgoutput text', 'dr_bin_pack', 'pgoutput', '≤ 0.50' ],
	);
	for my $t (@targets)
	{
		my ($what, $num, $den, $goal) = @$t;
		my $v = (defined $a{$num} && $a{$den}) ? sprintf('%.2f', $a{$num} / $a{$den}) : 'n/a';
		my $vc = (defined $a_cpu{$num} && $a_cpu{$den}) ? sprintf('%.2f', $a_cpu{$num} / $a_cpu{$den}) : 'n/a';
		my $vb = (defined $a_best{$num} && $a_best{$den}) ? sprintf('%.2f', $a_best{$num} / $a_best{$den}) : 'n/a';
		push @out, "| $what | $v | $vc | $vb | $goal |";
	}
	push @out, "";

	# The same over the replication protocol: pg_recvlogical to /dev/null.
	my %r = map { $_ => median(@{ $recv{a}{$_} || [] }) } keys %{ $recv{a} || {} };
	my %rc = map { $_ => median(@{ $recv_cpu{a}{$_} || [] }) } keys %{ $recv_cpu{a} || {} };
	push @out, "pg_recvlogical to /dev/null, ratios of the median end-to-end times and of the median walsender CPU times:", "";
	push @out, "| ratio | pg_recvlogical s | walsender CPU s | target |", "| --- | ---: | ---: | ---: |";
	for my $t (
		[ 'decoder_raw sql / pgoutput text', 'dr_sql', 'pgoutput', '' ],
		[ 'decoder_raw sql, packed / pgoutput text', 'dr_sql_pack', 'pgoutput', '' ],
		[ 'decoder_raw binary, text values / pgoutput text', 'dr_bin', 'pgoutput', '' ],
		[ 'decoder_raw binary, packed / pgoutput text', 'dr_bin_pack', 'pgoutput', '≤ 0.50' ])
	{
		my ($what, $num, $den, $goal) = @$t;
		my $v = ($r{$num} && $r{$den}) ? sprintf('%.2f', $r{$num} / $r{$den}) : 'n/a';
		my $vc = ($rc{$num} && $rc{$den}) ? sprintf('%.2f', $rc{$num} / $rc{$den}) : 'n/a';
		push @out, "| $what | $v | $vc | $goal |";
	}
	push @out, "";
}

for my $wl (@workloads)
{
	my ($w, $wlabel, $desc, $wal, $secs) = @$wl;
	my $ref = $median{$w}{pgoutput};
	my $floor = $median{$w}{floor};
	my $ref_above = (defined $ref && defined $floor) ? $ref - $floor : undef;

	push @out, "## Workload $wlabel", "";
	$desc =~ s/(\d{4,})/group_digits($1)/ge;
	push @out, "$desc; " . fmt_bytes($wal) . " of WAL, written in ${secs} s.", "";
	push @out, "| contender | median ms | min–max ms | CPU ms | messages | output | × pgoutput text | above floor ms | above floor × pgoutput | pg_recvlogical s | walsender CPU s |";
	push @out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";
	for my $c (map { $_->[0] } @contenders)
	{
		next if $status{$c} eq 'not selected';
		if ($status{$c} ne 'ok' || $error{$w}{$c})
		{
			my $why = $status{$c} ne 'ok' ? $status{$c} : "n/a — $error{$w}{$c}";
			$why =~ s/\|/\\|/g;
			push @out, "| $label{$c} | $why | | | | | | | | | |";
			next;
		}
		my $m = $median{$w}{$c};
		next unless defined $m;
		my @v = sort { $a <=> $b } @{ $ms{$w}{$c} };
		my $rl = median(@{ $recv{$w}{$c} || [] });
		my $rl_cpu = median(@{ $recv_cpu{$w}{$c} || [] });
		my $above = defined $floor ? $m - $floor : undef;
		push @out, sprintf("| %s | %s | %s–%s | %s | %s | %s | %s | %s | %s | %s | %s |",
			$label{$c}, fmt_ms($m), fmt_ms($v[0]), fmt_ms($v[-1]),
			fmt_ms($median_cpu{$w}{$c}),
			group_digits($records{$w}{$c}), fmt_bytes($bytes{$w}{$c}),
			$ref ? sprintf('%.2f', $m / $ref) : 'n/a',
			defined $above ? fmt_ms($above) : 'n/a',
			($c ne 'floor' && $ref_above && $ref_above > 0)
			? sprintf('%.2f', $above / $ref_above) : '',
			defined $rl ? sprintf('%.2f', $rl) : 'n/a',
			defined $rl_cpu ? sprintf('%.2f', $rl_cpu) : 'n/a');
	}
	push @out, "";
}

my @mem = read_tsv('memory.tsv');
if (@mem)
{
	push @out, "## Walsender memory", "";
	push @out, "Each slot streamed by `pg_recvlogical` to /dev/null; the walsender's private memory (RssAnon, sampled every 50 ms) and its VmHWM (which also counts the shared buffers it touched), from /proc. logical_decoding_work_mem = $meta{work_mem}.", "";
	push @out, "| contender | rows in the transaction | stream s | walsender CPU s | RssAnon when first seen MB | peak RssAnon MB | VmHWM MB |";
	push @out, "| --- | ---: | ---: | ---: | ---: | ---: | ---: |";
	for my $r (@mem)
	{
		my ($rows, $c, $s, $cpu, $peak, $hwm, $start) = @$r;
		next if $peak eq '';
		push @out, sprintf("| %s | %s | %.1f | %.1f | %.1f | %.1f | %.1f |",
			$label{$c}, group_digits($rows), $s, $cpu, $start / 1024,
			$peak / 1024, $hwm / 1024);
	}
	push @out, "";
}

push @out, "## How to read this", "";
push @out, "- Times are those of `pg_logical_slot_peek_binary_changes()` decoding the whole workload from a slot created just before it, measured on the server; every slot is peeked once per round, in an order rotated each round, and the median of the rounds is shown. \"CPU ms\" is the CPU time the backend used for it (10 ms resolution), which other work on the machine does not inflate.";
push @out, "- \"above floor\" subtracts the floor's median: the floor plugin receives every change and writes nothing, so what remains is the time the plugin spends producing its output (and the server storing it). \"above floor × pgoutput\" compares that with pgoutput's.";
push @out, "- \"output\" is the sum of the records' sizes; \"pg_recvlogical s\" is the end-to-end time of streaming a copy of the slot to /dev/null over the replication protocol, and \"walsender CPU s\" the CPU time of the walsender doing it (sampled every 50 ms). On two cores, pg_recvlogical and the walsender each take one, so other work on the machine shows in these times most.";
push @out, "- This is a benchmark, not a test: nothing here is asserted, and other work on the machine adds noise (see \"load\" above).";
push @out, "";

print join("\n", @out), "\n";
