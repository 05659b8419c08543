-- (b) n_upd transactions: 5 * n_upd inserts, n_upd updates, ~0.7 * n_upd
-- deletes, the volume of (a).
CALL bench_small(:n_upd);
