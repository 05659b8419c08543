-- (a) five-column table, changed in large transactions
DROP TABLE IF EXISTS bench_a;
CREATE TABLE bench_a (id int PRIMARY KEY, name text, amount numeric(12, 2),
					  created timestamptz, active bool);
