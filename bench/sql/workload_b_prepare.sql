-- (b) five-column table, changed in many small transactions
DROP TABLE IF EXISTS bench_b;
CREATE TABLE bench_b (id int PRIMARY KEY, name text, amount numeric(12, 2),
					  created timestamptz, active bool);

-- Like pgbench's TPC-B-like script, each transaction is a handful of
-- statements: five inserts, an update of a row of the previous
-- transaction, and seven times in ten a delete of another.
CREATE OR REPLACE PROCEDURE bench_small(ntx int)
LANGUAGE plpgsql AS $$
DECLARE
	base int;
	r record;
BEGIN
	FOR k IN 0 .. ntx - 1 LOOP
		base := k * 5;
		FOR r IN SELECT * FROM bench_rows5(base + 1, base + 5) LOOP
			INSERT INTO bench_b VALUES (r.id, r.name, r.amount, r.created, r.active);
		END LOOP;
		UPDATE bench_b SET amount = amount + 1, active = NOT active,
						   name = name || 'u'
		 WHERE id = greatest(base - 4, 1);
		IF k > 0 AND k % 10 < 7 THEN
			DELETE FROM bench_b WHERE id = base - 3;
		END IF;
		COMMIT;
	END LOOP;
END
$$;
