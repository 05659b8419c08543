BEGIN; -- xid 795
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D2338', '2026-11-21 08:33:30.445716+00') IS NULL;
COMMIT; -- xid 795, lsn 0/189D1D28, time 2026-11-21 08:33:30.445716+00
BEGIN; -- xid 796
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D73D8', '2026-11-21 08:33:30.457707+00') IS NULL;
COMMIT; -- xid 796, lsn 0/189D6E40, time 2026-11-21 08:33:30.457707+00
BEGIN; -- xid 797
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D8B48', '2026-11-21 08:33:30.462236+00') IS NULL;
COMMIT; -- xid 797, lsn 0/189D8990, time 2026-11-21 08:33:30.462236+00
BEGIN; -- xid 798
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D8D00', '2026-11-21 08:33:30.465867+00') IS NULL;
COMMIT; -- xid 798, lsn 0/189D8C98, time 2026-11-21 08:33:30.465867+00
BEGIN; -- xid 799
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D8F88', '2026-11-21 08:33:30.470234+00') IS NULL;
INSERT INTO public.t (id, v, n, f, b, ts, by, j) VALUES (1, E'a\nb', 1.5, '0.1', true, '2026-01-01 12:00:00.25+00', E'\\x00ff', '{"k": [1]}');
INSERT INTO public.t (id, v, n, f, b, ts, by, j) VALUES (2, 'it''s', 'NaN', 'Infinity', false, 'infinity', E'\\x', 'null');
INSERT INTO public.t (id, v, n, f, b, ts, by, j) VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
COMMIT; -- xid 799, lsn 0/189D8F58, time 2026-11-21 08:33:30.470234+00
BEGIN; -- xid 800
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D90A0', '2026-11-21 08:33:30.474055+00') IS NULL;
INSERT INTO public."Odd ""name""" ("Key", "select") VALUES ('k', 1);
COMMIT; -- xid 800, lsn 0/189D9070, time 2026-11-21 08:33:30.474055+00
BEGIN; -- xid 801
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D9170', '2026-11-21 08:33:30.481997+00') IS NULL;
INSERT INTO public.full_t (a, p) VALUES (1, '(1,2)');
INSERT INTO public.full_t (a, p) VALUES (1, '(1,2)');
COMMIT; -- xid 801, lsn 0/189D9140, time 2026-11-21 08:33:30.481997+00
BEGIN; -- xid 802
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D95A8', '2026-11-21 08:33:30.486819+00') IS NULL;
UPDATE public.t SET id = 10, v = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', n = 1.5, f = '0.1', b = true, ts = '2026-01-01 12:00:00.25+00', by = E'\\x00ff', j = '{"k": [1]}' WHERE id = 1;
UPDATE public."Odd ""name""" SET "Key" = 'k', "select" = 2 WHERE "Key" = 'k';
DELETE FROM public.t WHERE id = 2;
UPDATE public.full_t SET a = 2, p = '(1,2)' WHERE ctid = (SELECT ctid FROM public.full_t WHERE a = 1 AND pg_catalog.record_image_eq(ROW(p), ROW(('(1,2)')::pg_catalog.point)) LIMIT 1);
DELETE FROM public.full_t WHERE ctid = (SELECT ctid FROM public.full_t WHERE a = 1 AND pg_catalog.record_image_eq(ROW(p), ROW(('(1,2)')::pg_catalog.point)) LIMIT 1);
DELETE FROM public.full_t WHERE ctid = (SELECT ctid FROM public.full_t WHERE a = 2 AND pg_catalog.record_image_eq(ROW(p), ROW(('(1,2)')::pg_catalog.point)) LIMIT 1);
SELECT pg_catalog.pg_logical_emit_message(true, 'prefix', E'con\ttent');
COMMIT; -- xid 802, lsn 0/189D9578, time 2026-11-21 08:33:30.486819+00
SELECT pg_catalog.pg_logical_emit_message(false, 'bytes', E'\\x0a00'::pg_catalog.bytea);
BEGIN; -- xid 803
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D9990', '2026-11-21 08:33:30.490007+00') IS NULL;
COMMIT; -- xid 803, lsn 0/189D9908, time 2026-11-21 08:33:30.490007+00
BEGIN; -- xid 804
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189D9A48', '2026-11-21 08:33:30.493885+00') IS NULL;
INSERT INTO public.t (id, v, n, f, b, ts, by, j, extra) VALUES (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 4);
COMMIT; -- xid 804, lsn 0/189D9A18, time 2026-11-21 08:33:30.493885+00
BEGIN; -- xid 805
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/189DAA10', '2026-11-21 08:33:30.514286+00') IS NULL;
TRUNCATE ONLY public."Odd ""name""", ONLY public.full_t;
COMMIT; -- xid 805, lsn 0/189DA868, time 2026-11-21 08:33:30.514286+00
