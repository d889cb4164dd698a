-- casemis_import 0.1.0 -> 0.2.0 (ALTER EXTENSION casemis_import UPDATE)
--
-- Every schema change of 0.2.0, so that an upgraded database equals a fresh
-- 0.2.0 install object for object (test/upgrade checks it with pg_dump).
-- Columns added here are appended to their table in the same order in the
-- fresh install (src/sql/*.sql), since ALTER TABLE ADD COLUMN appends.
-- A function whose body changed in src/sql is re-created here with CREATE OR
-- REPLACE. Each topic has its own section, so that changes merge cleanly.
\echo Use "ALTER EXTENSION casemis_import UPDATE" to load this file. \quit


-- ---------------------------------------------------------------- releases


-- ---------------------------------------------------------------- security


-- ---------------------------------------------------------------- what a DBA sees


-- ---------------------------------------------------------------- CALPADS files


-- ---------------------------------------------------------------- safety nets


-- ---------------------------------------------------------------- completion email


-- ---------------------------------------------------------------- run storage


-- ---------------------------------------------------------------- code health


