-- complain if script is sourced in psql, rather than via CREATE or ALTER EXTENSION
\echo Use "CREATE EXTENSION decoder_raw" to load this file. \quit

-- Version 1.1 (installed as 1.0 and this update): in the database that
-- decoder_raw_apply writes to, the procedure that runs its batches inside
-- the server (src/apply_batch.c, common/batch_format.h), committing each
-- transaction with its origin progress.  It refuses a caller that may not
-- call pg_replication_origin_xact_setup().
CREATE PROCEDURE decoder_raw_apply_batch(batch bytea,
	INOUT commits bigint DEFAULT NULL,
	INOUT insert_lsn pg_lsn DEFAULT NULL,
	INOUT flush_lsn pg_lsn DEFAULT NULL)
LANGUAGE C
AS 'MODULE_PATHNAME', 'decoder_raw_apply_batch';
