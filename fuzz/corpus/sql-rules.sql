INSERT INTO "My Schema"."Ta""ble" ("Id", j, n, m, i, c) OVERRIDING SYSTEM VALUE VALUES (1, '{"a": 1}', 'NaN', '-1.50'::pg_catalog.numeric::pg_catalog.money, 4, E'\\');
UPDATE ONLY "My Schema"."Ta""ble" SET "Id" = 2, j = NULL, n = 12.5, c = E'\t' WHERE ctid = (SELECT ctid FROM ONLY "My Schema"."Ta""ble" WHERE "Id" = 1 AND j::pg_catalog.text = '{"a": 1}'::pg_catalog.json::pg_catalog.text AND n = '-Infinity' AND m = '0.00'::pg_catalog.numeric::pg_catalog.money AND g = 3 AND i = 4 AND c IS NULL LIMIT 1);
INSERT INTO public.g DEFAULT VALUES;
DELETE FROM public.e WHERE ctid = (SELECT ctid FROM public.e WHERE true LIMIT 1);
INSERT INTO public.toast (id, big) OVERRIDING SYSTEM VALUE VALUES (1, 'x');
-- UPDATE on public.toast changed no column that can be assigned
TRUNCATE public.parted, ONLY "My Schema"."Ta""ble";
