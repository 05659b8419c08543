-- publication-names: what the named publications publish, followed while
-- decoding.
SET client_min_messages = warning;
CREATE SCHEMA pubs;
CREATE SCHEMA pubs_other;
CREATE TABLE pubs.a (id int PRIMARY KEY, v text);
CREATE TABLE pubs.b (id int PRIMARY KEY, v text);
CREATE TABLE pubs_other.c (id int PRIMARY KEY);
CREATE TABLE pubs.parted (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE pubs.parted_1 PARTITION OF pubs.parted FOR VALUES FROM (0) TO (100);
CREATE PUBLICATION pub_a FOR TABLE pubs.a;
CREATE PUBLICATION pub_ins FOR TABLE pubs.b WITH (publish = 'insert');
CREATE PUBLICATION pub_schema FOR TABLES IN SCHEMA pubs_other;
CREATE PUBLICATION pub_all FOR ALL TABLES WITH (publish = 'delete, truncate');
CREATE PUBLICATION pub_parted FOR TABLE pubs.parted;
CREATE PUBLICATION "Pub Quoted" FOR TABLE pubs.b;
SELECT 'init' FROM pg_create_logical_replication_slot('pubs_slot', 'decoder_raw');

INSERT INTO pubs.a VALUES (1, 'a');
INSERT INTO pubs.b VALUES (1, 'b');
INSERT INTO pubs_other.c VALUES (1);
INSERT INTO pubs.parted VALUES (1);
UPDATE pubs.a SET v = 'a2';
UPDATE pubs.b SET v = 'b2';
DELETE FROM pubs.b;
TRUNCATE pubs.a, pubs.b, pubs_other.c;

SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_a', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_ins', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_schema', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_all', 'skip-empty-xacts', '1');
-- a partition is published with its partitioned table
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_parted', 'skip-empty-xacts', '1');
-- several publications: the union of their tables and actions
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_a, pub_ins', 'skip-empty-xacts', '1');
-- publication names are identifiers
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', '"Pub Quoted"', 'skip-empty-xacts', '1');
-- with table and action filters: what both select
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_a,pub_ins', 'exclude-tables', 'pubs.b', 'actions', 'insert,truncate', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_get_changes('pubs_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-tables', 'none.none');

-- publications changed while decoding
INSERT INTO pubs.b VALUES (10, 'before');
ALTER PUBLICATION pub_a ADD TABLE pubs.b;
INSERT INTO pubs.b VALUES (11, 'added');
ALTER PUBLICATION pub_a SET (publish = 'update');
INSERT INTO pubs.b VALUES (12, 'no insert');
UPDATE pubs.b SET v = 'updated' WHERE id = 12;
ALTER PUBLICATION pub_a SET (publish = 'insert, update, delete, truncate');
ALTER PUBLICATION pub_a DROP TABLE pubs.b;
INSERT INTO pubs.b VALUES (13, 'dropped');
ALTER PUBLICATION pub_a ADD TABLES IN SCHEMA pubs_other;
INSERT INTO pubs_other.c VALUES (14);
ALTER PUBLICATION pub_a DROP TABLES IN SCHEMA pubs_other;
INSERT INTO pubs_other.c VALUES (15);
SELECT data FROM pg_logical_slot_get_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_a', 'skip-empty-xacts', '1');

-- errors: a publication that does not exist, when decoding meets a change
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', '');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_a,');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', '"pub_a');
INSERT INTO pubs.a VALUES (20, 'x');
-- the context of an error in a change callback holds an LSN
\set SHOW_CONTEXT never
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_a,no_such_pub');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'Pub Quoted');
-- the catalogs as of each change decide: one created later is not seen yet
SELECT data FROM pg_logical_slot_get_changes('pubs_slot', NULL, NULL, 'include-tables', 'none.none', 'skip-empty-xacts', '1');
-- row filters and column lists are not honoured: an error, not ignored
CREATE PUBLICATION pub_where FOR TABLE pubs.a WHERE (id > 5);
CREATE PUBLICATION pub_cols FOR TABLE pubs.a (id);
INSERT INTO pubs.a VALUES (21, 'y');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_where');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_cols');
-- one added while decoding is met where it is added
SELECT data FROM pg_logical_slot_get_changes('pubs_slot', NULL, NULL, 'include-tables', 'none.none', 'skip-empty-xacts', '1');
INSERT INTO pubs.a VALUES (22, 'z');
ALTER PUBLICATION pub_ins ADD TABLE pubs.a WHERE (id > 5);
INSERT INTO pubs.a VALUES (23, 'w');
SELECT data FROM pg_logical_slot_peek_changes('pubs_slot', NULL, NULL, 'publication-names', 'pub_ins, pub_a');

\set SHOW_CONTEXT errors
SELECT pg_drop_replication_slot('pubs_slot');
DROP PUBLICATION pub_a, pub_ins, pub_schema, pub_all, pub_parted, "Pub Quoted", pub_where, pub_cols;
DROP SCHEMA pubs CASCADE;
DROP SCHEMA pubs_other CASCADE;
