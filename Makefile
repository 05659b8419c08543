# decoder_raw: logical decoding output plugin emitting SQL or binary records

MODULE_big = decoder_raw
OBJS = \
	$(WIN32RES) \
	decoder_raw.o \
	src/options.o \
	src/relcache.o \
	src/origin.o \
	src/sql_writer.o \
	src/value.o
PGFILEDESC = "decoder_raw - logical decoding output plugin emitting SQL"

EXTENSION = decoder_raw
DATA = decoder_raw--1.0.sql

REGRESS = basic options generated identity toast types settings identifiers partitions truncate xact messages
REGRESS_OPTS = --temp-instance=./tmp_check_regress \
	--temp-config=$(srcdir)/test/logical.conf

TAP_TESTS = 1

EXTRA_CLEAN = tmp_check_regress

PG_CPPFLAGS = -I$(srcdir)/src

# An output plugin gains nothing from JIT bitcode; do not require clang.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# after PGXS, which resets it
PROVE_FLAGS = -I $(srcdir)/t
