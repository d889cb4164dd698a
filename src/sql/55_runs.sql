-- ---------------------------------------------------------------- runs view
-- casemis.runs: import_run for reporting queries, with the duration and the
-- files read on one line (SELECT * FROM casemis.runs ORDER BY run_id DESC LIMIT 10).
CREATE VIEW casemis.runs AS
SELECT r.run_id, r.settings_name, r.status, r.trigger, r.dry_run, r.started_at, r.finished_at,
       r.finished_at - r.started_at AS duration,
       r.type_a_imported, r.type_a_unmatched, r.type_a_duplicates, r.type_a_errors, r.type_a_not_in_file,
       r.type_b_imported, r.type_b_unmatched, r.type_b_errors,
       concat_ws(', ', r.students_file || ' (' || r.students_size || ' bytes)',
                       r.services_file || ' (' || r.services_size || ' bytes)') AS files,
       r.email_status, r.message, r.errcode, r.hint
  FROM casemis.import_run r;
COMMENT ON VIEW casemis.runs IS 'The run history for reporting: one row per run with its duration, counts and files (from import_run).';
COMMENT ON COLUMN casemis.runs.duration IS 'finished_at - started_at; NULL while running.';
COMMENT ON COLUMN casemis.runs.files IS 'The files read, name (size in bytes); empty when the run stopped before reading one.';
