/*-------------------------------------------------------------------------
 *
 * spool.c
 *		decoder_raw_apply: transactions streamed before they commit, kept
 *		in files until their stream commit.
 *
 * With stream-changes, the plugin sends a large transaction in blocks
 * while it runs, interleaved with other transactions.  Each streamed
 * transaction's records go, as they came, to a file of its own in the
 * spool directory, after the stream's header record and the description of
 * each relation they use (the reader keeps only the latest description,
 * and the transaction is read again later).  A stream abort of a
 * subtransaction cuts the file back to where that subtransaction's first
 * record went, as PostgreSQL's apply worker does (worker.c); one of the
 * whole transaction removes the file.  At stream commit records.c applies
 * the file as one transaction.  Memory: a stdio buffer per open stream and
 * the latest description of each relation; disk: the records of the open
 * streams.  Files left by an applier killed meanwhile are removed by the
 * next one of the same slot.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "../reader/decoder_raw_reader.h"

/* a subtransaction of a spool, and where its first record went */
typedef struct SpoolSub
{
	uint32_t	xid;
	long		off;
} SpoolSub;

/* a relation description written to a spool */
typedef struct SpoolRel
{
	uint64_t	id;
	uint64_t	gen;
	long		off;
} SpoolRel;

typedef struct Spool
{
	uint32_t	xid;
	FILE	   *fp;
	char	   *path;
	long		size;
	SpoolSub   *subs;
	int			nsubs;
	SpoolRel   *rels;
	int			nrels;
} Spool;

/* the latest description of a relation, as the stream sent it */
typedef struct RawRel
{
	uint64_t	id;
	uint64_t	gen;
	unsigned char *raw;
	size_t		len;
} RawRel;

struct SpoolSet
{
	Spool	   *spools;
	int			nspools;
	RawRel	   *rels;
	int			nrels;
	uint64_t	gen;
	unsigned char *header;
	size_t		header_len;
	Spool	   *block;			/* the stream of the block being read */
	uint32_t	block_sub;
};

static void *
xgrow(void *p, int n, size_t size)
{
	/* room for n + 1 elements, in powers of two */
	if (n == 0 || (n & (n - 1)) == 0)
		p = xrealloc(p, size * (n ? 2 * (size_t) n : 4));
	return p;
}

static SpoolSet *
spool_set(Applier *a)
{
	if (a->spool == NULL)
	{
		a->spool = calloc(1, sizeof(SpoolSet));
		if (a->spool == NULL)
		{
			log_error("out of memory");
			exit(EXIT_APPLY_ERROR);
		}
	}
	return a->spool;
}

static void
spool_path(Applier *a, uint32_t xid, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s/decoder_raw_apply-%s-%u.spool", a->opts->spool_dir,
			 a->opts->slot, xid);
}

/* Remove one spool and its file. */
static void
spool_drop(SpoolSet *ss, Spool *sp)
{
	if (sp->fp != NULL)
		fclose(sp->fp);
	unlink(sp->path);
	free(sp->path);
	free(sp->subs);
	free(sp->rels);
	if (ss->block == sp)
		ss->block = NULL;
	*sp = ss->spools[--ss->nspools];
	if (ss->block == &ss->spools[ss->nspools])
		ss->block = sp;
}

static Spool *
spool_find(SpoolSet *ss, uint32_t xid)
{
	for (int i = 0; i < ss->nspools; i++)
		if (ss->spools[i].xid == xid)
			return &ss->spools[i];
	return NULL;
}

/*
 * A new session: the server streams again what had not committed.  The
 * first call also removes what a killed applier of the slot left.
 */
void
spool_reset(Applier *a)
{
	SpoolSet   *ss = spool_set(a);
	static bool swept = false;
	char		prefix[256];
	DIR		   *dir;
	struct dirent *de;

	while (ss->nspools > 0)
		spool_drop(ss, &ss->spools[0]);
	ss->block = NULL;
	if (swept || (dir = opendir(a->opts->spool_dir)) == NULL)
		return;
	swept = true;
	snprintf(prefix, sizeof(prefix), "decoder_raw_apply-%s-", a->opts->slot);
	while ((de = readdir(dir)) != NULL)
	{
		char		path[1024];

		if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", a->opts->spool_dir, de->d_name);
		unlink(path);
	}
	closedir(dir);
}

void
spool_keep_header(Applier *a, const unsigned char *raw, size_t len)
{
	SpoolSet   *ss = spool_set(a);

	free(ss->header);
	ss->header = xmalloc(len);
	memcpy(ss->header, raw, len);
	ss->header_len = len;
}

void
spool_keep_relation(Applier *a, const drr_record *rec, const unsigned char *raw,
					size_t len)
{
	SpoolSet   *ss = spool_set(a);
	RawRel	   *rr = NULL;

	for (int i = 0; i < ss->nrels && rr == NULL; i++)
		if (ss->rels[i].id == rec->rel->id)
			rr = &ss->rels[i];
	if (rr == NULL)
	{
		ss->rels = xgrow(ss->rels, ss->nrels, sizeof(RawRel));
		rr = &ss->rels[ss->nrels++];
		rr->id = rec->rel->id;
		rr->raw = NULL;
	}
	free(rr->raw);
	rr->raw = xmalloc(len);
	memcpy(rr->raw, raw, len);
	rr->len = len;
	rr->gen = ++ss->gen;
}

static bool
spool_put(Spool *sp, const unsigned char *data, size_t len)
{
	if (fwrite(data, 1, len, sp->fp) != len)
	{
		log_error("could not write spool file \"%s\": %s", sp->path, strerror(errno));
		return false;
	}
	sp->size += (long) len;
	return true;
}

/* the spool has the relation's latest description, or gets it now */
static bool
spool_relation(SpoolSet *ss, Spool *sp, uint64_t id)
{
	RawRel	   *rr = NULL;

	for (int i = 0; i < ss->nrels && rr == NULL; i++)
		if (ss->rels[i].id == id)
			rr = &ss->rels[i];
	if (rr == NULL)
		return true;			/* the reader resolved it: cannot happen */
	for (int i = 0; i < sp->nrels; i++)
		if (sp->rels[i].id == id && sp->rels[i].gen == rr->gen)
			return true;
	sp->rels = xgrow(sp->rels, sp->nrels, sizeof(SpoolRel));
	sp->rels[sp->nrels].id = id;
	sp->rels[sp->nrels].gen = rr->gen;
	sp->rels[sp->nrels].off = sp->size;
	sp->nrels++;
	return spool_put(sp, rr->raw, rr->len);
}

/* stream start, stream xid, stream stop */
ApplyResult
spool_block(Applier *a, const drr_record *rec)
{
	SpoolSet   *ss = spool_set(a);
	Spool	   *sp;
	char		path[1024];

	if (rec->kind == DRR_STREAM_STOP)
	{
		if (ss->block != NULL && fflush(ss->block->fp) != 0)
		{
			log_error("could not write spool file \"%s\": %s", ss->block->path,
					  strerror(errno));
			return AR_ERROR;
		}
		ss->block = NULL;
		return AR_OK;
	}
	if (rec->kind == DRR_STREAM_XID)
	{
		sp = ss->block;
		ss->block_sub = rec->xid;
		if (sp == NULL || rec->xid == sp->xid)
			return AR_OK;
		for (int i = 0; i < sp->nsubs; i++)
			if (sp->subs[i].xid == rec->xid)
				return AR_OK;
		sp->subs = xgrow(sp->subs, sp->nsubs, sizeof(SpoolSub));
		sp->subs[sp->nsubs].xid = rec->xid;
		sp->subs[sp->nsubs].off = sp->size;
		sp->nsubs++;
		return AR_OK;
	}
	/* stream start */
	sp = spool_find(ss, rec->xid);
	if (sp != NULL && (rec->flags & DRR_STREAM_FIRST))
	{
		log_error("transaction %u is streamed from its start again at source LSN "
				  LSN_FORMAT, rec->xid, LSN_ARGS(a->xact_begin));
		return AR_ERROR;
	}
	if (sp == NULL)
	{
		if (!(rec->flags & DRR_STREAM_FIRST))
		{
			log_error("a stream block of transaction %u without its first block", rec->xid);
			return AR_ERROR;
		}
		spool_path(a, rec->xid, path, sizeof(path));
		ss->spools = xgrow(ss->spools, ss->nspools, sizeof(Spool));
		sp = &ss->spools[ss->nspools++];
		memset(sp, 0, sizeof(Spool));
		sp->xid = rec->xid;
		sp->path = xstrdup(path);
		sp->fp = fopen(path, "w+b");
		if (sp->fp == NULL)
		{
			log_error("could not create spool file \"%s\": %s", path, strerror(errno));
			spool_drop(ss, sp);
			return AR_ERROR;
		}
		if (!spool_put(sp, ss->header, ss->header_len))
			return AR_ERROR;
	}
	ss->block = sp;
	ss->block_sub = rec->xid;
	return AR_OK;
}

/* a relation, change or message of a block: into its transaction's file */
ApplyResult
spool_write(Applier *a, const drr_record *rec, const unsigned char *raw,
			size_t len)
{
	SpoolSet   *ss = spool_set(a);
	Spool	   *sp = ss->block;

	if (sp == NULL)
		return AR_OK;
	if (rec->kind == DRR_RELATION)
		return AR_OK;			/* written before its first change */
	if ((rec->kind == DRR_INSERT || rec->kind == DRR_UPDATE || rec->kind == DRR_DELETE) &&
		!spool_relation(ss, sp, rec->rel->id))
		return AR_ERROR;
	for (uint32_t i = 0; rec->kind == DRR_TRUNCATE && i < rec->nrels; i++)
		if (!spool_relation(ss, sp, rec->rels[i]->id))
			return AR_ERROR;
	return spool_put(sp, raw, len) ? AR_OK : AR_ERROR;
}

/* A stream abort: of the whole transaction, or of a subtransaction. */
ApplyResult
spool_abort(Applier *a, const drr_record *rec)
{
	SpoolSet   *ss = spool_set(a);
	Spool	   *sp = spool_find(ss, rec->xid);
	long		off = -1;
	int			k;

	if (sp == NULL)
		return AR_OK;			/* aborted before anything of it came */
	if (rec->subxid == rec->xid)
	{
		spool_drop(ss, sp);
		return AR_OK;
	}
	for (k = 0; k < sp->nsubs && off < 0; k++)
		if (sp->subs[k].xid == rec->subxid)
			off = sp->subs[k].off;
	if (off < 0)
		return AR_OK;			/* no record of it was streamed */
	/* it and what came after it, its own subtransactions */
	sp->nsubs = k - 1;
	while (sp->nrels > 0 && sp->rels[sp->nrels - 1].off >= off)
		sp->nrels--;
	if (fflush(sp->fp) != 0 || ftruncate(fileno(sp->fp), off) != 0 ||
		fseek(sp->fp, 0, SEEK_END) != 0)
	{
		log_error("could not truncate spool file \"%s\": %s", sp->path, strerror(errno));
		return AR_ERROR;
	}
	sp->size = off;
	return AR_OK;
}

/* read the records of a spool file, apply each, remove the file */
static ApplyResult
replay_file(Applier *a, Spool *sp, drr_reader *r,
			ApplyResult (*apply) (Applier *, const drr_record *))
{
	size_t		cap = 1024 * 1024,
				len = 0,
				start = 0;
	unsigned char *buf = xmalloc(cap);
	ApplyResult res = AR_OK;
	bool		eof = false;

	while (res == AR_OK)
	{
		drr_record	rec;
		size_t		used;
		int			rc = drr_reader_next(r, buf + start, len - start, eof, &rec, &used);

		start += used;
		if (rc == DRR_OK)
			res = apply(a, &rec);
		else if (rc == DRR_END)
			break;
		else if (rc == DRR_ERROR)
		{
			log_error("spool file \"%s\": %s", sp->path, drr_reader_error(r));
			res = AR_ERROR;
		}
		else
		{
			size_t		n;

			/* keep the unread bytes, then read more after them */
			memmove(buf, buf + start, len - start);
			len -= start;
			start = 0;
			if (len == cap)
				buf = xrealloc(buf, cap *= 2);
			n = fread(buf + len, 1, cap - len, sp->fp);
			if (n == 0 && ferror(sp->fp))
			{
				log_error("could not read spool file \"%s\": %s", sp->path, strerror(errno));
				res = AR_ERROR;
			}
			eof = n == 0;
			len += n;
		}
	}
	free(buf);
	return res;
}

/*
 * A stream commit or prepare: apply the transaction's file, record by
 * record, through apply; with apply NULL, only remove it.
 */
ApplyResult
spool_replay(Applier *a, uint32_t xid,
			 ApplyResult (*apply) (Applier *, const drr_record *))
{
	SpoolSet   *ss = spool_set(a);
	Spool	   *sp = spool_find(ss, xid);
	drr_reader *r;
	ApplyResult res;

	if (sp == NULL)
		return AR_OK;			/* nothing of it was streamed but its end */
	if (apply == NULL)
	{
		spool_drop(ss, sp);
		return AR_OK;
	}
	if (fflush(sp->fp) != 0 || fseek(sp->fp, 0, SEEK_SET) != 0)
	{
		log_error("could not read spool file \"%s\": %s", sp->path, strerror(errno));
		return AR_ERROR;
	}
	if ((r = drr_reader_create()) == NULL)
	{
		log_error("out of memory");
		exit(EXIT_APPLY_ERROR);
	}
	if (a->opts->verbose)
		log_info("applying streamed transaction %u from \"%s\" (%ld bytes)", xid,
				 sp->path, sp->size);
	res = replay_file(a, sp, r, apply);
	drr_reader_destroy(r);
	spool_drop(ss, sp);
	return res;
}
