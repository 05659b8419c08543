
# Copyright (c) decoder_raw contributors

# Smoke test: decoder_raw loads, decodes one INSERT into SQL, and rejects
# unknown options.

use strict;
use warnings;

use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use FindBin;
use lib $FindBin::RealBin;
use DecoderRawNode;

my $node = new_logical_node('smoke');
$node->start;

$node->safe_psql('postgres',
	'CREATE TABLE public.t (id int PRIMARY KEY, v text);');
$node->safe_psql('postgres',
	"SELECT 'init' FROM pg_create_logical_replication_slot('smoke_slot', 'decoder_raw');"
);

$node->safe_psql('postgres', "INSERT INTO public.t VALUES (1, 'a''b');");

my $out = $node->safe_psql('postgres',
	"SELECT data FROM pg_logical_slot_get_changes('smoke_slot', NULL, NULL);");
is( $out,
	"BEGIN;\nINSERT INTO public.t (id, v) VALUES (1, 'a''b');\nCOMMIT;",
	'INSERT decoded to SQL');

# Option validation happens at startup, before any change is decoded.
my ($ret, $stdout, $stderr) = $node->psql('postgres',
	"SELECT data FROM pg_logical_slot_get_changes('smoke_slot', NULL, NULL, 'no_such_option', 'on');"
);
isnt($ret, 0, 'unknown plugin option fails');
like(
	$stderr,
	qr/no_such_option/,
	'error message names the unknown option');

# The slot must still be usable after the failed call.
$node->safe_psql('postgres', "INSERT INTO public.t VALUES (2, NULL);");
$out = $node->safe_psql('postgres',
	"SELECT count(*) FROM pg_logical_slot_get_changes('smoke_slot', NULL, NULL);"
);
is($out, '3', 'slot still usable after option error');

$node->stop;

done_testing();
