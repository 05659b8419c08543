INSERT INTO bench_m SELECT * FROM bench_rows5(1, :n_ins);
