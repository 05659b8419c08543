--
-- The binary format, read back through decoder_raw_dump.
--
-- Rows of pg_logical_slot_*_binary_changes() are piped to decoder_raw_dump
-- --hex, which prints the SQL that the SQL format writes for the same
-- changes (t/030_binary_equivalence.pl checks that byte for byte), or
-- with --records every field of every record.  Empty transactions are
-- skipped, or left without records: autovacuum may commit some at any time.
--
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;

SELECT 'init' FROM pg_create_logical_replication_slot('binary_slot', 'decoder_raw');

-- The worked example of doc/binary-format.md
CREATE TABLE public.ex (id int PRIMARY KEY, v text);
BEGIN;
INSERT INTO ex VALUES (1, 'a');
UPDATE ex SET id = 2, v = NULL WHERE id = 1;
DELETE FROM ex WHERE id = 2;
COMMIT;
-- the relation record holds the table's OID, which varies; one record per
-- row (the SQL functions pack the binary format by default, see packing.sql)
SELECT CASE WHEN get_byte(data, 0) = ascii('R') THEN 'R...' ELSE data::text END
  FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'message-size', '0');
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /'

-- Values of the common types, and literals that need escaping
CREATE TABLE types_t (
	id int PRIMARY KEY, b bool, i2 int2, i8 int8, n numeric, f4 real,
	f8 float8, m money, t text, vc varchar(10), c char(3), by bytea, d date,
	ts timestamp, tz timestamptz, iv interval, j jsonb, arr int[], u uuid);
INSERT INTO types_t VALUES
	(1, true, -32768, 9223372036854775807, 123.450, 0.1, -0.0, 12.34,
	 'it''s', E'tab\there', 'ab', '\x00ff', '2024-02-29', '2024-01-01 10:00:00.5',
	 '2024-01-01 10:00:00.123456+02', '1 day 02:03:04', '{"a": [1, "x"]}',
	 '{1,NULL,3}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
	(2, false, 0, -1, 'NaN', 'NaN', 'Infinity', -0.5, E'back\\slash\nnew line',
	 E'\x01\x7f', NULL, '', '0044-03-15 BC', 'infinity', '-infinity', '-1 mon',
	 'null', '{}', NULL),
	(3, NULL, NULL, NULL, '-Infinity', '-Infinity', 1e300, NULL, E'\r\b\f',
	 '', '', NULL, 'infinity', '0001-01-01 00:00:00 BC', '1999-12-31 23:59:59.999999+00',
	 NULL, NULL, NULL, NULL);
UPDATE types_t SET n = 'Infinity', m = 0 WHERE id = 3;
DELETE FROM types_t WHERE id = 2;
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex

-- Names that need quoting
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Tab""le" ("Id" int PRIMARY KEY, "select" text, "a b" int, plain int);
INSERT INTO "My Schema"."Tab""le" VALUES (1, 'x', 2, 3);
UPDATE "My Schema"."Tab""le" SET "Id" = 10, "a b" = NULL;
DELETE FROM "My Schema"."Tab""le";
TRUNCATE "My Schema"."Tab""le";
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex

-- REPLICA IDENTITY FULL, duplicate rows, types without equality or whose
-- equal values may differ (numeric)
CREATE TABLE full_t (a int, j json, p point, n numeric);
ALTER TABLE full_t REPLICA IDENTITY FULL;
INSERT INTO full_t VALUES (1, '{"k": 1}', '(1,2)', NULL), (1, '{"k": 1}', '(1,2)', NULL);
UPDATE full_t SET n = 5 WHERE ctid = (SELECT min(ctid) FROM full_t);
DELETE FROM full_t WHERE n IS NULL;
DELETE FROM full_t;
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /'

-- Inheritance children: ONLY; partitioned tables: no ONLY in TRUNCATE
CREATE TABLE parent_t (id int PRIMARY KEY, v text);
CREATE TABLE child_t () INHERITS (parent_t);
INSERT INTO parent_t VALUES (1, 'p');
UPDATE parent_t SET v = 'q';
DELETE FROM parent_t;
TRUNCATE parent_t;
CREATE TABLE part_t (id int PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE part_t1 PARTITION OF part_t FOR VALUES FROM (0) TO (100);
INSERT INTO part_t VALUES (1, 'x');
TRUNCATE part_t RESTART IDENTITY CASCADE;
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex

-- Generated columns, GENERATED ALWAYS identity, unchanged TOAST values
CREATE TABLE gen_t (
	id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text,
	g int GENERATED ALWAYS AS (length(v)) STORED);
INSERT INTO gen_t (v) VALUES ('abc');
UPDATE gen_t SET v = 'abcd';
UPDATE gen_t SET id = DEFAULT;
DELETE FROM gen_t;
CREATE TABLE toast_t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, big text, other int);
ALTER TABLE toast_t ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO toast_t (big, other) SELECT repeat('x', 10000), 1;
UPDATE toast_t SET other = 2;
CREATE TABLE toast2_t (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, big text);
ALTER TABLE toast2_t ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO toast2_t (big) SELECT repeat('y', 10000);
UPDATE toast2_t SET big = big;
-- big values are long: show their length only
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex | sed -e "s/'xxx*'/'x...'/" -e "s/'yyy*'/'y...'/"
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /' -e "s/'xxx*'/'x...'/" -e "s/'yyy*'/'y...'/"

-- Messages, transactional or not, text or bytes
SELECT 'm' FROM pg_logical_emit_message(true, 'pre''fix', 'text content');
SELECT 'm' FROM pg_logical_emit_message(false, 'bytes', '\x00ff0a'::bytea);
-- a commit flushes the WAL, so that decoding sees the message
INSERT INTO ex VALUES (3, E'after\n the message');
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /'

-- A relation described again when it changes within the session
BEGIN;
INSERT INTO ex VALUES (5, 'five');
ALTER TABLE ex ADD COLUMN w int;
INSERT INTO ex VALUES (6, 'six', 6);
COMMIT;
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /'

-- No replica identity: a WARNING, and no record
CREATE TABLE nokey_t (a int);
INSERT INTO nokey_t VALUES (1);
UPDATE nokey_t SET a = 2;
SET client_min_messages = notice;
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex
SET client_min_messages = warning;

-- Transaction records: off, or skipped when empty
INSERT INTO ex VALUES (7, 'seven', NULL);
CREATE TABLE empty_xact_t ();
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'include-transaction', 'off') \g |"$DECODER_RAW_DUMP" --hex
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /'

-- Replication origins: the origin annotation
SELECT 'o' FROM pg_replication_origin_create('binary_origin');
SELECT 'o' FROM pg_replication_origin_session_setup('binary_origin');
BEGIN;
SELECT 'o' FROM pg_replication_origin_xact_setup('0/ABCDEF', '2026-01-01 00:00:00+00');
INSERT INTO ex VALUES (8, 'eight', NULL);
COMMIT;
SELECT 'o' FROM pg_replication_origin_session_reset();
INSERT INTO ex VALUES (9, 'nine, a local change', NULL);
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'include-origin', 'on') \g |"$DECODER_RAW_DUMP" --hex
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'only-local', 'on') \g |"$DECODER_RAW_DUMP" --hex
-- origin-progress: the origin record comes right before the commit record
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'origin-progress', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /' -e 's/end_lsn .* time .*/end_lsn LSN time TIME/'
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'origin-progress', 'on') \g |"$DECODER_RAW_DUMP" --hex | sed -e 's/xact_setup[(].*[)]/xact_setup(LSN, TIME)/'
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'exclude-origins', 'binary_origin') \g |"$DECODER_RAW_DUMP" --hex
SELECT 'o' FROM pg_replication_origin_drop('binary_origin');

-- binary-values: the types' send forms (SQL is written from text only)
INSERT INTO types_t (id, b, i2, n, t, d, tz, j)
	VALUES (4, true, 258, 1.5, 'abc', '2000-01-02', '2000-01-01 00:00:01+00', '{}');
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'binary-values', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | sed -e 's/ oid [0-9]* / oid N /'
SELECT data FROM pg_logical_slot_get_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', 'on', 'binary-values', 'on') \g |"$DECODER_RAW_DUMP" --hex

-- Format versions
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'format-version', '1');
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'format-version', '2');
SELECT data FROM pg_logical_slot_peek_binary_changes('binary_slot', NULL, NULL, 'format', 'binary', 'format-version', 'one');
SELECT data FROM pg_logical_slot_peek_changes('binary_slot', NULL, NULL, 'format-version', '1');
SELECT data FROM pg_logical_slot_peek_changes('binary_slot', NULL, NULL, 'format', 'binary');

-- The reader refuses what it cannot read, naming the offset
SELECT '\x48054452415703'::bytea \g |"$DECODER_RAW_DUMP" --hex
-- a version 1 stream, whose origin record follows the begin record, is still read
SELECT '\x48054452415701420100'::bytea || '\x4f0cef9baf050000000000000000'::bytea || '\x430100'::bytea \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x48054452415801'::bytea \g |"$DECODER_RAW_DUMP" --hex
SELECT convert_to('BEGIN;', 'UTF8') \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x480544524157'::bytea \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x4805445241570149050102033103' \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x4805445241570142808080800400' \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x48054452415701420180' \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x4805445241570142020000' \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x4805445241570142022000' \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x480544524157015a00' \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x48054452415701' UNION ALL SELECT '\x4f' \g |"$DECODER_RAW_DUMP" --hex
SELECT '\x4805445241570' \g |"$DECODER_RAW_DUMP" --hex

SELECT 'drop' FROM pg_drop_replication_slot('binary_slot');
