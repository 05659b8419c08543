-- TOAST: unchanged out-of-line values are not in the WAL, so UPDATE leaves
-- those columns out of SET; the replaying server keeps its own value.
SET client_min_messages = warning;

CREATE SCHEMA replica;
-- Shows a decoded record with the text of every long literal replaced by
-- its length and the start of its md5, to compare with the stored values.
-- (The text between the n-th and the n+1-th quote is inside a literal
-- when n is odd.)
CREATE FUNCTION shorten(s text) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(CASE WHEN ord % 2 = 0 AND length(part) > 100
                         THEN '<' || length(part) || ' bytes, md5 ' || left(md5(part), 8) || '>'
                         ELSE part END, '''' ORDER BY ord)
    FROM regexp_split_to_table(s, '''') WITH ORDINALITY AS t(part, ord)
$$;
-- A value that pglz cannot compress below the TOAST threshold.
CREATE FUNCTION big(seed int, n int) RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(md5((seed * 100000 + i)::text), '') FROM generate_series(1, n) i
$$;

CREATE TABLE toast_t (id int PRIMARY KEY, small int, big text, blob bytea);
ALTER TABLE toast_t ALTER COLUMN blob SET STORAGE EXTERNAL;
CREATE TABLE toast_full (small int, big text);
ALTER TABLE toast_full REPLICA IDENTITY FULL;
-- nothing but unchanged TOAST and GENERATED ALWAYS columns
CREATE TABLE toast_noset (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, big text);
CREATE UNLOGGED TABLE replica.toast_t (LIKE toast_t INCLUDING ALL);
CREATE UNLOGGED TABLE replica.toast_full (LIKE toast_full INCLUDING ALL);
CREATE UNLOGGED TABLE replica.toast_noset (LIKE toast_noset INCLUDING ALL);

SELECT 'init' FROM pg_create_logical_replication_slot('toast_slot', 'decoder_raw');

INSERT INTO toast_t VALUES (1, 10, big(1, 300), convert_to(big(2, 100), 'UTF8'));
INSERT INTO toast_t VALUES (2, 20, 'short', NULL);
-- stored uncompressed, hence out of line
SELECT id, pg_column_size(big) AS big_size, pg_column_size(blob) AS blob_size
  FROM toast_t ORDER BY id;
-- another column changes: big and blob are left out
UPDATE toast_t SET small = 11 WHERE id = 1;
-- one of them changes
UPDATE toast_t SET big = big(3, 300) WHERE id = 1;
UPDATE toast_t SET blob = convert_to(big(4, 100), 'UTF8'), small = 12 WHERE id = 1;
-- the key changes: the old key finds the row, big and blob stay out
UPDATE toast_t SET id = 3 WHERE id = 1;
-- a short value becomes long and back
UPDATE toast_t SET big = big(5, 300) WHERE id = 2;
UPDATE toast_t SET big = 'short again', small = 21 WHERE id = 2;
-- assigning a column its own value keeps its TOAST pointer: unchanged
UPDATE toast_t SET big = big, small = 13 WHERE id = 3;
DELETE FROM toast_t WHERE id = 2;

-- FULL: the old row is logged whole, TOASTed values included
INSERT INTO toast_full VALUES (1, big(6, 300)), (1, big(6, 300));
UPDATE toast_full SET small = 2 WHERE ctid = (SELECT min(ctid) FROM toast_full);
DELETE FROM toast_full WHERE small = 1;

INSERT INTO toast_noset (big) VALUES (big(7, 300));
UPDATE toast_noset SET big = big;

SELECT shorten(data) AS data FROM pg_logical_slot_peek_changes('toast_slot', NULL, NULL, 'skip-empty-xacts', '1');
-- the values, as the decoded literals show them
SELECT id, small, length(big), left(md5(big), 8) AS big_md5,
       length(E'\\\\x' || encode(blob, 'hex')) AS blob_literal_length,
       left(md5(E'\\\\x' || encode(blob, 'hex')), 8) AS blob_literal_md5
  FROM toast_t ORDER BY id;
SELECT small, length(big), left(md5(big), 8) AS big_md5 FROM toast_full;

SELECT split_part(data, ' ', 1) AS command,
       replay(data) AS rows_changed
  FROM pg_logical_slot_get_changes('toast_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0');
SELECT count(*) AS differing FROM (
  (TABLE toast_t EXCEPT ALL TABLE replica.toast_t)
  UNION ALL (TABLE replica.toast_t EXCEPT ALL TABLE toast_t)) d;
SELECT count(*) AS differing FROM (
  (TABLE toast_full EXCEPT ALL TABLE replica.toast_full)
  UNION ALL (TABLE replica.toast_full EXCEPT ALL TABLE toast_full)) d;
SELECT count(*) AS differing FROM (
  (TABLE toast_noset EXCEPT ALL TABLE replica.toast_noset)
  UNION ALL (TABLE replica.toast_noset EXCEPT ALL TABLE toast_noset)) d;

-- A transaction larger than logical_decoding_work_mem (64kB) is spilled
-- to disk; its TOASTed values come back whole.
TRUNCATE toast_t;
TRUNCATE replica.toast_t;
BEGIN;
INSERT INTO toast_t SELECT i, i, big(i, 300), convert_to(big(-i, 50), 'UTF8')
  FROM generate_series(1, 40) i;
UPDATE toast_t SET small = -small WHERE id % 2 = 0;
UPDATE toast_t SET big = big(i + 100, 300) FROM generate_series(1, 40) i WHERE id = i AND id % 3 = 0;
DELETE FROM toast_t WHERE id % 5 = 0;
COMMIT;
SELECT count(*) AS records, sum(length(data)) > 40 * 9600 AS holds_the_values,
       count(*) FILTER (WHERE data LIKE 'UPDATE %' AND data LIKE '%big%') AS updates_with_big
  FROM pg_logical_slot_peek_changes('toast_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT sum(replay(data)) AS rows_changed
  FROM pg_logical_slot_get_changes('toast_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                   'include-transaction', '0')
 WHERE data NOT LIKE 'TRUNCATE %';
SELECT count(*) AS differing FROM (
  (TABLE toast_t EXCEPT ALL TABLE replica.toast_t)
  UNION ALL (TABLE replica.toast_t EXCEPT ALL TABLE toast_t)) d;

-- A key column whose value is stored out of line: when it does not
-- change, it is left out of SET but the WAL has it for the WHERE clause.
CREATE TABLE toast_key (k text PRIMARY KEY, v int);
INSERT INTO toast_key VALUES (big(8, 80), 1);
SELECT length(k), left(md5(k), 8) AS k_md5 FROM toast_key;
UPDATE toast_key SET v = 2;
DELETE FROM toast_key;
SELECT shorten(data) AS data FROM pg_logical_slot_get_changes('toast_slot', NULL, NULL, 'skip-empty-xacts', '1');

SELECT pg_drop_replication_slot('toast_slot');
DROP TABLE toast_t, toast_full, toast_noset, toast_key;
DROP SCHEMA replica CASCADE;
DROP FUNCTION shorten(text);
DROP FUNCTION big(int, int);
