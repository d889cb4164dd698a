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
-- SPED/SSRV columns of cse and csv (appended, in the fresh install's order).
ALTER TABLE casemis.cse
  ADD COLUMN reporting_lea text,
  ADD COLUMN school_nps text,
  ADD COLUMN academic_year text,
  ADD COLUMN district_accountability text,
  ADD COLUMN meeting_type text,
  ADD COLUMN meeting_date date,
  ADD COLUMN meeting_id text,
  ADD COLUMN meeting_delay text,
  ADD COLUMN plan_amendment_date date,
  ADD COLUMN infant_rc_eligible text,
  ADD COLUMN program_setting text,
  ADD COLUMN preschool_location text,
  ADD COLUMN ten_weekly_hours text,
  ADD COLUMN gened_percent_range text,
  ADD COLUMN program_type text,
  ADD COLUMN postsecondary_goals text,
  ADD COLUMN postsecondary_goals_updated text,
  ADD COLUMN transition_assessment text,
  ADD COLUMN transition_services text,
  ADD COLUMN supportive_services text,
  ADD COLUMN transition_services_goals text,
  ADD COLUMN student_iep_participation text,
  ADD COLUMN agency_iep_participation text,
  ADD COLUMN workability_completion text,
  ADD COLUMN dor_completion text;
ALTER TABLE casemis.csv
  ADD COLUMN reporting_lea text,
  ADD COLUMN npa_id text,
  ADD COLUMN meeting_id text;
ALTER TABLE casemis.import_settings
  ADD COLUMN file_format text NOT NULL DEFAULT 'auto' CHECK (file_format IN ('auto', 'casemis', 'calpads'));
COMMENT ON COLUMN casemis.import_settings.file_format IS 'Which files to read: auto (decided per run from the Student Data file: CALPADS SPED, positional or with a header, else CASEMIS Table A), casemis or calpads.';
ALTER TABLE casemis.import_run
  ADD COLUMN file_format text CHECK (file_format IN ('casemis', 'calpads'));
COMMENT ON COLUMN casemis.import_run.file_format IS 'Which family of files the run read: casemis (Table A/B) or calpads (SPED/SSRV); NULL before the files were read.';
-- The layout tables take the CALPADS layouts.
ALTER TABLE casemis.layout_field
  DROP CONSTRAINT layout_field_layout_check,
  DROP CONSTRAINT layout_field_header_check,
  DROP CONSTRAINT layout_field_data_type_check,
  DROP CONSTRAINT layout_field_role_check,
  ADD CONSTRAINT layout_field_layout_check CHECK (layout IN ('A', 'B', 'SPED', 'SSRV')),
  ADD CONSTRAINT layout_field_header_check
    CHECK (header <> '' AND header = btrim(header) AND (header = upper(header) OR layout IN ('SPED', 'SSRV'))),
  ADD CONSTRAINT layout_field_data_type_check CHECK (data_type IN ('text', 'date', 'percent', 'code')),
  ADD CONSTRAINT layout_field_role_check
    CHECK (role IN ('ssid', 'student_id', 'last_name', 'first_name', 'birthdate',
                    'grade', 'selpa_code', 'service', 'filler', 'record_type',
                    'transaction_type', 'local_student_id', 'meeting_id',
                    'meeting_date', 'amendment_date'));
COMMENT ON TABLE casemis.layout_field IS 'Fields of the CASEMIS Table A and Table B and the CALPADS SPED and SSRV layouts: header, position, type, target column, role, key or not, known codes.';
COMMENT ON COLUMN casemis.layout_field.position IS 'Field number: informative for Table A and B; in a CALPADS file without a header row, the field at this position (SPED 14.01 is 1).';
COMMENT ON COLUMN casemis.layout_field.data_type IS 'text: trimmed, blank is NULL; date: YYYYMMDD (CCYYMMDD), MMDDYYYY, M/D/YYYY or YYYY-MM-DD; percent: whole number 0-100; code: blank or one of codes, anything else makes the record an error.';
COMMENT ON COLUMN casemis.layout_field.target_column IS 'Column of casemis.cse (layouts A, SPED) or casemis.csv (layouts B, SSRV); NULL = not stored in a column.';
COMMENT ON COLUMN casemis.layout_field.codes IS 'Known code set; a value outside it is a warning (counted per field), not an error, except for data_type code, whose codes are the only values imported.';
-- Headers and aliases are compared in upper case: store them so. CALPADS
-- headers keep their public names as published ("Reporting LEA"): they are
-- compared ignoring case, spaces, underscores, hyphens and periods, and an
-- alias may name its field in any such spelling.
CREATE OR REPLACE FUNCTION casemis._layout_upper() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_TABLE_NAME = 'layout_field' THEN
    NEW.header := CASE WHEN NEW.layout IN ('SPED', 'SSRV') THEN btrim(NEW.header) ELSE upper(btrim(NEW.header)) END;
  ELSE
    NEW.alias := upper(btrim(NEW.alias));
    IF NEW.layout IN ('SPED', 'SSRV') THEN
      NEW.header := coalesce((SELECT f.header FROM casemis.layout_field f
                               WHERE f.layout = NEW.layout
                                 AND upper(translate(f.header, ' _-.', '')) = upper(translate(NEW.header, ' _-.', ''))
                               LIMIT 1), btrim(NEW.header));
    ELSE
      NEW.header := upper(btrim(NEW.header));
    END IF;
  END IF;
  RETURN NEW;
END $$;

-- pg_dump keeps only the rows a DBA added (shipped = false): a shipped row a DBA
-- changes (a fixed position, a code set) becomes the DBA's row, so the dump
-- keeps the change; restoring it into a fresh install, whose shipped row of the
-- same field is already there, updates that row instead of failing on the key.
CREATE FUNCTION casemis._layout_field_local() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.shipped AND NEW.shipped AND (NEW.position, NEW.data_type, NEW.target_column, NEW.role, NEW.is_key, NEW.codes)
         IS DISTINCT FROM (OLD.position, OLD.data_type, OLD.target_column, OLD.role, OLD.is_key, OLD.codes) THEN
      NEW.shipped := false;
    END IF;
    RETURN NEW;
  END IF;
  IF NOT NEW.shipped AND EXISTS (SELECT 1 FROM casemis.layout_field f
                                  WHERE f.layout = NEW.layout AND f.header = NEW.header AND f.shipped) THEN
    UPDATE casemis.layout_field f
       SET position = NEW.position, data_type = NEW.data_type, target_column = NEW.target_column,
           role = NEW.role, is_key = NEW.is_key, codes = NEW.codes, shipped = false
     WHERE f.layout = NEW.layout AND f.header = NEW.header;
    RETURN NULL;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER layout_field_write_local BEFORE INSERT OR UPDATE ON casemis.layout_field
  FOR EACH ROW EXECUTE FUNCTION casemis._layout_field_local();

-- CALPADS SPED (file 14, 2018-19 to 2022-23; 49 fields) and SSRV (file 15;
-- 18 fields): position = field number (14.01 is 1), header = the public name.
-- Codes of data_type 'code' are the only values imported (the Record and
-- Transaction Type Codes); codes of 'text' fields are known codes (warnings).
INSERT INTO casemis.layout_field (layout, position, header, data_type, target_column, role, is_key, codes, shipped) VALUES
  ('SPED',  1, 'Record Type Code',                                        'code', NULL,                        'record_type',      false, '{SPED}', true),
  ('SPED',  2, 'Transaction Type Code',                                   'code', NULL,                        'transaction_type', false, '{A}', true),
  ('SPED',  3, 'Local Record ID',                                         'text', NULL,                        NULL,               false, NULL, true),
  ('SPED',  4, 'Reporting LEA',                                           'text', 'reporting_lea',             NULL,               false, NULL, true),
  ('SPED',  5, 'School of Attendance',                                    'text', 'sch_code',                  NULL,               false, NULL, true),
  ('SPED',  6, 'School of Attendance NPS',                                'text', 'school_nps',                NULL,               false, NULL, true),
  ('SPED',  7, 'Academic Year ID',                                        'text', 'academic_year',             NULL,               false, NULL, true),
  ('SPED',  8, 'SSID',                                                    'text', NULL,                        'ssid',             true,  NULL, true),
  ('SPED',  9, 'Local Student ID',                                        'text', NULL,                        'local_student_id', true,  NULL, true),
  ('SPED', 10, 'Local Special Education Student ID',                      'text', 'selpa_student_id',          'student_id',       false, NULL, true),
  ('SPED', 11, 'Student Legal First Name',                                'text', NULL,                        'first_name',       true,  NULL, true),
  ('SPED', 12, 'Student Legal Last Name',                                 'text', NULL,                        'last_name',        true,  NULL, true),
  ('SPED', 13, 'Student Birth Date',                                      'date', NULL,                        'birthdate',        true,  NULL, true),
  ('SPED', 14, 'Student Gender Code',                                     'text', 'gender',                    NULL,               false, NULL, true),
  ('SPED', 15, 'Reporting SELPA',                                         'text', 'selpa_code',                NULL,               false, NULL, true),
  ('SPED', 16, 'District of Special Education Accountability',            'text', 'district_accountability',   NULL,               false, NULL, true),
  ('SPED', 17, 'Special Education Referral Date',                         'date', 'rfrdate',                   NULL,               false, NULL, true),
  ('SPED', 18, 'Referring Party Code',                                    'text', 'refr_by',                   NULL,               false, '{10,20,30,40,90}', true),
  ('SPED', 19, 'Initial Evaluation Parental Consent Date',                'date', 'prnt_csnt',                 NULL,               false, NULL, true),
  ('SPED', 20, 'Special Education Meeting Type Code',                     'text', 'meeting_type',              NULL,               false, '{10,15,20,30,40}', true),
  ('SPED', 21, 'Special Education Meeting Date',                          'date', 'meeting_date',              'meeting_date',     false, NULL, true),
  ('SPED', 22, 'Student Special Education Meeting or Amendment Identifier', 'text', 'meeting_id',              'meeting_id',       false, NULL, true),
  ('SPED', 23, 'Meeting Delay Code',                                      'text', 'meeting_delay',             NULL,               false, '{10,20,30,40,50,60,70,75,80,85,90}', true),
  ('SPED', 24, 'Education Plan Type Code',                                'text', 'plan_type',                 NULL,               false, '{100,150,200,300,700,800,900}', true),
  ('SPED', 25, 'Education Plan Amendment Date',                           'date', 'plan_amendment_date',       'amendment_date',   false, NULL, true),
  ('SPED', 26, 'Primary Residence Code',                                  'text', 'resid_stat',                NULL,               false, NULL, true),
  ('SPED', 27, 'Special Education Initial Entry Start Date',              'date', 'entry_date',                NULL,               false, NULL, true),
  ('SPED', 28, 'Disability 1 Code',                                       'text', 'disabilit1',                NULL,               false, '{210,220,230,240,250,260,270,280,281,290,300,310,320,330}', true),
  ('SPED', 29, 'Disability 2 Code',                                       'text', 'disabilit2',                NULL,               false, '{210,220,230,240,250,260,270,280,281,290,300,310,320,330}', true),
  ('SPED', 30, 'Infant Regional Center Services Eligibility Indicator',   'text', 'infant_rc_eligible',        NULL,               false, '{Y,N}', true),
  ('SPED', 31, 'Special Education Program Setting Code',                  'text', 'program_setting',           NULL,               false, '{103,104,200,201,203,204,300,301,400,401,402,403,500}', true),
  ('SPED', 32, 'Preschool Program Setting Service Location Code',         'text', 'preschool_location',        NULL,               false, '{1,2}', true),
  ('SPED', 33, 'Ten or More Weekly Hours in Setting Indicator',           'text', 'ten_weekly_hours',          NULL,               false, '{Y,N}', true),
  ('SPED', 34, 'General Education Participation Percentage Range Code',   'text', 'gened_percent_range',       NULL,               false, '{1,2,3}', true),
  ('SPED', 35, 'Special Education Program Type Code',                     'text', 'program_type',              NULL,               false, '{100,200,300}', true),
  ('SPED', 36, 'IEP Includes Postsecondary Goals Indicator',              'text', 'postsecondary_goals',       NULL,               false, '{Y,N}', true),
  ('SPED', 37, 'Postsecondary Goals Updated Annually Indicator',          'text', 'postsecondary_goals_updated', NULL,             false, '{Y,N}', true),
  ('SPED', 38, 'Postsecondary Goals Age Appropriate Transition Assessment Indicator', 'text', 'transition_assessment', NULL,   false, '{Y,N}', true),
  ('SPED', 39, 'Transition Services in IEP Indicator',                    'text', 'transition_services',       NULL,               false, '{Y,N}', true),
  ('SPED', 40, 'Supportive Services Indicator',                           'text', 'supportive_services',       NULL,               false, '{Y,N}', true),
  ('SPED', 41, 'Transition Services Goals in IEP Indicator',              'text', 'transition_services_goals', NULL,               false, '{Y,N}', true),
  ('SPED', 42, 'Student IEP Participation Indicator',                     'text', 'student_iep_participation', NULL,               false, '{Y,N}', true),
  ('SPED', 43, 'Agency Representative IEP Participation Code',            'text', 'agency_iep_participation',  NULL,               false, '{Y,N}', true),
  ('SPED', 44, 'Special Transportation Indicator',                        'text', 'spec_trans',                NULL,               false, '{Y,N}', true),
  ('SPED', 45, 'Parental Involvement Facilitation Code',                  'text', 'parinput',                  NULL,               false, NULL, true),
  ('SPED', 46, 'Special Education Program Exit Date',                     'date', 'exit_date',                 NULL,               false, NULL, true),
  ('SPED', 47, 'Workability I Work-Based Learning Program Completion Indicator', 'text', 'workability_completion', NULL,        false, '{Y,N}', true),
  ('SPED', 48, 'Department of Rehabilitation Student Services Work-based Learning Program Completion Indicator', 'text', 'dor_completion', NULL, false, '{Y,N}', true),
  ('SPED', 49, 'Special Education Program Exit Reason Code',              'text', 'exit_reson',                NULL,               false, '{70,71,73,74,77,78,84}', true),
  ('SSRV',  1, 'Record Type Code',                                        'code', NULL,                        'record_type',      false, '{SSRV}', true),
  ('SSRV',  2, 'Transaction Type Code',                                   'code', NULL,                        'transaction_type', false, '{A,R}', true),
  ('SSRV',  3, 'Local Record ID',                                         'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  4, 'Reporting LEA',                                           'text', 'reporting_lea',             NULL,               false, NULL, true),
  ('SSRV',  5, 'School of Attendance',                                    'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  6, 'School of Attendance NPS',                                'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  7, 'Nonpublic Agency Identifier',                             'text', 'npa_id',                    NULL,               false, NULL, true),
  ('SSRV',  8, 'Academic Year ID',                                        'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV',  9, 'SSID',                                                    'text', 'ssid',                      'ssid',             true,  NULL, true),
  ('SSRV', 10, 'Reporting SELPA',                                         'text', 'selpa_code',                NULL,               false, NULL, true),
  ('SSRV', 11, 'District of Special Education Accountability',            'text', NULL,                        NULL,               false, NULL, true),
  ('SSRV', 12, 'Student Special Education Meeting or Amendment Identifier', 'text', 'meeting_id',              'meeting_id',       false, NULL, true),
  ('SSRV', 13, 'Special Education Service Code',                          'text', 'service',                   'service',          true,  NULL, true),
  ('SSRV', 14, 'Special Education Service Provider Code',                 'text', 'provider',                  NULL,               false, NULL, true),
  ('SSRV', 15, 'Special Education Service Location Code',                 'text', 'location',                  NULL,               false, NULL, true),
  ('SSRV', 16, 'Service Frequency Code',                                  'text', 'frequency',                 NULL,               false, '{10,20,30,40,90}', true),
  ('SSRV', 17, 'Service Duration',                                        'text', 'duration',                  NULL,               false, NULL, true),
  ('SSRV', 18, 'Local Special Education Student ID',                      'text', 'selpa_student_id',          'student_id',       true,  NULL, true);

INSERT INTO casemis.layout_alias (layout, alias, header, shipped) VALUES
  ('SPED', 'MEETING OR AMENDMENT IDENTIFIER',                                  'Student Special Education Meeting or Amendment Identifier', true),
  ('SPED', 'STUDENT SPECIAL EDUCATION EVALUATION OR AMENDMENT IDENTIFIER',     'Student Special Education Meeting or Amendment Identifier', true),
  ('SPED', 'SPECIAL EDUCATION INITIAL SERVICE START DATE',                     'Special Education Initial Entry Start Date', true),
  ('SPED', 'SPECIAL EDUCATION INFANT PROGRAM TYPE CODE',                       'Special Education Program Type Code', true),
  ('SPED', 'LOCSTUDID',                                                        'Local Student ID', true),
  ('SSRV', 'MEETING OR AMENDMENT IDENTIFIER',                                  'Student Special Education Meeting or Amendment Identifier', true),
  ('SSRV', 'NONPUBLIC AGENCY IDENTIFIER (NPA)',                                'Nonpublic Agency Identifier', true),
  ('SSRV', 'SPECIAL EDUCATION SERVICE PROVIDER',                               'Special Education Service Provider Code', true),
  ('SSRV', 'SPECIAL EDUCATION SERVICE LOCATION',                               'Special Education Service Location Code', true);
REVOKE EXECUTE ON FUNCTION casemis._layout_field_local() FROM PUBLIC;

-- ---------------------------------------------------------------- safety nets


-- ---------------------------------------------------------------- completion email
ALTER TABLE casemis.import_settings
  ADD COLUMN max_email_bytes bigint NOT NULL DEFAULT 10485760
             CONSTRAINT max_email_bytes_positive CHECK (max_email_bytes > 0);
COMMENT ON COLUMN casemis.import_settings.max_email_bytes IS 'Largest completion email (bytes, as sent); attachments that would pass it are left out, ImportedRecords first, and the email says how to get them.';

CREATE FUNCTION casemis.report_xlsx(run_id bigint) RETURNS bytea
LANGUAGE c STABLE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_report_xlsx';
COMMENT ON FUNCTION casemis.report_xlsx(bigint) IS 'A run''s reports as one Excel workbook (.xlsx): a worksheet per non-empty report, every value text.';
REVOKE EXECUTE ON FUNCTION casemis.report_xlsx(bigint) FROM PUBLIC;


-- ---------------------------------------------------------------- run storage


-- ---------------------------------------------------------------- code health


