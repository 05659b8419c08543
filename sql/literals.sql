-- Text literals: every byte that needs care (control characters, quote,
-- backslash, DEL), at every offset of a value longer than the eight bytes
-- the writer copies at a time, replays to the very same value.
SET client_min_messages = warning;

CREATE TABLE lit (id int PRIMARY KEY, v text);
CREATE TABLE lit_copy (id int PRIMARY KEY, v text);

SELECT 'init' FROM pg_create_logical_replication_slot('literals_slot', 'decoder_raw');

INSERT INTO lit
SELECT b * 100 + off,
       repeat('a', off) || chr(b) || repeat('b', 19 - off)
  FROM generate_series(1, 127) AS b, generate_series(0, 19) AS off
 WHERE b < 32 OR b IN (39, 92, 127);
-- long runs, special bytes far apart, and a value of special bytes only
INSERT INTO lit VALUES (1, repeat('x', 1000) || E'\n' || repeat('y', 1000) || '''');
INSERT INTO lit VALUES (2, repeat(E'\\''\t', 20));
INSERT INTO lit VALUES (3, repeat('é日本', 100) || E'\x01');

-- one E'' literal per value with a backslash or control character, one
-- plain literal otherwise
SELECT count(*) FILTER (WHERE data LIKE '%VALUES (%, E''%') AS e_literals,
       count(*) FILTER (WHERE data LIKE '%VALUES (%, ''%') AS plain_literals
  FROM pg_logical_slot_peek_changes('literals_slot', NULL, NULL, 'include-transaction', '0');

DO $$
DECLARE
    stmt text;
BEGIN
    FOR stmt IN
        SELECT replace(data, 'INSERT INTO public.lit ', 'INSERT INTO public.lit_copy ')
          FROM pg_logical_slot_get_changes('literals_slot', NULL, NULL, 'include-transaction', '0')
    LOOP
        EXECUTE stmt;
    END LOOP;
END
$$;

SELECT (SELECT count(*) FROM lit) AS rows,
       (SELECT count(*) FROM lit FULL JOIN lit_copy USING (id)
         WHERE lit.v IS DISTINCT FROM lit_copy.v) AS differing;

SELECT pg_drop_replication_slot('literals_slot');
DROP TABLE lit, lit_copy;
