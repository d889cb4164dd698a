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
