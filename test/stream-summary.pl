#!/usr/bin/perl
# Summarize decoder_raw_dump --records output of streamed transactions so
# that it does not depend on where logical_decoding_work_mem cuts blocks:
# xids become X1, X2, ... in order of appearance; LSNs, times and OIDs are
# masked; the records of a stream are held, in their order, until its
# stream commit or prepare; an aborted (sub)transaction's records are
# dropped at its stream abort, and only whether it had any is said.
use strict;
use warnings;

my (%name, @held, $last, $blocks);
my $n = 0;
$blocks = 0;
sub x { my $x = shift; $name{$x} //= 'X' . ++$n; return $name{$x}; }

while (my $line = <STDIN>)
{
	$line =~ s/^\@\d+ //;
	$line =~ s/ oid \d+ / oid N /;
	$line =~ s/\b(lsn|end_lsn) [0-9A-F]+\/[0-9A-F]+/$1 L/g;
	$line =~ s/ time \S+ \S+/ time T/g;
	$line =~ s/\b(xid|subxid) (\d+)/"$1 " . x($2)/ge;
	if ($line =~ /^stream start xid (\S+)( \[first\])?/)
	{
		$blocks++;
		print $line if $2;
		next;
	}
	next if $line =~ /^stream (stop|xid) /;
	if ($line =~ /^xid (\S+) (.*)$/s)
	{
		$last = $1;
		push @held, [ $1, $2 ];
		next;
	}
	# the column lines of a relation record held above
	if (defined $last && $line =~ /^  column /)
	{
		push @held, [ $last, $line ];
		next;
	}
	undef $last;
	if ($line =~ /^stream abort xid (\S+) subxid (\S+)/)
	{
		my $had = grep { $_->[0] eq $2 } @held;
		print "$2 aborted", ($1 eq $2 ? '' : " (a subtransaction of $1)"),
		  ", ", ($had ? 'after some' : 'before any'), " of its records were streamed\n";
		@held = grep { $_->[0] ne $2 } @held;
		next;
	}
	if ($line =~ /^stream (commit|prepare) /)
	{
		print "  $_->[0]: $_->[1]" foreach @held;
		@held = ();
	}
	print $line;
}
print "streamed in ", ($blocks > 1 ? 'several blocks' : $blocks ? 'one block' : 'no block'), "\n";
