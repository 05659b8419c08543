/*-------------------------------------------------------------------------
 *
 * decoder_raw.c
 *		Logical decoding output plugin writing each change as an executable
 *		SQL statement, or as a compact binary record.
 *
 * This file holds the entry point and the callbacks: it decides what is
 * sent (origin filtering, transaction framing, identity checks) and leaves
 * how it is written to the writer of the chosen format.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "compat.h"
#include "decoder_raw.h"

#include "access/tupconvert.h"
#include "access/xact.h"
#include "access/xlogdefs.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "replication/snapbuild.h"
#include "storage/procarray.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

PG_MODULE_MAGIC;

/* The session being decoded, for the invalidation callbacks. */
DecoderRawSession *decoder_raw_session = NULL;

extern PGDLLEXPORT void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static void decoder_raw_startup(LogicalDecodingContext *ctx,
								OutputPluginOptions *opt, bool is_init);
static void decoder_raw_shutdown(LogicalDecodingContext *ctx);
static void decoder_raw_begin_txn(LogicalDecodingContext *ctx,
								  ReorderBufferTXN *txn);
static void decoder_raw_commit_txn(LogicalDecodingContext *ctx,
								   ReorderBufferTXN *txn,
								   XLogRecPtr commit_lsn);
static void decoder_raw_change(LogicalDecodingContext *ctx,
							   ReorderBufferTXN *txn, Relation relation,
							   ReorderBufferChange *change);
static void decoder_raw_truncate(LogicalDecodingContext *ctx,
								 ReorderBufferTXN *txn, int nrelations,
								 Relation relations[],
								 ReorderBufferChange *change);
static void decoder_raw_message(LogicalDecodingContext *ctx,
								ReorderBufferTXN *txn, XLogRecPtr lsn,
								bool transactional, const char *prefix,
								Size sz, const char *message);
static bool decoder_raw_filter_by_origin(LogicalDecodingContext *ctx,
										 RepOriginId origin_id);
static void report_xact_skipped(LogicalDecodingContext *ctx,
								DecoderRawData *data, ReorderBufferTXN *txn);
static void register_twophase_stream_callbacks(OutputPluginCallbacks *cb);
static DecoderRawRelation *get_relation_in_progress_safe(Relation relation,
														 DecoderRawRelation *partition);
static void forget_in_progress_checks(void);
static void note_stream_xid(LogicalDecodingContext *ctx,
							DecoderRawData *data);

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	AssertVariableIsOfType(&_PG_output_plugin_init, LogicalOutputPluginInit);

	cb->startup_cb = decoder_raw_startup;
	cb->begin_cb = decoder_raw_begin_txn;
	cb->change_cb = decoder_raw_change;
	cb->truncate_cb = decoder_raw_truncate;
	cb->message_cb = decoder_raw_message;
	cb->commit_cb = decoder_raw_commit_txn;
	cb->filter_by_origin_cb = decoder_raw_filter_by_origin;
	cb->shutdown_cb = decoder_raw_shutdown;
	register_twophase_stream_callbacks(cb);
}

/*
 * The decoding context is going away, with the caches under it: the
 * invalidation callbacks must no longer find them, as pgoutput's
 * RelationSyncCache.
 */
static void
session_reset_cb(void *arg)
{
	if (decoder_raw_session == arg)
		decoder_raw_session = NULL;
}

/* The session's caches, under the decoding context. */
static void
session_init(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	DecoderRawSession *session = &data->session;
	MemoryContextCallback *cb;

	session->opts = &data->opts;
	session->cache_cxt = AllocSetContextCreate(ctx->context,
											   "decoder_raw caches",
											   ALLOCSET_DEFAULT_SIZES);
	cb = MemoryContextAlloc(ctx->context, sizeof(MemoryContextCallback));
	cb->func = session_reset_cb;
	cb->arg = session;
	MemoryContextRegisterResetCallback(ctx->context, cb);
	decoder_raw_session = session;

	decoder_raw_relcache_init();
	decoder_raw_origin_init();
}

static void
decoder_raw_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
					bool is_init)
{
	DecoderRawData *data;

	data = MemoryContextAllocZero(ctx->context, sizeof(DecoderRawData));
	data->context = AllocSetContextCreate(ctx->context,
										  "decoder_raw change context",
										  ALLOCSET_DEFAULT_SIZES);
	decoder_raw_parse_options(ctx->output_plugin_options, &data->opts);
	data->scratch = makeStringInfo();
	if (data->opts.message_size > 0)
	{
		MemoryContext old = MemoryContextSwitchTo(ctx->context);

		/* in ctx->out's context: send_pending() swaps their buffers */
		data->out = makeStringInfo();
		MemoryContextSwitchTo(old);
		data->pack_keep = 4 * data->opts.message_size + 1024;
	}
	else
		data->out = ctx->out;
	data->record_sep = data->opts.format == DR_FORMAT_SQL ? 1 : 0;

	data->writer = data->opts.format == DR_FORMAT_BINARY ?
		&decoder_raw_binary_writer : &decoder_raw_sql_writer;
	if (data->writer->init != NULL)
		data->writer->init();

	opt->output_type = data->opts.binary_output ?
		OUTPUT_PLUGIN_BINARY_OUTPUT : OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
	/* the core streams when the plugin has the callbacks: if asked to */
	ctx->streaming &= data->opts.stream_changes;

	ctx->output_plugin_private = data;

	{
		HASHCTL		hctl;

		hctl.keysize = sizeof(Oid);
		hctl.entrysize = sizeof(DecoderRawSkipped);
		hctl.hcxt = ctx->context;
		data->skipped = hash_create("decoder_raw skipped changes", 16, &hctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	session_init(ctx, data);
}

/*
 * Changes left out after a relation's WARNING are counted: say how many at
 * the end of the session.
 */
static void
report_session_skipped(DecoderRawData *data)
{
	HASH_SEQ_STATUS status;
	DecoderRawSkipped *s;

	hash_seq_init(&status, data->skipped);
	while ((s = hash_seq_search(&status)) != NULL)
	{
		if (s->unreported == 0)
			continue;
		ereport(WARNING,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("decoder_raw left out " UINT64_FORMAT " more UPDATE and DELETE of table \"%s.%s\" in this decoding session because it has no replica identity",
						s->unreported, s->nspname, s->relname),
				 errdetail("Each transaction that lost changes says so in the output.")));
		s->unreported = 0;
	}
}

static void
decoder_raw_shutdown(LogicalDecodingContext *ctx)
{
	DecoderRawData *data = ctx->output_plugin_private;

	decoder_raw_relcache_destroy();
	decoder_raw_origin_destroy();
	forget_in_progress_checks();
	if (data != NULL)
		report_session_skipped(data);
}

/*
 * Pin the settings that type output functions depend on, for the rest of
 * the transaction being decoded, as pg_dump does for its session.  Only
 * relations with such types pay for it.
 */
void
decoder_raw_pin_output_settings(DecoderRawData *data)
{
	static const char *const settings[][2] = {
		{"datestyle", "ISO, YMD"},
		{"intervalstyle", "postgres"},
		{"timezone", "UTC"},
		{"extra_float_digits", "3"},
		{"bytea_output", "hex"},
		{"lc_monetary", "C"},
		{"search_path", "pg_catalog"},
		{"quote_all_identifiers", "off"},
	};
	int			i;

	if (data->guc_nestlevel > 0)
		return;

	data->guc_nestlevel = NewGUCNestLevel();
	for (i = 0; i < lengthof(settings); i++)
		(void) set_config_option(settings[i][0], settings[i][1],
								 PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, ERROR, false);
}

static void
unpin_output_settings(DecoderRawData *data)
{
	if (data->guc_nestlevel > 0)
		AtEOXact_GUC(true, data->guc_nestlevel);
	data->guc_nestlevel = 0;
}

/*
 * What a transaction's BEGIN or COMMIT record says besides itself, as the
 * options ask: the same in both formats.  An origin is named at BEGIN.
 */
void
decoder_raw_xact_info(DecoderRawData *data, ReorderBufferTXN *txn,
					  bool is_begin, XLogRecPtr commit_lsn, dr_xact *xact)
{
	memset(xact, 0, sizeof(dr_xact));
	if (data->opts.include_xids)
		xact->flags |= DR_BIN_XACT_XID;
	if (data->opts.include_lsn)
		xact->flags |= DR_BIN_XACT_LSN;
	if (data->opts.include_timestamp)
		xact->flags |= DR_BIN_XACT_TIME;
	xact->xid = txn->xid;
	xact->lsn = is_begin ? txn->final_lsn : commit_lsn;
	xact->time = txn->xact_time.commit_time;
	if (is_begin && data->opts.include_origin &&
		txn->origin_id != InvalidRepOriginId)
	{
		xact->flags |= DR_BIN_XACT_ORIGIN;
		xact->origin_id = txn->origin_id;
		xact->origin_lsn = txn->origin_lsn;
		xact->origin_name = decoder_raw_origin_name(txn->origin_id);
		if (xact->origin_name != NULL)
		{
			xact->flags |= DR_BIN_XACT_ORIGIN_NAME;
			xact->origin_name_len = strlen(xact->origin_name);
		}
	}
}

/* ----------
 * Output framing
 *
 * With message-size 0 every record is a message of its own, written in
 * ctx->out.  Otherwise the writers append the records of a transaction to
 * a pending message, sent when it holds message-size bytes and at the
 * latest from the commit callback: the message that holds the commit (and
 * the records the commit callback writes before it) then carries the
 * commit's end LSN, which ctx->write_location is there, the position a
 * consumer confirms.  In the SQL format the records of a message are
 * separated by newlines, so the message is a psql script as it is.
 * ----------
 */

/* Send len bytes as one output message. */
static void
send_message(LogicalDecodingContext *ctx, const char *bytes, int len)
{
	OutputPluginPrepareWrite(ctx, true);
	appendBinaryStringInfo(ctx->out, bytes, len);
	OutputPluginWrite(ctx, true);
}

/* Empty the pending message; one that a large record grew is shrunk. */
static void
reset_pending(DecoderRawData *data)
{
	StringInfo	out = data->out;

	if (out->maxlen > data->pack_keep)
	{
		MemoryContext cxt = GetMemoryChunkContext(out->data);

		pfree(out->data);
		out->data = MemoryContextAlloc(cxt, 1024);
		out->maxlen = 1024;
	}
	resetStringInfo(out);
}

/*
 * Send the whole pending message.  The SQL functions' prepare_write puts no
 * header in front (the walsender's does): there, hand over the pending
 * buffer itself instead of a copy.  Both buffers live in ctx->context.
 */
static void
send_pending(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	StringInfo	out = data->out;

	OutputPluginPrepareWrite(ctx, true);
	if (ctx->out->len == 0)
	{
		StringInfoData empty = *ctx->out;

		*ctx->out = *out;
		*out = empty;
	}
	else
		appendBinaryStringInfo(ctx->out, out->data, out->len);
	OutputPluginWrite(ctx, true);
	reset_pending(data);
}

/* Send the pending message, if any. */
static void
flush_pending(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	StringInfo	out = data->out;

	if (out == ctx->out || out->len == 0)
		return;
	send_pending(ctx, data);
}

/* Start a record; returns the buffer the writer appends it to. */
StringInfo
decoder_raw_begin_record(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	StringInfo	out = data->out;

	if (out == ctx->out)
		OutputPluginPrepareWrite(ctx, true);
	data->record_start = out->len;
	if (out != ctx->out && out->len > 0 && data->record_sep > 0)
		appendStringInfoChar(out, '\n');
	data->record_body = out->len;
	return out;
}

/* Drop what the current record holds so far, to write it anew. */
void
decoder_raw_restart_record(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	StringInfo	out = data->out;

	out->len = data->record_body;
	out->data[out->len] = '\0';
}

/*
 * End a record.  A full pending message is sent, unless the commit callback
 * writes: its records go with the commit.  A message holds less than
 * message-size bytes before its last record, and a record larger than
 * message-size goes alone.
 */
void
decoder_raw_end_record(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	StringInfo	out = data->out;
	int			size = data->opts.message_size;

	if (out == ctx->out)
	{
		OutputPluginWrite(ctx, true);
		return;
	}
	if (out->len < size || data->in_commit)
		return;

	if (data->record_start > 0 && out->len - data->record_body > size)
	{
		send_message(ctx, out->data, data->record_start);
		send_message(ctx, out->data + data->record_body,
					 out->len - data->record_body);
	}
	else
	{
		send_pending(ctx, data);
		return;
	}
	reset_pending(data);
}

/* Write the transaction's BEGIN record unless it is already out. */
static void
ensure_begin(LogicalDecodingContext *ctx, DecoderRawData *data,
			 ReorderBufferTXN *txn)
{
	/* in a stream, say which (sub)transaction the record belongs to */
	if (data->in_stream)
	{
		note_stream_xid(ctx, data);
		return;
	}
	if (data->xact_wrote_begin)
		return;
	data->xact_wrote_begin = true;
	if (data->opts.include_transaction)
		data->writer->begin(ctx, data, txn);
}

static void
decoder_raw_begin_txn(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	DecoderRawData *data = ctx->output_plugin_private;

	data->xact_wrote_begin = false;
	data->guc_nestlevel = 0;
	data->xact_skipped = NIL;

	/* With skip-empty-xacts, BEGIN waits for the first change. */
	if (!data->opts.skip_empty_xacts)
	{
		MemoryContext old = MemoryContextSwitchTo(data->context);

		ensure_begin(ctx, data, txn);
		MemoryContextSwitchTo(old);
		MemoryContextReset(data->context);
	}
}

static void
decoder_raw_commit_txn(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					   XLogRecPtr commit_lsn)
{
	DecoderRawData *data = ctx->output_plugin_private;
	bool		skipped;
	MemoryContext old;

	if (data->xact_skipped != NIL)
		report_xact_skipped(ctx, data, txn);
	skipped = !data->xact_wrote_begin;

	unpin_output_settings(data);

	/* Let the walsender confirm progress past transactions it skips. */
	OutputPluginUpdateProgress(ctx, skipped);

	if (!skipped)
	{
		old = MemoryContextSwitchTo(data->context);
		if (data->opts.include_transaction)
		{
			data->in_commit = true;
			data->writer->commit(ctx, data, txn, commit_lsn);
			data->in_commit = false;
		}
		/* from here, so that the message carries the commit's end LSN */
		flush_pending(ctx, data);
		MemoryContextSwitchTo(old);
		MemoryContextReset(data->context);
	}

	/* between transactions, no cache entry is in use */
	decoder_raw_relcache_sweep();
}

/* Make sure the relation is described before a change refers to it. */
static void
ensure_relation_sent(LogicalDecodingContext *ctx, DecoderRawData *data,
					 DecoderRawRelation *rel)
{
	if (data->writer->relation != NULL && !rel->sent)
	{
		data->writer->relation(ctx, data, rel);
		rel->sent = true;
	}
}

/*
 * A change that writes nothing: left out by a filter or for lack of an
 * identity.  A long run of them must not starve keepalives.
 */
static void
note_change_not_written(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	if (DR_PLUGIN_REPORTS_PROGRESS && ++data->skipped_since_progress >= 100)
	{
		OutputPluginUpdateProgress(ctx, true);
		data->skipped_since_progress = 0;
	}
}

/* The DR_ACTION_* bit of a change. */
static int
change_action_bit(ReorderBufferChangeType action)
{
	switch (action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			return DR_ACTION_INSERT;
		case REORDER_BUFFER_CHANGE_UPDATE:
			return DR_ACTION_UPDATE;
		case REORDER_BUFFER_CHANGE_DELETE:
			return DR_ACTION_DELETE;
		default:
			elog(ERROR, "decoder_raw: unexpected change type %d", (int) action);
	}
	return 0;					/* keep compiler quiet */
}

/*
 * An UPDATE or DELETE on a relation without a usable replica identity
 * cannot be written as a statement that finds its row.  Under
 * missing-identity "error" that stops decoding; otherwise the change is
 * counted, and the transaction's output says how many were left out.
 */
static void
note_missing_identity(LogicalDecodingContext *ctx, DecoderRawData *data,
					  DecoderRawRelation *rel, ReorderBufferChangeType action)
{
	DecoderRawSkipped *s;
	bool		found;
	MemoryContext old;

	if (data->opts.missing_identity == DR_MISSING_IDENTITY_ERROR)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("decoder_raw cannot write %s on table \"%s.%s\" because it has no replica identity",
						action == REORDER_BUFFER_CHANGE_UPDATE ? "UPDATE" : "DELETE",
						rel->nspname, rel->relname),
				 errhint("Add a primary key to the table or set its REPLICA IDENTITY.")));

	/* the counts outlive the change: they live in the decoding context */
	old = MemoryContextSwitchTo(ctx->context);
	s = hash_search(data->skipped, &rel->relid, HASH_ENTER, &found);
	if (!found)
	{
		s->nspname = pstrdup(rel->nspname);
		s->relname = pstrdup(rel->relname);
		s->flags = 0;
		if (rel->rules.flags & DR_BIN_REL_SCHEMA_QUOTED)
			s->flags |= DR_BIN_SKIP_SCHEMA_QUOTED;
		if (rel->rules.flags & DR_BIN_REL_NAME_QUOTED)
			s->flags |= DR_BIN_SKIP_NAME_QUOTED;
		s->xact_updates = s->xact_deletes = s->unreported = 0;
		s->warned = s->in_xact = false;
	}
	if (!s->in_xact)
	{
		data->xact_skipped = lappend(data->xact_skipped, s);
		s->in_xact = true;
	}
	MemoryContextSwitchTo(old);
	if (action == REORDER_BUFFER_CHANGE_UPDATE)
		s->xact_updates++;
	else
		s->xact_deletes++;

	note_change_not_written(ctx, data);
}

/*
 * Before the commit: a record per relation that lost changes in the
 * transaction, and a WARNING the first time in the session.
 */
static void
report_xact_skipped(LogicalDecodingContext *ctx, DecoderRawData *data,
					ReorderBufferTXN *txn)
{
	MemoryContext old = MemoryContextSwitchTo(data->context);
	ListCell   *lc;

	ensure_begin(ctx, data, txn);
	foreach(lc, data->xact_skipped)
	{
		DecoderRawSkipped *s = lfirst(lc);
		uint64		n = s->xact_updates + s->xact_deletes;

		data->writer->skipped(ctx, data, s);
		if (!s->warned)
			ereport(WARNING,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("decoder_raw left out " UINT64_FORMAT " UPDATE and " UINT64_FORMAT " DELETE of table \"%s.%s\" because it has no replica identity",
							s->xact_updates, s->xact_deletes,
							s->nspname, s->relname),
					 errdetail("The output says so where the changes were left out. Later ones in this decoding session are counted at its end."),
					 errhint("Add a primary key to the table or set its REPLICA IDENTITY.")));
		else
			s->unreported += n;
		s->warned = true;
		s->xact_updates = s->xact_deletes = 0;
		s->in_xact = false;
	}
	list_free(data->xact_skipped);
	data->xact_skipped = NIL;

	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);
}

/* A partition's tuple in its root's layout, with partitions-as-root. */
static HeapTuple
tuple_as_root(DecoderRawRelation *rel, HeapTuple tuple)
{
	if (tuple == NULL || rel->root_map == NULL)
		return tuple;
	return execute_attr_map_tuple(tuple, rel->root_map);
}

/*
 * Whether a change has what its statement needs: an UPDATE or DELETE
 * without a replica identity is left out, and counted.
 */
static bool
change_can_be_written(LogicalDecodingContext *ctx, DecoderRawData *data,
					  ReorderBufferChange *change, DecoderRawRelation *rel,
					  DecoderRawRelation *target, bool has_identity)
{
	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			if (DR_CHANGE_NEWTUPLE(change) == NULL)
				elog(ERROR, "decoder_raw: INSERT on \"%s\" without a tuple",
					 rel->relname);
			return true;
		case REORDER_BUFFER_CHANGE_UPDATE:
			if (DR_CHANGE_NEWTUPLE(change) == NULL)
				elog(ERROR, "decoder_raw: UPDATE on \"%s\" without a new tuple",
					 rel->relname);
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			if (DR_CHANGE_OLDTUPLE(change) == NULL)
				has_identity = false;
			break;
		default:
			elog(ERROR, "decoder_raw: unexpected change type %d",
				 (int) change->action);
	}
	if (!has_identity)
	{
		note_missing_identity(ctx, data, target, change->action);
		return false;
	}
	return true;
}

static void
decoder_raw_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
				   Relation relation, ReorderBufferChange *change)
{
	DecoderRawData *data = ctx->output_plugin_private;
	DecoderRawRelation *rel;
	DecoderRawRelation *target;
	HeapTuple	oldtuple;
	HeapTuple	newtuple;
	bool		has_identity;
	MemoryContext old;

	/* cache entries must outlive the per-change context */
	rel = get_relation_in_progress_safe(relation, NULL);
	if ((rel->actions & change_action_bit(change->action)) == 0)
	{
		note_change_not_written(ctx, data);
		return;
	}
	/* the relation the change is written against */
	target = OidIsValid(rel->root_relid) ?
		get_relation_in_progress_safe(NULL, rel) : rel;
	has_identity = target->has_identity && rel->root_identity_ok;

	oldtuple = DR_CHANGE_OLDTUPLE(change);
	newtuple = DR_CHANGE_NEWTUPLE(change);

	if (!change_can_be_written(ctx, data, change, rel, target, has_identity))
		return;

	old = MemoryContextSwitchTo(data->context);

	oldtuple = tuple_as_root(rel, oldtuple);
	newtuple = tuple_as_root(rel, newtuple);

	ensure_begin(ctx, data, txn);
	ensure_relation_sent(ctx, data, target);
	if (target->needs_gucs)
		decoder_raw_pin_output_settings(data);

	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			data->writer->insert(ctx, data, target, newtuple);
			break;
		case REORDER_BUFFER_CHANGE_UPDATE:
			data->writer->update(ctx, data, target, oldtuple, newtuple);
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			data->writer->delete(ctx, data, target, oldtuple);
			break;
		default:
			Assert(false);
	}

	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);
}

/*
 * With partitions-as-root, a partition truncated with its root goes with
 * it.  Truncated alone it cannot be written: truncating the root would
 * empty the other partitions too.
 */
static void
check_partition_truncate(DecoderRawRelation *rel, int nrelations,
						 Relation relations[])
{
	int			i;

	for (i = 0; i < nrelations; i++)
	{
		if (RelationGetRelid(relations[i]) == rel->root_relid)
			return;
	}
	ereport(WARNING,
			(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			 errmsg("decoder_raw left out TRUNCATE of partition \"%s.%s\"",
					rel->nspname, rel->relname),
			 errdetail("With partitions-as-root its changes are written against table \"%s\", and truncating that table would empty its other partitions.",
					   get_rel_name(rel->root_relid))));
}

static void
decoder_raw_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					 int nrelations, Relation relations[],
					 ReorderBufferChange *change)
{
	DecoderRawData *data = ctx->output_plugin_private;
	DecoderRawRelation **rels;
	MemoryContext old;
	int			nrels = 0;
	int			i;

	old = MemoryContextSwitchTo(data->context);

	/* only the selected relations are named */
	rels = palloc(sizeof(DecoderRawRelation *) * nrelations);
	for (i = 0; i < nrelations; i++)
	{
		DecoderRawRelation *rel = get_relation_in_progress_safe(relations[i],
																NULL);

		if ((rel->actions & DR_ACTION_TRUNCATE) == 0)
			continue;
		if (OidIsValid(rel->root_relid))
		{
			check_partition_truncate(rel, nrelations, relations);
			continue;
		}
		rels[nrels++] = rel;
	}
	if (nrels == 0)
	{
		MemoryContextSwitchTo(old);
		MemoryContextReset(data->context);
		note_change_not_written(ctx, data);
		return;
	}

	ensure_begin(ctx, data, txn);
	for (i = 0; i < nrels; i++)
		ensure_relation_sent(ctx, data, rels[i]);

	data->writer->truncate(ctx, data, nrels, rels,
						   change->data.truncate.cascade,
						   change->data.truncate.restart_seqs);

	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);
}

static void
decoder_raw_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					XLogRecPtr lsn, bool transactional, const char *prefix,
					Size sz, const char *message)
{
	DecoderRawData *data = ctx->output_plugin_private;
	MemoryContext old;

	if (!decoder_raw_message_selected(&data->opts, prefix))
	{
		if (transactional)
			note_change_not_written(ctx, data);
		return;
	}

	old = MemoryContextSwitchTo(data->context);

	if (transactional)
		ensure_begin(ctx, data, txn);
	data->writer->message(ctx, data, txn, lsn, transactional, prefix, sz,
						  message);
	/* decoded between transactions: no commit will send it */
	if (!transactional)
		flush_pending(ctx, data);

	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);
}

static bool
decoder_raw_filter_by_origin(LogicalDecodingContext *ctx,
							 RepOriginId origin_id)
{
	return decoder_raw_origin_filtered(origin_id);
}

/* ----------
 * Two-phase commit
 *
 * On a slot created with two-phase decoding, a prepared transaction is
 * written at its PREPARE TRANSACTION, and COMMIT PREPARED or ROLLBACK
 * PREPARED follow later, in a transaction of their own.  Without it (or
 * without include-transaction, whose output has no transaction to prepare)
 * prepared transactions arrive at COMMIT PREPARED as ordinary ones.
 * ----------
 */

static bool
decoder_raw_filter_prepare(LogicalDecodingContext *ctx, TransactionId xid,
						   const char *gid)
{
	DecoderRawData *data = ctx->output_plugin_private;

	return !data->opts.include_transaction;
}

/*
 * The GID written for a prepared transaction: gid-prefix, then the source's
 * GID.  It must fit in a GID on the target.
 */
static const char *
decoder_raw_gid(DecoderRawData *data, ReorderBufferTXN *txn)
{
	const char *prefix = data->opts.gid_prefix;

	if (prefix[0] == '\0')
		return txn->gid;
	if (strlen(prefix) + strlen(txn->gid) >= GIDSIZE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("decoder_raw cannot write prepared transaction \"%s\" with gid-prefix \"%s\"",
						txn->gid, prefix),
				 errdetail("The GID would take %zu bytes, more than the %d a GID holds.",
						   strlen(prefix) + strlen(txn->gid), GIDSIZE - 1),
				 errhint("Use a shorter \"gid-prefix\".")));
	return psprintf("%s%s", prefix, txn->gid);
}

/*
 * What the records of a prepared transaction say of it: those of a commit
 * record, at lsn, and the GID written.
 */
void
decoder_raw_prepared_xact(DecoderRawData *data, ReorderBufferTXN *txn,
						  XLogRecPtr lsn, dr_xact *xact)
{
	decoder_raw_xact_info(data, txn, false, lsn, xact);
	xact->gid = decoder_raw_gid(data, txn);
	xact->gid_len = strlen(xact->gid);
}

/* Records that end a transaction or a stream go out together, and at once. */
static MemoryContext
start_final_records(DecoderRawData *data)
{
	MemoryContext old = MemoryContextSwitchTo(data->context);

	data->in_commit = true;
	return old;
}

static void
end_final_records(LogicalDecodingContext *ctx, DecoderRawData *data,
				  MemoryContext old)
{
	data->in_commit = false;
	flush_pending(ctx, data);
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);
	decoder_raw_relcache_sweep();
}

typedef void (*FinalWriter) (LogicalDecodingContext *ctx, DecoderRawData *data,
							 ReorderBufferTXN *txn, XLogRecPtr lsn);

/*
 * The records that end a transaction or a streamed one; "progress": it
 * ends on the source too, and the walsender may confirm past it.
 */
static void
write_final_records(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					FinalWriter write, XLogRecPtr lsn, bool progress)
{
	DecoderRawData *data = ctx->output_plugin_private;
	MemoryContext old;

	if (progress)
		OutputPluginUpdateProgress(ctx, false);
	old = start_final_records(data);
	write(ctx, data, txn, lsn);
	end_final_records(ctx, data, old);
}

/*
 * BEGIN is written even with skip-empty-xacts: COMMIT PREPARED, decoded
 * later and maybe in another session, must find a prepared transaction on
 * the target, and cannot know whether its PREPARE was empty.
 */
static void
decoder_raw_begin_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	DecoderRawData *data = ctx->output_plugin_private;
	MemoryContext old;

	data->guc_nestlevel = 0;
	data->xact_skipped = NIL;
	data->xact_wrote_begin = true;

	old = MemoryContextSwitchTo(data->context);
	data->writer->begin_prepare(ctx, data, txn);
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);
}

static void
decoder_raw_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					XLogRecPtr prepare_lsn)
{
	DecoderRawData *data = ctx->output_plugin_private;

	if (data->xact_skipped != NIL)
		report_xact_skipped(ctx, data, txn);
	unpin_output_settings(data);
	write_final_records(ctx, txn, data->writer->prepare, prepare_lsn, true);
}

static void
decoder_raw_commit_prepared(LogicalDecodingContext *ctx,
							ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	DecoderRawData *data = ctx->output_plugin_private;

	write_final_records(ctx, txn, data->writer->commit_prepared, commit_lsn,
						true);
}

/*
 * A transaction prepared before two-phase decoding started (before the
 * slot was consistent) was not written at its PREPARE.  At COMMIT PREPARED
 * the core decodes it whole, PREPARE included; at ROLLBACK PREPARED there is
 * nothing to roll back on the target, and the writers say so instead.  The
 * test is the core's own (ReorderBufferFinishPrepared()): the PREPARE
 * record began before two_phase_at, i.e. it ended at or before it.
 */
static void
decoder_raw_rollback_prepared(LogicalDecodingContext *ctx,
							  ReorderBufferTXN *txn,
							  XLogRecPtr prepare_end_lsn,
							  TimestampTz prepare_time)
{
	DecoderRawData *data = ctx->output_plugin_private;
	XLogRecPtr	two_phase_at = SnapBuildGetTwoPhaseAt(ctx->snapshot_builder);
	MemoryContext old;

	OutputPluginUpdateProgress(ctx, false);
	old = start_final_records(data);
	data->writer->rollback_prepared(ctx, data, txn, prepare_end_lsn,
									prepare_time,
									prepare_end_lsn > two_phase_at);
	end_final_records(ctx, data, old);
}

/* ----------
 * Streamed transactions (stream-changes, binary format only)
 *
 * With logical_decoding_work_mem exceeded, the core sends the changes of
 * the largest in-progress transaction in blocks, between stream start and
 * stream stop, and ends it later with stream commit, stream prepare or
 * stream abort.  Inside a block the callbacks of ordinary transactions
 * write the changes; ensure_begin() then writes, instead of BEGIN, which
 * (sub)transaction the next records belong to.
 * ----------
 */

static void
note_stream_xid(LogicalDecodingContext *ctx, DecoderRawData *data)
{
	if (data->stream_xid == data->stream_written_xid)
		return;
	data->writer->stream_xid(ctx, data, data->stream_xid);
	data->stream_written_xid = data->stream_xid;
}

static void
decoder_raw_stream_start(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	DecoderRawData *data = ctx->output_plugin_private;
	MemoryContext old;

	data->in_stream = true;
	data->guc_nestlevel = 0;
	data->xact_skipped = NIL;
	data->stream_xid = txn->xid;
	data->stream_written_xid = InvalidTransactionId;

	old = MemoryContextSwitchTo(data->context);
	data->writer->stream_start(ctx, data, txn);
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->context);
}

/*
 * The block's message goes out here.  The settings pinned for it are
 * released: the core aborts the transaction it decoded the block in.
 */
static void
decoder_raw_stream_stop(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	DecoderRawData *data = ctx->output_plugin_private;
	MemoryContext old;

	if (data->xact_skipped != NIL)
		report_xact_skipped(ctx, data, txn);
	unpin_output_settings(data);

	old = start_final_records(data);
	data->writer->stream_stop(ctx, data, txn);
	data->in_stream = false;
	end_final_records(ctx, data, old);
}

static void
decoder_raw_stream_abort(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						 XLogRecPtr abort_lsn)
{
	DecoderRawData *data = ctx->output_plugin_private;

	write_final_records(ctx, txn, data->writer->stream_abort, abort_lsn,
						false);
}

static void
decoder_raw_stream_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						  XLogRecPtr commit_lsn)
{
	DecoderRawData *data = ctx->output_plugin_private;

	write_final_records(ctx, txn, data->writer->stream_commit, commit_lsn,
						true);
}

static void
decoder_raw_stream_prepare(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						   XLogRecPtr prepare_lsn)
{
	DecoderRawData *data = ctx->output_plugin_private;

	write_final_records(ctx, txn, data->writer->stream_prepare, prepare_lsn,
						true);
}

static void
decoder_raw_stream_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						  Relation relation, ReorderBufferChange *change)
{
	DecoderRawData *data = ctx->output_plugin_private;

	data->stream_xid = change->txn->xid;
	decoder_raw_change(ctx, txn, relation, change);
}

static void
decoder_raw_stream_truncate(LogicalDecodingContext *ctx,
							ReorderBufferTXN *txn, int nrelations,
							Relation relations[], ReorderBufferChange *change)
{
	DecoderRawData *data = ctx->output_plugin_private;

	data->stream_xid = change->txn->xid;
	decoder_raw_truncate(ctx, txn, nrelations, relations, change);
}

static void
decoder_raw_stream_message(LogicalDecodingContext *ctx,
						   ReorderBufferTXN *txn, XLogRecPtr lsn,
						   bool transactional, const char *prefix,
						   Size sz, const char *message)
{
	DecoderRawData *data = ctx->output_plugin_private;

	/*
	 * The core passes the top-level transaction, and sets CheckXidAlive to
	 * the message's own (sub)transaction unless that one has committed: a
	 * message of a subtransaction that may abort is marked with its xid.
	 */
	data->stream_xid = TransactionIdIsValid(CheckXidAlive) ?
		CheckXidAlive : txn->xid;
	decoder_raw_message(ctx, txn, lsn, transactional, prefix, sz, message);
}

static void
register_twophase_stream_callbacks(OutputPluginCallbacks *cb)
{
	cb->filter_prepare_cb = decoder_raw_filter_prepare;
	cb->begin_prepare_cb = decoder_raw_begin_prepare;
	cb->prepare_cb = decoder_raw_prepare;
	cb->commit_prepared_cb = decoder_raw_commit_prepared;
	cb->rollback_prepared_cb = decoder_raw_rollback_prepared;

	cb->stream_start_cb = decoder_raw_stream_start;
	cb->stream_stop_cb = decoder_raw_stream_stop;
	cb->stream_abort_cb = decoder_raw_stream_abort;
	cb->stream_prepare_cb = decoder_raw_stream_prepare;
	cb->stream_commit_cb = decoder_raw_stream_commit;
	cb->stream_change_cb = decoder_raw_stream_change;
	cb->stream_truncate_cb = decoder_raw_stream_truncate;
	cb->stream_message_cb = decoder_raw_stream_message;
}

/* ----------
 * Catalog lookups while an in-progress transaction is decoded
 *
 * At PREPARE, and in a stream, the transaction being decoded has not
 * committed: the core sets CheckXidAlive so that catalog scans notice if it
 * aborts meanwhile, and refuses any index fetch outside a system table scan.
 * Building a relation's cache entry looks up type caches, whose default
 * operator class search nests system table scans (a cast lookup inside the
 * pg_opclass scan); the inner scan's end clears the flag the outer one set,
 * and the outer one fails with "unexpected table_index_fetch_tuple call
 * during logical decoding".  The entry is built without CheckXidAlive, and
 * checked afterwards as the scans would have been: a concurrent abort is
 * the ERROR that the reorder buffer handles, and the entry is dropped.
 * ----------
 */

static DecoderRawRelation *last_checked_rel = NULL;
static MemoryContext last_checked_cxt = NULL;

/* The cache entries are gone with the session. */
static void
forget_in_progress_checks(void)
{
	last_checked_rel = NULL;
	last_checked_cxt = NULL;
}

static DecoderRawRelation *
get_relation_in_progress_safe(Relation relation, DecoderRawRelation *partition)
{
	TransactionId xid = CheckXidAlive;
	DecoderRawRelation *rel;

	if (!TransactionIdIsValid(xid))
		return partition ? decoder_raw_get_root(partition) :
			decoder_raw_get_relation(relation);

	CheckXidAlive = InvalidTransactionId;
	PG_TRY();
	{
		rel = partition ? decoder_raw_get_root(partition) :
			decoder_raw_get_relation(relation);
	}
	PG_FINALLY();
	{
		CheckXidAlive = xid;
	}
	PG_END_TRY();

	/* an entry built now: was what it read still there? */
	if (rel != last_checked_rel || rel->cxt != last_checked_cxt)
	{
		if (!TransactionIdIsInProgress(xid) && !TransactionIdDidCommit(xid))
		{
			rel->valid = false;
			ereport(ERROR,
					(errcode(ERRCODE_TRANSACTION_ROLLBACK),
					 errmsg("transaction aborted during system catalog scan")));
		}
		last_checked_rel = rel;
		last_checked_cxt = rel->cxt;
	}
	return rel;
}
