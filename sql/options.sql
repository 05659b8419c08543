-- Every option error, raised when decoding starts, before any change.
-- Each names the option and says what it accepts.
SET client_min_messages = warning;

CREATE TABLE options_t (id int PRIMARY KEY, v text);
SELECT 'init' FROM pg_create_logical_replication_slot('options_slot', 'decoder_raw');
INSERT INTO options_t VALUES (1, 'a');

-- unknown options; names are case-sensitive
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'no-such-option', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'Include-Xids', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include_xids', '1');

-- booleans
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-xids', 'maybe');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'skip-empty-xacts', '');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-transaction', '2');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include_transaction', 'nope');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-timestamp', 'x');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-lsn', 'x');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-origin', 'x');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'origin-progress', 'x');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'only-local', 'x');

-- format and its alias output_format take different values
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format', 'json');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format', 'textual');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format', 'SQL');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format', '');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'output_format', 'sql');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'output_format', 'text');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'output_format', '');

-- repeated options, under the same name or under a name and its alias
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-xids', '1', 'include-xids', '0');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-transaction', '1', 'include_transaction', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include_transaction', '0', 'include-transaction', '0');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format', 'sql', 'output_format', 'textual');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'exclude-origins', 'a', 'exclude-origins', 'b');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'missing-identity', 'warn', 'missing-identity', 'warn');

-- origin lists: no empty names, no over-long names
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'forward-origins', '');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'exclude-origins', 'a,,b');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'exclude-origins', 'a,');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'forward-origins', ' , a');
-- white space around names is dropped; names of any length are taken whole
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'exclude-origins', ' a , b ', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'forward-origins', repeat('x', 63), 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'forward-origins', repeat('x', 200), 'skip-empty-xacts', '1');

-- contradicting combinations
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'forward-origins', 'a', 'exclude-origins', 'b');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'only-local', '1', 'forward-origins', 'a');
-- only-local off does not contradict
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'only-local', '0', 'forward-origins', 'a', 'skip-empty-xacts', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'origin-progress', '1', 'include-transaction', '0');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include_transaction', 'off', 'origin-progress', 'on');

-- options of the binary format
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'binary-values', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'binary-values', '0');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format', 'sql', 'binary-values', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format-version', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'output_format', 'binary', 'format-version', '1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format-version', 'one');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format-version', '1x');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format-version', '0');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format-version', '99');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'format-version', '');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'binary-values', 'x');
-- record kinds only: the relation record holds an OID (see binary.sql)
SELECT chr(get_byte(data, 0)) AS kind FROM pg_logical_slot_peek_binary_changes('options_slot', NULL, NULL, 'format', 'binary', 'message-size', '0');

-- missing-identity
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'missing-identity', 'ignore');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'missing-identity', 'ERROR');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'missing-identity', '');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'missing-identity', 'error', 'skip-empty-xacts', '1');

-- message-size: bytes, or a size with a unit, from 0 to 64MB
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '0');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '1kB');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '64MB');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '-1');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '65MB');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '99999999999');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', 'big');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '10 parsecs');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '1s');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '');
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'message-size', '1', 'message-size', '1');

-- an odd number of arguments is refused by the server
SELECT data FROM pg_logical_slot_peek_changes('options_slot', NULL, NULL, 'include-xids');

-- failed calls consumed nothing
SELECT data FROM pg_logical_slot_get_changes('options_slot', NULL, NULL, 'skip-empty-xacts', '1');
SELECT pg_drop_replication_slot('options_slot');
DROP TABLE options_t;
