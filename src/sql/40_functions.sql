-- ---------------------------------------------------------------- the run
-- Each run is a job in a background worker of its own (connected to this
-- database as the calling role): the caller's ROLLBACK does not undo it, and
-- cancelling the call cancels the run. A failed run does not raise: it returns
-- its run id with a WARNING; errors in the call itself raise.
CREATE FUNCTION casemis.casemis_import(settings_name text DEFAULT 'default',
                                       dry_run boolean DEFAULT false,
                                       force boolean DEFAULT false)
RETURNS bigint
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_import_run';
COMMENT ON FUNCTION casemis.casemis_import(text, boolean, boolean) IS 'Run the import of a setting now (folder or SFTP); returns the run id.';

CREATE FUNCTION casemis.casemis_import_files(students bytea,
                                             services bytea DEFAULT NULL,
                                             settings_name text DEFAULT 'default',
                                             notify text DEFAULT NULL,
                                             dry_run boolean DEFAULT false)
RETURNS bigint
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_import_files';
COMMENT ON FUNCTION casemis.casemis_import_files(bytea, bytea, text, text, boolean) IS 'One-time import of Table A (and B) files sent from the client; returns the run id.';

-- Writes each report of a run that has rows (and always the Imported ones)
-- into a server directory. Superusers and pg_write_server_files only.
CREATE FUNCTION casemis.export_reports(run_id bigint, directory text)
RETURNS SETOF text
LANGUAGE c VOLATILE STRICT
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_export_reports';
COMMENT ON FUNCTION casemis.export_reports(bigint, text) IS 'Write a run''s report CSV files into a server directory; returns the paths written.';

-- Runs left 'running' by a worker that died (crash, kill) hold no lock: mark
-- them failed. Called by every run, by the scheduler and by casemis.status.
CREATE FUNCTION casemis.reap_interrupted_runs() RETURNS int
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'casemis_reap_interrupted_runs';
COMMENT ON FUNCTION casemis.reap_interrupted_runs() IS 'Mark failed ("interrupted") the runs whose worker is gone; returns how many.';

-- Internal: the advisory-lock key of a setting (one run of a setting at a time).
CREATE FUNCTION casemis._run_lock_key(settings_name text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN (x'5CA5E000'::bigint << 32) | (hashtextextended(settings_name, 0) & x'7FFFFFFF'::bigint);
