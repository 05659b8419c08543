/*-------------------------------------------------------------------------
 *
 * source.c
 *		decoder_raw_apply: the replication connection to the source.
 *
 * A client of the streaming replication protocol in the manner of
 * pg_recvlogical: IDENTIFY_SYSTEM, the slot, START_REPLICATION, then CopyData
 * messages ('w' XLogData, 'k' keepalive) one way and standby status updates
 * ('r') the other.  What it confirms is only what the target committed
 * and flushed (flush.c).
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "apply.h"

/* messages this large are not added to a batch of other statements */
#define BATCH_ALONE_BYTES (16 * 1024 * 1024)

/* PostgreSQL's epoch, 2000-01-01, in Unix seconds */
#define PG_EPOCH_OFFSET 946684800LL

static uint64_t
recv_uint64(const char *buf)
{
	const unsigned char *p = (const unsigned char *) buf;
	uint64_t	v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
send_uint64(char *buf, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
	{
		buf[i] = (char) (v & 0xFF);
		v >>= 8;
	}
}

/* lost connection, or an error of the server */
static ApplyResult
source_failure(Applier *a, const char *what, PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	log_error("%s: %s", what, res ? PQresultErrorMessage(res) : PQerrorMessage(a->src));
	if (PQstatus(a->src) == CONNECTION_BAD ||
		(state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57", 2) == 0)))
		return AR_LOST;
	return AR_ERROR;
}

/* a copy of s with " doubled, inside double quotes */
static void
append_quoted(char *out, size_t outlen, const char *s, char quote)
{
	size_t		len = strlen(out);

	if (len + 1 < outlen)
		out[len++] = quote;
	for (; *s && len + 2 < outlen; s++)
	{
		if (*s == quote)
			out[len++] = quote;
		out[len++] = *s;
	}
	if (len + 1 < outlen)
		out[len++] = quote;
	out[len] = '\0';
}

/*
 * Is the slot there, and a decoder_raw slot?  The walsender of a
 * replication=database connection also runs plain SQL.
 */
static ApplyResult
check_slot(Applier *a, const char *dbname, bool may_create)
{
	const char *slot = a->opts->slot;
	char	   *lit = PQescapeLiteral(a->src, slot, strlen(slot));
	char		sql[256];
	PGresult   *res;
	ApplyResult r = AR_OK;

	snprintf(sql, sizeof(sql),
			 "SELECT plugin, slot_type, database, confirmed_flush_lsn, two_phase"
			 " FROM pg_catalog.pg_replication_slots WHERE slot_name = %s", lit);
	PQfreemem(lit);
	res = PQexec(a->src, sql);
	a->slot_missing = false;
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		r = source_failure(a, "could not look up the replication slot", res);
	else if (PQntuples(res) == 0 && may_create && a->opts->copy_data)
	{
		/* copy.c creates it, exporting the snapshot that the copy reads */
		a->slot_missing = true;
	}
	else if (PQntuples(res) == 0 && may_create)
	{
		char		cmd[256] = "CREATE_REPLICATION_SLOT ";

		PQclear(res);
		append_quoted(cmd, sizeof(cmd), slot, '"');
		strcat(cmd, PQserverVersion(a->src) >= 150000 ?
			   " LOGICAL decoder_raw (SNAPSHOT 'nothing')" :
			   " LOGICAL decoder_raw NOEXPORT_SNAPSHOT");
		res = PQexec(a->src, cmd);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			r = source_failure(a, "could not create the replication slot", res);
		else
			log_info("created replication slot \"%s\" at %s", slot, PQgetvalue(res, 0, 1));
		PQclear(res);
		return r == AR_OK ? check_slot(a, dbname, false) : r;
	}
	else if (PQntuples(res) == 0)
	{
		log_error("replication slot \"%s\" does not exist on the source (--create-slot creates it)",
				  slot);
		r = AR_ERROR;
	}
	else if (strcmp(PQgetvalue(res, 0, 1), "logical") != 0 ||
			 strcmp(PQgetvalue(res, 0, 0), "decoder_raw") != 0)
	{
		log_error("replication slot \"%s\" is not a decoder_raw slot: it is a %s slot%s%s",
				  slot, PQgetvalue(res, 0, 1),
				  PQgetisnull(res, 0, 0) ? "" : " of plugin ",
				  PQgetvalue(res, 0, 0));
		r = AR_ERROR;
	}
	else if (dbname != NULL && strcmp(PQgetvalue(res, 0, 2), dbname) != 0)
	{
		log_error("replication slot \"%s\" belongs to database \"%s\", not to \"%s\" of --source",
				  slot, PQgetvalue(res, 0, 2), dbname);
		r = AR_ERROR;
	}
	else if (a->opts->preserve_origins && strcmp(PQgetvalue(res, 0, 4), "t") == 0)
	{
		log_error("replication slot \"%s\" decodes two-phase transactions: --preserve-origins "
				  "cannot apply them, since COMMIT PREPARED does not carry their origin", slot);
		r = AR_ERROR;
	}
	else
	{
		lsn_t		confirmed = 0;

		if (may_create && a->opts->create_slot)
			log_info("replication slot \"%s\" exists already and is a decoder_raw slot: using it",
					 slot);
		/* never report less than the slot has: older servers would go back */
		if (!PQgetisnull(res, 0, 3) && parse_lsn(PQgetvalue(res, 0, 3), &confirmed) &&
			confirmed > a->confirmed)
			a->confirmed = confirmed;
	}
	PQclear(res);
	return r;
}

/* --preserve-origins: the origins the source's transactions may carry */
static ApplyResult
upstream_origins(Applier *a)
{
	PGresult   *res = PQexec(a->src, "SELECT roname FROM pg_catalog.pg_replication_origin");
	ApplyResult r;

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
	{
		r = source_failure(a, "could not list the replication origins of the source", res);
		PQclear(res);
		return r;
	}
	for (int i = 0; i < PQntuples(res); i++)
		origin_list_add(&a->upstream, PQgetvalue(res, i, 0));
	PQclear(res);
	return AR_OK;
}

ApplyResult
source_connect(Applier *a, uint64_t *sysid, bool first)
{
	const char *keys[] = {"dbname", "replication", "fallback_application_name", NULL};
	const char *vals[] = {a->opts->source, "database", "decoder_raw_apply", NULL};
	char		desc[512];
	PGresult   *res;
	ApplyResult r;
	char	   *dbname;

	a->src_failed = false;
	a->src = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(a->src) != CONNECTION_OK)
	{
		describe_conninfo(a->opts->source, desc, sizeof(desc));
		log_error("could not connect to the source (%s): %s", desc, PQerrorMessage(a->src));
		return AR_LOST;
	}
	/* the plugin writes in the source database's encoding */
	snprintf(a->src_encoding, sizeof(a->src_encoding), "%s",
			 PQparameterStatus(a->src, "server_encoding") ?
			 PQparameterStatus(a->src, "server_encoding") : "");
	res = PQexec(a->src, "IDENTIFY_SYSTEM");
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) < 4)
	{
		r = source_failure(a, "IDENTIFY_SYSTEM failed on the source", res);
		PQclear(res);
		return r;
	}
	*sysid = strtoull(PQgetvalue(res, 0, 0), NULL, 10);
	dbname = PQgetisnull(res, 0, 3) ? NULL : xstrdup(PQgetvalue(res, 0, 3));
	PQclear(res);
	r = check_slot(a, dbname, first && (a->opts->create_slot || a->opts->copy_data));
	free(dbname);
	if (r == AR_OK && a->opts->preserve_origins)
		r = upstream_origins(a);
	return r;
}

/* START_REPLICATION with the options the applier needs and the user's */
ApplyResult
source_start(Applier *a, lsn_t startpos)
{
	static const char *const ours[][2] = {
		{"format", "binary"}, {"origin-progress", "on"}, {"skip-empty-xacts", "on"},
		{"include-xids", "on"}, {"include-lsn", "on"},
		{"include-origin", "on"}	/* the last: only for --preserve-origins */
	};
	const ApplyOptions *o = a->opts;
	int			nours = sizeof(ours) / sizeof(ours[0]) - (o->preserve_origins ? 0 : 1);
	size_t		cap = 1024;
	char	   *cmd;
	PGresult   *res;
	ApplyResult r = AR_OK;
	bool		any = false;

	for (int i = 0; i < o->nplugin_opts; i++)
		cap += 2 * (strlen(o->plugin_opts[i].name) +
					(o->plugin_opts[i].value ? strlen(o->plugin_opts[i].value) : 0)) + 8;
	cmd = xmalloc(cap);
	snprintf(cmd, cap, "START_REPLICATION SLOT ");
	append_quoted(cmd, cap, o->slot, '"');
	snprintf(cmd + strlen(cmd), cap - strlen(cmd), " LOGICAL " LSN_FORMAT " (",
			 LSN_ARGS(startpos));
	for (int i = 0; i < nours; i++)
	{
		bool		given = false;

		for (int j = 0; j < o->nplugin_opts; j++)
			given |= strcmp(o->plugin_opts[j].name, ours[i][0]) == 0;
		if (given)
			continue;
		snprintf(cmd + strlen(cmd), cap - strlen(cmd), "%s\"%s\" '%s'",
				 any ? ", " : "", ours[i][0], ours[i][1]);
		any = true;
	}
	for (int i = 0; i < o->nplugin_opts; i++)
	{
		strcat(cmd, any ? ", " : "");
		append_quoted(cmd, cap, o->plugin_opts[i].name, '"');
		if (o->plugin_opts[i].value != NULL)
		{
			strcat(cmd, " ");
			append_quoted(cmd, cap, o->plugin_opts[i].value, '\'');
		}
		any = true;
	}
	strcat(cmd, ")");

	res = PQexec(a->src, cmd);
	free(cmd);
	if (PQresultStatus(res) != PGRES_COPY_BOTH)
	{
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		/* the walsender of a killed applier may not have noticed yet */
		if (state != NULL && strcmp(state, "55006") == 0)
		{
			log_info("replication slot \"%s\" is still in use, waiting", o->slot);
			r = AR_BUSY;
		}
		else
			r = source_failure(a, "could not start streaming", res);
	}
	else
	{
		a->session_started = true;
		if (o->verbose)
			log_info("streaming from slot \"%s\" at " LSN_FORMAT " into origin \"%s\"",
					 o->slot, LSN_ARGS(startpos), a->origin);
	}
	PQclear(res);
	return r;
}

/*
 * Standby status update.  flush, which is what the slot is confirmed to,
 * is what the target's flushed WAL holds; write and apply what it has
 * committed.
 */
bool
send_feedback(Applier *a)
{
	char		buf[1 + 8 * 4 + 1];
	struct timeval tv;
	int64_t		now;
	lsn_t		applied;

	if (a->src == NULL || a->src_failed)
		return false;
	gettimeofday(&tv, NULL);
	now = ((int64_t) tv.tv_sec - PG_EPOCH_OFFSET) * 1000000 + tv.tv_usec;
	applied = a->committed > a->confirmed ? a->committed : a->confirmed;
	buf[0] = 'r';
	send_uint64(buf + 1, applied);
	send_uint64(buf + 9, a->confirmed);
	send_uint64(buf + 17, applied);
	send_uint64(buf + 25, (uint64_t) now);
	buf[33] = 0;
	a->last_feedback = now_usec();
	if (PQputCopyData(a->src, buf, sizeof(buf)) <= 0 || PQflush(a->src) != 0)
	{
		log_error("could not send feedback to the source: %s", PQerrorMessage(a->src));
		a->src_failed = true;
		return false;
	}
	return true;
}

/*
 * The status line.  The lag is how far the stream the source has sent is
 * ahead of what is applied: in bytes of its WAL, and in seconds, by the
 * source's clock, from the commit time of the last transaction applied to
 * the source's last message; 0 when that message is a keepalive that finds
 * everything applied.
 */
static void
status_line(Applier *a)
{
	int64_t		now = now_usec();
	double		secs = (now - a->last_report) / 1e6;
	double		lag_secs = 0;

	if (secs <= 0)
		secs = 1;
	if (!a->src_idle && a->commit_time != 0 && a->src_time > a->commit_time)
		lag_secs = (a->src_time - a->commit_time) / 1e6;
	log_info("applied " LSN_FORMAT " (confirmed " LSN_FORMAT "), lag %llu bytes %.1f s, "
			 "%.1f xacts/s, %.1f rows/s, %llu transactions, %llu conflicts",
			 LSN_ARGS(a->applied), LSN_ARGS(a->confirmed),
			 (unsigned long long) (a->wal_end > a->applied ? a->wal_end - a->applied : 0),
			 lag_secs,
			 (a->n_xacts - a->last_xacts) / secs,
			 (a->n_changes - a->last_changes) / secs,
			 (unsigned long long) a->n_xacts,
			 (unsigned long long) a->n_conflicts);
	a->last_xacts = a->n_xacts;
	a->last_changes = a->n_changes;
	a->last_report = now;
}

/* the send time of a message of the source, on the Unix epoch */
static void
note_source_time(Applier *a, const char *p)
{
	a->src_time = (int64_t) recv_uint64(p) + PG_EPOCH_OFFSET * 1000000;
}

/* status due: feedback and, where wanted, a status line */
static bool
periodic_status(Applier *a)
{
	int64_t		interval = (int64_t) a->opts->status_interval * 1000000;

	if (interval == 0 || now_usec() - a->last_feedback < interval)
		return true;
	if (a->opts->progress_lines)
		status_line(a);
	/* an idle applier learns here that the target went away */
	if (!confirm_flushed(a, false))
		return false;
	return send_feedback(a);
}

/*
 * A keepalive.  Its WAL end is how far the walsender has decoded: every
 * message it produced from WAL before that point was sent before the
 * keepalive.  So when no transaction is open here (nothing received since
 * the last commit is waiting to be applied: non-transactional messages are
 * applied as they come), everything the slot would send up to that point is
 * already on the target, or was filtered out by the plugin.  Confirming it,
 * once the target has flushed its last commit, loses nothing: a restart decodes again only commits that start at
 * or after it.  It is what lets the slot advance over WAL of which the
 * plugin sends nothing (other origins, empty transactions).  With a
 * transaction open the keepalive may come from the middle of its output,
 * and only its commit, once applied, moves the confirmed position.
 */
static ApplyResult
handle_keepalive(Applier *a, const char *buf, int len)
{
	lsn_t		wal_end;
	bool		reply;
	ApplyResult r;

	if (len < 18)
	{
		log_error("keepalive message too short: %d bytes", len);
		return AR_LOST;
	}
	wal_end = recv_uint64(buf + 1);
	reply = buf[17] != 0;
	if (wal_end > a->wal_end)
		a->wal_end = wal_end;
	note_source_time(a, buf + 9);
	a->src_idle = !a->in_xact;
	/* only once what came before it is committed on the target */
	if (!a->in_xact && batch_idle(a))
	{
		lsn_map_push(a, wal_end, a->last_local);
		if (wal_end > a->applied)
			a->applied = wal_end;
	}
	if (a->opts->endpos != 0 && !a->in_xact && wal_end >= a->opts->endpos)
		return (r = batch_drain(a, false)) == AR_OK ? AR_DONE : r;
	if (reply && (!confirm_flushed(a, false) || !send_feedback(a)))
		return AR_LOST;
	return AR_OK;
}

static ApplyResult
handle_xlogdata(Applier *a, const char *buf, int len)
{
	lsn_t		start,
				wal_end;
	ApplyResult r;

	if (len < 25)
	{
		log_error("XLogData message too short: %d bytes", len);
		return AR_LOST;
	}
	start = recv_uint64(buf + 1);
	wal_end = recv_uint64(buf + 9);
	if (wal_end > a->wal_end)
		a->wal_end = wal_end;
	note_source_time(a, buf + 17);
	a->src_idle = false;

	/*
	 * Outside a transaction, a message beyond endpos starts what comes after
	 * it: output is in commit order, so everything up to endpos is applied.
	 */
	if (a->opts->endpos != 0 && !a->in_xact && start > a->opts->endpos)
		return (r = batch_drain(a, false)) == AR_OK ? AR_DONE : r;

	/* a large message goes in a batch of its own: a query has at most 1 GB */
	r = (size_t) len > BATCH_ALONE_BYTES ? batch_send(a) : AR_OK;
	if (r == AR_OK)
		r = apply_data(a, start, (const unsigned char *) buf + 25, (size_t) len - 25);
	if (r == AR_OK)
		r = batch_maybe_send(a, false);
	return r;
}

/*
 * Wait until the source sends, the target answers a batch, or status is
 * due.
 */
static ApplyResult
wait_source(Applier *a)
{
	struct pollfd pfd[2];
	int			timeout = 1000;
	int			rc;

	if (a->opts->status_interval > 0)
	{
		int64_t		left = (int64_t) a->opts->status_interval * 1000000 -
		(now_usec() - a->last_feedback);

		if (left < timeout * 1000LL)
			timeout = left < 0 ? 0 : (int) (left / 1000) + 1;
	}
	pfd[0].fd = PQsocket(a->src);
	pfd[0].events = POLLIN;
	pfd[1].fd = a->sent != NULL ? PQsocket(a->tgt) : -1;
	pfd[1].events = POLLIN;
	rc = poll(pfd, 2, timeout);
	if (rc < 0 && errno != EINTR)
	{
		log_error("poll() failed: %s", strerror(errno));
		return AR_LOST;
	}
	if (rc > 0 && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)) &&
		!PQconsumeInput(a->src))
	{
		log_error("connection to the source lost: %s", PQerrorMessage(a->src));
		return AR_LOST;
	}
	return AR_OK;
}

/* the stream has paused: send what is built, take what the target says */
static ApplyResult
stream_paused(Applier *a)
{
	ApplyResult r = batch_poll(a, false);

	if (r == AR_OK)
		r = batch_maybe_send(a, true);
	if (r == AR_OK)
		r = wait_source(a);
	if (r == AR_OK)
		r = batch_poll(a, false);
	return r;
}

ApplyResult
source_stream(Applier *a)
{
	a->last_feedback = 0;		/* report our position at once */
	for (;;)
	{
		char	   *buf = NULL;
		int			len;
		ApplyResult r = AR_OK;

		if (stop_requested)
			return AR_STOP;
		if (!periodic_status(a) || a->src_failed)
			return AR_LOST;

		len = PQgetCopyData(a->src, &buf, 1);
		if (len == 0)
			r = stream_paused(a);
		else if (len == -1)
		{
			PGresult   *res = PQgetResult(a->src);

			log_error("the source ended the stream: %s",
					  res ? PQresultErrorMessage(res) : "no result");
			PQclear(res);
			r = AR_LOST;
		}
		else if (len < 0)
		{
			log_error("connection to the source lost: %s", PQerrorMessage(a->src));
			r = AR_LOST;
		}
		else if (buf[0] == 'k')
			r = handle_keepalive(a, buf, len);
		else if (buf[0] == 'w')
			r = handle_xlogdata(a, buf, len);
		else
		{
			log_error("unexpected message type \"%c\" from the source", buf[0]);
			r = AR_LOST;
		}
		if (buf != NULL)
			PQfreemem(buf);
		if (r != AR_OK)
			return r;
	}
}

/*
 * Close the stream.  A clean end sends CopyDone and waits for the server's,
 * so that the walsender has processed the last feedback before we leave.
 */
void
source_finish(Applier *a, bool clean)
{
	if (a->src == NULL)
		return;
	if (clean && !a->src_failed && PQstatus(a->src) == CONNECTION_OK &&
		PQputCopyEnd(a->src, NULL) > 0 && PQflush(a->src) == 0)
	{
		char	   *buf;
		PGresult   *res;

		while (PQgetCopyData(a->src, &buf, 0) >= 0)
			PQfreemem(buf);
		while ((res = PQgetResult(a->src)) != NULL)
			PQclear(res);
	}
	PQfinish(a->src);
	a->src = NULL;
}
