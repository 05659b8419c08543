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

/*
 * What an option's value is, and so what type its field has in
 * DecoderRawOptions.
 */
typedef enum OptionKind
{
	OPTION_BOOL,				/* bool; a bare option name means true */
	OPTION_ENUM,				/* int: the index of the value in values[] */
	OPTION_SIZE,				/* int: bytes, with or without a unit */
	OPTION_INT,					/* int: what parse_int returns */
	OPTION_NAME_LIST,			/* List of char *: free-text names */
	OPTION_LIST,				/* List *: what parse_list returns */
	OPTION_STRING				/* char *: what parse_string returns */
} OptionKind;

typedef struct OptionDef
{
	const char *name;
	const char *alias;			/* older name of the same option, or NULL */
	OptionKind	kind;
	size_t		offset;			/* of its field in DecoderRawOptions */
	int			dflt;			/* BOOL, ENUM, SIZE, INT: the default */
	const char *const *values;	/* ENUM: the accepted values, NULL-ended */
	int			min;			/* SIZE: the accepted range */
	int			max;
	const char *accepts;		/* SIZE: what is accepted; NAME_LIST: what the
								 * list holds */
	int			(*parse_int) (DefElem *elem, DecoderRawOptions *opts);
	List	   *(*parse_list) (DefElem *elem);
	char	   *(*parse_string) (DefElem *elem);
} OptionDef;

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
parse_name_list(DefElem *elem, const char *what)
{
	char	   *value = option_string(elem, psprintf("a comma-separated list of %s", what));
	List	   *result = NIL;
	const char *p = value;
	const char *start;
	const char *end;

	while (next_list_item(&p, &start, &end))
	{
		if (start == end)
		{
			char	   *What = pstrdup(what);

			What[0] = pg_toupper((unsigned char) What[0]);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("invalid value \"%s\" for option \"%s\"",
							value, elem->defname),
					 errdetail("%s must not be empty.", What)));
		}
		/* compared whole: origin names are text, of any length */
		result = lappend(result, pnstrdup(start, end - start));
	}

	return result;
}


/*
 * "A", "A and B" or "A, B and C", each quoted: the values an ENUM option
 * accepts, as its hint lists them.
 */
static char *
enum_values_text(const char *const *values)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	for (i = 0; values[i] != NULL; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, values[i + 1] == NULL ? " and " : ", ");
		appendStringInfo(&buf, "\"%s\"", values[i]);
	}
	return buf.data;
}

static int
parse_enum_option(DefElem *elem, const char *const *values)
{
	char	   *accepts = enum_values_text(values);
	char	   *value = option_string(elem, accepts);
	int			i;

	for (i = 0; values[i] != NULL; i++)
	{
		if (strcmp(value, values[i]) == 0)
			return i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value \"%s\" for option \"%s\"",
					value, elem->defname),
			 errhint("Valid values are %s.", accepts)));
	return 0;					/* keep compiler quiet */
}

/* bytes, with or without a unit as in postgresql.conf ("64kB") */
static int
parse_size_option(DefElem *elem, int min, int max, const char *accepts)
{
	char	   *value = option_string(elem, accepts);
	int			result;

	if (!parse_int(value, &result, GUC_UNIT_BYTE, NULL) ||
		result < min || result > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\"",
						value, elem->defname),
				 errhint("Valid values are %s.", accepts)));
	return result;
}

/*
 * format: "sql" or "binary".  Its alias output_format, the option of the
 * older decoder_raw, takes "textual" and "binary", which wrote the same SQL
 * flagged as binary output.
 */
static int
parse_format(DefElem *elem, DecoderRawOptions *opts)
{
	bool		alias = strcmp(elem->defname, "output_format") == 0;
	const char *accepts;
	char	   *value;

	accepts = alias ? "\"textual\" and \"binary\"" : "\"sql\" and \"binary\"";
	value = option_string(elem, accepts);

	if (strcmp(value, "binary") == 0)
	{
		opts->binary_output = true;
		return alias ? DR_FORMAT_SQL : DR_FORMAT_BINARY;
	}
	if (strcmp(value, alias ? "textual" : "sql") == 0)
		return DR_FORMAT_SQL;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value \"%s\" for option \"%s\"",
					value, elem->defname),
			 errhint("Valid values are %s.", accepts)));
	return DR_FORMAT_SQL;		/* keep compiler quiet */
}

/* format-version: only the version this build writes */
static int
parse_format_version(DefElem *elem, DecoderRawOptions *opts)
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
	return (int) version;
}

/* actions: a comma-separated list of the kinds of changes sent */
static int
parse_actions(DefElem *elem, DecoderRawOptions *opts)
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

static const char *const missing_identity_values[] = {"warn", "error", NULL};

StaticAssertDecl(DR_MISSING_IDENTITY_WARN == 0 && DR_MISSING_IDENTITY_ERROR == 1,
				 "missing_identity_values lists the values in their order");
StaticAssertDecl(sizeof(DecoderRawFormat) == sizeof(int) &&
				 sizeof(DecoderRawMissingIdentity) == sizeof(int),
				 "enum fields are set as int");

#define MESSAGE_SIZE_VALUES \
	"0 (one record per message) and sizes up to 64MB, in bytes or with a unit (kB, MB)"

/* One line of option_defs for each kind, fields in their order. */
#define FIELD(f) offsetof(DecoderRawOptions, f)
#define BOOL_OPTION(name, alias, f, dflt) \
	{name, alias, OPTION_BOOL, FIELD(f), dflt, NULL, 0, 0, NULL, NULL, NULL, NULL}
#define ENUM_OPTION(name, alias, f, dflt, values) \
	{name, alias, OPTION_ENUM, FIELD(f), dflt, values, 0, 0, NULL, NULL, NULL, NULL}
#define SIZE_OPTION(name, alias, f, dflt, min, max, accepts) \
	{name, alias, OPTION_SIZE, FIELD(f), dflt, NULL, min, max, accepts, NULL, NULL, NULL}
#define INT_OPTION(name, alias, f, dflt, parse) \
	{name, alias, OPTION_INT, FIELD(f), dflt, NULL, 0, 0, NULL, parse, NULL, NULL}
#define NAME_LIST_OPTION(name, alias, f, what) \
	{name, alias, OPTION_NAME_LIST, FIELD(f), 0, NULL, 0, 0, what, NULL, NULL, NULL}
#define LIST_OPTION(name, alias, f, parse) \
	{name, alias, OPTION_LIST, FIELD(f), 0, NULL, 0, 0, NULL, NULL, parse, NULL}
#define STRING_OPTION(name, alias, f, parse) \
	{name, alias, OPTION_STRING, FIELD(f), 0, NULL, 0, 0, NULL, NULL, NULL, parse}

/*
 * Every option, in the order the hint for an unknown option lists them.
 * message-size is the bytes per output message; 0 writes one record per
 * message, and its default is default_message_size()'s.
 */
static const OptionDef option_defs[] = {
	INT_OPTION("format", "output_format", format, DR_FORMAT_SQL, parse_format),
	INT_OPTION("format-version", NULL, format_version, DR_BINARY_FORMAT_VERSION,
			   parse_format_version),
	BOOL_OPTION("binary-values", NULL, binary_values, false),
	BOOL_OPTION("include-transaction", "include_transaction", include_transaction, true),
	BOOL_OPTION("skip-empty-xacts", NULL, skip_empty_xacts, false),
	BOOL_OPTION("include-xids", NULL, include_xids, false),
	BOOL_OPTION("include-timestamp", NULL, include_timestamp, false),
	BOOL_OPTION("include-lsn", NULL, include_lsn, false),
	BOOL_OPTION("include-origin", NULL, include_origin, false),
	BOOL_OPTION("origin-progress", NULL, origin_progress, false),
	BOOL_OPTION("only-local", NULL, only_local, false),
	NAME_LIST_OPTION("forward-origins", NULL, forward_origins,
					 "replication origin names"),
	NAME_LIST_OPTION("exclude-origins", NULL, exclude_origins,
					 "replication origin names"),
	ENUM_OPTION("missing-identity", NULL, missing_identity,
				DR_MISSING_IDENTITY_WARN, missing_identity_values),
	SIZE_OPTION("message-size", NULL, message_size, 0,
				0, DR_MAX_MESSAGE_SIZE, MESSAGE_SIZE_VALUES),
	LIST_OPTION("include-tables", "add-tables", include_tables,
				decoder_raw_parse_table_patterns),
	LIST_OPTION("exclude-tables", "filter-tables", exclude_tables,
				decoder_raw_parse_table_patterns),
	INT_OPTION("actions", NULL, actions, DR_ACTION_ALL, parse_actions),
	NAME_LIST_OPTION("include-message-prefixes", NULL, include_message_prefixes,
					 "message prefixes"),
	NAME_LIST_OPTION("exclude-message-prefixes", NULL, exclude_message_prefixes,
					 "message prefixes"),
	LIST_OPTION("publication-names", NULL, publication_names,
				decoder_raw_parse_publication_names),
	BOOL_OPTION("partitions-as-root", NULL, partitions_as_root, false),
	STRING_OPTION("gid-prefix", NULL, gid_prefix, parse_gid_prefix),
	BOOL_OPTION("stream-changes", NULL, stream_changes, false),
};

#define NUM_OPTIONS lengthof(option_defs)

/* The option a name or alias stands for; ERROR if none. */
static int
find_option(const char *name)
{
	StringInfoData valid;
	int			i;

	for (i = 0; i < NUM_OPTIONS; i++)
	{
		if (strcmp(name, option_defs[i].name) == 0 ||
			(option_defs[i].alias != NULL &&
			 strcmp(name, option_defs[i].alias) == 0))
			return i;
	}

	initStringInfo(&valid);
	for (i = 0; i < NUM_OPTIONS; i++)
		appendStringInfo(&valid, "%s%s", i > 0 ? ", " : "", option_defs[i].name);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unrecognized decoder_raw option \"%s\"", name),
			 errhint("Valid options are: %s.", valid.data)));
	return -1;					/* keep compiler quiet */
}

/* Every field of an option given no value holds its default. */
static void
set_defaults(DecoderRawOptions *opts)
{
	int			i;

	memset(opts, 0, sizeof(DecoderRawOptions));
	for (i = 0; i < NUM_OPTIONS; i++)
	{
		const OptionDef *def = &option_defs[i];
		char	   *field = (char *) opts + def->offset;

		if (def->kind == OPTION_BOOL)
			*(bool *) field = (bool) def->dflt;
		else if (def->kind == OPTION_STRING)
			*(const char **) field = "";
		else if (def->kind != OPTION_NAME_LIST && def->kind != OPTION_LIST)
			*(int *) field = def->dflt;
	}
}

static void
set_option(const OptionDef *def, DefElem *elem, DecoderRawOptions *opts)
{
	char	   *field = (char *) opts + def->offset;

	switch (def->kind)
	{
		case OPTION_BOOL:
			*(bool *) field = parse_bool_option(elem);
			break;
		case OPTION_ENUM:
			*(int *) field = parse_enum_option(elem, def->values);
			break;
		case OPTION_SIZE:
			*(int *) field = parse_size_option(elem, def->min, def->max,
											   def->accepts);
			break;
		case OPTION_INT:
			*(int *) field = def->parse_int(elem, opts);
			break;
		case OPTION_NAME_LIST:
			*(List **) field = parse_name_list(elem, def->accepts);
			break;
		case OPTION_LIST:
			*(List **) field = def->parse_list(elem);
			break;
		case OPTION_STRING:
			*(char **) field = def->parse_string(elem);
			break;
	}
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

/* Whether the option of that name was given. */
static bool
option_given(DefElem **seen, const char *name)
{
	return seen[find_option(name)] != NULL;
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

/* Defaults that depend on other options, and combinations that conflict. */
static void
check_options(DefElem **seen, DecoderRawOptions *opts)
{
	if (!option_given(seen, "message-size"))
		opts->message_size = default_message_size(opts);

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
		if (option_given(seen, "binary-values"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"binary-values\" requires \"format\" \"binary\"")));
		if (option_given(seen, "format-version"))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"format-version\" requires \"format\" \"binary\"")));
	}
	check_stream_changes(opts);
}

void
decoder_raw_parse_options(List *options, DecoderRawOptions *opts)
{
	DefElem    *seen[NUM_OPTIONS] = {0};
	ListCell   *lc;

	set_defaults(opts);

	foreach(lc, options)
	{
		DefElem    *elem = lfirst(lc);
		int			i;

		Assert(elem->arg == NULL || IsA(elem->arg, String));

		i = find_option(elem->defname);
		if (seen[i] != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("option \"%s\" is specified more than once",
							elem->defname),
					 strcmp(seen[i]->defname, elem->defname) != 0 ?
					 errdetail("\"%s\" and \"%s\" are the same option.",
							   seen[i]->defname, elem->defname) : 0));
		seen[i] = elem;
		set_option(&option_defs[i], elem, opts);
	}

	check_options(seen, opts);
}
