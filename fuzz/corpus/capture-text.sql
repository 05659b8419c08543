BEGIN; -- xid 753
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E232F0', '2026-11-21 08:21:17.525819+00');
COMMIT; -- xid 753, lsn 0/1E22CF8, time 2026-11-21 08:21:17.525819+00
BEGIN; -- xid 754
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E283A8', '2026-11-21 08:21:17.545781+00');
COMMIT; -- xid 754, lsn 0/1E27DF8, time 2026-11-21 08:21:17.545781+00
BEGIN; -- xid 755
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E29B00', '2026-11-21 08:21:17.550845+00');
COMMIT; -- xid 755, lsn 0/1E29948, time 2026-11-21 08:21:17.550845+00
BEGIN; -- xid 756
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E29CB8', '2026-11-21 08:21:17.553923+00');
COMMIT; -- xid 756, lsn 0/1E29C50, time 2026-11-21 08:21:17.553923+00
BEGIN; -- xid 757
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E29F40', '2026-11-21 08:21:17.559374+00');
INSERT INTO public.t (id, v, n, f, b, ts, by, j) VALUES (1, E'a\nb', 1.5, '0.1', true, '2026-01-01 12:00:00.25+00', E'\\x00ff', '{"k": [1]}');
INSERT INTO public.t (id, v, n, f, b, ts, by, j) VALUES (2, 'it''s', 'NaN', 'Infinity', false, 'infinity', E'\\x', 'null');
INSERT INTO public.t (id, v, n, f, b, ts, by, j) VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
COMMIT; -- xid 757, lsn 0/1E29F10, time 2026-11-21 08:21:17.559374+00
BEGIN; -- xid 758
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E2A070', '2026-11-21 08:21:17.563295+00');
INSERT INTO public."Odd ""name""" ("Key", "select") VALUES ('k', 1);
COMMIT; -- xid 758, lsn 0/1E2A040, time 2026-11-21 08:21:17.563295+00
BEGIN; -- xid 759
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E2A140', '2026-11-21 08:21:17.570665+00');
INSERT INTO public.full_t (a, p) VALUES (1, '(1,2)');
INSERT INTO public.full_t (a, p) VALUES (1, '(1,2)');
COMMIT; -- xid 759, lsn 0/1E2A110, time 2026-11-21 08:21:17.570665+00
BEGIN; -- xid 760
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E2A578', '2026-11-21 08:21:17.582574+00');
UPDATE public.t SET id = 10, v = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', n = 1.5, f = '0.1', b = true, ts = '2026-01-01 12:00:00.25+00', by = E'\\x00ff', j = '{"k": [1]}' WHERE id = 1;
UPDATE public."Odd ""name""" SET "Key" = 'k', "select" = 2 WHERE "Key" = 'k';
DELETE FROM public.t WHERE id = 2;
UPDATE public.full_t SET a = 2, p = '(1,2)' WHERE ctid = (SELECT ctid FROM public.full_t WHERE a = 1 AND p::pg_catalog.text = '(1,2)'::pg_catalog.point::pg_catalog.text LIMIT 1);
DELETE FROM public.full_t WHERE ctid = (SELECT ctid FROM public.full_t WHERE a = 1 AND p::pg_catalog.text = '(1,2)'::pg_catalog.point::pg_catalog.text LIMIT 1);
DELETE FROM public.full_t WHERE ctid = (SELECT ctid FROM public.full_t WHERE a = 2 AND p::pg_catalog.text = '(1,2)'::pg_catalog.point::pg_catalog.text LIMIT 1);
SELECT pg_catalog.pg_logical_emit_message(true, 'prefix', E'con\ttent');
COMMIT; -- xid 760, lsn 0/1E2A548, time 2026-11-21 08:21:17.582574+00
SELECT pg_catalog.pg_logical_emit_message(false, 'bytes', E'\\x0a00'::pg_catalog.bytea);
BEGIN; -- xid 761
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E2A960', '2026-11-21 08:21:17.584638+00');
COMMIT; -- xid 761, lsn 0/1E2A8D8, time 2026-11-21 08:21:17.584638+00
BEGIN; -- xid 762
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E2AA18', '2026-11-21 08:21:17.594067+00');
INSERT INTO public.t (id, v, n, f, b, ts, by, j, extra) VALUES (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 4);
COMMIT; -- xid 762, lsn 0/1E2A9E8, time 2026-11-21 08:21:17.594067+00
BEGIN; -- xid 763
SELECT pg_catalog.pg_replication_origin_xact_setup('0/1E2B9C8', '2026-11-21 08:21:17.610142+00');
TRUNCATE ONLY public."Odd ""name""", ONLY public.full_t;
COMMIT; -- xid 763, lsn 0/1E2B820, time 2026-11-21 08:21:17.610142+00
