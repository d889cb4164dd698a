-- ---------------------------------------------------------------- layouts
-- The Table A and Table B layouts (and CALPADS SPED and SSRV) are data, not
-- code: the engine finds each column of a file by its header (case-insensitive)
-- among these fields and their aliases, or, in a CALPADS file without a header,
-- by position. A district adds an alias with an INSERT, no rebuild:
--   INSERT INTO casemis.layout_alias (layout, alias, header) VALUES ('A', 'DOB', 'BIRTHDATE');
CREATE TABLE casemis.layout_field (
  layout        text    NOT NULL CONSTRAINT layout_field_layout_check CHECK (layout IN ('A', 'B', 'SPED', 'SSRV')),
  position      int     NOT NULL,
  header        text    NOT NULL CONSTRAINT layout_field_header_check
                          CHECK (header <> '' AND header = btrim(header) AND (header = upper(header) OR layout IN ('SPED', 'SSRV'))),
  data_type     text    NOT NULL DEFAULT 'text' CONSTRAINT layout_field_data_type_check CHECK (data_type IN ('text', 'date', 'percent', 'code')),
  target_column text,
  role          text    CONSTRAINT layout_field_role_check
                          CHECK (role IN ('ssid', 'student_id', 'last_name', 'first_name', 'birthdate',
                                          'grade', 'selpa_code', 'service', 'filler', 'record_type',
                                          'transaction_type', 'local_student_id', 'meeting_id',
                                          'meeting_date', 'amendment_date')),
  is_key        boolean NOT NULL DEFAULT false,
  codes         text[],
  shipped       boolean NOT NULL DEFAULT false,
  PRIMARY KEY (layout, header)
);
COMMENT ON TABLE casemis.layout_field IS 'Fields of the CASEMIS Table A and Table B and the CALPADS SPED and SSRV layouts: header, position, type, target column, role, key or not, known codes.';
COMMENT ON COLUMN casemis.layout_field.position IS 'Field number: informative for Table A and B; in a CALPADS file without a header row, the field at this position (SPED 14.01 is 1).';
COMMENT ON COLUMN casemis.layout_field.data_type IS 'text: trimmed, blank is NULL; date: YYYYMMDD (CCYYMMDD), MMDDYYYY, M/D/YYYY or YYYY-MM-DD; percent: whole number 0-100; code: blank or one of codes, anything else makes the record an error.';
COMMENT ON COLUMN casemis.layout_field.target_column IS 'Column of casemis.cse (layouts A, SPED) or casemis.csv (layouts B, SSRV); NULL = not stored in a column.';
COMMENT ON COLUMN casemis.layout_field.codes IS 'Known code set; a value outside it is a warning (counted per field), not an error, except for data_type code, whose codes are the only values imported.';
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

-- Headers and aliases are compared in upper case: store them so. CALPADS
-- headers keep their public names as published ("Reporting LEA"): they are
-- compared ignoring case, spaces, underscores, hyphens and periods, and an
-- alias may name its field in any such spelling.
CREATE FUNCTION casemis._layout_upper() RETURNS trigger
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
