/*-------------------------------------------------------------------------
 *
 * options.c
 *		Parsing and validation of decoder_raw's output plugin options.
 *
 * Options use hyphenated names, as test_decoding and wal2json do.  The names
 * of the older pg_plugins decoder_raw are accepted as aliases.  Every bad
 * input is an ERROR that names the option and what it accepts.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

#include "access/xact.h"
#include "nodes/makefuncs.h"
#include "replication/walsender.h"
#include "utils/builtins.h"
#include "utils/guc.h"

typedef enum OptionId
{
	OPT_FORMAT,
	OPT_FORMAT_VERSION,
	OPT_BINARY_VALUES,
	OPT_INCLUDE_TRANSACTION,
	OPT_SKIP_EMPTY_XACTS,
	OPT_INCLUDE_XIDS,
	OPT_INCLUDE_TIMESTAMP,
	OPT_INCLUDE_LSN,
	OPT_INCLUDE_ORIGIN,
	OPT_ORIGIN_PROGRESS,
	OPT_ONLY_LOCAL,
	OPT_FORWARD_ORIGINS,
	OPT_EXCLUDE_ORIGINS,
	OPT_MISSING_IDENTITY,
	OPT_MESSAGE_SIZE,
	OPT_INCLUDE_TABLES,
	OPT_EXCLUDE_TABLES,
	OPT_ACTIONS,
	OPT_INCLUDE_MESSAGE_PREFIXES,
	OPT_EXCLUDE_MESSAGE_PREFIXES,
	OPT_PUBLICATION_NAMES,
	OPT_PARTITIONS_AS_ROOT,
	OPT_GID_PREFIX,
	OPT_STREAM_CHANGES,
	NUM_OPTIONS
} OptionId;

typedef struct OptionName
{
	const char *name;
	OptionId	id;
} OptionName;

/* Aliases share the id of the option they stand for. */
static const OptionName option_names[] = {
	{"format", OPT_FORMAT},
	{"output_format", OPT_FORMAT},
	{"format-version", OPT_FORMAT_VERSION},
	{"binary-values", OPT_BINARY_VALUES},
	{"include-transaction", OPT_INCLUDE_TRANSACTION},
	{"include_transaction", OPT_INCLUDE_TRANSACTION},
	{"skip-empty-xacts", OPT_SKIP_EMPTY_XACTS},
	{"include-xids", OPT_INCLUDE_XIDS},
	{"include-timestamp", OPT_INCLUDE_TIMESTAMP},
	{"include-lsn", OPT_INCLUDE_LSN},
	{"include-origin", OPT_INCLUDE_ORIGIN},
	{"origin-progress", OPT_ORIGIN_PROGRESS},
	{"only-local", OPT_ONLY_LOCAL},
	{"forward-origins", OPT_FORWARD_ORIGINS},
	{"exclude-origins", OPT_EXCLUDE_ORIGINS},
	{"missing-identity", OPT_MISSING_IDENTITY},
	{"message-size", OPT_MESSAGE_SIZE},
	{"include-tables", OPT_INCLUDE_TABLES},
	{"add-tables", OPT_INCLUDE_TABLES},
	{"exclude-tables", OPT_EXCLUDE_TABLES},
	{"filter-tables", OPT_EXCLUDE_TABLES},
	{"actions", OPT_ACTIONS},
	{"include-message-prefixes", OPT_INCLUDE_MESSAGE_PREFIXES},
	{"exclude-message-prefixes", OPT_EXCLUDE_MESSAGE_PREFIXES},
	{"publication-names", OPT_PUBLICATION_NAMES},
	{"partitions-as-root", OPT_PARTITIONS_AS_ROOT},
	{"gid-prefix", OPT_GID_PREFIX},
	{"stream-changes", OPT_STREAM_CHANGES},
};

#define VALID_OPTIONS \
	"format, format-version, binary-values, include-transaction, " \
	"skip-empty-xacts, include-xids, include-timestamp, include-lsn, " \
	"include-origin, origin-progress, only-local, forward-origins, " \
	"exclude-origins, missing-identity, message-size, include-tables, " \
	"exclude-tables, actions, include-message-prefixes, " \
	"exclude-message-prefixes, publication-names, partitions-as-root, " \
	"gid-prefix, stream-changes"

static bool
parse_bool_option(DefElem *elem)
{
	bool		result;

	/* A bare option name means true, as in test_decoding. */
	if (elem->arg == NULL)
		return true;

	if (!parse_bool(strVal(elem->arg), &result))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for boolean option \"%s\"",
						strVal(elem->arg), elem->defname),
				 errhint("Valid values are \"on\", \"off\", \"true\", \"false\", \"1\" and \"0\".")));
	return result;
}

static char *
option_string(DefElem *elem, const char *accepts)
{
	if (elem->arg == NULL || strVal(elem->arg)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" requires a value", elem->defname),
				 errhint("Valid values are %s.", accepts)));
	return strVal(elem->arg);
}

/*
 * The next item of a comma-separated list, without the white space around
 * it: [*start, *end).  Returns false once the last item was returned.
 */
static bool
next_list_item(const char **p, const char **start, const char **end)
{
	const char *comma;

	if (*p == NULL)
		return false;
	comma = strchr(*p, ',');
	if (comma == NULL)
		comma = *p + strlen(*p);
	*start = *p;
	*end = comma;
	while (*start < *end && isspace((unsigned char) **start))
		(*start)++;
	while (*end > *start && isspace((unsigned char) (*end)[-1]))
		(*end)--;
	*p = *comma == '\0' ? NULL : comma + 1;
	return true;
}

/*
 * Split a comma-separated list of replication origin names or message
 * prefixes.  Both are free text, not identifiers: no case folding, only the
 * white space around each name is dropped.
 */
static List *
parse_name_list(DefElem *elem, const char *what, const char *What)
{
	char	   *value = option_string(elem, psprintf("a comma-separated list of %s", what));
	List	   *result = NIL;
	const char *p = value;
	const char *start;
	const char *end;

	while (next_list_item(&p, &start, &end))
	{
		if (start == end)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value \"%s\" for option \"%s\"",
							value, elem->defname),
					 errdetail("%s must not be empty.", What)));
		/* compared whole: origin names are text, of any length */
		result = lappend(result, pnstrdup(start, end - start));
	}

	return result;
}

/* actions: a comma-separated list of the kinds of changes sent */
static int
parse_actions(DefElem *elem)
{
	static const struct
	{
		const char *name;
		int			bit;
	}			names[] = {
		{"insert", DR_ACTION_INSERT},
		{"update", DR_ACTION_UPDATE},
		{"delete", DR_ACTION_DELETE},
		{"truncate", DR_ACTION_TRUNCATE},
		{"message", DR_ACTION_MESSAGE},
	};
	const char *value;
	const char *p;
	const char *start;
	const char *end;
	int			result = 0;

#define ACTIONS_HINT "Valid actions are \"insert\", \"update\", \"delete\", \"truncate\" and \"message\", separated by commas."
	if (elem->arg == NULL || strVal(elem->arg)[0] == '\0')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" requires a value", elem->defname),
				 errhint(ACTIONS_HINT)));
	value = strVal(elem->arg);

	p = value;
	while (next_list_item(&p, &start, &end))
	{
		char	   *word = pnstrdup(start, end - start);
		int			i;

		for (i = 0; i < lengthof(names); i++)
		{
			if (strcmp(word, names[i].name) == 0)
				break;
		}
		if (i == lengthof(names))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid action \"%s\" in option \"%s\"",
							word, elem->defname),
					 errhint(ACTIONS_HINT)));
		result |= names[i].bit;
	}
	return result;
}

/*
 * message-size: bytes, with or without a unit as in postgresql.conf
 * ("64kB"); 0 writes one record per message.
 */
#define MESSAGE_SIZE_VALUES \
	"0 (one record per message) and sizes up to 64MB, in bytes or with a unit (kB, MB)"

static int
parse_message_size(DefElem *elem)
{
	char	   *value = option_string(elem, MESSAGE_SIZE_VALUES);
	int			result;

	if (!parse_int(value, &result, GUC_UNIT_BYTE, NULL) ||
		result < 0 || result > DR_MAX_MESSAGE_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\"",
						value, elem->defname),
				 errhint("Valid values are %s.", MESSAGE_SIZE_VALUES)));
	return result;
}

/*
 * Default message-size.  A replication connection (an applier, a
 * pg_recvlogical) gets packed messages: its consumers read a stream, in
 * which packing changes no byte but the newlines pg_recvlogical adds in the
 * binary format.  The SQL functions keep one row per record in the SQL
 * format, whose rows people read and filter one statement at a time; in
 * the binary format, whose rows only a reader splits, they pack too.
 */
static int
default_message_size(const DecoderRawOptions *opts)
{
	if (am_walsender || opts->format == DR_FORMAT_BINARY)
		return DR_DEFAULT_MESSAGE_SIZE;
	return 0;
}

/*
 * gid-prefix goes before every GID written, so that a target that prepares
 * transactions of its own, or of several sources, keeps them apart.  What
 * is written must still fit in a GID.
 */
static char *
parse_gid_prefix(DefElem *elem)
{
	char	   *value = option_string(elem, "strings of 1 to 199 bytes");

	if (strlen(value) >= GIDSIZE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("value of option \"%s\" is too long", elem->defname),
				 errdetail("A GID holds at most %d bytes.", GIDSIZE - 1)));
	return value;
}

/*
 * Streamed transactions interleave: only a format whose consumer keeps
 * them apart per transaction can carry them.
 */
static void
check_stream_changes(const DecoderRawOptions *opts)
{
	if (!opts->stream_changes)
		return;
	if (opts->format != DR_FORMAT_BINARY)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("option \"stream-changes\" cannot be used with format \"sql\""),
				 errdetail("The SQL format is a script for one session, which cannot interleave the changes of transactions streamed before they commit."),
				 errhint("Use \"format\" \"binary\": its stream records say which transaction each change belongs to.")));
	if (!opts->include_transaction)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"stream-changes\" requires \"include-transaction\""),
				 errdetail("A streamed transaction is only known to be committed or aborted by its stream records.")));
}

void
decoder_raw_parse_options(List *options, DecoderRawOptions *opts)
{
	DefElem    *seen[NUM_OPTIONS] = {0};
	ListCell   *lc;

	memset(opts, 0, sizeof(DecoderRawOptions));
	opts->format = DR_FORMAT_SQL;
	opts->binary_output = false;
	opts->format_version = DR_BINARY_FORMAT_VERSION;
	opts->include_transaction = true;
	opts->missing_identity = DR_MISSING_IDENTITY_WARN;
	opts->actions = DR_ACTION_ALL;
	opts->gid_prefix = "";

	foreach(lc, options)
	{
		DefElem    *elem = lfirst(lc);
		int			i;
		OptionId	id = NUM_OPTIONS;

		Assert(elem->arg == NULL || IsA(elem->arg, String));

		for (i = 0; i < lengthof(option_names); i++)
		{
			if (strcmp(elem->defname, option_names[i].name) == 0)
			{
				id = option_names[i].id;
				break;
			}
		}

		if (id == NUM_OPTIONS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("unrecognized decoder_raw option \"%s\"",
							elem->defname),
					 errhint("Valid options are: %s.", VALID_OPTIONS)));

		if (seen[id] != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("option \"%s\" is specified more than once",
							elem->defname),
					 strcmp(seen[id]->defname, elem->defname) != 0 ?
					 errdetail("\"%s\" and \"%s\" are the same option.",
							   seen[id]->defname, elem->defname) : 0));
		seen[id] = elem;

		switch (id)
		{
			case OPT_FORMAT:
				{
					bool		alias = strcmp(elem->defname, "output_format") == 0;
					char	   *value = option_string(elem, alias ?
													  "\"textual\" and \"binary\"" :
													  "\"sql\" and \"binary\"");

					if (alias && strcmp(value, "textual") == 0)
						opts->format = DR_FORMAT_SQL;
					else if (alias && strcmp(value, "binary") == 0)
					{
						/* old meaning: the same SQL, flagged as binary */
						opts->format = DR_FORMAT_SQL;
						opts->binary_output = true;
					}
					else if (!alias && strcmp(value, "sql") == 0)
						opts->format = DR_FORMAT_SQL;
					else if (!alias && strcmp(value, "binary") == 0)
					{
						opts->format = DR_FORMAT_BINARY;
						opts->binary_output = true;
					}
					else
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("invalid value \"%s\" for option \"%s\"",
										value, elem->defname),
								 alias ?
								 errhint("Valid values are \"textual\" and \"binary\".") :
								 errhint("Valid values are \"sql\" and \"binary\".")));
					break;
				}
			case OPT_FORMAT_VERSION:
				{
					char	   *value = option_string(elem, CppAsString2(DR_BINARY_FORMAT_VERSION) ", the version this build writes");
					char	   *end;
					long		version;

					errno = 0;
					version = strtol(value, &end, 10);
					if (errno != 0 || *end != '\0' || end == value)
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("invalid value \"%s\" for option \"%s\"",
										value, elem->defname),
								 errhint("This build of decoder_raw writes binary format version %d.",
										 DR_BINARY_FORMAT_VERSION)));
					if (version != DR_BINARY_FORMAT_VERSION)
						ereport(ERROR,
								(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
								 errmsg("binary format version %ld is not supported",
										version),
								 version == 1 ?
								 errdetail("Version 1 put the origin record after the begin record, which records progress for aborted transactions on PostgreSQL 16 and later.") : 0,
								 errhint("This build of decoder_raw writes binary format version %d.",
										 DR_BINARY_FORMAT_VERSION)));
					opts->format_version = (int) version;
					break;
				}
			case OPT_BINARY_VALUES:
				opts->binary_values = parse_bool_option(elem);
				break;
			case OPT_INCLUDE_TRANSACTION:
				opts->include_transaction = parse_bool_option(elem);
				break;
			case OPT_SKIP_EMPTY_XACTS:
				opts->skip_empty_xacts = parse_bool_option(elem);
				break;
			case OPT_INCLUDE_XIDS:
				opts->include_xids = parse_bool_option(elem);
				break;
			case OPT_INCLUDE_TIMESTAMP:
				opts->include_timestamp = parse_bool_option(elem);
				break;
			case OPT_INCLUDE_LSN:
				opts->include_lsn = parse_bool_option(elem);
				break;
			case OPT_INCLUDE_ORIGIN:
				opts->include_origin = parse_bool_option(elem);
				break;
			case OPT_ORIGIN_PROGRESS:
				opts->origin_progress = parse_bool_option(elem);
				break;
			case OPT_ONLY_LOCAL:
				opts->only_local = parse_bool_option(elem);
				break;
			case OPT_FORWARD_ORIGINS:
				opts->forward_origins = parse_name_list(elem, "replication origin names",
												   "Replication origin names");
				break;
			case OPT_EXCLUDE_ORIGINS:
				opts->exclude_origins = parse_name_list(elem, "replication origin names",
												   "Replication origin names");
				break;
			case OPT_MISSING_IDENTITY:
				{
					char	   *value = option_string(elem, "\"warn\" and \"error\"");

					if (strcmp(value, "warn") == 0)
						opts->missing_identity = DR_MISSING_IDENTITY_WARN;
					else if (strcmp(value, "error") == 0)
						opts->missing_identity = DR_MISSING_IDENTITY_ERROR;
					else
						ereport(ERROR,
								(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
								 errmsg("invalid value \"%s\" for option \"%s\"",
										value, elem->defname),
								 errhint("Valid values are \"warn\" and \"error\".")));
					break;
				}
			case OPT_MESSAGE_SIZE:
				opts->message_size = parse_message_size(elem);
				break;
			case OPT_INCLUDE_TABLES:
				opts->include_tables = decoder_raw_parse_table_patterns(elem);
				break;
			case OPT_EXCLUDE_TABLES:
				opts->exclude_tables = decoder_raw_parse_table_patterns(elem);
				break;
			case OPT_ACTIONS:
				opts->actions = parse_actions(elem);
				break;
			case OPT_INCLUDE_MESSAGE_PREFIXES:
				opts->include_message_prefixes =
					parse_name_list(elem, "message prefixes",
									"Message prefixes");
				break;
			case OPT_EXCLUDE_MESSAGE_PREFIXES:
				opts->exclude_message_prefixes =
					parse_name_list(elem, "message prefixes",
									"Message prefixes");
				break;
			case OPT_PUBLICATION_NAMES:
				opts->publication_names =
					decoder_raw_parse_publication_names(elem);
				break;
			case OPT_PARTITIONS_AS_ROOT:
				opts->partitions_as_root = parse_bool_option(elem);
				break;
			case OPT_GID_PREFIX:
				opts->gid_prefix = parse_gid_prefix(elem);
				break;
			case OPT_STREAM_CHANGES:
				opts->stream_changes = parse_bool_option(elem);
				break;
			case NUM_OPTIONS:
				pg_unreachable();
		}
	}

	if (seen[OPT_MESSAGE_SIZE] == NULL)
		opts->message_size = default_message_size(opts);

	/* Combinations that contradict each other. */
	if (opts->forward_origins != NIL && opts->exclude_origins != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options \"forward-origins\" and \"exclude-origins\" cannot be used together")));
	if (opts->only_local && opts->forward_origins != NIL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options \"only-local\" and \"forward-origins\" cannot be used together"),
				 errdetail("\"only-local\" drops every change that \"forward-origins\" would forward.")));
	if (opts->origin_progress && !opts->include_transaction)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"origin-progress\" requires \"include-transaction\""),
				 errdetail("Origin progress is recorded with the commit of each replayed transaction.")));
	if (opts->format != DR_FORMAT_BINARY)
	{
		if (seen[OPT_BINARY_VALUES] != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"binary-values\" requires \"format\" \"binary\"")));
		if (seen[OPT_FORMAT_VERSION] != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"format-version\" requires \"format\" \"binary\"")));
	}
	check_stream_changes(opts);
}
