-- The output does not depend on the settings of the decoding session
-- (DateStyle, IntervalStyle, TimeZone, extra_float_digits, bytea_output,
-- lc_monetary, search_path), and it reads back the same under any
-- settings of the replaying session.
SET client_min_messages = warning;

CREATE SCHEMA set_s;
CREATE TABLE set_s.target (a int);
CREATE TYPE set_comp AS (f float8, at timestamptz, span interval);
CREATE TABLE set_t (
    id int PRIMARY KEY,
    ts timestamp, tstz timestamptz, d date, t time, ttz timetz, i interval,
    f4 float4, f8 float8, n numeric, b bytea, m money,
    fa float8[], tr tstzrange, c set_comp, p point, rc regclass, rt regtype
);
ALTER TABLE set_t REPLICA IDENTITY FULL;
CREATE UNLOGGED TABLE set_s.set_t (LIKE set_t);

SELECT 'init' FROM pg_create_logical_replication_slot('settings_slot', 'decoder_raw');

INSERT INTO set_t VALUES
  (1, '2026-01-02 03:04:05.678901', '2026-01-02 03:04:05.678901+00', '2026-01-02',
   '03:04:05.6', '03:04:05+05:45', '1 year 2 mons -3 days +04:05:06.789',
   0.1, 0.1, 1.10, '\x00015c27ff', 1234567.89,
   '{0.1,1e-7,1e300}', '[2026-01-01 00:00+00,2026-02-01 00:00+00)',
   ROW(2.0/3, '2026-06-30 23:59:59.5+00', '-1 day +01:00'),
   '(1.5,0.1)', 'set_s.target', 'double precision'),
  (2, '0044-03-15 12:00:00 BC', '0044-03-15 12:00:00+00 BC', '0044-03-15 BC',
   '24:00:00', '00:00:00-14', '-178000000 years -1 mons +1 days -00:00:00.000001',
   '-0', 1e-310, -0.000001, '\x', -0.01,
   '{-0,NaN}', '(,infinity]', ROW('-Infinity', '-infinity', '0'),
   '(-1e-300,NaN)', 'pg_class', 'timestamp with time zone'),
  (3, 'infinity', '-infinity', 'infinity', '00:00:00', '12:00:00+00', '0',
   1e-10, 123456789.123, 'NaN', NULL, 0, NULL, 'empty', ROW(NULL, NULL, NULL),
   NULL, 'set_t', 'set_comp');
UPDATE set_t SET id = id + 10;
DELETE FROM set_t WHERE id = 12;

-- Decoded under pg_regress's own settings (DateStyle Postgres, MDY,
-- IntervalStyle postgres_verbose, TimeZone America/Los_Angeles): ISO dates, UTC,
-- shortest exact floats, hex bytea, money through numeric, qualified
-- regclass and regtype names.
SHOW DateStyle;
SHOW TimeZone;
SELECT data FROM pg_logical_slot_peek_changes('settings_slot', NULL, NULL, 'skip-empty-xacts', '1')
 WHERE data LIKE 'INSERT %';
-- (temporary: its own rows are not decoded)
CREATE TEMP TABLE set_runs (run text, settings text, digest text, records bigint);
INSERT INTO set_runs
SELECT 'regress', current_setting('DateStyle') || ' / ' || current_setting('IntervalStyle') || ' / ' ||
         current_setting('TimeZone') || ' / ' || current_setting('extra_float_digits') || ' / ' ||
         current_setting('bytea_output') || ' / ' || current_setting('lc_monetary') || ' / ' ||
         current_setting('search_path'),
       md5(string_agg(data, E'\n' ORDER BY n)), count(*)
  FROM pg_logical_slot_peek_changes('settings_slot', NULL, NULL, 'skip-empty-xacts', '1')
       WITH ORDINALITY AS c(lsn, xid, data, n);

-- The same changes decoded under very different settings.
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET TimeZone = 'Asia/Kathmandu';
SET extra_float_digits = -15;
SET bytea_output = 'escape';
SET lc_monetary = 'POSIX';
SET search_path = set_s, public;
INSERT INTO set_runs
SELECT 'odd', current_setting('DateStyle') || ' / ' || current_setting('IntervalStyle') || ' / ' ||
         current_setting('TimeZone') || ' / ' || current_setting('extra_float_digits') || ' / ' ||
         current_setting('bytea_output') || ' / ' || current_setting('lc_monetary') || ' / ' ||
         current_setting('search_path'),
       md5(string_agg(data, E'\n' ORDER BY n)), count(*)
  FROM pg_logical_slot_peek_changes('settings_slot', NULL, NULL, 'skip-empty-xacts', '1')
       WITH ORDINALITY AS c(lsn, xid, data, n);
-- decoding pinned its settings for a while, but did not change ours
SHOW DateStyle;
SHOW IntervalStyle;
SHOW TimeZone;
SHOW extra_float_digits;
SHOW bytea_output;
SHOW search_path;
SELECT '2026-01-02 03:04:05+00'::timestamptz AS session_tstz, '1 day -1 hour'::interval AS session_interval,
       0.1::float8 AS session_float, '\x01'::bytea AS session_bytea;

SET DateStyle = 'German';
SET IntervalStyle = 'iso_8601';
SET TimeZone = 'America/St_Johns';
SET extra_float_digits = 0;
SET bytea_output = 'hex';
SET lc_monetary = 'C';
SET search_path = public, set_s;
INSERT INTO set_runs
SELECT 'other', current_setting('DateStyle') || ' / ' || current_setting('IntervalStyle') || ' / ' ||
         current_setting('TimeZone') || ' / ' || current_setting('extra_float_digits') || ' / ' ||
         current_setting('bytea_output') || ' / ' || current_setting('lc_monetary') || ' / ' ||
         current_setting('search_path'),
       md5(string_agg(data, E'\n' ORDER BY n)), count(*)
  FROM pg_logical_slot_peek_changes('settings_slot', NULL, NULL, 'skip-empty-xacts', '1')
       WITH ORDINALITY AS c(lsn, xid, data, n);
SELECT run, settings, records, digest = first_value(digest) OVER (ORDER BY run DESC) AS same_output
  FROM set_runs ORDER BY run DESC;

-- Replayed under odd settings too, including standard_conforming_strings
-- off, the copy holds the same values.
SET DateStyle = 'SQL, DMY';
SET IntervalStyle = 'sql_standard';
SET TimeZone = 'Pacific/Chatham';
SET extra_float_digits = -15;
SET bytea_output = 'escape';
SET standard_conforming_strings = off;
SET search_path = set_s;
CREATE TEMP TABLE set_replayed (n bigint);
DO $$
DECLARE
    stmt text;
    n bigint;
BEGIN
    -- the statements on set_s.set_t; regclass literals stay as they are
    FOR stmt IN SELECT replace(replace(replace(replace(data,
                         'INSERT INTO public.set_t ', 'INSERT INTO set_s.set_t '),
                         'UPDATE public.set_t ', 'UPDATE set_s.set_t '),
                         'DELETE FROM public.set_t ', 'DELETE FROM set_s.set_t '),
                         'SELECT ctid FROM public.set_t ', 'SELECT ctid FROM set_s.set_t ')
                  FROM pg_logical_slot_peek_changes('settings_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                                    'include-transaction', '0')
    LOOP
        EXECUTE stmt;
        GET DIAGNOSTICS n = ROW_COUNT;
        INSERT INTO set_replayed VALUES (n);
    END LOOP;
END
$$;
RESET ALL;
SET client_min_messages = warning;
SET extra_float_digits = 3;
SELECT count(*) AS differing FROM (
  (SELECT t::text FROM public.set_t t EXCEPT ALL SELECT t::text FROM set_s.set_t t)
  UNION ALL
  (SELECT t::text FROM set_s.set_t t EXCEPT ALL SELECT t::text FROM public.set_t t)) d;
SELECT count(*) AS statements, sum(n) AS rows_changed FROM set_replayed;
SELECT count(*) AS rows FROM set_s.set_t;
SELECT count(*) FROM pg_logical_slot_get_changes('settings_slot', NULL, NULL, 'skip-empty-xacts', '1');

-- An error in the middle of a decoded transaction leaves the session's
-- settings alone too.
CREATE TABLE set_nokey (a int);
INSERT INTO set_nokey VALUES (1);
BEGIN;
UPDATE set_t SET f8 = 2.5 WHERE id = 11;
UPDATE set_nokey SET a = 2;
COMMIT;
SET DateStyle = 'SQL, DMY';
SET TimeZone = 'Asia/Kathmandu';
SET search_path = set_s, public;
\set SHOW_CONTEXT never
SELECT data FROM pg_logical_slot_peek_changes('settings_slot', NULL, NULL, 'skip-empty-xacts', '1',
                                              'missing-identity', 'error');
\set SHOW_CONTEXT errors
SHOW DateStyle;
SHOW TimeZone;
SHOW search_path;
RESET ALL;
SET client_min_messages = warning;

SELECT pg_drop_replication_slot('settings_slot');
DROP TABLE set_t, set_runs, set_replayed, set_nokey;
DROP SCHEMA set_s CASCADE;
DROP TYPE set_comp;
