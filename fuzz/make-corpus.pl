#!/usr/bin/perl
#
# make-corpus.pl
#	Write the hand-made inputs of fuzz/corpus: streams built record by
#	record (doc/binary-format.md), most of them malformed or truncated on
#	purpose, each with what decoder_raw_dump must do with it.
#
# For each case NAME it writes NAME.bin, and either NAME.sql (decoder_raw_dump
# succeeds and prints exactly this) or NAME.err (decoder_raw_dump, reading
# standard input, fails with exactly this message).  The expectations hold
# for the SQL output; with --records the same inputs must only be read
# without a crash and end with status 0 or 1.  t/032_binary_corpus.pl runs
# them all under AddressSanitizer; fuzz/run-fuzz.sh starts from them.
#
# Usage: fuzz/make-corpus.pl   (rewrites the hand-made files of fuzz/corpus)

use strict;
use warnings;
no warnings 'portable';    # 64-bit literals
use FindBin;

my $dir = "$FindBin::RealBin/corpus";
mkdir $dir unless -d $dir;

# ---- encoding ----

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

sub svarint { my ($v) = @_; return varint($v >= 0 ? 2 * $v : -2 * $v - 1); }
sub str { my ($s) = @_; return varint(length($s)) . $s; }
sub int64 { my ($v) = @_; return pack('q>', $v); }
sub rec { my ($kind, $body) = @_; return $kind . varint(length($body)) . $body; }

my $header = rec('H', 'DRAW' . varint(1));
my $H = length($header);    # offset of the first record after it

# A relation record: columns are [flags, name, type oid, typmod, type name,
# and the bytes of the key comparison with flag 0x1000].
sub relation
{
	my (%r) = @_;
	my $body =
		varint($r{id} // 1)
	  . varint($r{oid} // 16384)
	  . varint($r{flags} // 0)
	  . ($r{relkind} // 'r')
	  . ($r{replident} // 'd')
	  . str($r{schema} // 'public')
	  . str($r{name} // 't')
	  . varint(scalar @{ $r{cols} });
	foreach my $c (@{ $r{cols} })
	{
		my ($flags, $name, $oid, $typmod, $typname, $extra) = @$c;
		$body .= varint($flags) . str($name) . varint($oid)
		  . svarint($typmod) . str($typname) . ($extra // '');
	}
	return rec('R', $body);
}

# A tuple: undef is NULL, \'toast' an unchanged TOAST value.
sub tuple
{
	my $s = varint(scalar @_);
	foreach my $v (@_)
	{
		if (!defined $v) { $s .= "\x00"; }
		elsif (ref $v) { $s .= "\x01"; }
		else { $s .= varint(length($v) + 2) . $v; }
	}
	return $s;
}

# Column flags
my ($KEY, $GENERATED, $IDENTITY, $QUOTED, $NOEQ, $BINARY, $CAST, $INEXACT)
  = (0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80);

my @cases;

sub ok_case { push @cases, [ $_[0], $_[1], 'sql', $_[2] ]; }

sub err_case
{
	my ($name, $bytes, $offset, $msg) = @_;
	push @cases,
	  [
		$name, $bytes, 'err',
		"decoder_raw_dump: standard input: offset $offset: $msg\n"
	  ];
}

# ---- valid streams ----

ok_case('empty', '', '');
ok_case('only-newlines', "\n\n\n", '');
ok_case('header-only', $header, '');

my $t = relation(
	cols => [
		[ $KEY, 'id', 23, -1, 'integer' ],
		[ 0, 'v', 25, -1, 'pg_catalog.text' ]
	]);

# Every kind of record once, newlines between some of them, and a second
# session that reuses relation id 1 for another table.
ok_case(
	'sessions',
	$header . "\n"
	  . rec('B', "\x00")
	  . $t . "\n\n"
	  . rec('I', "\x01" . tuple('1', "a\nb"))
	  . rec('U', "\x01\x00" . tuple('1', undef))
	  . rec('U', "\x01K" . tuple('1') . tuple('2', \'toast'))
	  . rec('D', "\x01K" . tuple('2'))
	  . rec('T', "\x03\x01\x01")
	  . rec('M', "\x03" . str("p") . str("it's"))
	  . rec('C', "\x00") . "\n"
	  . rec('M', "\x00" . str("") . str("\x00\xff"))
	  . $header
	  . relation(
		name => 'u',
		cols => [ [ 0, 'x', 16, -1, 'boolean' ] ],
		replident => 'f')
	  . rec('I', "\x01" . tuple('t'))
	  . rec('D', "\x01O" . tuple('f')),
	"BEGIN;\n"
	  . "INSERT INTO public.t (id, v) VALUES (1, E'a\\nb');\n"
	  . "UPDATE public.t SET id = 1, v = NULL WHERE id = 1;\n"
	  . "UPDATE public.t SET id = 2 WHERE id = 1;\n"
	  . "DELETE FROM public.t WHERE id = 2;\n"
	  . "TRUNCATE ONLY public.t RESTART IDENTITY CASCADE;\n"
	  . "SELECT pg_catalog.pg_logical_emit_message(true, 'p', 'it''s');\n"
	  . "COMMIT;\n"
	  . "SELECT pg_catalog.pg_logical_emit_message(false, '', E'\\\\x00ff'::pg_catalog.bytea);\n"
	  . "INSERT INTO public.u (x) VALUES (true);\n"
	  . "DELETE FROM public.u WHERE ctid = (SELECT ctid FROM public.u WHERE x = false LIMIT 1);\n"
);

# Quoting, ONLY, partitioned tables, constants, columns left out.
my $q = relation(
	id => 7,
	flags => 0x07,
	schema => 'My Schema',
	name => 'Ta"ble',
	replident => 'f',
	cols => [
		[ $QUOTED, 'Id', 23, -1, 'integer' ],
		[ $NOEQ, 'j', 114, -1, 'pg_catalog.json' ],
		[ $INEXACT, 'n', 1700, 655366, 'numeric(10,2)' ],
		[ 0, 'm', 790, -1, 'pg_catalog.money' ],
		[ $GENERATED, 'g', 20, -1, 'bigint' ],
		[ $IDENTITY, 'i', 21, -1, 'smallint' ],
		[ 0, 'c', 1042, 5, 'character(1)' ],
		[ $QUOTED | $CAST, "a\tb\\\"", 2205, -1, 'regclass' ]
	]);
my $p = relation(
	id => 8,
	relkind => 'p',
	name => 'parted',
	cols => [ [ $KEY, 'k', 25, -1, 'pg_catalog.text' ] ]);
my $gen_only = relation(
	id => 9,
	name => 'g',
	replident => 'n',
	cols => [ [ $GENERATED, 'g', 23, -1, 'integer' ] ]);
my $empty = relation(id => 10, name => 'e', replident => 'f', cols => []);
my $toast = relation(
	id => 11,
	name => 'toast',
	cols => [
		[ $KEY | $IDENTITY, 'id', 23, -1, 'integer' ],
		[ 0, 'big', 25, -1, 'pg_catalog.text' ]
	]);
ok_case(
	'sql-rules',
	$header . $q . $p . $gen_only . $empty . $toast
	  . rec('I',
		"\x07"
		  . tuple('1', '{"a": 1}', 'NaN', '-1.50', '3', '4', "\\", 't'))
	  . rec('U',
		"\x07O"
		  . tuple('1', '{"a": 1}', '-Infinity', '0.00', '3', '4', undef,
			'pg_class')
		  . tuple('2', undef, '12.5', \'toast', '3', '5', "\t", 't'))
	  . rec('I', "\x09" . tuple('5'))
	  . rec('D', "\x0aO" . tuple())
	  . rec('I', "\x0b" . tuple('1', 'x'))
	  . rec('U', "\x0b\x00" . tuple('1', \'toast'))
	  . rec('T', "\x00\x02\x08\x07"),
	"INSERT INTO \"My Schema\".\"Ta\"\"ble\" (\"Id\", j, n, m, i, c, U&\"a\\0009b\\\\\"\"\") OVERRIDING SYSTEM VALUE VALUES (1, '{\"a\": 1}', 'NaN', '-1.50'::pg_catalog.numeric::pg_catalog.money, 4, E'\\\\', 't');\n"
	  . "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('\"My Schema\".\"Ta\"\"ble\"', 'i'), 5, false);\n"
	  . "UPDATE ONLY \"My Schema\".\"Ta\"\"ble\" SET \"Id\" = 2, j = NULL, n = 12.5, i = DEFAULT, c = E'\\t', U&\"a\\0009b\\\\\"\"\" = 't' WHERE ctid = (SELECT ctid FROM ONLY \"My Schema\".\"Ta\"\"ble\" WHERE \"Id\" = 1 AND pg_catalog.record_image_eq(ROW(j), ROW(('{\"a\": 1}')::pg_catalog.json)) AND pg_catalog.record_image_eq(ROW(n), ROW(('-Infinity')::numeric(10,2))) AND m = '0.00'::pg_catalog.numeric::pg_catalog.money AND g = 3 AND i = 4 AND c IS NULL AND U&\"a\\0009b\\\\\"\"\" = 'pg_class'::regclass LIMIT 1);\n"
	  . "INSERT INTO public.g DEFAULT VALUES;\n"
	  . "DELETE FROM public.e WHERE ctid = (SELECT ctid FROM public.e WHERE true LIMIT 1);\n"
	  . "INSERT INTO public.toast (id, big) OVERRIDING SYSTEM VALUE VALUES (1, 'x');\n"
	  . "-- UPDATE on public.toast changed no column that can be assigned\n"
	  . "TRUNCATE public.parted, ONLY \"My Schema\".\"Ta\"\"ble\";\n");

# Version 2: how REPLICA IDENTITY FULL compares composites, key columns
# compared as their index compares them, changes left out.
my ($RECIMAGE, $TEXTIMAGE, $EQTEXT, $KEYCMP) = (0x100, 0x200, 0x400, 0x1000);
my $v2_full = relation(
	id => 1,
	name => 'f',
	replident => 'f',
	cols => [
		[ 0, 'id', 23, -1, 'integer' ],
		[ $RECIMAGE | $CAST, 'c', 16400, -1, 'public.comp' ],
		[ $TEXTIMAGE | $INEXACT, 'ca', 16401, -1, 'public.comp[]' ],
		[ $EQTEXT | $CAST | $INEXACT, 'n', 16402, -1, 'public.nest' ]
	]);
my $v2_key = relation(
	id => 2,
	name => 'k',
	replident => 'i',
	cols => [
		[
			$KEY | $KEYCMP, 'name', 25, -1, 'pg_catalog.text',
			str('pg_catalog') . str('C') . str('') . str('')
		],
		[
			$KEY | $KEYCMP, 'x', 23, -1, 'integer',
			str('') . str('') . str('public') . str('===')
		]
	]);
ok_case(
	'v2-rules',
	$header . $v2_full . $v2_key
	  . rec('D', "\x01O" . tuple('1', '(1,)', '{"(1,)"}', '("(1,)",0.5)'))
	  . rec('D', "\x02K" . tuple('a', '1'))
	  . rec('S', "\x02" . str('public') . str('No Key') . varint(2) . varint(3)),
	"DELETE FROM public.f WHERE ctid = (SELECT ctid FROM public.f WHERE id = 1 AND pg_catalog.record_image_eq(c, ('(1,)')::public.comp) AND (ca)::pg_catalog.text = '{\"(1,)\"}' AND (n = ('(\"(1,)\",0.5)')::public.nest AND (n)::pg_catalog.text = (('(\"(1,)\",0.5)')::public.nest)::pg_catalog.text) LIMIT 1);\n"
	  . "DELETE FROM public.k WHERE name COLLATE \"pg_catalog\".\"C\" = 'a' AND x OPERATOR(\"public\".===) 1;\n"
	  . "-- 2 UPDATE and 3 DELETE on public.\"No Key\" left out: the table has no replica identity\n");

# Annotations: xid, LSNs, times (BC, fractions, infinity), origins.
my $xact_all = "\x1f" . varint(4294967295) . varint(0x16B2D48) . int64(0)
  . varint(65535) . varint(0xFFFFFFFFFFFFFFFF) . str("a,b");
ok_case(
	'annotations',
	$header
	  . rec('B', $xact_all)
	  . rec('O', varint(0x100000000) . int64(-63158400000000000))
	  . rec('C',
		"\x07" . varint(1) . varint(0xABCDEF01) . int64(848563976952676))
	  . rec('B', "\x0b" . varint(2) . varint(1) . varint(7) . varint(0x42))
	  . rec('C', "\x04" . int64(9223372036854775807))
	  . rec('B', "\x19" . varint(3) . varint(8) . varint(1) . str("plain"))
	  . rec('C', "\x04" . int64(-9223372036854775808))
	  . rec('B', "\x18" . varint(9) . varint(1) . str("new\nline"))
	  . rec('C', "\x06" . varint(1) . int64(-211813488000000000))
	  . rec('C', "\x04" . int64(9223371331199999999))
	  . rec('C', "\x04" . int64(-1)),
	"BEGIN; -- xid 4294967295, origin 'a,b', origin_lsn FFFFFFFF/FFFFFFFF\n"
	  . "SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('1/0', '0003-08-04 00:00:00+00 BC') IS NULL;\n"
	  . "COMMIT; -- xid 1, lsn 0/ABCDEF01, time 2026-11-21 08:12:56.952676+00\n"
	  . "BEGIN; -- xid 2, origin 7, origin_lsn 0/42\n"
	  . "COMMIT; -- time infinity\n"
	  . "BEGIN; -- xid 3, origin plain, origin_lsn 0/1\n"
	  . "COMMIT; -- time -infinity\n"
	  . "BEGIN; -- origin E'new\\nline', origin_lsn 0/1\n"
	  . "COMMIT; -- lsn 0/1, time 4714-11-24 00:00:00+00 BC\n"
	  . "COMMIT; -- time 294276-12-31 23:59:59.999999+00\n"
	  . "COMMIT; -- time 1999-12-31 23:59:59.999999+00\n");

# ---- malformed streams ----

err_case('trunc-header', "H\x05DR", 0,
	'truncated header record: its body has 5 bytes, the input holds 2 of them');
err_case('bad-magic', rec('H', "DRAX\x01"), 2,
	'not a decoder_raw binary stream: the header record lacks the "DRAW" magic');
err_case('version-0', rec('H', "DRAW\x00"), 6,
	'unsupported binary format version 0 (this reader knows versions 1 to 2)');
err_case('version-big', rec('H', 'DRAW' . varint(2**40)), 6,
	'unsupported binary format version 1099511627776 (this reader knows versions 1 to 2)'
);
err_case('header-trailing', rec('H', "DRAW\x01\x00"), 7,
	'1 unexpected byte at the end of a header record');
err_case('no-header', rec('B', "\x00"), 0,
	'not a decoder_raw binary stream: it does not begin with a header record');
err_case('sql-text', "BEGIN;\n", 0,
	'not a decoder_raw binary stream: it does not begin with a header record');
err_case('unknown-kind', $header . "\x0b\x00", $H,
	'unknown record kind 0x0b');
err_case('length-overlong', $header . 'B' . ("\xff" x 10) . "\x01",
	$H + 1, 'invalid record length');
err_case('length-max', $header . "B\x80\x80\x80\x80\x04", $H + 1,
	'record length 1073741824 exceeds the maximum of 1073741823');
err_case('length-cut', $header . "B\x80", $H,
	'truncated begin record: the input ends inside its length');
err_case('body-cut', $header . "B\x05\x07", $H,
	'truncated begin record: its body has 5 bytes, the input holds 1 of them');
err_case('newline-then-cut', $header . "\n\nC\x02", $H + 2,
	'truncated commit record: its body has 2 bytes, the input holds 0 of them');

err_case('begin-flags', $header . rec('B', "\x40"), $H + 2,
	'unknown flags 0x40 in a begin record');
err_case('begin-flags-varint', $header . rec('B', "\x80"), $H + 2,
	'begin record ends inside its flags');
err_case('begin-origin-name', $header . rec('B', "\x10"), $H + 2,
	'begin record has an origin name flag without the origin flag');
err_case('begin-xid', $header . rec('B', "\x01" . varint(2**32)), $H + 3,
	'xid 4294967296 of a begin record is out of range (at most 4294967295)');
err_case('begin-time-cut', $header . rec('B', "\x04\x00\x01"), $H + 3,
	'begin record ends inside its commit time');
err_case('begin-origin-id',
	$header . rec('B', "\x08" . varint(70000) . varint(0)),
	$H + 3,
	'origin id 70000 of a begin record is out of range (at most 65535)');
err_case('begin-origin-name-nul',
	$header . rec('B', "\x18\x01\x00" . str("a\x00")),
	$H + 5, 'origin name in a begin record contains a NUL byte');
err_case('commit-trailing', $header . rec('C', "\x00\x00"), $H + 3,
	'1 unexpected byte at the end of a commit record');
err_case('commit-lsn-overflow',
	$header . rec('C', "\x02" . ("\xff" x 9) . "\x02"),
	$H + 3, 'invalid variable-length integer in the commit LSN of a commit record');
err_case('origin-cut', $header . rec('O', varint(5)), $H + 3,
	'origin record ends inside its commit time');

my $rel_prefix = varint(1) . varint(16384) . varint(0) . 'r';
my $RB = $H + 2 + length($rel_prefix);    # offset of the replica identity
err_case('relation-replident', $header . rec('R', $rel_prefix . 'x'),
	$RB, 'invalid replica identity 0x78 in a relation record');
err_case('relation-columns',
	$header . rec('R', $rel_prefix . 'd' . str('s') . str('t') . varint(1000000) . "\x00"),
	$RB + 5,
	'column count 1000000 overruns the relation record (1 byte left)');
err_case('relation-name-nul',
	$header . rec('R', $rel_prefix . 'd' . str('s') . str("t\x00") . "\x00"),
	$RB + 3, 'relation name in a relation record contains a NUL byte');
err_case('relation-name-overrun',
	$header . rec('R', $rel_prefix . 'd' . str('s') . "\x09t\x00"),
	$RB + 3,
	'length 9 of the relation name overruns the relation record (2 bytes left)');
err_case('relation-column-flags',
	$header . rec('R', $rel_prefix . 'd' . str('s') . str('t') . "\x01\x80\x40" . str('c') . "\x17\x01\x00"),
	$RB + 6, 'unknown column flags 0x2000 in a relation record');
err_case('relation-typmod',
	$header . rec('R', $rel_prefix . 'd' . str('s') . str('t') . "\x01\x00" . str('c') . "\x17" . varint(2**33) . "\x00"),
	$RB + 10, 'type modifier out of range in a relation record');
err_case('relation-trailing',
	$header . rec('R', $rel_prefix . 'd' . str('s') . str('t') . "\x00\x00"),
	$RB + 6, '1 unexpected byte at the end of a relation record');

err_case('skipped-flags',
	$header . rec('S', "\x04" . str('public') . str('t') . "\x00\x00"),
	$H + 2, 'unknown flags 0x4 in a skipped-changes record');
err_case('key-comparison-not-key',
	$header . rec('R', $rel_prefix . 'd' . str('s') . str('t') . "\x01\x80\x20" . str('c') . "\x17\x01\x00" . str('') x 4),
	$RB + 13, 'column "c" of a relation record has a key comparison but is no key column');
err_case('key-comparison-empty',
	$header . rec('R', $rel_prefix . 'd' . str('s') . str('t') . "\x01\x81\x20" . str('c') . "\x17\x01\x00" . str('') x 4),
	$RB + 13, 'invalid key comparison of column "c" in a relation record');

err_case('insert-unknown-relation', $header . rec('I', "\x09" . tuple()),
	$H + 2,
	'insert record refers to relation id 9, which no relation record of this session described'
);
err_case('insert-count', $header . $t . rec('I', "\x01" . tuple('1', 'a', 'b')),
	$H + length($t) + 3,
	'the tuple of an insert record has 3 values, but relation 1 has 2 columns');
err_case('insert-value-overrun',
	$header . $t . rec('I', "\x01\x02\x03\x31" . varint(102) . "ab"),
	$H + length($t) + 6,
	'length 100 of the value of column 2 overruns the insert record (2 bytes left)'
);
err_case('insert-after-new-session',
	$header . $t . $header . rec('I', "\x01" . tuple('1', 'a')),
	2 * $H + length($t) + 2,
	'insert record refers to relation id 1, which no relation record of this session described'
);
err_case('update-old-kind', $header . $t . rec('U', "\x01X" . tuple('1', 'a')),
	$H + length($t) + 3, 'invalid old tuple kind 0x58 in an update record');
err_case('update-new-missing', $header . $t . rec('U', "\x01K" . tuple('1')),
	$H + length($t) + 7, 'update record ends inside its value count');
err_case('delete-old-none', $header . $t . rec('D', "\x01\x00" . tuple('1', 'a')),
	$H + length($t) + 3, 'invalid old tuple kind 0x00 in a delete record');
err_case('delete-key-count', $header . $t . rec('D', "\x01K" . tuple('1', 'a')),
	$H + length($t) + 4,
	'the old key of a delete record has 2 values, but relation 1 has 1 key column'
);
err_case('truncate-count', $header . $t . rec('T', "\x00" . varint(50) . "\x01"),
	$H + length($t) + 3,
	'relation count 50 overruns the truncate record (1 byte left)');
err_case('truncate-unknown-relation',
	$header . $t . rec('T', "\x00\x02\x01\x05"),
	$H + length($t) + 5,
	'truncate record refers to relation id 5, which no relation record of this session described'
);
err_case('message-flags', $header . rec('M', "\x08" . str('p') . str('c')),
	$H + 2, 'unknown flags 0x8 in a message record');
err_case('message-prefix-nul', $header . rec('M', "\x00" . str("p\x00") . str('c')),
	$H + 3, 'prefix in a message record contains a NUL byte');
err_case('message-content-overrun',
	$header . rec('M', "\x00" . str('p') . varint(10) . 'abc'),
	$H + 5,
	'length 10 of the content overruns the message record (3 bytes left)');

# Parsed, but no SQL can be written from them.
my $b = relation(cols => [ [ $KEY, 'b', 16, -1, 'boolean' ] ]);
err_case('sql-bool', $header . $b . rec('I', "\x01" . tuple('x')),
	$H + length($b), 'invalid boolean value in column "b"');
err_case('sql-toast-insert', $header . $t . rec('I', "\x01" . tuple('1', \'toast')),
	$H + length($t), 'column "v" has no value to write in an INSERT');
my $full = relation(
	replident => 'f',
	cols => [ [ 0, 'a', 23, -1, 'integer' ] ]);
err_case('sql-absent-identity', $header . $full . rec('D', "\x01K" . tuple()),
	$H + length($full),
	'identity column "a" has no value to find the row by');
err_case('sql-time-range',
	$header . rec('C', "\x04" . int64(9223371331200000000)),
	$H, 'timestamp 9223371331200000000 is out of range');
my $bare = relation(name => 'a b', cols => []);
err_case('sql-unquoted-name', $header . $bare . rec('I', "\x01" . tuple()),
	$H + length($bare),
	'name "a b" needs quotes, but the stream says it does not');
err_case('sql-integer', $header . $t . rec('I', "\x01" . tuple('1; --', 'a')),
	$H + length($t), 'invalid integer value in column "id"');
my $num = relation(cols => [ [ $KEY, 'n', 1700, -1, 'numeric' ] ]);
err_case('sql-numeric', $header . $num . rec('I', "\x01" . tuple('1.')),
	$H + length($num), 'invalid numeric value in column "n"');
my $bin = relation(cols => [ [ $KEY | $BINARY, 'id', 23, -1, 'integer' ] ]);
err_case('sql-binary-values', $header . $bin . rec('I', "\x01" . tuple("\x00\x00\x00\x01")),
	$H,
	'column "id" of relation "public.t" has values in binary form (binary-values), which cannot be written as SQL; use --records'
);

# ---- two-phase and stream records (version 2) ----

my $header2 = rec('H', 'DRAW' . varint(2));
my $z8 = int64(0);

ok_case(
	'twophase',
	$header2
	  . rec('b', varint(1) . varint(740) . str('g1'))
	  . rec('p', varint(1) . varint(740) . str('g1'))
	  . rec('c', varint(9) . varint(740) . str('g1') . varint(0x1000) . $z8)
	  . rec('r', varint(1) . varint(741) . str("g'2") . varint(0x1000) . $z8)
	  . rec('r', varint(0x10) . str("g\\3x") . varint(0x1000) . $z8),
	"BEGIN; -- xid 740\n"
	  . "PREPARE TRANSACTION 'g1'; -- xid 740\n"
	  . "SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/1000', '2000-01-01 00:00:00+00') IS NULL;\n"
	  . "COMMIT PREPARED 'g1'; -- xid 740\n"
	  . "ROLLBACK PREPARED 'g''2'; -- xid 741\n"
	  . "-- ROLLBACK PREPARED E'g\\\\3x' left out: the transaction was prepared before two-phase decoding started, and its PREPARE TRANSACTION was not written\n"
);
err_case('twophase-progress-not-sent',
	$header2 . rec('r', varint(0x18) . str('g') . varint(1) . $z8),
	$H + 2, 'rollback prepared record has both the progress and the not-prepared flags');
err_case(
	'stream',
	$header2
	  . rec('s', varint(1) . varint(740))
	  . rec('x', varint(741))
	  . rec('M', varint(1) . str('p') . str('c'))
	  . rec('e', varint(740))
	  . rec('a', varint(740) . varint(741) . varint(0x1000))
	  . rec('k', varint(740) . varint(0x1000) . varint(0x1001) . $z8),
	$H,
	"stream start record: a transaction streamed before its commit (stream-changes) cannot be written as SQL, as its changes interleave with other transactions'; use --records"
);
err_case('stream-xid-outside', $header2 . rec('x', varint(741)),
	$H, 'stream xid record outside a stream block');
err_case('stream-stop-outside', $header2 . rec('e', varint(741)),
	$H, 'stream stop record outside a stream block');

# ---- write ----

my %seen;
foreach my $case (@cases)
{
	my ($name, $bytes, $kind, $expected) = @$case;
	die "duplicate case $name" if $seen{$name}++;
	foreach my $ext ('bin', 'sql', 'err')
	{
		unlink "$dir/$name.$ext";
	}
	open(my $fh, '>:raw', "$dir/$name.bin") or die "$dir/$name.bin: $!";
	print $fh $bytes;
	close $fh;
	open($fh, '>:raw', "$dir/$name.$kind") or die "$dir/$name.$kind: $!";
	print $fh $expected;
	close $fh;
}
printf "make-corpus.pl: wrote %d cases into %s\n", scalar @cases, $dir;
