-- ---------------------------------------------------------------- run history (revert_run)
-- What casemis.revert_run needs, written by each run itself in bulk, in the
-- transaction that writes cse and csv (src/apply/run_history.cpp):
-- * run_history_cse: the cse rows the run updated, as they were before it;
-- * run_history_cse_stamp: the cse rows whose values the run left alone but
--   stamped (last_updated, last_run_id): their former stamps, students grouped
--   by stamp, at most 10000 ids a row (CseStampHistory, src/apply/run_history.hpp);
-- * run_history_csv: the csv rows the run deleted.
-- Rows the run inserted need nothing: they carry its id (cse.last_run_id,
-- csv.run_id). Kept as long as the run's row (history_retention).
-- The images are of the tables' own row types (compact, exact, and "(before).*"
-- is a row of the table). So a later ALTER of cse or csv that rewrites rows
-- (ADD COLUMN ... NOT NULL DEFAULT, ALTER COLUMN TYPE) is refused while these
-- tables exist; an upgrade script that needs one converts them first. Adding
-- a nullable column is fine (older images read NULL there).
CREATE TABLE casemis.run_history_cse (
  run_id bigint      NOT NULL,
  before casemis.cse NOT NULL
);
CREATE INDEX run_history_cse_run_idx ON casemis.run_history_cse (run_id);
COMMENT ON TABLE casemis.run_history_cse IS 'Before-images of the cse rows each run updated, for casemis.revert_run (kept for history_retention).';

CREATE TABLE casemis.run_history_cse_stamp (
  run_id       bigint   NOT NULL,
  last_updated date,
  last_run_id  bigint,
  student_ids  bigint[] NOT NULL
);
CREATE INDEX run_history_cse_stamp_run_idx ON casemis.run_history_cse_stamp (run_id);
COMMENT ON TABLE casemis.run_history_cse_stamp IS 'The cse rows each run only stamped (last_updated, last_run_id; values unchanged): their former stamps, students grouped by stamp (ids sorted, at most 10000 a row: a stamp may take several rows), for casemis.revert_run.';

CREATE TABLE casemis.run_history_csv (
  run_id bigint      NOT NULL,
  before casemis.csv NOT NULL
);
CREATE INDEX run_history_csv_run_idx ON casemis.run_history_csv (run_id);
COMMENT ON TABLE casemis.run_history_csv IS 'The csv rows each run deleted, for casemis.revert_run (kept for history_retention).';

-- Raises, with an errcode, a message naming the run and a hint, unless the run
-- can be reverted now: a succeeded, non-dry import whose history is kept, and
-- no later run of any setting (that was not itself reverted) changed the
-- students it wrote. Called by revert_run before it starts the revert, and by
-- the revert under the setting's lock.
CREATE FUNCTION casemis._check_revertible(run_id bigint) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET intervalstyle = 'postgres' AS $$
DECLARE
  r casemis.import_run;
  keep interval;
  later bigint;
  later_setting text;
  by_revert bigint;
BEGIN
  SELECT * INTO r FROM casemis.import_run i WHERE i.run_id = _check_revertible.run_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'import run % does not exist', run_id
      USING ERRCODE = 'no_data_found',
            HINT = 'casemis.import_run lists the runs; a run older than its setting''s history_retention is deleted.';
  END IF;
  IF r.status = 'reverted' THEN
    SELECT i.run_id INTO by_revert FROM casemis.import_run i
     WHERE i.revert_of = r.run_id AND i.status = 'succeeded' ORDER BY i.run_id DESC LIMIT 1;
    RAISE EXCEPTION 'run % was already reverted (by run %)', r.run_id, coalesce(by_revert::text, '?')
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'To apply its files again, import them again (force => true if they are unchanged).';
  END IF;
  IF r.trigger = 'revert' THEN
    RAISE EXCEPTION 'run % is a revert (of run %) and cannot itself be reverted', r.run_id, r.revert_of
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = format('To apply run %s''s files again, import them again.', r.revert_of);
  END IF;
  IF r.status <> 'succeeded' OR r.dry_run THEN
    RAISE EXCEPTION 'run % cannot be reverted: its status is ''%'' (only a succeeded run that was not a dry run changed cse and csv)',
                    r.run_id, r.status
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'A failed, skipped, unchanged or dry run wrote nothing, so there is nothing to undo.';
  END IF;
  SELECT s.history_retention INTO keep FROM casemis.import_settings s WHERE s.name = r.settings_name;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'run % cannot be reverted: its setting "%" no longer exists', r.run_id, r.settings_name
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'A revert is a run of the setting (under its lock, emailed to its addresses): re-create the setting first.';
  END IF;
  IF r.started_at < now() - keep THEN
    RAISE EXCEPTION 'run % cannot be reverted: it started on %, longer ago than the setting''s history_retention (%)',
                    r.run_id, r.started_at::date, keep
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'What a revert needs is kept only as long as the run''s history; import corrected files instead.';
  END IF;

  -- a row the run wrote that no longer holds what the run left: the run that
  -- changed it since (the latest), or none (changed outside casemis_import)
  SELECT c.last_run_id INTO later
    FROM (SELECT (h.before).student_id AS student_id FROM casemis.run_history_cse h WHERE h.run_id = r.run_id
          UNION ALL
          SELECT unnest(st.student_ids) FROM casemis.run_history_cse_stamp st WHERE st.run_id = r.run_id) w
    LEFT JOIN casemis.cse c ON c.student_id = w.student_id
   WHERE c.last_run_id IS DISTINCT FROM r.run_id
   ORDER BY c.last_run_id DESC NULLS LAST LIMIT 1;
  IF NOT FOUND THEN
    -- a later run's before-images that hold a row as this run left it
    -- (cse rows this run inserted, csv rows it inserted)
    SELECT min(x.run_id) INTO later FROM (
      (SELECT h.run_id FROM casemis.run_history_cse h JOIN casemis.import_run l ON l.run_id = h.run_id
        WHERE h.run_id > r.run_id AND l.status <> 'reverted' AND (h.before).last_run_id = r.run_id
        ORDER BY h.run_id LIMIT 1)
      UNION ALL
      (SELECT st.run_id FROM casemis.run_history_cse_stamp st JOIN casemis.import_run l ON l.run_id = st.run_id
        WHERE st.run_id > r.run_id AND l.status <> 'reverted' AND st.last_run_id = r.run_id
        ORDER BY st.run_id LIMIT 1)
      UNION ALL
      (SELECT h.run_id FROM casemis.run_history_csv h JOIN casemis.import_run l ON l.run_id = h.run_id
        WHERE h.run_id > r.run_id AND l.status <> 'reverted' AND (h.before).run_id = r.run_id
        ORDER BY h.run_id LIMIT 1)) x;
    IF later IS NULL THEN
      RETURN r.settings_name;
    END IF;
  END IF;
  SELECT l.settings_name INTO later_setting FROM casemis.import_run l WHERE l.run_id = later;
  IF later IS NULL OR later_setting IS NULL THEN
    RAISE EXCEPTION 'run % cannot be reverted: cse rows it wrote were changed since, outside casemis_import', r.run_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Reverting would overwrite those changes; correct the data with an import instead.';
  END IF;
  RAISE EXCEPTION 'run % cannot be reverted: a later run, run % (setting "%"), changed the same students', r.run_id, later, later_setting
    USING ERRCODE = 'object_not_in_prerequisite_state',
          HINT = format('Revert the later runs first, newest first (SELECT casemis.revert_run(%s);), or import corrected files instead.', later);
END $$;

-- The revert proper, in the revert run's transaction (under the setting's
-- lock, after _check_revertible): cse and csv back to what they held before
-- run_id, set-based. Returns what it did, for the revert run's message.
-- No nested loops: every statement here is a bulk join, and the estimates it
-- would be planned from are often wrong -- cse's statistics seldom know the
-- run's id in last_run_id yet (the run just stamped it, or a revert of a later
-- run just put it back), so "last_run_id = run" looks like one row, and a nested
-- loop anti join then scans the unindexed stamp table once per cse row: over
-- ten minutes at 400k students (cancelled) instead of 4 s (bench/RESULTS.md,
-- 2026-12-02 evening).
CREATE FUNCTION casemis._revert_apply(run_id bigint,
                                      OUT cse_removed bigint, OUT cse_stamped bigint, OUT cse_restored bigint,
                                      OUT csv_removed bigint, OUT csv_restored bigint)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET enable_nestloop = off AS $$
BEGIN
  -- cse: rows the run inserted go; rows it stamped get their stamps back; rows
  -- it updated get their before-image back
  CREATE TEMP TABLE casemis_revert_stamp ON COMMIT DROP AS
  SELECT st.last_updated, st.last_run_id, unnest(st.student_ids) AS student_id
    FROM casemis.run_history_cse_stamp st WHERE st.run_id = _revert_apply.run_id;
  DELETE FROM casemis.cse c
   WHERE c.last_run_id = _revert_apply.run_id
     AND NOT EXISTS (SELECT 1 FROM casemis.run_history_cse h
                      WHERE h.run_id = _revert_apply.run_id AND (h.before).student_id = c.student_id)
     AND NOT EXISTS (SELECT 1 FROM pg_temp.casemis_revert_stamp st WHERE st.student_id = c.student_id);
  GET DIAGNOSTICS cse_removed = ROW_COUNT;
  UPDATE casemis.cse c SET last_updated = st.last_updated, last_run_id = st.last_run_id
    FROM pg_temp.casemis_revert_stamp st WHERE c.student_id = st.student_id;
  GET DIAGNOSTICS cse_stamped = ROW_COUNT;
  DELETE FROM casemis.cse c USING casemis.run_history_cse h
   WHERE h.run_id = _revert_apply.run_id AND c.student_id = (h.before).student_id;
  INSERT INTO casemis.cse SELECT (h.before).* FROM casemis.run_history_cse h WHERE h.run_id = _revert_apply.run_id;
  GET DIAGNOSTICS cse_restored = ROW_COUNT;
  -- csv: rows the run inserted go; rows it deleted come back
  DELETE FROM casemis.csv c WHERE c.run_id = _revert_apply.run_id;
  GET DIAGNOSTICS csv_removed = ROW_COUNT;
  INSERT INTO casemis.csv SELECT (h.before).* FROM casemis.run_history_csv h WHERE h.run_id = _revert_apply.run_id;
  GET DIAGNOSTICS csv_restored = ROW_COUNT;
  UPDATE casemis.import_run i SET status = 'reverted' WHERE i.run_id = _revert_apply.run_id;
END $$;

-- Undo a run's changes to cse and csv, as a run of its own (trigger 'revert')
-- under the setting's lock, atomic, emailed; returns the revert run's id.
CREATE FUNCTION casemis.revert_run(run_id bigint) RETURNS bigint
LANGUAGE c VOLATILE STRICT
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_revert_run';
COMMENT ON FUNCTION casemis.revert_run(bigint) IS 'Undo a succeeded run''s changes to cse and csv (refused if a later run changed the same students); returns the revert run''s id.';
