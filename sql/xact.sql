-- Transactions: only committed changes are written, in commit order;
-- changes of rolled back subtransactions and of aborted transactions are
-- absent.
SET client_min_messages = warning;

CREATE TABLE xact_t (id int PRIMARY KEY, v text);

SELECT 'init' FROM pg_create_logical_replication_slot('xact_slot', 'decoder_raw');

-- savepoints: rolled back changes are absent, released ones are kept
BEGIN;
INSERT INTO xact_t VALUES (1, 'kept');
SAVEPOINT s1;
INSERT INTO xact_t VALUES (2, 'rolled back');
UPDATE xact_t SET v = 'rolled back' WHERE id = 1;
ROLLBACK TO SAVEPOINT s1;
INSERT INTO xact_t VALUES (3, 'after rollback to');
SAVEPOINT s2;
INSERT INTO xact_t VALUES (4, 'released');
SAVEPOINT s3;
DELETE FROM xact_t WHERE id = 1;
ROLLBACK TO SAVEPOINT s3;
UPDATE xact_t SET v = 'updated in s2' WHERE id = 3;
RELEASE SAVEPOINT s2;
SAVEPOINT s4;
INSERT INTO xact_t VALUES (5, 'nested');
SAVEPOINT s5;
INSERT INTO xact_t VALUES (6, 'nested deeper');
RELEASE SAVEPOINT s5;
ROLLBACK TO SAVEPOINT s4;
COMMIT;
-- an aborted transaction, also with a committed-looking subtransaction
BEGIN;
INSERT INTO xact_t VALUES (10, 'aborted');
SAVEPOINT s1;
INSERT INTO xact_t VALUES (11, 'aborted too');
RELEASE SAVEPOINT s1;
ROLLBACK;
-- a transaction aborted by an error
BEGIN;
INSERT INTO xact_t VALUES (20, 'error');
INSERT INTO xact_t VALUES (20, 'duplicate');
COMMIT;
-- an exception block is a subtransaction too
DO $$
BEGIN
    INSERT INTO xact_t VALUES (30, 'before block');
    BEGIN
        INSERT INTO xact_t VALUES (31, 'in failed block');
        PERFORM 1 / 0;
    EXCEPTION WHEN division_by_zero THEN
        INSERT INTO xact_t VALUES (32, 'in handler');
    END;
END
$$;
-- a transaction with only rolled back changes is empty
BEGIN;
SAVEPOINT s1;
INSERT INTO xact_t VALUES (40, 'gone');
ROLLBACK TO SAVEPOINT s1;
COMMIT;
SELECT data FROM pg_logical_slot_get_changes('xact_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT * FROM xact_t ORDER BY id;

-- The table changes in the middle of a transaction: each change is
-- written with the columns the table had then.
BEGIN;
INSERT INTO xact_t VALUES (50, 'before');
ALTER TABLE xact_t ADD COLUMN n int DEFAULT 7;
INSERT INTO xact_t VALUES (51, 'after add', 1);
ALTER TABLE xact_t DROP COLUMN v;
INSERT INTO xact_t VALUES (52, 2);
ALTER TABLE xact_t ALTER COLUMN n TYPE text;
UPDATE xact_t SET n = 'three' WHERE id = 52;
ALTER TABLE xact_t RENAME COLUMN n TO "N";
DELETE FROM xact_t WHERE id = 50;
COMMIT;
SELECT data FROM pg_logical_slot_get_changes('xact_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- A transaction larger than logical_decoding_work_mem (64kB), with
-- subtransactions, is spilled to disk and comes back whole, in order.
BEGIN;
INSERT INTO xact_t SELECT i, 'x' || i FROM generate_series(1000, 1999) i;
SAVEPOINT s1;
DELETE FROM xact_t WHERE id >= 1500;
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s2;
UPDATE xact_t SET "N" = repeat('y', 100) WHERE id >= 1000;
RELEASE SAVEPOINT s2;
DELETE FROM xact_t WHERE id >= 1000 AND id % 2 = 0;
COMMIT;
SELECT count(*) AS records,
       count(*) FILTER (WHERE data LIKE 'INSERT %') AS inserts,
       count(*) FILTER (WHERE data LIKE 'UPDATE %') AS updates,
       count(*) FILTER (WHERE data LIKE 'DELETE %') AS deletes,
       bool_and(data = 'BEGIN;') FILTER (WHERE n = 1) AS begin_first,
       bool_and(data = 'COMMIT;') FILTER (WHERE n = total) AS commit_last
  FROM (SELECT data, n, count(*) OVER () AS total
          FROM pg_logical_slot_peek_changes('xact_slot', NULL, NULL, 'skip-empty-xacts', '1')
               WITH ORDINALITY AS c(lsn, xid, data, n)) s;
SELECT n, data FROM pg_logical_slot_peek_changes('xact_slot', NULL, NULL, 'skip-empty-xacts', '1')
       WITH ORDINALITY AS c(lsn, xid, data, n)
 WHERE n IN (1, 2, 1001, 1002, 2001, 2002, 2501, 2502) ORDER BY n;
-- the changes of each row come in the order they were made
SELECT count(*) AS rows_out_of_order FROM (
  SELECT id FROM (
    SELECT coalesce((regexp_match(data, '^INSERT .* VALUES \((\d+),'))[1],
                    (regexp_match(data, ' WHERE id = (\d+);$'))[1]) AS id,
           n, left(data, 6) AS command
      FROM pg_logical_slot_get_changes('xact_slot', NULL, NULL, 'skip-empty-xacts', '1')
           WITH ORDINALITY AS c(lsn, xid, data, n)
     WHERE data NOT IN ('BEGIN;', 'COMMIT;')) s
   GROUP BY id
  HAVING array_agg(command ORDER BY n) NOT IN ('{INSERT,UPDATE}', '{INSERT,UPDATE,DELETE}')
      OR count(*) FILTER (WHERE command = 'DELETE') <> (id::int % 2 = 0)::int) t;

SELECT pg_drop_replication_slot('xact_slot');
DROP TABLE xact_t;
