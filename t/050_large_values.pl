
# Copyright (c) decoder_raw contributors

# Values near PostgreSQL's 1 GB allocation limit.  A text of 280 MB made of
# control characters becomes a literal of 1.1 GB (\x01 is four bytes), more
# than a statement can hold: decoding stops with an ERROR that names the
# table, the column and the size, not with the string buffer's own error,
# and the binary format, which writes values unescaped, carries it.  A
# value of 280 MB whose escapes double it fits, and is written whole.  A
# text of 512 MB, which the server's SQL parser cannot read as a constant,
# is refused by the SQL format, and applied by decoder_raw_apply.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;
use ApplyTest;

my $node = new_logical_node('large', autovacuum => 'off');
$node->start;

my $mb = 1024 * 1024;
$node->safe_psql(
	'postgres', q{
CREATE TABLE big (id int PRIMARY KEY, t text);
SELECT 'init' FROM pg_create_logical_replication_slot('big_slot', 'decoder_raw');
});
$node->safe_psql('postgres',
	"INSERT INTO big VALUES (1, repeat(chr(1), 280 * $mb))");

my ($ret, $stdout, $stderr) = $node->psql('postgres',
	q{SELECT count(*) FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL)});
isnt($ret, 0, 'a statement over 1 GB is refused');
like(
	$stderr,
	qr/ERROR:  decoder_raw cannot write the value of column "t" of table "public\.big" in the SQL format\nDETAIL:  The statement would take 1174405\d\d\d bytes, more than the 1073741822 that PostgreSQL can allocate; its literal writes a control character as up to 4 bytes\.\nHINT:  The binary format \(option "format" "binary"\) writes values unescaped\./,
	'the error names the table, the column and the size, and the way past it');

# the binary format carries the value: one record holds its 280 MB
my $len = $node->safe_psql('postgres',
	q{SELECT max(length(data)) FROM pg_logical_slot_get_binary_changes('big_slot', NULL, NULL, 'format', 'binary')});
cmp_ok($len, '>', 280 * $mb, 'the binary format writes the value');

# escapes that double the value fit: 560 MB and the statement around it
$node->safe_psql('postgres',
	"INSERT INTO big VALUES (2, repeat(E'\\t', 280 * $mb))");
$len = $node->safe_psql('postgres',
	q{SELECT length(data) FROM pg_logical_slot_get_changes('big_slot', NULL, NULL) WHERE data LIKE 'INSERT %'});
is($len, 560 * $mb + length("INSERT INTO public.big (id, t) VALUES (2, E'');"),
	'a 560 MB literal is written whole');

# The server's SQL scanner holds a string constant in a buffer of a power
# of two bytes under its 1 GB limit: a text of 512 MB cannot be parsed as a
# constant, however short its statement.  The SQL format says so;
# decoder_raw_apply writes such a value as constants of 256 MB joined and
# cast to the column's type, and applies it.  A text one byte shorter is
# written whole.
$node->safe_psql('postgres', 'CREATE DATABASE tgt');
$node->safe_psql('tgt', 'CREATE TABLE big (id int PRIMARY KEY, t text)');
$node->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('apply_slot', 'decoder_raw')");
$node->safe_psql('postgres',
	"INSERT INTO big VALUES (3, repeat('x', 256 * $mb) || repeat('é', 128 * $mb))");
($ret, $stdout, $stderr) = $node->psql('postgres',
	q{SELECT count(*) FROM pg_logical_slot_peek_changes('big_slot', NULL, NULL)});
isnt($ret, 0, 'a constant of 512 MB is refused');
like(
	$stderr,
	qr/ERROR:  decoder_raw cannot write the value of column "t" of table "public\.big" in the SQL format\nDETAIL:  Its text takes 536870912 bytes; PostgreSQL's SQL parser reads a string constant of at most 536870911\./,
	'the error names the table, the column, the size and the parser\'s limit');
my $end = $node->safe_psql('postgres', 'SELECT pg_current_wal_lsn()');
my ($rc, $out, $err) = run_apply($node, $node, 'dbname', 'postgres', '--slot', 'apply_slot',
	'--endpos', $end, '--target', $node->connstr('tgt'));
is($rc, 0, 'decoder_raw_apply applies a text of 512 MB') or diag $err;
my $q = 'SELECT id, octet_length(t), md5(t) FROM big WHERE id = 3';
is($node->safe_psql('tgt', $q), $node->safe_psql('postgres', $q),
	'the same text, its last piece cut before a character');

$node->safe_psql('postgres',
	"SELECT pg_replication_slot_advance('big_slot', pg_current_wal_lsn())");
$node->safe_psql('postgres', 'DELETE FROM big WHERE id = 3');
$node->safe_psql('postgres', "INSERT INTO big VALUES (4, repeat('y', 512 * $mb - 1))");
$len = $node->safe_psql('postgres',
	q{SELECT length(data) FROM pg_logical_slot_get_changes('big_slot', NULL, NULL) WHERE data LIKE 'INSERT %'});
is($len, 512 * $mb - 1 + length("INSERT INTO public.big (id, t) VALUES (4, '');"),
	'a constant one byte shorter is written');

$node->stop;
done_testing();
