/*-------------------------------------------------------------------------
 *
 * standalone.c
 *		Run the fuzz target of fuzz_dump.c without libFuzzer.
 *
 * For each file given, the target runs on the file, and, for files of at
 * most SWEEP_MAX bytes, on every prefix of it (truncated records) and on
 * every copy of it with one byte changed in one of a few ways (corrupted
 * records); the work grows with the square of the size.  Built with AddressSanitizer or
 * run under valgrind by t/032_binary_corpus.pl, this is the normal test
 * suite's share of the fuzzing: any memory error aborts, as does any
 * disagreement the target checks for.
 *
 * Copyright (c) 2026, decoder_raw developers
 * Distributed under the PostgreSQL License, see LICENSE.
 *
 *-------------------------------------------------------------------------
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SWEEP_MAX 1024

/* The changes made to each byte in turn */
static const unsigned char xors[] = {0x01, 0x02, 0x40, 0x80, 0xff};
static const unsigned char sets[] = {0x00, 0x0a, 0x7f};

static unsigned char *
read_file(const char *path, size_t *size)
{
	FILE	   *fp = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t		len = 0;
	size_t		cap = 0;

	if (fp == NULL)
	{
		perror(path);
		exit(2);
	}
	for (;;)
	{
		size_t		n;

		if (cap - len < 4096)
		{
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
			if (data == NULL)
			{
				fprintf(stderr, "out of memory\n");
				exit(2);
			}
		}
		n = fread(data + len, 1, cap - len, fp);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(fp))
	{
		perror(path);
		exit(2);
	}
	fclose(fp);
	*size = len;
	return data;
}

int
main(int argc, char **argv)
{
	unsigned long runs = 0;
	int			i;

	for (i = 1; i < argc; i++)
	{
		size_t		size;
		unsigned char *data = read_file(argv[i], &size);
		unsigned char *copy = malloc(size > 0 ? size : 1);
		size_t		k;
		size_t		m;

		if (copy == NULL)
		{
			fprintf(stderr, "out of memory\n");
			return 2;
		}

		LLVMFuzzerTestOneInput(data, size);
		runs++;
		if (size > SWEEP_MAX)
		{
			free(copy);
			free(data);
			continue;
		}

		/* every prefix, each in a buffer of its own size */
		for (k = 0; k < size; k++)
		{
			unsigned char *prefix = malloc(k > 0 ? k : 1);

			if (prefix == NULL)
				return 2;
			memcpy(prefix, data, k);
			LLVMFuzzerTestOneInput(prefix, k);
			free(prefix);
			runs++;
		}

		/* every byte changed */
		if (size > 0)
			memcpy(copy, data, size);
		for (k = 0; k < size; k++)
		{
			for (m = 0; m < sizeof(xors); m++)
			{
				copy[k] = data[k] ^ xors[m];
				LLVMFuzzerTestOneInput(copy, size);
				runs++;
			}
			for (m = 0; m < sizeof(sets); m++)
			{
				if (data[k] == sets[m])
					continue;
				copy[k] = sets[m];
				LLVMFuzzerTestOneInput(copy, size);
				runs++;
			}
			copy[k] = data[k];
		}
		free(copy);
		free(data);
	}
	printf("%lu inputs from %d files\n", runs, argc - 1);
	return 0;
}
