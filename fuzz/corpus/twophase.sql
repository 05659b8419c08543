BEGIN; -- xid 740
PREPARE TRANSACTION 'g1'; -- xid 740
SELECT WHERE pg_catalog.pg_replication_origin_xact_setup('0/1000', '2000-01-01 00:00:00+00') IS NULL;
COMMIT PREPARED 'g1'; -- xid 740
ROLLBACK PREPARED 'g''2'; -- xid 741
-- ROLLBACK PREPARED E'g\\3x' left out: the transaction was prepared before two-phase decoding started, and its PREPARE TRANSACTION was not written
