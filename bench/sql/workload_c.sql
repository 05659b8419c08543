-- (c) n_ins inserts, n_upd updates of five columns of different types,
-- n_del deletes, each kind in transactions of batch rows.
SELECT set_config('bench.n_ins', :'n_ins', false),
	   set_config('bench.n_upd', :'n_upd', false),
	   set_config('bench.n_del', :'n_del', false),
	   set_config('bench.batch', :'batch', false);
DO $$
DECLARE
	n_ins int := current_setting('bench.n_ins');
	n_upd int := current_setting('bench.n_upd');
	n_del int := current_setting('bench.n_del');
	batch int := current_setting('bench.batch');
	ins text;
	upd text;
	lo int;
BEGIN
	SELECT 'INSERT INTO bench_c SELECT i, '
		   || string_agg(expr, ', ' ORDER BY j)
		   || ' FROM generate_series($1, $2) AS i'
	  INTO ins FROM bench_c_cols;
	SELECT 'UPDATE bench_c SET '
		   || string_agg(format('c%1$s = %2$s', j, CASE typ
				WHEN 'int4' THEN format('c%s + 1', j)
				WHEN 'text' THEN format('c%s || ''u''', j)
				WHEN 'numeric(14, 4)' THEN format('c%s * 2', j)
				WHEN 'timestamptz' THEN format('c%s + interval ''1 day''', j)
				WHEN 'bool' THEN format('NOT c%s', j) END), ', ')
		   || ' WHERE id BETWEEN $1 AND $2'
	  INTO upd
	  FROM (SELECT DISTINCT ON (typ) j, typ FROM bench_c_cols
			 WHERE typ IN ('int4', 'text', 'numeric(14, 4)', 'timestamptz', 'bool')
			 ORDER BY typ, j) AS five;

	lo := 1;
	WHILE lo <= n_ins LOOP
		EXECUTE ins USING lo, least(lo + batch - 1, n_ins);
		COMMIT;
		lo := lo + batch;
	END LOOP;
	lo := 1;
	WHILE lo <= n_upd LOOP
		EXECUTE upd USING lo, least(lo + batch - 1, n_upd);
		COMMIT;
		lo := lo + batch;
	END LOOP;
	lo := n_ins - n_del + 1;
	WHILE lo <= n_ins LOOP
		DELETE FROM bench_c WHERE id BETWEEN lo AND least(lo + batch - 1, n_ins);
		COMMIT;
		lo := lo + batch;
	END LOOP;
END
$$;
