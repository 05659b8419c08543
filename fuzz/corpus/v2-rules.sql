DELETE FROM public.f WHERE ctid = (SELECT ctid FROM public.f WHERE id = 1 AND pg_catalog.record_image_eq(c, ('(1,)')::public.comp) AND (ca)::pg_catalog.text = '{"(1,)"}' AND (n = ('("(1,)",0.5)')::public.nest AND (n)::pg_catalog.text = (('("(1,)",0.5)')::public.nest)::pg_catalog.text) LIMIT 1);
DELETE FROM public.k WHERE name COLLATE "pg_catalog"."C" = 'a' AND x OPERATOR("public".===) 1;
-- 2 UPDATE and 3 DELETE on public."No Key" left out: the table has no replica identity
