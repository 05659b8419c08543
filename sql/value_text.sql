-- decoder_raw writes the text of numerics and timestamps itself, without
-- their output functions: the decoded text of many values must be exactly
-- what the output functions give under DateStyle ISO and TimeZone UTC.
-- Both formats write the same text (t/030).
SET client_min_messages = warning;

CREATE TABLE nt (id int PRIMARY KEY, n numeric);
-- The stored form picks a short header for small weights and scales and a
-- long one for the others: cover both, with zeros, signs, fractions shorter
-- and longer than a digit group, trailing zeros kept by the scale, and the
-- specials.
CREATE TABLE nt_src AS
SELECT row_number() OVER ()::int AS id, v
FROM (
    SELECT unnest(ARRAY[
        '0', '-0', '0.0', '0.000000', '1', '-1', '10', '100', '1000',
        '9999', '10000', '10001', '-10000', '0.1', '0.01', '0.001',
        '0.0001', '0.00001', '0.000000001', '-0.000000001', '1.5',
        '12.30', '12.3000', '99999.99999', '123456789012345678901234567890',
        '-123456789012345678901234567890.0987654321',
        '1e100', '1e-100', '-1e131071', '1e-16383', '0.00000000000000000000001',
        'NaN', 'Infinity', '-Infinity',
        '12345.6789', '1.00000000000000000000000000000000000000001',
        '100000000000000000000', '0.0100', '-99.90'
    ]::numeric[]) AS v
    UNION ALL
    -- random magnitudes and scales, both signs
    SELECT round((random() - 0.5)::numeric * 10::numeric ^ (g % 40 - 20),
                 (g % 30)::int)
    FROM generate_series(1, 3000) AS g
    UNION ALL
    SELECT (random() * 1e6)::numeric(20, 6) * 10::numeric ^ (g % 9)
    FROM generate_series(1, 1000) AS g
) AS s;

SELECT 'init' FROM pg_create_logical_replication_slot('value_slot', 'decoder_raw');
INSERT INTO nt SELECT id, v FROM nt_src;

-- SQL format: the value is the second one in VALUES, quoted for the specials
CREATE TEMP TABLE decoded_sql AS
SELECT (m[1])::int AS id, btrim(m[2], '''') AS v
FROM pg_logical_slot_peek_changes('value_slot', NULL, NULL) AS c,
     regexp_match(c.data, '^INSERT INTO public\.nt \(id, n\) VALUES \((\d+), (.*)\);$') AS m
WHERE m IS NOT NULL;

SELECT count(*) AS decoded,
       count(*) FILTER (WHERE d.v IS DISTINCT FROM s.v::text) AS differ
FROM nt_src s LEFT JOIN decoded_sql d USING (id);

-- the text of the first values, as a reader sees it
SELECT d.id,
       CASE WHEN length(d.v) > 50
            THEN left(d.v, 12) || '...' || right(d.v, 12) || ' (' || length(d.v) || ' chars)'
            ELSE d.v END AS v
FROM decoded_sql d WHERE d.id <= 39 ORDER BY d.id;

-- Timestamps: from 4713 BC to 294276 AD, whole seconds and every number
-- of fraction digits, and the infinities.
CREATE TABLE tt (id int PRIMARY KEY, ts timestamp, tz timestamptz);
CREATE TABLE tt_src AS
SELECT row_number() OVER ()::int AS id, v
FROM (
    SELECT unnest(ARRAY[
        '2000-01-01 00:00:00', '1999-12-31 23:59:59.999999',
        '2026-12-01 13:20:21.5', '2026-12-01 13:20:21.05',
        '2026-12-01 13:20:21.000001', '2026-12-01 13:20:21.12345',
        '0099-03-04 05:06:07', '0001-01-01 00:00:00 BC',
        '4713-11-24 00:00:00 BC', '1000-01-01 00:00:00',
        '9999-12-31 23:59:59.99', '10000-01-01 00:00:00',
        '294276-12-31 23:59:59.999999', '1970-01-01 00:00:00',
        'infinity', '-infinity'
    ]::timestamp[]) AS v
    UNION ALL
    SELECT '2000-01-01'::timestamp
           + (random() - 0.5) * interval '1 year' * 10 ^ (g % 5)
           + (g % 7) * interval '1 microsecond' * 10 ^ (g % 7)
    FROM generate_series(1, 3000) AS g
) AS s;
SET TimeZone = 'UTC';
SET DateStyle = 'ISO';
INSERT INTO tt SELECT id, v, v FROM tt_src;

CREATE TEMP TABLE decoded_tt AS
SELECT (m[1])::int AS id, m[2] AS ts, m[3] AS tz
FROM pg_logical_slot_peek_changes('value_slot', NULL, NULL) AS c,
     regexp_match(c.data, '^INSERT INTO public\.tt \(id, ts, tz\) VALUES \((\d+), ''(.*)'', ''(.*)''\);$') AS m
WHERE m IS NOT NULL;

SELECT count(*) AS decoded,
       count(*) FILTER (WHERE d.ts IS DISTINCT FROM s.v::text) AS ts_differ,
       count(*) FILTER (WHERE d.tz IS DISTINCT FROM s.v::timestamptz::text) AS tz_differ
FROM tt_src s LEFT JOIN decoded_tt d USING (id);

SELECT d.id, d.ts, d.tz FROM decoded_tt d WHERE d.id <= 16 ORDER BY d.id;
RESET TimeZone;
RESET DateStyle;

SELECT 'stop' FROM pg_drop_replication_slot('value_slot');
DROP TABLE nt, nt_src, tt, tt_src;
