-- Basic INSERT/UPDATE/DELETE, transaction framing and the framing options.
SET client_min_messages = warning;

CREATE TABLE basic_t (id int PRIMARY KEY, v text, f float8);

SELECT 'init' FROM pg_create_logical_replication_slot('basic_slot', 'decoder_raw');

INSERT INTO basic_t VALUES (1, 'one', 0.1);
INSERT INTO basic_t VALUES (2, NULL, -2.5), (3, 'three', NULL);
UPDATE basic_t SET v = 'uno' WHERE id = 1;
UPDATE basic_t SET v = NULL, f = 1e100 WHERE id = 3;
DELETE FROM basic_t WHERE id = 2;
BEGIN;
INSERT INTO basic_t VALUES (4, 'four', 4);
UPDATE basic_t SET f = f * 2 WHERE id = 4;
DELETE FROM basic_t WHERE id = 4;
COMMIT;

-- peek does not consume; the same changes come again with get
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT count(*) FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- The decoded statements replay the changes on an empty copy, unlogged so
-- that its own changes are not decoded.
CREATE SCHEMA replica;
CREATE UNLOGGED TABLE replica.basic_t (LIKE basic_t INCLUDING ALL);
TRUNCATE basic_t;
INSERT INTO basic_t VALUES (10, 'ten', 10), (11, 'eleven', 11);
UPDATE basic_t SET id = 12, v = 'twelve' WHERE id = 11;
DELETE FROM basic_t WHERE id = 10;
INSERT INTO basic_t VALUES (13, E'it''s', 'NaN');
UPDATE basic_t SET f = '-Infinity' WHERE id = 13;
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT data, replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0')
 WHERE data NOT LIKE 'TRUNCATE %';
SELECT * FROM replica.basic_t ORDER BY id;
SELECT count(*) AS differing FROM
  ((TABLE basic_t EXCEPT TABLE replica.basic_t) UNION ALL (TABLE replica.basic_t EXCEPT TABLE basic_t)) d;

-- Empty transactions: written unless skip-empty-xacts is on.  Other
-- sessions (autovacuum) may write empty transactions too, so look at ours
-- only, by xid.
BEGIN;
CREATE TABLE basic_empty (a int);
SELECT pg_current_xact_id() AS empty_xid \gset
COMMIT;
SELECT regexp_replace(data, 'xid \d+', 'xid XID') AS data
  FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include-xids', '1')
 WHERE data LIKE '% -- xid ' || :'empty_xid';
SELECT count(*) FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include-xids', '1', 'skip-empty-xacts', '1')
 WHERE data LIKE '% -- xid ' || :'empty_xid';
-- other spellings of the booleans
SELECT count(*) FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include-xids', 'true', 'skip-empty-xacts', 'off')
 WHERE data LIKE '% -- xid ' || :'empty_xid';
SELECT count(*) FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include-xids', 'on', 'skip-empty-xacts', 'yes')
 WHERE data LIKE '% -- xid ' || :'empty_xid';
SELECT count(*) >= 2 AS consumed FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL);

-- include-xids: BEGIN and COMMIT carry the transaction's own xid.
SELECT clock_timestamp() AS before_xact \gset
BEGIN;
INSERT INTO basic_t VALUES (20, 'twenty', 20);
SELECT pg_current_xact_id() AS xid20 \gset
COMMIT;
SELECT regexp_replace(data, 'xid \d+', 'xid XID') AS data,
       data LIKE '% -- xid ' || :'xid20' AS right_xid
  FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-xids', '1');

-- include-lsn: the LSN of the commit record, which starts before the end
-- of the commit record (the LSN of the COMMIT row) and after the change.
SELECT regexp_replace(data, 'lsn [0-9A-F]+/[0-9A-F]+$', 'lsn LSN') AS data,
       CASE WHEN data LIKE 'COMMIT;%'
            THEN (regexp_match(data, 'lsn ([0-9A-F]+/[0-9A-F]+)$'))[1]::pg_lsn < lsn
             AND (regexp_match(data, 'lsn ([0-9A-F]+/[0-9A-F]+)$'))[1]::pg_lsn > lag(lsn) OVER (ORDER BY lsn)
       END AS lsn_ok
  FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-lsn', '1');

-- include-timestamp: commit time in UTC, whatever TimeZone says.
SET TimeZone = 'America/Los_Angeles';
SELECT regexp_replace(data, 'time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$', 'time TIMESTAMP') AS data
  FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-timestamp', '1');
SELECT (regexp_match(data, 'time (.*)$'))[1]::timestamptz
         BETWEEN :'before_xact' AND clock_timestamp() AS time_ok
  FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1', 'include-timestamp', '1')
 WHERE data LIKE 'COMMIT;%';
RESET TimeZone;

-- all three annotations, in their fixed order
SELECT regexp_replace(regexp_replace(regexp_replace(data,
         'xid \d+', 'xid XID', 'g'),
         'lsn [0-9A-F]+/[0-9A-F]+', 'lsn LSN'),
         'time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?\+00$', 'time TIMESTAMP') AS data
  FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1',
       'include-xids', '1', 'include-lsn', '1', 'include-timestamp', '1');

-- include-transaction off, and its alias include_transaction
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include-transaction', 'off');
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include_transaction', 'false');
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include_transaction', 'true', 'skip-empty-xacts', '1');
-- without BEGIN/COMMIT there is nothing to annotate
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'include-transaction', '0',
       'include-xids', '1', 'include-lsn', '1', 'include-timestamp', '1');

-- output_format: "textual" is the SQL format; "binary" is the same SQL,
-- flagged as binary output, so only the binary functions accept it.
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'output_format', 'textual', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'format', 'sql', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('basic_slot', NULL, NULL, 'output_format', 'binary');
SELECT data, convert_from(data, 'UTF8') AS text
  FROM pg_logical_slot_peek_binary_changes('basic_slot', NULL, NULL, 'output_format', 'binary', 'skip-empty-xacts', '1');
SELECT convert_from(data, 'UTF8') AS text
  FROM pg_logical_slot_get_binary_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT count(*) FROM pg_logical_slot_get_changes('basic_slot', NULL, NULL, 'skip-empty-xacts', '1');

SELECT pg_drop_replication_slot('basic_slot');
DROP TABLE basic_t, basic_empty;
DROP SCHEMA replica CASCADE;
