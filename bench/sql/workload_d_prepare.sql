-- (d) rows with a large TOASTed value: lines of random hex, which pglz
-- cannot shrink, so the values are stored out of line as they are.
DROP TABLE IF EXISTS bench_d;
CREATE TABLE bench_d (id int PRIMARY KEY, note text, payload text);

CREATE OR REPLACE FUNCTION bench_payload(seed int, kb int) RETURNS text
LANGUAGE sql VOLATILE AS $$
	SELECT string_agg(md5(random()::text || seed), E'\n')
	  FROM generate_series(1, kb * 1024 / 33)
$$;
