/*-------------------------------------------------------------------------
 *
 * batch_format.h
 *		The batches that decoder_raw_apply hands to decoder_raw_apply_batch()
 *		on the target (src/apply_batch.c): a header, then entries, each a tag
 *		byte and its fields.  Integers are big-endian.
 *
 *	header	"DRB" and DR_BATCH_VERSION
 *	'B'		a transaction begins
 *	'X'		u32 name, u16 nargs, then per argument: u8 class, and unless
 *			DR_ARG_NULL, u32 length and that many bytes of text:
 *			EXECUTE of the prepared statement dr_<name>
 *	'S'		u32 length, the text of a statement without parameters
 *	'D'		u32 name: the prepared statement dr_<name> goes
 *	'C'		u64 source commit end, i64 commit time (microseconds since
 *			2000-01-01), u8 flags: the progress, and COMMIT
 *
 * An argument's class says how the SQL format writes the value: a literal
 * (read by the parameter type's input function, as an untyped literal is),
 * or a bare boolean, integer or numeric constant, whose type the parameter
 * must take for the two to read alike.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECODER_RAW_BATCH_FORMAT_H
#define DECODER_RAW_BATCH_FORMAT_H

#define DR_BATCH_MAGIC		"DRB"
#define DR_BATCH_VERSION	1
#define DR_BATCH_HEADER_LEN	4

#define DR_BATCH_BEGIN		'B'
#define DR_BATCH_EXECUTE	'X'
#define DR_BATCH_STATEMENT	'S'
#define DR_BATCH_DEALLOCATE	'D'
#define DR_BATCH_COMMIT		'C'

/* classes of arguments */
#define DR_ARG_NULL			0
#define DR_ARG_LITERAL		1
#define DR_ARG_BOOL			2
#define DR_ARG_INTEGER		3
#define DR_ARG_NUMERIC		4

/*
 * Under --on-conflict stop, an UPDATE or DELETE is prepared inside this,
 * which fails (division by zero) when the statement finds no row.  The
 * procedure runs the statement inside instead, and fails itself.
 */
#define DR_CHECK_HEAD		"WITH c AS ("
#define DR_CHECK_TAIL		" RETURNING 1) SELECT 1 / pg_catalog.count(*) FROM c"

/* the name of the procedure, in the extension's schema */
#define DR_BATCH_PROCEDURE	"decoder_raw_apply_batch"

#endif							/* DECODER_RAW_BATCH_FORMAT_H */
