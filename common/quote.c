/*-------------------------------------------------------------------------
 *
 * quote.c
 *		String literals, identifiers and hex as decoder_raw's SQL writes them.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "dr_common.h"

/* Bytes that a literal cannot hold as they are. */
#define DR_16_SPECIAL 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1
static const unsigned char special_byte[256] = {
	DR_16_SPECIAL, DR_16_SPECIAL,
	[0x27] = 1,					/* quote */
	[0x5c] = 1,					/* backslash */
	[0x7f] = 1
};

/*
 * Does any of the 8 bytes of w need care in a literal: a control character,
 * a quote, a backslash or DEL?  The usual word-at-a-time tests: "a byte
 * below 0x20" and "a byte equal to c" are exact as existence tests.
 */
#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)
#define HAS_ZERO_BYTE(w)	(((w) - ONES) & ~(w) & HIGHS)

static inline bool
word_needs_care(uint64_t w)
{
	return ((w - ONES * 0x20) & ~w & HIGHS) ||
		HAS_ZERO_BYTE(w ^ (ONES * '\'')) ||
		HAS_ZERO_BYTE(w ^ (ONES * '\\')) ||
		HAS_ZERO_BYTE(w ^ (ONES * 0x7f));
}

/* input bytes per reserve(), which asks for the worst case */
#define LITERAL_CHUNK	65536

static inline const unsigned char *
chunk_end_of(const unsigned char *p, const unsigned char *end)
{
	return end - p < LITERAL_CHUNK ? end : p + LITERAL_CHUNK;
}

size_t
dr_escaped_size(const unsigned char *p, const unsigned char *end)
{
	size_t		size = 0;

	for (; p < end; p++)
	{
		if (!special_byte[*p])
			size++;
		else if (*p == '\'' || *p == '\\' || *p == '\n' || *p == '\r' ||
				 *p == '\t' || *p == '\b' || *p == '\f')
			size += 2;
		else
			size += 4;
	}
	return size;
}

/*
 * Room for the next chunk: every byte as \xHH, the E, the closing quote.
 * Near the buffer's limit, only what the literal's rest needs; if even that
 * does not fit, the buffer says so.
 */
static size_t
literal_reserve(dr_out *out, size_t len, const unsigned char *p,
				const unsigned char *chunk_end, const unsigned char *end)
{
	size_t		rest;

	if (out->max_len == 0 || len + (chunk_end - p) * 4 + 2 < out->max_len)
		return (chunk_end - p) * 4 + 2;

	rest = dr_escaped_size(p, end) + 2;
	if (len + rest >= out->max_len)
		out->too_large(out, len + rest);
	return dr_escaped_size(p, chunk_end) + 2;
}

/* One escaped byte at dst; returns the end of what was written. */
static inline char *
put_escape(char *dst, unsigned char c)
{
	static const char hex[] = "0123456789ABCDEF";

	*dst++ = '\\';
	switch (c)
	{
		case '\\':
			*dst++ = '\\';
			break;
		case '\n':
			*dst++ = 'n';
			break;
		case '\r':
			*dst++ = 'r';
			break;
		case '\t':
			*dst++ = 't';
			break;
		case '\b':
			*dst++ = 'b';
			break;
		case '\f':
			*dst++ = 'f';
			break;
		default:
			*dst++ = 'x';
			*dst++ = hex[c >> 4];
			*dst++ = hex[c & 0x0f];
			break;
	}
	return dst;
}

/*
 * The server encodings are all ASCII-safe, so a byte-wise scan for quotes,
 * backslashes and control characters is exact.  Plain runs are copied eight
 * bytes at a time.  A literal that holds a backslash or a control character
 * becomes an E'' string, which reads the same whatever
 * standard_conforming_strings says: the E is put before the opening quote
 * when the first such byte shows up.
 */
void
dr_append_literal(dr_out *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;
	size_t		start;
	size_t		cur;
	bool		escape = false;
	char	   *base;

	if (len >= DR_MAX_LITERAL && out->long_literal != NULL)
		out->long_literal(out, len);
	base = out->reserve(out, 1, &start);
	base[start] = '\'';
	cur = start + 1;
	out->set_len(out, cur);

	/* a literal that may not fit is measured first, before buffers grow */
	if (out->max_len != 0 && len * 4 + 2 >= out->max_len - cur)
		(void) literal_reserve(out, cur, p, chunk_end_of(p, end), end);

	while (p < end)
	{
		const unsigned char *chunk_end = chunk_end_of(p, end);
		char	   *dst;

		base = out->reserve(out, literal_reserve(out, cur, p, chunk_end, end),
							&cur);
		dst = base + cur;

		while (p < chunk_end)
		{
			unsigned char c;

			if (chunk_end - p >= 8)
			{
				uint64_t	w;

				memcpy(&w, p, 8);
				if (!word_needs_care(w))
				{
					memcpy(dst, p, 8);
					dst += 8;
					p += 8;
					continue;
				}
			}

			c = *p++;
			if (!special_byte[c])
			{
				*dst++ = (char) c;
				continue;
			}
			if (c == '\'')
			{
				*dst++ = '\'';
				*dst++ = '\'';
				continue;
			}
			if (!escape)
			{
				memmove(base + start + 1, base + start, dst - (base + start));
				base[start] = 'E';
				dst++;
				escape = true;
			}
			dst = put_escape(dst, c);
		}
		cur = dst - base;
		out->set_len(out, cur);
	}
	dr_putc(out, '\'');
}

static bool
has_control_char(const char *name, size_t len)
{
	size_t		i;

	for (i = 0; i < len; i++)
	{
		if ((unsigned char) name[i] < 0x20 || name[i] == 0x7f)
			return true;
	}
	return false;
}

void
dr_append_ident(dr_out *out, const char *name, size_t len, bool quoted)
{
	bool		unicode;
	size_t		run = 0;
	size_t		i;

	if (!quoted)
	{
		dr_append(out, name, len);
		return;
	}
	unicode = has_control_char(name, len);
	dr_puts(out, unicode ? "U&\"" : "\"");
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) name[i];
		char		esc[8];

		if (c != '"' && !(unicode && (c == '\\' || c < 0x20 || c == 0x7f)))
			continue;
		dr_append(out, name + run, i - run);
		run = i + 1;
		if (c == '"')
			dr_append(out, "\"\"", 2);
		else if (c == '\\')
			dr_append(out, "\\\\", 2);
		else
		{
			static const char hex[] = "0123456789ABCDEF";

			esc[0] = '\\';
			esc[1] = '0';
			esc[2] = '0';
			esc[3] = hex[c >> 4];
			esc[4] = hex[c & 0x0f];
			dr_append(out, esc, 5);
		}
	}
	dr_append(out, name + run, len - run);
	dr_putc(out, '"');
}

void
dr_append_plain_ident(dr_out *out, const char *name, size_t len, bool quoted)
{
	size_t		run = 0;
	size_t		i;

	if (!quoted)
	{
		dr_append(out, name, len);
		return;
	}
	dr_putc(out, '"');
	for (i = 0; i < len; i++)
	{
		if (name[i] != '"')
			continue;
		/* the quote, then again from it: doubled */
		dr_append(out, name + run, i + 1 - run);
		run = i;
	}
	dr_append(out, name + run, len - run);
	dr_putc(out, '"');
}

size_t
dr_put_hex(char *dst, const unsigned char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t		i;

	*dst++ = '\\';
	*dst++ = 'x';
	for (i = 0; i < len; i++)
	{
		*dst++ = hex[data[i] >> 4];
		*dst++ = hex[data[i] & 0x0f];
	}
	return 2 + 2 * len;
}
