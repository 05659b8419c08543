/*-------------------------------------------------------------------------
 *
 * binary_writer.c
 *		decoder_raw's binary format: compact, self-delimiting records.
 *
 * doc/binary-format.md is the specification; this file and the reader
 * (reader/decoder_raw_reader.c) follow it.  In short, every record is a
 * kind byte, the length of its body as a variable-length integer, and the
 * body.  A decoding session starts with a header record that names the
 * format version; a relation is described once per session (and again when
 * it changes) and the change records refer to it by a short id.
 *
 * The relation record carries what a reader needs to write the very SQL
 * the SQL format would write (which names need quoting, which types have no
 * equality operator, ...), so that decoder_raw_dump can do it without any
 * knowledge of PostgreSQL's catalogs.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "../common/binary_format.h"

/* Per relation: what the tuples of the relation record hold. */
typedef struct BinaryRelation
{
	int			ncols;			/* columns described (not dropped) */
	int			nkeys;			/* of which replica identity key columns */
	bool	   *binary;			/* natts entries: value in send form */
} BinaryRelation;

static void
append_varint(StringInfo out, uint64 value)
{
	int			n;

	if (value < 0x80)
	{
		appendStringInfoCharMacro(out, (char) value);
		return;
	}
	n = dr_varint_size(value);

	decoder_raw_reserve(out, n);
	dr_put_varint(out->data + out->len, value);
	out->len += n;
	out->data[out->len] = '\0';
}

static void
append_signed_varint(StringInfo out, int64 value)
{
	append_varint(out, dr_zigzag(value));
}

static void
append_int64(StringInfo out, int64 value)
{
	uint64		v = (uint64) value;
	char		buf[8];
	int			i;

	for (i = 7; i >= 0; i--)
	{
		buf[i] = (char) (v & 0xff);
		v >>= 8;
	}
	appendBinaryStringInfo(out, buf, 8);
}

static void
append_bytes(StringInfo out, const char *data, Size len)
{
	append_varint(out, len);
	appendBinaryStringInfo(out, data, len);
}

static inline void
append_string(StringInfo out, const char *s)
{
	append_bytes(out, s, strlen(s));
}

/*
 * The bytes written since "start" get a varint length in front of them, in
 * the "reserved" bytes left there (one): small bodies, by far the most
 * common, are never moved.
 */
static void
prefix_length_slow(StringInfo out, int start, int reserved, uint64 extra)
{
	uint64		len = (uint64) (out->len - start);
	int			n = dr_varint_size(len + extra);

	if (n > reserved)
	{
		decoder_raw_reserve(out, n - reserved);
		memmove(out->data + start + n - reserved, out->data + start, len);
		out->len += n - reserved;
		out->data[out->len] = '\0';
	}
	dr_put_varint(out->data + start - reserved, len + extra);
}

/* The common case inline: a body short enough for its one reserved byte. */
static inline void
prefix_length(StringInfo out, int start, int reserved, uint64 extra)
{
	uint64		len = (uint64) (out->len - start) + extra;

	if (reserved == 1 && len < 0x80)
		out->data[start - 1] = (char) len;
	else
		prefix_length_slow(out, start, reserved, extra);
}

/*
 * Begin a record of the given kind; returns where its body starts.  With
 * message-size, records follow one another in a message (decoder_raw.c),
 * the header record too.
 */
static int
start_record(LogicalDecodingContext *ctx, DecoderRawData *data, char kind)
{
	StringInfo	out;

	if (!data->session.header_written)
	{
		out = decoder_raw_begin_record(ctx, data);
		appendStringInfoChar(out, DR_BIN_HEADER);
		appendStringInfoChar(out, DR_BIN_MAGIC_LEN + 1);
		appendBinaryStringInfo(out, DR_BIN_MAGIC, DR_BIN_MAGIC_LEN);
		Assert(data->opts.format_version < 0x80);
		appendStringInfoChar(out, (char) data->opts.format_version);
		decoder_raw_end_record(ctx, data);
		data->session.header_written = true;
	}

	out = decoder_raw_begin_record(ctx, data);
	appendStringInfoCharMacro(out, kind);
	appendStringInfoCharMacro(out, 0);	/* length, filled in by end_record */
	return out->len;
}

/*
 * End the record whose body starts at body_start and begin another of the
 * given kind in the same message; returns where its body starts.
 */
static int
next_record(StringInfo out, int body_start, char kind)
{
	prefix_length(out, body_start, 1, 0);
	appendStringInfoCharMacro(out, kind);
	appendStringInfoCharMacro(out, 0);	/* length, filled in by end_record */
	return out->len;
}

static void
end_record(LogicalDecodingContext *ctx, DecoderRawData *data, int body_start)
{
	prefix_length(data->out, body_start, 1, 0);
	decoder_raw_end_record(ctx, data);
}

static BinaryRelation *
binary_relation(DecoderRawData *data, DecoderRawRelation *rel)
{
	BinaryRelation *br = rel->writer_private;
	MemoryContext old;
	int			i;

	if (br != NULL)
		return br;

	old = MemoryContextSwitchTo(rel->cxt);
	br = palloc0(sizeof(BinaryRelation));
	br->binary = palloc0(sizeof(bool) * Max(rel->natts, 1));
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (decoder_raw_column_is(rel, i, DR_COL_DROPPED))
			continue;
		br->ncols++;
		if (decoder_raw_column_is(rel, i, DR_BIN_COL_KEY))
			br->nkeys++;
		if (data->opts.binary_values)
		{
			decoder_raw_column_prepare_send(col);
			br->binary[i] = col->has_send;
		}
	}
	MemoryContextSwitchTo(old);
	rel->writer_private = br;
	return br;
}

static void
binary_relation_record(LogicalDecodingContext *ctx, DecoderRawData *data,
					   DecoderRawRelation *rel)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	uint32		flags;
	int			body;
	int			i;

	body = start_record(ctx, data, DR_BIN_RELATION);
	append_varint(out, rel->id);
	append_varint(out, rel->relid);
	/* the SQL format's rendering hints, as the relation cache made them */
	append_varint(out, rel->rules.flags);
	appendStringInfoCharMacro(out, rel->relkind);
	appendStringInfoCharMacro(out, rel->replident);
	append_string(out, rel->nspname);
	append_string(out, rel->relname);

	append_varint(out, br->ncols);
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (decoder_raw_column_is(rel, i, DR_COL_DROPPED))
			continue;
		flags = rel->rule_cols[i].flags;
		if (br->binary[i])
			flags |= DR_BIN_COL_BINARY;
		append_varint(out, flags);
		append_string(out, col->name);
		append_varint(out, col->typid);
		append_signed_varint(out, col->typmod);
		append_string(out, rel->rule_cols[i].type_name);
		if (flags & DR_BIN_COL_KEY_COMPARISON)
		{
			/* empty strings: the column's collation, the type's = */
			append_string(out, col->key_coll_nsp ? col->key_coll_nsp : "");
			append_string(out, col->key_coll_name ? col->key_coll_name : "");
			append_string(out, col->key_opr_nsp ? col->key_opr_nsp : "");
			append_string(out, col->key_opr_name ? col->key_opr_name : "");
		}
	}
	end_record(ctx, data, body);
}

static void
append_value(StringInfo out, DecoderRawColumn *col, bool binary,
			 Datum value, bool isnull)
{
	int			start;

	if (isnull)
	{
		appendStringInfoCharMacro(out, DR_BIN_VALUE_NULL);
		return;
	}
	/* an UPDATE does not log a large value that it did not change */
	if (decoder_raw_value_unchanged(col, value, isnull))
	{
		appendStringInfoCharMacro(out, DR_BIN_VALUE_UNCHANGED);
		return;
	}

	if (binary)
	{
		bytea	   *b = SendFunctionCall(&col->sendfunc, value);

		append_varint(out, (uint64) VARSIZE(b) - VARHDRSZ + DR_BIN_VALUE_BASE);
		appendBinaryStringInfo(out, VARDATA(b), VARSIZE(b) - VARHDRSZ);
		pfree(b);
		return;
	}

	/* text form straight into the record, its length in front */
	appendStringInfoCharMacro(out, 0);
	start = out->len;
	decoder_raw_append_value_text(out, col, value);
	prefix_length(out, start, 1, DR_BIN_VALUE_BASE);
}

/*
 * Append a tuple: its number of values, then the values of every column of
 * the relation record, or of its key columns only.
 */
static void
append_tuple(StringInfo out, DecoderRawRelation *rel, BinaryRelation *br,
			 HeapTuple tuple, Datum *values, bool *nulls, bool key_only)
{
	int			i;

	heap_deform_tuple(tuple, rel->desc, values, nulls);
	append_varint(out, key_only ? br->nkeys : br->ncols);
	for (i = 0; i < rel->natts; i++)
	{
		DecoderRawColumn *col = &rel->cols[i];

		if (decoder_raw_column_is(rel, i, DR_COL_DROPPED) ||
			(key_only && !decoder_raw_column_is(rel, i, DR_BIN_COL_KEY)))
			continue;
		append_value(out, col, br->binary[i], values[i], nulls[i]);
	}
}

/* The flags of a begin or commit record, and what they announce. */
static void
append_xact(StringInfo out, const dr_xact *xact)
{
	append_varint(out, xact->flags);
	if (xact->flags & DR_BIN_XACT_XID)
		append_varint(out, xact->xid);
	if (xact->flags & DR_BIN_XACT_LSN)
		append_varint(out, xact->lsn);
	if (xact->flags & DR_BIN_XACT_TIME)
		append_int64(out, xact->time);
}

/* Begin, or with the GID after its fields, begin prepare. */
static void
begin_record_of(LogicalDecodingContext *ctx, DecoderRawData *data,
				ReorderBufferTXN *txn, char kind)
{
	StringInfo	out = data->out;
	dr_xact		xact;
	int			body;

	decoder_raw_xact_info(data, txn, true, InvalidXLogRecPtr, &xact);
	body = start_record(ctx, data, kind);
	append_xact(out, &xact);
	if (xact.flags & DR_BIN_XACT_ORIGIN)
	{
		append_varint(out, xact.origin_id);
		append_varint(out, xact.origin_lsn);
		if (xact.flags & DR_BIN_XACT_ORIGIN_NAME)
			append_string(out, xact.origin_name);
	}
	if (kind == DR_BIN_BEGIN_PREPARE)
	{
		decoder_raw_prepared_xact(data, txn, InvalidXLogRecPtr, &xact);
		append_string(out, xact.gid);
	}
	end_record(ctx, data, body);
}

static void
binary_begin(LogicalDecodingContext *ctx, DecoderRawData *data,
			 ReorderBufferTXN *txn)
{
	begin_record_of(ctx, data, txn, DR_BIN_BEGIN);
}

/*
 * Start a record that ends a transaction.  With origin-progress, an origin
 * record goes right before it and in its message, for the reasons
 * sql_writer.c gives.
 */
static int
start_final_record(LogicalDecodingContext *ctx, DecoderRawData *data,
				   char kind, ReorderBufferTXN *txn)
{
	int			body;

	if (!data->opts.origin_progress)
		return start_record(ctx, data, kind);
	body = start_record(ctx, data, DR_BIN_ORIGIN);
	append_varint(data->out, txn->end_lsn);
	append_int64(data->out, txn->xact_time.commit_time);
	return next_record(data->out, body, kind);
}

static void
binary_commit(LogicalDecodingContext *ctx, DecoderRawData *data,
			  ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	dr_xact		xact;
	int			body;

	decoder_raw_xact_info(data, txn, false, commit_lsn, &xact);
	body = start_final_record(ctx, data, DR_BIN_COMMIT, txn);
	append_xact(data->out, &xact);
	end_record(ctx, data, body);
}

static void
binary_insert(LogicalDecodingContext *ctx, DecoderRawData *data,
			  DecoderRawRelation *rel, HeapTuple newtuple)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	int			body;

	body = start_record(ctx, data, DR_BIN_INSERT);
	append_varint(out, rel->id);
	append_tuple(out, rel, br, newtuple, rel->new_values, rel->new_nulls,
				 false);
	end_record(ctx, data, body);
}

/* Old key, or whole old row with REPLICA IDENTITY FULL. */
static void
append_old_tuple(StringInfo out, DecoderRawRelation *rel, BinaryRelation *br,
				 HeapTuple oldtuple)
{
	appendStringInfoCharMacro(out, rel->full_identity ? DR_BIN_OLD_ROW : DR_BIN_OLD_KEY);
	append_tuple(out, rel, br, oldtuple, rel->old_values, rel->old_nulls,
				 !rel->full_identity);
}

static void
binary_update(LogicalDecodingContext *ctx, DecoderRawData *data,
			  DecoderRawRelation *rel, HeapTuple oldtuple, HeapTuple newtuple)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	int			body;

	body = start_record(ctx, data, DR_BIN_UPDATE);
	append_varint(out, rel->id);
	/* the old key is logged only when it changed */
	if (oldtuple != NULL)
		append_old_tuple(out, rel, br, oldtuple);
	else
		appendStringInfoCharMacro(out, DR_BIN_OLD_NONE);
	append_tuple(out, rel, br, newtuple, rel->new_values, rel->new_nulls,
				 false);
	end_record(ctx, data, body);
}

static void
binary_delete(LogicalDecodingContext *ctx, DecoderRawData *data,
			  DecoderRawRelation *rel, HeapTuple oldtuple)
{
	StringInfo	out = data->out;
	BinaryRelation *br = binary_relation(data, rel);
	int			body;

	body = start_record(ctx, data, DR_BIN_DELETE);
	append_varint(out, rel->id);
	append_old_tuple(out, rel, br, oldtuple);
	end_record(ctx, data, body);
}

static void
binary_truncate(LogicalDecodingContext *ctx, DecoderRawData *data,
				int nrels, DecoderRawRelation **rels,
				bool cascade, bool restart_seqs)
{
	StringInfo	out = data->out;
	uint32		flags = 0;
	int			body;
	int			i;

	if (cascade)
		flags |= DR_BIN_TRUNCATE_CASCADE;
	if (restart_seqs)
		flags |= DR_BIN_TRUNCATE_RESTART;

	body = start_record(ctx, data, DR_BIN_TRUNCATE);
	append_varint(out, flags);
	append_varint(out, nrels);
	for (i = 0; i < nrels; i++)
		append_varint(out, rels[i]->id);
	end_record(ctx, data, body);
}

static void
binary_message(LogicalDecodingContext *ctx, DecoderRawData *data,
			   ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
			   const char *prefix, Size sz, const char *message)
{
	StringInfo	out = data->out;
	uint32		flags = 0;
	int			body;

	if (transactional)
		flags |= DR_BIN_MSG_TRANSACTIONAL;
	/* as the SQL format decides between a text and a bytea literal */
	if (decoder_raw_message_is_text(message, sz))
		flags |= DR_BIN_MSG_TEXT;
	if (data->opts.include_lsn)
		flags |= DR_BIN_MSG_LSN;

	body = start_record(ctx, data, DR_BIN_MESSAGE);
	append_varint(out, flags);
	if (flags & DR_BIN_MSG_LSN)
		append_varint(out, lsn);
	append_string(out, prefix);
	append_bytes(out, message, sz);
	end_record(ctx, data, body);
}

/* Changes left out for lack of a replica identity (version 2). */
static void
binary_skipped(LogicalDecodingContext *ctx, DecoderRawData *data,
			   DecoderRawSkipped *skipped)
{
	StringInfo	out = data->out;
	int			body;

	body = start_record(ctx, data, DR_BIN_SKIPPED);
	append_varint(out, skipped->flags);
	append_string(out, skipped->nspname);
	append_string(out, skipped->relname);
	append_varint(out, skipped->xact_updates);
	append_varint(out, skipped->xact_deletes);
	end_record(ctx, data, body);
}

/* ----------
 * Two-phase commit and streamed transactions (version 2 additions)
 * ----------
 */

static void
binary_begin_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
					 ReorderBufferTXN *txn)
{
	begin_record_of(ctx, data, txn, DR_BIN_BEGIN_PREPARE);
}

static void
binary_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
			   ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	int			body = start_final_record(ctx, data, DR_BIN_PREPARE, txn);
	dr_xact		xact;

	decoder_raw_prepared_xact(data, txn, prepare_lsn, &xact);
	append_xact(data->out, &xact);
	append_string(data->out, xact.gid);
	end_record(ctx, data, body);
}

/*
 * COMMIT PREPARED and ROLLBACK PREPARED run outside a transaction block:
 * their progress is in the record itself, which the SQL of an origin
 * record (SET CONSTRAINTS first) would not suit.  A rollback prepared
 * also says when the PREPARE was, and whether it was written.
 */
static void
finish_prepared_record(LogicalDecodingContext *ctx, DecoderRawData *data,
					   ReorderBufferTXN *txn, char kind, XLogRecPtr lsn,
					   bool prepare_sent, XLogRecPtr prepare_end_lsn,
					   TimestampTz prepare_time)
{
	StringInfo	out = data->out;
	bool		rollback = kind == DR_BIN_ROLLBACK_PREPARED;
	dr_xact		xact;
	int			body;

	decoder_raw_prepared_xact(data, txn, lsn, &xact);
	if (!prepare_sent)
		xact.flags |= DR_BIN_FINISH_NOT_SENT;
	else if (data->opts.origin_progress)
		xact.flags |= DR_BIN_FINISH_PROGRESS;
	body = start_record(ctx, data, kind);
	append_xact(out, &xact);
	append_string(out, xact.gid);
	if (rollback)
	{
		append_varint(out, prepare_end_lsn);
		append_int64(out, prepare_time);
	}
	if (xact.flags & DR_BIN_FINISH_PROGRESS)
	{
		append_varint(out, txn->end_lsn);
		append_int64(out, txn->xact_time.commit_time);
	}
	end_record(ctx, data, body);
}

static void
binary_commit_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
					   ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	finish_prepared_record(ctx, data, txn, DR_BIN_COMMIT_PREPARED,
						   commit_lsn, true, InvalidXLogRecPtr, 0);
}

static void
binary_rollback_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
						 ReorderBufferTXN *txn, XLogRecPtr prepare_end_lsn,
						 TimestampTz prepare_time, bool prepare_sent)
{
	finish_prepared_record(ctx, data, txn, DR_BIN_ROLLBACK_PREPARED,
						   txn->final_lsn, prepare_sent, prepare_end_lsn,
						   prepare_time);
}

/* A record of one varint, the transaction id. */
static void
xid_record(LogicalDecodingContext *ctx, DecoderRawData *data, char kind,
		   TransactionId xid)
{
	int			body = start_record(ctx, data, kind);

	append_varint(data->out, xid);
	end_record(ctx, data, body);
}

static void
binary_stream_start(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn)
{
	int			body = start_record(ctx, data, DR_BIN_STREAM_START);

	append_varint(data->out,
				  rbtxn_is_streamed(txn) ? 0 : DR_BIN_STREAM_FIRST);
	append_varint(data->out, txn->xid);
	end_record(ctx, data, body);
}

static void
binary_stream_stop(LogicalDecodingContext *ctx, DecoderRawData *data,
				   ReorderBufferTXN *txn)
{
	xid_record(ctx, data, DR_BIN_STREAM_STOP, txn->xid);
}

static void
binary_stream_xid(LogicalDecodingContext *ctx, DecoderRawData *data,
				  TransactionId xid)
{
	xid_record(ctx, data, DR_BIN_STREAM_XID, xid);
}

/* A subtransaction's abort, or with its own xid twice, the whole one's. */
static void
binary_stream_abort(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn, XLogRecPtr abort_lsn)
{
	StringInfo	out = data->out;
	int			body = start_record(ctx, data, DR_BIN_STREAM_ABORT);

	append_varint(out, txn->toptxn != NULL ? txn->toptxn->xid : txn->xid);
	append_varint(out, txn->xid);
	append_varint(out, abort_lsn);
	end_record(ctx, data, body);
}

/* Stream commit and stream prepare: the end of a streamed transaction. */
static void
stream_end_record(LogicalDecodingContext *ctx, DecoderRawData *data,
				  ReorderBufferTXN *txn, char kind, XLogRecPtr lsn)
{
	StringInfo	out = data->out;
	int			body = start_final_record(ctx, data, kind, txn);

	append_varint(out, txn->xid);
	append_varint(out, lsn);
	append_varint(out, txn->end_lsn);
	/* commit_time and prepare_time share a union */
	append_int64(out, txn->xact_time.commit_time);
	if (kind == DR_BIN_STREAM_PREPARE)
	{
		dr_xact		xact;

		decoder_raw_prepared_xact(data, txn, lsn, &xact);
		append_string(out, xact.gid);
	}
	end_record(ctx, data, body);
}

static void
binary_stream_commit(LogicalDecodingContext *ctx, DecoderRawData *data,
					 ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	stream_end_record(ctx, data, txn, DR_BIN_STREAM_COMMIT, commit_lsn);
}

static void
binary_stream_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
					  ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	stream_end_record(ctx, data, txn, DR_BIN_STREAM_PREPARE, prepare_lsn);
}

const DecoderRawWriter decoder_raw_binary_writer = {
	.init = NULL,
	.begin = binary_begin,
	.commit = binary_commit,
	.relation = binary_relation_record,
	.insert = binary_insert,
	.update = binary_update,
	.delete = binary_delete,
	.truncate = binary_truncate,
	.message = binary_message,
	.skipped = binary_skipped,
	.begin_prepare = binary_begin_prepare,
	.prepare = binary_prepare,
	.commit_prepared = binary_commit_prepared,
	.rollback_prepared = binary_rollback_prepared,
	.stream_start = binary_stream_start,
	.stream_stop = binary_stream_stop,
	.stream_xid = binary_stream_xid,
	.stream_abort = binary_stream_abort,
	.stream_commit = binary_stream_commit,
	.stream_prepare = binary_stream_prepare,
};
