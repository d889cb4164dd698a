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
  -- beyond the README's list: limits, timeouts and policies, each with a sane default
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
  -- 0.2.0, security (set by the triggers of 25_security.sql, not by hand)
  enabled_by          text,
  enabled_in          text,
  cleared_secrets     text[]  NOT NULL DEFAULT '{}',
  lock_timeout        interval NOT NULL DEFAULT '5 minutes' CONSTRAINT lock_timeout_positive CHECK (lock_timeout > '0'),
  file_format         text    NOT NULL DEFAULT 'auto' CHECK (file_format IN ('auto', 'casemis', 'calpads')),
  -- 0.2.0, safety nets (between the CALPADS and the email columns, as the upgrade adds them)
  min_record_ratio    real    NOT NULL DEFAULT 0.5 CHECK (min_record_ratio >= 0 AND min_record_ratio <= 1),
  max_email_bytes     bigint  NOT NULL DEFAULT 10485760
                              CONSTRAINT max_email_bytes_positive CHECK (max_email_bytes > 0),
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
COMMENT ON COLUMN casemis.import_settings.max_email_bytes IS 'Largest completion email (bytes, as sent); attachments that would pass it are left out, ImportedRecords first, and the email says how to get them.';
COMMENT ON COLUMN casemis.import_settings.min_record_ratio IS 'Record-count guard: a run whose Student Data (or Services) file holds fewer records than this fraction of the same file''s records in the last successful run fails before writing (force => true imports it anyway); 0 turns it off.';
COMMENT ON COLUMN casemis.import_settings.file_format IS 'Which files to read: auto (decided per run from the Student Data file: CALPADS SPED, positional or with a header, else CASEMIS Table A), casemis or calpads.';

-- Validation that CHECKs cannot express, with errors a DBA can act on.
CREATE FUNCTION casemis._settings_validate() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  rel regclass;
  missing text;
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

  -- email addresses: import_settings_validate_email (below)

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

-- email_to and email_from: one plain address each (no header injection, no
-- extra recipient), by the rule the email code applies when it sends (C++,
-- notify::valid_address), so that the two cannot disagree. A C trigger, fired
-- after import_settings_validate (name order): a trigger function needs no
-- EXECUTE privilege of the role changing the setting, a function it called would.
CREATE FUNCTION casemis._settings_validate_email() RETURNS trigger
LANGUAGE c SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'casemis_settings_validate_email';
CREATE TRIGGER import_settings_validate_email BEFORE INSERT OR UPDATE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_validate_email();

-- time_zone: a region name PostgreSQL knows, matched case-insensitively and
-- stored as PostgreSQL spells it (america/los_angeles -> America/Los_Angeles).
-- An abbreviation such as PST is a fixed UTC offset with no daylight-saving
-- time (a 6:30 pm schedule would drift to 7:30 pm in summer): refused. A
-- trigger of its own, fired before import_settings_validate (name order).
CREATE FUNCTION casemis._settings_time_zone() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  tz text;
  tz_offset interval;
BEGIN
  IF NEW.time_zone IS NULL THEN
    RETURN NEW;   -- NOT NULL says so
  END IF;
  SELECT min(z.name) INTO tz FROM pg_timezone_names z WHERE lower(z.name) = lower(btrim(NEW.time_zone));
  IF tz IS NOT NULL THEN
    NEW.time_zone := tz;
    RETURN NEW;
  END IF;
  SELECT min(a.utc_offset) INTO tz_offset FROM pg_timezone_abbrevs a WHERE lower(a.abbrev) = lower(btrim(NEW.time_zone));
  IF tz_offset IS NOT NULL THEN
    RAISE EXCEPTION 'time zone "%" is an abbreviation: a fixed UTC offset (%) with no daylight-saving time',
                    NEW.time_zone, to_char(tz_offset, 'HH24:MI')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Use a region name from pg_timezone_names, such as America/Los_Angeles, so that the schedule '
                   'and the run''s date follow daylight-saving time.';
  END IF;
  RAISE EXCEPTION 'unknown time zone "%"', NEW.time_zone
    USING ERRCODE = 'invalid_parameter_value',
          HINT = 'Use a region name from pg_timezone_names, such as America/Los_Angeles.';
END $$;
CREATE TRIGGER import_settings_time_zone BEFORE INSERT OR UPDATE OF time_zone ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_time_zone();
