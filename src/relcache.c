/*-------------------------------------------------------------------------
 *
 * relcache.c
 *		Per-relation metadata cache of decoder_raw.
 *
 * Everything the writers need to know about a relation (its quoted name,
 * column names, output functions, replica identity columns, ...) is looked
 * up once and kept until a relcache or syscache invalidation says it may
 * have changed, as pgoutput's RelationSyncEntry is.  No catalog lookup is
 * made per row.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "compat.h"
#include "decoder_raw.h"

#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/stratnum.h"
#include "access/tupconvert.h"
#include "access/xact.h"
#include "catalog/partition.h"
#include "catalog/pg_am.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

/*
 * A catalog entry that a cache entry was built from: a syscache row (by the
 * hash value its invalidations carry) or, for a composite type's columns, a
 * relation.  Invalidations touch only the entries that depend on them.
 */
#define DEP_RELATION	(-1)

typedef struct DecoderRawDep
{
	int			cacheid;		/* TYPEOID, NAMESPACEOID, ..., DEP_RELATION */
	uint32		key;			/* syscache hash value, or relation OID */
} DecoderRawDep;

/* Dependencies being collected while an entry is built. */
typedef struct DepList
{
	DecoderRawDep *items;
	int			n;
	int			max;
} DepList;

/* What a column's type, all its levels included, is made of. */
typedef struct TypeFacts
{
	bool		needs_gucs;		/* output depends on session settings */
	bool		composite;		/* a composite at any level */
	bool		nested_composite;	/* a composite below the top level */
	bool		equality;		/* every leaf has an equality operator */
	bool		exact;			/* every leaf's equality is image equality */
} TypeFacts;

/* Callbacks cannot be unregistered: they are registered once a process. */
static bool callbacks_registered = false;

static void invalidate_relation_cb(Datum arg, Oid relid);
static void invalidate_syscache_cb(Datum arg, int cacheid, uint32 hashvalue);
static void build_relation_guts(DecoderRawRelation *entry, Relation rel);
static void invalidate_publication_cb(Datum arg, int cacheid, uint32 hashvalue);

/* The session's cache, in its cache context (decoder_raw.c). */
void
decoder_raw_relcache_init(void)
{
	DecoderRawSession *session = decoder_raw_session;
	HASHCTL		ctl;

	session->follow_publications = session->opts->publication_names != NIL;
	decoder_raw_publications_invalidate();

	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(DecoderRawRelation);
	ctl.hcxt = session->cache_cxt;
	session->relations = hash_create("decoder_raw relation cache", 128, &ctl,
									 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	session->last_relation = NULL;
	session->next_relation_id = 1;
	session->relation_dep_entries = 0;
	session->sweep_needed = false;

	/*
	 * They do nothing while no decoding session is active.  Types, schemas,
	 * collations and operators are named in the output.
	 */
	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(invalidate_relation_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(TYPEOID, invalidate_syscache_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, invalidate_syscache_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(COLLOID, invalidate_syscache_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(OPEROID, invalidate_syscache_cb, (Datum) 0);
		/* what publication-names selects, as pgoutput follows it */
		CacheRegisterSyscacheCallback(PUBLICATIONOID, invalidate_publication_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONRELMAP, invalidate_publication_cb, (Datum) 0);
		CacheRegisterSyscacheCallback(PUBLICATIONNAMESPACEMAP, invalidate_publication_cb, (Datum) 0);
		callbacks_registered = true;
	}
}

/* Free what an entry holds, keeping its hash entry (and so its id). */
static void
release_entry(DecoderRawRelation *entry)
{
	if (entry->cxt != NULL)
		MemoryContextDelete(entry->cxt);
	entry->cxt = NULL;
	entry->valid = false;
	entry->writer_private = NULL;
	if (entry->deps != NULL)
	{
		int			i;

		for (i = 0; i < entry->ndeps; i++)
		{
			if (entry->deps[i].cacheid == DEP_RELATION)
			{
				decoder_raw_session->relation_dep_entries--;
				break;
			}
		}
	}
	entry->deps = NULL;
	entry->ndeps = 0;
}

/* At shutdown: the entries' memory goes now, not with the context. */
void
decoder_raw_relcache_destroy(void)
{
	DecoderRawSession *session = decoder_raw_session;
	HASH_SEQ_STATUS status;
	DecoderRawRelation *entry;

	if (session == NULL || session->relations == NULL)
		return;
	session->last_relation = NULL;
	hash_seq_init(&status, session->relations);
	while ((entry = hash_seq_search(&status)) != NULL)
		release_entry(entry);
	hash_destroy(session->relations);
	session->relations = NULL;
}

/*
 * Free the entries that invalidations left behind, and forget those of
 * dropped relations: called between transactions, when no entry is in use.
 * Stream abort, COMMIT PREPARED and ROLLBACK PREPARED come outside any
 * transaction, where the catalog cannot be read: the next end of a
 * transaction sweeps instead.
 */
void
decoder_raw_relcache_sweep(void)
{
	DecoderRawSession *session = decoder_raw_session;
	HASH_SEQ_STATUS status;
	DecoderRawRelation *entry;

	if (session->relations == NULL || !session->sweep_needed ||
		!IsTransactionState())
		return;
	session->sweep_needed = false;
	session->last_relation = NULL;

	hash_seq_init(&status, session->relations);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		if (entry->valid)
			continue;
		release_entry(entry);
		/* a relation that still exists keeps its id */
		if (!SearchSysCacheExists1(RELOID, ObjectIdGetDatum(entry->relid)))
			hash_search(session->relations, &entry->relid, HASH_REMOVE, NULL);
	}
}

/* Only mark invalid: the entry may be in use right now. */
static inline void
mark_invalid(DecoderRawRelation *entry)
{
	if (entry->valid)
	{
		entry->valid = false;
		decoder_raw_session->sweep_needed = true;
	}
}

/*
 * Is there a session cache for the invalidation callbacks to mark?  Not
 * between sessions, nor after the decoding context is gone.
 */
static inline bool
cache_active(void)
{
	return decoder_raw_session != NULL &&
		decoder_raw_session->relations != NULL;
}

/* Mark the entries that depend on (cacheid, key), or all of them. */
static void
invalidate_dependents(int cacheid, uint32 key, bool all)
{
	HASH_SEQ_STATUS status;
	DecoderRawRelation *entry;

	hash_seq_init(&status, decoder_raw_session->relations);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		int			i;

		if (!entry->valid)
			continue;
		if (all)
		{
			mark_invalid(entry);
			continue;
		}
		for (i = 0; i < entry->ndeps; i++)
		{
			if (entry->deps[i].cacheid == cacheid && entry->deps[i].key == key)
			{
				mark_invalid(entry);
				break;
			}
		}
	}
}

static void
invalidate_relation_cb(Datum arg, Oid relid)
{
	DecoderRawRelation *entry;

	if (!cache_active())
		return;

	if (!OidIsValid(relid))
	{
		invalidate_dependents(0, 0, true);
		return;
	}
	entry = hash_search(decoder_raw_session->relations, &relid, HASH_FIND,
						NULL);
	if (entry != NULL)
		mark_invalid(entry);
	/* ALTER TYPE on a composite invalidates only the composite's relation */
	if (decoder_raw_session->relation_dep_entries > 0)
		invalidate_dependents(DEP_RELATION, (uint32) relid, false);
}

static void
invalidate_syscache_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	if (!cache_active())
		return;
	invalidate_dependents(cacheid, hashvalue, hashvalue == 0);
}

/* A publication changed: every relation's decision may have. */
static void
invalidate_publication_cb(Datum arg, int cacheid, uint32 hashvalue)
{
	if (!cache_active() || !decoder_raw_session->follow_publications)
		return;
	decoder_raw_publications_invalidate();
	invalidate_dependents(0, 0, true);
}

static void
add_dep(DepList *deps, int cacheid, uint32 key)
{
	int			i;

	for (i = 0; i < deps->n; i++)
	{
		if (deps->items[i].cacheid == cacheid && deps->items[i].key == key)
			return;
	}
	if (deps->n == deps->max)
	{
		deps->max = Max(deps->max * 2, 8);
		deps->items = deps->items == NULL ?
			palloc(sizeof(DecoderRawDep) * deps->max) :
			repalloc(deps->items, sizeof(DecoderRawDep) * deps->max);
	}
	deps->items[deps->n].cacheid = cacheid;
	deps->items[deps->n].key = key;
	deps->n++;
}

static inline void
add_syscache_dep(DepList *deps, int cacheid, Oid oid)
{
	add_dep(deps, cacheid, GetSysCacheHashValue1(cacheid, ObjectIdGetDatum(oid)));
}

/* Are equal values of this type always the same value? */
static bool
type_is_image_equal(Oid typid, Oid collid)
{
	Oid			opclass = GetDefaultOpClass(typid, BTREE_AM_OID);
	Oid			opcintype;
	Oid			proc;

	if (!OidIsValid(opclass) || DR_EQUALIMAGE_DIFFERS_BY_MAJOR(typid))
		return false;
	opcintype = get_opclass_input_type(opclass);
	proc = get_opfamily_proc(get_opclass_family(opclass), opcintype, opcintype,
							 BTEQUALIMAGE_PROC);
	if (!OidIsValid(proc))
		return false;
	return DatumGetBool(OidFunctionCall1Coll(proc, collid,
											 ObjectIdGetDatum(opcintype)));
}

/* A type without parts: its equality is exact if it compares images. */
static void
leaf_facts(Oid typid, Oid collid, TypeFacts *facts)
{
	TypeCacheEntry *tce = lookup_type_cache(typid, TYPECACHE_EQ_OPR);

	if (!OidIsValid(tce->eq_opr))
		facts->equality = facts->exact = false;
	else if (!type_is_image_equal(typid, collid))
		facts->exact = false;
}

/* Built-in types whose text output depends on no session setting. */
static bool
is_setting_free_builtin(Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
		case CHAROID:
		case NAMEOID:
		case INT2OID:
		case INT4OID:
		case INT8OID:
		case OIDOID:
		case XIDOID:
		case XID8OID:
		case CIDOID:
		case TIDOID:
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case NUMERICOID:
		case UUIDOID:
		case JSONOID:
		case JSONBOID:
		case JSONPATHOID:
		case XMLOID:
		case BITOID:
		case VARBITOID:
		case INETOID:
		case CIDROID:
		case MACADDROID:
		case MACADDR8OID:
		case TSVECTOROID:
		case TSQUERYOID:
		case PG_LSNOID:
		case OIDVECTOROID:
		case INT2VECTOROID:
		case TXID_SNAPSHOTOID:
		case PG_SNAPSHOTOID:
			return true;
		default:
			return false;
	}
}

/*
 * Walk a column's type through domains, arrays, ranges and composites:
 * does its text output depend on session settings (DateStyle, IntervalStyle,
 * TimeZone, extra_float_digits, bytea_output, lc_monetary, search_path,
 * quote_all_identifiers; types of unknown provenance are assumed to), does
 * it hold composites, is its equality exact?  Every type met, its schema,
 * and every composite's relation become dependencies of the entry.
 */
static void
walk_type(Oid typid, Oid collid, bool top, TypeFacts *facts, DepList *deps)
{
	HeapTuple	tp;
	Form_pg_type typ;

	check_stack_depth();

	add_syscache_dep(deps, TYPEOID, typid);
	if (is_setting_free_builtin(typid))
	{
		leaf_facts(typid, collid, facts);
		return;
	}

	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(typid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for type %u", typid);
	typ = (Form_pg_type) GETSTRUCT(tp);
	add_syscache_dep(deps, NAMESPACEOID, typ->typnamespace);

	if (typ->typtype == TYPTYPE_DOMAIN)
		walk_type(typ->typbasetype, collid, top, facts, deps);
	else if (typ->typtype == TYPTYPE_ENUM)
		leaf_facts(typid, collid, facts);
	else if (OidIsValid(typ->typelem) && IsTrueArrayType(typ))
		walk_type(typ->typelem, collid, false, facts, deps);
	else if (typ->typtype == TYPTYPE_RANGE)
		walk_type(get_range_subtype(typid), get_range_collation(typid), false,
				  facts, deps);
	else if (typ->typtype == TYPTYPE_MULTIRANGE)
		walk_type(get_multirange_range(typid), collid, false, facts, deps);
	else if (typ->typtype == TYPTYPE_COMPOSITE)
	{
		TupleDesc	desc = lookup_rowtype_tupdesc(typid, -1);
		int			i;

		facts->composite = true;
		if (!top)
			facts->nested_composite = true;
		add_dep(deps, DEP_RELATION, (uint32) typ->typrelid);
		for (i = 0; i < desc->natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, i);

			if (!att->attisdropped)
				walk_type(att->atttypid, att->attcollation, false, facts, deps);
		}
		ReleaseTupleDesc(desc);
	}
	else
	{
		/* floats, dates, bytea, money, reg*, ... */
		facts->needs_gucs = true;
		leaf_facts(typid, collid, facts);
	}

	ReleaseSysCache(tp);
}

/* common/ knows the types with special constants by these OIDs. */
StaticAssertDecl(DR_BOOLOID == BOOLOID && DR_INT2OID == INT2OID &&
				 DR_INT4OID == INT4OID && DR_INT8OID == INT8OID &&
				 DR_NUMERICOID == NUMERICOID && DR_CASHOID == CASHOID,
				 "type OIDs of common/dr_common.h");

static DecoderRawColumnKind
column_kind(Oid typid)
{
	switch (typid)
	{
		case BOOLOID:
			return DR_COL_BOOL;
		case INT2OID:
			return DR_COL_INT2;
		case INT4OID:
			return DR_COL_INT4;
		case INT8OID:
			return DR_COL_INT8;
		case FLOAT4OID:
			return DR_COL_FLOAT4;
		case FLOAT8OID:
			return DR_COL_FLOAT8;
		case NUMERICOID:
			return DR_COL_NUMERIC;
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
			return DR_COL_TEXT;
		case BYTEAOID:
			return DR_COL_BYTEA;
		case DATEOID:
			return DR_COL_DATE;
		case TIMESTAMPOID:
			return DR_COL_TIMESTAMP;
		case TIMESTAMPTZOID:
			return DR_COL_TIMESTAMPTZ;
		case CASHOID:
			return DR_COL_MONEY;
		default:
			return DR_COL_GENERIC;
	}
}

/* The kinds written without going through the session's settings. */
static bool
kind_is_setting_free(DecoderRawColumnKind kind)
{
	return kind != DR_COL_GENERIC && kind != DR_COL_MONEY;
}

/* The rules' text of what a name or names become, in the current context. */
static char *
rules_text(StringInfo buf, dr_out **out, DecoderRawOut *o)
{
	initStringInfo(buf);
	*out = decoder_raw_out(o, buf);
	return buf->data;
}

/*
 * quote_identifier(), but a name holding a control character becomes a
 * U&"" identifier with escapes, so that every record stays on one line.
 * Callers have quote_all_identifiers off.  *quoted says whether it needs
 * quotes, as the binary format's flags say.
 */
static char *
quote_name(const char *name, bool *quoted)
{
	StringInfoData buf;
	DecoderRawOut o;
	dr_out	   *out;

	/* control characters are never left bare by quote_identifier() */
	*quoted = quote_identifier(name) != name;
	if (!*quoted)
		return (char *) name;
	rules_text(&buf, &out, &o);
	dr_append_ident(out, name, strlen(name), true);
	return buf.data;
}

static void
build_relation(DecoderRawRelation *entry, Relation rel)
{
	bool		save_quote_all = quote_all_identifiers;

	/* the output must not depend on the session's quote_all_identifiers */
	quote_all_identifiers = false;
	PG_TRY();
	{
		build_relation_guts(entry, rel);
	}
	PG_FINALLY();
	{
		quote_all_identifiers = save_quote_all;
	}
	PG_END_TRY();
}

/*
 * The type's name as a cast writes it: qualified, and the same on every
 * major (16 stopped qualifying json).
 */
static char *
qualified_type_name(Oid typid, int32 typmod)
{
#if DR_FORMAT_TYPE_UNQUALIFIED_JSON
	if (typid == JSONOID)
		return pstrdup("pg_catalog.json");
	if (typid == JSONARRAYOID)
		return pstrdup("pg_catalog.json[]");
#endif
	return format_type_extended(typid, typmod,
								FORMAT_TYPE_TYPEMOD_GIVEN |
								FORMAT_TYPE_FORCE_QUALIFY);
}

/*
 * How REPLICA IDENTITY FULL finds the very row by this column.  Binary
 * images are exact only where the stored value and the value parsed from
 * its text are bit-identical, which a composite stops being when ALTER TYPE
 * adds or drops an attribute: the stored value keeps its old layout.
 * *inexact, "equal values may differ", is cleared where fields compare
 * exactly.
 */
static dr_compare
column_comparison(Oid typid, bool has_equality, bool *inexact,
				  const TypeFacts *facts)
{
	if (!facts->composite)
		return has_equality && !*inexact ? DR_CMP_EQUAL : DR_CMP_IMAGE;

	/* field by field, each with its own equality, all of them exact */
	if (facts->exact && has_equality)
	{
		*inexact = false;
		return DR_CMP_EQUAL;
	}
	/* field by field, each by image, dropped ones skipped, missing NULL */
	if (type_is_rowtype(getBaseType(typid)) && !facts->nested_composite)
		return DR_CMP_RECORD_IMAGE;
	/* the text form, when no setting of either side changes it */
	if (!facts->needs_gucs)
		return DR_CMP_TEXT;

	/*
	 * Equal, and the same text form in the replaying session: equal values
	 * that differ (0 and -0, 1.5 and 1.50, 1 day and 24 hours) print
	 * differently under any setting.
	 */
	if (facts->equality && has_equality)
		return DR_CMP_EQUAL_TEXT;
	return DR_CMP_NONE;
}

/* The schema and name of a collation or an operator, as dependencies too. */
static void
catalog_name(int cacheid, Oid oid, char **nspname, char **name,
			 DepList *deps)
{
	HeapTuple	tp = SearchSysCache1(cacheid, ObjectIdGetDatum(oid));
	Oid			nspoid;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for %s %u",
			 cacheid == COLLOID ? "collation" : "operator", oid);
	if (cacheid == COLLOID)
	{
		Form_pg_collation coll = (Form_pg_collation) GETSTRUCT(tp);

		nspoid = coll->collnamespace;
		*name = pstrdup(NameStr(coll->collname));
	}
	else
	{
		Form_pg_operator op = (Form_pg_operator) GETSTRUCT(tp);

		nspoid = op->oprnamespace;
		*name = pstrdup(NameStr(op->oprname));
	}
	*nspname = get_namespace_name(nspoid);
	add_syscache_dep(deps, cacheid, oid);
	add_syscache_dep(deps, NAMESPACEOID, nspoid);
	ReleaseSysCache(tp);
}

static inline size_t
strlen0(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* The comparison of a key column, when the identity index's differs. */
static void
set_key_comparison(DecoderRawColumn *col, dr_column *rc, Oid collid,
				   Oid opr, DepList *deps)
{
	StringInfoData buf;
	DecoderRawOut o;
	dr_out	   *out;

	if (OidIsValid(collid))
		catalog_name(COLLOID, collid, &col->key_coll_nsp, &col->key_coll_name,
					 deps);
	if (OidIsValid(opr))
		catalog_name(OPEROID, opr, &col->key_opr_nsp, &col->key_opr_name,
					 deps);
	rules_text(&buf, &out, &o);
	dr_sql_key_comparison(out,
						  col->key_coll_nsp, strlen0(col->key_coll_nsp),
						  col->key_coll_name, strlen0(col->key_coll_name),
						  col->key_opr_nsp, strlen0(col->key_opr_nsp),
						  col->key_opr_name, strlen0(col->key_opr_name));
	rc->key_cmp = buf.data;
	rc->key_cmp_len = buf.len;
	rc->flags |= DR_BIN_COL_KEY_COMPARISON;
}

/*
 * Key columns are compared the way the identity index compares them: with
 * its collation and its operator class's equality, where they differ from
 * the column's own (a case-insensitive column with a "C" index would match
 * other rows than the index's).
 */
static void
identity_key_comparisons(DecoderRawRelation *entry, Relation rel,
						 DepList *deps)
{
	Oid			idxoid;
	Relation	idxrel;
	int			i;

	if (entry->full_identity || !entry->has_identity)
		return;
	idxoid = RelationGetReplicaIndex(rel);
	if (!OidIsValid(idxoid))
		return;
	idxrel = RelationIdGetRelation(idxoid);
	if (!RelationIsValid(idxrel))
		elog(ERROR, "could not open relation with OID %u", idxoid);

	for (i = 0; i < IndexRelationGetNumberOfKeyAttributes(idxrel); i++)
	{
		AttrNumber	attno = idxrel->rd_index->indkey.values[i];
		DecoderRawColumn *col;
		Oid			collid;
		Oid			opr = InvalidOid;

		if (attno <= 0 || attno > entry->natts)
			continue;
		col = &entry->cols[attno - 1];
		collid = idxrel->rd_indcollation[i];
		if (idxrel->rd_rel->relam == BTREE_AM_OID)
			opr = get_opfamily_member(idxrel->rd_opfamily[i],
									  idxrel->rd_opcintype[i],
									  idxrel->rd_opcintype[i],
									  BTEqualStrategyNumber);
		if (opr == lookup_type_cache(col->typid, TYPECACHE_EQ_OPR)->eq_opr)
			opr = InvalidOid;
		if (collid == TupleDescAttr(entry->desc, attno - 1)->attcollation)
			collid = InvalidOid;
		if ((OidIsValid(collid) || OidIsValid(opr)) &&
			decoder_raw_column_is(entry, attno - 1, DR_BIN_COL_KEY))
			set_key_comparison(col, &entry->rule_cols[attno - 1], collid, opr,
							   deps);
	}
	RelationClose(idxrel);
}

/*
 * The rendering hints of a column's type: how its equality compares, and
 * how REPLICA IDENTITY FULL finds the row by it.
 */
static uint32
equality_flags(DecoderRawRelation *entry, Form_pg_attribute att,
			   const TypeFacts *facts)
{
	TypeCacheEntry *tce = lookup_type_cache(att->atttypid, TYPECACHE_EQ_OPR);
	bool		has_equality = OidIsValid(tce->eq_opr);
	bool		inexact = false;
	uint32		flags = 0;
	dr_compare	full_cmp;

	if (has_equality)
	{
		Oid			left,
					right;

		op_input_types(tce->eq_opr, &left, &right);
		if (left == RECORDOID ||
			(left == OIDOID && getBaseType(att->atttypid) != OIDOID))
			flags |= DR_BIN_COL_CAST_EQUALITY;
		inexact = !type_is_image_equal(att->atttypid, att->attcollation);
	}
	else
		flags |= DR_BIN_COL_NO_EQUALITY;
	full_cmp = column_comparison(att->atttypid, has_equality, &inexact, facts);
	if (inexact)
		flags |= DR_BIN_COL_INEXACT_EQUALITY;
	if (entry->full_identity)
		flags |= dr_compare_flags(full_cmp);
	return flags;
}

/* Everything about one column but the identity index's comparison. */
static void
build_column(DecoderRawRelation *entry, Form_pg_attribute att,
			 DecoderRawColumn *col, dr_column *rc, Bitmapset *keys,
			 DepList *deps)
{
	Oid			typoutput;
	bool		quoted;
	TypeFacts	facts = {false, false, false, true, true};

	col->name = pstrdup(NameStr(att->attname));
	col->typid = att->atttypid;
	col->typmod = att->atttypmod;
	col->kind = column_kind(col->typid);
	getTypeOutputInfo(col->typid, &typoutput, &col->typisvarlena);
	fmgr_info_cxt(typoutput, &col->outfunc, entry->cxt);
	walk_type(col->typid, att->attcollation, true, &facts, deps);

	rc->name = col->name;
	rc->name_len = strlen(col->name);
	rc->quoted = quote_name(col->name, &quoted);
	rc->quoted_len = strlen(rc->quoted);
	rc->type_name = qualified_type_name(col->typid, col->typmod);
	rc->type_name_len = strlen(rc->type_name);
	rc->flags = equality_flags(entry, att, &facts);
	if (quoted)
		rc->flags |= DR_BIN_COL_QUOTED;
	if (bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, keys))
		rc->flags |= DR_BIN_COL_KEY;
	if (att->attgenerated == ATTRIBUTE_GENERATED_STORED)
		rc->flags |= DR_BIN_COL_GENERATED;
	if (att->attidentity == ATTRIBUTE_IDENTITY_ALWAYS)
	{
		rc->flags |= DR_BIN_COL_IDENTITY_ALWAYS;
		entry->has_identity_always = true;
	}
	if (!kind_is_setting_free(col->kind) && facts.needs_gucs)
		entry->needs_gucs = true;
}

/*
 * What is sent of the relation's changes: decided here, once per entry, so
 * that a rename into or out of a pattern takes effect with the rebuild its
 * invalidation causes.  Patterns match the name the changes are written
 * under: the root's with partitions-as-root.
 */
static void
relation_actions(DecoderRawRelation *entry, Relation rel, const char *nspname,
				 const char *relname)
{
	const DecoderRawOptions *options = decoder_raw_session->opts;

	entry->actions = 0;
	if (decoder_raw_table_selected(options, nspname, relname))
		entry->actions = options->actions & ~DR_ACTION_MESSAGE;
	if (entry->actions != 0 && options->publication_names != NIL)
		entry->actions &= decoder_raw_publication_actions(options, rel);
}

/*
 * Do the partition's old tuples hold the root's replica identity?  They
 * hold the partition's own key, which UPDATE and DELETE of the root need.
 */
static bool
root_identity_covered(DecoderRawRelation *entry, Relation root)
{
	Bitmapset  *keys;
	int			i;
	bool		ok = true;

	if (entry->full_identity)
		return true;
	if (root->rd_rel->relreplident == REPLICA_IDENTITY_FULL || !entry->has_identity)
		return false;
	keys = RelationGetIdentityKeyBitmap(root);
	i = -1;
	while ((i = bms_next_member(keys, i)) >= 0)
	{
		AttrNumber	attno = i + FirstLowInvalidHeapAttributeNumber;
		const char *name = NameStr(TupleDescAttr(RelationGetDescr(root), attno - 1)->attname);
		int			j;

		for (j = 0; j < entry->natts; j++)
		{
			if (!decoder_raw_column_is(entry, j, DR_COL_DROPPED) &&
				strcmp(entry->cols[j].name, name) == 0)
				break;
		}
		if (j == entry->natts ||
			!decoder_raw_column_is(entry, j, DR_BIN_COL_KEY))
			ok = false;
	}
	bms_free(keys);
	return ok;
}

/*
 * The decision, and with partitions-as-root the root a partition's changes
 * are written against, with the map of its tuples to the root's layout.
 */
static void
relation_filter(DecoderRawRelation *entry, Relation rel, DepList *deps)
{
	Relation	root;
	char	   *nspname;

	entry->root_relid = InvalidOid;
	entry->root_map = NULL;
	entry->root_identity_ok = true;
	if (!decoder_raw_session->opts->partitions_as_root ||
		!rel->rd_rel->relispartition)
	{
		relation_actions(entry, rel, entry->nspname, entry->relname);
		return;
	}

	entry->root_relid = llast_oid(get_partition_ancestors(entry->relid));
	root = RelationIdGetRelation(entry->root_relid);
	if (!RelationIsValid(root))
		elog(ERROR, "could not open relation with OID %u", entry->root_relid);
	add_dep(deps, DEP_RELATION, (uint32) entry->root_relid);
	add_syscache_dep(deps, NAMESPACEOID, RelationGetNamespace(root));
	nspname = get_namespace_name(RelationGetNamespace(root));
	relation_actions(entry, rel, nspname, RelationGetRelationName(root));
	entry->root_map = convert_tuples_by_name(entry->desc,
											 CreateTupleDescCopy(RelationGetDescr(root)));
	entry->root_identity_ok = root_identity_covered(entry, root);
	RelationClose(root);
}

/* The relation's names and flags as statements write them. */
static void
build_relation_rules(DecoderRawRelation *entry, Relation rel)
{
	dr_relation *rules = &entry->rules;
	StringInfoData buf;
	DecoderRawOut o;
	dr_out	   *out;
	bool		nsp_quoted;
	bool		rel_quoted;

	(void) quote_name(entry->nspname, &nsp_quoted);
	(void) quote_name(entry->relname, &rel_quoted);
	rules->flags = (nsp_quoted ? DR_BIN_REL_SCHEMA_QUOTED : 0) |
		(rel_quoted ? DR_BIN_REL_NAME_QUOTED : 0);
	/* with inheritance children, not for partitions: say ONLY */
	if (rel->rd_rel->relhassubclass &&
		entry->relkind != RELKIND_PARTITIONED_TABLE)
		rules->flags |= DR_BIN_REL_ONLY;

	rules_text(&buf, &out, &o);
	dr_append_ident(out, entry->nspname, strlen(entry->nspname), nsp_quoted);
	dr_putc(out, '.');
	dr_append_ident(out, entry->relname, strlen(entry->relname), rel_quoted);
	rules->qualname = buf.data;
	rules->qualname_len = buf.len;

	rules_text(&buf, &out, &o);
	dr_append_plain_ident(out, entry->nspname, strlen(entry->nspname),
						  nsp_quoted);
	dr_putc(out, '.');
	dr_append_plain_ident(out, entry->relname, strlen(entry->relname),
						  rel_quoted);
	rules->plain_qualname = buf.data;
	rules->plain_qualname_len = buf.len;

	rules->relkind = entry->relkind;
	rules->replident = entry->replident;
	rules->ncols = entry->natts;
	rules->cols = entry->rule_cols;
}

/* Every column, and the scratch space to deform tuples into. */
static void
build_columns(DecoderRawRelation *entry, Relation rel, DepList *deps)
{
	TupleDesc	desc = RelationGetDescr(rel);
	int			n = Max(desc->natts, 1);
	Bitmapset  *keys;
	int			i;

	/* key columns of the replica identity index, INCLUDE columns left out */
	keys = entry->full_identity ? NULL : RelationGetIdentityKeyBitmap(rel);
	entry->has_identity = entry->full_identity || !bms_is_empty(keys);

	entry->desc = CreateTupleDescCopyConstr(desc);	/* keeps missing values */
	entry->natts = desc->natts;
	entry->cols = palloc0(sizeof(DecoderRawColumn) * n);
	entry->rule_cols = palloc0(sizeof(dr_column) * n);
	entry->old_values = palloc(sizeof(Datum) * n);
	entry->old_nulls = palloc(sizeof(bool) * n);
	entry->new_values = palloc(sizeof(Datum) * n);
	entry->new_nulls = palloc(sizeof(bool) * n);
	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (att->attisdropped)
			entry->rule_cols[i].flags = DR_COL_DROPPED;
		else
			build_column(entry, att, &entry->cols[i], &entry->rule_cols[i],
						 keys, deps);
	}
	bms_free(keys);
}

static void
build_relation_guts(DecoderRawRelation *entry, Relation rel)
{
	MemoryContext oldcxt;
	DepList		deps = {NULL, 0, 0};
	int			i;

	release_entry(entry);
	entry->cxt = AllocSetContextCreate(decoder_raw_session->cache_cxt,
									   "decoder_raw relation",
									   ALLOCSET_SMALL_SIZES);
	MemoryContextCopyAndSetIdentifier(entry->cxt, RelationGetRelationName(rel));
	oldcxt = MemoryContextSwitchTo(entry->cxt);

	/* valid from now on, unless an invalidation arrives while we build */
	entry->valid = true;
	entry->sent = false;
	entry->nspname = get_namespace_name(RelationGetNamespace(rel));
	entry->relname = pstrdup(RelationGetRelationName(rel));
	add_syscache_dep(&deps, NAMESPACEOID, RelationGetNamespace(rel));
	entry->relkind = rel->rd_rel->relkind;
	entry->replident = rel->rd_rel->relreplident;
	entry->full_identity = (entry->replident == REPLICA_IDENTITY_FULL);
	entry->needs_gucs = false;
	entry->has_identity_always = false;

	build_columns(entry, rel, &deps);
	build_relation_rules(entry, rel);
	identity_key_comparisons(entry, rel, &deps);
	relation_filter(entry, rel, &deps);

	entry->deps = deps.items;
	entry->ndeps = deps.n;
	for (i = 0; i < deps.n; i++)
	{
		if (deps.items[i].cacheid == DEP_RELATION)
		{
			decoder_raw_session->relation_dep_entries++;
			break;
		}
	}
	MemoryContextSwitchTo(oldcxt);
}

/*
 * Look up (building it if needed) the cache entry of a relation.  Called in
 * the change callbacks, where the relation is open and catalog access uses
 * the historic snapshot of the change.
 */
DecoderRawRelation *
decoder_raw_get_relation(Relation rel)
{
	DecoderRawSession *session = decoder_raw_session;
	Oid			relid = RelationGetRelid(rel);
	DecoderRawRelation *entry = session->last_relation;
	bool		found;

	Assert(session->relations != NULL);

	if (entry != NULL && entry->relid == relid && entry->valid)
		return entry;

	entry = hash_search(session->relations, &relid, HASH_ENTER, &found);
	if (!found)
	{
		entry->valid = false;
		entry->cxt = NULL;
		entry->deps = NULL;
		entry->ndeps = 0;
		entry->writer_private = NULL;
		entry->id = session->next_relation_id++;
	}
	if (!entry->valid)
		build_relation(entry, rel);

	session->last_relation = entry;
	return entry;
}

/* The entry of the root a partition's changes are written against. */
DecoderRawRelation *
decoder_raw_get_root(DecoderRawRelation *entry)
{
	Relation	root = RelationIdGetRelation(entry->root_relid);
	DecoderRawRelation *result;

	if (!RelationIsValid(root))
		elog(ERROR, "could not open relation with OID %u", entry->root_relid);
	result = decoder_raw_get_relation(root);
	RelationClose(root);
	return result;
}

/* Look up the binary send function of a column, once. */
void
decoder_raw_column_prepare_send(DecoderRawColumn *col)
{
	HeapTuple	tp;
	Form_pg_type typ;

	if (col->send_ready)
		return;

	tp = SearchSysCache1(TYPEOID, ObjectIdGetDatum(col->typid));
	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for type %u", col->typid);
	typ = (Form_pg_type) GETSTRUCT(tp);
	col->has_send = OidIsValid(typ->typsend);
	if (col->has_send)
		fmgr_info_cxt(typ->typsend, &col->sendfunc,
					  GetMemoryChunkContext(col->name));
	ReleaseSysCache(tp);
	col->send_ready = true;
}
