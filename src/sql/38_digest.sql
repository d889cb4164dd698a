-- ---------------------------------------------------------------- csv digests
-- A cache that spares a run re-reading every stored service to learn which
-- students' services the file changes (README, "What a run writes"). Per
-- school year and student: the count and the two hash sums of the csv rows a
-- run wrote or found equal to its file, and the transaction whose rows they
-- are. A digest is used only while every csv row of the student and year still
-- has that xmin and their count is row_count, so any later change (a DBA's
-- UPDATE, DELETE or INSERT, a revert, a restore) makes the run hash the stored
-- rows again; columns_key names the column list hashed, so a layout change
-- does the same. Unlogged and not dumped: it costs no WAL (a nightly run's
-- digests are scattered over the table, so a logged one would write a
-- full-page image of nearly every page), a crash or a restore empties it, and
-- the next run rebuilds it (hashing the rows, as without it).
CREATE UNLOGGED TABLE casemis.csv_digest (
  student_id  bigint  NOT NULL,
  columns_key bigint  NOT NULL,
  sum_a       bigint  NOT NULL,
  sum_b       bigint  NOT NULL,
  school_year integer NOT NULL,
  row_count   integer NOT NULL,
  written_xid xid     NOT NULL,
  PRIMARY KEY (school_year, student_id)
);
COMMENT ON TABLE casemis.csv_digest IS 'Cache of each student''s csv rows per school year (count, hash sums, writing transaction), so that a run rewrites only the services its file changes; safe to TRUNCATE.';
