-- The memory test: one transaction inserting n_ins rows of five columns.
DROP TABLE IF EXISTS bench_m;
CREATE TABLE bench_m (id int PRIMARY KEY, name text, amount numeric(12, 2),
					  created timestamptz, active bool);
