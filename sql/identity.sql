-- Replica identity: how UPDATE and DELETE find their row.
SET client_min_messages = warning;

-- Decoded statements are replayed on unlogged copies in schema replica,
-- whose own changes are not decoded.
CREATE SCHEMA replica;

-- DEFAULT with a multi-column primary key; the WHERE clause uses the old
-- key when the key changed.
CREATE TABLE id_pk2 (a int, b text, v text, PRIMARY KEY (b, a));
-- USING INDEX on a unique index with INCLUDE columns: only the key
-- columns identify the row.
CREATE TABLE id_index (id int, code text NOT NULL, extra text, v text);
CREATE UNIQUE INDEX id_index_code ON id_index (code) INCLUDE (extra);
ALTER TABLE id_index REPLICA IDENTITY USING INDEX id_index_code;
-- FULL: every column, NULLs compared with IS NULL, one row only by ctid.
CREATE TABLE id_full (a int, b text, c int);
ALTER TABLE id_full REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE replica.id_pk2 (LIKE id_pk2 INCLUDING ALL);
CREATE UNLOGGED TABLE replica.id_index (LIKE id_index INCLUDING ALL);
CREATE UNLOGGED TABLE replica.id_full (LIKE id_full INCLUDING ALL);

SELECT 'init' FROM pg_create_logical_replication_slot('identity_slot', 'decoder_raw');

INSERT INTO id_pk2 VALUES (1, 'x', 'v1'), (2, 'x', 'v2');
UPDATE id_pk2 SET v = 'v1b' WHERE a = 1;
UPDATE id_pk2 SET a = 3 WHERE a = 2;
UPDATE id_pk2 SET b = 'y', v = NULL WHERE a = 3;
DELETE FROM id_pk2 WHERE a = 1;

INSERT INTO id_index VALUES (1, 'c1', 'e1', 'v1'), (2, 'c2', NULL, 'v2');
UPDATE id_index SET v = 'v1b', extra = 'e1b' WHERE code = 'c1';
UPDATE id_index SET code = 'c3', id = 3 WHERE code = 'c2';
DELETE FROM id_index WHERE code = 'c1';

INSERT INTO id_full VALUES (1, 'a', 5), (1, 'a', 5), (1, 'a', 5), (2, NULL, NULL), (3, 'c', 30);
UPDATE id_full SET c = 15 WHERE ctid = (SELECT min(ctid) FROM id_full WHERE a = 1);
UPDATE id_full SET b = 'b' WHERE a = 2;
DELETE FROM id_full WHERE ctid = (SELECT max(ctid) FROM id_full WHERE a = 1 AND c = 5);
DELETE FROM id_full WHERE a = 3;

SELECT data FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- Replayed on copies, each statement changes exactly one row: afterwards
-- the copies hold the same rows, duplicates included.
SELECT split_part(data, ' ', 1) AS command,
       replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0');
SELECT * FROM replica.id_pk2 ORDER BY a;
SELECT * FROM replica.id_index ORDER BY id;
SELECT * FROM replica.id_full ORDER BY a, c;
SELECT count(*) AS differing FROM (
  (TABLE id_pk2 EXCEPT ALL TABLE replica.id_pk2)
  UNION ALL (TABLE replica.id_pk2 EXCEPT ALL TABLE id_pk2)) d;
SELECT count(*) AS differing FROM (
  (TABLE id_index EXCEPT ALL TABLE replica.id_index)
  UNION ALL (TABLE replica.id_index EXCEPT ALL TABLE id_index)) d;
SELECT count(*) AS differing FROM (
  (TABLE id_full EXCEPT ALL TABLE replica.id_full)
  UNION ALL (TABLE replica.id_full EXCEPT ALL TABLE id_full)) d;

-- FULL with values that are equal but not the same: 1.5 and 1.50, 0 and
-- -0.  The statements must change the very row that changed on the
-- source, so the copies end up the same, value for value.
CREATE TABLE id_equal (n numeric, f float8);
ALTER TABLE id_equal REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE replica.id_equal (LIKE id_equal);
INSERT INTO id_equal VALUES (1.5, 0), (1.50, '-0'), (2.0, 0), (2.00, '-0');
UPDATE id_equal SET f = 1 WHERE n::text = '1.50';
DELETE FROM id_equal WHERE n::text = '2.00';
SELECT split_part(data, ' ', 1) AS command, replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0');
SELECT n, f FROM id_equal ORDER BY n::text, f::text;
SELECT n, f FROM replica.id_equal ORDER BY n::text, f::text;

-- FULL on rows written before a column was added: the missing value of
-- the old row is part of the condition.
ALTER TABLE id_full ADD COLUMN d int DEFAULT 7;
UPDATE id_full SET c = 25 WHERE a = 2;
DELETE FROM id_full WHERE a = 2;
SELECT data FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
TRUNCATE id_full;
SELECT data FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- No replica identity: REPLICA IDENTITY NOTHING, DEFAULT without a primary
-- key, and USING INDEX whose index was dropped.  INSERT is written; UPDATE
-- and DELETE are left out with a WARNING, or fail with missing-identity
-- 'error'.
CREATE TABLE id_nothing (id int PRIMARY KEY, v text);
ALTER TABLE id_nothing REPLICA IDENTITY NOTHING;
CREATE TABLE id_nokey (id int, v text);
CREATE TABLE id_lost (id int NOT NULL, v text);
CREATE UNIQUE INDEX id_lost_id ON id_lost (id);
ALTER TABLE id_lost REPLICA IDENTITY USING INDEX id_lost_id;
DROP INDEX id_lost_id;

BEGIN;
INSERT INTO id_nothing VALUES (1, 'a'), (2, 'keep');
UPDATE id_nothing SET v = 'b' WHERE id = 1;
DELETE FROM id_nothing WHERE id = 1;
COMMIT;
BEGIN;
INSERT INTO id_nokey VALUES (1, 'a');
UPDATE id_nokey SET v = 'b';
DELETE FROM id_nokey;
COMMIT;
BEGIN;
INSERT INTO id_lost VALUES (1, 'a');
UPDATE id_lost SET v = 'b';
DELETE FROM id_lost;
COMMIT;
-- a transaction with nothing but such changes is empty
BEGIN;
UPDATE id_nothing SET v = 'c';
DELETE FROM id_nothing;
COMMIT;
SELECT data FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                              'missing-identity', 'warn');
-- (the LSN in the error context varies)
\set SHOW_CONTEXT never
SELECT data FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                             'missing-identity', 'error');
-- the error consumed nothing
SELECT count(*) FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT count(*) FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
-- DELETE alone fails the same way
INSERT INTO id_nokey VALUES (2, 'x');
DELETE FROM id_nokey;
SELECT data FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                              'missing-identity', 'error');
\set SHOW_CONTEXT errors
SELECT data FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
-- once the table has a key, its changes are written
ALTER TABLE id_nokey ADD PRIMARY KEY (id);
INSERT INTO id_nokey VALUES (3, 'y');
UPDATE id_nokey SET v = 'z';
DELETE FROM id_nokey;
SELECT data FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- Identity columns whose type has no equality operator are compared
-- through their text form.
CREATE TABLE id_types (j json, x xml, p point, n int);
ALTER TABLE id_types REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE replica.id_types (LIKE id_types);
INSERT INTO id_types VALUES
  ('{"a": [1, 2.50]}', '<r a="1">t &amp; u</r>', '(1.5,-2)', 1),
  ('[ 1,2 ]', '<r/>', '(0.1,1e-10)', 2),
  ('"x''y"', '<!-- c -->', '(-0,0)', 3),
  ('null', '<a>1</a><b>2</b>', '(1e300,-1e-300)', 4),
  (NULL, NULL, NULL, 5);
UPDATE id_types SET n = n + 10;
DELETE FROM id_types WHERE n < 15;
SELECT data FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT split_part(data, ' ', 1) AS command,
       replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0');
SELECT n, j, x, p FROM replica.id_types ORDER BY n;
SELECT count(*) AS differing FROM (
  (SELECT n, j::text, x::text, p::text FROM id_types
   EXCEPT ALL SELECT n, j::text, x::text, p::text FROM replica.id_types)
  UNION ALL
  (SELECT n, j::text, x::text, p::text FROM replica.id_types
   EXCEPT ALL SELECT n, j::text, x::text, p::text FROM id_types)) d;

-- Floats are quoted so that they compare as floats, with their exact
-- value (0.1 unquoted would be a numeric).
CREATE TABLE id_floatkey (f4 float4, f8 float8, v text, PRIMARY KEY (f4, f8));
CREATE UNLOGGED TABLE replica.id_floatkey (LIKE id_floatkey INCLUDING ALL);
INSERT INTO id_floatkey VALUES (0.1, 0.1, 'a'), ('NaN', 'NaN', 'b'),
  ('Infinity', '-Infinity', 'c'), ('-0', 1e-300, 'd'), (3.4028235e38, 1.7976931348623157e308, 'e');
UPDATE id_floatkey SET v = v || '2';
DELETE FROM id_floatkey WHERE v IN ('a2', 'c2');
SELECT data FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT split_part(data, ' ', 1) AS command,
       replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0');
SELECT * FROM replica.id_floatkey ORDER BY v;
SELECT count(*) AS differing FROM (
  (TABLE id_floatkey EXCEPT ALL TABLE replica.id_floatkey)
  UNION ALL (TABLE replica.id_floatkey EXCEPT ALL TABLE id_floatkey)) d;

-- Keys whose type's equality operator takes another type: a composite
-- compares as record, a regclass as oid.  The literal is cast to the
-- column's type, else it would be read as a record or an oid.
CREATE TYPE id_pair AS (x int, y text);
CREATE TABLE id_comp (k id_pair PRIMARY KEY, v text);
CREATE TABLE id_reg (r regclass PRIMARY KEY, v text);
CREATE UNLOGGED TABLE replica.id_comp (LIKE id_comp INCLUDING ALL);
CREATE UNLOGGED TABLE replica.id_reg (LIKE id_reg INCLUDING ALL);
INSERT INTO id_comp VALUES (ROW(1, 'a b'), 'v'), (ROW(2, NULL), 'w');
UPDATE id_comp SET v = 'v2' WHERE k = ROW(1, 'a b')::id_pair;
UPDATE id_comp SET k = ROW(3, 'c') WHERE (k).x = 2;
DELETE FROM id_comp WHERE (k).x = 1;
INSERT INTO id_reg VALUES ('id_comp', 'v'), ('pg_class', 'w');
UPDATE id_reg SET v = 'v2' WHERE r = 'id_comp'::regclass;
DELETE FROM id_reg WHERE r = 'pg_class'::regclass;
SELECT data FROM pg_logical_slot_peek_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT split_part(data, ' ', 1) AS command,
       replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('identity_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0');
SELECT * FROM replica.id_comp;
SELECT * FROM replica.id_reg;

SELECT pg_drop_replication_slot('identity_slot');
DROP TABLE id_pk2, id_index, id_full, id_equal, id_nothing, id_nokey, id_lost, id_types, id_floatkey, id_comp, id_reg;
DROP SCHEMA replica CASCADE;
DROP TYPE id_pair;
