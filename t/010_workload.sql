-- Serial part of the workload of t/010_replay.pl, run on the source after
-- the slot was created and after the concurrent sessions.  Comments say what
-- a group of statements exercises when it is not obvious.

SET client_min_messages = warning;

-- REPLICA IDENTITY DEFAULT
INSERT INTO pk_simple VALUES (1, 'one', 1), (2, 'two', 2), (3, NULL, NULL);
-- COPY is decoded from multi-insert records
COPY pk_simple (id, v, n) FROM STDIN WITH (FORMAT csv);
10,copy ten,10
11,"comma, ""quote""",
12,back\slash,12
\.
UPDATE pk_simple SET v = 'ONE' WHERE id = 1;
UPDATE pk_simple SET id = 4 WHERE id = 2;
UPDATE pk_simple SET id = id + 100 WHERE id >= 10;
UPDATE pk_simple SET n = NULL, v = 'x' WHERE id = 3;
DELETE FROM pk_simple WHERE id = 4;

INSERT INTO pk_multi VALUES (1, 'a', '2000-01-01', 'x'), (1, 'b', '2000-01-01', 'y'),
	(2, 'a', 'infinity', NULL);
UPDATE pk_multi SET v = 'X' WHERE a = 1 AND b = 'a';
UPDATE pk_multi SET b = 'c', c = '1999-12-31' WHERE a = 1 AND b = 'b';
UPDATE pk_multi SET a = 3 WHERE a = 2;
DELETE FROM pk_multi WHERE a = 1 AND b = 'a';

-- REPLICA IDENTITY USING INDEX: INCLUDE columns are not part of the key
INSERT INTO ri_index VALUES (1, 'A', 'inc', 'v1'), (2, 'A', NULL, 'v2'), (1, 'B', 'inc', 'v3');
UPDATE ri_index SET v = 'v1b' WHERE id = 1 AND code = 'A';
UPDATE ri_index SET extra = 'inc2' WHERE id = 2;
UPDATE ri_index SET code = 'C' WHERE id = 1 AND code = 'B';
DELETE FROM ri_index WHERE id = 2;
INSERT INTO ri_alt VALUES (1, 'one', 'x'), (2, 'two', 'y'), (3, 'three', 'z');
UPDATE ri_alt SET id = 10 WHERE id = 1;
UPDATE ri_alt SET alt = 'TWO' WHERE id = 2;
DELETE FROM ri_alt WHERE alt = 'three';

-- replica identity changed in the middle of a transaction
INSERT INTO ri_switch VALUES (1, 'a'), (2, 'b'), (3, 'c');
UPDATE ri_switch SET v = 'A' WHERE id = 1;
BEGIN;
UPDATE ri_switch SET v = 'B' WHERE id = 2;
ALTER TABLE ri_switch REPLICA IDENTITY FULL;
UPDATE ri_switch SET v = 'BB' WHERE id = 2;
DELETE FROM ri_switch WHERE id = 3;
COMMIT;
ALTER TABLE ri_switch REPLICA IDENTITY DEFAULT;
UPDATE ri_switch SET id = 10 WHERE id = 1;

-- tables without a usable identity: INSERT only
INSERT INTO no_ident VALUES (1, 'a'), (1, 'a'), (NULL, NULL);
INSERT INTO ri_nothing VALUES (1, 'a'), (2, NULL);

-- REPLICA IDENTITY FULL: duplicates and NULLs
INSERT INTO full_dup VALUES (1, 'x', 1.5), (1, 'x', 1.5), (1, 'x', 1.5),
	(2, NULL, NULL), (2, NULL, NULL), (3, 'y', NULL), (NULL, NULL, NULL);
UPDATE full_dup SET b = 'one of three'
	WHERE ctid = (SELECT ctid FROM full_dup WHERE a = 1 LIMIT 1);
UPDATE full_dup SET c = c + 1 WHERE a = 1;
DELETE FROM full_dup WHERE ctid = (SELECT ctid FROM full_dup WHERE a = 2 LIMIT 1);
UPDATE full_dup SET a = 4 WHERE a IS NULL;
DELETE FROM full_dup WHERE a = 3;

-- REPLICA IDENTITY FULL: one of two rows that "=" cannot tell apart
INSERT INTO full_loose VALUES
	(1, 0, 0, 1, '1 day', '{0}'), (1, '-0', 0, 1, '1 day', '{0}'),
	(2, 0, 0, 1, '1 day', '{0}'), (2, 0, '-0', 1, '1 day', '{0}'),
	(3, 0, 0, 1.0, '1 day', '{0}'), (3, 0, 0, 1.00, '1 day', '{0}'),
	(4, 0, 0, 1, '1 day', '{0}'), (4, 0, 0, 1, '24:00:00', '{0}'),
	(5, 0, 0, 1, '1 day', '{0}'), (5, 0, 0, 1, '1 day', '{-0}'),
	(6, 'NaN', 'NaN', 'NaN', '1 mon', '{NaN}'), (6, 'NaN', 'NaN', 'NaN', '1 mon', '{NaN}');
DELETE FROM full_loose WHERE id = 1 AND f8::text = '-0';
UPDATE full_loose SET id = 20 WHERE id = 2 AND f4::text = '-0';
DELETE FROM full_loose WHERE id = 3 AND scale(n) = 2;
UPDATE full_loose SET id = 40 WHERE id = 4 AND iv::text = '24:00:00';
DELETE FROM full_loose WHERE id = 5 AND fa::text = '{-0}';
DELETE FROM full_loose WHERE ctid = (SELECT ctid FROM full_loose WHERE id = 6 LIMIT 1);

-- REPLICA IDENTITY FULL: types without an equality operator
INSERT INTO full_noeq VALUES
	(1, '{"a": 1}', '<x>1</x>', '(0.1,0.3)', '{1,2,3}', '[(0,0),(1,1)]',
	 '(1,1),(0,0)', '[(0,0),(1,1)]', '((0,0),(1,1),(1,0))', '<(0,0),1>',
	 '{"k": "é"}', '{"{}",NULL}'),
	(1, '{"a": 1}', '<x>1</x>', '(0.1,0.30000000000000004)', '{1,2,3}', '[(0,0),(1,1)]',
	 '(1,1),(0,0)', '[(0,0),(1,1)]', '((0,0),(1,1),(1,0))', '<(0,0),1>',
	 '{"k": "é"}', '{"{}",NULL}'),
	(2, '{"a":1}', '<x>1</x>', '(0.1,0.3)', '{1,2,3}', '[(0,0),(1,1)]',
	 '(1,1),(0,0)', '((0,0),(1,1))', '((0,0),(1,1),(1,0))', '<(0,0),1>',
	 '{"k":"é"}', '{"{}",NULL}'),
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
	(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
UPDATE full_noeq SET j = '{"a":  2}' WHERE id = 1 AND p[1] > 0.3;
DELETE FROM full_noeq WHERE id = 2;
DELETE FROM full_noeq WHERE ctid = (SELECT ctid FROM full_noeq WHERE id = 3 LIMIT 1);
UPDATE full_noeq SET x = '<y/>', jd = '[]' WHERE id = 3;

-- tables without assignable columns
INSERT INTO no_cols DEFAULT VALUES;
INSERT INTO no_cols DEFAULT VALUES;
INSERT INTO no_cols DEFAULT VALUES;
DELETE FROM no_cols WHERE ctid = (SELECT ctid FROM no_cols LIMIT 1);
INSERT INTO only_gen DEFAULT VALUES;
INSERT INTO only_gen DEFAULT VALUES;
DELETE FROM only_gen WHERE ctid = (SELECT ctid FROM only_gen LIMIT 1);

-- generated columns are computed again by the target
INSERT INTO gen (id, a, t) VALUES (1, 1, 'abc'), (2, 2, NULL), (3, NULL, 'é');
UPDATE gen SET a = 10 WHERE id = 1;
UPDATE gen SET id = 20, t = 'moved' WHERE id = 2;
DELETE FROM gen WHERE id = 3;
INSERT INTO gen_full (a, t) VALUES (1, 'x'), (1, 'x'), (2, NULL);
UPDATE gen_full SET a = 5 WHERE ctid = (SELECT ctid FROM gen_full WHERE a = 1 LIMIT 1);
DELETE FROM gen_full WHERE a = 2;

-- identity columns
INSERT INTO ident_always (v) VALUES ('a'), ('b'), ('c');
INSERT INTO ident_always (id, v) OVERRIDING SYSTEM VALUE VALUES (100, 'explicit');
UPDATE ident_always SET v = 'B' WHERE id = 2;
DELETE FROM ident_always WHERE id = 3;
INSERT INTO ident_default (v) VALUES ('a'), ('b');
INSERT INTO ident_default (id, v) VALUES (1, 'explicit');
UPDATE ident_default SET id = 2 WHERE id = 1;
UPDATE ident_default SET v = 'B' WHERE id = 15;
INSERT INTO ident_mixed (v) VALUES ('a'), ('b');
INSERT INTO ident_mixed (other, s, v) VALUES (-1, -1, 'explicit');
UPDATE ident_mixed SET other = 7, s = 8, v = 'changed' WHERE id = 1;
DELETE FROM ident_mixed WHERE id = 2;
INSERT INTO ident_full (v) VALUES ('dup'), ('dup'), (NULL);
UPDATE ident_full SET v = 'one' WHERE ctid = (SELECT ctid FROM ident_full WHERE v = 'dup' LIMIT 1);
DELETE FROM ident_full WHERE v IS NULL;
INSERT INTO ident_key_update (v) VALUES ('a'), ('b');

-- TOAST: external, external compressed, inline compressed
INSERT INTO toast_pk
	SELECT 1, string_agg(md5(g::text), ''),
		   decode(string_agg(md5((g + 1)::text), ''), 'hex'),
		   jsonb_build_object('k', string_agg(md5((g + 2)::text), '')),
		   repeat('abc', 300000), 1
	FROM generate_series(1, 4000) g;
INSERT INTO toast_pk VALUES (2, repeat('z', 5000), '\x01', '{"a": 1}', repeat('abc', 300000), 2);
-- the unchanged TOAST columns are not in the WAL
UPDATE toast_pk SET small = small + 10;
UPDATE toast_pk SET id = id + 100, small = 0 WHERE id = 1;
UPDATE toast_pk SET big = big || 'x' WHERE id = 101;
UPDATE toast_pk SET bigj = NULL, squeezed = 'short' WHERE id = 2;
DELETE FROM toast_pk WHERE id = 2;
INSERT INTO toast_full SELECT 1, string_agg(md5(g::text), ''), 1 FROM generate_series(1, 3000) g;
INSERT INTO toast_full SELECT * FROM toast_full;
INSERT INTO toast_full VALUES (2, NULL, 2);
UPDATE toast_full SET small = 5 WHERE ctid = (SELECT ctid FROM toast_full WHERE id = 1 LIMIT 1);
UPDATE toast_full SET small = small + 1;
DELETE FROM toast_full WHERE small = 6;
-- nothing assignable changes
INSERT INTO toast_always (big) SELECT string_agg(md5(g::text), '') FROM generate_series(1, 3000) g;
UPDATE toast_always SET big = big;

-- keys of types whose "=" is looser than identity
INSERT INTO float8_key VALUES (0.1, 'a'), (1e-300, 'b'), ('NaN', 'c'), ('Infinity', 'd'),
	('-Infinity', 'e'), (0, 'f'), (5e-324, 'g'), (1.7976931348623157e308, 'h'),
	(0.30000000000000004, 'i');
UPDATE float8_key SET v = 'A' WHERE f = 0.1;
UPDATE float8_key SET f = '-0' WHERE f = 0;
UPDATE float8_key SET v = 'F' WHERE f = 0;
UPDATE float8_key SET f = 42 WHERE f = 'NaN';
UPDATE float8_key SET v = 'I' WHERE f = 0.30000000000000004;
DELETE FROM float8_key WHERE f = 1e-300;
DELETE FROM float8_key WHERE f = '-Infinity';
INSERT INTO float4_key VALUES ('0.1', 'a'), ('3.4028235e38', 'b'), ('1.4e-45', 'c'),
	('NaN', 'd'), (0, 'e'), ('-Infinity', 'f'), (16777217, 'g');
UPDATE float4_key SET f = '-0' WHERE f = 0;
UPDATE float4_key SET v = 'A' WHERE f = '0.1';
UPDATE float4_key SET f = '0.2' WHERE f = '1.4e-45';
DELETE FROM float4_key WHERE f = 'NaN';
INSERT INTO numeric_key VALUES (1.10, 'a'), ('NaN', 'b'), ('Infinity', 'c'), ('-Infinity', 'd'),
	(0.000001, 'e'), (-0.0, 'f'), (123456789012345678901234567890.123456789, 'g');
UPDATE numeric_key SET n = 1.100 WHERE n = 1.10;
UPDATE numeric_key SET v = 'nan' WHERE n = 'NaN';
UPDATE numeric_key SET v = 'zero' WHERE n = 0;
DELETE FROM numeric_key WHERE n = '-Infinity';
INSERT INTO interval_key VALUES ('1 day', 'a'), ('1 mon', 'b'),
	('-1 years -2 mons +3 days -04:05:06.789', 'c');
UPDATE interval_key SET iv = '24:00:00' WHERE iv = '1 day';
UPDATE interval_key SET v = 'B' WHERE iv = '1 mon';
DELETE FROM interval_key WHERE v = 'c';

INSERT INTO misc_key VALUES
	('2000-01-01 00:00:00+05:45', '1 day', 'ok', '[1,5)', '{a,"b c"}', '\x00',
	 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2000-02-29', '::1/128', '{-0,0.1}', 'v1'),
	('infinity', '-1 mons', 'it''s "quoted"', 'empty', '{}', '\x',
	 '00000000-0000-0000-0000-000000000000', '-infinity', '10.0.0.1', '{NaN}', 'v2'),
	('0044-03-15 12:00:00+01 BC', '-1 years -2 mons +3 days -04:05:06.789', 'sad',
	 '(,5]', E'{"\\\\",NULL}', '\xff', 'ffffffff-ffff-ffff-ffff-ffffffffffff',
	 '4713-01-01 BC', '192.168.0.0/16', '{1e-300}', 'v3');
UPDATE misc_key SET v = 'v1 updated' WHERE k_enum = 'ok';
UPDATE misc_key SET k_tstz = '1999-12-31 23:59:59.999999+00', k_fa = '{-0,0.1,5e-324}'
	WHERE k_enum = 'ok';
UPDATE misc_key SET v = 'v3 updated' WHERE k_enum = 'sad';
DELETE FROM misc_key WHERE k_enum = 'it''s "quoted"';

-- every built-in type
INSERT INTO alltypes VALUES (
	1,
	-32768, -2147483648, -9223372036854775808,
	'NaN', -99999999.9999,
	'-Infinity', '-Infinity',
	false,
	E'q '' bs \\ nl \n cr \r tab \t bs \b ff \f ctl \x01\x1f\x7f -- end',
	'é日本🐘', 'ab', 'x', 'name with space',
	'\x00ff10',
	B'10101', B'',
	'4713-01-01 BC', '00:00:00', '00:00:00+15:59',
	'4713-01-01 00:00:00 BC', '4713-01-01 00:00:00+00 BC',
	'2000-01-01 00:00:00.1235',
	'-1 years -2 mons +3 days -04:05:06.789', '-1 year -2 months',
	'00000000-0000-0000-0000-000000000000',
	'{"a": [1, 2.50, "x\"y"],  "b" : null}',
	'{"b": [1, 2.50, {"c": "é"}], "a": "\u00e9\n"}',
	'$.a[*] ? (@ > 1)',
	'<a b="1">x &amp; y<!-- c --></a>',
	'{1,NULL,3}', E'{"a\\"b","c,d",NULL,"NULL","","back\\\\slash"," sp "}',
	'{{1,2},{3,4}}', '{-0,NaN,Infinity,-Infinity,0.1,1e-300}', E'{"\\\\x00ff",NULL}',
	'{"2000-01-01 00:00:00+00",infinity,-infinity}', E'{"{\\"a\\": 1}",NULL}',
	'{12.34,-0.01}',
	'(1,-0,"a ""quoted"" text")', '{"(1,2,x)",NULL,"(,,)"}',
	'it''s "quoted"', 'b c',
	1,
	'[1,10)', '[1.50,2.5]', '[2000-01-01 00:00+00,infinity)', '[2000-01-01,)',
	'(-Infinity,0.1]',
	'{[1,3),[5,7)}', '{[2000-01-01,2000-02-01)}', '{[-0,1e-300]}',
	'192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05',
	'-92233720368547758.08',
	$$'a' 'b':1A,2B 'it''s':3 'é'$$, $$'a' & !'b' | 'c':*$$,
	'(1e-300,-0)', '{1,-1,0}', '[(0,0),(1,1)]', '(1,1),(0,0)',
	'[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),1.5>',
	0, 'integer', '0/0', '0', '10:20:10,14,15', '(0,1)', '1 2 3', '1 2');
INSERT INTO alltypes VALUES (
	2,
	32767, 2147483647, 9223372036854775807,
	'Infinity', 99999999.9999,
	'Infinity', 'Infinity',
	true,
	'', '', '', '', '',
	'\x',
	B'00000', B'111111111111',
	'5874897-12-31', '24:00:00', '24:00:00-15:59',
	'294276-12-31 23:59:59.999999', '294276-12-31 23:59:59.999999+00',
	'infinity',
	'178000000 years', '-178000000 years',
	'ffffffff-ffff-ffff-ffff-ffffffffffff',
	'[]', '{}', '$', '',
	'{}', '{}', '[0:1]={1,2}', '{}', '{}',
	'{}', '{}', '{}',
	'(,,)', '{}',
	'sad', 'A',
	2147483647,
	'empty', 'empty', 'empty', 'empty', 'empty',
	'{}', '{}', '{}',
	'::ffff:1.2.3.4', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', 'ff:ff:ff:ff:ff:ff:ff:ff',
	'92233720368547758.07',
	'', 'x',
	'(1.7976931348623157e308,-1.7976931348623157e308)', '{0,1,-5}',
	'[(NaN,1),(2,3)]', '(0,0),(0,0)', '((0,0))', '((0,0))', '<(0,0),0>',
	4294967295, 'pair[]', 'FFFFFFFF/FFFFFFFF', '4294967295', '1:1:', '(4294967295,65535)',
	'', '');
INSERT INTO alltypes VALUES (
	3,
	0, 0, 0,
	'-Infinity', 0.0000,
	'0.1', '1e-300',
	true,
	E'line one\nline two', 'trailing space ', 'é', E'\x01', 'UPPER "q"',
	decode(repeat('00ff', 100), 'hex'),
	B'11111', B'1',
	'0044-03-15 BC', '23:59:59.999999', '12:34:56.789+05:45',
	'0044-03-15 12:00:00 BC', '1900-01-01 00:00:00+05:41:16',
	'1999-12-31 23:59:59.9999',
	'1 day', '1 year 2 months',
	'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
	'"string"', '"string"', 'strict $.a', '<?xml version="1.0"?><r/>',
	'{NULL}', '{NULL,"NULL"}', '{{NULL,2},{3,NULL}}', '{-0,5e-324}', '{"\\x"}',
	'{"0044-03-15 12:00:00+00 BC"}', '{"[1, 2]","\"\\\\\""}', '{0}',
	'(,0.1,)', '{"(,,)"}',
	'happy', 'é',
	42,
	'(1,2]', '(-Infinity,Infinity)', '[-infinity,infinity]', '[0044-03-15 BC,0044-03-16 BC]',
	'[-0,-0]',
	'{[1,2),[3,4),[5,6)}', '{[-infinity,infinity]}', '{(-Infinity,Infinity)}',
	'0.0.0.0/0', '::/0', '00:00:00:00:00:00', '00:00:00:00:00:00:00:00',
	'0.01',
	'''a b'':1,2,3', '''x'' <-> ''y''',
	'(0.1,0.2)', '{0.5,0,1}', '[(0.1,0.2),(0.3,0.4)]', '(0.3,0.4),(0.1,0.2)',
	'((0.1,0.2))', '((0.1,0.2),(0.3,0.4),(0.5,0))', '<(0.1,0.2),0.3>',
	1, 'public.pair', '16/B374D848', '42', '100:100:', '(1,2)',
	'-1', '0');
INSERT INTO alltypes (id) VALUES (4);
INSERT INTO alltypes SELECT 5, i2, i4, i8, num, num_s, f4, f8, bo, tx, vc, bp, ch, nm, by, bi, vb, da, ti, ttz,
	tsp, tstz, tsp3, iv, iv_ym, uu, js, jsb, jp, xm, ia, ta, md, fa, ba, tza, ja, mo_a, co, ca, en, wen,
	dm, r4, rn, rts, rd, rf, m4, mdr, mf, ip, cr, ma, m8, mo, tv, tq, pt, ln, ls, bx, pa, pg, ci,
	o, rt, lsn, xi, snap, ti2, i2v, ov
	FROM alltypes WHERE id = 1;
UPDATE alltypes SET id = 30 WHERE id = 3;
UPDATE alltypes SET f8 = '-0', f4 = '1.4e-45', num = 0.000000000000000000000000000001,
	tx = E'\\x41 is not a byte', by = '\x5c27', ch = '\', bo = NULL
	WHERE id = 1;
-- copy every column of row 30 into row 4 (all NULL), then clear row 5
DO $$
DECLARE
	cols text;
BEGIN
	SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
	FROM pg_attribute
	WHERE attrelid = 'alltypes'::regclass AND attnum > 1 AND NOT attisdropped;
	EXECUTE format('UPDATE alltypes SET (%s) = (SELECT %s FROM alltypes WHERE id = 30) WHERE id = 4',
				   cols, cols);
	SELECT string_agg(quote_ident(attname) || ' = NULL', ', ' ORDER BY attnum) INTO cols
	FROM pg_attribute
	WHERE attrelid = 'alltypes'::regclass AND attnum > 1 AND NOT attisdropped;
	EXECUTE format('UPDATE alltypes SET %s WHERE id = 5', cols);
END
$$;
DELETE FROM alltypes WHERE id = 2;

-- identifiers that need quoting
INSERT INTO "Weird ""Schema"" é"."Tab le ""q"" ü"
	VALUES (1, 'from', 1, 'ça', '2000-01-01', 1.5, '日本語', 'é'),
		   (2, 'select', NULL, NULL, NULL, NULL, NULL, NULL),
		   (3, 'user', 3, 'x', 'epoch', '-0', '', 'b c');
UPDATE "Weird ""Schema"" é"."Tab le ""q"" ü" SET "Upper Case" = 2, "日本" = 'x' WHERE "ID" = 1;
UPDATE "Weird ""Schema"" é"."Tab le ""q"" ü" SET "select" = 'where' WHERE "ID" = 2;
DELETE FROM "Weird ""Schema"" é"."Tab le ""q"" ü" WHERE "ID" = 1;
INSERT INTO "Weird ""Schema"" é"."FULL ""t"""
	VALUES (1, '{"x": 1}', 'A'), (1, '{"x": 1}', 'A'), (2, NULL, 'b c');
UPDATE "Weird ""Schema"" é"."FULL ""t""" SET "M" = 'é'
	WHERE ctid = (SELECT ctid FROM "Weird ""Schema"" é"."FULL ""t""" WHERE "Key" = 1 LIMIT 1);
DELETE FROM "Weird ""Schema"" é"."FULL ""t""" WHERE "Key" = 2;
INSERT INTO "order" VALUES (1, 'group', 1), (2, 'by', 2);
UPDATE "order" SET "check" = 3 WHERE id = 1;
DELETE FROM "order" WHERE id = 2;
INSERT INTO "new
line" ("also
nl") VALUES ('a'), (NULL);
INSERT INTO "new
line" ("also
nl") SELECT string_agg(md5(g::text), '') FROM generate_series(1, 3000) g;
UPDATE "new
line" SET "also
nl" = 'A' WHERE id = 1;
DELETE FROM "new
line" WHERE id = 2;

-- partitioned table: changes are decoded on the partitions
INSERT INTO parted VALUES (1, 'a', 'a1'), (2, 'b', 'b2'), (3, 'c', 'c3'), (150, 'c', 'c150'),
	(4, 'z', 'def4'), (5, 'zz', 'def5');
UPDATE parted SET v = v || '!';
UPDATE parted SET k = 'b' WHERE id = 1;
UPDATE parted SET id = 120 WHERE id = 3;
UPDATE parted SET k = 'a' WHERE id = 4;
UPDATE parted SET v = 'dflt' WHERE id = 5;
DELETE FROM parted WHERE id = 150;

-- inheritance: parent and children hold the same key
INSERT INTO inh_parent VALUES (1, 'parent'), (2, 'parent2');
INSERT INTO inh_child1 VALUES (1, 'child1', 10);
INSERT INTO inh_child2 VALUES (1, 'child2'), (1, 'child2');
INSERT INTO inh_grandchild VALUES (1, 'grand', 20);
UPDATE inh_parent SET v = v || '!' WHERE id = 1;
UPDATE inh_child1 SET extra = extra + 1;
DELETE FROM ONLY inh_parent WHERE id = 2;
DELETE FROM inh_child2 WHERE ctid = (SELECT ctid FROM inh_child2 LIMIT 1);
UPDATE ONLY inh_child1 SET id = 5 WHERE id = 1;

-- rows written before the column changes of the schema script
UPDATE evolve SET v = 'changed' WHERE id = 1;
UPDATE evolve SET added = 1 WHERE id = 2;
DELETE FROM evolve WHERE id = 3;
INSERT INTO evolve (id, v) VALUES (6, 'new');
UPDATE evolve_full SET v = 'changed' WHERE id = 1;
UPDATE evolve_full SET added_t = 'set' WHERE id = 2;
DELETE FROM evolve_full WHERE id = 3;
INSERT INTO evolve_full (id, v) VALUES (6, 'new');

-- TRUNCATE
INSERT INTO tr_a (v) SELECT 'a' || g FROM generate_series(1, 3) g;
INSERT INTO tr_b (v) VALUES ('b1'), ('b2');
INSERT INTO tr_always (v) VALUES ('x'), ('y');
INSERT INTO tr_keep (v) VALUES ('k1'), ('k2');
INSERT INTO tr_fk_parent VALUES (1), (2);
INSERT INTO tr_fk_child (pid) VALUES (1), (2);
INSERT INTO tr_inh VALUES (1, 'p');
INSERT INTO tr_inh_child VALUES (1, 'c');
INSERT INTO tr_parted VALUES (1), (15);
TRUNCATE tr_a, tr_b RESTART IDENTITY;
BEGIN;
INSERT INTO tr_always (v) VALUES ('z');
TRUNCATE tr_always RESTART IDENTITY;
INSERT INTO tr_always (id, v) OVERRIDING SYSTEM VALUE VALUES (50, 'after truncate');
COMMIT;
TRUNCATE tr_keep CONTINUE IDENTITY;
INSERT INTO tr_keep VALUES (7, 'after truncate');
TRUNCATE tr_fk_parent RESTART IDENTITY CASCADE;
INSERT INTO tr_fk_parent VALUES (3);
TRUNCATE tr_inh;
INSERT INTO tr_inh_child VALUES (2, 'c2');
TRUNCATE tr_parted;
INSERT INTO tr_parted VALUES (2);
INSERT INTO tr_b VALUES (100, 'explicit');
INSERT INTO tr_a VALUES (100, 'explicit');

-- savepoints
BEGIN;
INSERT INTO xact VALUES (1, 'kept');
SAVEPOINT a;
INSERT INTO xact VALUES (2, 'rolled back');
UPDATE xact SET v = 'rolled back' WHERE id = 1;
SELECT pg_logical_emit_message(true, 'savepoint', 'rolled back') IS NOT NULL;
ROLLBACK TO SAVEPOINT a;
INSERT INTO xact VALUES (3, 'after rollback');
SAVEPOINT b;
UPDATE xact SET v = 'released' WHERE id = 3;
SAVEPOINT c;
DELETE FROM xact WHERE id = 1;
ROLLBACK TO SAVEPOINT c;
INSERT INTO xact VALUES (4, 'nested');
SELECT pg_logical_emit_message(true, 'savepoint', 'released') IS NOT NULL;
RELEASE SAVEPOINT b;
COMMIT;
DO $$
BEGIN
	INSERT INTO xact VALUES (5, 'plpgsql');
	BEGIN
		INSERT INTO xact VALUES (6, 'exception block');
		RAISE EXCEPTION 'roll back the block';
	EXCEPTION WHEN raise_exception THEN
		UPDATE xact SET v = 'handled' WHERE id = 5;
	END;
END
$$;

-- aborted transaction: only the non-transactional message is decoded
BEGIN;
INSERT INTO xact VALUES (100, 'aborted');
UPDATE xact SET v = 'aborted' WHERE id = 1;
SELECT pg_logical_emit_message(true, 'aborted', 'never decoded') IS NOT NULL;
SELECT pg_logical_emit_message(false, 'aborted', 'non-transactional, decoded anyway') IS NOT NULL;
ROLLBACK;

-- two-phase commit, decoded at COMMIT PREPARED
BEGIN;
INSERT INTO xact VALUES (200, 'prepared');
PREPARE TRANSACTION 'p1';
BEGIN;
INSERT INTO xact VALUES (201, 'prepared then rolled back');
PREPARE TRANSACTION 'p2';
COMMIT PREPARED 'p1';
ROLLBACK PREPARED 'p2';

-- a transaction with an xid and nothing in the WAL is not decoded at all
SELECT pg_current_xact_id() IS NOT NULL;

-- messages
SELECT pg_logical_emit_message(true, 'text', E'it''s \\ a\nmessage é') IS NOT NULL;
SELECT pg_logical_emit_message(true, E'pre''fix\\', '') IS NOT NULL;
SELECT pg_logical_emit_message(true, 'binary', '\x00ff0a'::bytea) IS NOT NULL;
SELECT pg_logical_emit_message(true, 'invalid utf8', '\xc328'::bytea) IS NOT NULL;
SELECT pg_logical_emit_message(false, 'nontx', 'outside a transaction') IS NOT NULL;
BEGIN;
INSERT INTO xact VALUES (7, 'with message');
SELECT pg_logical_emit_message(true, 'tx', 'between changes') IS NOT NULL;
UPDATE xact SET v = 'after message' WHERE id = 7;
COMMIT;

-- larger than logical_decoding_work_mem: spilled to disk
BEGIN;
INSERT INTO big_xact SELECT g, md5(g::text) FROM generate_series(1, 5000) g;
SAVEPOINT s;
UPDATE big_xact SET v = upper(v) WHERE id % 3 = 0;
RELEASE SAVEPOINT s;
DELETE FROM big_xact WHERE id % 7 = 0;
COMMIT;

-- GENERATED ALWAYS identity key given a new value
UPDATE ident_key_update SET id = DEFAULT WHERE id = 1;

-- nothing assignable changes, in a relation whose name holds a newline
UPDATE "new
line" SET "also
nl" = "also
nl" WHERE id = 3;

-- every type in the condition of REPLICA IDENTITY FULL
INSERT INTO alltypes_full SELECT * FROM alltypes;
UPDATE alltypes_full SET id = id + 100;
DELETE FROM alltypes_full WHERE id = 101;

-- composite key
INSERT INTO comp_key VALUES ('(1,2,x)', 'a'), ('(,,)', 'b'),
	(ROW(-2147483648, 'NaN', E'a "q" \\ b')::pair, 'c');
UPDATE comp_key SET v = 'A' WHERE (c).x = 1;
UPDATE comp_key SET c = '(2,-0,y)' WHERE (c).x = 1;
DELETE FROM comp_key WHERE v = 'b';
