/*-------------------------------------------------------------------------
 *
 * decoder_raw_apply.c
 *		Replicate one database to another through a decoder_raw slot.
 *
 * The applier streams the plugin's binary format over the replication
 * protocol (source.c), turns its records into prepared statements
 * (records.c) and runs them in batches (batch.c) on the target, in a
 * session bound to a replication origin (target.c).  The origin's progress, recorded
 * by each replayed commit, is the truth: a restart resumes after it, and the
 * slot is confirmed only up to what the target has durably committed.
 *
 * This file holds the command line, the signals and the reconnection loop.
 *
 * Copyright (c) decoder_raw contributors
 *
 *-------------------------------------------------------------------------
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"

#define APPLY_VERSION "1.0"

/* reconnection backoff, seconds: 1, 2, 4, ... up to this */
#define MAX_BACKOFF 16
/* how long to wait for a slot or origin held by a previous applier */
#define BUSY_WAIT_SECONDS 120

static const char *progname = "decoder_raw_apply";

volatile int stop_requested = 0;

void
log_error(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: error: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
log_info(const char *fmt,...)
{
	va_list		ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int64_t
now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void *
xmalloc(size_t size)
{
	void	   *p = malloc(size ? size : 1);

	if (p == NULL)
	{
		log_error("out of memory");
		exit(EXIT_APPLY_ERROR);
	}
	return p;
}

void *
xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL)
	{
		log_error("out of memory");
		exit(EXIT_APPLY_ERROR);
	}
	return p;
}

char *
xstrdup(const char *s)
{
	size_t		len = strlen(s);
	char	   *p = xmalloc(len + 1);

	memcpy(p, s, len + 1);
	return p;
}

/*
 * "host=... port=... dbname=... user=..." of a connection string, for
 * messages: never the password, nor anything else the string holds.
 */
void
describe_conninfo(const char *conninfo, char *out, size_t outlen)
{
	static const char *const shown[] = {"host", "port", "dbname", "user"};
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL);
	size_t		len = 0;

	out[0] = '\0';
	if (opts == NULL)
		return;
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
	{
		for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
		{
			if (strcmp(o->keyword, shown[i]) != 0 || o->val == NULL ||
				o->val[0] == '\0' || len >= outlen)
				continue;
			len += snprintf(out + len, outlen - len, "%s%s=%s",
							len ? " " : "", o->keyword, o->val);
		}
	}
	PQconninfoFree(opts);
}

bool
parse_lsn(const char *str, lsn_t *lsn)
{
	unsigned long hi,
				lo;
	char	   *end;

	errno = 0;
	hi = strtoul(str, &end, 16);
	if (end == str || *end != '/' || errno != 0 || hi > 0xFFFFFFFFUL)
		return false;
	str = end + 1;
	lo = strtoul(str, &end, 16);
	if (end == str || *end != '\0' || errno != 0 || lo > 0xFFFFFFFFUL)
		return false;
	*lsn = ((lsn_t) hi << 32) | lo;
	return true;
}

/* days from 1970-01-01 to a date of the proleptic Gregorian calendar */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t		era;
	int			yoe,
				doy;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (int) (y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/*
 * "2026-11-21 08:03:20.626282+00", as decoder_raw writes commit times, in
 * microseconds since the Unix epoch.
 */
bool
parse_utc_timestamp(const char *str, int64_t *usec)
{
	int			y,
				mo,
				d,
				h,
				mi,
				sec,
				n = 0;
	int64_t		frac = 0;
	int			digits = 0;

	if (sscanf(str, "%4d-%2d-%2d %2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
		return false;
	str += n;
	if (*str == '.')
		for (str++; *str >= '0' && *str <= '9'; str++)
			if (digits++ < 6)
				frac = frac * 10 + (*str - '0');
	for (; digits < 6; digits++)
		frac *= 10;
	if (strncmp(str, "+00", 3) != 0)
		return false;
	*usec = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000000LL +
		sec * 1000000LL + frac;
	return true;
}

static void
usage(void)
{
	printf("%s replicates a database through a decoder_raw logical replication slot:\n"
		   "it streams the slot's changes and applies them on another server, exactly\n"
		   "once, recording its progress in a replication origin on that server.\n\n",
		   progname);
	printf("Usage:\n  %s --source CONNINFO --target CONNINFO --slot NAME [OPTION]...\n\n",
		   progname);
	printf("Options:\n"
		   "      --source=CONNINFO     server to stream from (replication=database is added)\n"
		   "      --target=CONNINFO     server to apply to\n"
		   "      --slot=NAME           decoder_raw logical replication slot on the source\n"
		   "      --origin=NAME         replication origin on the target\n"
		   "                            (default: decoder_raw_<source system id>_<slot>)\n"
		   "      --create-slot         create the slot if it does not exist\n"
		   "      --copy-data           create the slot and copy every table under its\n"
		   "                            snapshot first (the target tables must be empty)\n"
		   "      --preserve-origins    replay a transaction that carries an upstream\n"
		   "                            origin under a target origin of that name\n"
		   "                            (rings: doc/topologies.md)\n"
		   "      --endpos=LSN          exit once everything up to LSN is applied\n"
		   "      --apply-mode=MODE     procedure: through decoder_raw_apply_batch() of\n"
		   "                            the target's decoder_raw extension; sql: as SQL\n"
		   "                            statements; auto (default): procedure where the\n"
		   "                            target has it\n"
		   "  -o, --option=NAME[=VALUE] pass an option to decoder_raw (repeatable)\n"
		   "      --on-conflict=ACTION  an UPDATE or DELETE that finds no row: stop\n"
		   "                            (default) or skip-and-log\n"
		   "      --skip-xact=LSN       do not apply the transaction that begins or whose\n"
		   "                            commit ends at LSN, but record it as applied\n"
		   "      --spool-dir=DIR       where transactions streamed before they commit\n"
		   "                            (-o stream-changes) wait for it (default: $TMPDIR\n"
		   "                            or /tmp)\n"
		   "      --max-retries=N       after a lost connection, give up after N failed\n"
		   "                            reconnection attempts (default: retry forever)\n"
		   "  -s, --status-interval=SECS  status to the source, and a status line, every\n"
		   "                            SECS (default 10, without a line but on a terminal)\n"
		   "  -v, --verbose             a line per transaction and status lines\n"
		   "  -V, --version             output version information, then exit\n"
		   "  -?, --help                show this help, then exit\n\n"
		   "Exit status: 0 endpos reached or stopped by SIGINT/SIGTERM, 1 apply or\n"
		   "setup error, 2 bad usage, 3 connection failure.\n");
}

static void
bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: error: ", progname);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry \"%s --help\" for more information.\n", progname);
	exit(EXIT_USAGE);
}

static bool
parse_bool(const char *value, bool *result)
{
	static const char *const yes[] = {"on", "true", "1"};
	static const char *const no[] = {"off", "false", "0"};

	if (value == NULL)
	{
		*result = true;
		return true;
	}
	for (int i = 0; i < 3; i++)
	{
		if (strcmp(value, yes[i]) == 0)
			return (*result = true);
		if (strcmp(value, no[i]) == 0)
			return !(*result = false);
	}
	return false;
}

/*
 * A plugin option from -o.  The applier needs the SQL format with its
 * transactions and origin progress; options that would take those away are
 * refused here rather than misapplied later.
 */
static void
add_plugin_option(ApplyOptions *opts, const char *arg)
{
	const char *eq = strchr(arg, '=');
	PluginOption *o;
	bool		b;

	if (eq == arg || arg[0] == '\0')
		bad_usage("invalid plugin option \"%s\": expected NAME[=VALUE]", arg);
	opts->plugin_opts = realloc(opts->plugin_opts,
								sizeof(PluginOption) * (opts->nplugin_opts + 1));
	if (opts->plugin_opts == NULL)
		bad_usage("%s", "out of memory");
	o = &opts->plugin_opts[opts->nplugin_opts++];
	o->name = eq ? strndup(arg, eq - arg) : xstrdup(arg);
	o->value = eq ? xstrdup(eq + 1) : NULL;

	if ((strcmp(o->name, "origin-progress") == 0 ||
		 strcmp(o->name, "include-transaction") == 0 ||
		 strcmp(o->name, "include_transaction") == 0 ||
		 strcmp(o->name, "include-lsn") == 0) &&
		!(parse_bool(o->value, &b) && b))
		bad_usage("plugin option \"%s\" must stay on: the applier needs it", o->name);
	if ((strcmp(o->name, "format") == 0 &&
		 (o->value == NULL || strcmp(o->value, "binary") != 0)) ||
		strcmp(o->name, "output_format") == 0 ||
		strcmp(o->name, "binary-values") == 0 ||
		strcmp(o->name, "format-version") == 0)
		bad_usage("plugin option \"%s\" is not supported: the applier reads the binary format with text values",
				  o->name);
}

static const struct option long_options[] = {
	{"source", required_argument, NULL, 1},
	{"target", required_argument, NULL, 2},
	{"slot", required_argument, NULL, 3},
	{"origin", required_argument, NULL, 4},
	{"create-slot", no_argument, NULL, 5},
	{"endpos", required_argument, NULL, 6},
	{"on-conflict", required_argument, NULL, 7},
	{"max-retries", required_argument, NULL, 8},
	{"skip-xact", required_argument, NULL, 9},
	{"spool-dir", required_argument, NULL, 10},
	{"copy-data", no_argument, NULL, 11},
	{"preserve-origins", no_argument, NULL, 12},
	{"apply-mode", required_argument, NULL, 13},
	{"option", required_argument, NULL, 'o'},
	{"status-interval", required_argument, NULL, 's'},
	{"verbose", no_argument, NULL, 'v'},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, '?'},
	{NULL, 0, NULL, 0}
};

/* A whole number from 0 to a day's seconds. */
static int
parse_count(const char *arg)
{
	char	   *end;
	long		n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || errno != 0 || n < 0 || n > 86400)
		bad_usage("invalid number \"%s\"", arg);
	return (int) n;
}

/* -?, --help or a bad option: getopt_long() returned '?'. */
static void
help_or_bad_option(char **argv)
{
	if (optopt == 0 && strcmp(argv[optind - 1], "-?") != 0 &&
		strcmp(argv[optind - 1], "--help") != 0)
		bad_usage("unknown option \"%s\"", argv[optind - 1]);
	if (optopt != 0 && optopt != '?')
		bad_usage("invalid or incomplete option \"%s\"", argv[optind - 1]);
	usage();
	exit(0);
}

static void
set_option(int c, char **argv, ApplyOptions *opts)
{
	switch (c)
	{
		case 1:
			opts->source = optarg;
			break;
		case 2:
			opts->target = optarg;
			break;
		case 3:
			opts->slot = optarg;
			break;
		case 4:
			opts->origin = optarg;
			break;
		case 5:
			opts->create_slot = true;
			break;
		case 6:
			if (!parse_lsn(optarg, &opts->endpos) || opts->endpos == 0)
				bad_usage("invalid --endpos \"%s\": expected an LSN like 0/16B2D80", optarg);
			break;
		case 9:
			if (!parse_lsn(optarg, &opts->skip_xact) || opts->skip_xact == 0)
				bad_usage("invalid --skip-xact \"%s\": expected an LSN like 0/16B2D80", optarg);
			break;
		case 11:
			opts->copy_data = true;
			break;
		case 12:
			opts->preserve_origins = true;
			break;
		case 13:
			if (strcmp(optarg, "auto") == 0)
				opts->apply_mode = APPLY_AUTO;
			else if (strcmp(optarg, "procedure") == 0)
				opts->apply_mode = APPLY_PROCEDURE;
			else if (strcmp(optarg, "sql") == 0)
				opts->apply_mode = APPLY_SQL;
			else
				bad_usage("invalid --apply-mode \"%s\": expected auto, procedure or sql", optarg);
			break;
		case 7:
			if (strcmp(optarg, "stop") == 0)
				opts->on_conflict = CONFLICT_STOP;
			else if (strcmp(optarg, "skip-and-log") == 0)
				opts->on_conflict = CONFLICT_SKIP_AND_LOG;
			else
				bad_usage("invalid --on-conflict \"%s\": expected stop or skip-and-log", optarg);
			break;
		case 8:
			opts->max_retries = parse_count(optarg);
			break;
		case 10:
			opts->spool_dir = optarg;
			break;
		case 's':
			opts->status_interval = parse_count(optarg);
			opts->progress_lines = true;
			break;
		case 'o':
			add_plugin_option(opts, optarg);
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'V':
			printf("%s (decoder_raw) %s\n", progname, APPLY_VERSION);
			exit(0);
		case '?':
			help_or_bad_option(argv);
			break;
		default:
			bad_usage("invalid option \"%s\"", argv[optind - 1]);
	}
}

/*
 * --copy-data copies every table: plugin options that choose tables would
 * have it copy what the stream leaves out.  partitions-as-root makes it
 * copy each partition into its root, as the stream writes it.
 */
static void
check_copy_options(ApplyOptions *opts)
{
	static const char *const choosing[] = {
		"include-tables", "add-tables", "exclude-tables", "filter-tables",
		"publication-names"
	};

	for (int i = 0; i < opts->nplugin_opts; i++)
	{
		const PluginOption *o = &opts->plugin_opts[i];

		for (size_t j = 0; j < sizeof(choosing) / sizeof(choosing[0]); j++)
			if (strcmp(o->name, choosing[j]) == 0)
				bad_usage("--copy-data copies every table: it cannot be combined with plugin option \"%s\"",
						  o->name);
		if (strcmp(o->name, "partitions-as-root") == 0 &&
			!parse_bool(o->value, &opts->copy_as_root))
			bad_usage("invalid value for plugin option \"%s\"", o->name);
	}
}

/*
 * --preserve-origins needs the origin names of the begin records, and the
 * origin of every transaction: a streamed one is begun before its origin
 * is known.
 */
static void
check_preserve_options(const ApplyOptions *opts)
{
	bool		b;

	for (int i = 0; i < opts->nplugin_opts; i++)
	{
		const PluginOption *o = &opts->plugin_opts[i];

		if (strcmp(o->name, "include-origin") == 0 && !(parse_bool(o->value, &b) && b))
			bad_usage("%s", "--preserve-origins needs plugin option \"include-origin\" on");
		if (strcmp(o->name, "stream-changes") == 0 && parse_bool(o->value, &b) && b)
			bad_usage("%s", "--preserve-origins cannot be combined with plugin option \"stream-changes\": "
					  "a streamed transaction does not carry its origin");
	}
}

static void
parse_args(int argc, char **argv, ApplyOptions *opts)
{
	int			c;

	memset(opts, 0, sizeof(*opts));
	opts->status_interval = 10;
	opts->max_retries = -1;
	opts->spool_dir = getenv("TMPDIR") && getenv("TMPDIR")[0] ? getenv("TMPDIR") : "/tmp";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:s:vV?", long_options, NULL)) != -1)
		set_option(c, argv, opts);
	if (optind < argc)
		bad_usage("too many arguments, first: \"%s\"", argv[optind]);
	if (opts->source == NULL || opts->target == NULL || opts->slot == NULL)
		bad_usage("%s", "--source, --target and --slot are required");
	if (PQconninfoParse(opts->source, NULL) == NULL)
		bad_usage("%s", "invalid connection string in --source");
	if (PQconninfoParse(opts->target, NULL) == NULL)
		bad_usage("%s", "invalid connection string in --target");
	if (opts->slot[0] == '\0' || strlen(opts->slot) >= 64)
		bad_usage("invalid slot name \"%s\"", opts->slot);
	if (opts->origin != NULL &&
		(opts->origin[0] == '\0' || strlen(opts->origin) > MAX_ORIGIN_NAME))
		bad_usage("%s", "an origin name needs 1 to 512 bytes");
	if (opts->copy_data)
		check_copy_options(opts);
	if (opts->preserve_origins)
		check_preserve_options(opts);
	/* the procedure reports no row counts, and binds one origin */
	if (opts->apply_mode == APPLY_PROCEDURE && opts->on_conflict != CONFLICT_STOP)
		bad_usage("%s", "--apply-mode procedure cannot be combined with --on-conflict skip-and-log");
	if (opts->apply_mode == APPLY_PROCEDURE && opts->preserve_origins)
		bad_usage("%s", "--apply-mode procedure cannot be combined with --preserve-origins");
	opts->progress_lines |= opts->verbose || isatty(STDERR_FILENO);
}

static void
handle_signal(int signo)
{
	(void) signo;
	stop_requested = 1;
}

/* Sleep, waking up early when a signal asks to stop. */
static void
sleep_interruptible(int seconds)
{
	for (int i = 0; i < seconds * 10 && !stop_requested; i++)
	{
		struct timespec ts = {0, 100 * 1000 * 1000};

		nanosleep(&ts, NULL);
	}
}

/*
 * One session: connect to both servers, resume after the target's progress
 * and stream until something ends it.
 */
static ApplyResult
run_session(Applier *a, bool first)
{
	uint64_t	sysid = 0;
	ApplyResult r;

	r = source_connect(a, &sysid, first);
	if (r == AR_OK)
		r = target_connect(a, sysid, first);
	if (r == AR_OK && first && a->opts->copy_data)
		r = copy_initial_data(a);
	if (r == AR_OK)
		r = source_start(a, a->committed);
	/* the slot is past --endpos already: no message would come to say so */
	if (r == AR_OK && a->opts->endpos != 0 &&
		(a->committed >= a->opts->endpos || a->confirmed >= a->opts->endpos))
		r = AR_DONE;
	if (r == AR_OK)
		r = source_stream(a);

	/*
	 * What is complete is applied before leaving; an open transaction is
	 * rolled back, and the source sends it again.
	 */
	if ((r == AR_STOP || r == AR_LOST) && a->tgt != NULL &&
		PQstatus(a->tgt) == CONNECTION_OK && batch_drain(a, true) == AR_ERROR)
		r = AR_ERROR;
	if (a->tgt != NULL)
		abandon_xact(a);
	if (r == AR_DONE || r == AR_STOP || r == AR_ERROR)
	{
		/* confirm what the target committed and flushed before leaving */
		if (a->src != NULL && a->session_started && !a->src_failed)
		{
			confirm_flushed(a, true);
			send_feedback(a);
		}
		source_finish(a, true);
	}
	else
		source_finish(a, false);
	target_finish(a);
	return r;
}

/* what a run that ends well did */
static void
report_end(Applier *a, bool at_endpos)
{
	log_info("%s at " LSN_FORMAT ": %llu transactions, %llu changes applied, "
			 "%llu skipped, %llu conflicts",
			 at_endpos ? "reached endpos" : "stopped",
			 LSN_ARGS(a->committed),
			 (unsigned long long) a->n_xacts,
			 (unsigned long long) a->n_changes,
			 (unsigned long long) a->n_skipped,
			 (unsigned long long) a->n_conflicts);
	if (a->opts->skip_xact != 0 && !a->skip_done)
		log_info("no transaction began or ended at --skip-xact " LSN_FORMAT
				 ": none was skipped", LSN_ARGS(a->opts->skip_xact));
}

int
main(int argc, char **argv)
{
	ApplyOptions opts;
	Applier		a;
	struct sigaction sa;
	int			failures = 0;
	int			busy = 0;
	int			delay;
	bool		ever_started = false;

	parse_args(argc, argv, &opts);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handle_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&a, 0, sizeof(a));
	a.opts = &opts;
	a.last_report = now_usec();

	for (;;)
	{
		ApplyResult r;

		a.session_started = false;
		r = run_session(&a, !ever_started);
		if (a.session_started)
		{
			ever_started = true;
			failures = 0;
			busy = 0;
		}
		if (stop_requested && r != AR_ERROR)
			r = AR_STOP;

		switch (r)
		{
			case AR_DONE:
			case AR_STOP:
				report_end(&a, r == AR_DONE);
				return 0;
			case AR_ERROR:
				return EXIT_APPLY_ERROR;
			case AR_BUSY:
				/* a killed applier's backends are still going away */
				if (++busy > BUSY_WAIT_SECONDS)
				{
					log_error("the slot or the origin is still in use after %d s",
							  BUSY_WAIT_SECONDS);
					return EXIT_APPLY_ERROR;
				}
				sleep_interruptible(1);
				break;
			case AR_LOST:
				/* failing before ever streaming is a setup problem: no retry */
				if (!ever_started ||
					(opts.max_retries >= 0 && failures >= opts.max_retries))
					return EXIT_CONNECTION;
				failures++;
				delay = failures > 5 ? MAX_BACKOFF : 1 << (failures - 1);
				log_info("reconnecting in %d s (attempt %d%s)", delay, failures,
						 opts.max_retries >= 0 ? " of --max-retries" : "");
				sleep_interruptible(delay);
				break;
			case AR_OK:
				break;
		}
	}
}
