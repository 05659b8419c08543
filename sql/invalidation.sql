-- Invalidations reach only the relations that depend on what changed: in
-- the binary format, a relation record is sent again only then.
SET client_min_messages = warning;

CREATE TYPE inv_enum AS ENUM ('a', 'b');
CREATE TABLE inv_t (id int PRIMARY KEY, e inv_enum);

SELECT 'init' FROM pg_create_logical_replication_slot('invalidation_slot', 'decoder_raw');

-- 50 temporary tables, each with a type of its own, between the inserts
\set ECHO none
SELECT format('INSERT INTO inv_t VALUES (%s, ''a''); CREATE TEMP TABLE inv_tmp%s (x int);', g, g)
  FROM generate_series(1, 50) g \gexec
\set ECHO all
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('invalidation_slot', NULL, NULL, 'format', 'binary') \g |"$DECODER_RAW_DUMP" --hex --records | grep -c ' relation '
\pset format aligned
\pset tuples_only off
-- renaming the column's type, or the table's schema, describes it again
ALTER TYPE inv_enum RENAME TO inv_enum2;
INSERT INTO inv_t VALUES (51, 'b');
CREATE SCHEMA inv_s;
ALTER TABLE inv_t SET SCHEMA inv_s;
INSERT INTO inv_s.inv_t VALUES (52, 'b');
ALTER SCHEMA inv_s RENAME TO inv_s2;
INSERT INTO inv_s2.inv_t VALUES (53, 'b');
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('invalidation_slot', NULL, NULL, 'format', 'binary') \g |"$DECODER_RAW_DUMP" --hex --records | grep ' relation ' | sed -e 's/ oid [0-9]* / oid N /'
\pset format aligned
\pset tuples_only off
SELECT data FROM pg_logical_slot_get_changes('invalidation_slot', NULL, NULL, 'skip-empty-xacts', '1')
 WHERE data LIKE 'INSERT INTO inv_s%';
SELECT pg_drop_replication_slot('invalidation_slot');
DROP TABLE inv_s2.inv_t;
DROP SCHEMA inv_s2;
DROP TYPE inv_enum2;
