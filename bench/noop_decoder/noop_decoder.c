/*-------------------------------------------------------------------------
 *
 * noop_decoder.c
 *		Logical decoding output plugin that receives every change and writes
 *		nothing: the floor of the decoder_raw benchmark.
 *
 * The server still reads the WAL, reassembles each transaction in the
 * reorder buffer, spills and restores it, rebuilds TOASTed values and opens
 * the relation of every change before calling a plugin; that cost is the
 * same for every output plugin, and this one adds nothing to it.  The time
 * a real plugin takes above this one is the time it spends on its output.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "replication/logical.h"
#include "replication/output_plugin.h"

PG_MODULE_MAGIC;

extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static void
noop_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
			 bool is_init)
{
	opt->output_type = OUTPUT_PLUGIN_TEXTUAL_OUTPUT;
	opt->receive_rewrites = false;
}

static void
noop_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
}

static void
noop_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			Relation relation, ReorderBufferChange *change)
{
}

static void
noop_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			XLogRecPtr commit_lsn)
{
	/* let a walsender confirm progress, as every real plugin must */
	OutputPluginUpdateProgress(ctx, true);
}

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	AssertVariableIsOfType(&_PG_output_plugin_init, LogicalOutputPluginInit);

	cb->startup_cb = noop_startup;
	cb->begin_cb = noop_begin;
	cb->change_cb = noop_change;
	cb->commit_cb = noop_commit;
}
