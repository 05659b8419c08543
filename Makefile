# decoder_raw: logical decoding output plugin emitting SQL or binary records

MODULE_big = decoder_raw

# common/: the SQL rules, quoting and binary format that the plugin and the
# client programs share.  Plain C99: PGXS builds it with the server's flags,
# the programs with their own.
COMMON_SRCS = common/quote.c common/text.c common/sql_rules.c
COMMON_OBJS = $(COMMON_SRCS:.c=.o)
COMMON_HDRS = common/dr_common.h common/binary_format.h common/batch_format.h

OBJS = \
	$(WIN32RES) \
	decoder_raw.o \
	src/options.o \
	src/filter.o \
	src/relcache.o \
	src/origin.o \
	src/sql_writer.o \
	src/binary_writer.o \
	src/value.o \
	src/numeric_text.o \
	src/apply_batch.o \
	$(COMMON_OBJS)
PGFILEDESC = "decoder_raw - logical decoding output plugin emitting SQL or binary records"

EXTENSION = decoder_raw
DATA = decoder_raw--1.0.sql decoder_raw--1.0--1.1.sql

REGRESS = setup basic options generated identity toast types settings identifiers partitions truncate xact messages literals binary packing altered_types index_keys identity_names long_origins missing_identity invalidation filters publications partitions_root value_text twophase stream apply_batch
REGRESS_OPTS = --temp-instance=./tmp_check_regress \
	--temp-config=$(srcdir)/test/logical.conf

TAP_TESTS = 1

EXTRA_CLEAN = tmp_check_regress $(READER_PROGRAM) $(APPLY_PROGRAM)

PG_CPPFLAGS = -I$(srcdir)/src

# An output plugin gains nothing from JIT bitcode; do not require clang.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# after PGXS, which resets it
PROVE_FLAGS = -I $(srcdir)/t

# decoder_raw_dump, the reader of the binary format: plain C99 and libc,
# installed next to PostgreSQL's own programs.
READER_PROGRAM = reader/decoder_raw_dump
READER_SRCS = reader/decoder_raw_dump.c reader/record_sql.c reader/decoder_raw_reader.c \
	$(COMMON_SRCS)

all: $(READER_PROGRAM)

$(READER_PROGRAM): $(READER_SRCS) reader/decoder_raw_reader.h reader/record_sql.h \
	$(COMMON_HDRS)
	$(CC) -std=c99 $(CFLAGS) -Wextra -o $@ $(READER_SRCS) $(LDFLAGS)

install: install-reader
install-reader: $(READER_PROGRAM)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(READER_PROGRAM) '$(DESTDIR)$(bindir)/decoder_raw_dump'

uninstall: uninstall-reader
uninstall-reader:
	rm -f '$(DESTDIR)$(bindir)/decoder_raw_dump'

.PHONY: install-reader uninstall-reader

# The tests run the installed decoder_raw_dump unless told otherwise.
DECODER_RAW_DUMP ?= $(bindir)/decoder_raw_dump
export DECODER_RAW_DUMP
# helpers of the pg_regress tests
DECODER_RAW_TESTDIR = $(abspath $(srcdir))/test
export DECODER_RAW_TESTDIR

# decoder_raw_apply, the applier: C99 and libpq, installed next to
# decoder_raw_dump.
APPLY_PROGRAM = apply/decoder_raw_apply
APPLY_SRCS = apply/decoder_raw_apply.c apply/source.c apply/target.c apply/flush.c \
	apply/batch.c apply/procedure.c apply/records.c apply/spool.c apply/copy.c \
	reader/record_sql.c \
	reader/decoder_raw_reader.c $(COMMON_SRCS)

all: $(APPLY_PROGRAM)

$(APPLY_PROGRAM): $(APPLY_SRCS) apply/apply.h reader/record_sql.h \
	reader/decoder_raw_reader.h $(COMMON_HDRS)
	$(CC) -std=c99 $(CFLAGS) -Wextra -I$(includedir) -o $@ $(APPLY_SRCS) $(LDFLAGS) -L$(libdir) -lpq

install: install-apply
install-apply: $(APPLY_PROGRAM)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(APPLY_PROGRAM) '$(DESTDIR)$(bindir)/decoder_raw_apply'

uninstall: uninstall-apply
uninstall-apply:
	rm -f '$(DESTDIR)$(bindir)/decoder_raw_apply'

.PHONY: install-apply uninstall-apply

DECODER_RAW_APPLY ?= $(bindir)/decoder_raw_apply
export DECODER_RAW_APPLY

# PGXS tracks no header dependencies: a changed struct must rebuild them all
$(filter %.o,$(OBJS)): src/decoder_raw.h $(COMMON_HDRS)
