-- 00_install: the extension installs, owns the documented tables, grants
-- nothing to PUBLIC, reinstalls cleanly and refuses a non-UTF8 database.
CREATE EXTENSION pg_cron;
CREATE EXTENSION casemis_import;
SELECT extname, extversion, extrelocatable, extnamespace::regnamespace AS schema
  FROM pg_extension WHERE extname = 'casemis_import';

-- the tables of schema casemis
SELECT tablename FROM pg_tables WHERE schemaname = 'casemis' ORDER BY tablename;

-- nothing in schema casemis is granted to PUBLIC (a NULL acl means the
-- built-in default, which for functions includes EXECUTE for PUBLIC)
SELECT 'schema' AS kind, n.nspname AS name, a.privilege_type
  FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
 WHERE n.nspname = 'casemis' AND a.grantee = 0
UNION ALL
SELECT 'relation', c.relname, a.privilege_type
  FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
 WHERE c.relnamespace = 'casemis'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
   AND a.grantee = 0
UNION ALL
SELECT 'function', p.oid::regprocedure::text, a.privilege_type
  FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
 WHERE p.pronamespace = 'casemis'::regnamespace AND a.grantee = 0
ORDER BY 1, 2, 3;

-- the district's tables are extension configuration (pg_dump keeps them)
SELECT t AS table_name,
       ('casemis.' || t)::regclass = ANY (e.extconfig) AS dumped_by_pg_dump
  FROM unnest(ARRAY['students', 'cse', 'csv', 'school_calendar', 'import_settings',
                    'import_run', 'import_report', 'layout_field', 'layout_alias']) AS t,
       pg_extension e
 WHERE e.extname = 'casemis_import'
 ORDER BY 1;

-- drop and create again
DROP EXTENSION casemis_import;
SELECT count(*) AS tables_left FROM pg_tables WHERE schemaname = 'casemis';
CREATE EXTENSION casemis_import;
SELECT count(*) > 0 AS tables_back FROM pg_tables WHERE schemaname = 'casemis';

-- a SQL_ASCII database is refused
\set regress_db :DBNAME
CREATE DATABASE casemis_sql_ascii ENCODING 'SQL_ASCII' LOCALE 'C' TEMPLATE template0;
\c casemis_sql_ascii
\set SHOW_CONTEXT never
CREATE EXTENSION casemis_import;
\set SHOW_CONTEXT errors
SELECT count(*) AS extensions FROM pg_extension WHERE extname = 'casemis_import';
\c :regress_db
DROP DATABASE casemis_sql_ascii;
