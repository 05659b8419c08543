-- UPDATE and DELETE on a table without replica identity: one WARNING per
-- table and decoding session, and in the output, before each COMMIT, a
-- record of how many changes the transaction lost.
SET client_min_messages = warning;

CREATE TABLE mi_t (id int, v text);
CREATE TABLE "MI other" (id int);
ALTER TABLE "MI other" REPLICA IDENTITY NOTHING;
INSERT INTO mi_t SELECT g, 'x' FROM generate_series(1, 10000) g;
INSERT INTO "MI other" VALUES (1), (2);

SELECT 'init' FROM pg_create_logical_replication_slot('missing_identity_slot', 'decoder_raw');

DELETE FROM mi_t;
BEGIN;
INSERT INTO mi_t VALUES (1, 'a'), (2, 'b');
UPDATE mi_t SET v = 'c';
DELETE FROM "MI other";
COMMIT;
UPDATE mi_t SET v = 'd' WHERE id = 1;

SELECT data FROM pg_logical_slot_peek_changes('missing_identity_slot', NULL, NULL, 'skip-empty-xacts', '1');
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('missing_identity_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex
\pset format aligned
\pset tuples_only off
\pset format unaligned
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('missing_identity_slot', NULL, NULL, 'format', 'binary', 'skip-empty-xacts', '1') \g |"$DECODER_RAW_DUMP" --hex --records | grep skipped
\pset format aligned
\pset tuples_only off
-- missing-identity error still stops at the first such change
\set SHOW_CONTEXT never
SELECT data FROM pg_logical_slot_peek_changes('missing_identity_slot', NULL, NULL, 'missing-identity', 'error');
SELECT pg_drop_replication_slot('missing_identity_slot');
DROP TABLE mi_t, "MI other";
