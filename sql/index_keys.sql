-- Replica identity key columns are compared the way the identity index
-- compares them, not with the column's own collation.
SET client_min_messages = warning;

CREATE SCHEMA replica;

CREATE COLLATION ik_ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE ik_t (id int, name text COLLATE ik_ci NOT NULL);
CREATE UNIQUE INDEX ik_t_name ON ik_t (name COLLATE "C");
ALTER TABLE ik_t REPLICA IDENTITY USING INDEX ik_t_name;
CREATE UNLOGGED TABLE replica.ik_t (LIKE ik_t INCLUDING ALL);
-- an operator class of its own: the same equality
CREATE TABLE ik_pat (name text NOT NULL, v int);
CREATE UNIQUE INDEX ik_pat_idx ON ik_pat (name text_pattern_ops);
ALTER TABLE ik_pat REPLICA IDENTITY USING INDEX ik_pat_idx;
CREATE UNLOGGED TABLE replica.ik_pat (LIKE ik_pat INCLUDING ALL);
-- same collation as the column: nothing changes
CREATE TABLE ik_plain (name text PRIMARY KEY, v int);
CREATE UNLOGGED TABLE replica.ik_plain (LIKE ik_plain INCLUDING ALL);

SELECT 'init' FROM pg_create_logical_replication_slot('index_keys_slot', 'decoder_raw');

INSERT INTO ik_t VALUES (1, 'a'), (2, 'A');
INSERT INTO ik_pat VALUES ('a', 1), ('A', 2);
INSERT INTO ik_plain VALUES ('a', 1);
DELETE FROM ik_t WHERE id = 1;
UPDATE ik_pat SET v = 3 WHERE v = 1;
UPDATE ik_plain SET v = 2;

SELECT data FROM pg_logical_slot_peek_changes('index_keys_slot', NULL, NULL, 'skip-empty-xacts', '1');
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('index_keys_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex
\pset format aligned
\pset tuples_only off
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('index_keys_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex --records | grep 'key comparison'
\pset format aligned
\pset tuples_only off
SELECT sum(replay(data)) FROM pg_logical_slot_get_changes('index_keys_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-transaction', '0');
SELECT * FROM replica.ik_t ORDER BY id;
SELECT * FROM replica.ik_pat ORDER BY v;
SELECT pg_drop_replication_slot('index_keys_slot');
DROP TABLE ik_t, ik_pat, ik_plain;
DROP COLLATION ik_ci;
DROP SCHEMA replica CASCADE;
