-- casemis_import install script, assembled from src/sql/*.sql in name order.
\echo Use "CREATE EXTENSION casemis_import" to load this file. \quit

-- The district's data is text with names such as Núñez: refuse anything but UTF8.
DO $$
BEGIN
  IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.<>) 'UTF8' THEN
    RAISE EXCEPTION 'casemis_import requires a UTF8 database, not %', pg_catalog.getdatabaseencoding()
      USING ERRCODE = 'feature_not_supported',
            HINT = 'Create the database with ENCODING ''UTF8'' (and a matching locale), then CREATE EXTENSION casemis_import there.';
  END IF;
END
$$;

-- ---------------------------------------------------------------- roster
-- The default roster. A setting may name the district's own table or view
-- with the same columns instead (import_settings.student_relation).
CREATE TABLE casemis.students (
  student_id  bigint PRIMARY KEY,
  ssid        text,
  last_name   text,
  first_name  text,
  birthdate   date,
  grade       text,
  school_code int
);
CREATE INDEX students_ssid_idx ON casemis.students (ssid);
COMMENT ON TABLE casemis.students IS 'Default roster that CASEMIS records are matched against (SSID, else 15-character names + birthdate).';

-- ---------------------------------------------------------------- cse
-- One row per special-education student; one column per Table A field, named
-- as its header in lower case. Identity fields live in the roster.
CREATE TABLE casemis.cse (
  student_id           bigint PRIMARY KEY,
  rept_date            date,
  selpa_code           text,
  selpa_from           text,
  dist_serv            text,
  dist_resi            text,
  sch_code             text,
  sch_type             text,
  selpa_student_id     text,
  gender               text,
  ethnicity            text,
  race1                text,
  race2                text,
  race3                text,
  el                   text,
  native_lang          text,
  early_int            text,
  in_rfrdate           date,
  in_rfrby             text,
  in_prntcst           date,
  in_inteval           date,
  rfrdate              date,
  refr_by              text,
  prnt_csnt            date,
  initeval             date,
  evldlay              text,
  tbdlay               text,
  plan_type            text,
  migrant              text,
  resid_stat           text,
  entry_date           date,
  last_iep             date,
  last_eval            date,
  disabilit1           text,
  disabilit2           text,
  sole_low             text,
  infant_set           text,
  fedset_inf           text,
  fedset_prs           text,
  fedset_sch           text,
  in_regcls            smallint CHECK (in_regcls BETWEEN 0 AND 100),
  grade                text,
  tran_reg1            text,
  tran_reg2            text,
  tran_reg3            text,
  tran_reg4            text,
  tran_reg5            text,
  tran_reg6            text,
  tran_reg7            text,
  tran_reg8            text,
  spec_trans           text,
  parinput             text,
  test_participation_1 text,
  test_participation_2 text,
  test_participation_3 text,
  test_participation_4 text,
  test_participation_5 text,
  test_participation_6 text,
  grad_plan            text,
  exit_date            date,
  exit_reson           text,
  iepdelay             text,
  tridelay             text,
  last_updated         date,
  extra                jsonb,
  last_run_id          bigint
);
COMMENT ON TABLE casemis.cse IS 'Special-education record per student (CASEMIS Table A), written by casemis_import.';
COMMENT ON COLUMN casemis.cse.extra IS 'Table A columns the layout does not know, as {"HEADER": "value"}.';
COMMENT ON COLUMN casemis.cse.last_run_id IS 'The import run that last wrote this row.';

-- ---------------------------------------------------------------- csv
-- One row per service (CASEMIS Table B). A run replaces, for the school year it
-- processes, all rows of every student with at least one matched service.
CREATE TABLE casemis.csv (
  student_id         bigint NOT NULL,
  school_year        int    NOT NULL,
  service_start_date date,
  selpa_student_id   text,
  service            text,
  selpa_code         text,
  ssid               text,
  provider           text,
  location           text,
  frequency          text,
  duration           text,
  start_date         date,
  end_date           date,
  record             jsonb  NOT NULL,
  run_id             bigint
);
CREATE INDEX csv_student_year_idx ON casemis.csv (student_id, school_year);
COMMENT ON TABLE casemis.csv IS 'Special-education services per student and school year (CASEMIS Table B).';
COMMENT ON COLUMN casemis.csv.record IS 'Every column of the file''s record, {"HEADER": "value"}, known to the layout or not.';
COMMENT ON COLUMN casemis.csv.school_year IS 'Calendar year in which the school year starts (2016 for 2016-17).';

-- ---------------------------------------------------------------- calendar
CREATE TABLE casemis.school_calendar (
  school_code int  NOT NULL,
  school_year int  NOT NULL,
  first_day   date NOT NULL,
  PRIMARY KEY (school_code, school_year)
);
COMMENT ON TABLE casemis.school_calendar IS 'First day of school; school 0 is the district calendar used for csv.service_start_date.';
-- ---------------------------------------------------------------- layouts
-- The Table A and Table B layouts are data, not code: the engine finds each
-- column of a file by its header (case-insensitive) among these fields and
-- their aliases. A district adds an alias with an INSERT, no rebuild:
--   INSERT INTO casemis.layout_alias (layout, alias, header) VALUES ('A', 'DOB', 'BIRTHDATE');
CREATE TABLE casemis.layout_field (
  layout        text    NOT NULL CHECK (layout IN ('A', 'B')),
  position      int     NOT NULL,
  header        text    NOT NULL CHECK (header = upper(btrim(header)) AND header <> ''),
  data_type     text    NOT NULL DEFAULT 'text' CHECK (data_type IN ('text', 'date', 'percent')),
  target_column text,
  role          text    CHECK (role IN ('ssid', 'student_id', 'last_name', 'first_name', 'birthdate',
                                        'grade', 'selpa_code', 'service', 'filler')),
  is_key        boolean NOT NULL DEFAULT false,
  codes         text[],
  shipped       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (layout, header)
);
COMMENT ON TABLE casemis.layout_field IS 'Fields of the CASEMIS Table A and Table B layouts: header, type, target column, role, key or not, known codes.';
COMMENT ON COLUMN casemis.layout_field.data_type IS 'text: trimmed, blank is NULL; date: YYYYMMDD, MMDDYYYY, M/D/YYYY or YYYY-MM-DD; percent: whole number 0-100.';
COMMENT ON COLUMN casemis.layout_field.target_column IS 'Column of casemis.cse (layout A) or casemis.csv (layout B); NULL = not stored in a column.';
COMMENT ON COLUMN casemis.layout_field.codes IS 'Known code set; a value outside it is a warning (counted per field), not an error.';
COMMENT ON COLUMN casemis.layout_field.shipped IS 'true for the rows the extension ships; rows a DBA adds (shipped = false) are kept by pg_dump.';

CREATE TABLE casemis.layout_alias (
  layout  text    NOT NULL,
  alias   text    NOT NULL CHECK (alias = upper(btrim(alias)) AND alias <> ''),
  header  text    NOT NULL,
  shipped boolean NOT NULL DEFAULT false,
  PRIMARY KEY (layout, alias),
  FOREIGN KEY (layout, header) REFERENCES casemis.layout_field (layout, header)
    ON UPDATE CASCADE ON DELETE CASCADE
);
COMMENT ON TABLE casemis.layout_alias IS 'Other header names accepted for a layout field (upper case).';

-- Headers and aliases are compared in upper case: store them so.
CREATE FUNCTION casemis._layout_upper() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'layout_field' THEN
    NEW.header := upper(btrim(NEW.header));
  ELSE
    NEW.alias := upper(btrim(NEW.alias));
    NEW.header := upper(btrim(NEW.header));
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER layout_field_upper BEFORE INSERT OR UPDATE ON casemis.layout_field
  FOR EACH ROW EXECUTE FUNCTION casemis._layout_upper();
CREATE TRIGGER layout_alias_upper BEFORE INSERT OR UPDATE ON casemis.layout_alias
  FOR EACH ROW EXECUTE FUNCTION casemis._layout_upper();

-- Table A, 2015-16 to 2017-18 layout (67 fields, TAG order), and Table B.
INSERT INTO casemis.layout_field (layout, position, header, data_type, target_column, role, is_key, codes) VALUES
  ('A',  1, 'REPT_DATE',   'date',   'rept_date',               NULL,          false, NULL),
  ('A',  2, 'SELPA_CODE',  'text',   'selpa_code',              'selpa_code',  false, NULL),
  ('A',  3, 'SELPA_FROM',  'text',   'selpa_from',              NULL,          false, NULL),
  ('A',  4, 'DIST_SERV',   'text',   'dist_serv',               NULL,          false, NULL),
  ('A',  5, 'DIST_RESI',   'text',   'dist_resi',               NULL,          false, NULL),
  ('A',  6, 'SCH_CODE',    'text',   'sch_code',                NULL,          false, NULL),
  ('A',  7, 'SCH_TYPE',    'text',   'sch_type',                NULL,          false, NULL),
  ('A',  8, 'LAST_NAME',   'text',   NULL,                      'last_name',   true, NULL),
  ('A',  9, 'FIRST_NAME',  'text',   NULL,                      'first_name',  true, NULL),
  ('A', 10, 'STUDENT_ID',  'text',   'selpa_student_id',        'student_id',  true, NULL),
  ('A', 11, 'SSID',        'text',   NULL,                      'ssid',        true, NULL),
  ('A', 12, 'FILLER',      'text',   NULL,                      NULL,          false, NULL),
  ('A', 13, 'BIRTHDATE',   'date',   NULL,                      'birthdate',   true, NULL),
  ('A', 14, 'GENDER',      'text',   'gender',                  NULL,          false, NULL),
  ('A', 15, 'ETHNICITY',   'text',   'ethnicity',               NULL,          false, NULL),
  ('A', 16, 'RACE1',       'text',   'race1',                   NULL,          false, NULL),
  ('A', 17, 'RACE2',       'text',   'race2',                   NULL,          false, NULL),
  ('A', 18, 'RACE3',       'text',   'race3',                   NULL,          false, NULL),
  ('A', 19, 'EL',          'text',   'el',                      NULL,          false, NULL),
  ('A', 20, 'NATIVE_LANG', 'text',   'native_lang',             NULL,          false, NULL),
  ('A', 21, 'EARLY_INT',   'text',   'early_int',               NULL,          false, NULL),
  ('A', 22, 'IN_RFRDATE',  'date',   'in_rfrdate',              NULL,          false, NULL),
  ('A', 23, 'IN_RFRBY',    'text',   'in_rfrby',                NULL,          false, NULL),
  ('A', 24, 'IN_PRNTCST',  'date',   'in_prntcst',              NULL,          false, NULL),
  ('A', 25, 'IN_INTEVAL',  'date',   'in_inteval',              NULL,          false, NULL),
  ('A', 26, 'RFRDATE',     'date',   'rfrdate',                 NULL,          false, NULL),
  ('A', 27, 'REFR_BY',     'text',   'refr_by',                 NULL,          false, NULL),
  ('A', 28, 'PRNT_CSNT',   'date',   'prnt_csnt',               NULL,          false, NULL),
  ('A', 29, 'INITEVAL',    'date',   'initeval',                NULL,          false, NULL),
  ('A', 30, 'EVLDLAY',     'text',   'evldlay',                 NULL,          false, NULL),
  ('A', 31, 'TBDLAY',      'text',   'tbdlay',                  NULL,          false, NULL),
  ('A', 32, 'PLAN_TYPE',   'text',   'plan_type',               NULL,          false, '{10,15,20,30,70,80,90}'),
  ('A', 33, 'MIGRANT',     'text',   'migrant',                 NULL,          false, NULL),
  ('A', 34, 'RESID_STAT',  'text',   'resid_stat',              NULL,          false, NULL),
  ('A', 35, 'ENTRY_DATE',  'date',   'entry_date',              NULL,          false, NULL),
  ('A', 36, 'LAST_IEP',    'date',   'last_iep',                NULL,          false, NULL),
  ('A', 37, 'LAST_EVAL',   'date',   'last_eval',               NULL,          false, NULL),
  ('A', 38, 'DISABILIT1',  'text',   'disabilit1',              NULL,          false, '{210,220,230,240,250,260,270,280,281,290,300,310,320,330}'),
  ('A', 39, 'DISABILIT2',  'text',   'disabilit2',              NULL,          false, '{210,220,230,240,250,260,270,280,281,290,300,310,320,330}'),
  ('A', 40, 'SOLE_LOW',    'text',   'sole_low',                NULL,          false, NULL),
  ('A', 41, 'INFANT_SET',  'text',   'infant_set',              NULL,          false, NULL),
  ('A', 42, 'FEDSET_INF',  'text',   'fedset_inf',              NULL,          false, NULL),
  ('A', 43, 'FEDSET_PRS',  'text',   'fedset_prs',              NULL,          false, NULL),
  ('A', 44, 'FEDSET_SCH',  'text',   'fedset_sch',              NULL,          false, NULL),
  ('A', 45, 'IN_REGCLS',   'percent', 'in_regcls',               NULL,          false, NULL),
  ('A', 46, 'GRADE',       'text',   'grade',                   'grade',       false, NULL),
  ('A', 47, 'TRAN_REG1',   'text',   'tran_reg1',               NULL,          false, NULL),
  ('A', 48, 'TRAN_REG2',   'text',   'tran_reg2',               NULL,          false, NULL),
  ('A', 49, 'TRAN_REG3',   'text',   'tran_reg3',               NULL,          false, NULL),
  ('A', 50, 'TRAN_REG4',   'text',   'tran_reg4',               NULL,          false, NULL),
  ('A', 51, 'TRAN_REG5',   'text',   'tran_reg5',               NULL,          false, NULL),
  ('A', 52, 'TRAN_REG6',   'text',   'tran_reg6',               NULL,          false, NULL),
  ('A', 53, 'TRAN_REG7',   'text',   'tran_reg7',               NULL,          false, NULL),
  ('A', 54, 'TRAN_REG8',   'text',   'tran_reg8',               NULL,          false, NULL),
  ('A', 55, 'SPEC_TRANS',  'text',   'spec_trans',              NULL,          false, NULL),
  ('A', 56, 'PARINPUT',    'text',   'parinput',                NULL,          false, NULL),
  ('A', 57, 'FILLER1',     'text',   'test_participation_1',    'filler',      false, NULL),
  ('A', 58, 'FILLER2',     'text',   'test_participation_2',    'filler',      false, NULL),
  ('A', 59, 'FILLER3',     'text',   'test_participation_3',    'filler',      false, NULL),
  ('A', 60, 'FILLER4',     'text',   'test_participation_4',    'filler',      false, NULL),
  ('A', 61, 'FILLER5',     'text',   'test_participation_5',    'filler',      false, NULL),
  ('A', 62, 'FILLER6',     'text',   'test_participation_6',    'filler',      false, NULL),
  ('A', 63, 'GRAD_PLAN',   'text',   'grad_plan',               NULL,          false, NULL),
  ('A', 64, 'EXIT_DATE',   'date',   'exit_date',               NULL,          false, NULL),
  ('A', 65, 'EXIT_RESON',  'text',   'exit_reson',              NULL,          false, NULL),
  ('A', 66, 'IEPDELAY',    'text',   'iepdelay',                NULL,          false, NULL),
  ('A', 67, 'TRIDELAY',    'text',   'tridelay',                NULL,          false, NULL),
  ('B',  1, 'SELPA_CODE',  'text',   'selpa_code',              'selpa_code',  false, NULL),
  ('B',  2, 'STUDENT_ID',  'text',   'selpa_student_id',        'student_id',  true, NULL),
  ('B',  3, 'SSID',        'text',   'ssid',                    'ssid',        true, NULL),
  ('B',  4, 'SERVICE',     'text',   'service',                 'service',     true, NULL),
  ('B',  5, 'PROVIDER',    'text',   'provider',                NULL,          false, NULL),
  ('B',  6, 'LOCATION',    'text',   'location',                NULL,          false, NULL),
  ('B',  7, 'FREQUENCY',   'text',   'frequency',               NULL,          false, NULL),
  ('B',  8, 'DURATION',    'text',   'duration',                NULL,          false, NULL),
  ('B',  9, 'START_DATE',  'date',   'start_date',              NULL,          false, NULL),
  ('B', 10, 'END_DATE',    'date',   'end_date',                NULL,          false, NULL);
UPDATE casemis.layout_field SET shipped = true;

INSERT INTO casemis.layout_alias (layout, alias, header, shipped) VALUES
  ('B', 'SERV_CODE',    'SERVICE', true),
  ('B', 'SERVICE_CODE', 'SERVICE', true);
-- ---------------------------------------------------------------- settings
-- One row per named setting; none shipped. A plain UPDATE changes them; a bad
-- value is refused (CHECKs and the validation trigger below).
CREATE TABLE casemis.import_settings (
  name                text    PRIMARY KEY DEFAULT 'default'
                              CHECK (name ~ '^[A-Za-z0-9_.-]{1,63}$'),
  source              text    NOT NULL DEFAULT 'folder' CHECK (source IN ('folder', 'sftp')),
  folder_path         text,
  sftp_host           text,
  sftp_port           int     NOT NULL DEFAULT 22,
  sftp_directory      text    NOT NULL DEFAULT '',
  sftp_user           text,
  sftp_password       text,
  sftp_private_key    text,
  sftp_host_key       text,
  students_file       text    NOT NULL DEFAULT 'tableA.csv',
  services_file       text    NOT NULL DEFAULT 'tableB.csv',
  include_services    boolean NOT NULL DEFAULT true,
  school_year         int,
  schedule_days       text[]  NOT NULL DEFAULT '{mon,tue,wed,thu,fri}',
  schedule_time       time    NOT NULL DEFAULT '04:00',
  time_zone           text    NOT NULL DEFAULT pg_catalog.current_setting('TimeZone'),
  email_to            text[]  NOT NULL DEFAULT '{}',
  email_from          text    NOT NULL DEFAULT 'casemis_import@localhost',
  smtp_url            text,
  smtp_user           text,
  smtp_password       text,
  enabled             boolean NOT NULL DEFAULT false,
  student_relation    text    NOT NULL DEFAULT 'casemis.students',
  -- beyond the SPEC's list: limits, timeouts and policies, each with a sane default
  smtp_require_tls    boolean NOT NULL DEFAULT false,
  connect_timeout     interval NOT NULL DEFAULT '30 seconds',
  transfer_timeout    interval NOT NULL DEFAULT '30 minutes',
  catch_up_window     interval NOT NULL DEFAULT '6 hours',
  history_retention   interval NOT NULL DEFAULT '2 years',
  max_file_size       bigint  NOT NULL DEFAULT 2147483648,
  max_line_length     int     NOT NULL DEFAULT 1048576,
  max_columns         int     NOT NULL DEFAULT 1000,
  created_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
  updated_at          timestamptz NOT NULL DEFAULT pg_catalog.now(),
  CONSTRAINT sftp_port_range CHECK (sftp_port BETWEEN 1 AND 65535),
  CONSTRAINT file_names_plain CHECK (
        students_file ~ '^[^/\\]+$' AND services_file ~ '^[^/\\]+$'
    AND students_file NOT IN ('.', '..') AND services_file NOT IN ('.', '..')),
  CONSTRAINT school_year_range CHECK (school_year BETWEEN 1990 AND 2200),
  CONSTRAINT schedule_days_known CHECK (
        schedule_days <@ '{mon,tue,wed,thu,fri,sat,sun}'::text[]
    AND pg_catalog.array_position(schedule_days, NULL) IS NULL),
  CONSTRAINT smtp_url_scheme CHECK (smtp_url ~ '^smtps?://[^/?#\s]+/?$'),
  CONSTRAINT sftp_host_key_form CHECK (sftp_host_key ~ '^SHA256:[A-Za-z0-9+/]{43}=?$'),
  CONSTRAINT limits_positive CHECK (max_file_size > 0 AND max_line_length > 0 AND max_columns > 0),
  CONSTRAINT timeouts_positive CHECK (connect_timeout > '0' AND transfer_timeout > '0'
                                      AND catch_up_window >= '0' AND history_retention > '0')
);
COMMENT ON TABLE casemis.import_settings IS 'Named import settings: where the files are, schedule, email. Secret columns: sftp_password, sftp_private_key, smtp_password.';
COMMENT ON COLUMN casemis.import_settings.folder_path IS 'Server folder (absolute path) holding the files; only superusers or members of pg_read_server_files may set it.';
COMMENT ON COLUMN casemis.import_settings.sftp_host_key IS 'Pinned SHA-256 fingerprint of the SFTP server''s host key, as OpenSSH prints it (SHA256:...).';
COMMENT ON COLUMN casemis.import_settings.school_year IS 'School year processed (2016 for 2016-17); NULL = the school year (July 1 - June 30) holding the run''s date.';
COMMENT ON COLUMN casemis.import_settings.schedule_days IS 'Days to run: any of mon, tue, wed, thu, fri, sat, sun.';
COMMENT ON COLUMN casemis.import_settings.time_zone IS 'Time zone of schedule_time and of the run''s date.';

-- Validation that CHECKs cannot express, with errors a DBA can act on.
CREATE FUNCTION casemis._settings_validate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rel regclass;
  missing text;
  addr text;
BEGIN
  -- days: accept Mon/MON, store lower case
  NEW.schedule_days := ARRAY(SELECT lower(btrim(d)) FROM unnest(NEW.schedule_days) AS d);
  IF NOT NEW.schedule_days <@ '{mon,tue,wed,thu,fri,sat,sun}'::text[] THEN
    RAISE EXCEPTION 'invalid schedule_days %', NEW.schedule_days
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use three-letter day names: {mon,tue,wed,thu,fri,sat,sun}.';
  END IF;

  -- time zone: must be one PostgreSQL knows
  IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone)
     AND NOT EXISTS (SELECT 1 FROM pg_timezone_abbrevs WHERE abbrev = NEW.time_zone) THEN
    RAISE EXCEPTION 'unknown time zone "%"', NEW.time_zone
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use a name from pg_timezone_names, such as America/Los_Angeles.';
  END IF;

  -- a server folder: an absolute path, set only by those who may read server files
  IF NEW.folder_path IS NOT NULL THEN
    IF NEW.folder_path !~ '^/' OR NEW.folder_path ~ '(^|/)\.\.(/|$)' OR position(E'\n' in NEW.folder_path) > 0 THEN
      RAISE EXCEPTION 'folder_path must be an absolute path without ".." components: %', NEW.folder_path
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (TG_OP = 'INSERT' OR NEW.folder_path IS DISTINCT FROM OLD.folder_path)
       AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       AND NOT pg_has_role(current_user, 'pg_read_server_files', 'MEMBER') THEN
      RAISE EXCEPTION 'permission denied to set folder_path'
        USING ERRCODE = 'insufficient_privilege',
              DETAIL = 'Pointing a setting at a server folder lets imports read files on the database server.',
              HINT = 'Only a superuser or a member of pg_read_server_files may set folder_path.';
    END IF;
  END IF;

  -- the roster: a relation with the roster's columns
  rel := to_regclass(NEW.student_relation);
  IF rel IS NULL THEN
    RAISE EXCEPTION 'student_relation "%" does not exist', NEW.student_relation
      USING ERRCODE = 'undefined_table',
            HINT = 'Name a table or view with columns student_id, ssid, last_name, first_name, birthdate, grade, school_code.';
  END IF;
  SELECT string_agg(c, ', ') INTO missing
    FROM unnest('{student_id,ssid,last_name,first_name,birthdate,grade}'::text[]) AS c
   WHERE NOT EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = rel AND a.attname = c AND a.attnum > 0 AND NOT a.attisdropped);
  IF missing IS NOT NULL THEN
    RAISE EXCEPTION 'student_relation % lacks column(s) %', rel, missing
      USING ERRCODE = 'undefined_column';
  END IF;
  NEW.student_relation := rel::text;

  -- email addresses: one address each, no header injection
  FOREACH addr IN ARRAY NEW.email_to || NEW.email_from LOOP
    IF addr IS NULL OR addr !~ '^[^@\s<>,;"]+@[^@\s<>,;"]+$' THEN
      RAISE EXCEPTION 'invalid email address "%"', addr
        USING ERRCODE = 'invalid_parameter_value',
              HINT = 'One plain address per array element, such as sped-office@district.example.';
    END IF;
  END LOOP;

  IF NEW.source = 'sftp' AND (NEW.sftp_host IS NULL OR NEW.sftp_host ~ '[\s/]') THEN
    IF NEW.sftp_host IS NOT NULL THEN
      RAISE EXCEPTION 'invalid sftp_host "%"', NEW.sftp_host USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;
  IF NEW.sftp_directory ~ E'[\\n\\r\\x01-\\x1f]' THEN
    RAISE EXCEPTION 'invalid sftp_directory' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  IF TG_OP = 'UPDATE' THEN
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER import_settings_validate BEFORE INSERT OR UPDATE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_validate();
-- ---------------------------------------------------------------- runs
-- One row per run, written by the run's background worker: committed as
-- 'running' before any file is read, finalized in the same transaction that
-- writes cse/csv (or, for a failed run, right after its rollback).
CREATE SEQUENCE casemis.import_run_id_seq;
CREATE TABLE casemis.import_run (
  run_id             bigint PRIMARY KEY DEFAULT nextval('casemis.import_run_id_seq'),
  settings_name      text   NOT NULL,
  status             text   NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'unchanged',
                                                      'skipped', 'dry_run', 'missed')),
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
  -- beyond the SPEC's list
  trigger            text NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'upload', 'scheduled')),
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
  scheduled_for      timestamptz
);
CREATE INDEX import_run_settings_idx ON casemis.import_run (settings_name, run_id);
CREATE INDEX import_run_finished_idx ON casemis.import_run (finished_at);
COMMENT ON TABLE casemis.import_run IS 'One row per import run: status, message, counts, files read (name, size, SHA-256), email status.';
COMMENT ON COLUMN casemis.import_run.message IS 'What happened, in plain English; for a failed run the reason and what to do.';
COMMENT ON COLUMN casemis.import_run.warnings IS 'Header warnings and per-field counts of values outside a known code set.';

-- ---------------------------------------------------------------- report rows
-- Rows of the eight report files of a run. Which columns a report uses is in
-- casemis.report_kind; casemis.report_csv() renders a report as its CSV file.
CREATE TABLE casemis.import_report (
  run_id      bigint NOT NULL,
  report      text   NOT NULL,
  line_number int,
  position    int,
  ssid        text,
  student_id  text,
  first_name  text,
  last_name   text,
  birthdate   text,
  grade       text,
  service     text,
  field       text,
  value       text,
  problem     text,
  reason      text
);
-- Rows arrive in run_id order, one per input record (3.2M for a statewide pair):
-- a BRIN index finds a run's rows at a fraction of a btree's insert cost.
CREATE INDEX import_report_run_idx ON casemis.import_report USING brin (run_id) WITH (pages_per_range = 16);
COMMENT ON TABLE casemis.import_report IS 'Report rows of each run (imported, unmatched, duplicates, errors, not in file).';
COMMENT ON COLUMN casemis.import_report.student_id IS 'Imported and NotInFile reports: the roster''s student_id; Unmatched and Errors reports: the file''s STUDENT_ID.';
COMMENT ON COLUMN casemis.import_report.position IS 'Column position in the file of an Errors row (orders several problems on one line).';

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

-- Internal: start a scheduled run in its own worker and return its pid
-- without waiting (the scheduler's tick must not block on a long import).
CREATE FUNCTION casemis._launch_run(settings_name text, scheduled_for timestamptz DEFAULT NULL)
RETURNS int
LANGUAGE c VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'casemis_launch_run';

-- Internal: the advisory-lock key of a setting (one run of a setting at a time).
CREATE FUNCTION casemis._run_lock_key(settings_name text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN (x'5CA5E000'::bigint << 32) | (hashtextextended(settings_name, 0) & x'7FFFFFFF'::bigint);

-- Runs left 'running' by a worker that died (crash, kill) no longer hold their
-- setting's lock: mark them failed. Called by every run, by the scheduler and
-- by casemis.status; returns how many it marked.
CREATE FUNCTION casemis.reap_interrupted_runs() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  n int;
BEGIN
  UPDATE casemis.import_run r
     SET status = 'failed', finished_at = clock_timestamp(),
         message = 'interrupted: the run''s worker ended before finishing (server crash, restart or kill); nothing of it was applied'
   WHERE r.status = 'running'
     AND NOT EXISTS (SELECT 1 FROM pg_locks l
                      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
                        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                        AND ((l.classid::int8 << 32) | l.objid::int8) = casemis._run_lock_key(r.settings_name));
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END $$;
COMMENT ON FUNCTION casemis.reap_interrupted_runs() IS 'Mark failed ("interrupted") the runs whose worker is gone; returns how many.';
-- ---------------------------------------------------------------- status
-- casemis.status: one row per setting -- its schedule, next run (local and
-- UTC), last run and outcome, and whether the scheduler is in place. Never a
-- secret column. It first marks failed the runs whose worker died, so a
-- 'running' it shows is really running. (The schedule functions and state
-- tables it reads are in 60_schedule.sql; plpgsql resolves them at run time.)

CREATE FUNCTION casemis._status_rows()
RETURNS TABLE (name text, enabled boolean, schedule_days text[], schedule_time time,
               time_zone text, next_run_local timestamp, next_run_at timestamptz,
               last_run_id bigint, last_status text, last_finished_at timestamptz,
               scheduler_ok boolean, scheduler_message text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY' AS $$
DECLARE
  s record;
  st record;
  cron_problem record;
  job record;
  job_problem text;       -- NULL when the tick job is present and active
  last_tick timestamptz;
  tick_failure text := '';
  bad_setting text;
  stale interval := interval '3 minutes';
BEGIN
  -- Not in a read-only transaction (a standby): status must still work there.
  IF current_setting('transaction_read_only') = 'off' THEN
    BEGIN
      PERFORM casemis.reap_interrupted_runs();
    EXCEPTION WHEN OTHERS THEN
      NULL;  -- the reaper is a courtesy here; the scheduler and every run reap too
    END;
  END IF;

  SELECT * INTO cron_problem FROM casemis._pg_cron_problem();
  SELECT * INTO job FROM casemis._tick_job();
  SELECT ss.last_tick_at INTO last_tick FROM casemis.scheduler_state ss;
  IF cron_problem.detail IS NOT NULL THEN
    job_problem := cron_problem.detail || ' ' || cron_problem.hint;
  ELSIF job.jobid IS NULL THEN
    job_problem := 'The pg_cron job casemis_import_tick is missing: nothing runs the schedule. '
                   'Re-create it with UPDATE casemis.import_settings SET enabled = true WHERE enabled;';
  ELSIF NOT job.active THEN
    job_problem := 'The pg_cron job casemis_import_tick is inactive (cron.job.active = false). '
                   'Activate it with UPDATE casemis.import_settings SET enabled = true WHERE enabled;';
  ELSIF NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.backend_type = 'pg_cron launcher') THEN
    job_problem := 'The pg_cron launcher (its scheduler process) is not running, so nothing runs the schedule. '
                   'Once terminated (for instance by DROP DATABASE ... WITH (FORCE) of its database) it only '
                   'comes back when PostgreSQL restarts: restart PostgreSQL.';
  ELSIF last_tick IS NULL OR last_tick < now() - stale THEN
    BEGIN
      EXECUTE 'SELECT '' Its last run failed: '' || d.return_message || ''.''
                 FROM cron.job_run_details d WHERE d.jobid = $1 AND d.status = ''failed''
                ORDER BY d.runid DESC LIMIT 1'
         INTO tick_failure USING job.jobid;
      tick_failure := coalesce(tick_failure, '');
    EXCEPTION WHEN OTHERS THEN
      tick_failure := '';
    END;
  END IF;

  FOR s IN SELECT i.name, i.enabled, i.schedule_days, i.schedule_time, i.time_zone, i.catch_up_window
             FROM casemis.import_settings i ORDER BY i.name LOOP
    name := s.name;
    enabled := s.enabled;
    schedule_days := s.schedule_days;
    schedule_time := s.schedule_time;
    time_zone := s.time_zone;
    SELECT * INTO st FROM casemis.schedule_state ss WHERE ss.settings_name = s.name;
    SELECT r.run_id, r.status, r.finished_at INTO last_run_id, last_status, last_finished_at
      FROM casemis.import_run r WHERE r.settings_name = s.name ORDER BY r.run_id DESC LIMIT 1;

    next_run_at := NULL;
    next_run_local := NULL;
    bad_setting := NULL;
    IF s.enabled THEN
      -- a slot not yet dealt with and still inside the catch-up window is
      -- next (the coming tick runs it); otherwise the first slot after now
      BEGIN
        next_run_at := casemis.next_run_after(
                         s.schedule_days, s.schedule_time, s.time_zone,
                         greatest(coalesce(st.last_slot, now()),
                                  now() - greatest(s.catch_up_window, casemis._on_time_grace())));
        next_run_local := next_run_at AT TIME ZONE s.time_zone;
      EXCEPTION WHEN OTHERS THEN
        -- one broken setting (say, a time zone no longer known) must not hide the others
        GET STACKED DIAGNOSTICS bad_setting = MESSAGE_TEXT;
      END;
    END IF;

    IF NOT s.enabled THEN
      scheduler_ok := NULL;
      scheduler_message := format('Not enabled: no scheduled runs. Enable with UPDATE casemis.import_settings '
                                  'SET enabled = true WHERE name = %L;', s.name);
    ELSIF job_problem IS NOT NULL THEN
      scheduler_ok := false;
      scheduler_message := job_problem;
    ELSIF bad_setting IS NOT NULL THEN
      scheduler_ok := false;
      scheduler_message := format('The schedule of this setting cannot be computed: %s', bad_setting);
    ELSIF cardinality(s.schedule_days) = 0 THEN
      scheduler_ok := false;
      scheduler_message := 'schedule_days is empty: this setting never runs.';
    ELSIF st.last_error IS NOT NULL THEN
      scheduler_ok := false;
      scheduler_message := format('The scheduler failed on this setting at %s UTC: %s',
                                  to_char(st.last_error_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'),
                                  st.last_error);
    ELSIF last_tick >= now() - stale THEN
      scheduler_ok := true;
      scheduler_message := format('OK: the scheduler last ran at %s UTC.',
                                  to_char(last_tick AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'));
    ELSIF st.enabled_at >= now() - stale THEN
      scheduler_ok := true;
      scheduler_message := 'OK: enabled just now; waiting for the first tick of pg_cron (every minute).';
    ELSE
      scheduler_ok := false;
      scheduler_message := format('No scheduler tick since %s: the pg_cron job casemis_import_tick exists '
                                  'but has not run.%s Check that the pg_cron launcher is running (SELECT * FROM '
                                  'pg_stat_activity WHERE backend_type = ''pg_cron launcher''); see cron.job_run_details.',
                                  coalesce(to_char(last_tick AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC',
                                           'it was installed'),
                                  tick_failure);
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;

CREATE VIEW casemis.status AS
SELECT name, enabled, schedule_days, schedule_time, time_zone,
       next_run_local, next_run_at, last_run_id, last_status, last_finished_at,
       scheduler_ok, scheduler_message
  FROM casemis._status_rows();
COMMENT ON VIEW casemis.status IS 'One row per setting: schedule, next run (local and UTC), last run and outcome, scheduler health. No secrets.';
COMMENT ON COLUMN casemis.status.next_run_local IS 'Next scheduled run, wall-clock time in time_zone; NULL when not enabled.';
COMMENT ON COLUMN casemis.status.next_run_at IS 'Next scheduled run as an instant; NULL when not enabled.';
COMMENT ON COLUMN casemis.status.scheduler_ok IS 'Enabled settings: the pg_cron tick job is present and active and ran in the last 3 minutes. NULL when not enabled.';
-- ---------------------------------------------------------------- schedule
-- pg_cron is only a tick. One named job, casemis_import_tick, fires every
-- minute (pg_cron 1.4 evaluates schedules in GMT only) and calls
-- casemis.tick(), which decides from the settings what is due in each
-- setting's own time zone and starts those runs without waiting for them.
-- The job's command removes the job once casemis_import is gone, so DROP
-- EXTENSION leaves nothing failing every minute. pg_cron objects are only
-- reached through dynamic SQL: CREATE EXTENSION casemis_import works without it.

-- Per enabled setting: the latest slot the scheduler has dealt with (run, or
-- recorded as missed). Engine state, rebuilt when missing: not dumped.
CREATE TABLE casemis.schedule_state (
  settings_name  text PRIMARY KEY
                 REFERENCES casemis.import_settings (name) ON DELETE CASCADE ON UPDATE CASCADE,
  enabled_at     timestamptz NOT NULL,   -- the schedule (re)started here: earlier slots do not count
  last_slot      timestamptz NOT NULL,   -- slots up to here are dealt with
  last_launch_at timestamptz,
  last_error     text,
  last_error_at  timestamptz
);
COMMENT ON TABLE casemis.schedule_state IS 'Scheduler state per enabled setting (last slot dealt with); rebuilt when missing.';

-- The scheduler's heartbeat: one row.
CREATE TABLE casemis.scheduler_state (
  singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  last_tick_at      timestamptz,
  last_retention_at timestamptz
);
INSERT INTO casemis.scheduler_state DEFAULT VALUES;
COMMENT ON TABLE casemis.scheduler_state IS 'Scheduler heartbeat: when casemis.tick() last ran, when retention was last applied.';

-- ---------------------------------------------------------------- constants
CREATE FUNCTION casemis._tick_job_name() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN 'casemis_import_tick';

-- The tick job's command: call back into the extension while it exists, and
-- remove the job once it does not. (Unscheduling by jobid found in cron.job,
-- not by name: cron.unschedule raises when the job is already gone, and the
-- name's type differs between pg_cron 1.4 and 1.5.)
CREATE FUNCTION casemis._tick_job_command() RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN format('DO $casemis_tick$BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = %L) '
              'THEN PERFORM casemis.tick(); ELSE PERFORM cron.unschedule(j.jobid) FROM cron.job j '
              'WHERE j.jobname = %L AND j.database = pg_catalog.current_database(); END IF; END$casemis_tick$',
              'casemis_import', 'casemis_import_tick');

-- Advisory-lock key serializing ticks (distinct from the run locks' high word).
CREATE FUNCTION casemis._tick_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN x'5CA5E001'::bigint << 32;

-- A slot still counts as on time this long after it, whatever catch_up_window
-- says: pg_cron's minute tick may come a little late.
CREATE FUNCTION casemis._on_time_grace() RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN interval '5 minutes';

-- An interval as a person says it: '8 hours', '2 days 3 hours', '45 minutes'.
CREATE FUNCTION casemis._human_interval(i interval) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  m bigint := floor(extract(epoch FROM i) / 60)::bigint;
  parts text[] := '{}';
BEGIN
  IF m >= 1440 THEN
    parts := parts || format('%s day%s', m / 1440, CASE WHEN m / 1440 = 1 THEN '' ELSE 's' END);
  END IF;
  IF m % 1440 >= 60 THEN
    parts := parts || format('%s hour%s', m % 1440 / 60, CASE WHEN m % 1440 / 60 = 1 THEN '' ELSE 's' END);
  END IF;
  IF m % 60 > 0 OR m = 0 THEN
    parts := parts || format('%s minute%s', m % 60, CASE WHEN m % 60 = 1 THEN '' ELSE 's' END);
  END IF;
  RETURN array_to_string(parts, ' ');
END $$;

-- ---------------------------------------------------------------- arithmetic
-- Pure functions of their arguments (and the time-zone database): the clock is
-- always passed in, so they are tested with fixed clocks.

CREATE FUNCTION casemis._day_name(d date) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN ('{mon,tue,wed,thu,fri,sat,sun}'::text[])[extract(isodow FROM d)::int];

-- The instant of the slot on local date `day` at local time `at` in time_zone:
-- the first instant at which the zone's wall clock reaches day + at. So a time
-- in a spring-forward gap runs at the end of the gap (02:30 on 2016-03-13 in
-- America/Los_Angeles is 03:00 PDT), and a time in a fall-back hour runs at
-- its first occurrence (01:30 PDT on 2016-11-06, not 01:30 PST).
CREATE FUNCTION casemis._slot_at(day date, at time, time_zone text) RETURNS timestamptz
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  target timestamp := day + at;
  as_utc timestamptz := target AT TIME ZONE 'UTC';
  cand timestamptz;
  best timestamptz;
  lo bigint;
  hi bigint;
  mid bigint;
BEGIN
  -- Each UTC offset the zone uses around that day gives one candidate; the
  -- candidates whose wall-clock time is the target are its occurrences.
  FOR cand IN
    SELECT DISTINCT as_utc - ((p AT TIME ZONE time_zone) - (p AT TIME ZONE 'UTC'))
      FROM unnest(ARRAY[as_utc - interval '1 day', as_utc, as_utc + interval '1 day']) AS p
  LOOP
    IF cand AT TIME ZONE time_zone = target THEN
      best := least(best, cand);
    END IF;
    lo := least(lo, extract(epoch FROM cand)::bigint);
    hi := greatest(hi, extract(epoch FROM cand)::bigint);
  END LOOP;
  IF best IS NOT NULL THEN
    RETURN best;
  END IF;
  -- No occurrence: the target is in a gap. The wall clock is before it at
  -- the earliest candidate and past it at the latest; find the jump (to the
  -- second) by bisection.
  WHILE hi - lo > 1 LOOP
    mid := lo + (hi - lo) / 2;
    IF to_timestamp(mid) AT TIME ZONE time_zone >= target THEN
      hi := mid;
    ELSE
      lo := mid;
    END IF;
  END LOOP;
  RETURN to_timestamp(hi);
END $$;

CREATE FUNCTION casemis._normalized_days(days text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN ARRAY(SELECT lower(btrim(d)) FROM unnest(days) AS d WHERE d IS NOT NULL);

-- The slots of a schedule in (after, upto], oldest first.
CREATE FUNCTION casemis._slots_between(days text[], at time, time_zone text,
                                       after timestamptz, upto timestamptz)
RETURNS SETOF timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $$
  SELECT s
    FROM generate_series((after AT TIME ZONE time_zone)::date - 1,
                         (upto AT TIME ZONE time_zone)::date + 1,
                         interval '1 day') AS g(d),
         LATERAL casemis._slot_at(g.d::date, at, time_zone) AS s
   WHERE casemis._day_name(g.d::date) = ANY (casemis._normalized_days(days))
     AND s > after AND s <= upto
   ORDER BY s
$$;

-- The first slot strictly after `after`: days are three-letter names
-- (mon..sun), `at` the local time, both in time_zone. NULL when no day is chosen.
CREATE FUNCTION casemis.next_run_after(days text[], at time, time_zone text, after timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN (SELECT min(s) FROM casemis._slots_between(days, at, time_zone, after, after + interval '9 days') AS s);
COMMENT ON FUNCTION casemis.next_run_after(text[], time, text, timestamptz) IS
  'First scheduled slot strictly after a given instant, e.g. next_run_after(''{mon,wed,fri}'', ''18:30'', ''America/Los_Angeles'', now()).';

-- The slot that is due at `now`: the latest slot in (last_slot, now], or NULL.
CREATE FUNCTION casemis.due_slot(days text[], at time, time_zone text,
                                 last_slot timestamptz, now timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp
RETURN (SELECT max(s) FROM casemis._slots_between(days, at, time_zone,
                                                  greatest(last_slot, now - interval '8 days'), now) AS s);
COMMENT ON FUNCTION casemis.due_slot(text[], time, text, timestamptz, timestamptz) IS
  'The latest scheduled slot after last_slot and at or before now (NULL if none): what the scheduler runs.';

-- ---------------------------------------------------------------- pg_cron probe
-- What keeps pg_cron from serving this database, from the facts given (pure,
-- so every case is tested): NULL detail when it can be used.
CREATE FUNCTION casemis._pg_cron_problem(preload_libraries text, cron_database text,
                                         this_database text, pg_cron_installed boolean,
                                         OUT detail text, OUT hint text)
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF coalesce(preload_libraries, '') !~ '(^|[\s,"/])pg_cron(\.so)?($|[\s,"])' THEN
    detail := 'pg_cron is not loaded: it is not in shared_preload_libraries.';
    hint := format('In postgresql.conf add pg_cron to shared_preload_libraries (shared_preload_libraries = ''pg_cron'') '
                   'and set cron.database_name = ''%s'', restart PostgreSQL, then run CREATE EXTENSION pg_cron '
                   'in database "%s".', this_database, this_database);
  ELSIF coalesce(cron_database, 'postgres') <> this_database THEN
    detail := format('pg_cron schedules jobs only in database "%s" (cron.database_name), not in "%s".',
                     coalesce(cron_database, 'postgres'), this_database);
    hint := format('Set cron.database_name = ''%s'' in postgresql.conf, restart PostgreSQL, then run '
                   'CREATE EXTENSION pg_cron in database "%s"; or install casemis_import in database "%s" instead.',
                   this_database, this_database, coalesce(cron_database, 'postgres'));
  ELSIF NOT coalesce(pg_cron_installed, false) THEN
    detail := format('The pg_cron extension is not installed in database "%s".', this_database);
    hint := format('Run CREATE EXTENSION pg_cron in database "%s" (pg_cron is already preloaded '
                   'and cron.database_name names this database).', this_database);
  END IF;
END $$;

-- The same for this server and database.
CREATE FUNCTION casemis._pg_cron_problem(OUT detail text, OUT hint text)
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
  SELECT p.detail, p.hint
    FROM casemis._pg_cron_problem(current_setting('shared_preload_libraries'),
                                  current_setting('cron.database_name', true),
                                  current_database(),
                                  EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron')
                                    AND to_regclass('cron.job') IS NOT NULL) AS p
$$;

-- ---------------------------------------------------------------- the tick job
-- These run as the extension's owner (SECURITY DEFINER): whoever enables a
-- setting, there is one tick job owned by one role, and cron.job's row-level
-- security does not hide it.

-- The tick job of this database, if any: (jobid, active).
CREATE FUNCTION casemis._tick_job(OUT jobid bigint, OUT active boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF to_regclass('cron.job') IS NULL THEN
    RETURN;
  END IF;
  EXECUTE 'SELECT j.jobid, j.active FROM cron.job j
            WHERE j.jobname = $1 AND j.database = current_database()
            ORDER BY j.active DESC, j.jobid LIMIT 1'
     INTO jobid, active USING casemis._tick_job_name();
END $$;

-- Make sure the tick job exists and is active (a named cron.schedule is an upsert).
CREATE FUNCTION casemis._ensure_tick_job() RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  id bigint;
  is_active boolean;
BEGIN
  SELECT j.jobid, j.active INTO id, is_active FROM casemis._tick_job() AS j;
  IF id IS NULL THEN
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO id
      USING casemis._tick_job_name(), '* * * * *', casemis._tick_job_command();
  ELSIF NOT is_active THEN
    EXECUTE 'SELECT cron.alter_job($1, active => true)' USING id;
  END IF;
  RETURN id;
END $$;

-- Remove the tick job if it exists (cron.unschedule raises when it does not).
CREATE FUNCTION casemis._unschedule_tick_job() RETURNS int
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  id bigint;
  n int := 0;
BEGIN
  IF to_regclass('cron.job') IS NULL THEN
    RETURN 0;
  END IF;
  FOR id IN EXECUTE 'SELECT j.jobid FROM cron.job j WHERE j.jobname = $1 AND j.database = current_database()'
              USING casemis._tick_job_name() LOOP
    EXECUTE 'SELECT cron.unschedule($1::bigint)' USING id;
    n := n + 1;
  END LOOP;
  RETURN n;
END $$;

-- ---------------------------------------------------------------- enabling
-- AFTER trigger on import_settings, in the same transaction as the change.
-- TG_ARGV[0] = 'enabled': INSERT, UPDATE OF enabled, DELETE -- schedule the
-- tick when a setting is enabled (pg_cron required), unschedule it when none is.
-- TG_ARGV[0] = 'schedule': UPDATE OF schedule_days, schedule_time, time_zone --
-- the schedule restarts from now (a slot that already passed is not run).
CREATE FUNCTION casemis._settings_schedule() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  problem record;
  was_enabled boolean;
  is_enabled boolean;
  -- pg_dump restores table data with COPY: an enabled setting restored into a
  -- database without pg_cron must not abort the restore, and the tick job
  -- comes back with cron.job's own data. casemis.status tells if it did not.
  restoring boolean := current_query() ~* '^\s*copy\s';
BEGIN
  IF TG_ARGV[0] = 'schedule' THEN
    IF NEW.enabled AND (NEW.schedule_days IS DISTINCT FROM OLD.schedule_days
                        OR NEW.schedule_time IS DISTINCT FROM OLD.schedule_time
                        OR NEW.time_zone IS DISTINCT FROM OLD.time_zone) THEN
      UPDATE casemis.schedule_state SET enabled_at = now(), last_slot = now(), last_error = NULL
       WHERE settings_name = NEW.name;
    END IF;
    RETURN NULL;
  END IF;

  -- (OLD and NEW are looked at only where they exist: nested IFs, no AND/OR)
  IF TG_OP = 'INSERT' THEN
    was_enabled := false;
  ELSE
    was_enabled := OLD.enabled;
  END IF;
  IF TG_OP = 'DELETE' THEN
    is_enabled := false;
  ELSE
    is_enabled := NEW.enabled;
  END IF;

  IF is_enabled THEN
    IF NOT was_enabled THEN
      INSERT INTO casemis.schedule_state (settings_name, enabled_at, last_slot)
      VALUES (NEW.name, now(), now())
      ON CONFLICT (settings_name) DO UPDATE
        SET enabled_at = excluded.enabled_at, last_slot = excluded.last_slot,
            last_error = NULL, last_error_at = NULL;
    END IF;
    IF NOT restoring THEN
      SELECT * INTO problem FROM casemis._pg_cron_problem();
      IF problem.detail IS NOT NULL THEN
        RAISE EXCEPTION 'cannot enable the schedule of setting "%": pg_cron is not available', NEW.name
          USING ERRCODE = 'object_not_in_prerequisite_state',
                DETAIL = problem.detail, HINT = problem.hint;
      END IF;
      PERFORM casemis._ensure_tick_job();
    END IF;
  ELSIF was_enabled THEN
    -- disabled or deleted (the state row goes with the setting on DELETE)
    IF TG_OP = 'UPDATE' THEN
      DELETE FROM casemis.schedule_state WHERE settings_name = NEW.name;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM casemis.import_settings WHERE enabled) THEN
      PERFORM casemis._unschedule_tick_job();
    END IF;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER import_settings_schedule
  AFTER INSERT OR UPDATE OF enabled OR DELETE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_schedule('enabled');
CREATE TRIGGER import_settings_reschedule
  AFTER UPDATE OF schedule_days, schedule_time, time_zone ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_schedule('schedule');

-- ---------------------------------------------------------------- retention
-- Deletes runs (and their report rows) older than their setting's
-- history_retention; runs of a deleted setting are kept for the default
-- 2 years. A run still 'running' is never deleted. Returns the runs deleted.
CREATE FUNCTION casemis._apply_retention(at timestamptz) RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  expired bigint[];
BEGIN
  SELECT coalesce(array_agg(r.run_id), '{}') INTO expired
    FROM casemis.import_run r
    LEFT JOIN casemis.import_settings s ON s.name = r.settings_name
   WHERE r.status <> 'running'
     AND r.started_at < at - coalesce(s.history_retention, interval '2 years');
  IF cardinality(expired) > 0 THEN
    DELETE FROM casemis.import_report WHERE run_id = ANY (expired);
    DELETE FROM casemis.import_run WHERE run_id = ANY (expired);
  END IF;
  RETURN cardinality(expired);
END $$;

-- pg_cron keeps a cron.job_run_details row per run, forever: 1440 a day for
-- the tick. Keep a week of the tick's own rows.
CREATE FUNCTION casemis._trim_tick_history(at timestamptz) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF to_regclass('cron.job_run_details') IS NOT NULL THEN
    EXECUTE 'DELETE FROM cron.job_run_details d USING cron.job j
              WHERE d.jobid = j.jobid AND j.jobname = $1 AND j.database = current_database()
                AND d.end_time < $2'
      USING casemis._tick_job_name(), at - interval '7 days';
  END IF;
END $$;

-- ---------------------------------------------------------------- the tick
-- A scheduled slot that will not run gets a 'missed' run row saying which.
CREATE FUNCTION casemis._record_missed(settings_name text, time_zone text, slot timestamptz,
                                       at timestamptz, why text) RETURNS void
LANGUAGE sql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
  INSERT INTO casemis.import_run (settings_name, status, started_at, finished_at, message,
                                  trigger, scheduled_for, run_date)
  VALUES (settings_name, 'missed', at, at,
          format('The scheduled run for %s (%s) was missed: the scheduler was not running then '
                 '(server down or pg_cron stopped). %s',
                 to_char(slot AT TIME ZONE time_zone, 'YYYY-MM-DD HH24:MI'), time_zone, why),
          'scheduled', slot, (slot AT TIME ZONE time_zone)::date)
$$;

-- One setting's share of a tick: what is due at `t`, run at most once.
-- Returns what it did: started (state created), launched, missed.
CREATE FUNCTION casemis._tick_setting(name text, t timestamptz)
RETURNS TABLE (action text, scheduled_for timestamptz)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  s record;
  st casemis.schedule_state;
  due timestamptz;
  oldest timestamptz;
  m timestamptz;
  late interval;
  allowed interval;
BEGIN
  SELECT i.name, i.schedule_days, i.schedule_time, i.time_zone, i.catch_up_window INTO s
    FROM casemis.import_settings i WHERE i.name = _tick_setting.name AND i.enabled;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  SELECT * INTO st FROM casemis.schedule_state ss WHERE ss.settings_name = s.name FOR UPDATE;
  IF NOT FOUND THEN
    -- enabled without the trigger (restored data): the schedule starts now
    INSERT INTO casemis.schedule_state (settings_name, enabled_at, last_slot) VALUES (s.name, t, t);
    RETURN QUERY SELECT 'started'::text, NULL::timestamptz;
    RETURN;
  END IF;

  due := casemis.due_slot(s.schedule_days, s.schedule_time, s.time_zone, st.last_slot, t);
  IF due IS NULL THEN
    RETURN;
  END IF;
  allowed := greatest(s.catch_up_window, casemis._on_time_grace());
  late := t - due;

  -- Slots before the due one were missed (the server was down): a missed run
  -- is made up once, so only the latest slot may run. Older than 100 days
  -- they are summed up in one row rather than listed.
  oldest := greatest(st.last_slot, t - interval '100 days');
  IF st.last_slot < oldest THEN
    INSERT INTO casemis.import_run (settings_name, status, started_at, finished_at, message, trigger)
    VALUES (s.name, 'missed', t, t,
            format('The scheduled runs between %s and %s (%s) were missed: the scheduler was not running then.',
                   to_char(st.last_slot AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'),
                   to_char(oldest AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'), s.time_zone),
            'scheduled');
    RETURN QUERY SELECT 'missed'::text, NULL::timestamptz;
  END IF;
  FOR m IN SELECT x FROM casemis._slots_between(s.schedule_days, s.schedule_time, s.time_zone, oldest, due) AS x
            WHERE x < due LOOP
    PERFORM casemis._record_missed(s.name, s.time_zone, m, t,
      CASE WHEN late <= allowed
           THEN format('Only the latest missed run (for %s) was made up.',
                       to_char(due AT TIME ZONE s.time_zone, 'YYYY-MM-DD HH24:MI'))
           ELSE 'A later scheduled run was missed as well.' END);
    RETURN QUERY SELECT 'missed'::text, m;
  END LOOP;

  -- The slot is dealt with in the same transaction that launches it: a
  -- second tick never launches it again.
  UPDATE casemis.schedule_state
     SET last_slot = due, last_error = NULL, last_error_at = NULL,
         last_launch_at = CASE WHEN late <= allowed THEN t ELSE last_launch_at END
   WHERE settings_name = s.name;
  IF late <= allowed THEN
    -- last: once the worker is started nothing here may fail
    PERFORM casemis._launch_run(s.name, due);
    RETURN QUERY SELECT 'launched'::text, due;
  ELSE
    PERFORM casemis._record_missed(s.name, s.time_zone, due, t,
      format('When the scheduler came back it was %s late, more than the catch-up window (%s), so it was not run; '
             'run it by hand with SELECT casemis.casemis_import(%L) if needed.',
             casemis._human_interval(late), casemis._human_interval(s.catch_up_window), s.name));
    RETURN QUERY SELECT 'missed'::text, due;
  END IF;
END $$;

-- Called every minute by the pg_cron job casemis_import_tick. Starts the runs
-- that are due (without waiting for them), records missed ones, applies the
-- history retention hourly. One setting's failure does not stop the others.
CREATE FUNCTION casemis.tick()
RETURNS TABLE (settings_name text, action text, scheduled_for timestamptz)
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY' AS $$
DECLARE
  t timestamptz;
  last_retention timestamptz;
  sname text;
  actions text[];
  slots timestamptz[];
  msg text;
BEGIN
  -- one tick at a time; a second one waits, then sees what the first did
  PERFORM pg_advisory_xact_lock(casemis._tick_lock_key());
  t := clock_timestamp();
  UPDATE casemis.scheduler_state SET last_tick_at = t RETURNING last_retention_at INTO last_retention;

  BEGIN
    PERFORM casemis.reap_interrupted_runs();
  EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
    RAISE WARNING 'casemis scheduler: could not check for interrupted runs: %', msg;
  END;

  IF last_retention IS NULL OR last_retention < t - interval '1 hour' THEN
    BEGIN
      PERFORM casemis._apply_retention(t);
      PERFORM casemis._trim_tick_history(t);
      UPDATE casemis.scheduler_state SET last_retention_at = t;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
      RAISE WARNING 'casemis scheduler: could not apply the history retention: %', msg;
    END;
  END IF;

  -- Nothing enabled (say, the extension was dropped and created again): the
  -- job has no reason to exist.
  IF NOT EXISTS (SELECT 1 FROM casemis.import_settings WHERE enabled) THEN
    PERFORM casemis._unschedule_tick_job();
    RETURN;
  END IF;

  FOR sname IN SELECT i.name FROM casemis.import_settings i WHERE i.enabled ORDER BY i.name LOOP
    BEGIN
      SELECT array_agg(x.action), array_agg(x.scheduled_for) INTO actions, slots
        FROM casemis._tick_setting(sname, t) AS x;
    EXCEPTION WHEN OTHERS THEN
      GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
      RAISE WARNING 'casemis scheduler: setting "%": %', sname, msg;
      UPDATE casemis.schedule_state SET last_error = msg, last_error_at = t WHERE schedule_state.settings_name = sname;
      actions := '{error}';
      slots := '{NULL}';
    END;
    RETURN QUERY SELECT sname, a.action, a.slot FROM unnest(actions, slots) AS a(action, slot);
  END LOOP;
END $$;
COMMENT ON FUNCTION casemis.tick() IS
  'The scheduler: run every minute by the pg_cron job casemis_import_tick; starts the runs that are due in each setting''s time zone.';
-- ---------------------------------------------------------------- email and SFTP helpers
-- Send a finished run's completion email again (after fixing smtp_url, say);
-- returns the new email_status ('sent', 'not configured' or 'failed: ...').
-- SECURITY DEFINER: it reads the SMTP password, which an operator who may
-- resend must not be able to read itself.
CREATE FUNCTION casemis.resend_email(run_id bigint) RETURNS text
LANGUAGE c VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_resend_email';
COMMENT ON FUNCTION casemis.resend_email(bigint) IS 'Send the completion email of a run again; returns the new email_status.';

-- The SFTP server's host key fingerprint (SHA256:..., as ssh-keygen -lf prints
-- it), read without logging in. Verify it out of band before pinning it in
-- import_settings.sftp_host_key: nothing is trusted on first use.
CREATE FUNCTION casemis.sftp_host_fingerprint(host text, port int DEFAULT 22) RETURNS text
LANGUAGE c VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'casemis_sftp_host_fingerprint';
COMMENT ON FUNCTION casemis.sftp_host_fingerprint(text, int) IS 'Host key fingerprint (SHA256:...) of an SFTP server, to verify out of band and pin in sftp_host_key.';

REVOKE EXECUTE ON FUNCTION casemis.resend_email(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION casemis.sftp_host_fingerprint(text, int) FROM PUBLIC;
-- ---------------------------------------------------------------- data safety
-- pg_dump keeps the district's data: every table is extension configuration.
SELECT pg_catalog.pg_extension_config_dump('casemis.students', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.cse', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.csv', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.school_calendar', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.import_settings', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.import_run', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.import_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.import_report', '');
SELECT pg_catalog.pg_extension_config_dump('casemis.layout_field', 'WHERE NOT shipped');
SELECT pg_catalog.pg_extension_config_dump('casemis.layout_alias', 'WHERE NOT shipped');

-- ---------------------------------------------------------------- privileges
-- Nothing is granted to PUBLIC, functions included.
REVOKE ALL ON SCHEMA casemis FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA casemis FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA casemis FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA casemis FROM PUBLIC;
