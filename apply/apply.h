/*-------------------------------------------------------------------------
 *
 * apply.h
 *		decoder_raw_apply: shared declarations of the applier, which streams
 *		decoder_raw's SQL format from a replication slot and replays it on
 *		another server under a replication origin, exactly once.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#ifndef DECODER_RAW_APPLY_H
#define DECODER_RAW_APPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libpq-fe.h"

typedef uint64_t lsn_t;

#define LSN_FORMAT "%X/%X"
#define LSN_ARGS(lsn) (unsigned) ((lsn) >> 32), (unsigned) (lsn)

/* exit statuses, documented in the README */
#define EXIT_APPLY_ERROR	1
#define EXIT_USAGE			2
#define EXIT_CONNECTION		3

/* longest origin name PostgreSQL accepts (MAX_RONAME_LEN) */
#define MAX_ORIGIN_NAME		512

typedef enum
{
	CONFLICT_STOP,
	CONFLICT_SKIP_AND_LOG
} ConflictAction;

typedef struct PluginOption
{
	char	   *name;
	char	   *value;			/* NULL: given without a value */
} PluginOption;

typedef struct ApplyOptions
{
	const char *source;
	const char *target;
	const char *slot;
	const char *origin;			/* NULL: derived from sysid and slot */
	bool		create_slot;
	bool		copy_data;		/* copy the tables before streaming */
	bool		copy_as_root;	/* -o partitions-as-root: copy partitions into
								 * their root */
	lsn_t		endpos;			/* 0: stream until stopped */
	lsn_t		skip_xact;		/* begin or commit end of a transaction not to
								 * apply; 0: none */
	PluginOption *plugin_opts;
	int			nplugin_opts;
	int			status_interval;	/* seconds; 0: only when asked */
	bool		verbose;
	bool		progress_lines; /* status lines: --verbose, --status-interval
								 * or a terminal */
	int			max_retries;	/* -1: reconnect forever */
	ConflictAction on_conflict;
} ApplyOptions;

/* how an operation ended */
typedef enum
{
	AR_OK,						/* go on */
	AR_DONE,					/* --endpos reached: exit 0 */
	AR_STOP,					/* signal: exit 0 */
	AR_ERROR,					/* reported; exit 1 */
	AR_LOST,					/* a connection failed: reconnect */
	AR_BUSY						/* slot or origin still held: retry soon */
} ApplyResult;

/* a replayed commit: source end, and target WAL position after it */
typedef struct LsnMapping
{
	lsn_t		remote_end;
	lsn_t		local_end;
} LsnMapping;

/* one message of the current transaction, kept until its commit arrives */
typedef struct BufferedMessage
{
	lsn_t		lsn;
	char	   *sql;
} BufferedMessage;

typedef struct Applier
{
	const ApplyOptions *opts;
	PGconn	   *src;
	PGconn	   *tgt;
	char		origin[MAX_ORIGIN_NAME + 1];
	int			tgt_version;

	lsn_t		committed;		/* end of the last source commit the target
								 * holds (its origin progress) */
	lsn_t		confirmed;		/* flush position reported to the slot: what
								 * the target's flushed WAL holds */
	lsn_t		last_local;		/* target WAL position after our last commit */
	LsnMapping *map;			/* commits not known to be flushed (flush.c) */
	int			map_head;
	int			map_len;
	int			map_cap;
	lsn_t		wal_end;		/* source WAL end last seen */
	lsn_t		applied;		/* stream position applied: the last commit,
								 * or a keepalive's WAL end between commits */
	int64_t		src_time;		/* source clock of its last message, Unix us */
	bool		src_idle;		/* that message a keepalive between commits */
	int64_t		commit_time;	/* source commit time of the last applied
								 * transaction, Unix us; 0: unknown */
	int64_t		last_feedback;	/* microseconds, monotonic */
	bool		src_failed;		/* feedback could not be sent */
	bool		session_started;	/* START_REPLICATION succeeded */
	bool		slot_missing;	/* --copy-data: the slot is to be created */

	/* the source transaction being received */
	bool		in_xact;
	bool		xact_started;	/* its statements run on the target already */
	lsn_t		xact_begin;		/* LSN of its BEGIN message */
	lsn_t		xact_end;		/* its commit end, once known; or 0 */
	bool		xact_skip;		/* --skip-xact names it */
	bool		skip_done;		/* --skip-xact found its transaction */
	char		xact_xid[16];	/* from include-xids, or empty */
	BufferedMessage *buf;
	int			nbuf;
	int			buf_cap;
	size_t		buf_bytes;
	uint64_t	xact_changes;

	/* counters, for the status line and the exit report */
	uint64_t	n_xacts;
	uint64_t	n_changes;
	uint64_t	n_skipped;
	uint64_t	n_conflicts;
	uint64_t	last_xacts;
	uint64_t	last_changes;
	int64_t		last_report;
} Applier;

/* decoder_raw_apply.c */
extern volatile int stop_requested;
extern void log_error(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern void log_info(const char *fmt,...) __attribute__((format(printf, 1, 2)));
extern int64_t now_usec(void);
extern void *xmalloc(size_t size);
extern char *xstrdup(const char *s);
extern void describe_conninfo(const char *conninfo, char *out, size_t outlen);
extern bool parse_lsn(const char *str, lsn_t *lsn);
extern bool parse_utc_timestamp(const char *str, int64_t *usec);

/* source.c */
extern ApplyResult source_connect(Applier *a, uint64_t *sysid, bool first);
extern ApplyResult source_start(Applier *a, lsn_t startpos);
extern ApplyResult source_stream(Applier *a);
extern bool send_feedback(Applier *a);
extern void source_finish(Applier *a, bool clean);

/* copy.c */
extern ApplyResult copy_initial_data(Applier *a);

/* flush.c */
extern bool target_query_lsn(Applier *a, const char *sql, lsn_t *lsn);
extern void lsn_map_reset(Applier *a);
extern void lsn_map_push(Applier *a, lsn_t remote, lsn_t local);
extern bool confirm_flushed(Applier *a, bool wait);

/* target.c */
extern ApplyResult target_connect(Applier *a, uint64_t sysid, bool first);
extern ApplyResult apply_message(Applier *a, lsn_t lsn, const char *sql);
extern void abandon_xact(Applier *a);
extern void target_finish(Applier *a);

#endif							/* DECODER_RAW_APPLY_H */
