-- (d) n_ins inserts of value_kb kB values in transactions of batch rows,
-- n_upd updates of the small column (the TOASTed value is unchanged and
-- not in the WAL), n_upd / 2 updates of the large value, n_del deletes.
SELECT set_config('bench.n_ins', :'n_ins', false),
	   set_config('bench.n_upd', :'n_upd', false),
	   set_config('bench.n_del', :'n_del', false),
	   set_config('bench.batch', :'batch', false),
	   set_config('bench.value_kb', :'value_kb', false);
DO $$
DECLARE
	n_ins int := current_setting('bench.n_ins');
	n_upd int := current_setting('bench.n_upd');
	n_del int := current_setting('bench.n_del');
	batch int := current_setting('bench.batch');
	kb int := current_setting('bench.value_kb');
	lo int;
BEGIN
	lo := 1;
	WHILE lo <= n_ins LOOP
		INSERT INTO bench_d
		SELECT i, 'note ' || i, bench_payload(i, kb)
		  FROM generate_series(lo, least(lo + batch - 1, n_ins)) AS i;
		COMMIT;
		lo := lo + batch;
	END LOOP;
	lo := 1;
	WHILE lo <= n_upd LOOP
		UPDATE bench_d SET note = note || ' updated'
		 WHERE id BETWEEN lo AND least(lo + batch - 1, n_upd);
		COMMIT;
		lo := lo + batch;
	END LOOP;
	lo := n_upd + 1;
	WHILE lo <= n_upd + n_upd / 2 LOOP
		UPDATE bench_d SET payload = bench_payload(id, kb)
		 WHERE id BETWEEN lo AND least(lo + batch - 1, n_upd + n_upd / 2);
		COMMIT;
		lo := lo + batch;
	END LOOP;
	lo := n_ins - n_del + 1;
	WHILE lo <= n_ins LOOP
		DELETE FROM bench_d WHERE id BETWEEN lo AND least(lo + batch - 1, n_ins);
		COMMIT;
		lo := lo + batch;
	END LOOP;
END
$$;
