#!/usr/bin/perl
#
# perf-tree.pl
#	Print the call tree below one function from `perf script` output, each
#	node with its share of all samples (callees included) and of its own.
#
# Usage: perf script -i perf.data | perf-tree.pl [--root NAME] [--min PCT]
#			[--depth N]
#
# The server's static functions have no symbol in Debian's stripped
# binaries: such frames are skipped, so that their callees hang from the
# nearest named caller; a sample that ends in one is shown as "(static
# code of <object>)".  Without --root, the tree starts at the outermost
# frame.

use strict;
use warnings;
use Getopt::Long;

my $root;
my $min = 0.5;
my $depth = 6;
GetOptions('root=s' => \$root, 'min=f' => \$min, 'depth=i' => \$depth)
  or die "usage: $0 [--root NAME] [--min PCT] [--depth N]\n";

my $total = 0;
my %tree = (n => 0, self => 0, kids => {});

sub add_stack
{
	my @frames = reverse @_;    # outermost first
	return unless @frames;
	$total++;
	my $start = 0;
	if (defined $root)
	{
		($start) = grep { $frames[$_] eq $root } 0 .. $#frames;
		return unless defined $start;
	}
	my $node = \%tree;
	$node->{n}++;
	for my $i ($start .. $#frames)
	{
		my $f = $frames[$i];
		$node = $node->{kids}{$f} //= { n => 0, self => 0, kids => {} };
		$node->{n}++;
	}
	$node->{self}++;
}

my @stack;
while (my $line = <STDIN>)
{
	if ($line =~ /^\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$/)
	{
		my ($sym, $dso) = ($1, $2);
		$sym =~ s/\+0x[0-9a-f]+$//;
		(my $obj = $dso) =~ s{.*/}{};
		if ($sym eq '[unknown]')
		{
			# only a leaf keeps an unnamed frame
			push @stack, "(static code of $obj)" unless @stack;
			next;
		}
		push @stack, $sym;
	}
	elsif ($line =~ /^\s*$/)
	{
		add_stack(@stack) if @stack;
		@stack = ();
	}
}
add_stack(@stack) if @stack;

die "no samples\n" unless $total;

sub show
{
	my ($node, $name, $level) = @_;
	my $pct = 100 * $node->{n} / $total;
	return if $pct < $min;
	printf "%6.2f%% %6.2f%%  %s%s\n", $pct, 100 * $node->{self} / $total,
	  '  ' x $level, $name;
	return if $level >= $depth;
	my $kids = $node->{kids};
	show($kids->{$_}, $_, $level + 1)
	  for sort { $kids->{$b}{n} <=> $kids->{$a}{n} } keys %$kids;
}

printf "%d samples; total%% (with callees), self%%, function\n", $total;
if (defined $root)
{
	my $node = $tree{kids}{$root} or die "\"$root\" is in no sample\n";
	show($node, $root, 0);
}
else
{
	show($tree{kids}{$_}, $_, 0)
	  for sort { $tree{kids}{$b}{n} <=> $tree{kids}{$a}{n} } keys %{ $tree{kids} };
}
