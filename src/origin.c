/*-------------------------------------------------------------------------
 *
 * origin.c
 *		Replication origin filtering and naming for decoder_raw.
 *
 * Origins are named in the options, since their ids differ from node to
 * node, but changes carry ids.  Each id met is resolved to its name once
 * and the verdict cached; the cache is dropped when pg_replication_origin
 * changes, so that an origin created after decoding started takes effect.
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
	char	   *name;			/* whole, in OriginNames; NULL if dropped */
} OriginEntry;

static HTAB *OriginCache = NULL;
static MemoryContext OriginNames = NULL;	/* names of the cached origins */
static const DecoderRawOptions *origin_opts = NULL;
static bool origin_callback_registered = false;

/* one-entry memo in front of the hash: changes come in runs of one origin */
static OriginEntry *last_entry = NULL;

static void
origin_cache_reset(Datum arg, int cacheid, uint32 hashvalue)
{
	HASH_SEQ_STATUS status;
	OriginEntry *entry;

	last_entry = NULL;
	if (OriginCache == NULL)
		return;

	hash_seq_init(&status, OriginCache);
	while ((entry = hash_seq_search(&status)) != NULL)
		hash_search(OriginCache, &entry->id, HASH_REMOVE, NULL);
	MemoryContextReset(OriginNames);
}

void
decoder_raw_origin_init(const DecoderRawOptions *opts)
{
	HASHCTL		ctl;

	origin_opts = opts;
	last_entry = NULL;

	/*
	 * The invalidation callback outlives the decoding session, so the cache
	 * lives in CacheMemoryContext; one left behind by a session that ended
	 * in an error is dropped here.
	 */
	if (OriginCache != NULL)
		hash_destroy(OriginCache);
	if (OriginNames != NULL)
		MemoryContextDelete(OriginNames);
	OriginNames = AllocSetContextCreate(CacheMemoryContext,
										"decoder_raw origin names",
										ALLOCSET_SMALL_SIZES);
	ctl.keysize = sizeof(RepOriginId);
	ctl.entrysize = sizeof(OriginEntry);
	ctl.hcxt = CacheMemoryContext;
	OriginCache = hash_create("decoder_raw origin cache", 16, &ctl,
							  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	if (!origin_callback_registered)
	{
		CacheRegisterSyscacheCallback(REPLORIGIDENT, origin_cache_reset,
									  (Datum) 0);
		origin_callback_registered = true;
	}
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

static OriginEntry *
origin_lookup(RepOriginId origin_id)
{
	OriginEntry *entry;
	char	   *name;
	bool		filtered;

	if (last_entry != NULL && last_entry->id == origin_id)
		return last_entry;

	entry = hash_search(OriginCache, &origin_id, HASH_FIND, NULL);
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
		 * into OriginNames only once the commit's invalidations, which reset
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

			name = MemoryContextStrdup(OriginNames, copy);
			pfree(copy);
		}

		if (origin_opts->only_local)
			filtered = true;
		else if (origin_opts->forward_origins != NIL)
			filtered = name == NULL ||
				!name_in_list(name, origin_opts->forward_origins);
		else if (origin_opts->exclude_origins != NIL)
			filtered = name != NULL &&
				name_in_list(name, origin_opts->exclude_origins);
		else
			filtered = false;

		/* enter it last: an invalidation above may have emptied the cache */
		entry = hash_search(OriginCache, &origin_id, HASH_ENTER, NULL);
		entry->filtered = filtered;
		entry->name = name;
	}

	last_entry = entry;
	return entry;
}

/* Should the changes of this origin be dropped? */
bool
decoder_raw_origin_filtered(RepOriginId origin_id)
{
	if (origin_id == InvalidRepOriginId)
		return false;			/* local changes always pass */
	if (origin_opts->only_local)
		return true;
	if (origin_opts->forward_origins == NIL && origin_opts->exclude_origins == NIL)
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
