-- pgTAP: the schedule's due/next-run arithmetic with fixed clocks (DST in
-- America/Los_Angeles, leap day, week wrap, several days, a time just past),
-- the settings validation of days and time zone, the pg_cron probe.
-- Run with pg_prove; everything is rolled back.
\set ON_ERROR_STOP 1
\set QUIET 1
\pset format unaligned
\pset tuples_only true
\pset pager off

SET client_min_messages = warning;
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS casemis_import;
-- the session's time zone must not matter
SET LOCAL TimeZone = 'Asia/Tokyo';

SELECT plan(66);

-- ---------------------------------------------------------------- spring forward
-- 2016-03-13 in Los Angeles: 02:00 PST jumps to 03:00 PDT
SELECT is(casemis._slot_at('2016-03-13', '02:30', 'America/Los_Angeles'), '2016-03-13 03:00-07'::timestamptz,
          'spring forward: 02:30 does not exist, runs at the first valid minute after (03:00 PDT)');
SELECT is(casemis._slot_at('2016-03-13', '02:00', 'America/Los_Angeles'), '2016-03-13 03:00-07'::timestamptz,
          'spring forward: 02:00 (start of the gap) runs at 03:00 PDT');
SELECT is(casemis._slot_at('2016-03-13', '02:59:59', 'America/Los_Angeles'), '2016-03-13 03:00-07'::timestamptz,
          'spring forward: 02:59:59 runs at 03:00 PDT');
SELECT is(casemis._slot_at('2016-03-13', '01:59', 'America/Los_Angeles'), '2016-03-13 01:59-08'::timestamptz,
          'spring forward: 01:59 is still PST');
SELECT is(casemis._slot_at('2016-03-13', '03:00', 'America/Los_Angeles'), '2016-03-13 03:00-07'::timestamptz,
          'spring forward: 03:00 is PDT');
SELECT is(casemis._slot_at('2016-03-12', '18:30', 'America/Los_Angeles'), '2016-03-12 18:30-08'::timestamptz,
          '18:30 the day before is PST');
SELECT is(casemis._slot_at('2016-03-13', '18:30', 'America/Los_Angeles'), '2016-03-13 18:30-07'::timestamptz,
          '18:30 the day of the change is PDT');
SELECT is(casemis.next_run_after('{sun}', '02:30', 'America/Los_Angeles', '2016-03-12 12:00-08'),
          '2016-03-13 03:00-07'::timestamptz, 'next_run_after gives the gap slot at 03:00 PDT');
SELECT is(casemis.next_run_after('{sun}', '02:30', 'America/Los_Angeles', '2016-03-13 03:00-07'),
          '2016-03-20 02:30-07'::timestamptz, 'the Sunday after runs at 02:30 PDT again');
SELECT is(ARRAY(SELECT casemis._slots_between('{mon,tue,wed,thu,fri,sat,sun}', '02:30', 'America/Los_Angeles',
                                              '2016-03-12 00:00-08', '2016-03-15 00:00-07')),
          ARRAY['2016-03-12 02:30-08', '2016-03-13 03:00-07', '2016-03-14 02:30-07']::timestamptz[],
          'daily 02:30 across spring forward: one run each day');
SELECT is(casemis.due_slot('{sun}', '02:30', 'America/Los_Angeles', '2016-03-13 01:00-08', '2016-03-13 03:00-07'),
          '2016-03-13 03:00-07'::timestamptz, 'the gap slot is due at 03:00 PDT');
SELECT is(casemis.due_slot('{sun}', '02:30', 'America/Los_Angeles', '2016-03-13 01:00-08', '2016-03-13 01:59:59-08'),
          NULL::timestamptz, 'the gap slot is not due before 03:00 PDT');

-- ---------------------------------------------------------------- fall back
-- 2016-11-06 in Los Angeles: 02:00 PDT falls back to 01:00 PST
SELECT is(casemis._slot_at('2016-11-06', '01:30', 'America/Los_Angeles'), '2016-11-06 01:30-07'::timestamptz,
          'fall back: 01:30 happens twice, runs at the first (PDT)');
SELECT is(casemis._slot_at('2016-11-06', '01:00', 'America/Los_Angeles'), '2016-11-06 01:00-07'::timestamptz,
          'fall back: 01:00 runs at the first occurrence (PDT)');
SELECT is(casemis._slot_at('2016-11-06', '00:30', 'America/Los_Angeles'), '2016-11-06 00:30-07'::timestamptz,
          'fall back: 00:30 is PDT');
SELECT is(casemis._slot_at('2016-11-06', '02:30', 'America/Los_Angeles'), '2016-11-06 02:30-08'::timestamptz,
          'fall back: 02:30 is PST');
SELECT is(ARRAY(SELECT casemis._slots_between('{sun}', '01:30', 'America/Los_Angeles',
                                              '2016-11-05 00:00-07', '2016-11-07 00:00-08')),
          ARRAY['2016-11-06 01:30-07']::timestamptz[], 'fall back: the repeated 01:30 is one slot');
SELECT is(casemis.due_slot('{sun}', '01:30', 'America/Los_Angeles', '2016-11-06 01:00-07', '2016-11-06 01:31-07'),
          '2016-11-06 01:30-07'::timestamptz, 'fall back: due at the first 01:30');
SELECT is(casemis.due_slot('{sun}', '01:30', 'America/Los_Angeles', '2016-11-06 01:30-07', '2016-11-06 01:45-08'),
          NULL::timestamptz, 'fall back: not due again at the second 01:30');
SELECT is(casemis.next_run_after('{sun}', '01:30', 'America/Los_Angeles', '2016-11-06 01:30-07'),
          '2016-11-13 01:30-08'::timestamptz, 'fall back: after the first 01:30 the next run is a week later, PST');
SELECT is(ARRAY(SELECT casemis._slots_between('{mon,tue,wed,thu,fri,sat,sun}', '01:30', 'America/Los_Angeles',
                                              '2016-11-05 00:00-07', '2016-11-08 00:00-08')),
          ARRAY['2016-11-05 01:30-07', '2016-11-06 01:30-07', '2016-11-07 01:30-08']::timestamptz[],
          'daily 01:30 across fall back: one run each day');

-- ---------------------------------------------------------------- several days a week
SELECT is(ARRAY(SELECT casemis._slots_between('{mon,wed,fri}', '18:30', 'America/Los_Angeles',
                                              '2016-03-07 00:00-08', '2016-03-19 00:00-07')),
          ARRAY['2016-03-07 18:30-08', '2016-03-09 18:30-08', '2016-03-11 18:30-08',
                '2016-03-14 18:30-07', '2016-03-16 18:30-07', '2016-03-18 18:30-07']::timestamptz[],
          'Monday, Wednesday, Friday at 6:30 pm Pacific, winter and summer alike');
SELECT is(ARRAY(SELECT casemis._slots_between('{mon,wed,fri}', '18:30', 'America/Los_Angeles',
                                              '2016-10-31 00:00-07', '2016-11-12 00:00-08')),
          ARRAY['2016-10-31 18:30-07', '2016-11-02 18:30-07', '2016-11-04 18:30-07',
                '2016-11-07 18:30-08', '2016-11-09 18:30-08', '2016-11-11 18:30-08']::timestamptz[],
          'Monday, Wednesday, Friday at 6:30 pm Pacific across fall back');
SELECT is(casemis.next_run_after('{mon,wed,fri}', '18:30', 'America/Los_Angeles', '2016-03-09 18:30-08'),
          '2016-03-11 18:30-08'::timestamptz, 'Wednesday''s run -> Friday');
SELECT is(casemis.next_run_after('{fri,mon,wed}', '18:30', 'America/Los_Angeles', '2016-03-11 18:30-08'),
          '2016-03-14 18:30-07'::timestamptz, 'Friday''s run -> Monday (order of days does not matter)');
SELECT is((SELECT count(*) FROM casemis._slots_between('{mon,tue,wed,thu,fri,sat,sun}', '04:00', 'UTC',
                                                       '2016-03-06 23:59Z', '2016-03-13 23:59Z')),
          7::bigint, 'every day: seven runs a week');
SELECT is((SELECT count(*) FROM casemis._slots_between('{mon,tue,wed,thu,fri}', '04:00', 'UTC',
                                                       '2016-03-06 23:59Z', '2016-03-13 23:59Z')),
          5::bigint, 'weekdays: five runs a week');
SELECT is(casemis.next_run_after('{MON, Wed}', '04:00', 'UTC', '2016-03-14 05:00Z'),
          '2016-03-16 04:00Z'::timestamptz, 'day names in any case, with blanks');
SELECT is(casemis.next_run_after('{}', '04:00', 'UTC', '2016-03-14 05:00Z'), NULL::timestamptz,
          'no day chosen: no next run');

-- ---------------------------------------------------------------- leap day, week and year wrap
SELECT is(casemis.next_run_after('{mon}', '06:00', 'America/Los_Angeles', '2016-02-28 12:00-08'),
          '2016-02-29 06:00-08'::timestamptz, 'leap day: Monday 2016-02-29 runs');
SELECT is(casemis.next_run_after('{mon}', '06:00', 'America/Los_Angeles', '2016-02-29 06:00-08'),
          '2016-03-07 06:00-08'::timestamptz, 'leap day: the Monday after is 2016-03-07');
SELECT is(ARRAY(SELECT casemis._slots_between('{mon,tue,wed,thu,fri,sat,sun}', '06:00', 'UTC',
                                              '2016-02-28 06:00Z', '2016-03-01 06:00Z')),
          ARRAY['2016-02-29 06:00Z', '2016-03-01 06:00Z']::timestamptz[], 'daily across February 2016: the 29th counts');
SELECT is(casemis.next_run_after('{mon,tue,wed,thu,fri,sat,sun}', '06:00', 'UTC', '2015-02-28 06:00Z'),
          '2015-03-01 06:00Z'::timestamptz, 'daily across February 2015: no 29th');
SELECT is(casemis.next_run_after('{sat,mon}', '06:00', 'UTC', '2016-03-12 06:00Z'),
          '2016-03-14 06:00Z'::timestamptz, 'week wrap: Saturday''s run -> Monday');
SELECT is(casemis.next_run_after('{mon}', '06:00', 'UTC', '2016-03-12 07:00Z'),
          '2016-03-14 06:00Z'::timestamptz, 'week wrap: Saturday -> Monday');
SELECT is(casemis.next_run_after('{sun}', '06:00', 'UTC', '2016-03-13 06:00Z'),
          '2016-03-20 06:00Z'::timestamptz, 'one day a week: a full week later');
SELECT is(casemis.next_run_after('{sat}', '23:30', 'America/Los_Angeles', '2016-12-31 23:30-08'),
          '2017-01-07 23:30-08'::timestamptz, 'year wrap');
SELECT is(casemis.due_slot('{sat,mon}', '06:00', 'UTC', '2016-03-12 06:00Z', '2016-03-14 05:59Z'),
          NULL::timestamptz, 'week wrap: nothing due on Sunday');
SELECT is(casemis.due_slot('{sat,mon}', '06:00', 'UTC', '2016-03-12 06:00Z', '2016-03-14 06:00Z'),
          '2016-03-14 06:00Z'::timestamptz, 'week wrap: Monday due');

-- ---------------------------------------------------------------- a time just past
SELECT is(casemis.due_slot('{mon}', '06:30', 'UTC', '2016-03-14 06:00Z', '2016-03-14 06:29Z'),
          NULL::timestamptz, 'one minute before the slot: not due');
SELECT is(casemis.due_slot('{mon}', '06:30', 'UTC', '2016-03-14 06:00Z', '2016-03-14 06:30Z'),
          '2016-03-14 06:30Z'::timestamptz, 'exactly at the slot: due');
SELECT is(casemis.due_slot('{mon}', '06:30', 'UTC', '2016-03-14 06:00Z', '2016-03-14 06:31Z'),
          '2016-03-14 06:30Z'::timestamptz, 'one minute after the slot: still due');
SELECT is(casemis.due_slot('{mon}', '06:30', 'UTC', '2016-03-14 06:30Z', '2016-03-14 06:31Z'),
          NULL::timestamptz, 'one minute after, slot already dealt with: not due again');
SELECT is(casemis.next_run_after('{mon}', '06:30', 'UTC', '2016-03-14 06:29:59Z'),
          '2016-03-14 06:30Z'::timestamptz, 'just before the slot: the slot is next');
SELECT is(casemis.next_run_after('{mon}', '06:30', 'UTC', '2016-03-14 06:30Z'),
          '2016-03-21 06:30Z'::timestamptz, 'exactly at the slot: the next one is next week');
SELECT is(casemis.next_run_after('{mon}', '06:30', 'UTC', '2016-03-14 06:31Z'),
          '2016-03-21 06:30Z'::timestamptz, 'one minute after the slot: next week');
SELECT is(casemis.due_slot('{mon,tue,wed,thu,fri,sat,sun}', '06:30', 'UTC', '2016-03-10 07:00Z', '2016-03-14 07:00Z'),
          '2016-03-14 06:30Z'::timestamptz, 'several slots passed: the latest is due');

-- ---------------------------------------------------------------- other zones
SELECT is(casemis._slot_at('2016-10-02', '02:30', 'Australia/Sydney'), '2016-10-02 03:00+11'::timestamptz,
          'Sydney spring forward (October): 02:30 runs at 03:00 AEDT');
SELECT is(casemis._slot_at('2016-04-03', '02:30', 'Australia/Sydney'), '2016-04-03 02:30+11'::timestamptz,
          'Sydney fall back (April): the first 02:30 (AEDT)');
SELECT is(casemis._slot_at('2011-12-30', '04:00', 'Pacific/Apia'), '2011-12-31 00:00+14'::timestamptz,
          'Samoa skipped 2011-12-30 entirely: its slot runs when the next day starts');
SELECT is(casemis._slot_at('2016-03-13', '02:30', 'Asia/Kolkata'), '2016-03-13 02:30+05:30'::timestamptz,
          'a half-hour zone without DST');
SELECT is(casemis._slot_at('2016-03-13', '02:30', 'UTC'), '2016-03-13 02:30Z'::timestamptz, 'UTC');

-- ---------------------------------------------------------------- settings validation (20_settings.sql)
SELECT throws_ok($$INSERT INTO casemis.import_settings (name, schedule_days) VALUES ('tap_bad_day', '{mon,funday}')$$,
                 '22023', 'invalid schedule_days {mon,funday}', 'a day that is not a day is refused');
SELECT throws_ok($$INSERT INTO casemis.import_settings (name, time_zone) VALUES ('tap_bad_tz', 'Mars/Olympus_Mons')$$,
                 '22023', 'unknown time zone "Mars/Olympus_Mons"', 'an unknown time zone is refused');
INSERT INTO casemis.import_settings (name, schedule_days, time_zone) VALUES ('tap_ok', '{Mon, WED}', 'America/Los_Angeles');
SELECT is((SELECT schedule_days FROM casemis.import_settings WHERE name = 'tap_ok'), '{mon,wed}'::text[],
          'day names are stored in lower case');
SELECT is((SELECT next_run_at FROM casemis.status WHERE name = 'tap_ok'), NULL::timestamptz,
          'a setting not enabled has no next run');

-- ---------------------------------------------------------------- the pg_cron probe
SELECT ok((SELECT detail LIKE '%not in shared_preload_libraries%'
                  AND hint LIKE '%shared_preload_libraries = ''pg_cron''%cron.database_name = ''district''%restart PostgreSQL%CREATE EXTENSION pg_cron%'
             FROM casemis._pg_cron_problem('', NULL, 'district', false)),
          'pg_cron not preloaded: says so, hint names every setting');
SELECT ok((SELECT detail LIKE '%only in database "postgres"%not in "district"%'
                  AND hint LIKE 'Set cron.database_name = ''district''%restart%'
             FROM casemis._pg_cron_problem('pg_cron', 'postgres', 'district', false)),
          'pg_cron serving another database: says which, hint names cron.database_name');
SELECT ok((SELECT detail LIKE '%not installed in database "district"%' AND hint LIKE 'Run CREATE EXTENSION pg_cron%'
             FROM casemis._pg_cron_problem('pg_cron', 'district', 'district', false)),
          'pg_cron preloaded for this database but not created: hint is CREATE EXTENSION');
SELECT is((SELECT detail FROM casemis._pg_cron_problem('pg_stat_statements, pg_cron', 'district', 'district', true)),
          NULL, 'pg_cron usable: no problem');
SELECT is((SELECT detail FROM casemis._pg_cron_problem('"$libdir/pg_cron"', 'district', 'district', true)),
          NULL, 'pg_cron preloaded by path: no problem');
SELECT ok((SELECT detail IS NOT NULL FROM casemis._pg_cron_problem('pg_cronx', 'district', 'district', true)),
          'another library named like pg_cron is not pg_cron');

-- ---------------------------------------------------------------- odds and ends
SELECT is(ARRAY[casemis._human_interval('8 hours'), casemis._human_interval('6 hours 30 minutes'),
                casemis._human_interval('2 days 1 hour'), casemis._human_interval('1 minute')],
          ARRAY['8 hours', '6 hours 30 minutes', '2 days 1 hour', '1 minute'], 'intervals as people say them');
SELECT ok(casemis._tick_job_command() LIKE '%casemis.tick()%' AND casemis._tick_job_command() LIKE '%cron.unschedule%',
          'the tick job calls casemis.tick() and removes itself without the extension');
SELECT columns_are('casemis', 'status',
                   ARRAY['name', 'enabled', 'schedule_days', 'schedule_time', 'time_zone', 'next_run_local',
                         'next_run_at', 'last_run_id', 'last_status', 'last_finished_at', 'scheduler_ok',
                         'scheduler_message'],
                   'casemis.status has the documented columns (no secret)');
SELECT has_trigger('casemis', 'import_settings', 'import_settings_schedule', 'enabling trigger exists');

SELECT * FROM finish();
ROLLBACK;
