-- privileges: the operator role of docs/operator_role.sql can run imports and
-- read runs and reports, and nothing else; a role without it can do nothing
-- at all; no password or key shows through a table, view, function, message
-- or NOTICE; hostile setting values and file names are refused or harmless;
-- functions resist a hostile search_path; a roster view cannot run code as
-- the extension's owner.
SET client_min_messages = warning;
SET datestyle = ISO;
SELECT current_setting('casemis_test.root') AS root \gset
\setenv PGDATABASE :DBNAME
\setenv CASEMIS_ROOT :root
INSERT INTO casemis.students VALUES
 (1001, '1000000001', 'Garcia', 'Maria', '2008-05-14', '05', 1),
 (1002, '1000000002', 'Núñez', 'José', '2009-01-02', '04', 1),
 (1005, '1000000005', 'Lee', 'Kim', '2007-07-07', '06', 1);
INSERT INTO casemis.import_settings (name, folder_path, school_year)
VALUES ('priv', :'root' || '/fixtures/basic', 2017);

-- ---------------------------------------------------------------- the roles
-- (cluster-wide: first drop the leftovers of an interrupted earlier run)
DO $$
DECLARE r text;
BEGIN
  FOR r IN SELECT rolname FROM pg_roles WHERE rolname IN ('casemis_t_nobody', 'casemis_t_usage', 'casemis_t_alice',
                                                          'casemis_t_mallory', 'casemis_t_operators') LOOP
    EXECUTE format('DROP OWNED BY %I CASCADE', r);
    EXECUTE format('DROP ROLE %I', r);
  END LOOP;
END $$;
CREATE ROLE casemis_t_nobody LOGIN;                -- nothing granted
CREATE ROLE casemis_t_usage LOGIN;                 -- USAGE on the schema, nothing else
GRANT USAGE ON SCHEMA casemis TO casemis_t_usage;
\set operator casemis_t_operators
\i docs/operator_role.sql
CREATE ROLE casemis_t_alice LOGIN IN ROLE casemis_t_operators;

-- ---------------------------------------------------------------- a role without the grants can do nothing
-- every relation (read, insert, update, delete, truncate; nextval of sequences)
-- and every function of the schema is tried; each attempt must be refused
-- with insufficient_privilege
CREATE FUNCTION pg_temp.try_everything() RETURNS TABLE (kind text, object text, refused boolean, outcome text)
LANGUAGE plpgsql AS $$
DECLARE
  o record;
  stmt text;
BEGIN
  FOR o IN
    SELECT 'relation' AS kind, c.oid::regclass::text AS object, c.relkind,
           (SELECT quote_ident(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum = 1) AS col
      FROM pg_class c WHERE c.relnamespace = 'casemis'::regnamespace AND c.relkind IN ('r', 'v', 'S')
    UNION ALL
    -- arguments from a subquery, so that no call is folded away at plan time
    -- (a strict function of NULL constants is, without a privilege check)
    SELECT 'function', format('casemis.%I(%s) FROM (SELECT %s OFFSET 0) args', p.proname,
                              (SELECT coalesce(string_agg('a' || i, ', ' ORDER BY i), '')
                                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i)),
                              (SELECT coalesce(string_agg(format('NULL::%s AS a%s', format_type(t, NULL), i), ', ' ORDER BY i), '1')
                                 FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS a(t, i))), NULL, NULL
      FROM pg_proc p WHERE p.pronamespace = 'casemis'::regnamespace
    ORDER BY 1, 2
  LOOP
    FOREACH stmt IN ARRAY CASE
        WHEN o.kind = 'function' THEN ARRAY['SELECT ' || o.object]
        WHEN o.relkind = 'S' THEN ARRAY[format('SELECT nextval(%L)', o.object), 'SELECT * FROM ' || o.object]
        WHEN o.relkind = 'v' THEN ARRAY['SELECT * FROM ' || o.object]
        ELSE ARRAY['SELECT * FROM ' || o.object || ' LIMIT 1',
                   'INSERT INTO ' || o.object || ' DEFAULT VALUES',
                   format('UPDATE %s SET %s = %2$s WHERE false', o.object, o.col),
                   'DELETE FROM ' || o.object || ' WHERE false',
                   'TRUNCATE ' || o.object] END
    LOOP
      BEGIN
        EXECUTE stmt;
        RETURN QUERY SELECT o.kind, stmt, false, 'allowed';
      EXCEPTION WHEN insufficient_privilege THEN
        RETURN QUERY SELECT o.kind, stmt, true, SQLERRM;
      WHEN OTHERS THEN
        RETURN QUERY SELECT o.kind, stmt, false, SQLSTATE || ': ' || SQLERRM;
      END;
    END LOOP;
  END LOOP;
END $$;
CREATE TEMP TABLE tried (who text, kind text, object text, refused boolean, outcome text);
GRANT ALL ON tried TO PUBLIC;
SET ROLE casemis_t_nobody;
INSERT INTO tried SELECT 'nobody', * FROM pg_temp.try_everything();
SET ROLE casemis_t_usage;
INSERT INTO tried SELECT 'usage only', * FROM pg_temp.try_everything();
RESET ROLE;
SELECT who, kind, count(*) > 20 AS many_tried, bool_and(refused) AS all_refused
  FROM tried GROUP BY 1, 2 ORDER BY 1, 2;
SELECT who, object, outcome FROM tried WHERE NOT refused;   -- none
-- the same by the catalogs: no privilege on anything of the schema
SELECT r.rolname,
       count(*) FILTER (WHERE c.relkind <> 'S' AND has_table_privilege(r.oid, c.oid,
                        'SELECT,INSERT,UPDATE,DELETE,TRUNCATE,REFERENCES,TRIGGER')) AS tables_with_a_privilege,
       count(*) FILTER (WHERE c.relkind = 'S' AND has_sequence_privilege(r.oid, c.oid, 'USAGE,SELECT,UPDATE')) AS sequences,
       (SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'casemis'::regnamespace
           AND has_function_privilege(r.oid, p.oid, 'EXECUTE')) AS functions_executable
  FROM pg_roles r, pg_class c
 WHERE r.rolname IN ('casemis_t_nobody', 'casemis_t_usage') AND c.relnamespace = 'casemis'::regnamespace
   AND c.relkind IN ('r', 'v', 'S')
 GROUP BY r.rolname, r.oid ORDER BY 1;
SELECT DISTINCT who, regexp_replace(outcome, '(for|of) \S+ \S+$', '\1 ...') AS refused_with
  FROM tried ORDER BY 1, 2;
-- and it cannot run an import by any door
SET ROLE casemis_t_usage;
SELECT casemis.casemis_import('priv');
SELECT casemis.casemis_import_files('x'::bytea);
SELECT * FROM casemis.status;
RESET ROLE;

-- ---------------------------------------------------------------- the operator
SET ROLE casemis_t_alice;
SELECT casemis.casemis_import('priv') AS run \gset
SELECT status, type_a_imported, run_by FROM casemis.import_run WHERE run_id = :run;
SELECT count(*) > 0 AS report_rows FROM casemis.import_report WHERE run_id = :run;
SELECT split_part(casemis.report_csv(:run, 'CASEMIS_TypeA_ImportedRecords.csv'), E'\r\n', 1) AS header;
SELECT substr(casemis.report_xlsx(:run), 1, 2) = '\x504b'::bytea AS operator_gets_the_workbook;
SELECT name, last_status FROM casemis.status;
SELECT name, source, students_file, school_year, enabled FROM casemis.import_settings;
-- ... but not the secrets, nor the whole row
\set VERBOSITY terse
SELECT sftp_password FROM casemis.import_settings;
SELECT sftp_private_key FROM casemis.import_settings;
SELECT smtp_password FROM casemis.import_settings;
SELECT * FROM casemis.import_settings;
SELECT s FROM casemis.import_settings s;
SELECT to_jsonb(s) FROM casemis.import_settings s;
-- ... and changes nothing but by running imports
UPDATE casemis.import_settings SET folder_path = '/etc' WHERE name = 'priv';
UPDATE casemis.import_settings SET enabled = true WHERE name = 'priv';
INSERT INTO casemis.import_settings (name) VALUES ('mine');
DELETE FROM casemis.import_settings;
DELETE FROM casemis.import_run;
UPDATE casemis.import_report SET problem = 'x';
SELECT * FROM casemis.cse;
INSERT INTO casemis.students (student_id) VALUES (1);
SELECT casemis.export_reports(:run, '/tmp');
SELECT casemis.reap_interrupted_runs();
SELECT casemis.resend_email(:run);
SELECT casemis._launch_run('priv');
\set VERBOSITY default
RESET ROLE;

-- ---------------------------------------------------------------- no secret shows
-- a setting with every secret set, whose SFTP login and email both fail
INSERT INTO casemis.import_settings (name, source, sftp_host, sftp_port, sftp_user, sftp_password, sftp_private_key,
                                     sftp_host_key, sftp_directory, school_year, email_to, smtp_url, smtp_user,
                                     smtp_password, connect_timeout)
VALUES ('secret', 'sftp', '127.0.0.1', current_setting('casemis_test.sftp_port')::int,
        current_setting('casemis_test.sftp_user'), 'TopSecret-pw-61',
        E'-----BEGIN OPENSSH PRIVATE KEY-----\nTopSecret-key-62\n-----END OPENSSH PRIVATE KEY-----\n',
        current_setting('casemis_test.sftp_host_key'), 'upload', 2017, '{staff@district.example}',
        'smtp://127.0.0.1:' || current_setting('casemis_test.smtp_down_port'), 'mailer', 'TopSecret-smtp-63',
        '5 seconds');
-- everything the operator's client receives (NOTICEs at every level, WARNING, result)
\! psql -X -U casemis_t_alice -c "SET client_min_messages = debug5" -c "SELECT casemis.casemis_import('secret')" >"$CASEMIS_ROOT/scratch/privileges_client.txt" 2>&1
SELECT pg_read_file(:'root' || '/scratch/privileges_client.txt') ~ 'WARNING:  casemis_import run failed' AS client_saw_failure,
       pg_read_file(:'root' || '/scratch/privileges_client.txt') ~ 'TopSecret' AS client_saw_a_secret;
SELECT status, message ~ 'TopSecret' AS message_has_secret, array_to_string(warnings, ' ') ~ 'TopSecret' AS warnings_have,
       coalesce(email_status, '') ~ 'TopSecret' AS email_status_has, email_status IS NOT NULL AS email_tried
  FROM casemis.import_run WHERE run_id = (SELECT max(run_id) FROM casemis.import_run WHERE settings_name = 'secret');
SET ROLE casemis_t_alice;
SELECT count(*) AS status_rows_with_a_secret FROM casemis.status s WHERE s::text ~ 'TopSecret';
SELECT count(*) AS run_rows_with_a_secret FROM casemis.import_run r WHERE r::text ~ 'TopSecret';
SELECT count(*) AS report_rows_with_a_secret FROM casemis.import_report r WHERE r::text ~ 'TopSecret';
RESET ROLE;
-- nor in the server log (lines about this test's secrets: none)
SELECT count(*) AS log_lines_with_a_secret
  FROM regexp_split_to_table(pg_read_file(:'root' || '/pg/server.log'), E'\n') l WHERE l ~ 'TopSecret-(pw|key|smtp)-6';

-- ---------------------------------------------------------------- hostile values: refused or harmless
\set VERBOSITY terse
INSERT INTO casemis.import_settings (name) VALUES ('it''s');
INSERT INTO casemis.import_settings (name) VALUES ('a;b');
INSERT INTO casemis.import_settings (name) VALUES ('../x');
SELECT casemis.casemis_import('x''; DROP TABLE casemis.cse; --');
UPDATE casemis.import_settings SET student_relation = 'casemis.students; DROP TABLE casemis.cse' WHERE name = 'priv';
UPDATE casemis.import_settings SET student_relation = 'casemis.students WHERE false' WHERE name = 'priv';
UPDATE casemis.import_settings SET time_zone = 'UTC''; DROP TABLE casemis.cse; --' WHERE name = 'priv';
UPDATE casemis.import_settings SET students_file = '../tableA.csv' WHERE name = 'priv';
UPDATE casemis.import_settings SET students_file = '/etc/passwd' WHERE name = 'priv';
UPDATE casemis.import_settings SET students_file = '..' WHERE name = 'priv';
UPDATE casemis.import_settings SET folder_path = '/var/lib/postgresql/../../etc' WHERE name = 'priv';
UPDATE casemis.import_settings SET folder_path = 'fixtures/basic' WHERE name = 'priv';
UPDATE casemis.import_settings SET folder_path = E'/tmp\n/etc' WHERE name = 'priv';
SELECT casemis.export_reports(:run, '/tmp/../etc');
\set VERBOSITY default
-- accepted, and harmless: quoted names stay names; nothing is run by a shell
UPDATE casemis.import_settings SET student_relation = '"casemis"."students"' WHERE name = 'priv' RETURNING student_relation;
UPDATE casemis.import_settings SET students_file = E'x''; DROP TABLE casemis.cse; --$(touch pwned)`touch pwned`.csv'
 WHERE name = 'priv';
SET client_min_messages = error;
SELECT casemis.casemis_import('priv') AS run \gset
SET client_min_messages = warning;
SELECT status, replace(message, :'root', '<root>') AS message, hint FROM casemis.import_run WHERE run_id = :run;
SELECT to_regclass('casemis.cse') IS NOT NULL AS cse_still_there, pg_stat_file('pwned', true) IS NULL AS no_file_made;
UPDATE casemis.import_settings SET students_file = 'tableA.csv' WHERE name = 'priv';

-- ---------------------------------------------------------------- a hostile search_path
-- functions named like the pg_catalog ones the extension uses, and operators,
-- in a schema put first: none may run inside the extension's functions,
-- triggers, view or run worker (each would record who called it)
CREATE SCHEMA hostile;
CREATE TABLE hostile.hits (fn text, run_as text);
GRANT USAGE ON SCHEMA hostile TO PUBLIC;
GRANT INSERT ON hostile.hits TO PUBLIC;
DO $do$
DECLARE f record;
BEGIN
  FOR f IN SELECT * FROM (VALUES
      ('lower', 'text', 'text', 'pg_catalog.lower($1)'),
      ('upper', 'text', 'text', 'pg_catalog.upper($1)'),
      ('btrim', 'text, text', 'text', 'pg_catalog.btrim($1, $2)'),
      ('btrim', 'text', 'text', 'pg_catalog.btrim($1)'),
      ('left', 'text, integer', 'text', 'pg_catalog.left($1, $2)'),
      ('length', 'text', 'integer', 'pg_catalog.length($1)'),
      ('replace', 'text, text, text', 'text', 'pg_catalog.replace($1, $2, $3)'),
      ('md5', 'text', 'text', 'pg_catalog.md5($1)'),
      ('format', 'text', 'text', 'pg_catalog.format($1)'),
      ('quote_ident', 'text', 'text', 'pg_catalog.quote_ident($1)'),
      ('to_regclass', 'text', 'regclass', 'pg_catalog.to_regclass($1)'),
      ('current_setting', 'text', 'text', 'pg_catalog.current_setting($1)'),
      ('hashtextextended', 'text, bigint', 'bigint', 'pg_catalog.hashtextextended($1, $2)'),
      ('make_date', 'integer, integer, integer', 'date', 'pg_catalog.make_date($1, $2, $3)'),
      ('array_to_string', 'anyarray, text', 'text', 'pg_catalog.array_to_string($1, $2)'),
      ('has_table_privilege', 'oid, text, text', 'boolean', 'pg_catalog.has_table_privilege($1, $2, $3)'),
      ('pg_has_role', 'name, text, text', 'boolean', 'pg_catalog.pg_has_role($1, $2, $3)'),
      ('textregexeq', 'text, text', 'boolean', 'pg_catalog.textregexeq($1, $2)'),
      ('texteq', 'text, text', 'boolean', 'pg_catalog.texteq($1, $2)'),
      ('textcat', 'text, text', 'text', 'pg_catalog.textcat($1, $2)')) AS v(name, args, ret, body)
  LOOP
    EXECUTE format($f$CREATE FUNCTION hostile.%I(%s) RETURNS %s LANGUAGE plpgsql AS $b$
                      BEGIN INSERT INTO hostile.hits VALUES (%L, current_user); RETURN %s; END $b$$f$,
                   f.name, f.args, f.ret, f.name, f.body);
  END LOOP;
END $do$;
CREATE OPERATOR hostile.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.texteq);
CREATE OPERATOR hostile.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.textregexeq);
CREATE OPERATOR hostile.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = hostile.textcat);
SELECT :'root' || '/fixtures/basic/tableA.csv' AS upload \gset
-- the hostile functions do work when the path puts them first
SET search_path = hostile, pg_catalog, public;
SELECT lower('X') AS hijacked_here, 'a' = 'a' AS op_hijacked_here;
SELECT count(*) AS hits_so_far FROM hostile.hits;
TRUNCATE hostile.hits;
-- now call everything with that path: as the DBA ... (these statements use
-- no text function or operator of their own: OPERATOR(pg_catalog.=) below)
SELECT casemis.casemis_import('priv', force => true) > 0 AS ran;
SELECT name AS status_read FROM casemis.status WHERE name OPERATOR(pg_catalog.=) 'priv';
SELECT casemis.reap_interrupted_runs() AS reaped;
SELECT casemis.report_csv(max(run_id), 'CASEMIS_TypeA_ImportedRecords.csv') IS NOT NULL AS report FROM casemis.import_run;
SELECT casemis.csv_field('a,b') AS csv_field;
UPDATE casemis.import_settings SET schedule_days = '{Mon,Tue}', time_zone = 'America/Los_Angeles'
 WHERE name OPERATOR(pg_catalog.=) 'priv';
SELECT casemis.next_run_after('{mon}', '04:00', 'America/Los_Angeles', '2026-01-01') IS NOT NULL AS next_run;
SELECT casemis.casemis_import_files(pg_catalog.pg_read_binary_file(:'upload'), NULL, 'priv') > 0 AS uploaded;
INSERT INTO casemis.layout_alias (layout, header, alias) VALUES ('A', 'GRADE', 'grade_level');
DELETE FROM casemis.layout_alias WHERE alias OPERATOR(pg_catalog.=) 'GRADE_LEVEL';
RESET search_path;
-- ... and as the operator, whose own default path is hostile (the run's worker
-- logs in as the operator)
ALTER ROLE casemis_t_alice SET search_path = hostile, pg_catalog, public;
\! psql -X -q -U casemis_t_alice -c "SET client_min_messages = error" -c "SELECT casemis.casemis_import('priv', force => true)" -c "SELECT count(*) FROM casemis.status" >/dev/null 2>&1
ALTER ROLE casemis_t_alice RESET search_path;
SELECT count(*) FILTER (WHERE status = 'succeeded') AS runs_succeeded FROM casemis.import_run
 WHERE settings_name = 'priv' AND run_id > :run;
SELECT fn, run_as, count(*) FROM hostile.hits GROUP BY 1, 2 ORDER BY 1, 2;   -- none
-- every function of the extension pins its search_path, pg_temp last
SELECT count(*) AS functions_without_a_pinned_path FROM pg_proc
 WHERE pronamespace = 'casemis'::regnamespace
   AND NOT coalesce(proconfig @> '{"search_path=pg_catalog, pg_temp"}', false);

-- ---------------------------------------------------------------- a roster view cannot run code as the owner
-- A roster (student_relation) owned by a less privileged role calls a function
-- of that role's, which would make its owner superuser if it ran as one.
CREATE ROLE casemis_t_mallory LOGIN;
GRANT casemis_t_operators TO casemis_t_mallory;
CREATE SCHEMA mal AUTHORIZATION casemis_t_mallory;
SET ROLE casemis_t_mallory;
CREATE TABLE mal.calls (run_as text, is_superuser boolean, search_path text);
CREATE FUNCTION mal.elevate() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.calls VALUES (current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                                current_setting('search_path'));
  IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE 'ALTER ROLE casemis_t_mallory SUPERUSER';
  END IF;
  PERFORM set_config('search_path', 'mal, pg_catalog', false);   -- would outlive the call
  RETURN true;
END $$;
-- and a btrim that the run's own roster query would call, were the path to leak
CREATE FUNCTION mal.btrim(text, text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO mal.calls VALUES ('btrim as ' || current_user, NULL, NULL);
  RETURN pg_catalog.btrim($1, $2);
END $$;
GRANT USAGE ON SCHEMA mal TO PUBLIC;
GRANT INSERT ON mal.calls TO PUBLIC;
CREATE VIEW mal.roster AS SELECT s.* FROM casemis.students s WHERE mal.elevate();
RESET ROLE;
UPDATE casemis.import_settings SET student_relation = 'mal.roster' WHERE name = 'priv';
\! psql -X -q -U casemis_t_mallory -c "SET client_min_messages = error" -c "SELECT casemis.casemis_import('priv', force => true)" >/dev/null 2>&1
SELECT status, type_a_imported FROM casemis.import_run WHERE run_id = (SELECT max(run_id) FROM casemis.import_run);
SELECT DISTINCT run_as, is_superuser, search_path FROM mal.calls;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'casemis_t_mallory';
SELECT count(*) AS hostile_hits FROM hostile.hits;

-- ---------------------------------------------------------------- clean up
UPDATE casemis.import_settings SET student_relation = 'casemis.students' WHERE name = 'priv';
DROP SCHEMA mal CASCADE;
DROP SCHEMA hostile CASCADE;
\! rm -f "$CASEMIS_ROOT/scratch/privileges_client.txt"
DELETE FROM casemis.import_settings WHERE name IN ('priv', 'secret');
DROP OWNED BY casemis_t_nobody, casemis_t_usage, casemis_t_operators, casemis_t_alice, casemis_t_mallory;
DROP ROLE casemis_t_nobody, casemis_t_usage, casemis_t_alice, casemis_t_mallory, casemis_t_operators;
TRUNCATE casemis.students, casemis.cse, casemis.csv;
