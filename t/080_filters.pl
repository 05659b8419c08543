
# Copyright (c) decoder_raw contributors

# Filtered streams replayed on other nodes: tables by pattern, actions, a
# partitioned table written against its root into an unpartitioned target,
# and a publication changed in the middle of the stream.  Each target ends
# with exactly the selected part of the source's data.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $s  = new_logical_node('source');
my $t1 = new_logical_node('filtered');
my $t2 = new_logical_node('published');
$_->start foreach $s, $t1, $t2;

my $tables = q{
CREATE TABLE public.keep_a (id int PRIMARY KEY, v text);
CREATE TABLE public.skip_b (id int PRIMARY KEY, v text);
};
$_->safe_psql('postgres', $tables) foreach $s, $t1, $t2;

# On the source a partitioned table whose second partition has its columns
# in another order and a dropped column; on the first target a plain table.
$s->safe_psql(
	'postgres', q{
CREATE TABLE public.parted (id int PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE public.parted_1 PARTITION OF public.parted FOR VALUES FROM (0) TO (100);
CREATE TABLE public.parted_2 (v text, dropme int, id int NOT NULL);
ALTER TABLE public.parted_2 DROP COLUMN dropme;
ALTER TABLE public.parted ATTACH PARTITION public.parted_2 FOR VALUES FROM (100) TO (200);
CREATE PUBLICATION pub FOR TABLE public.keep_a WITH (publish = 'insert, update');
});
$t1->safe_psql('postgres',
	'CREATE TABLE public.parted (id int PRIMARY KEY, v text);');

$s->safe_psql('postgres',
	"SELECT count(pg_create_logical_replication_slot(name, 'decoder_raw')) FROM (VALUES ('s1'), ('s2')) AS v(name);"
);

$s->safe_psql(
	'postgres', q{
INSERT INTO public.keep_a SELECT g, 'a' || g FROM generate_series(1, 10) g;
INSERT INTO public.skip_b SELECT g, 'b' || g FROM generate_series(1, 3) g;
UPDATE public.keep_a SET v = 'u' WHERE id <= 5;
DELETE FROM public.keep_a WHERE id = 10;
INSERT INTO public.parted SELECT g, 'p' || g FROM generate_series(1, 5) g;
INSERT INTO public.parted SELECT g, 'p' || g FROM generate_series(101, 105) g;
UPDATE public.parted SET v = 'x' WHERE id IN (2, 102);
UPDATE public.parted SET id = 150 WHERE id = 3;
DELETE FROM public.parted WHERE id = 104;
ALTER PUBLICATION pub ADD TABLE public.skip_b;
INSERT INTO public.skip_b SELECT g, 'b' || g FROM generate_series(4, 6) g;
UPDATE public.skip_b SET v = 'late' WHERE id IN (1, 4);
});
my $keep_a = $s->safe_psql('postgres', 'SELECT * FROM public.keep_a ORDER BY id');
$s->safe_psql('postgres', 'TRUNCATE public.keep_a;');

# Replay what the slot sends with the options given on the target.
sub replay
{
	my ($slot, $target, @options) = @_;
	my $optlist = join('', map { ", '$_'" } @options);
	my $sql     = $s->safe_psql('postgres',
		"SELECT data FROM pg_logical_slot_get_changes('$slot', NULL, NULL$optlist);"
	);
	$target->safe_psql('postgres', $sql);
	return $sql;
}

# 1. Tables by pattern, three actions, partitions under their root.
my $sql1 = replay(
	's1', $t1,
	'include-tables'     => 'public.*',
	'exclude-tables'     => 'public.skip_*',
	'actions'            => 'insert, update, delete',
	'partitions-as-root' => 'on');
unlike($sql1, qr/skip_b|parted_[12]|TRUNCATE/,
	'neither the excluded table, nor a partition, nor TRUNCATE is written');
is($t1->safe_psql('postgres', 'SELECT * FROM public.keep_a ORDER BY id'),
	$keep_a, 'the selected table replays exactly, without the TRUNCATE');
is( $t1->safe_psql('postgres', 'SELECT * FROM public.parted ORDER BY id'),
	$s->safe_psql('postgres', 'SELECT * FROM public.parted ORDER BY id'),
	'the partitioned table replays into an unpartitioned one');
is($t1->safe_psql('postgres', 'SELECT count(*) FROM public.skip_b'),
	'0', 'the excluded table gets nothing');

# 2. A publication publishing inserts and updates of keep_a, then skip_b too.
my $sql2 = replay('s2', $t2, 'publication-names' => 'pub');
unlike($sql2, qr/DELETE|TRUNCATE|parted/,
	'the publication sends neither deletes, nor truncates, nor unpublished tables');
is( $t2->safe_psql('postgres', 'SELECT * FROM public.keep_a ORDER BY id'),
	join("\n",
		(map { "$_|u" } 1 .. 5),
		(map { "$_|a$_" } 6 .. 10)),
	'keep_a: its inserts and updates, not its delete');
is( $t2->safe_psql('postgres', 'SELECT * FROM public.skip_b ORDER BY id'),
	"4|late\n5|b5\n6|b6",
	'skip_b: only what followed its addition to the publication');

done_testing();
