
# Copyright (c) decoder_raw contributors

# scripts/run-tests.sh counts pg_regress's results with
# scripts/regress-count.sh.  pg_regress writes "test x ... ok" up to 15 and
# TAP lines ("ok 1 - x", "not ok 2 - x") from 16 on: both must be counted,
# passed and failed alike.  The inputs are pg_regress outputs of this suite
# (test/regress-count/).

use strict;
use warnings;

use Test::More;
use FindBin;

my $top = "$FindBin::RealBin/..";
my $count = $ENV{DECODER_RAW_REGRESS_COUNT} // "$top/scripts/regress-count.sh";

my %expected = (
	'pg15-pass.out' => '14 0',
	'pg15-fail.out' => '13 1',
	'pg17-pass.out' => '14 0',
	'pg18-fail.out' => '13 1',);

foreach my $file (sort keys %expected)
{
	my $got = `bash "$count" "$top/test/regress-count/$file"`;
	is($?, 0, "$file: the counter succeeds");
	chomp $got;
	is($got, $expected{$file}, "$file: passed and failed tests counted");
}

done_testing();
