INSERT INTO "My Schema"."Ta""ble" ("Id", j, n, m, i, c, U&"a\0009b\\""") OVERRIDING SYSTEM VALUE VALUES (1, '{"a": 1}', 'NaN', '-1.50'::pg_catalog.numeric::pg_catalog.money, 4, E'\\', 't');
SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence('"My Schema"."Ta""ble"', 'i'), 5, false);
UPDATE ONLY "My Schema"."Ta""ble" SET "Id" = 2, j = NULL, n = 12.5, i = DEFAULT, c = E'\t', U&"a\0009b\\""" = 't' WHERE ctid = (SELECT ctid FROM ONLY "My Schema"."Ta""ble" WHERE "Id" = 1 AND pg_catalog.record_image_eq(ROW(j), ROW(('{"a": 1}')::pg_catalog.json)) AND pg_catalog.record_image_eq(ROW(n), ROW(('-Infinity')::numeric(10,2))) AND m = '0.00'::pg_catalog.numeric::pg_catalog.money AND g = 3 AND i = 4 AND c IS NULL AND U&"a\0009b\\""" = 'pg_class'::regclass LIMIT 1);
INSERT INTO public.g DEFAULT VALUES;
DELETE FROM public.e WHERE ctid = (SELECT ctid FROM public.e WHERE true LIMIT 1);
INSERT INTO public.toast (id, big) OVERRIDING SYSTEM VALUE VALUES (1, 'x');
-- UPDATE on public.toast changed no column that can be assigned
TRUNCATE public.parted, ONLY "My Schema"."Ta""ble";
