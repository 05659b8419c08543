-- partitions-as-root: a partition's changes are written against the root
-- of its partition tree, in the root's column order.
SET client_min_messages = warning;
CREATE TABLE pr (id int PRIMARY KEY, k int, v text) PARTITION BY RANGE (id);
-- the same layout
CREATE TABLE pr_1 PARTITION OF pr FOR VALUES FROM (0) TO (10);
-- another column order, and a dropped column
CREATE TABLE pr_2 (v text, gone int, k int, id int NOT NULL);
ALTER TABLE pr_2 DROP COLUMN gone;
ALTER TABLE pr ATTACH PARTITION pr_2 FOR VALUES FROM (10) TO (20);
-- sub-partitioned, with its own order
CREATE TABLE pr_3 (k int, id int NOT NULL, v text) PARTITION BY RANGE (id);
CREATE TABLE pr_3a (v text, id int NOT NULL, k int);
ALTER TABLE pr_3 ATTACH PARTITION pr_3a FOR VALUES FROM (20) TO (30);
ALTER TABLE pr ATTACH PARTITION pr_3 FOR VALUES FROM (20) TO (30);
-- a root whose identity the partitions' old tuples do not hold
CREATE TABLE prf (id int, v text) PARTITION BY LIST (id);
ALTER TABLE prf REPLICA IDENTITY FULL;
CREATE TABLE prf_1 PARTITION OF prf FOR VALUES IN (1);
CREATE TABLE prf_2 PARTITION OF prf FOR VALUES IN (2);
ALTER TABLE prf_2 REPLICA IDENTITY FULL;
SELECT 'init' FROM pg_create_logical_replication_slot('pr_slot', 'decoder_raw');

INSERT INTO pr VALUES (1, 1, 'one'), (11, 11, 'eleven'), (21, 21, 'twenty-one');
UPDATE pr SET v = v || '!', k = k + 100;
-- moved between partitions: a DELETE and an INSERT
UPDATE pr SET id = 12 WHERE id = 1;
DELETE FROM pr WHERE id = 21;
INSERT INTO prf VALUES (1, 'a'), (2, 'b');
UPDATE prf SET v = 'c';
-- truncated with the root, the partitions go with it; alone, they cannot
TRUNCATE pr_2;
TRUNCATE pr;

SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'partitions-as-root', '1', 'skip-empty-xacts', '1');
-- patterns match the root's name
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'partitions-as-root', '1', 'include-tables', 'public.pr', 'actions', 'insert', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'partitions-as-root', '1', 'include-tables', 'public.pr_*', 'skip-empty-xacts', '1');
-- the binary format writes the root's relation record and layout
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('pr_slot', NULL, NULL, 'format', 'binary', 'partitions-as-root', '1', 'include-tables', 'public.pr', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex
\pset format aligned
\pset tuples_only off
-- without the option, each partition as itself
SELECT data FROM pg_logical_slot_get_changes('pr_slot', NULL, NULL, 'include-tables', 'public.pr*', 'actions', 'insert', 'skip-empty-xacts', '1');

-- a partition attached, detached, the root renamed while decoding
CREATE TABLE pr_4 (id int NOT NULL, v text, k int);
INSERT INTO pr_4 VALUES (31, 'before');
ALTER TABLE pr ATTACH PARTITION pr_4 FOR VALUES FROM (30) TO (40);
INSERT INTO pr VALUES (32, 32, 'attached');
ALTER TABLE pr DETACH PARTITION pr_4;
INSERT INTO pr_4 VALUES (33, 'detached');
ALTER TABLE pr RENAME TO pr_renamed;
INSERT INTO pr_renamed VALUES (2, 2, 'renamed');
SELECT data FROM pg_logical_slot_get_changes('pr_slot', NULL, NULL, 'partitions-as-root', '1', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('pr_slot', NULL, NULL, 'partitions-as-root', 'x');

SELECT pg_drop_replication_slot('pr_slot');
DROP TABLE pr_renamed, prf, pr_4;
