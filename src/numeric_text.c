/*-------------------------------------------------------------------------
 *
 * numeric_text.c
 *		numeric's text form, written from its stored digits.
 *
 * numeric_out() detoasts a short-header value into a palloc'd copy, unpacks
 * it into a NumericVar and pallocs the string: a tenth of the decoding time
 * of a table with a numeric column.  This writes the same text straight from
 * the stored form (base-10000 digits behind a short or long header, see
 * utils/adt/numeric.c), which has not changed since PostgreSQL 14 added the
 * infinities.  sql/value_text compares the two over many values.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "decoder_raw.h"

/* The stored form, as numeric.c defines it. */
#define NUM_SIGN_MASK			0xC000
#define NUM_NEG					0x4000
#define NUM_SHORT				0x8000
#define NUM_SPECIAL				0xC000
#define NUM_EXT_SIGN_MASK		0xF000
#define NUM_NAN					0xC000
#define NUM_PINF				0xD000
#define NUM_NINF				0xF000
#define NUM_SHORT_SIGN_MASK		0x2000
#define NUM_SHORT_DSCALE_MASK	0x1F80
#define NUM_SHORT_DSCALE_SHIFT	7
#define NUM_SHORT_WEIGHT_SIGN	0x0040
#define NUM_SHORT_WEIGHT_MASK	0x003F
#define NUM_DSCALE_MASK			0x3FFF
#define NUM_DEC_DIGITS			4

/* Digits may be unaligned behind a one-byte varlena header. */
static inline int
stored_u16(const char *p, int i)
{
	uint16		v;

	memcpy(&v, p + i * sizeof(uint16), sizeof(uint16));
	return v;
}

/* One base-10000 digit; leading zeros only if "all" */
static inline char *
put_group(char *dst, int dig, bool all)
{
	int			d1;

	d1 = dig / 1000;
	dig -= d1 * 1000;
	all |= d1 > 0;
	if (all)
		*dst++ = '0' + d1;
	d1 = dig / 100;
	dig -= d1 * 100;
	all |= d1 > 0;
	if (all)
		*dst++ = '0' + d1;
	d1 = dig / 10;
	dig -= d1 * 10;
	all |= d1 > 0;
	if (all)
		*dst++ = '0' + d1;
	*dst++ = '0' + dig;
	return dst;
}

/* The text numeric_out() gives for a numeric Datum. */
void
decoder_raw_append_numeric(StringInfo out, Datum value)
{
	struct varlena *v = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(value));
	const char *p = VARDATA_ANY(v);
	int			size = VARSIZE_ANY_EXHDR(v);
	int			header = stored_u16(p, 0);
	int			weight,
				dscale,
				ndigits,
				d;
	bool		neg;
	char	   *dst;

	if ((header & NUM_SIGN_MASK) == NUM_SHORT)
	{
		neg = (header & NUM_SHORT_SIGN_MASK) != 0;
		dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = header & NUM_SHORT_WEIGHT_MASK;
		if (header & NUM_SHORT_WEIGHT_SIGN)
			weight |= ~NUM_SHORT_WEIGHT_MASK;
		p += sizeof(uint16);
		size -= sizeof(uint16);
	}
	else if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		header &= NUM_EXT_SIGN_MASK;
		appendStringInfoString(out, header == NUM_PINF ? "Infinity" :
							   header == NUM_NINF ? "-Infinity" : "NaN");
		return;
	}
	else
	{
		neg = (header & NUM_SIGN_MASK) == NUM_NEG;
		dscale = header & NUM_DSCALE_MASK;
		weight = (int16) stored_u16(p, 1);
		p += 2 * sizeof(uint16);
		size -= 2 * sizeof(uint16);
	}
	ndigits = size / (int) sizeof(uint16);

	/* as get_str_from_var() sizes it */
	decoder_raw_reserve(out, (weight >= 0 ? weight + 1 : 1) * NUM_DEC_DIGITS +
						dscale + NUM_DEC_DIGITS + 2);
	dst = out->data + out->len;
	if (neg)
		*dst++ = '-';
	if (weight < 0)
	{
		d = weight + 1;
		*dst++ = '0';
	}
	else
	{
		for (d = 0; d <= weight; d++)
			dst = put_group(dst, d < ndigits ? stored_u16(p, d) : 0, d > 0);
	}
	if (dscale > 0)
	{
		char	   *end;
		int			i;

		*dst++ = '.';
		end = dst + dscale;
		for (i = 0; i < dscale; d++, i += NUM_DEC_DIGITS)
			dst = put_group(dst, d >= 0 && d < ndigits ? stored_u16(p, d) : 0,
							true);
		dst = end;
	}
	*dst = '\0';
	out->len = dst - out->data;
}
