--
-- message-size: the records of a transaction packed into fewer, larger
-- messages (rows of the SQL functions).  In the SQL format a row then holds
-- several statements, one per line.  A message is sent once it holds
-- message-size bytes, so it holds at most message-size bytes plus one
-- record, and a record larger than message-size goes alone; a message
-- never holds records of two transactions, ends at the latest with the
-- commit and carries the commit's LSN.
--
\pset format unaligned
SET client_min_messages = warning;

CREATE TABLE pack_t (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('packing_slot', 'decoder_raw');

BEGIN;
INSERT INTO pack_t VALUES (1, 'one'), (2, 'two'), (3, 'three');
SELECT 'msg' FROM pg_logical_emit_message(true, 'p', 'in the transaction');
UPDATE pack_t SET v = repeat('x', 150) WHERE id = 2;
DELETE FROM pack_t WHERE id = 3;
COMMIT;
SELECT 'msg' FROM pg_logical_emit_message(false, 'p', 'between transactions');
INSERT INTO pack_t VALUES (4, 'four');

-- the SQL functions write one record per row by default in the SQL format
SELECT data FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL);
SELECT data FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', '0');

-- sent once it holds 100 bytes; the 203-byte record goes alone
SELECT data, octet_length(data) AS bytes FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', '100');
-- 1 byte: every record alone
SELECT count(*) FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', '1');
-- 64kB: one message per transaction, and the non-transactional message
SELECT data FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', '64kB');

-- the same statements in the same order, whatever the message size
SELECT s AS "message-size", count(*) AS messages,
       string_agg(data, E'\n' ORDER BY n) = (SELECT string_agg(data, E'\n') FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL)) AS same
  FROM generate_series(0, 400, 25) s,
       LATERAL pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', s::text) WITH ORDINALITY AS c(lsn, xid, data, n)
 GROUP BY s ORDER BY s;

-- the message holding a commit carries the commit's LSN, as the commit
-- record alone does; no message goes on past a commit
SELECT s AS "message-size",
       (SELECT array_agg(lsn ORDER BY lsn) FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL) WHERE data = 'COMMIT;') =
       (SELECT array_agg(lsn ORDER BY lsn) FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', s::text) WHERE data LIKE '%COMMIT;') AS same_lsns
  FROM unnest(ARRAY['1', '100', '64kB']) AS s;
-- what the commit callback writes goes with the commit: no other message
-- carries a commit's LSN, even when the commit record is larger than
-- message-size (with annotations, it is about 80 bytes)
SELECT count(*) AS other_messages_with_a_commit_lsn
  FROM generate_series(1, 400) s,
       LATERAL pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', s::text,
               'include-xids', 'on', 'include-lsn', 'on', 'include-timestamp', 'on') p
 WHERE p.data NOT LIKE '%COMMIT; --%'
   AND p.lsn IN (SELECT lsn FROM pg_logical_slot_peek_changes('packing_slot', NULL, NULL) WHERE data = 'COMMIT;');
SELECT count(*) AS messages_going_on_past_a_commit
  FROM generate_series(1, 400) s,
       LATERAL pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', s::text)
 WHERE data LIKE E'%COMMIT;\n%';

-- the binary format packs by default in the SQL functions too; the
-- records are the same bytes
SELECT count(*) AS messages FROM pg_logical_slot_peek_binary_changes('packing_slot', NULL, NULL, 'format', 'binary');
SELECT count(*) AS records FROM pg_logical_slot_peek_binary_changes('packing_slot', NULL, NULL, 'format', 'binary', 'message-size', '0');
SELECT (SELECT string_agg(data, '') FROM pg_logical_slot_peek_binary_changes('packing_slot', NULL, NULL, 'format', 'binary')) =
       (SELECT string_agg(data, '') FROM pg_logical_slot_peek_binary_changes('packing_slot', NULL, NULL, 'format', 'binary', 'message-size', '0')) AS same_bytes;
\pset tuples_only on
SELECT data FROM pg_logical_slot_peek_binary_changes('packing_slot', NULL, NULL, 'format', 'binary', 'message-size', '40') \g |"$DECODER_RAW_DUMP" --hex
\pset tuples_only off

-- bad values: an ERROR that names the option and the value
CREATE FUNCTION pack_error(size text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	state text;
	msg text;
BEGIN
	PERFORM pg_logical_slot_peek_changes('packing_slot', NULL, NULL, 'message-size', size);
	RETURN 'accepted';
EXCEPTION WHEN others THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
	RETURN state || ': ' || msg;
END
$$;
SELECT v, pack_error(v) FROM unnest(ARRAY['-1', '67108865', '1GB', 'x', '1 ms', '', '0', '67108864']) AS v;
DROP FUNCTION pack_error(text);

SELECT count(*) > 0 FROM pg_logical_slot_get_changes('packing_slot', NULL, NULL);
SELECT pg_drop_replication_slot('packing_slot');
DROP TABLE pack_t;
