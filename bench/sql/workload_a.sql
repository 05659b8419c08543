-- (a) n_ins inserts, n_upd updates (key unchanged), n_del deletes, each
-- kind in transactions of batch rows.
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
	lo int;
BEGIN
	lo := 1;
	WHILE lo <= n_ins LOOP
		INSERT INTO bench_a SELECT * FROM bench_rows5(lo, least(lo + batch - 1, n_ins));
		COMMIT;
		lo := lo + batch;
	END LOOP;
	lo := 1;
	WHILE lo <= n_upd LOOP
		UPDATE bench_a SET amount = amount + 1, active = NOT active,
						   name = name || 'u'
		 WHERE id BETWEEN lo AND least(lo + batch - 1, n_upd);
		COMMIT;
		lo := lo + batch;
	END LOOP;
	lo := n_ins - n_del + 1;
	WHILE lo <= n_ins LOOP
		DELETE FROM bench_a WHERE id BETWEEN lo AND least(lo + batch - 1, n_ins);
		COMMIT;
		lo := lo + batch;
	END LOOP;
END
$$;
