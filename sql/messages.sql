-- Logical decoding messages are written as the call that emits them again:
-- transactional ones inside their transaction, non-transactional ones at
-- once, outside of any.
SET client_min_messages = warning;

CREATE TABLE msg_t (id int PRIMARY KEY);

SELECT 'init' FROM pg_create_logical_replication_slot('messages_slot', 'decoder_raw');

SELECT 'msg' FROM pg_logical_emit_message(true, 'prefix', 'transactional text');
SELECT 'msg' FROM pg_logical_emit_message(false, 'prefix', 'non-transactional text');
BEGIN;
INSERT INTO msg_t VALUES (1);
SELECT 'msg' FROM pg_logical_emit_message(true, 'in xact', 'first');
SELECT 'msg' FROM pg_logical_emit_message(false, 'in xact', 'not transactional: written at once');
SELECT 'msg' FROM pg_logical_emit_message(true, 'in xact', 'second');
COMMIT;
-- quotes, backslashes, control characters, non-ASCII, empty
SELECT 'msg' FROM pg_logical_emit_message(true, 'it''s a \ prefix', E'it''s\n\ta \\ "message"\r\x01');
SELECT 'msg' FROM pg_logical_emit_message(true, '', '');
SELECT 'msg' FROM pg_logical_emit_message(true, 'utf8', E'caf\u00e9 \u65e5\u672c \U0001F418');
-- bytea content that is not valid text is written as bytea
SELECT 'msg' FROM pg_logical_emit_message(true, 'bytes', '\x00ff10'::bytea);
SELECT 'msg' FROM pg_logical_emit_message(false, 'bytes', '\xc328'::bytea);
SELECT 'msg' FROM pg_logical_emit_message(true, 'bytes', '\x616263'::bytea);
SELECT 'msg' FROM pg_logical_emit_message(true, 'bytes', '\x61006263'::bytea);
-- messages of aborted transactions: the transactional ones are absent
BEGIN;
SELECT 'msg' FROM pg_logical_emit_message(true, 'aborted', 'absent');
SELECT 'msg' FROM pg_logical_emit_message(false, 'aborted', 'present');
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT 'msg' FROM pg_logical_emit_message(true, 'rolled back', 'absent');
ROLLBACK TO SAVEPOINT s;
SELECT 'msg' FROM pg_logical_emit_message(true, 'released', 'present');
COMMIT;

SELECT data FROM pg_logical_slot_peek_changes('messages_slot', NULL, NULL, 'skip-empty-xacts', '1');
-- without transaction framing
SELECT data FROM pg_logical_slot_peek_changes('messages_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                              'include-transaction', '0');

-- Executing the decoded statements, one transaction each, emits the same
-- messages again.
CREATE TEMP TABLE msg_first AS
SELECT n, data
  FROM pg_logical_slot_get_changes('messages_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0')
       WITH ORDINALITY AS c(lsn, xid, data, n)
 WHERE data LIKE 'SELECT %';
CREATE PROCEDURE msg_replay() LANGUAGE plpgsql AS $$
DECLARE
    stmt text;
BEGIN
    FOR stmt IN SELECT data FROM msg_first ORDER BY n
    LOOP
        EXECUTE stmt;
        COMMIT;
    END LOOP;
END
$$;
CALL msg_replay();
SELECT (SELECT count(*) FROM msg_first) AS messages,
       (SELECT string_agg(data, E'\n' ORDER BY n) FROM msg_first) =
       (SELECT string_agg(data, E'\n' ORDER BY n)
          FROM pg_logical_slot_get_changes('messages_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                           'include-transaction', '0')
               WITH ORDINALITY AS c(lsn, xid, data, n)) AS same_messages;

SELECT pg_drop_replication_slot('messages_slot');
DROP TABLE msg_t;
DROP PROCEDURE msg_replay();
