/*-------------------------------------------------------------------------
 *
 * compat.h
 *		What differs between the PostgreSQL majors decoder_raw supports.
 *
 * Every PG_VERSION_NUM test of the plugin lives here, so that the rest of
 * the tree reads the same on 15, 16, 17 and 18.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECODER_RAW_COMPAT_H
#define DECODER_RAW_COMPAT_H

#include "catalog/pg_type.h"
#include "replication/reorderbuffer.h"

#if PG_VERSION_NUM < 150000
#error "decoder_raw requires PostgreSQL 15 or later"
#endif

/*
 * PostgreSQL 17 removed ReorderBufferTupleBuf: the change's tuples are
 * plain HeapTuples there.
 */
#if PG_VERSION_NUM >= 170000
#define DR_CHANGE_OLDTUPLE(change)	((change)->data.tp.oldtuple)
#define DR_CHANGE_NEWTUPLE(change)	((change)->data.tp.newtuple)
#else
#define DR_CHANGE_OLDTUPLE(change) \
	((change)->data.tp.oldtuple ? &(change)->data.tp.oldtuple->tuple : NULL)
#define DR_CHANGE_NEWTUPLE(change) \
	((change)->data.tp.newtuple ? &(change)->data.tp.newtuple->tuple : NULL)
#endif

/*
 * From 16 on, format_type() treats json like the SQL-standard type names
 * and no longer qualifies it.  Output must not depend on the major that
 * wrote it, so decoder_raw qualifies it itself on every major.
 */
#define DR_FORMAT_TYPE_UNQUALIFIED_JSON (PG_VERSION_NUM >= 160000)

/*
 * From 16 on, the reorder buffer itself reports progress (and so lets the
 * walsender send keepalives) every 100 changes of a long transaction.  On
 * 15 an output plugin that writes nothing for many changes must do it, as
 * pgoutput does; OutputPluginUpdateProgress() takes (ctx, skipped_xact) on
 * every supported major.
 */
#define DR_PLUGIN_REPORTS_PROGRESS (PG_VERSION_NUM < 160000)

/*
 * Types whose btree equalimage answer differs between the majors: bpchar_ops
 * has none on 15 and 17, and one on 18.  decoder_raw takes the stricter answer (no
 * image equality) on every major, so that the comparison it writes does not
 * depend on the major that wrote it.
 */
#define DR_EQUALIMAGE_DIFFERS_BY_MAJOR(typid) ((typid) == BPCHAROID)

#endif							/* DECODER_RAW_COMPAT_H */
