/*-------------------------------------------------------------------------
 *
 * copy.c
 *		decoder_raw_apply: --copy-data, the initial copy of the tables.
 *
 * The slot is created with an exported snapshot; a second, ordinary
 * session on the source imports it and copies every table under it, COPY
 * TO piped into COPY FROM on the target, with no file in between.  Rows
 * committed before the slot's consistent point are in the snapshot, those
 * committed after it come from the slot: each once.  On the target the
 * whole copy is one transaction of the applier's session, bound to its
 * origin, whose commit records the consistent point as the origin's
 * progress: streaming starts there, and an applier that dies during the
 * copy leaves nothing, to be copied again by the next run.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply.h"
#include "../common/dr_common.h"

/*
 * The text COPY writes on the source reads back as the same value on the
 * target whatever their settings: fixed where output or input depends on
 * them.  With row_security off, a policy that would hide rows is an error
 * rather than a partial copy, as in pg_dump.  Timeouts would cut a long
 * copy.
 */
#define SOURCE_SETTINGS \
	"SET DateStyle = 'ISO, YMD'; SET IntervalStyle = postgres; SET TimeZone = UTC; " \
	"SET extra_float_digits = 3; SET bytea_output = hex; SET lc_monetary = 'C'; " \
	"SET row_security = off; SET statement_timeout = 0; " \
	"SET idle_in_transaction_session_timeout = 0"
#define TARGET_SETTINGS \
	"SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = postgres; " \
	"SET LOCAL lc_monetary = 'C'; SET LOCAL statement_timeout = 0"

/*
 * What the stream would decode: the permanent tables that hold rows
 * (partitions included, partitioned tables being empty), outside the
 * system schemas.  Stored generated columns are computed by the target.
 * $1: partitions-as-root, which writes a partition's rows to its root.
 */
#define LIST_TABLES \
	"SELECT format('%I.%I', n.nspname, c.relname)," \
	" CASE WHEN $1 AND c.relispartition THEN" \
	"  (SELECT format('%I.%I', rn.nspname, r.relname) FROM pg_catalog.pg_class r" \
	"   JOIN pg_catalog.pg_namespace rn ON rn.oid = r.relnamespace" \
	"   WHERE r.oid = pg_catalog.pg_partition_root(c.oid))" \
	" ELSE format('%I.%I', n.nspname, c.relname) END," \
	" coalesce((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)" \
	"  FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0" \
	"  AND NOT a.attisdropped AND a.attgenerated = ''), '')" \
	" FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace" \
	" WHERE c.relkind = 'r' AND c.relpersistence = 'p'" \
	" AND n.nspname NOT IN ('pg_catalog', 'information_schema')" \
	" AND n.nspname !~ '^pg_toast'" \
	" ORDER BY n.nspname COLLATE \"C\", c.relname COLLATE \"C\""

/* a progress line per this many seconds of one table, by default */
#define PROGRESS_SECONDS 10

typedef struct CopyTable
{
	char	   *name;			/* on the source, schema-qualified, quoted */
	char	   *target;			/* where its rows go: the same or its root */
	char	   *columns;		/* quoted, comma-separated; may be empty */
} CopyTable;

typedef struct CopyState
{
	Applier    *a;
	PGconn	   *snap;			/* the source session in the snapshot */
	lsn_t		consistent;		/* the slot's consistent point */
	char	   *snapshot;
	bool		created;		/* this run created the slot */
	CopyTable  *tables;
	int			ntables;
	uint64_t	rows;
	uint64_t	bytes;
	int64_t		started;
} CopyState;

/* lost connection, or an error of the server; the message names which */
static ApplyResult
copy_failure(PGconn *conn, PGresult *res, const char *what, const char *server)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(conn);
	int			len = (int) strlen(msg);

	if (len > 0 && msg[len - 1] == '\n')
		len--;
	log_error("%s, on the %s: %.*s", what, server, len, msg);
	if (PQstatus(conn) == CONNECTION_BAD ||
		(state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)))
		return AR_LOST;
	return AR_ERROR;
}

/* run a command that returns no rows, or only rows to ignore */
static ApplyResult
exec_ok(PGconn *conn, const char *sql, const char *what, const char *server)
{
	PGresult   *res = PQexec(conn, sql);
	ApplyResult r = AR_OK;

	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		r = copy_failure(conn, res, what, server);
	PQclear(res);
	return r;
}

/* a replication command naming the slot: NAME "slot" REST */
static char *
slot_command(const char *name, const char *slot, const char *rest)
{
	char	   *cmd = xmalloc(strlen(name) + 2 * strlen(slot) + strlen(rest) + 8);
	char	   *p = cmd + sprintf(cmd, "%s \"", name);

	for (; *slot; slot++)
	{
		if (*slot == '"')
			*p++ = '"';
		*p++ = *slot;
	}
	sprintf(p, "\" %s", rest);
	return cmd;
}

/*
 * Drop the slot, which this run created or which a copy that did not
 * finish left; the walsender of a killed applier may still hold it.
 */
static ApplyResult
drop_slot(Applier *a)
{
	char	   *cmd = slot_command("DROP_REPLICATION_SLOT", a->opts->slot, "");
	PGresult   *res = PQexec(a->src, cmd);
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	ApplyResult r = AR_OK;

	free(cmd);
	if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK)
		a->slot_missing = true;
	else if (state != NULL && strcmp(state, "55006") == 0)
	{
		log_info("replication slot \"%s\" is still in use, waiting", a->opts->slot);
		r = AR_BUSY;
	}
	else
		r = copy_failure(a->src, res, "could not drop the replication slot", "source");
	PQclear(res);
	return r;
}

/*
 * Create the slot with an exported snapshot.  A slot that exists while the
 * origin has no progress is one whose copy did not finish: the changes it
 * holds are those of a snapshot that no copy committed, so it is created
 * again.
 */
static ApplyResult
create_slot(CopyState *cs)
{
	Applier    *a = cs->a;
	char	   *cmd;
	PGresult   *res;
	ApplyResult r = AR_OK;

	if (!a->slot_missing)
	{
		log_info("replication slot \"%s\" exists but origin \"%s\" has no progress: "
				 "no copy finished; dropping the slot to create it again",
				 a->opts->slot, a->origin);
		if ((r = drop_slot(a)) != AR_OK)
			return r;
	}
	cmd = slot_command("CREATE_REPLICATION_SLOT", a->opts->slot,
					   PQserverVersion(a->src) >= 150000 ?
					   "LOGICAL decoder_raw (SNAPSHOT 'export')" :
					   "LOGICAL decoder_raw EXPORT_SNAPSHOT");
	res = PQexec(a->src, cmd);
	free(cmd);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = copy_failure(a->src, res, "could not create the replication slot", "source");
	else if (PQntuples(res) != 1 || PQnfields(res) < 3 || PQgetisnull(res, 0, 2) ||
			 !parse_lsn(PQgetvalue(res, 0, 1), &cs->consistent))
	{
		log_error("CREATE_REPLICATION_SLOT returned no consistent point and snapshot");
		r = AR_ERROR;
	}
	else
	{
		cs->created = true;
		cs->snapshot = xstrdup(PQgetvalue(res, 0, 2));
		a->slot_missing = false;
		/* what the new slot is confirmed to */
		a->confirmed = cs->consistent;
		log_info("created replication slot \"%s\" at " LSN_FORMAT ", exporting snapshot %s",
				 a->opts->slot, LSN_ARGS(cs->consistent), cs->snapshot);
	}
	PQclear(res);
	return r;
}

/*
 * The ordinary session on the source that reads the snapshot.  It writes
 * in the encoding the target session reads.
 */
static ApplyResult
open_snapshot(CopyState *cs)
{
	const char *keys[] = {"dbname", "replication", "fallback_application_name", NULL};
	const char *vals[] = {cs->a->opts->source, "false", "decoder_raw_apply", NULL};
	const char *encoding = PQparameterStatus(cs->a->tgt, "client_encoding");
	char		desc[512];
	char	   *lit;
	char	   *sql;
	ApplyResult r;

	cs->snap = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(cs->snap) != CONNECTION_OK)
	{
		describe_conninfo(cs->a->opts->source, desc, sizeof(desc));
		log_error("could not connect to the source (%s): %s", desc, PQerrorMessage(cs->snap));
		return AR_LOST;
	}
	if (encoding != NULL && PQsetClientEncoding(cs->snap, encoding) != 0)
	{
		log_error("could not set the client encoding of the source session to %s, "
				  "the target's: %s", encoding, PQerrorMessage(cs->snap));
		return AR_ERROR;
	}
	r = exec_ok(cs->snap, SOURCE_SETTINGS, "could not set up the copy", "source");
	if (r == AR_OK)
		r = exec_ok(cs->snap, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
					"could not begin the copy", "source");
	if (r != AR_OK)
		return r;
	lit = PQescapeLiteral(cs->snap, cs->snapshot, strlen(cs->snapshot));
	sql = xmalloc(strlen(lit) + 32);
	sprintf(sql, "SET TRANSACTION SNAPSHOT %s", lit);
	PQfreemem(lit);
	r = exec_ok(cs->snap, sql, "could not import the slot's snapshot", "source");
	free(sql);
	return r;
}

/* the tables to copy, as the snapshot sees them */
static ApplyResult
list_tables(CopyState *cs)
{
	const char *params[1] = {cs->a->opts->copy_as_root ? "true" : "false"};
	PGresult   *res = PQexecParams(cs->snap, LIST_TABLES, 1, NULL, params, NULL, NULL, 0);
	ApplyResult r = AR_OK;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = copy_failure(cs->snap, res, "could not list the tables to copy", "source");
	else
	{
		cs->ntables = PQntuples(res);
		cs->tables = xmalloc(sizeof(CopyTable) * cs->ntables);
		for (int i = 0; i < cs->ntables; i++)
		{
			cs->tables[i].name = xstrdup(PQgetvalue(res, i, 0));
			cs->tables[i].target = xstrdup(PQgetvalue(res, i, 1));
			cs->tables[i].columns = xstrdup(PQgetvalue(res, i, 2));
		}
	}
	PQclear(res);
	return r;
}

/*
 * Lock the tables as pg_dump does, right after taking the snapshot: a
 * concurrent ALTER TABLE that rewrote one would leave the snapshot an empty
 * table to read, and a DROP an error halfway through the copy.
 */
static ApplyResult
lock_tables(CopyState *cs)
{
	ApplyResult r = AR_OK;

	for (int i = 0; i < cs->ntables && r == AR_OK; i++)
	{
		char	   *sql = xmalloc(strlen(cs->tables[i].name) + 64);

		sprintf(sql, "LOCK TABLE ONLY %s IN ACCESS SHARE MODE", cs->tables[i].name);
		r = exec_ok(cs->snap, sql, "could not lock a table to copy", "source");
		free(sql);
	}
	return r;
}

/*
 * The target table must exist and be empty: rows of its own would stay
 * next to the copy, or collide with it.
 */
static ApplyResult
check_target(CopyState *cs, const CopyTable *t)
{
	PGconn	   *tgt = cs->a->tgt;
	const char *params[1] = {t->target};
	PGresult   *res;
	char	   *sql;
	bool		partitioned;
	ApplyResult r = AR_OK;

	res = PQexecParams(tgt, "SELECT c.relkind FROM pg_catalog.pg_class c"
					   " WHERE c.oid = pg_catalog.to_regclass($1)",
					   1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = copy_failure(tgt, res, "could not look up a table", "target");
	else if (PQntuples(res) == 0)
	{
		log_error("table %s does not exist on the target: nothing was copied", t->target);
		r = AR_ERROR;
	}
	partitioned = r == AR_OK && strcmp(PQgetvalue(res, 0, 0), "p") == 0;
	PQclear(res);
	if (r != AR_OK)
		return r;

	sql = xmalloc(strlen(t->target) + 64);
	sprintf(sql, "SELECT 1 FROM %s%s LIMIT 1", partitioned ? "" : "ONLY ", t->target);
	res = PQexec(tgt, sql);
	free(sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = copy_failure(tgt, res, "could not read a table", "target");
	else if (PQntuples(res) > 0)
	{
		log_error("table %s is not empty on the target: --copy-data copies only into "
				  "empty tables; nothing was copied", t->target);
		r = AR_ERROR;
	}
	PQclear(res);
	return r;
}

/* "123 bytes", "45.6 kB", "7.8 MB", "9.0 GB" */
static void
format_bytes(uint64_t bytes, char *out, size_t outlen)
{
	if (bytes < 1024)
		snprintf(out, outlen, "%llu bytes", (unsigned long long) bytes);
	else if (bytes < 1024 * 1024)
		snprintf(out, outlen, "%.1f kB", bytes / 1024.0);
	else if (bytes < 1024 * 1024 * 1024)
		snprintf(out, outlen, "%.1f MB", bytes / (1024.0 * 1024.0));
	else
		snprintf(out, outlen, "%.1f GB", bytes / (1024.0 * 1024.0 * 1024.0));
}

static void
table_progress(const CopyTable *t, uint64_t rows, uint64_t bytes, int64_t since,
			   bool done)
{
	char		size[32];

	format_bytes(bytes, size, sizeof(size));
	log_info("%s %s: %llu rows, %s%s in %.1f s", done ? "copied" : "copying",
			 t->name, (unsigned long long) rows, size, done ? "" : " so far",
			 (now_usec() - since) / 1e6);
}

/* the COPY commands of a table, both allocated */
static void
copy_commands(const CopyTable *t, char **out, char **in)
{
	size_t		len = strlen(t->name) + strlen(t->target) + strlen(t->columns) + 64;
	bool		cols = t->columns[0] != '\0';

	*out = xmalloc(len);
	*in = xmalloc(len);
	snprintf(*out, len, "COPY (SELECT %s FROM ONLY %s) TO STDOUT", t->columns, t->name);
	snprintf(*in, len, "COPY %s%s%s%s FROM STDIN", t->target, cols ? " (" : "",
			 t->columns, cols ? ")" : "");
}

/*
 * Both COPY commands started: source rows go to the target as they come.
 * A failure to send sets *refused: the target's result tells why.
 */
static ApplyResult
pipe_rows(CopyState *cs, const CopyTable *t, uint64_t *rows, uint64_t *bytes,
		  bool *refused)
{
	int64_t		interval = (cs->a->opts->status_interval > 0 ?
							cs->a->opts->status_interval : PROGRESS_SECONDS) * 1000000LL;
	int64_t		since = now_usec();
	int64_t		next = since + interval;

	for (;;)
	{
		char	   *buf;
		int			len = PQgetCopyData(cs->snap, &buf, 0);
		int			sent;

		if (len == -1)
			return AR_OK;
		if (len < 0)
			return copy_failure(cs->snap, NULL, "could not read a table", "source");
		sent = PQputCopyData(cs->a->tgt, buf, len);
		PQfreemem(buf);
		if (sent != 1)
		{
			*refused = true;
			return AR_ERROR;
		}
		(*rows)++;
		*bytes += len;
		if (stop_requested)
			return AR_STOP;
		if (cs->a->opts->progress_lines && now_usec() >= next)
		{
			table_progress(t, *rows, *bytes, since, false);
			next += interval;
		}
	}
}

/* the end of a COPY: its row count, or -1 (and a message unless quiet) */
static long long
copy_result(PGconn *conn, const CopyTable *t, const char *server, bool quiet)
{
	PGresult   *res = PQgetResult(conn);
	long long	n = -1;
	char		what[256];

	if (PQresultStatus(res) == PGRES_COMMAND_OK)
		n = atoll(PQcmdTuples(res));
	else if (!quiet)
	{
		snprintf(what, sizeof(what), "could not copy table %s", t->name);
		copy_failure(conn, res, what, server);
	}
	PQclear(res);
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
	return n;
}

/*
 * Source to target, once COPY FROM runs on the target.  Both COPY commands
 * count the rows: they must agree with each other and with what went
 * through.
 */
static ApplyResult
copy_rows(CopyState *cs, const CopyTable *t, const char *out, uint64_t *rows,
		  uint64_t *bytes)
{
	PGconn	   *tgt = cs->a->tgt;
	PGresult   *res = PQexec(cs->snap, out);
	ApplyResult r;
	long long	sent = -1,
				got;
	bool		refused = false;

	r = PQresultStatus(res) == PGRES_COPY_OUT ? AR_OK :
		copy_failure(cs->snap, res, "could not copy a table", "source");
	PQclear(res);
	if (r == AR_OK)
		r = pipe_rows(cs, t, rows, bytes, &refused);
	if (r == AR_OK)
		sent = copy_result(cs->snap, t, "source", false);
	PQputCopyEnd(tgt, r == AR_OK && sent >= 0 ? NULL : "the copy was abandoned");
	/* the target's error is the news unless the failure was elsewhere */
	got = copy_result(tgt, t, "target", !refused && (r != AR_OK || sent < 0));
	if (PQstatus(tgt) == CONNECTION_BAD || PQstatus(cs->snap) == CONNECTION_BAD)
		return r == AR_STOP ? r : AR_LOST;
	if (r != AR_OK)
		return r;
	if (sent < 0 || got < 0)
		return AR_ERROR;
	if ((uint64_t) sent != *rows || (uint64_t) got != *rows)
	{
		log_error("table %s: %llu rows read, but the source wrote %lld and the target "
				  "took %lld", t->name, (unsigned long long) *rows, sent, got);
		return AR_ERROR;
	}
	return AR_OK;
}

static ApplyResult
copy_table(CopyState *cs, const CopyTable *t)
{
	PGconn	   *tgt = cs->a->tgt;
	char	   *out,
			   *in;
	PGresult   *res;
	uint64_t	rows = 0,
				bytes = 0;
	int64_t		since = now_usec();
	ApplyResult r;

	copy_commands(t, &out, &in);
	res = PQexec(tgt, in);
	r = PQresultStatus(res) == PGRES_COPY_IN ? AR_OK :
		copy_failure(tgt, res, "could not copy into a table", "target");
	PQclear(res);
	if (r == AR_OK)
		r = copy_rows(cs, t, out, &rows, &bytes);
	free(out);
	free(in);
	cs->rows += rows;
	cs->bytes += bytes;
	if (r == AR_OK && cs->a->opts->progress_lines)
		table_progress(t, rows, bytes, since, true);
	return r;
}

/*
 * Commit the copy with the consistent point as the origin's progress, in
 * one request, with the target's WAL position after it for flush.c.  A
 * failure rolls back and puts the origin back (abandon_xact): from
 * PostgreSQL 16 on an abort would record the progress.
 */
static ApplyResult
commit_copy(CopyState *cs)
{
	Applier    *a = cs->a;
	char		sql[256];
	PGresult   *res;
	PGresult   *error = NULL;
	bool		committed = false;
	lsn_t		local = 0;

	snprintf(sql, sizeof(sql),
			 "SET CONSTRAINTS ALL IMMEDIATE;\n"
			 DR_XACT_SETUP "('" LSN_FORMAT "', now())" DR_XACT_SETUP_END ";\n"
			 "COMMIT;\nSELECT pg_catalog.pg_current_wal_insert_lsn();",
			 LSN_ARGS(cs->consistent));
	if (!PQsendQuery(a->tgt, sql))
		return copy_failure(a->tgt, NULL, "could not commit the copy", "target");
	while ((res = PQgetResult(a->tgt)) != NULL)
	{
		if (PQresultStatus(res) == PGRES_FATAL_ERROR && error == NULL)
		{
			error = res;
			continue;
		}
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			committed = strcmp(PQcmdStatus(res), "COMMIT") == 0;
		else if (committed && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
			parse_lsn(PQgetvalue(res, 0, 0), &local);
		PQclear(res);
	}
	if (error != NULL || !committed || local == 0 ||
		PQtransactionStatus(a->tgt) != PQTRANS_IDLE)
	{
		ApplyResult r = error ? copy_failure(a->tgt, error, "could not commit the copy", "target") :
		AR_ERROR;

		if (error == NULL)
			log_error("the copy did not commit on the target");
		PQclear(error);
		if (r != AR_LOST)
			abandon_xact(a);
		return r;
	}
	a->committed = cs->consistent;
	a->applied = cs->consistent;
	a->last_local = local;
	lsn_map_push(a, cs->consistent, local);
	return AR_OK;
}

/*
 * The copy, one transaction on the target: every table checked before any
 * is copied, so that a missing or non-empty one leaves nothing.
 */
static ApplyResult
copy_tables(CopyState *cs)
{
	Applier    *a = cs->a;
	ApplyResult r;

	if (a->opts->progress_lines)
		log_info("copying %d tables under snapshot %s", cs->ntables, cs->snapshot);
	r = exec_ok(a->tgt, "BEGIN; " TARGET_SETTINGS, "could not begin the copy", "target");
	for (int i = 0; i < cs->ntables && r == AR_OK; i++)
		r = check_target(cs, &cs->tables[i]);
	for (int i = 0; i < cs->ntables && r == AR_OK; i++)
		r = stop_requested ? AR_STOP : copy_table(cs, &cs->tables[i]);
	if (r == AR_OK)
		r = commit_copy(cs);
	else if (r != AR_LOST)
		abandon_xact(a);
	return r;
}

static void
free_copy_state(CopyState *cs)
{
	if (cs->snap != NULL)
		PQfinish(cs->snap);
	for (int i = 0; i < cs->ntables; i++)
	{
		free(cs->tables[i].name);
		free(cs->tables[i].target);
		free(cs->tables[i].columns);
	}
	free(cs->tables);
	free(cs->snapshot);
}

/*
 * --copy-data, before streaming.  An origin with progress holds a copy
 * already (or what a stream applied): nothing is copied then, and the
 * stream resumes from the progress as without the option.
 */
ApplyResult
copy_initial_data(Applier *a)
{
	CopyState	cs;
	ApplyResult r;
	char		size[32];

	if (a->committed != 0 && a->slot_missing)
	{
		log_error("origin \"%s\" has progress " LSN_FORMAT " but replication slot \"%s\" "
				  "does not exist: the target holds data of another stream; to copy again, "
				  "empty its tables and drop the origin", a->origin,
				  LSN_ARGS(a->committed), a->opts->slot);
		return AR_ERROR;
	}
	if (a->committed != 0)
	{
		log_info("origin \"%s\" has progress " LSN_FORMAT ": the target holds what was "
				 "copied or streamed up to there; --copy-data copies nothing and "
				 "streaming resumes there",
				 a->origin, LSN_ARGS(a->committed));
		return AR_OK;
	}

	memset(&cs, 0, sizeof(cs));
	cs.a = a;
	cs.started = now_usec();
	r = create_slot(&cs);
	if (r == AR_OK)
		r = open_snapshot(&cs);
	if (r == AR_OK)
		r = list_tables(&cs);
	if (r == AR_OK)
		r = lock_tables(&cs);
	if (r == AR_OK)
		r = copy_tables(&cs);
	free_copy_state(&cs);

	/* nothing was committed: leave no slot holding WAL for nobody */
	if ((r == AR_ERROR || r == AR_STOP) && cs.created && PQstatus(a->src) == CONNECTION_OK &&
		drop_slot(a) == AR_OK)
		log_info("dropped replication slot \"%s\" again", a->opts->slot);
	if (r == AR_STOP)
		log_info("copy interrupted: nothing was committed on the target");
	if (r != AR_OK)
		return r;
	format_bytes(cs.bytes, size, sizeof(size));
	log_info("copied %d tables, %llu rows, %s in %.1f s; streaming from the slot's "
			 "consistent point " LSN_FORMAT, cs.ntables, (unsigned long long) cs.rows,
			 size, (now_usec() - cs.started) / 1e6, LSN_ARGS(cs.consistent));
	return AR_OK;
}
