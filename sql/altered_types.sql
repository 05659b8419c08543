-- Composite types altered while changes are decoded: the cached facts of
-- the relations that use them follow, and REPLICA IDENTITY FULL still
-- finds rows whose values were stored before the type changed.
SET client_min_messages = warning;

CREATE SCHEMA replica;

-- 1. The output of a composite that gains a date and a float depends on
-- the session's settings from then on: they are pinned.
CREATE TYPE at_g AS (a int);
CREATE TABLE at_gucs (id int PRIMARY KEY, c at_g);

-- 2. FULL identity: a composite, an array of it, a composite with a float
-- (compared field by field by image) and one nested in another (compared
-- by equality and text form).
CREATE TYPE at_comp AS (a int);
CREATE TYPE at_fcomp AS (f float8);
CREATE TYPE at_nest AS (n at_comp, x float8);
CREATE TABLE at_full (id int, c at_comp, ca at_comp[], fc at_fcomp, nc at_nest);
ALTER TABLE at_full REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE replica.at_full (LIKE at_full);
INSERT INTO at_full VALUES (1, ROW(1), ARRAY[ROW(1)]::at_comp[], ROW('-0'::float8), ROW(ROW(1), 0.5));
INSERT INTO replica.at_full SELECT * FROM at_full;

SELECT 'init' FROM pg_create_logical_replication_slot('altered_slot', 'decoder_raw');

INSERT INTO at_gucs VALUES (1, ROW(1));
ALTER TYPE at_g ADD ATTRIBUTE d date, ADD ATTRIBUTE f float8;
INSERT INTO at_gucs VALUES (2, ROW(2, '2001-02-03', 1e-7::float8 / 3));

ALTER TYPE at_comp ADD ATTRIBUTE b int;
ALTER TYPE at_fcomp ADD ATTRIBUTE g float8;
UPDATE at_full SET id = 2;

SET DateStyle = 'SQL, DMY';
SET extra_float_digits = -3;
SELECT data FROM pg_logical_slot_peek_changes('altered_slot', NULL, NULL, 'skip-empty-xacts', '1');
RESET DateStyle;
RESET extra_float_digits;
SELECT replay(data) FROM pg_logical_slot_get_changes('altered_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-transaction', '0')
 WHERE data LIKE 'UPDATE %';
SELECT * FROM replica.at_full;

-- DROP ATTRIBUTE: the stored values keep the dropped field.
ALTER TYPE at_comp DROP ATTRIBUTE a;
ALTER TYPE at_fcomp DROP ATTRIBUTE f;
UPDATE at_full SET id = 3;
SELECT data FROM pg_logical_slot_peek_changes('altered_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT replay(data) FROM pg_logical_slot_get_changes('altered_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-transaction', '0');
SELECT * FROM replica.at_full;
DELETE FROM at_full;
SELECT replay(data) FROM pg_logical_slot_get_changes('altered_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-transaction', '0');
SELECT count(*) FROM replica.at_full;

-- The binary format says how each column is compared, and decoder_raw_dump
-- writes the same statements.
INSERT INTO at_full VALUES (4, ROW(4), ARRAY[ROW(4)]::at_comp[], ROW(4), ROW(ROW(4), 4));
DELETE FROM at_full;
SELECT data FROM pg_logical_slot_peek_changes('altered_slot', NULL, NULL, 'skip-empty-xacts', '1');
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_get_binary_changes('altered_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex
\pset format aligned
\pset tuples_only off
SELECT pg_drop_replication_slot('altered_slot');
DROP TABLE at_gucs, at_full;
DROP TYPE at_nest, at_comp, at_fcomp, at_g;
DROP SCHEMA replica CASCADE;
