-- Two-phase commit: on a slot created with two-phase decoding, a prepared
-- transaction is written at PREPARE TRANSACTION, then COMMIT PREPARED or
-- ROLLBACK PREPARED on its own.  Without it, at COMMIT PREPARED as an
-- ordinary transaction.
SET client_min_messages = warning;
SET synchronous_commit = on;

CREATE TABLE tp1 (id int PRIMARY KEY);
CREATE TABLE tp2 (id int PRIMARY KEY);

SELECT 'init' FROM pg_create_logical_replication_slot('tp_slot', 'decoder_raw', false, true);
SELECT 'init' FROM pg_create_logical_replication_slot('tp_plain', 'decoder_raw');

-- decoded at PREPARE, not before
BEGIN;
INSERT INTO tp1 VALUES (1);
INSERT INTO tp1 VALUES (2);
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');
PREPARE TRANSACTION 'test_prepared#1';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');
COMMIT PREPARED 'test_prepared#1';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- rollback of a prepared transaction
BEGIN;
INSERT INTO tp1 VALUES (3);
PREPARE TRANSACTION 'test_prepared#2';
ROLLBACK PREPARED 'test_prepared#2';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- DDL in a prepared transaction: the insert has the new column
BEGIN;
ALTER TABLE tp1 ADD COLUMN data text;
INSERT INTO tp1 VALUES (4, 'frakbar');
PREPARE TRANSACTION 'test_prepared#3';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');
-- decoding goes on while it stays prepared
INSERT INTO tp2 VALUES (5);
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');
COMMIT PREPARED 'test_prepared#3';
INSERT INTO tp1 VALUES (6);
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- savepoints: only what survives is prepared
BEGIN;
INSERT INTO tp1 VALUES (7, 'kept');
SAVEPOINT s1;
INSERT INTO tp1 VALUES (8, 'rolled back');
ROLLBACK TO SAVEPOINT s1;
PREPARE TRANSACTION 'test_prepared_savepoint';
COMMIT PREPARED 'test_prepared_savepoint';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- an empty prepared transaction is written even with skip-empty-xacts:
-- its COMMIT PREPARED must find it on the target
BEGIN;
SELECT 1;
PREPARE TRANSACTION 'empty';
COMMIT PREPARED 'empty';
BEGIN;
INSERT INTO tp2 VALUES (9);
DELETE FROM tp2 WHERE id = 9;
PREPARE TRANSACTION 'filtered';
COMMIT PREPARED 'filtered';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'skip-empty-xacts', '1', 'exclude-tables', 'public.tp2');

-- GIDs are literals; gid-prefix goes before them
BEGIN;
INSERT INTO tp1 VALUES (10, 'quoted');
PREPARE TRANSACTION 'it''s a \ gid';
COMMIT PREPARED 'it''s a \ gid';
SELECT data FROM pg_logical_slot_peek_changes('tp_slot', NULL, NULL);
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'gid-prefix', 'node_a:');

-- annotations, and origin progress at PREPARE and at COMMIT/ROLLBACK PREPARED
BEGIN;
INSERT INTO tp1 VALUES (11);
PREPARE TRANSACTION 'progress1';
COMMIT PREPARED 'progress1';
BEGIN;
INSERT INTO tp1 VALUES (12);
PREPARE TRANSACTION 'progress2';
ROLLBACK PREPARED 'progress2';
SELECT regexp_replace(regexp_replace(regexp_replace(data,
         '[0-9A-F]+/[0-9A-F]+', 'LSN', 'g'),
         '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?\+00', 'TIME', 'g'),
         'xid \d+', 'xid N', 'g')
  FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'origin-progress', 'on',
       'include-xids', 'on', 'include-lsn', 'on', 'include-timestamp', 'on');

-- without include-transaction there is nothing to prepare: the transaction
-- is written at COMMIT PREPARED, and not at all when rolled back
BEGIN;
INSERT INTO tp1 VALUES (13);
PREPARE TRANSACTION 'no_framing1';
SELECT data FROM pg_logical_slot_peek_changes('tp_slot', NULL, NULL, 'include-transaction', 'off');
COMMIT PREPARED 'no_framing1';
BEGIN;
INSERT INTO tp1 VALUES (14);
PREPARE TRANSACTION 'no_framing2';
ROLLBACK PREPARED 'no_framing2';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'include-transaction', 'off');

-- a GID that gid-prefix makes too long is an ERROR, and the slot stays
BEGIN;
INSERT INTO tp1 VALUES (15);
PREPARE TRANSACTION 'a_rather_long_gid_of_forty_bytes_or_so__';
-- (the context names the LSN, which depends on the tests before)
\set SHOW_CONTEXT never
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'gid-prefix', repeat('p', 160));
\set SHOW_CONTEXT errors
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'gid-prefix', repeat('p', 159));
COMMIT PREPARED 'a_rather_long_gid_of_forty_bytes_or_so__';
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL, 'gid-prefix', repeat('p', 200));
SELECT data FROM pg_logical_slot_get_changes('tp_slot', NULL, NULL);

-- the binary format, read back through decoder_raw_dump
\pset format unaligned
\pset tuples_only on
BEGIN;
INSERT INTO tp1 VALUES (16, 'binary');
PREPARE TRANSACTION 'bin1';
COMMIT PREPARED 'bin1';
BEGIN;
INSERT INTO tp1 VALUES (17, 'binary');
PREPARE TRANSACTION 'bin''2';
ROLLBACK PREPARED 'bin''2';
SELECT data FROM pg_logical_slot_peek_binary_changes('tp_slot', NULL, NULL, 'format', 'binary', 'origin-progress', 'on') \g |"$DECODER_RAW_DUMP" --hex | sed -E -e 's/[0-9A-F]+\/[0-9A-F]+/LSN/g' -e 's/[0-9]{4}-[0-9-]+ [0-9:.]+\+00/TIME/g'
SELECT data FROM pg_logical_slot_get_binary_changes('tp_slot', NULL, NULL, 'format', 'binary', 'gid-prefix', 'b:') \g |"$DECODER_RAW_DUMP" --hex --records | sed -E -e 's/ oid [0-9]+ / oid N /' -e 's/[0-9A-F]+\/[0-9A-F]+/LSN/g' -e 's/[0-9]{4}-[0-9-]+ [0-9:.]+\+00/TIME/g'

\pset format aligned
\pset tuples_only off

-- the slot without two-phase decoding saw every committed one at COMMIT PREPARED
SELECT data FROM pg_logical_slot_get_changes('tp_plain', NULL, NULL, 'skip-empty-xacts', '1');

SELECT pg_drop_replication_slot('tp_slot');
SELECT pg_drop_replication_slot('tp_plain');
DROP TABLE tp1, tp2;
