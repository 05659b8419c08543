/*-------------------------------------------------------------------------
 *
 * flush.c
 *		decoder_raw_apply: which source positions the target holds durably.
 *
 * The target session commits with synchronous_commit = off, so a COMMIT
 * that returned may still be lost in a crash of the target.  As
 * PostgreSQL's apply worker does (worker.c, store_flush_position), each
 * replayed commit leaves a pair (source commit end, target WAL position
 * after the commit) in a queue; the slot is confirmed up to the source end
 * of the last pair whose target position the target's WAL has flushed.
 * The queue is emptied whenever the target session is opened again: after
 * a crash of the target its WAL goes on from an older point, and a target
 * position of before the crash says nothing about what is flushed now.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apply.h"

/* how long the end of a run waits for the target to flush its commits */
#define FLUSH_WAIT_SECONDS 60

/* Run a query that returns one LSN; false if it failed. */
bool
target_query_lsn(Applier *a, const char *sql, lsn_t *lsn)
{
	PGresult   *res = PQexec(a->tgt, sql);
	bool		ok;

	ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
		!PQgetisnull(res, 0, 0) && parse_lsn(PQgetvalue(res, 0, 0), lsn);
	if (!ok)
		log_info("on the target, %s: %s", sql,
				 PQresultStatus(res) == PGRES_TUPLES_OK ? "no LSN\n" :
				 res ? PQresultErrorMessage(res) : PQerrorMessage(a->tgt));
	PQclear(res);
	return ok;
}

/* Forget every pair: the target's WAL positions start over. */
void
lsn_map_reset(Applier *a)
{
	a->map_head = 0;
	a->map_len = 0;
}

/*
 * Source position "remote" is held by the target once its WAL is flushed
 * to "local".  Pairs come in increasing order of both.
 */
void
lsn_map_push(Applier *a, lsn_t remote, lsn_t local)
{
	LsnMapping *last;

	if (a->map_len > 0)
	{
		last = &a->map[a->map_head + a->map_len - 1];
		if (remote <= last->remote_end)
			return;
		/* keepalives between two commits need no pair of their own */
		if (local <= last->local_end)
		{
			last->remote_end = remote;
			return;
		}
	}
	if (a->map_head + a->map_len == a->map_cap)
	{
		if (a->map_head > 0)
		{
			memmove(a->map, a->map + a->map_head, sizeof(LsnMapping) * a->map_len);
			a->map_head = 0;
		}
		else
		{
			a->map_cap = a->map_cap ? 2 * a->map_cap : 1024;
			a->map = xrealloc(a->map, sizeof(LsnMapping) * a->map_cap);
		}
	}
	a->map[a->map_head + a->map_len].remote_end = remote;
	a->map[a->map_head + a->map_len].local_end = local;
	a->map_len++;
}

/* Move the confirmed position over every pair the target has flushed. */
void
lsn_map_flushed(Applier *a, lsn_t flushed)
{
	while (a->map_len > 0 && a->map[a->map_head].local_end <= flushed)
	{
		if (a->map[a->map_head].remote_end > a->confirmed)
			a->confirmed = a->map[a->map_head].remote_end;
		a->map_head++;
		a->map_len--;
	}
	if (a->map_len == 0)
		a->map_head = 0;
}

/*
 * Ask the target how far its WAL is flushed and confirm what that covers.
 * With "wait", until every commit replayed is covered: the WAL writer
 * flushes asynchronous commits within a few wal_writer_delay.  The target
 * session must be idle or in a transaction, not running a query.  False
 * when the target could not say: the caller takes it as lost.
 */
bool
confirm_flushed(Applier *a, bool wait)
{
	int64_t		deadline = now_usec() + (int64_t) FLUSH_WAIT_SECONDS * 1000000;
	lsn_t		flushed;

	/* a batch running on the target reports the flush position itself */
	if (a->sent != NULL && !wait)
		return true;
	if (a->sent != NULL && batch_drain(a, false) != AR_OK)
		return false;
	for (;;)
	{
		struct timespec ts = {0, 10 * 1000 * 1000};

		if (a->tgt == NULL || PQstatus(a->tgt) != CONNECTION_OK ||
			!target_query_lsn(a, "SELECT pg_catalog.pg_current_wal_flush_lsn()", &flushed))
			return false;
		lsn_map_flushed(a, flushed);
		if (!wait || a->map_len == 0)
			break;

		if (now_usec() > deadline)
		{
			log_error("the target did not flush its WAL to " LSN_FORMAT " in %d s: "
					  "the slot stays confirmed at " LSN_FORMAT,
					  LSN_ARGS(a->map[a->map_head + a->map_len - 1].local_end),
					  FLUSH_WAIT_SECONDS, LSN_ARGS(a->confirmed));
			return false;
		}
		nanosleep(&ts, NULL);
	}
	return true;
}
