/*-------------------------------------------------------------------------
 *
 * filter.c
 *		What decoder_raw sends: table patterns, actions, message prefixes
 *		and publications.
 *
 * Options are parsed once at startup.  The decision for a relation is made
 * when its cache entry is built (relcache.c) and kept there, so no pattern
 * is matched per change; invalidations rebuild it.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "catalog/partition.h"
#include "catalog/pg_publication.h"
#include "catalog/pg_publication_rel.h"
#include "parser/scansup.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

/*
 * One half of a pattern: a literal name (quoted in the option) or an
 * unquoted one, folded to lower case, in which '*' matches any run of
 * characters.
 */
typedef struct NamePattern
{
	char	   *text;
	bool		wildcard;		/* holds a '*' that is a wildcard */
} NamePattern;

struct DecoderRawTablePattern
{
	NamePattern nsp;
	NamePattern rel;
};

#define PATTERN_HINT \
	"Patterns are schema.table, with * matching any characters; write \"...\" around a name that holds dots, commas, upper case, spaces or *."

static void
pattern_error(DefElem *elem, const char *item, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid table pattern \"%s\" in option \"%s\"",
					item, elem->defname),
			 errdetail("%s", why),
			 errhint(PATTERN_HINT)));
}

/*
 * Parse one half of a pattern at *p; returns where it stopped (at '.', ','
 * or the end).
 */
static const char *
parse_name_pattern(DefElem *elem, const char *item, const char *p,
				   NamePattern *np)
{
	StringInfoData buf;

	initStringInfo(&buf);
	np->wildcard = false;
	if (*p == '"')
	{
		for (p++;; p++)
		{
			if (*p == '\0')
				pattern_error(elem, item, "A quoted name is not terminated.");
			if (*p == '"')
			{
				if (p[1] != '"')
					break;
				p++;
			}
			appendStringInfoChar(&buf, *p);
		}
		p++;
		if (buf.len == 0)
			pattern_error(elem, item, "A quoted name is empty.");
	}
	else
	{
		const char *start = p;

		while (*p != '\0' && *p != '.' && *p != ',')
		{
			if (*p == '"')
				pattern_error(elem, item, "A double quote must open a name.");
			if (isspace((unsigned char) *p))
			{
				const char *q = p;

				/* white space may end the name, not split it */
				while (isspace((unsigned char) *q))
					q++;
				if (*q != '\0' && *q != '.' && *q != ',')
					pattern_error(elem, item, "An unquoted name cannot hold spaces.");
				break;
			}
			if (*p == '*')
				np->wildcard = true;
			p++;
		}
		if (p == start)
			pattern_error(elem, item, "A name is empty.");
		appendStringInfoString(&buf,
							   downcase_identifier(start, p - start, false, false));
	}
	np->text = buf.data;
	return p;
}

/*
 * Parse include-tables and exclude-tables: schema.table patterns separated
 * by commas, white space around them ignored.
 */
List *
decoder_raw_parse_table_patterns(DefElem *elem)
{
	const char *value;
	const char *p;
	List	   *result = NIL;

	if (elem->arg == NULL || strVal(elem->arg)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" requires a value", elem->defname),
				 errhint(PATTERN_HINT)));
	value = strVal(elem->arg);

	for (p = value;;)
	{
		DecoderRawTablePattern *pat = palloc(sizeof(DecoderRawTablePattern));
		const char *item;
		const char *end;

		while (isspace((unsigned char) *p))
			p++;
		/* the item as written, for the messages */
		end = p;
		{
			bool		quoted = false;

			while (*end != '\0' && (quoted || *end != ','))
			{
				if (*end == '"')
					quoted = !quoted;
				end++;
			}
		}
		item = pnstrdup(p, end - p);
		if (*item == '\0')
			pattern_error(elem, item, "A pattern is empty.");

		p = parse_name_pattern(elem, item, p, &pat->nsp);
		while (isspace((unsigned char) *p))
			p++;
		if (*p != '.')
			pattern_error(elem, item, *p == '"' ?
						  "A double quote must open a name." :
						  "A pattern must name a schema and a table, separated by a dot.");
		p++;
		while (isspace((unsigned char) *p))
			p++;
		p = parse_name_pattern(elem, item, p, &pat->rel);
		while (isspace((unsigned char) *p))
			p++;
		if (*p == '.')
			pattern_error(elem, item, "A pattern has one dot, between the schema and the table.");
		if (*p != ',' && *p != '\0')
			pattern_error(elem, item, "A quoted name must end its half of the pattern.");
		result = lappend(result, pat);
		if (*p == '\0')
			break;
		p++;
	}
	return result;
}

/* Does name match the glob pattern (with '*' only)? */
static bool
glob_match(const char *pat, const char *name)
{
	const char *star = NULL;
	const char *retry = NULL;

	while (*name != '\0')
	{
		if (*pat == '*')
		{
			star = pat++;
			retry = name;
		}
		else if (*pat == *name)
		{
			pat++;
			name++;
		}
		else if (star != NULL)
		{
			pat = star + 1;
			name = ++retry;
		}
		else
			return false;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static bool
name_matches(const NamePattern *np, const char *name)
{
	if (!np->wildcard)
		return strcmp(np->text, name) == 0;
	return glob_match(np->text, name);
}

static bool
patterns_match(List *patterns, const char *nspname, const char *relname)
{
	ListCell   *lc;

	foreach(lc, patterns)
	{
		DecoderRawTablePattern *pat = lfirst(lc);

		if (name_matches(&pat->nsp, nspname) && name_matches(&pat->rel, relname))
			return true;
	}
	return false;
}

/* Is the table of that name selected by include-tables and exclude-tables? */
bool
decoder_raw_table_selected(const DecoderRawOptions *opts,
						   const char *nspname, const char *relname)
{
	if (opts->include_tables != NIL &&
		!patterns_match(opts->include_tables, nspname, relname))
		return false;
	return !patterns_match(opts->exclude_tables, nspname, relname);
}

/* Is a message with this prefix sent? */
bool
decoder_raw_message_selected(const DecoderRawOptions *opts, const char *prefix)
{
	ListCell   *lc;
	bool		included = opts->include_message_prefixes == NIL;

	if ((opts->actions & DR_ACTION_MESSAGE) == 0)
		return false;
	foreach(lc, opts->include_message_prefixes)
	{
		if (strcmp(lfirst(lc), prefix) == 0)
			included = true;
	}
	if (!included)
		return false;
	foreach(lc, opts->exclude_message_prefixes)
	{
		if (strcmp(lfirst(lc), prefix) == 0)
			return false;
	}
	return true;
}

/* ----------
 * Publications
 *
 * The named publications are looked up when a relation's entry is first
 * built and again after an invalidation of pg_publication,
 * pg_publication_rel or pg_publication_namespace, with the catalogs as of
 * the change being decoded, as pgoutput does.
 * ----------
 */
void
decoder_raw_publications_invalidate(void)
{
	if (decoder_raw_session != NULL)
		decoder_raw_session->publications_valid = false;
}

/*
 * Row filters and column lists are not honoured: a publication that has
 * one is an error, rather than rows or columns sent that it leaves out.
 */
static void
check_publication_supported(Publication *pub)
{
	List	   *relids;
	ListCell   *lc;

	if (pub->alltables)
		return;
	relids = GetPublicationRelations(pub->oid, PUBLICATION_PART_ROOT);
	foreach(lc, relids)
	{
		Oid			relid = lfirst_oid(lc);
		HeapTuple	tp;
		bool		qual_null;
		bool		attrs_null;

		tp = SearchSysCache2(PUBLICATIONRELMAP, ObjectIdGetDatum(relid),
							 ObjectIdGetDatum(pub->oid));
		if (!HeapTupleIsValid(tp))
			continue;
		(void) SysCacheGetAttr(PUBLICATIONRELMAP, tp,
							   Anum_pg_publication_rel_prqual, &qual_null);
		(void) SysCacheGetAttr(PUBLICATIONRELMAP, tp,
							   Anum_pg_publication_rel_prattrs, &attrs_null);
		ReleaseSysCache(tp);
		if (!qual_null || !attrs_null)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("publication \"%s\" named in option \"publication-names\" has a %s for table \"%s.%s\"",
							pub->name, !qual_null ? "row filter" : "column list",
							get_namespace_name(get_rel_namespace(relid)),
							get_rel_name(relid)),
					 errdetail("decoder_raw does not apply row filters or column lists: it would send rows or columns that the publication leaves out.")));
	}
	list_free(relids);
}

/* The session's publications, in its cache context. */
static List *
load_publications(const DecoderRawOptions *opts)
{
	DecoderRawSession *session = decoder_raw_session;
	MemoryContext old;
	ListCell   *lc;

	if (session->publications_valid)
		return session->publications;
	if (session->publications_cxt == NULL)
		session->publications_cxt =
			AllocSetContextCreate(session->cache_cxt,
								  "decoder_raw publications",
								  ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(session->publications_cxt);
	session->publications = NIL;

	old = MemoryContextSwitchTo(session->publications_cxt);
	foreach(lc, opts->publication_names)
	{
		char	   *name = lfirst(lc);
		Publication *pub = GetPublicationByName(name, true);

		if (pub == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_OBJECT),
					 errmsg("publication \"%s\" named in option \"publication-names\" does not exist",
							name)));
		check_publication_supported(pub);
		session->publications = lappend(session->publications, pub);
	}
	MemoryContextSwitchTo(old);
	session->publications_valid = true;
	return session->publications;
}

/* Is the relation, or its schema, in the publication? */
static bool
relation_in_publication(Oid pubid, List *pubids, Oid nspid)
{
	return list_member_oid(pubids, pubid) ||
		list_member_oid(GetSchemaPublications(nspid), pubid);
}

/*
 * The actions that the named publications publish for the relation.  A
 * partition is published when it or one of its ancestors is, as pgoutput
 * decides.
 */
int
decoder_raw_publication_actions(const DecoderRawOptions *opts, Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	List	   *pubids;
	List	   *ancestors = NIL;
	ListCell   *lc;
	int			actions = 0;
	List	   *publications = load_publications(opts);

	if (!is_publishable_relation(rel))
		return 0;
	pubids = GetRelationPublications(relid);
	if (rel->rd_rel->relispartition)
		ancestors = get_partition_ancestors(relid);

	foreach(lc, publications)
	{
		Publication *pub = lfirst(lc);
		bool		published = pub->alltables ||
		relation_in_publication(pub->oid, pubids, RelationGetNamespace(rel));
		ListCell   *lc2;

		foreach(lc2, ancestors)
		{
			Oid			ancestor = lfirst_oid(lc2);

			if (published)
				break;
			published = relation_in_publication(pub->oid,
												GetRelationPublications(ancestor),
												get_rel_namespace(ancestor));
		}
		if (!published)
			continue;
		if (pub->pubactions.pubinsert)
			actions |= DR_ACTION_INSERT;
		if (pub->pubactions.pubupdate)
			actions |= DR_ACTION_UPDATE;
		if (pub->pubactions.pubdelete)
			actions |= DR_ACTION_DELETE;
		if (pub->pubactions.pubtruncate)
			actions |= DR_ACTION_TRUNCATE;
	}
	return actions;
}

/* publication-names: identifiers, as pgoutput's publication_names */
List *
decoder_raw_parse_publication_names(DefElem *elem)
{
	List	   *result = NIL;

	if (elem->arg == NULL || strVal(elem->arg)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" requires a value", elem->defname),
				 errhint("Valid values are a comma-separated list of publication names.")));
	if (!SplitIdentifierString(pstrdup(strVal(elem->arg)), ',', &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_NAME),
				 errmsg("invalid value \"%s\" for option \"%s\"",
						strVal(elem->arg), elem->defname),
				 errhint("Valid values are a comma-separated list of publication names, quoted as identifiers.")));
	return result;
}
