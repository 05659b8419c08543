-- (c) wide table: an int key and 49 columns of mixed types, one value in
-- eleven NULL.  bench_c_cols describes the columns and the expression
-- that fills each from the row number i.
DROP TABLE IF EXISTS bench_c, bench_c_cols;
CREATE TABLE bench_c_cols (j int PRIMARY KEY, typ text, expr text);
INSERT INTO bench_c_cols
SELECT row_number() OVER (), typ, expr
  FROM (VALUES ('int4', 8, '(i * %1$s) %% 100000'),
			   ('int8', 6, 'i::int8 * 1000003 + %1$s'),
			   ('text', 8, 'md5((i + %1$s)::text)'),
			   ('varchar(64)', 4, '''v'' || (i * %1$s)'),
			   ('numeric(14, 4)', 6, 'round((i * %1$s) / 7.0, 4)'),
			   ('float8', 4, '(i * %1$s) / 3.0::float8'),
			   ('bool', 4, '(i + %1$s) %% 3 = 0'),
			   ('timestamptz', 4, 'timestamptz ''2024-01-01 00:00:00+00'' + (i * %1$s) * interval ''1 second'''),
			   ('date', 2, 'date ''2024-01-01'' + (i + %1$s) %% 1000'),
			   ('uuid', 1, 'md5((i + %1$s)::text)::uuid'),
			   ('jsonb', 1, 'jsonb_build_object(''i'', i, ''tag'', ''x'' || %1$s)'),
			   ('bytea', 1, 'decode(md5((i + %1$s)::text), ''hex'')'))
	   AS t(typ, n, expr_fmt),
	   generate_series(1, n) AS k,
	   LATERAL (SELECT format(expr_fmt, k)) AS e(expr);
UPDATE bench_c_cols SET expr = format('CASE WHEN (i + %s) %% 11 = 0 THEN NULL ELSE %s END', j, expr);

DO $$
BEGIN
	EXECUTE (SELECT 'CREATE TABLE bench_c (id int PRIMARY KEY, '
			 || string_agg(format('c%s %s', j, typ), ', ' ORDER BY j) || ')'
			   FROM bench_c_cols);
END
$$;
