-- script_floor.sql -- the hand-written comparison for `make bench`: what a DBA
-- might write instead of the extension, doing less (no validation, no reports,
-- no name matching, no duplicates rule, no NotInFile): COPY both files into
-- all-text tables, then one INSERT ... SELECT each into empty copies of cse and
-- csv (floor_cse, floor_csv, same indexes), matching by SSID only.
-- psql variables: files (the folder), year, start (service_start_date).
CREATE TEMP TABLE s_a (LIKE floor_a);
CREATE TEMP TABLE s_b (LIKE floor_b);
COPY s_a FROM :'a_file' WITH (FORMAT csv, HEADER);
COPY s_b FROM :'b_file' WITH (FORMAT csv, HEADER);
-- dates as the files write them (YYYYMMDD, MMDDYYYY, M/D/YYYY); no validation
-- beyond the shape (a 31st of a short month rolls over), anything else NULL
CREATE FUNCTION pg_temp.d(t text) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN t ~ '^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$'
      THEN make_date(substr(t, 1, 4)::int, substr(t, 5, 2)::int, 1) + (substr(t, 7, 2)::int - 1)
    WHEN t ~ '^(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(19|20)\d\d$'
      THEN make_date(substr(t, 5, 4)::int, substr(t, 1, 2)::int, 1) + (substr(t, 3, 2)::int - 1)
    WHEN t ~ '^(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/(19|20)\d\d$'
      THEN make_date(split_part(t, '/', 3)::int, split_part(t, '/', 1)::int, 1) + (split_part(t, '/', 2)::int - 1)
  END $$;
CREATE FUNCTION pg_temp.pct(t text) RETURNS smallint LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN btrim(t) ~ '^\d{1,3}$' AND btrim(t)::int <= 100 THEN btrim(t)::smallint END $$;
DO $$
DECLARE cols text; vals text;
BEGIN
  SELECT string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position),
         string_agg(CASE c.data_type WHEN 'date' THEN format('pg_temp.d(a.%I)', src)
                                     WHEN 'smallint' THEN format('pg_temp.pct(a.%I)', src)
                                     ELSE format('nullif(btrim(a.%I), '''')', src) END, ', ' ORDER BY c.ordinal_position)
    INTO cols, vals
    FROM information_schema.columns c
    CROSS JOIN LATERAL (SELECT CASE WHEN c.column_name = 'selpa_student_id' THEN 'student_id'
                                    WHEN c.column_name LIKE 'test_participation_%' THEN 'filler' || right(c.column_name, 1)
                                    ELSE c.column_name END AS src) s
   WHERE c.table_schema = 'casemis' AND c.table_name = 'cse' AND c.column_name <> 'student_id'
     AND EXISTS (SELECT 1 FROM information_schema.columns f WHERE f.table_name = 's_a' AND f.column_name = s.src);
  EXECUTE format('INSERT INTO floor_cse (student_id, %s, last_updated) SELECT DISTINCT ON (st.student_id) st.student_id, %s, current_date
                    FROM s_a a JOIN casemis.students st ON st.ssid = btrim(a.ssid) ORDER BY st.student_id', cols, vals);
  SELECT string_agg(quote_ident(c.column_name), ', ' ORDER BY c.ordinal_position),
         string_agg(CASE c.data_type WHEN 'date' THEN format('pg_temp.d(b.%I)', src) ELSE format('nullif(btrim(b.%I), '''')', src) END,
                    ', ' ORDER BY c.ordinal_position)
    INTO cols, vals
    FROM information_schema.columns c
    CROSS JOIN LATERAL (SELECT CASE WHEN c.column_name = 'selpa_student_id' THEN 'student_id' ELSE c.column_name END AS src) s
   WHERE c.table_schema = 'casemis' AND c.table_name = 'csv' AND c.column_name NOT IN ('student_id', 'school_year', 'service_start_date', 'record', 'run_id')
     AND EXISTS (SELECT 1 FROM information_schema.columns f WHERE f.table_name = 's_b' AND f.column_name = s.src);
  EXECUTE format('INSERT INTO floor_csv (student_id, school_year, service_start_date, %s, record) SELECT st.student_id, 2017, ''2017-08-16'', %s, to_jsonb(b)
                    FROM s_b b JOIN casemis.students st ON st.ssid = btrim(b.ssid)', cols, vals);
END $$;
