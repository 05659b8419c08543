/*-------------------------------------------------------------------------
 *
 * origin.c
 *		Replication origin filtering and naming for decoder_raw.
 *
 * Origins are named in the options, since their ids differ from node to
 * node, but changes carry ids.  Each id met is resolved to its name once
 * and the verdict cached; the cache is emptied when pg_replication_origin
 * changes, so that an origin created after decoding started takes effect.
 * It lives in the session's cache context and goes with the session.
 * filter_by_origin_cb is called while WAL records are decoded, outside of
 * any transaction in a walsender, so the lookup brings its own.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "access/xact.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

typedef struct OriginEntry
{
	RepOriginId id;				/* hash key */
	bool		filtered;		/* drop this origin's changes */
	char	   *name;			/* whole, in origin_names; NULL if dropped */
} OriginEntry;

/* Callbacks cannot be unregistered: it is registered once a process. */
static bool origin_callback_registered = false;

static void
origin_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	DecoderRawSession *session = decoder_raw_session;
	HASH_SEQ_STATUS status;
	OriginEntry *entry;

	if (session == NULL || session->origins == NULL)
		return;
	session->last_origin = NULL;
	hash_seq_init(&status, session->origins);
	while ((entry = hash_seq_search(&status)) != NULL)
		hash_search(session->origins, &entry->id, HASH_REMOVE, NULL);
	MemoryContextReset(session->origin_names);
}

/* The session's cache, in its cache context (decoder_raw.c). */
void
decoder_raw_origin_init(void)
{
	DecoderRawSession *session = decoder_raw_session;
	HASHCTL		ctl;

	session->origin_names = AllocSetContextCreate(session->cache_cxt,
												  "decoder_raw origin names",
												  ALLOCSET_SMALL_SIZES);
	ctl.keysize = sizeof(RepOriginId);
	ctl.entrysize = sizeof(OriginEntry);
	ctl.hcxt = session->cache_cxt;
	session->origins = hash_create("decoder_raw origin cache", 16, &ctl,
								   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	session->last_origin = NULL;

	if (!origin_callback_registered)
	{
		CacheRegisterSyscacheCallback(REPLORIGIDENT, origin_cache_reset,
									  (Datum) 0);
		origin_callback_registered = true;
	}
}

/* At shutdown: the cache goes now, not with the decoding context. */
void
decoder_raw_origin_destroy(void)
{
	DecoderRawSession *session = decoder_raw_session;

	if (session == NULL || session->origins == NULL)
		return;
	hash_destroy(session->origins);
	MemoryContextDelete(session->origin_names);
	session->origins = NULL;
	session->origin_names = NULL;
	session->last_origin = NULL;
}

static bool
name_in_list(const char *name, List *names)
{
	ListCell   *lc;

	foreach(lc, names)
	{
		if (strcmp(name, (char *) lfirst(lc)) == 0)
			return true;
	}
	return false;
}

/* The verdict on an origin, by the options. */
static bool
origin_name_filtered(const DecoderRawOptions *opts, const char *name)
{
	if (opts->only_local)
		return true;
	if (opts->forward_origins != NIL)
		return name == NULL || !name_in_list(name, opts->forward_origins);
	if (opts->exclude_origins != NIL)
		return name != NULL && name_in_list(name, opts->exclude_origins);
	return false;
}

static OriginEntry *
origin_lookup(RepOriginId origin_id)
{
	DecoderRawSession *session = decoder_raw_session;
	OriginEntry *entry = session->last_origin;
	char	   *name;

	if (entry != NULL && entry->id == origin_id)
		return entry;

	entry = hash_search(session->origins, &origin_id, HASH_FIND, NULL);
	if (entry == NULL)
	{
		MemoryContext oldcxt = CurrentMemoryContext;
		bool		own_xact = !IsTransactionState();
		char	   *found_name;

		if (own_xact)
			StartTransactionCommand();

		/*
		 * The name is palloc'd in the transaction: copy it out first, whole
		 * (origin names are text, longer than NAMEDATALEN if need be), and
		 * into origin_names only once the commit's invalidations, which reset
		 * it, are past.
		 */
		if (replorigin_by_oid(origin_id, true, &found_name))
			name = MemoryContextStrdup(TopMemoryContext, found_name);
		else
			name = NULL;
		if (own_xact)
			CommitTransactionCommand();
		MemoryContextSwitchTo(oldcxt);
		if (name != NULL)
		{
			char	   *copy = name;

			name = MemoryContextStrdup(session->origin_names, copy);
			pfree(copy);
		}

		/* enter it last: an invalidation above may have emptied the cache */
		entry = hash_search(session->origins, &origin_id, HASH_ENTER, NULL);
		entry->filtered = origin_name_filtered(session->opts, name);
		entry->name = name;
	}

	session->last_origin = entry;
	return entry;
}

/* Should the changes of this origin be dropped? */
bool
decoder_raw_origin_filtered(RepOriginId origin_id)
{
	const DecoderRawOptions *opts = decoder_raw_session->opts;

	if (origin_id == InvalidRepOriginId)
		return false;			/* local changes always pass */
	if (opts->only_local)
		return true;
	if (opts->forward_origins == NIL && opts->exclude_origins == NIL)
		return false;
	return origin_lookup(origin_id)->filtered;
}

/* Name of an origin, or NULL for local changes and dropped origins. */
const char *
decoder_raw_origin_name(RepOriginId origin_id)
{
	OriginEntry *entry;

	if (origin_id == InvalidRepOriginId)
		return NULL;
	entry = origin_lookup(origin_id);
	return entry->name;
}
