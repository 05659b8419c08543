-- Every built-in type: the exact literal written for it, and a round trip
-- through replay.  Tables have REPLICA IDENTITY FULL, so the UPDATE and
-- DELETE statements compare every value with its literal too: a literal
-- that does not read back as the same value finds no row.
SET client_min_messages = warning;

CREATE SCHEMA replica;
-- Replays the decoded records of a slot on the copies in schema replica;
-- lists every statement that failed or did not change exactly one row.
CREATE FUNCTION replay_all(slot name, OUT statements bigint, OUT one_row bigint, OUT failed text)
LANGUAGE plpgsql AS $$
DECLARE
    stmt text;
    n bigint;
BEGIN
    statements := 0;
    one_row := 0;
    FOR stmt IN SELECT data
                  FROM pg_logical_slot_get_changes(slot, NULL, NULL, 'skip-empty-xacts', '1',
                                                   'include-transaction', '0')
    LOOP
        statements := statements + 1;
        BEGIN
            n := replay(stmt);
            IF n = 1 THEN
                one_row := one_row + 1;
            ELSE
                failed := concat_ws(E'\n', failed, n || ' rows: ' || stmt);
            END IF;
        EXCEPTION WHEN OTHERS THEN
            failed := concat_ws(E'\n', failed, SQLERRM || ': ' || stmt);
        END;
    END LOOP;
END
$$;
-- Rows of a table that its copy does not have, and the other way round,
-- compared through their text form (not every type has equality).
CREATE FUNCTION differing(tab text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM ('
                   '(SELECT t::text FROM public.%1$I t EXCEPT ALL SELECT t::text FROM replica.%1$I t) UNION ALL '
                   '(SELECT t::text FROM replica.%1$I t EXCEPT ALL SELECT t::text FROM public.%1$I t)) d', tab)
      INTO n;
    RETURN n;
END
$$;

CREATE TYPE ty_enum AS ENUM ('red', 'green blue', 'it''s');
CREATE TYPE ty_comp AS (a int, b text, c float8[]);
CREATE TYPE ty_nest AS (x ty_comp, y ty_enum);
CREATE DOMAIN ty_posint AS int CHECK (VALUE > 0);
CREATE DOMAIN ty_code AS text CHECK (VALUE ~ '^[A-Z]');

CREATE TABLE ty_int (id int, i2 int2, i4 int4, i8 int8, o oid);
CREATE TABLE ty_numeric (id int, n numeric, n2 numeric(10, 2), n0 numeric(5, 0));
CREATE TABLE ty_float (id int, f4 float4, f8 float8);
CREATE TABLE ty_text (id int, t text, vc varchar(6), bc char(4), c "char", nm name);
CREATE TABLE ty_bin (id int, b bool, ba bytea, bt bit(4), vb varbit);
CREATE TABLE ty_date (id int, d date, t time, ttz timetz);
CREATE TABLE ty_ts (id int, ts timestamp, tstz timestamptz(3), tstz6 timestamptz);
CREATE TABLE ty_interval (id int, i interval, i2 interval(0));
CREATE TABLE ty_doc (id int, u uuid, j json, jb jsonb, x xml);
CREATE TABLE ty_array (id int, ia int[], ta text[], ma int[][], fa float8[], da date[]);
CREATE TABLE ty_user (id int, e ty_enum, c ty_comp, nc ty_nest, d ty_posint, dc ty_code, ea ty_enum[]);
CREATE TABLE ty_range (id int, r int4range, nr numrange, tr tstzrange, dr daterange, mr int4multirange, nmr nummultirange);
CREATE TABLE ty_net (id int, i inet, c cidr, m macaddr, m8 macaddr8);
CREATE TABLE ty_misc (id int, m money, tv tsvector, tq tsquery, l pg_lsn, rc regclass, rt regtype);
CREATE TABLE ty_geo (id int, p point, l line, s lseg, b box, pa path, po polygon, c circle);

DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT relname FROM pg_class
              WHERE relname LIKE 'ty\_%' AND relkind = 'r' AND relnamespace = 'public'::regnamespace
    LOOP
        EXECUTE format('ALTER TABLE public.%I REPLICA IDENTITY FULL', r.relname);
        EXECUTE format('CREATE UNLOGGED TABLE replica.%1$I (LIKE public.%1$I)', r.relname);
    END LOOP;
END
$$;

SELECT 'init' FROM pg_create_logical_replication_slot('types_slot', 'decoder_raw');

INSERT INTO ty_int VALUES
  (1, -32768, -2147483648, -9223372036854775808, 0),
  (2, 32767, 2147483647, 9223372036854775807, 4294967295),
  (3, 0, -1, 1, 1),
  (4, NULL, NULL, NULL, NULL);
INSERT INTO ty_numeric VALUES
  (1, 'NaN', 0, 0),
  (2, 'Infinity', 1.5, 99999),
  (3, '-Infinity', -12345678.9, -99999),
  (4, 1.50, 0.005, 0.5),
  (5, -123456789012345678901234567890.123456789012345678901234567890, NULL, NULL),
  (6, 0.000000000000000000001, 12.3, 1.4),
  (7, 1e20, 7, 0);
INSERT INTO ty_float VALUES
  (1, 0.1, 0.1),
  (2, 'NaN', 'NaN'),
  (3, 'Infinity', 'Infinity'),
  (4, '-Infinity', '-Infinity'),
  (5, '-0', '-0'),
  (6, 1.0/3, 1.0/3),
  (7, 3.4028235e38, 1.7976931348623157e308),
  (8, 1e-45, 5e-324),
  (9, 1.17549435e-38, 2.2250738585072014e-308),
  (10, 123456789, 0.30000000000000004),
  (11, 100, 1e22),
  (12, NULL, NULL);
INSERT INTO ty_text VALUES
  (1, 'plain', 'abc', 'ab', 'x', 'name'),
  (2, 'it''s', 'a''b', '''', '''', 'a"b'),
  (3, E'back\\slash', E'\\', E'\\', E'\\', E'n\\m'),
  (4, E'line\nfeed\ttab\rcr', E'\n', E'\t', E'\n', E'a\tb'),
  (5, E'bell\x07 bs\b ff\f esc\x1b del\x7f', E'\x01', 'a  ', 'y', ''),
  (6, E'caf\u00e9 \u0434\u0430 \u65e5\u672c\u8a9e \U0001F418', E'\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9', E'\u65e5\u672c', E'\u00e9', E'\U0001F418'),
  (7, '', '', '', '', 'x'),
  (8, NULL, NULL, NULL, NULL, NULL);
INSERT INTO ty_bin VALUES
  (1, true, '\x', B'1010', B''),
  (2, false, '\x00ff5c27', B'0000', B'1'),
  (3, NULL, decode('5c785c', 'hex'), B'1111', B'10101010101'),
  (4, true, NULL, NULL, NULL);
INSERT INTO ty_date VALUES
  (1, '2000-02-29', '00:00:00', '00:00:00+00'),
  (2, 'infinity', '24:00:00', '24:00:00-15:59'),
  (3, '-infinity', '23:59:59.999999', '12:34:56.789+05:30'),
  (4, '0044-03-15 BC', '12:00:00.5', '01:02:03-00:00:01'),
  (5, '4713-11-24 BC', '01:02:03', '04:05:06+15:59'),
  (6, '5874897-12-31', NULL, NULL),
  (7, NULL, NULL, NULL);
INSERT INTO ty_ts VALUES
  (1, '2000-01-01 00:00:00', '2000-01-01 00:00:00+00', '2026-07-01 12:00:00.123456+02'),
  (2, 'infinity', 'infinity', '-infinity'),
  (3, '-infinity', '-infinity', 'infinity'),
  (4, '0044-03-15 12:34:56.789 BC', '0044-03-15 12:34:56.789+01 BC', '0001-01-01 00:00:00+00'),
  (5, '4713-01-01 00:00:00 BC', '4713-01-01 00:00:00+00 BC', '1999-12-31 23:59:59.999999-12'),
  (6, '294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999+00', '1970-01-01 00:00:00+05:45'),
  (7, '1999-06-30 23:59:59.000001', '2026-03-29 01:30:00 Europe/Paris', '2026-11-01 01:30:00-07'),
  (8, NULL, NULL, NULL);
INSERT INTO ty_interval VALUES
  (1, '1 year 2 mons -3 days 04:05:06.789', '1 day 00:00:00.6'),
  (2, '-1 day +01:00', '-00:00:01'),
  (3, '0', '0'),
  (4, '178000000 years', '-178000000 years'),
  (5, '1 mon -1 sec', '2 hours 3 minutes'),
  (6, '-2147483648 days -2147483648 mons -9223372036854775807 us', '2147483647 days 2147483647 mons'),
  (7, NULL, NULL);
INSERT INTO ty_doc VALUES
  (1, '00000000-0000-0000-0000-000000000000', '{}', '{}', '<a/>'),
  (2, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1, "a": [1, 2.50, null], "b": "dup"}', '{"b": 1, "a": [1, 2.50, null], "b": "dup"}', '<r a=''x''>it''s &lt;&amp;&gt;</r>'),
  (3, 'ffffffff-ffff-ffff-ffff-ffffffffffff', E'"line\\nfeed \\u00e9 \\\\"', E'"line\\nfeed \\u00e9 \\\\"', E'<t>\n\ttabbed\n</t>'),
  (4, NULL, ' [ 1 , "x''y" ] ', '1e3', 'plain text content'),
  (5, NULL, 'null', 'null', NULL),
  (6, NULL, NULL, NULL, E'<?xml version="1.0"?><doc>caf\u00e9</doc>');
INSERT INTO ty_array VALUES
  (1, '{1,NULL,3}', '{a,NULL,"NULL","",null}', '{{1,2},{3,4}}', '{0.1,NaN,-Infinity,-0}', '{2000-01-01,infinity}'),
  (2, '{}', E'{"it''s","a\\"b","back\\\\slash","c,d","{e}"," f "}', '[0:1][2:3]={{1,2},{3,NULL}}', '{}', '{}'),
  (3, '[-2:0]={7,8,9}', E'{"line\nfeed","tab\there","caf\u00e9","\\\\"}', '{{{1}},{{2}}}', '{1e300,5e-324}', '{0044-03-15 BC}'),
  (4, '{NULL}', '{}', NULL, NULL, NULL),
  (5, NULL, NULL, '{}', '{NULL}', '{NULL,NULL}');
INSERT INTO ty_user VALUES
  (1, 'red', ROW(1, 'x', '{0.1}'), ROW(ROW(1, 'x', NULL), 'red'), 1, 'A', '{red,"green blue"}'),
  (2, 'green blue', ROW(NULL, 'it''s "q"', '{NaN,NULL}'), ROW(NULL, 'it''s'), 2147483647, E'B\\c\nd', ARRAY['it''s']::ty_enum[]),
  (3, 'it''s', ROW(-1, '', '{}'), ROW(ROW(NULL, NULL, NULL), NULL), NULL, NULL, '{}'),
  (4, NULL, ROW(NULL, NULL, NULL), NULL, 5, 'Zz', NULL),
  (5, NULL, NULL, ROW(ROW(2, E'(a,b)\\', '{-0}'), 'green blue'), NULL, NULL, NULL);
INSERT INTO ty_range VALUES
  (1, '[1,5)', '(,)', '[2000-01-01 00:00+00,2000-01-02 00:00+00)', '[2000-01-01,infinity)', '{[1,3),[5,7)}', '{(,0.5],[1.50,2)}'),
  (2, 'empty', 'empty', 'empty', 'empty', '{}', '{}'),
  (3, '[1,1]', '[-1.5,1.5]', '(,2026-06-01 12:00+05:30]', '(,)', '{[1,1],(2,4]}', '{empty,[1,2]}'),
  (4, '(,)', '[NaN,NaN]', '[-infinity,infinity]', '[0044-03-15 BC,0044-03-16 BC]', '{(,)}', '{(,)}'),
  (5, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO ty_net VALUES
  (1, '192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05'),
  (2, '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '00:00:00:ff:fe:00:00:00'),
  (3, '10.1.2.3', '10.1.2.3/32', '00:00:00:00:00:00', 'ab:cd:ef:01:23:45:67:89'),
  (4, '::ffff:1.2.3.4/128', '::/0', NULL, NULL),
  (5, NULL, NULL, NULL, NULL);
INSERT INTO ty_misc VALUES
  (1, 12.34, 'a fat cat', 'fat & cat', '0/0', 'pg_class', 'integer[]'),
  (2, -92233720368547758.08, 'a:1A fat:2B,4C cat:5D', '!fat | (cat <-> rat:*)', 'FFFFFFFF/FFFFFFFF', 'ty_misc', 'ty_comp'),
  (3, 92233720368547758.07, E'it''s \\\\back', E'''it''''s''', '16/B374D848', '-', '-'),
  (4, 0, '', '', NULL, 0, 'character varying(3)'),
  (5, -0.01, NULL, NULL, NULL, NULL, NULL),
  (6, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO ty_geo VALUES
  (1, '(0.1,-2)', '{1,-1,0}', '[(0,0),(1,1)]', '(1,1),(0,0)', '((0,0),(1,0),(1,1))', '((0,0),(1,0),(1,1))', '<(0,0),1.5>'),
  (2, '(NaN,Infinity)', '{0.1,2,-Infinity}', '[(-0,0),(1e300,-1e-300)]', '(2.5,2.5),(2.5,2.5)', '[(0,0),(1,1)]', '((0.1,0.2))', '<(1e-10,-1e10),0>'),
  (3, '(-0,0)', NULL, NULL, NULL, '[(1,2)]', NULL, NULL),
  (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL);

SELECT data FROM pg_logical_slot_peek_changes('types_slot', NULL, NULL, 'include-transaction', '0');

-- Every row updated and then half of them deleted, both found by all
-- their values.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT relname FROM pg_class
              WHERE relname LIKE 'ty\_%' AND relkind = 'r' AND relnamespace = 'public'::regnamespace
              ORDER BY relname
    LOOP
        EXECUTE format('UPDATE public.%I SET id = id + 100', r.relname);
        EXECUTE format('DELETE FROM public.%I WHERE id %% 2 = 0', r.relname);
    END LOOP;
END
$$;
SELECT count(*) AS records,
       count(*) FILTER (WHERE data LIKE 'INSERT %') AS inserts,
       count(*) FILTER (WHERE data LIKE 'UPDATE %') AS updates,
       count(*) FILTER (WHERE data LIKE 'DELETE %') AS deletes
  FROM pg_logical_slot_peek_changes('types_slot', NULL, NULL, 'include-transaction', '0');

SELECT * FROM replay_all('types_slot');
SELECT relname, differing(relname::text)
  FROM pg_class
 WHERE relname LIKE 'ty\_%' AND relkind = 'r' AND relnamespace = 'public'::regnamespace
 ORDER BY relname;

SELECT pg_drop_replication_slot('types_slot');
DROP SCHEMA replica CASCADE;
DROP TABLE ty_int, ty_numeric, ty_float, ty_text, ty_bin, ty_date, ty_ts, ty_interval,
  ty_doc, ty_array, ty_user, ty_range, ty_net, ty_misc, ty_geo;
DROP TYPE ty_nest, ty_comp, ty_enum;
DROP DOMAIN ty_posint, ty_code;
DROP FUNCTION replay_all(name), differing(text);
