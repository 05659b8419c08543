/*-------------------------------------------------------------------------
 *
 * decoder_raw_reader.h
 *		Parser of decoder_raw's binary format (doc/binary-format.md).
 *
 * A small C99 library with no dependency beyond the C library.  Feed it
 * the bytes of a stream, as they come, and it hands back one record at a
 * time, with the relation it refers to already resolved:
 *
 *		drr_reader *r = drr_reader_create();
 *		drr_record	rec;
 *		size_t		used;
 *
 *		for (;;)
 *		{
 *			int rc = drr_reader_next(r, buf, len, at_eof, &rec, &used);
 *
 *			buf += used;
 *			len -= used;
 *			if (rc == DRR_OK)
 *				... use rec, valid until the next call ...
 *			else if (rc == DRR_MORE)
 *				... append more input to buf (keeping the unused bytes) ...
 *			else if (rc == DRR_END)
 *				break;
 *			else
 *				... report drr_reader_error(r) and stop ...
 *		}
 *		drr_reader_destroy(r);
 *
 * Newlines between records, as pg_recvlogical -f writes them, are skipped.
 * Malformed or truncated input is an error whose message names the byte
 * offset in the stream; the reader never reads outside the buffer it is
 * given.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECODER_RAW_READER_H
#define DECODER_RAW_READER_H

#include <stddef.h>
#include <stdint.h>

#include "../common/binary_format.h"

#ifdef __cplusplus
extern "C"
{
#endif

/* Format versions this reader understands: 1 to DRR_MAX_VERSION. */
#define DRR_MAX_VERSION 2

/* Results of drr_reader_next() */
#define DRR_OK		0			/* a record was read */
#define DRR_MORE	1			/* the buffer ends inside a record */
#define DRR_END		2			/* at_eof and nothing left */
#define DRR_ERROR	(-1)		/* malformed input: see drr_reader_error() */

/* Record kinds: the first byte of each record */
typedef enum drr_kind
{
	DRR_HEADER = DR_BIN_HEADER,
	DRR_BEGIN = DR_BIN_BEGIN,
	DRR_COMMIT = DR_BIN_COMMIT,
	DRR_ORIGIN = DR_BIN_ORIGIN,
	DRR_RELATION = DR_BIN_RELATION,
	DRR_INSERT = DR_BIN_INSERT,
	DRR_UPDATE = DR_BIN_UPDATE,
	DRR_DELETE = DR_BIN_DELETE,
	DRR_TRUNCATE = DR_BIN_TRUNCATE,
	DRR_MESSAGE = DR_BIN_MESSAGE,
	DRR_SKIPPED = DR_BIN_SKIPPED,	/* version 2 */
	/* version 2, two-phase slots */
	DRR_BEGIN_PREPARE = DR_BIN_BEGIN_PREPARE,
	DRR_PREPARE = DR_BIN_PREPARE,
	DRR_COMMIT_PREPARED = DR_BIN_COMMIT_PREPARED,
	DRR_ROLLBACK_PREPARED = DR_BIN_ROLLBACK_PREPARED,
	/* version 2, stream-changes */
	DRR_STREAM_START = DR_BIN_STREAM_START,
	DRR_STREAM_XID = DR_BIN_STREAM_XID,
	DRR_STREAM_STOP = DR_BIN_STREAM_STOP,
	DRR_STREAM_ABORT = DR_BIN_STREAM_ABORT,
	DRR_STREAM_COMMIT = DR_BIN_STREAM_COMMIT,
	DRR_STREAM_PREPARE = DR_BIN_STREAM_PREPARE
} drr_kind;

/*
 * The flags of the records, under the reader's names: their meanings are
 * in common/binary_format.h, which the writer takes them from too.
 */
#define DRR_XACT_XID			DR_BIN_XACT_XID
#define DRR_XACT_LSN			DR_BIN_XACT_LSN
#define DRR_XACT_TIME			DR_BIN_XACT_TIME
#define DRR_XACT_ORIGIN			DR_BIN_XACT_ORIGIN
#define DRR_XACT_ORIGIN_NAME	DR_BIN_XACT_ORIGIN_NAME
#define DRR_FINISH_PROGRESS		DR_BIN_FINISH_PROGRESS
#define DRR_FINISH_NOT_SENT		DR_BIN_FINISH_NOT_SENT
#define DRR_STREAM_FIRST		DR_BIN_STREAM_FIRST

#define DRR_REL_SCHEMA_QUOTED	DR_BIN_REL_SCHEMA_QUOTED
#define DRR_REL_NAME_QUOTED		DR_BIN_REL_NAME_QUOTED
#define DRR_REL_ONLY			DR_BIN_REL_ONLY

#define DRR_COL_KEY				DR_BIN_COL_KEY
#define DRR_COL_GENERATED		DR_BIN_COL_GENERATED
#define DRR_COL_IDENTITY_ALWAYS DR_BIN_COL_IDENTITY_ALWAYS
#define DRR_COL_QUOTED			DR_BIN_COL_QUOTED
#define DRR_COL_NO_EQUALITY		DR_BIN_COL_NO_EQUALITY
#define DRR_COL_BINARY			DR_BIN_COL_BINARY
#define DRR_COL_CAST_EQUALITY	DR_BIN_COL_CAST_EQUALITY
#define DRR_COL_INEXACT_EQUALITY DR_BIN_COL_INEXACT_EQUALITY
#define DRR_COL_RECORD_IMAGE	DR_BIN_COL_RECORD_IMAGE
#define DRR_COL_TEXT_IMAGE		DR_BIN_COL_TEXT_IMAGE
#define DRR_COL_EQUAL_TEXT		DR_BIN_COL_EQUAL_TEXT
#define DRR_COL_NO_EXACT		DR_BIN_COL_NO_EXACT
#define DRR_COL_KEY_COMPARISON	DR_BIN_COL_KEY_COMPARISON

#define DRR_TRUNCATE_CASCADE	DR_BIN_TRUNCATE_CASCADE
#define DRR_TRUNCATE_RESTART	DR_BIN_TRUNCATE_RESTART

#define DRR_MSG_TRANSACTIONAL	DR_BIN_MSG_TRANSACTIONAL
#define DRR_MSG_TEXT			DR_BIN_MSG_TEXT
#define DRR_MSG_LSN				DR_BIN_MSG_LSN

#define DRR_SKIP_SCHEMA_QUOTED	DR_BIN_SKIP_SCHEMA_QUOTED
#define DRR_SKIP_NAME_QUOTED	DR_BIN_SKIP_NAME_QUOTED

#define DRR_OLD_NONE	DR_BIN_OLD_NONE
#define DRR_OLD_KEY		DR_BIN_OLD_KEY
#define DRR_OLD_ROW		DR_BIN_OLD_ROW

/* Bytes that are not NUL-terminated; data points into the input. */
typedef struct drr_bytes
{
	const unsigned char *data;
	size_t		len;
} drr_bytes;

typedef struct drr_column
{
	uint32_t	flags;			/* DRR_COL_* */
	char	   *name;			/* NUL-terminated copy */
	size_t		name_len;
	uint32_t	type_oid;
	int32_t		typmod;
	char	   *type_name;		/* NUL-terminated copy */
	size_t		type_name_len;
	/* DRR_COL_KEY_COMPARISON: the identity index's collation and operator */
	char	   *key_coll_schema;	/* empty: the column's collation */
	size_t		key_coll_schema_len;
	char	   *key_coll_name;
	size_t		key_coll_name_len;
	char	   *key_opr_schema; /* empty: the type's = */
	size_t		key_opr_schema_len;
	char	   *key_opr_name;
	size_t		key_opr_name_len;
} drr_column;

/*
 * Relations are owned by the reader: valid until the relation is described
 * again, or until the next header record.
 */
typedef struct drr_relation
{
	uint64_t	id;				/* session id used by the change records */
	uint32_t	oid;
	uint32_t	flags;			/* DRR_REL_* */
	char		relkind;		/* pg_class.relkind */
	char		replident;		/* pg_class.relreplident */
	char	   *schema;			/* NUL-terminated copies */
	size_t		schema_len;
	char	   *name;
	size_t		name_len;
	uint32_t	ncols;
	uint32_t	nkeys;			/* columns with DRR_COL_KEY */
	drr_column *cols;
} drr_relation;

/* Absent (not in an old key tuple), NULL, unchanged TOAST, present */
typedef dr_value_state drr_value_kind;
#define DRR_VALUE_ABSENT		DR_VALUE_ABSENT
#define DRR_VALUE_NULL			DR_VALUE_NULL
#define DRR_VALUE_UNCHANGED		DR_VALUE_UNCHANGED
#define DRR_VALUE_PRESENT		DR_VALUE_PRESENT

typedef struct drr_value
{
	drr_value_kind kind;
	drr_bytes	data;			/* DRR_VALUE_PRESENT: text or send form */
} drr_value;

/* One value per column of the relation, in relation order. */
typedef struct drr_tuple
{
	uint32_t	nvalues;		/* == relation's ncols */
	drr_value  *values;
} drr_tuple;

typedef struct drr_record
{
	drr_kind	kind;
	uint64_t	offset;			/* stream offset of the kind byte */
	uint64_t	size;			/* bytes of the whole record */

	uint32_t	version;		/* header */
	uint32_t	flags;			/* begin, commit, truncate, message */

	/* begin, commit (as flagged) */
	uint32_t	xid;
	uint64_t	lsn;			/* commit LSN; message LSN */
	int64_t		time;			/* commit time, microseconds since 2000-01-01
								 * UTC */
	uint32_t	origin_id;		/* begin with DRR_XACT_ORIGIN */
	uint64_t	origin_lsn;
	drr_bytes	origin_name;	/* with DRR_XACT_ORIGIN_NAME */

	/* origin progress */
	uint64_t	end_lsn;		/* and time, above */

	/* relation, insert, update, delete */
	const drr_relation *rel;
	int			old_kind;		/* DRR_OLD_* */
	drr_tuple	old_tuple;		/* update with old_kind, delete */
	drr_tuple	new_tuple;		/* insert, update */

	/* truncate */
	uint32_t	nrels;
	const drr_relation *const *rels;

	/* message */
	drr_bytes	prefix;
	drr_bytes	content;
	/* skipped changes (flags above) */
	drr_bytes	schema;
	drr_bytes	name;
	uint64_t	updates;
	uint64_t	deletes;

	/* two-phase records and stream prepare */
	drr_bytes	gid;
	uint64_t	prepare_end_lsn;	/* rollback prepared */
	int64_t		prepare_time;
	int64_t		progress_time;	/* with DRR_FINISH_PROGRESS, and end_lsn */

	/*
	 * Streams: xid is the top-level transaction of stream records, and subxid
	 * the aborted one of stream abort.  A record inside a stream block has
	 * "streamed" set and its (sub)transaction in xid.
	 */
	uint32_t	subxid;
	int			streamed;
} drr_record;

typedef struct drr_reader drr_reader;

/* NULL when out of memory. */
extern drr_reader *drr_reader_create(void);
extern void drr_reader_destroy(drr_reader *r);

/*
 * Read the next record from buf[0..len), the input that follows what the
 * previous calls consumed.  *consumed is always set to the number of bytes
 * used (a record and the newlines before it); keep the rest for the next
 * call.  at_eof says that no more input follows buf.  Returns DRR_OK,
 * DRR_MORE, DRR_END or DRR_ERROR; after an error the reader stays in error.
 */
extern int	drr_reader_next(drr_reader *r, const unsigned char *buf,
							size_t len, int at_eof, drr_record *rec,
							size_t *consumed);

/* Message of the last error, "offset N: ...". */
extern const char *drr_reader_error(const drr_reader *r);

/* Stream offset of the next byte to read. */
extern uint64_t drr_reader_offset(const drr_reader *r);

/*
 * Formatting helpers, as PostgreSQL writes these values: LSN "X/X", and a
 * commit time in ISO form in UTC ("2026-11-21 08:03:20.626282+00").
 * buf needs DRR_LSN_BUFSIZE / DRR_TIMESTAMP_BUFSIZE bytes.  The timestamp
 * helper returns -1, and writes nothing, for a time outside PostgreSQL's
 * range (4714-11-24 BC to 294276 AD, and the infinities).
 */
#define DRR_LSN_BUFSIZE 18
#define DRR_TIMESTAMP_BUFSIZE 48
extern void drr_format_lsn(char *buf, uint64_t lsn);
extern int	drr_format_timestamp(char *buf, int64_t t);

#ifdef __cplusplus
}
#endif

#endif							/* DECODER_RAW_READER_H */
