-- ---------------------------------------------------------------- runs
-- One row per run, written by the run's background worker: committed as
-- 'running' before any file is read, finalized in the same transaction that
-- writes cse/csv (or, for a failed run, right after its rollback).
CREATE SEQUENCE casemis.import_run_id_seq;
CREATE TABLE casemis.import_run (
  run_id             bigint PRIMARY KEY DEFAULT nextval('casemis.import_run_id_seq'),
  settings_name      text   NOT NULL,
  status             text   NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'unchanged',
                                                      'skipped', 'dry_run', 'missed', 'reverted')),
  started_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at        timestamptz,
  message            text,
  type_a_imported    int NOT NULL DEFAULT 0,
  type_a_unmatched   int NOT NULL DEFAULT 0,
  type_a_duplicates  int NOT NULL DEFAULT 0,
  type_a_errors      int NOT NULL DEFAULT 0,
  type_a_not_in_file int NOT NULL DEFAULT 0,
  type_b_imported    int NOT NULL DEFAULT 0,
  type_b_unmatched   int NOT NULL DEFAULT 0,
  type_b_errors      int NOT NULL DEFAULT 0,
  email_status       text,
  -- beyond the README's list (Reference)
  trigger            text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'upload', 'scheduled', 'revert')),
  dry_run            boolean NOT NULL DEFAULT false,
  forced             boolean NOT NULL DEFAULT false,
  run_date           date,
  school_year        int,
  run_by             text NOT NULL DEFAULT current_user,
  notify             text,
  worker_pid         int,
  warnings           text[] NOT NULL DEFAULT '{}',
  students_file      text,
  students_size      bigint,
  students_sha256    text,
  services_file      text,
  services_size      bigint,
  services_sha256    text,
  email_sent_at      timestamptz,
  scheduled_for      timestamptz,
  file_format        text CHECK (file_format IN ('casemis', 'calpads')),
  -- 0.2.0, safety nets
  students_records   bigint,
  services_records   bigint,
  revert_of          bigint,
  errcode            text CHECK (errcode ~ '^[0-9A-Z]{5}$'),
  hint               text
);
CREATE INDEX import_run_settings_idx ON casemis.import_run (settings_name, run_id);
CREATE INDEX import_run_finished_idx ON casemis.import_run (finished_at);
COMMENT ON TABLE casemis.import_run IS 'One row per import run: status, message, counts, files read (name, size, SHA-256), email status.';
COMMENT ON COLUMN casemis.import_run.file_format IS 'Which family of files the run read: casemis (Table A/B) or calpads (SPED/SSRV); NULL before the files were read.';
COMMENT ON COLUMN casemis.import_run.students_records IS 'Records in the Student Data file (the record-count guard compares with the last successful run''s).';
COMMENT ON COLUMN casemis.import_run.services_records IS 'Records in the Services file (NULL when the run read none).';
COMMENT ON COLUMN casemis.import_run.revert_of IS 'A revert run (trigger ''revert''): the run whose changes it undid (that run''s status is then ''reverted'').';

-- "The last successful run" of a setting, for the unchanged check, the
-- record-count guard and revert_run: the succeeded import (not a revert, not
-- a dry run) with the highest run_id -- compared as a number.
CREATE FUNCTION casemis._last_successful_run(settings_name text) RETURNS bigint
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN (SELECT r.run_id FROM casemis.import_run r
         WHERE r.settings_name = _last_successful_run.settings_name
           AND r.status = 'succeeded' AND r.trigger <> 'revert'
         ORDER BY r.run_id DESC LIMIT 1);
COMMENT ON FUNCTION casemis._last_successful_run(text) IS 'The run_id of the setting''s last successful run (status succeeded, not a revert), or NULL.';
COMMENT ON COLUMN casemis.import_run.errcode IS 'For a failed run, the SQLSTATE of the error it failed with (e.g. 22P04 for a file it cannot read, 57014 for a cancel); NULL otherwise.';
COMMENT ON COLUMN casemis.import_run.hint IS 'For a failed run, what to do about it (the error''s HINT: the same advice the caller''s WARNING and the email give); NULL when the error gave none.';

-- ---------------------------------------------------------------- report rows
-- Rows of the eight report files of a run. Which columns a report uses is in
-- casemis.report_kind; casemis.report_csv() renders a report as its CSV file.
-- Stored compactly: a report_chunk row holds up to 10000 rows of one report of
-- one run, an array per column (TOAST compresses them); the view
-- casemis.import_report shows them one row per report row.
CREATE TABLE casemis.report_chunk (
  run_id      bigint NOT NULL,
  report      text   NOT NULL,
  chunk       int    NOT NULL,
  line_number int[],
  position    int[],
  ssid        text[],
  student_id  text[],
  first_name  text[],
  last_name   text[],
  birthdate   text[],
  grade       text[],
  service     text[],
  field       text[],
  value       text[],
  problem     text[],
  reason      text[],
  PRIMARY KEY (run_id, report, chunk)
);
COMMENT ON TABLE casemis.report_chunk IS 'Report rows of each run, stored compactly (up to 10000 rows of one report per row, an array per column); read them through casemis.import_report.';

CREATE VIEW casemis.import_report AS
SELECT c.run_id, c.report, u.line_number, u.position, u.ssid, u.student_id, u.first_name, u.last_name,
       u.birthdate, u.grade, u.service, u.field, u.value, u.problem, u.reason
  FROM casemis.report_chunk c,
       LATERAL unnest(c.line_number, c.position, c.ssid, c.student_id, c.first_name, c.last_name, c.birthdate,
                      c.grade, c.service, c.field, c.value, c.problem, c.reason)
         AS u(line_number, position, ssid, student_id, first_name, last_name, birthdate, grade, service,
              field, value, problem, reason);
COMMENT ON VIEW casemis.import_report IS 'Report rows of each run (imported, unmatched, duplicates, errors, not in file).';
COMMENT ON COLUMN casemis.import_report.student_id IS 'Imported and NotInFile reports: the roster''s student_id; Unmatched and Errors reports: the file''s STUDENT_ID.';
COMMENT ON COLUMN casemis.import_report.position IS 'Column position in the file of an Errors row (orders several problems on one line).';

-- A row inserted into the view becomes a chunk of its own.
CREATE FUNCTION casemis._import_report_insert() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO casemis.report_chunk
  SELECT NEW.run_id, NEW.report,
         coalesce((SELECT max(c.chunk) + 1 FROM casemis.report_chunk c
                    WHERE c.run_id = NEW.run_id AND c.report = NEW.report), 0),
         ARRAY[NEW.line_number], ARRAY[NEW.position], ARRAY[NEW.ssid], ARRAY[NEW.student_id],
         ARRAY[NEW.first_name], ARRAY[NEW.last_name], ARRAY[NEW.birthdate], ARRAY[NEW.grade],
         ARRAY[NEW.service], ARRAY[NEW.field], ARRAY[NEW.value], ARRAY[NEW.problem], ARRAY[NEW.reason];
  RETURN NEW;
END $$;
CREATE TRIGGER import_report_insert INSTEAD OF INSERT ON casemis.import_report
  FOR EACH ROW EXECUTE FUNCTION casemis._import_report_insert();

-- Rows are kept per run in chunks: an UPDATE or DELETE through the view is refused.
CREATE FUNCTION casemis._import_report_refuse() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  RAISE EXCEPTION 'report rows cannot be changed one by one through casemis.import_report'
    USING ERRCODE = 'feature_not_supported',
          HINT = 'A run''s report rows are kept together in casemis.report_chunk; delete them all with DELETE FROM casemis.report_chunk WHERE run_id = ...';
END $$;
CREATE TRIGGER import_report_refuse INSTEAD OF UPDATE OR DELETE ON casemis.import_report
  FOR EACH ROW EXECUTE FUNCTION casemis._import_report_refuse();

CREATE TABLE casemis.report_kind (
  report   text PRIMARY KEY,
  ordinal  int  NOT NULL UNIQUE,
  headers  text[] NOT NULL,
  columns  text[] NOT NULL
);
COMMENT ON TABLE casemis.report_kind IS 'The report files: CSV header names and the import_report columns they come from.';
INSERT INTO casemis.report_kind VALUES
 ('CASEMIS_TypeA_ImportedRecords.csv', 1,
  '{OriginalLineNumber,SSID,FirstName,LastName,Birthdate,Grade,StudentID}',
  '{line_number,ssid,first_name,last_name,birthdate,grade,student_id}'),
 ('CASEMIS_TypeA_UnmatchedRecords.csv', 2,
  '{OriginalLineNumber,SSID,StudentID,FirstName,LastName,Birthdate,Grade,Reason}',
  '{line_number,ssid,student_id,first_name,last_name,birthdate,grade,reason}'),
 ('CASEMIS_TypeA_Duplicates.csv', 3,
  '{OriginalLineNumber,SSID,FirstName,LastName,Birthdate,Grade}',
  '{line_number,ssid,first_name,last_name,birthdate,grade}'),
 ('CASEMIS_TypeA_NotInFile.csv', 4,
  '{StudentID,SSID,FirstName,LastName,Birthdate,Grade}',
  '{student_id,ssid,first_name,last_name,birthdate,grade}'),
 ('CASEMIS_TypeA_Errors.csv', 5,
  '{OriginalLineNumber,SSID,StudentID,Field,Value,Problem}',
  '{line_number,ssid,student_id,field,value,problem}'),
 ('CASEMIS_TypeB_ImportedRecords.csv', 6,
  '{OriginalLineNumber,SSID,StudentID,Service}',
  '{line_number,ssid,student_id,service}'),
 ('CASEMIS_TypeB_UnmatchedRecords.csv', 7,
  '{OriginalLineNumber,SSID,StudentID,Service,Reason}',
  '{line_number,ssid,student_id,service,reason}'),
 ('CASEMIS_TypeB_Errors.csv', 8,
  '{OriginalLineNumber,SSID,StudentID,Field,Value,Problem}',
  '{line_number,ssid,student_id,field,value,problem}');

-- One CSV field: quoted only when it holds a comma, a double quote, CR or LF.
CREATE FUNCTION casemis.csv_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN CASE WHEN v IS NULL THEN ''
            WHEN v ~ '[,"\r\n]' THEN '"' || replace(v, '"', '""') || '"'
            ELSE v END;

-- The report named by its file name, as CSV text (UTF-8, CRLF, header row).
CREATE FUNCTION casemis.report_csv(run_id bigint, report text) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY' AS $$
DECLARE
  k casemis.report_kind;
  body text;
  line_expr text;
  order_expr text;
BEGIN
  SELECT * INTO k FROM casemis.report_kind rk WHERE rk.report = report_csv.report;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown report "%"', report
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use one of: ' || (SELECT string_agg(r.report, ', ' ORDER BY r.ordinal) FROM casemis.report_kind r);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM casemis.import_run r WHERE r.run_id = report_csv.run_id) THEN
    RAISE EXCEPTION 'import run % does not exist', run_id USING ERRCODE = 'no_data_found';
  END IF;
  SELECT string_agg(format('casemis.csv_field(r.%I::text)', c), $q$ || ',' || $q$) INTO line_expr
    FROM unnest(k.columns) AS c;
  order_expr := CASE WHEN k.report = 'CASEMIS_TypeA_NotInFile.csv'
                     THEN 'r.student_id::numeric, r.ssid'
                     ELSE 'r.line_number, r.position' END;
  EXECUTE format('SELECT string_agg(%s, E''\r\n'' ORDER BY %s) FROM casemis.import_report r
                   WHERE r.run_id = $1 AND r.report = $2', line_expr, order_expr)
     INTO body USING run_id, k.report;
  RETURN array_to_string(k.headers, ',') || E'\r\n' || coalesce(body || E'\r\n', '');
END $$;
COMMENT ON FUNCTION casemis.report_csv(bigint, text) IS 'A run''s report as CSV text (header row included), e.g. report_csv(42, ''CASEMIS_TypeA_ImportedRecords.csv'').';
