/*-------------------------------------------------------------------------
 *
 * binary_format.h
 *		The constants of decoder_raw's binary format and its varint codec.
 *
 * doc/binary-format.md is the specification.  The writer (the plugin's
 * src/binary_writer.c) and the reader (reader/decoder_raw_reader.c) both
 * take every record kind, flag and encoding from here.  Plain C99.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#ifndef DR_BINARY_FORMAT_H
#define DR_BINARY_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* Record kinds: the first byte of each record */
#define DR_BIN_HEADER		'H'
#define DR_BIN_BEGIN		'B'
#define DR_BIN_COMMIT		'C'
#define DR_BIN_ORIGIN		'O'
#define DR_BIN_RELATION		'R'
#define DR_BIN_INSERT		'I'
#define DR_BIN_UPDATE		'U'
#define DR_BIN_DELETE		'D'
#define DR_BIN_TRUNCATE		'T'
#define DR_BIN_MESSAGE		'M'
#define DR_BIN_SKIPPED		'S' /* version 2 */
/* version 2, two-phase slots */
#define DR_BIN_BEGIN_PREPARE	'b'
#define DR_BIN_PREPARE			'p'
#define DR_BIN_COMMIT_PREPARED	'c'
#define DR_BIN_ROLLBACK_PREPARED 'r'
/* version 2, stream-changes */
#define DR_BIN_STREAM_START		's'
#define DR_BIN_STREAM_XID		'x'
#define DR_BIN_STREAM_STOP		'e'
#define DR_BIN_STREAM_ABORT		'a'
#define DR_BIN_STREAM_COMMIT	'k'
#define DR_BIN_STREAM_PREPARE	'q'

/* The header record's magic, "DRAW", then the version */
#define DR_BIN_MAGIC		"DRAW"
#define DR_BIN_MAGIC_LEN	4

/* Flags of begin and commit records */
#define DR_BIN_XACT_XID			0x01
#define DR_BIN_XACT_LSN			0x02
#define DR_BIN_XACT_TIME		0x04
#define DR_BIN_XACT_ORIGIN		0x08	/* begin only */
#define DR_BIN_XACT_ORIGIN_NAME 0x10	/* begin only */
#define DR_BIN_COMMIT_FLAGS		0x07
#define DR_BIN_BEGIN_FLAGS		0x1f
/* Flags of commit prepared and rollback prepared records */
#define DR_BIN_FINISH_PROGRESS	0x08	/* origin progress follows */
#define DR_BIN_FINISH_NOT_SENT	0x10	/* rollback prepared only */

/* Flags of stream start records */
#define DR_BIN_STREAM_FIRST		0x01	/* the transaction's first block */

/* Flags of relation records */
#define DR_BIN_REL_SCHEMA_QUOTED	0x01	/* schema name needs quotes */
#define DR_BIN_REL_NAME_QUOTED		0x02	/* relation name needs quotes */
#define DR_BIN_REL_ONLY				0x04	/* has inheritance children */
#define DR_BIN_REL_FLAGS			0x07

/* Flags of columns */
#define DR_BIN_COL_KEY				0x01	/* replica identity key column */
#define DR_BIN_COL_GENERATED		0x02	/* stored generated column */
#define DR_BIN_COL_IDENTITY_ALWAYS	0x04	/* GENERATED ALWAYS AS IDENTITY */
#define DR_BIN_COL_QUOTED			0x08	/* name needs double quotes */
#define DR_BIN_COL_NO_EQUALITY		0x10	/* type has no default equality */
#define DR_BIN_COL_BINARY			0x20	/* values in the type's send form */
#define DR_BIN_COL_CAST_EQUALITY	0x40	/* its equality takes another type */
#define DR_BIN_COL_INEXACT_EQUALITY 0x80	/* equal values may differ */
/* version 2: how REPLICA IDENTITY FULL and key columns compare */
#define DR_BIN_COL_RECORD_IMAGE		0x100	/* composite, fields by image */
#define DR_BIN_COL_TEXT_IMAGE		0x200	/* by text form */
#define DR_BIN_COL_EQUAL_TEXT		0x400	/* equal, and the same text form */
#define DR_BIN_COL_NO_EXACT			0x800	/* no exact comparison */
#define DR_BIN_COL_KEY_COMPARISON	0x1000	/* key_* names follow */
#define DR_BIN_COL_FLAGS			0x1fff

/* Flags of truncate records */
#define DR_BIN_TRUNCATE_CASCADE		0x01
#define DR_BIN_TRUNCATE_RESTART		0x02	/* RESTART IDENTITY */
#define DR_BIN_TRUNCATE_FLAGS		0x03

/* Flags of message records */
#define DR_BIN_MSG_TRANSACTIONAL	0x01
#define DR_BIN_MSG_TEXT				0x02	/* content is text */
#define DR_BIN_MSG_LSN				0x04
#define DR_BIN_MSG_FLAGS			0x07

/* Flags of skipped-changes records (version 2) */
#define DR_BIN_SKIP_SCHEMA_QUOTED	0x01
#define DR_BIN_SKIP_NAME_QUOTED		0x02
#define DR_BIN_SKIP_FLAGS			0x03

/* Old tuple of update and delete records */
#define DR_BIN_OLD_NONE		0
#define DR_BIN_OLD_KEY		'K'
#define DR_BIN_OLD_ROW		'O'

/* Value headers: NULL, unchanged TOAST, or the value's length + 2 */
#define DR_BIN_VALUE_NULL		0
#define DR_BIN_VALUE_UNCHANGED	1
#define DR_BIN_VALUE_BASE		2

/* What a tuple holds for a column, by its value header */
typedef enum dr_value_state
{
	DR_VALUE_ABSENT,			/* not in an old key tuple */
	DR_VALUE_NULL,
	DR_VALUE_UNCHANGED,			/* unchanged TOAST: value not logged */
	DR_VALUE_PRESENT
} dr_value_state;

/* A varint takes at most 10 bytes for 64 bits. */
#define DR_BIN_MAX_VARINT_BYTES 10

/*
 * Variable-length unsigned integers: 7 bits a byte, least significant
 * first, the high bit set on every byte but the last.
 */
static inline int
dr_varint_size(uint64_t value)
{
	int			n = 1;

	while (value >= 0x80)
	{
		value >>= 7;
		n++;
	}
	return n;
}

/* Write a varint at dst, which has room for dr_varint_size() bytes. */
static inline void
dr_put_varint(char *dst, uint64_t value)
{
	while (value >= 0x80)
	{
		*dst++ = (char) ((value & 0x7f) | 0x80);
		value >>= 7;
	}
	*dst = (char) value;
}

/*
 * Decode a varint from [p, end).  Returns the number of bytes used, 0 if
 * the input ends inside it, or -1 if it is longer than 10 bytes or does not
 * fit in 64 bits.
 */
static inline int
dr_decode_varint(const unsigned char *p, const unsigned char *end,
				 uint64_t *value)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < DR_BIN_MAX_VARINT_BYTES; i++)
	{
		uint64_t	b;

		if (p + i >= end)
			return 0;
		b = p[i] & 0x7f;
		/* the tenth byte may only hold the 64th bit */
		if (i == DR_BIN_MAX_VARINT_BYTES - 1 && b > 1)
			return -1;
		v |= b << (7 * i);
		if ((p[i] & 0x80) == 0)
		{
			*value = v;
			return i + 1;
		}
	}
	return -1;
}

/* Signed integers are zigzag-encoded: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... */
static inline uint64_t
dr_zigzag(int64_t value)
{
	return ((uint64_t) value << 1) ^ (uint64_t) (value >> 63);
}

/* The inverse, for a value below 2^32 (a typmod): fits in int32. */
static inline int32_t
dr_unzigzag32(uint64_t v)
{
	return (v & 1) ? (int32_t) (-(int64_t) (v >> 1) - 1) : (int32_t) (v >> 1);
}

#endif							/* DR_BINARY_FORMAT_H */
