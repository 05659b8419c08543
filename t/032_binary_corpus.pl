
# Copyright (c) decoder_raw contributors

# The reader on malformed input, under AddressSanitizer and
# UndefinedBehaviorSanitizer (or valgrind where they are missing):
#
# - every input of fuzz/corpus, with what decoder_raw_dump must print for it
#   (NAME.sql) or the error it must give (NAME.err);
# - every truncation of the valid hand-made streams: an error naming the
#   offset of the record cut short, after the records before it (with a
#   plain build: the sweep below runs the same truncations sanitized);
# - fuzz/standalone.c: every input of the corpus, truncated at every byte
#   and with every byte corrupted in several ways, in one process.
#
# No server is needed.

use strict;
use warnings;

use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use File::Basename;
use IPC::Run;

my $srcdir = "$FindBin::RealBin/..";
my $corpus = "$srcdir/fuzz/corpus";
my $tmp = PostgreSQL::Test::Utils::tempdir;

# clang's UndefinedBehaviorSanitizer catches more (arithmetic on NULL).
my $cc = system('clang --version >/dev/null 2>&1') == 0 ? 'clang' : 'cc';

my @common = map { "$srcdir/common/$_.c" } qw(quote text sql_rules);
my @reader = (
	"$srcdir/reader/decoder_raw_dump.c", "$srcdir/reader/record_sql.c",
	"$srcdir/reader/decoder_raw_reader.c", @common);
my @standalone = (
	"$srcdir/fuzz/standalone.c", "$srcdir/fuzz/fuzz_dump.c",
	"$srcdir/reader/record_sql.c", "$srcdir/reader/decoder_raw_reader.c",
	@common);

# Memory errors and undefined behaviour end the program with status 99,
# apart from decoder_raw_dump's own 0 and 1.
$ENV{ASAN_OPTIONS} = 'exitcode=99:detect_leaks=1';
$ENV{LSAN_OPTIONS} = 'exitcode=99';
$ENV{UBSAN_OPTIONS} = 'exitcode=99:print_stacktrace=1';

sub build
{
	my ($out, $sources, @flags) = @_;
	my ($stdout, $stderr);
	return IPC::Run::run(
		[
			$cc, '-std=c99', '-g', '-O1', '-Wall', '-Wextra', @flags, '-o',
			$out, @$sources
		],
		'>', \$stdout, '2>', \$stderr);
}

my @sanitize = ('-fsanitize=address,undefined', '-fno-sanitize-recover=all',
	'-fno-omit-frame-pointer');
my @wrapper;
if (   build("$tmp/dump", \@reader, @sanitize)
	&& build("$tmp/standalone", \@standalone, @sanitize))
{
	note "checking under AddressSanitizer and UndefinedBehaviorSanitizer ($cc)";
}
elsif (system('valgrind --version >/dev/null 2>&1') == 0
	&& ($cc = 'cc')
	&& build("$tmp/dump", \@reader)
	&& build("$tmp/standalone", \@standalone))
{
	note 'checking under valgrind';
	@wrapper = (
		'valgrind', '-q', '--error-exitcode=99', '--leak-check=full',
		'--errors-for-leak-kinds=definite,indirect');
}
else
{
	BAIL_OUT('neither AddressSanitizer nor valgrind can check the reader');
}

# A plain build too, for the many runs of the truncation sweep (whose
# memory safety the standalone sweep checks).
build("$tmp/dump-plain", \@reader, '-O2')
  or BAIL_OUT('cannot build decoder_raw_dump');

# The status of the last program run; 128 + N if killed by signal N.
sub exit_status
{
	return ($? & 127) ? 128 + ($? & 127) : $? >> 8;
}

# Run decoder_raw_dump with the given input on standard input.
sub dump_input
{
	my ($input, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ @wrapper, "$tmp/dump", @args ],
		'<', \$input, '>', \$out, '2>', \$err);
	return (exit_status(), $out, $err);
}

sub dump_plain
{
	my ($input, @args) = @_;
	my ($out, $err) = ('', '');
	IPC::Run::run([ "$tmp/dump-plain", @args ],
		'<', \$input, '>', \$out, '2>', \$err);
	return (exit_status(), $out, $err);
}

sub slurp_raw
{
	my ($path) = @_;
	open(my $fh, '<:raw', $path) or die "$path: $!";
	local $/;
	my $data = <$fh>;
	close $fh;
	return $data;
}

# An error of decoder_raw_dump: one line naming where in the input.
my $error_re =
  qr/\Adecoder_raw_dump: standard input: (?:offset|line) \d+: [^\n]+\n\z/;

my @files = sort glob("$corpus/*.bin");
cmp_ok(scalar(@files), '>=', 50, 'the corpus holds inputs');

foreach my $file (@files)
{
	my $name = basename($file, '.bin');
	my $input = slurp_raw($file);
	my ($rc, $out, $err) = dump_input($input);

	if (-e "$corpus/$name.sql")
	{
		my $expected = slurp_raw("$corpus/$name.sql");
		ok($rc == 0 && $err eq '' && $out eq $expected,
			"$name: prints the expected SQL")
		  or diag("status $rc\n$err\n$out");

		# the same as lines of hexadecimal, as psql shows bytea
		my $hex = join('', map { '\\x' . unpack('H*', $_) . "\n" }
			  unpack('(a64)*', $input));
		($rc, $out, $err) = dump_input($hex, '--hex');
		ok($rc == 0 && $out eq $expected, "$name: the same from --hex")
		  or diag("status $rc\n$err");
	}
	elsif (-e "$corpus/$name.err")
	{
		my $expected = slurp_raw("$corpus/$name.err");
		ok($rc == 1 && $err eq $expected, "$name: fails as expected")
		  or diag("status $rc\n$err");
	}
	else
	{
		ok(($rc == 0 && $err eq '') || ($rc == 1 && $err =~ $error_re),
			"$name: read without a crash (status $rc)")
		  or diag("status $rc\n$err");
	}

	# --records reads every well-formed stream; others fail cleanly
	($rc, $out, $err) = dump_input($input, '--records');
	if (-e "$corpus/$name.sql" || $name =~ /^capture-/)
	{
		ok($rc == 0 && $err eq '', "$name: --records reads it")
		  or diag("status $rc\n$err");
	}
	else
	{
		ok(($rc == 0 && $err eq '') || ($rc == 1 && $err =~ $error_re),
			"$name: --records reads it without a crash (status $rc)")
		  or diag("status $rc\n$err");
	}

	# the file as text, not hexadecimal: an error, no crash
	($rc, $out, $err) = dump_input($input, '--hex');
	ok(($rc == 0 && $err eq '') || ($rc == 1 && $err =~ $error_re),
		"$name: --hex on raw bytes fails cleanly (status $rc)")
	  or diag("status $rc\n$err");
}

# The command line
{
	my ($rc, $out, $err) = dump_input('', '--help');
	ok($rc == 0 && $out =~ /^Usage:\n  decoder_raw_dump \[OPTION\]\.\.\. \[FILE\]$/m,
		'--help prints the usage');
	($rc, $out, $err) = dump_input('', '--no-such-option');
	ok($rc == 2 && $err =~ /^decoder_raw_dump: unknown option "--no-such-option"$/m,
		'an unknown option is refused');
	($rc, $out, $err) = dump_input('', 'a', 'b');
	ok($rc == 2 && $err =~ /^decoder_raw_dump: too many arguments$/m,
		'a second file is refused');
	($rc, $out, $err) = dump_input('', "$tmp/missing.bin");
	ok( $rc == 1
		  && $err =~ /^decoder_raw_dump: could not open "\Q$tmp\E\/missing\.bin": /,
		'a missing file is reported');
	($rc, $out, $err) = dump_input('', "$corpus/sessions.bin");
	ok($rc == 0 && $out eq slurp_raw("$corpus/sessions.sql"),
		'a file named on the command line is read');
	($rc, $out, $err) = dump_input('', '--records', "$corpus/trunc-header.bin");
	is( $err,
		"decoder_raw_dump: $corpus/trunc-header.bin: offset 0: truncated header record: its body has 5 bytes, the input holds 2 of them\n",
		'errors name the file');
}

# Every truncation of the valid hand-made streams.  Cut inside a record,
# the input must give exactly the records before it and then an error that
# names the record's offset; cut between records (or in the newlines after
# one), it is valid.
foreach my $name ('sessions', 'sql-rules', 'annotations')
{
	my $input = slurp_raw("$corpus/$name.bin");
	my ($rc, $records, $err) = dump_input($input, '--records');
	die "$name: $err" if $rc != 0;
	my $sql = slurp_raw("$corpus/$name.sql");

	# offsets and kinds of the records, from --records
	my @starts;
	my %kind;
	foreach my $line (split /\n/, $records)
	{
		next unless $line =~ /^\@(\d+) (\w+)/;
		push @starts, $1;
		$kind{$1} = $2;
	}

	my $bad = 0;
	for (my $cut = 0; $cut < length($input); $cut++)
	{
		my $prefix = substr($input, 0, $cut);
		my ($start) = grep { $_ < $cut } reverse @starts;
		my ($next) = grep { $_ >= $cut } @starts;
		$next //= length($input);
		# lines of the records wholly before the cut, or up to its record
		my $before = join('', grep { /^\@(\d+) / && $1 < ($start // 0) }
			  map { "$_\n" } split(/\n/, $records));
		my $upto = join('', grep { /^\@(\d+) / && $1 <= ($start // 0) }
			  map { "$_\n" } split(/\n/, $records));

		my ($r1, $o1, $e1) = dump_plain($prefix, '--records');
		my ($r2, $o2, $e2) = dump_plain($prefix);

		my $good;
		if (!defined $start)
		{
			# only newlines, or nothing
			$good = $r1 == 0 && $o1 eq '' && $r2 == 0 && $o2 eq '';
		}
		elsif ($r1 == 0)
		{
			# valid only if all that is cut off before the next record
			# is newlines
			$good =
			  substr($input, $cut, $next - $cut) =~ /\A\n*\z/
			  && $o1 eq $upto
			  && $r2 == 0
			  && substr($sql, 0, length($o2)) eq $o2;
		}
		else
		{
			$good =
				 $r1 == 1
			  && $e1 =~ /\Adecoder_raw_dump: standard input: offset $start: truncated $kind{$start} record: [^\n]+\n\z/
			  && $o1 eq $before
			  && $r2 == 1
			  && $e2 eq $e1
			  && substr($sql, 0, length($o2)) eq $o2;
		}
		if (!$good)
		{
			diag("$name cut at $cut: status $r1/$r2\n$e1$e2");
			$bad++;
		}
	}
	is($bad, 0,
		"$name: each of its " . length($input) . " truncations reads as expected");
}

# Truncated and corrupted at every byte, in one process.
my ($out, $err) = ('', '');
IPC::Run::run([ @wrapper, "$tmp/standalone", @files ],
	'>', \$out, '2>', \$err);
is(exit_status(), 0,
	'every truncation and corruption of the corpus is read safely')
  or diag($err);
like($out, qr/^\d+ inputs from ${\ scalar(@files)} files$/m,
	"the sweep ran: $out");

done_testing();
