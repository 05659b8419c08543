-- Streamed in-progress transactions (stream-changes, binary format only):
-- with logical_decoding_work_mem (64kB here) exceeded, a transaction's
-- changes are sent in blocks before it commits.  test/stream-summary.pl
-- holds each (sub)transaction's records until its stream commit, so that
-- the output does not depend on where the blocks are cut.
\pset format unaligned
\pset tuples_only on
SET client_min_messages = warning;
SET synchronous_commit = on;

CREATE TABLE stream_t (id serial PRIMARY KEY, data text);
ALTER TABLE stream_t ALTER COLUMN data SET STORAGE EXTERNAL;
SELECT 'init' FROM pg_create_logical_replication_slot('stream_slot', 'decoder_raw');

-- the SQL format cannot interleave streams
SELECT data FROM pg_logical_slot_get_changes('stream_slot', NULL, NULL, 'stream-changes', 'on');
SELECT data FROM pg_logical_slot_get_binary_changes('stream_slot', NULL, NULL, 'format', 'binary', 'stream-changes', 'on', 'include-transaction', 'off');
-- off is accepted with it
SELECT data FROM pg_logical_slot_get_changes('stream_slot', NULL, NULL, 'stream-changes', 'off');

-- a large subtransaction rolled back: the transaction is streamed, the
-- subtransaction aborted (decoded after the fact, only its first records
-- are sent before the abort is noticed), and what the transaction keeps
-- comes in order with its stream commit
BEGIN;
SAVEPOINT s1;
SELECT 'msg' FROM pg_logical_emit_message(true, 'test', repeat('a', 50));
INSERT INTO stream_t (data) SELECT repeat('a', 2000) || g.i FROM generate_series(1, 100) g(i);
TRUNCATE stream_t;
ROLLBACK TO s1;
INSERT INTO stream_t (data) SELECT 'kept ' || g.i FROM generate_series(1, 5) g(i);
SAVEPOINT s2;
UPDATE stream_t SET data = 'updated in s2' WHERE data = 'kept 1';
RELEASE s2;
DELETE FROM stream_t WHERE data = 'kept 2';
COMMIT;
SELECT data FROM pg_logical_slot_get_binary_changes('stream_slot', NULL, NULL, 'format', 'binary', 'stream-changes', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | perl "$DECODER_RAW_TESTDIR/stream-summary.pl"

-- toasted values in a stream, and a small transaction that is not streamed
INSERT INTO stream_t (data) SELECT repeat('b', 6000) || g.i FROM generate_series(1, 20) g(i);
INSERT INTO stream_t (data) VALUES ('small');
SELECT data FROM pg_logical_slot_get_binary_changes('stream_slot', NULL, NULL, 'format', 'binary', 'stream-changes', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | perl "$DECODER_RAW_TESTDIR/stream-summary.pl" | sed -E -e "s/'(b{20})b+/'\1.../"

-- a large transaction that aborted before it was decoded is not streamed:
-- none of its changes, and no commit, come out (whether an empty first
-- block does depends on when the abort is noticed, which depends on the
-- tests before)
BEGIN;
INSERT INTO stream_t (data) SELECT repeat('c', 2000) || g.i FROM generate_series(1, 100) g(i);
ROLLBACK;
SELECT data FROM pg_logical_slot_get_binary_changes('stream_slot', NULL, NULL, 'format', 'binary', 'stream-changes', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | grep -c -E '^@[0-9]+ (xid [0-9]+ )?(insert|commit|stream commit) '

-- decoder_raw_dump writes no SQL for a stream (the DELETE before it may
-- be streamed or not, depending on the tests before: its lines are left out)
DELETE FROM stream_t;
BEGIN;
INSERT INTO stream_t (data) SELECT repeat('d', 2000) || g.i FROM generate_series(1, 100) g(i);
COMMIT;
SELECT data FROM pg_logical_slot_peek_binary_changes('stream_slot', NULL, NULL, 'format', 'binary', 'stream-changes', 'on') \g |"$DECODER_RAW_DUMP" --hex 2>&1 | grep -v -E '^(BEGIN;|COMMIT;|DELETE )' | sed -E -e 's/offset [0-9]+/offset N/'
-- without stream-changes the same transaction comes whole at its commit
SELECT count(*) FROM pg_logical_slot_get_binary_changes('stream_slot', NULL, NULL, 'format', 'binary', 'message-size', '0');

-- a streamed prepared transaction (stream prepare), on a two-phase slot
SELECT 'init' FROM pg_create_logical_replication_slot('stream_2pc', 'decoder_raw', false, true);
BEGIN;
SAVEPOINT s1;
INSERT INTO stream_t (data) SELECT repeat('e', 2000) || g.i FROM generate_series(1, 100) g(i);
ROLLBACK TO s1;
INSERT INTO stream_t (data) VALUES ('prepared');
PREPARE TRANSACTION 'stream1';
SELECT data FROM pg_logical_slot_get_binary_changes('stream_2pc', NULL, NULL, 'format', 'binary', 'stream-changes', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | perl "$DECODER_RAW_TESTDIR/stream-summary.pl"
COMMIT PREPARED 'stream1';
SELECT data FROM pg_logical_slot_get_binary_changes('stream_2pc', NULL, NULL, 'format', 'binary', 'stream-changes', 'on') \g |"$DECODER_RAW_DUMP" --hex --records | perl "$DECODER_RAW_TESTDIR/stream-summary.pl"

SELECT pg_drop_replication_slot('stream_slot');
SELECT pg_drop_replication_slot('stream_2pc');
DROP TABLE stream_t;
