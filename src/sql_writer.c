/*-------------------------------------------------------------------------
 *
 * sql_writer.c
 *		decoder_raw's SQL format: one executable statement per record.
 *
 * The statements themselves are common/'s (sql_rules.c says what they
 * are); decoder_raw_dump writes the same from binary records.  This file is
 * the adapter from Datums and the relation cache to those rules: it deforms
 * the tuples, hands the rules each value as an SQL constant, and frames the
 * records.  Values are written so that they read the same whatever the
 * session settings of the decoding or of the replaying side:
 *
 * - literals that hold a backslash or a control character are E'' strings,
 *   so they read the same whatever standard_conforming_strings says;
 * - floats are written in their shortest exact form and quoted, so that a
 *   comparison is made in the column's own type;
 * - money goes through numeric, whose text form depends on no setting.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "utils/datum.h"

/* Statement fragments derived once per relation. */
typedef struct SqlRelation
{
	char	   *insert_prefix;	/* INSERT INTO rel (cols) [OVERRIDING] VALUES
								 * ( */
	int			insert_prefix_len;
	char	   *update_prefix;	/* UPDATE [ONLY] rel SET */
	int			update_prefix_len;
	char	   *delete_prefix;	/* DELETE FROM [ONLY] rel WHERE */
	int			delete_prefix_len;
} SqlRelation;

/* A tuple's values, as the rules read them. */
typedef struct SqlRow
{
	dr_row		row;			/* must be first */
	DecoderRawRelation *rel;
	Datum	   *values;
	bool	   *nulls;
	bool		toast;			/* unchanged TOAST values are left out */
	StringInfo	scratch;		/* for value text that is then quoted */
} SqlRow;

/* Append a column value (not NULL) as an SQL constant. */
static void
append_value(DecoderRawOut *o, DecoderRawColumn *col, Datum value,
			 StringInfo scratch)
{
	StringInfo	out = o->buf;

	o->col = col;
	switch (col->kind)
	{
		case DR_COL_BOOL:
			appendStringInfoString(out, DatumGetBool(value) ? "true" : "false");
			return;
		case DR_COL_INT2:
		case DR_COL_INT4:
		case DR_COL_INT8:
			decoder_raw_append_value_text(out, col, value);
			return;
		case DR_COL_NUMERIC:
			{
				int			start = out->len;
				const char *str;

				decoder_raw_append_value_text(out, col, value);
				str = out->data + start;
				/* NaN and the infinities are not numeric constants */
				if (str[0] == 'N' || str[0] == 'I' || str[1] == 'I')
				{
					resetStringInfo(scratch);
					appendBinaryStringInfo(scratch, str, out->len - start);
					out->len = start;
					dr_append_literal(&o->out, scratch->data, scratch->len);
				}
				return;
			}
		case DR_COL_FLOAT4:
		case DR_COL_FLOAT8:
		case DR_COL_DATE:
		case DR_COL_TIMESTAMP:
		case DR_COL_TIMESTAMPTZ:

			/*
			 * Text forms that never hold a quote, backslash or control char.
			 * Floats are quoted too: '0.1' compares as a float, 0.1 as a
			 * numeric.
			 */
			appendStringInfoChar(out, '\'');
			decoder_raw_append_value_text(out, col, value);
			appendStringInfoChar(out, '\'');
			return;
		case DR_COL_TEXT:
			{
				struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));

				dr_append_literal(&o->out, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
				return;
			}
		case DR_COL_MONEY:
			/* through numeric: money's text form depends on lc_monetary */
			resetStringInfo(scratch);
			decoder_raw_append_value_text(scratch, col, value);
			(void) dr_sql_constant(&o->out, DR_CASHOID, scratch->data,
								   scratch->len);
			return;
		default:
			break;
	}

	resetStringInfo(scratch);
	decoder_raw_append_value_text(scratch, col, value);
	dr_append_literal(&o->out, scratch->data, scratch->len);
}

static dr_value_state
row_state(const dr_row *row, int i)
{
	const SqlRow *r = (const SqlRow *) row;

	if (r->nulls[i])
		return DR_VALUE_NULL;
	if (r->toast &&
		decoder_raw_value_unchanged(&r->rel->cols[i], r->values[i], false))
		return DR_VALUE_UNCHANGED;
	return DR_VALUE_PRESENT;
}

static void
row_append_value(const dr_row *row, dr_out *out, int i)
{
	const SqlRow *r = (const SqlRow *) row;

	append_value((DecoderRawOut *) out, &r->rel->cols[i], r->values[i],
				 r->scratch);
}

/* A FULL identity column that no comparison can match exactly. */
static void
row_fail(const dr_row *row, dr_error error, int i)
{
	const SqlRow *r = (const SqlRow *) row;
	DecoderRawRelation *rel = r->rel;

	if (error != DR_ERR_NO_EXACT)
		elog(ERROR, "decoder_raw: column \"%s\" of \"%s\" has no value",
			 rel->cols[i].name, rel->relname);
	ereport(ERROR,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("decoder_raw cannot find the row of table \"%s.%s\" by column \"%s\" of type %s",
					rel->nspname, rel->relname, rel->cols[i].name,
					rel->rule_cols[i].type_name),
			 errdetail("With REPLICA IDENTITY FULL every column is compared, and no comparison of this type is exact: it holds a composite type within an array or a composite, and a field without an equality operator whose text output depends on session settings."),
			 errhint("Give the table a primary key or REPLICA IDENTITY USING INDEX.")));
}

static const dr_row *
sql_row(SqlRow *r, DecoderRawRelation *rel, Datum *values, bool *nulls,
		bool toast, StringInfo scratch)
{
	r->row.state = row_state;
	r->row.append_value = row_append_value;
	r->row.fail = row_fail;
	r->row.naming = NULL;
	r->rel = rel;
	r->values = values;
	r->nulls = nulls;
	r->toast = toast;
	r->scratch = scratch;
	return &r->row;
}

static SqlRelation *
sql_relation(DecoderRawRelation *rel)
{
	SqlRelation *sr = rel->writer_private;
	StringInfoData buf;
	DecoderRawOut o;
	MemoryContext old;

	if (sr != NULL)
		return sr;

	old = MemoryContextSwitchTo(rel->cxt);
	sr = palloc0(sizeof(SqlRelation));

	initStringInfo(&buf);
	dr_sql_insert_prefix(decoder_raw_out(&o, &buf), &rel->rules);
	sr->insert_prefix = buf.data;
	sr->insert_prefix_len = buf.len;
	initStringInfo(&buf);
	dr_sql_update_prefix(decoder_raw_out(&o, &buf), &rel->rules);
	sr->update_prefix = buf.data;
	sr->update_prefix_len = buf.len;
	initStringInfo(&buf);
	dr_sql_delete_prefix(decoder_raw_out(&o, &buf), &rel->rules);
	sr->delete_prefix = buf.data;
	sr->delete_prefix_len = buf.len;

	MemoryContextSwitchTo(old);
	rel->writer_private = sr;
	return sr;
}

/*
 * Every record is one line; with message-size, several go in one message
 * (decoder_raw.c puts the newlines between them).  Returns the rules'
 * buffer over the record, which knows the relation the record is of.
 */
static inline dr_out *
begin_record(LogicalDecodingContext *ctx, DecoderRawData *data,
			 DecoderRawOut *o, DecoderRawRelation *rel)
{
	dr_out	   *out = decoder_raw_out(o, decoder_raw_begin_record(ctx, data));

	o->rel = rel;
	return out;
}

static inline void
end_record(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	decoder_raw_end_record(ctx, data);
}

/* The rules give -1 for a time out of PostgreSQL's range. */
static inline void
check_time(int rc)
{
	if (rc != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("timestamp out of range")));
}

static void
sql_begin(LogicalDecodingContext *ctx, DecoderRawData *data,
		  ReorderBufferTXN *txn)
{
	DecoderRawOut o;
	dr_xact		xact;

	decoder_raw_xact_info(data, txn, true, InvalidXLogRecPtr, &xact);
	dr_sql_begin(begin_record(ctx, data, &o, NULL), &xact);
	end_record(ctx, data);
}

/*
 * Origin progress goes right before COMMIT, or PREPARE TRANSACTION, which
 * ends the transaction block the same way: from PostgreSQL 16 on, an abort
 * also records the progress that pg_replication_origin_xact_setup() set, so
 * setting it any earlier would record progress for a transaction that an
 * applier dies or fails in.  Deferred constraints are checked first, so
 * that their failure aborts before the progress is set, and the call is
 * written so that nothing after it can abort (DR_XACT_SETUP).  The lines
 * share the COMMIT's message, so that no consumer (pg_recvlogical --endpos)
 * stops between them, and an applier that sends a message as one query
 * leaves no moment at which a signal, a cancel or its own death aborts the
 * transaction after the call.
 */
static void
write_block_end(LogicalDecodingContext *ctx, DecoderRawData *data,
				ReorderBufferTXN *txn, XLogRecPtr lsn, bool prepare)
{
	DecoderRawOut o;
	dr_out	   *out = begin_record(ctx, data, &o, NULL);
	dr_xact		xact;

	if (prepare)
		decoder_raw_prepared_xact(data, txn, lsn, &xact);
	else
		decoder_raw_xact_info(data, txn, false, lsn, &xact);
	if (data->opts.origin_progress)
	{
		check_time(dr_sql_origin_progress(out, txn->end_lsn,
										  txn->xact_time.commit_time, true));
		dr_putc(out, '\n');
	}
	check_time(prepare ? dr_sql_prepare(out, &xact) :
			   dr_sql_commit(out, &xact));
	end_record(ctx, data);
}

static void
sql_commit(LogicalDecodingContext *ctx, DecoderRawData *data,
		   ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	write_block_end(ctx, data, txn, commit_lsn, false);
}

/* A prefix, then what a rule writes of the row's values. */
static void
write_row_record(LogicalDecodingContext *ctx, DecoderRawData *data,
				 DecoderRawRelation *rel, const char *prefix, int prefix_len,
				 Datum *values, bool *nulls,
				 void (*rule) (dr_out *, const dr_relation *, const dr_row *))
{
	DecoderRawOut o;
	dr_out	   *out = begin_record(ctx, data, &o, rel);
	SqlRow		row;

	appendBinaryStringInfo(o.buf, prefix, prefix_len);
	rule(out, &rel->rules,
		 sql_row(&row, rel, values, nulls, false, data->scratch));
	end_record(ctx, data);
}

static void
sql_insert(LogicalDecodingContext *ctx, DecoderRawData *data,
		   DecoderRawRelation *rel, HeapTuple tuple)
{
	SqlRelation *sr = sql_relation(rel);

	heap_deform_tuple(tuple, rel->desc, rel->new_values, rel->new_nulls);
	write_row_record(ctx, data, rel, sr->insert_prefix, sr->insert_prefix_len,
					 rel->new_values, rel->new_nulls, dr_sql_insert_values);
}

/*
 * Which GENERATED ALWAYS identity columns did the UPDATE change, of those
 * whose old value is logged?  NULL if none.
 */
static bool *
identity_always_changes(DecoderRawRelation *rel, HeapTuple oldtuple)
{
	bool	   *changed = NULL;
	int			i;

	if (!rel->has_identity_always || oldtuple == NULL)
		return NULL;

	for (i = 0; i < rel->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(rel->desc, i);

		if (!dr_identity_may_change(&rel->rules, i, true))
			continue;
		if (rel->old_nulls[i] == rel->new_nulls[i] &&
			(rel->old_nulls[i] ||
			 datumIsEqual(rel->old_values[i], rel->new_values[i],
						  att->attbyval, att->attlen)))
			continue;
		if (changed == NULL)
			changed = palloc0(sizeof(bool) * rel->natts);
		changed[i] = true;
	}
	return changed;
}

/* Such a column's sequence hands out the new value next: one record each. */
static void
write_identity_setvals(LogicalDecodingContext *ctx, DecoderRawData *data,
					   DecoderRawRelation *rel, const bool *changed)
{
	StringInfo	scratch = data->scratch;
	DecoderRawOut o;
	int			i;

	for (i = 0; i < rel->natts; i++)
	{
		if (!changed[i])
			continue;
		resetStringInfo(scratch);
		decoder_raw_append_value_text(scratch, &rel->cols[i],
									  rel->new_values[i]);
		dr_sql_setval(begin_record(ctx, data, &o, rel), &rel->rules, i,
					  scratch->data, scratch->len);
		end_record(ctx, data);
	}
}

static void
sql_update(LogicalDecodingContext *ctx, DecoderRawData *data,
		   DecoderRawRelation *rel, HeapTuple oldtuple, HeapTuple newtuple)
{
	SqlRelation *sr = sql_relation(rel);
	bool	   *identity_changed;
	DecoderRawOut o;
	dr_out	   *out;
	SqlRow		new_row;
	SqlRow		key_row;

	heap_deform_tuple(newtuple, rel->desc, rel->new_values, rel->new_nulls);
	/* the old key is logged only when it changed */
	if (oldtuple != NULL)
		heap_deform_tuple(oldtuple, rel->desc, rel->old_values, rel->old_nulls);

	identity_changed = identity_always_changes(rel, oldtuple);
	if (identity_changed != NULL)
		write_identity_setvals(ctx, data, rel, identity_changed);

	out = begin_record(ctx, data, &o, rel);
	appendBinaryStringInfo(o.buf, sr->update_prefix, sr->update_prefix_len);
	if (dr_sql_set_list(out, &rel->rules,
						sql_row(&new_row, rel, rel->new_values, rel->new_nulls,
								true, data->scratch),
						identity_changed) == 0)
	{
		decoder_raw_restart_record(ctx, data);
		dr_sql_unassigned(out, &rel->rules);
		end_record(ctx, data);
		return;
	}

	appendBinaryStringInfo(o.buf, " WHERE ", 7);
	if (oldtuple != NULL)
		sql_row(&key_row, rel, rel->old_values, rel->old_nulls, false,
				data->scratch);
	else
		sql_row(&key_row, rel, rel->new_values, rel->new_nulls, false,
				data->scratch);
	dr_sql_row_condition(out, &rel->rules, &key_row.row);
	end_record(ctx, data);
}

static void
sql_delete(LogicalDecodingContext *ctx, DecoderRawData *data,
		   DecoderRawRelation *rel, HeapTuple oldtuple)
{
	SqlRelation *sr = sql_relation(rel);

	heap_deform_tuple(oldtuple, rel->desc, rel->old_values, rel->old_nulls);
	write_row_record(ctx, data, rel, sr->delete_prefix, sr->delete_prefix_len,
					 rel->old_values, rel->old_nulls, dr_sql_row_condition);
}

static void
sql_truncate(LogicalDecodingContext *ctx, DecoderRawData *data,
			 int nrels, DecoderRawRelation **rels,
			 bool cascade, bool restart_seqs)
{
	const dr_relation **rules = palloc(sizeof(dr_relation *) * nrels);
	DecoderRawOut o;
	int			i;

	for (i = 0; i < nrels; i++)
		rules[i] = &rels[i]->rules;
	dr_sql_truncate(begin_record(ctx, data, &o, NULL), rules, nrels,
					cascade, restart_seqs);
	end_record(ctx, data);
}

/* The call that emits the message again (see sql_rules.c). */
static void
sql_message(LogicalDecodingContext *ctx, DecoderRawData *data,
			ReorderBufferTXN *txn, XLogRecPtr lsn, bool transactional,
			const char *prefix, Size sz, const char *message)
{
	DecoderRawOut o;
	dr_out	   *out = begin_record(ctx, data, &o, NULL);
	StringInfo	scratch = data->scratch;

	if (decoder_raw_message_is_text(message, sz))
		dr_sql_message(out, transactional, prefix, strlen(prefix),
					   message, sz, false);
	else
	{
		resetStringInfo(scratch);
		decoder_raw_append_hex(scratch, message, sz);
		dr_sql_message(out, transactional, prefix, strlen(prefix),
					   scratch->data, scratch->len, true);
	}
	end_record(ctx, data);
}

/* Changes left out for lack of a replica identity: a comment line. */
static void
sql_skipped(LogicalDecodingContext *ctx, DecoderRawData *data,
			DecoderRawSkipped *skipped)
{
	DecoderRawOut o;

	dr_sql_skipped(begin_record(ctx, data, &o, NULL),
				   skipped->xact_updates, skipped->xact_deletes,
				   skipped->nspname, strlen(skipped->nspname),
				   (skipped->flags & DR_BIN_SKIP_SCHEMA_QUOTED) != 0,
				   skipped->relname, strlen(skipped->relname),
				   (skipped->flags & DR_BIN_SKIP_NAME_QUOTED) != 0);
	end_record(ctx, data);
}

/* ----------
 * Two-phase commit
 *
 * BEGIN; ... PREPARE TRANSACTION 'gid'; then, in a transaction of its own,
 * COMMIT PREPARED 'gid'; or ROLLBACK PREPARED 'gid';.  With origin-progress
 * the PREPARE records progress as a COMMIT does; COMMIT PREPARED and
 * ROLLBACK PREPARED record the progress set by the line before them, in
 * their message (see sql_rules.c).
 * ----------
 */

static void
sql_prepare(LogicalDecodingContext *ctx, DecoderRawData *data,
			ReorderBufferTXN *txn, XLogRecPtr prepare_lsn)
{
	write_block_end(ctx, data, txn, prepare_lsn, true);
}

/* COMMIT PREPARED or ROLLBACK PREPARED, the transaction's at lsn. */
static void
write_finish_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
					  ReorderBufferTXN *txn, bool commit, XLogRecPtr lsn)
{
	DecoderRawOut o;
	dr_xact		xact;
	dr_progress progress;

	decoder_raw_prepared_xact(data, txn, lsn, &xact);
	progress.end_lsn = txn->end_lsn;
	progress.time = txn->xact_time.commit_time;
	check_time(dr_sql_finish_prepared(begin_record(ctx, data, &o, NULL),
									  commit, &xact,
									  data->opts.origin_progress ?
									  &progress : NULL));
	end_record(ctx, data);
}

static void
sql_commit_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	write_finish_prepared(ctx, data, txn, true, commit_lsn);
}

/* Without its PREPARE written, the rollback is a comment (sql_rules.c). */
static void
sql_rollback_prepared(LogicalDecodingContext *ctx, DecoderRawData *data,
					  ReorderBufferTXN *txn, XLogRecPtr prepare_end_lsn,
					  TimestampTz prepare_time, bool prepare_sent)
{
	DecoderRawOut o;
	dr_xact		xact;

	if (prepare_sent)
	{
		write_finish_prepared(ctx, data, txn, false, txn->final_lsn);
		return;
	}
	decoder_raw_prepared_xact(data, txn, txn->final_lsn, &xact);
	dr_sql_rollback_left_out(begin_record(ctx, data, &o, NULL),
							 xact.gid, xact.gid_len);
	end_record(ctx, data);
}

const DecoderRawWriter decoder_raw_sql_writer = {
	.init = NULL,
	.begin = sql_begin,
	.commit = sql_commit,
	.relation = NULL,
	.insert = sql_insert,
	.update = sql_update,
	.delete = sql_delete,
	.truncate = sql_truncate,
	.message = sql_message,
	.skipped = sql_skipped,
	.begin_prepare = sql_begin,
	.prepare = sql_prepare,
	.commit_prepared = sql_commit_prepared,
	.rollback_prepared = sql_rollback_prepared,
	/* no stream callbacks: stream-changes is refused with format sql */
};
