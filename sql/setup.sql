-- What the tests after this one share; it stays in the database, in which
-- pg_regress runs them all.
--
-- replay() runs a decoded statement on the copy of its table in schema
-- replica (whatever schema the table is in) and says how many rows it
-- changed.  Each test makes schema replica and its copies itself,
-- unlogged so that their own changes are not decoded.
CREATE FUNCTION replay(stmt text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    ident CONSTANT text := '("(?:[^"]|"")+"|[a-z_][a-z0-9_$]*)';
    n bigint;
BEGIN
    stmt := regexp_replace(stmt, '^(INSERT INTO |UPDATE |DELETE FROM )(ONLY )?' || ident || '\.', '\1\2replica.');
    stmt := regexp_replace(stmt, '(ctid = \(SELECT ctid FROM )(ONLY )?' || ident || '\.', '\1\2replica.');
    EXECUTE stmt;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
