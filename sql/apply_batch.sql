-- decoder_raw_apply_batch(), the procedure through which decoder_raw_apply
-- applies its batches on a target (common/batch_format.h): each
-- transaction commits with its origin progress; misuse and bad batches are
-- errors with their codes, and leave the progress alone.
\set VERBOSITY default
CREATE EXTENSION decoder_raw;
CREATE TABLE ab (id int PRIMARY KEY, v text);

-- only as CALL outside a transaction block, with an origin configured
BEGIN;
CALL decoder_raw_apply_batch('\x44524201');
ROLLBACK;
CALL decoder_raw_apply_batch('\x44524201');
SELECT 'ok' FROM pg_replication_origin_create('regress_ab');
SELECT 'ok' FROM pg_replication_origin_session_setup('regress_ab');

-- bad batches
CALL decoder_raw_apply_batch('\x00');
CALL decoder_raw_apply_batch('\x44524202');
CALL decoder_raw_apply_batch('\x4452420142');
CALL decoder_raw_apply_batch('\x4452420143');
CALL decoder_raw_apply_batch('\x445242015a');
CALL decoder_raw_apply_batch('\x4452420142580000');
CALL decoder_raw_apply_batch('\x4452420142424300000000');
-- an EXECUTE of a statement not prepared, or prepared by SQL's PREPARE
CALL decoder_raw_apply_batch('\x445242014258000003e70000430000000002000000000000000000000000');
PREPARE dr_7 AS INSERT INTO ab VALUES ($1, $2);
CALL decoder_raw_apply_batch('\x445242014258000000070002030000000139010000000178430000000002000000000000000000000000');
DEALLOCATE dr_7;
SELECT count(*) AS rows, pg_replication_origin_session_progress(false) AS progress FROM ab;

-- two transactions: each commits with its progress and commit time
DO $$
DECLARE
	commits bigint;
	ins pg_lsn;
	fl pg_lsn;
BEGIN
	CALL decoder_raw_apply_batch('\x44524201425300000020494e5345525420494e544f2061622056414c5545532028312c20276f6e652729430000000001000000000000000000000000425300000020494e5345525420494e544f2061622056414c5545532028322c202774776f27295300000024555044415445206162205345542076203d2027756e6f27205748455245206964203d20314300000000010001000002e9c920b7400000', commits, ins, fl);
	RAISE NOTICE 'commits: %, positions given: %', commits, ins >= fl;
END
$$;
SELECT * FROM ab ORDER BY id;
SELECT pg_replication_origin_session_progress(false) AS progress;

-- a failure in the second transaction: the first stays, with its progress
CALL decoder_raw_apply_batch('\x44524201425300000022494e5345525420494e544f2061622056414c5545532028332c202774687265652729430000000001000200000000000000000000425300000020494e5345525420494e544f2061622056414c5545532028312c20276475702729430000000001000300000000000000000000');
SELECT * FROM ab ORDER BY id;
SELECT pg_replication_origin_session_progress(false) AS progress;

-- a role that may not set origin progress may not call it either
CREATE ROLE regress_ab_plain;
SET ROLE regress_ab_plain;
CALL decoder_raw_apply_batch('\x44524201');
RESET ROLE;
DROP ROLE regress_ab_plain;

SELECT pg_replication_origin_session_reset();
SELECT pg_replication_origin_drop('regress_ab');
DROP TABLE ab;
DROP EXTENSION decoder_raw;
