BEGIN; -- xid 4294967295, origin 'a,b', origin_lsn FFFFFFFF/FFFFFFFF
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('1/0', '0003-08-04 00:00:00+00 BC') IS NULL;
COMMIT; -- xid 1, lsn 0/ABCDEF01, time 2026-11-21 08:12:56.952676+00
BEGIN; -- xid 2, origin 7, origin_lsn 0/42
COMMIT; -- time infinity
BEGIN; -- xid 3, origin plain, origin_lsn 0/1
COMMIT; -- time -infinity
BEGIN; -- origin E'new\nline', origin_lsn 0/1
COMMIT; -- lsn 0/1, time 4714-11-24 00:00:00+00 BC
COMMIT; -- time 294276-12-31 23:59:59.999999+00
COMMIT; -- time 1999-12-31 23:59:59.999999+00
