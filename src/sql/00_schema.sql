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
  last_run_id          bigint,
  -- CALPADS SPED (file 14) fields that Table A lacks (README "CALPADS files")
  reporting_lea                text,
  school_nps                   text,
  academic_year                text,
  district_accountability      text,
  meeting_type                 text,
  meeting_date                 date,
  meeting_id                   text,
  meeting_delay                text,
  plan_amendment_date          date,
  infant_rc_eligible           text,
  program_setting              text,
  preschool_location           text,
  ten_weekly_hours             text,
  gened_percent_range          text,
  program_type                 text,
  postsecondary_goals          text,
  postsecondary_goals_updated  text,
  transition_assessment        text,
  transition_services          text,
  supportive_services          text,
  transition_services_goals    text,
  student_iep_participation    text,
  agency_iep_participation     text,
  workability_completion       text,
  dor_completion               text
);
-- Every run stamps every row it matched (last_updated, last_run_id). Half of
-- each page is kept free so that the stamp is a HOT update on the row's own
-- page (no index entry, no row moved, a small WAL record) instead of a new row
-- version elsewhere: at 400k students it halves the stamp's time and the WAL
-- of a re-import (docs/benchmark.md). A full-page table ends up this size after
-- its first re-import anyway (every row moves once).
ALTER TABLE casemis.cse SET (fillfactor = 50);
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
  run_id             bigint,
  -- CALPADS SSRV (file 15) fields that Table B lacks
  reporting_lea      text,
  npa_id             text,
  meeting_id         text
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
