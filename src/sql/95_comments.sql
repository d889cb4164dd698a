-- ---------------------------------------------------------------- what a DBA reads
-- A COMMENT on the schema and on every column a DBA sets or reads (\d+ in
-- psql shows them). The upgrade script's "what a DBA sees" section repeats
-- this file, so that an upgraded database carries the same comments.
COMMENT ON SCHEMA casemis IS 'casemis_import: CASEMIS Table A/B files imported into cse and csv, with settings (import_settings), run history (import_run, runs), reports (import_report, report_csv) and schedule (status). See the README.';

COMMENT ON COLUMN casemis.students.student_id IS 'The district''s student id (the roster key; cse.student_id and csv.student_id refer to it).';
COMMENT ON COLUMN casemis.students.ssid IS 'Statewide Student Identifier; a Table A record with an SSID is matched by it alone.';
COMMENT ON COLUMN casemis.students.last_name IS 'Last name; its first 15 characters match a Table A record without an SSID (with first_name and birthdate).';
COMMENT ON COLUMN casemis.students.first_name IS 'First name; its first 15 characters match a Table A record without an SSID.';
COMMENT ON COLUMN casemis.students.birthdate IS 'Birth date; matches a Table A record without an SSID (with the names).';
COMMENT ON COLUMN casemis.students.grade IS 'Grade, as text (leading zeros kept: 01); shown in the reports.';
COMMENT ON COLUMN casemis.students.school_code IS 'School of the student (informative).';

COMMENT ON COLUMN casemis.cse.student_id IS 'The roster''s student_id of the matched student.';
COMMENT ON COLUMN casemis.cse.selpa_student_id IS 'Table A STUDENT_ID: the SELPA''s id of the student, as in the file.';
COMMENT ON COLUMN casemis.cse.last_updated IS 'Date of the run that last wrote this row, in the setting''s time_zone.';
COMMENT ON COLUMN casemis.cse.test_participation_1 IS 'Table A FILLER1 (state-test participation up to 2014-15); kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_2 IS 'Table A FILLER2; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_3 IS 'Table A FILLER3; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_4 IS 'Table A FILLER4; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_5 IS 'Table A FILLER5; kept when FILLER1..6 are all blank.';
COMMENT ON COLUMN casemis.cse.test_participation_6 IS 'Table A FILLER6; kept when FILLER1..6 are all blank.';

COMMENT ON COLUMN casemis.csv.student_id IS 'The roster''s student_id of the student the service belongs to.';
COMMENT ON COLUMN casemis.csv.service_start_date IS 'First day of school of school_year (school_calendar, school 0), or July 1 of that year.';
COMMENT ON COLUMN casemis.csv.selpa_student_id IS 'Table B STUDENT_ID, as in the file.';
COMMENT ON COLUMN casemis.csv.service IS 'Table B service code (SERVICE, SERV_CODE or SERVICE_CODE).';
COMMENT ON COLUMN casemis.csv.run_id IS 'The import run that wrote this row.';

COMMENT ON COLUMN casemis.school_calendar.school_code IS 'School code; 0 is the district calendar.';
COMMENT ON COLUMN casemis.school_calendar.school_year IS 'Calendar year in which the school year starts (2016 for 2016-17).';
COMMENT ON COLUMN casemis.school_calendar.first_day IS 'First day of school of that school year.';

COMMENT ON COLUMN casemis.import_report.run_id IS 'The run the row belongs to (import_run.run_id).';
COMMENT ON COLUMN casemis.import_report.report IS 'The report file the row belongs to (report_kind.report), e.g. CASEMIS_TypeA_UnmatchedRecords.csv.';
COMMENT ON COLUMN casemis.import_report.line_number IS 'Line of the file on which the record starts (the header is line 1); NULL in NotInFile.';
COMMENT ON COLUMN casemis.import_report.reason IS 'Unmatched reports: why the record matched no student.';
COMMENT ON COLUMN casemis.import_report.problem IS 'Errors reports: what is wrong with the value (or the whole record when field is empty).';
COMMENT ON COLUMN casemis.import_report.field IS 'Errors reports: the column''s header as it appears in the file; empty for a problem with the whole record.';

COMMENT ON COLUMN casemis.import_report.ssid IS 'SSID: the file''s (Unmatched, Duplicates, Errors) or the roster''s (Imported, NotInFile).';
COMMENT ON COLUMN casemis.import_report.first_name IS 'First name, as in the file (or the roster''s, NotInFile).';
COMMENT ON COLUMN casemis.import_report.last_name IS 'Last name, as in the file (or the roster''s, NotInFile).';
COMMENT ON COLUMN casemis.import_report.birthdate IS 'Birth date as text, as in the file (or the roster''s, YYYY-MM-DD, NotInFile).';
COMMENT ON COLUMN casemis.import_report.grade IS 'Grade, as in the file (or the roster''s, NotInFile).';
COMMENT ON COLUMN casemis.import_report.service IS 'Table B reports: the service code.';
COMMENT ON COLUMN casemis.import_report.value IS 'Errors reports: the value as it appears in the file.';

-- settings: every column
COMMENT ON COLUMN casemis.import_settings.name IS 'Name of the setting (casemis_import(''name'')); ''default'' when omitted.';
COMMENT ON COLUMN casemis.import_settings.source IS 'Where the files are: ''folder'' (folder_path on the database server) or ''sftp''.';
COMMENT ON COLUMN casemis.import_settings.folder_path IS 'Server folder (absolute path) holding the files; only superusers or members of pg_read_server_files may set it.';
COMMENT ON COLUMN casemis.import_settings.sftp_host IS 'SFTP server host name or address.';
COMMENT ON COLUMN casemis.import_settings.sftp_port IS 'SFTP server port (22).';
COMMENT ON COLUMN casemis.import_settings.sftp_directory IS 'Directory on the SFTP server; relative to the login directory unless it starts with /.';
COMMENT ON COLUMN casemis.import_settings.sftp_user IS 'SFTP user name.';
COMMENT ON COLUMN casemis.import_settings.sftp_password IS 'Secret: SFTP password. Never shown by a view, an error, a log line or an email.';
COMMENT ON COLUMN casemis.import_settings.sftp_private_key IS 'Secret: SFTP private key (OpenSSH text, ed25519). Never shown.';
COMMENT ON COLUMN casemis.import_settings.sftp_host_key IS 'Pinned SHA-256 fingerprint of the SFTP server''s host key, as OpenSSH prints it (SHA256:...); see sftp_host_fingerprint().';
COMMENT ON COLUMN casemis.import_settings.students_file IS 'File name of Table A (Student Data) in the folder or SFTP directory.';
COMMENT ON COLUMN casemis.import_settings.services_file IS 'File name of Table B (Student Services) in the folder or SFTP directory.';
COMMENT ON COLUMN casemis.import_settings.include_services IS 'Import Table B too (services into csv).';
COMMENT ON COLUMN casemis.import_settings.school_year IS 'School year processed, as the calendar year it starts in (2016 for 2016-17); NULL = the school year (July 1 - June 30) holding the run''s date.';
COMMENT ON COLUMN casemis.import_settings.schedule_days IS 'Days to run: any of mon, tue, wed, thu, fri, sat, sun.';
COMMENT ON COLUMN casemis.import_settings.schedule_time IS 'Local time to run, in time_zone.';
COMMENT ON COLUMN casemis.import_settings.time_zone IS 'Region name (America/Los_Angeles) of schedule_time and of the run''s date; abbreviations such as PST are refused.';
COMMENT ON COLUMN casemis.import_settings.email_to IS 'Addresses that receive the completion email of every run.';
COMMENT ON COLUMN casemis.import_settings.email_from IS 'Sender address of the completion email.';
COMMENT ON COLUMN casemis.import_settings.smtp_url IS 'Mail server, smtp://host:port or smtps://host:port; NULL = no email is sent.';
COMMENT ON COLUMN casemis.import_settings.smtp_user IS 'Mail server user name.';
COMMENT ON COLUMN casemis.import_settings.smtp_password IS 'Secret: mail server password. Never shown.';
COMMENT ON COLUMN casemis.import_settings.enabled IS 'true: scheduled with pg_cron (set in the same transaction); false: not scheduled.';
COMMENT ON COLUMN casemis.import_settings.student_relation IS 'Roster table or view matched against (casemis.students); the calling role must be allowed to SELECT it.';
COMMENT ON COLUMN casemis.import_settings.smtp_require_tls IS 'Refuse to send the email over an unencrypted connection.';
COMMENT ON COLUMN casemis.import_settings.connect_timeout IS 'Time allowed to connect to the SFTP or mail server.';
COMMENT ON COLUMN casemis.import_settings.transfer_timeout IS 'Time allowed to transfer one file from the SFTP server.';
COMMENT ON COLUMN casemis.import_settings.catch_up_window IS 'A scheduled run missed while the server was down is made up when it comes back within this window (else recorded missed).';
COMMENT ON COLUMN casemis.import_settings.history_retention IS 'Runs and their report rows older than this are deleted by the scheduler.';
COMMENT ON COLUMN casemis.import_settings.max_file_size IS 'Largest file accepted, in bytes; a larger one fails the run.';
COMMENT ON COLUMN casemis.import_settings.max_line_length IS 'Longest record accepted, in bytes; a longer one fails the run.';
COMMENT ON COLUMN casemis.import_settings.max_columns IS 'Most fields accepted in a record; more fail the run.';
COMMENT ON COLUMN casemis.import_settings.created_at IS 'When the setting was created.';
COMMENT ON COLUMN casemis.import_settings.updated_at IS 'When the setting was last changed.';

-- runs: every column
COMMENT ON COLUMN casemis.import_run.run_id IS 'Run id, returned by casemis_import and casemis_import_files; higher is later.';
COMMENT ON COLUMN casemis.import_run.settings_name IS 'The setting the run used (import_settings.name).';
COMMENT ON COLUMN casemis.import_run.status IS 'running, succeeded, failed, unchanged (same files as the last succeeded run), skipped (another run of the setting was in progress), dry_run, missed (a scheduled slot passed while the server was down) or reverted (its changes were undone by casemis.revert_run).';
COMMENT ON COLUMN casemis.import_run.started_at IS 'When the run started.';
COMMENT ON COLUMN casemis.import_run.finished_at IS 'When the run''s outcome was recorded; NULL while running.';
COMMENT ON COLUMN casemis.import_run.message IS 'What happened, in plain English; for a failed run the reason (what to do about it: hint).';
COMMENT ON COLUMN casemis.import_run.type_a_imported IS 'Table A records written to cse.';
COMMENT ON COLUMN casemis.import_run.type_a_unmatched IS 'Table A records that matched no student (report CASEMIS_TypeA_UnmatchedRecords.csv).';
COMMENT ON COLUMN casemis.import_run.type_a_duplicates IS 'Table A records sharing an SSID or a student with another record; none of them imported.';
COMMENT ON COLUMN casemis.import_run.type_a_errors IS 'Table A records not imported because of a bad value (report CASEMIS_TypeA_Errors.csv).';
COMMENT ON COLUMN casemis.import_run.type_a_not_in_file IS 'Students with a cse row and a primary disability, not exited, absent from the file.';
COMMENT ON COLUMN casemis.import_run.type_b_imported IS 'Table B records written to csv.';
COMMENT ON COLUMN casemis.import_run.type_b_unmatched IS 'Table B records that belong to no imported student.';
COMMENT ON COLUMN casemis.import_run.type_b_errors IS 'Table B records not imported because of a bad value.';
COMMENT ON COLUMN casemis.import_run.email_status IS 'Outcome of the completion email (sent, failed: ..., not configured); resend_email(run_id) sends it again.';
COMMENT ON COLUMN casemis.import_run.trigger IS 'What started the run: manual (casemis_import), upload (casemis_import_files), scheduled, or revert (casemis.revert_run; revert_of names the run undone).';
COMMENT ON COLUMN casemis.import_run.dry_run IS 'Called with dry_run => true: every report, no cse/csv change.';
COMMENT ON COLUMN casemis.import_run.forced IS 'Called with force => true: imported even if the files were unchanged.';
COMMENT ON COLUMN casemis.import_run.run_date IS 'The run''s date in the setting''s time_zone (cse.last_updated, NotInFile).';
COMMENT ON COLUMN casemis.import_run.school_year IS 'School year processed (2016 for 2016-17).';
COMMENT ON COLUMN casemis.import_run.run_by IS 'The role the run was for (the caller, or the role that enabled the schedule).';
COMMENT ON COLUMN casemis.import_run.notify IS 'The extra address given with notify => (uploads).';
COMMENT ON COLUMN casemis.import_run.worker_pid IS 'Process id of the run''s background worker (in pg_stat_activity while it runs).';
COMMENT ON COLUMN casemis.import_run.warnings IS 'Header warnings and per-field counts of values outside a known code set.';
COMMENT ON COLUMN casemis.import_run.students_file IS 'Table A file read (name, or "uploaded Table A"); kept when the run failed after fetching.';
COMMENT ON COLUMN casemis.import_run.students_size IS 'Size of the Table A file in bytes.';
COMMENT ON COLUMN casemis.import_run.students_sha256 IS 'SHA-256 of the Table A file (hex); the unchanged check compares it.';
COMMENT ON COLUMN casemis.import_run.services_file IS 'Table B file read; NULL when services were not included.';
COMMENT ON COLUMN casemis.import_run.services_size IS 'Size of the Table B file in bytes.';
COMMENT ON COLUMN casemis.import_run.services_sha256 IS 'SHA-256 of the Table B file (hex).';
COMMENT ON COLUMN casemis.import_run.email_sent_at IS 'When the completion email was last sent.';
COMMENT ON COLUMN casemis.import_run.scheduled_for IS 'Scheduled runs: the slot (instant) the run was for.';

COMMENT ON COLUMN casemis.runs.run_id IS 'The run id (import_run.run_id).';
COMMENT ON COLUMN casemis.runs.settings_name IS 'The setting the run used.';
COMMENT ON COLUMN casemis.runs.status IS 'running, succeeded, failed, unchanged, skipped, dry_run, missed or reverted (see import_run.status).';
COMMENT ON COLUMN casemis.runs.trigger IS 'manual, upload, scheduled or revert.';
COMMENT ON COLUMN casemis.runs.dry_run IS 'A dry run: no cse/csv change.';
COMMENT ON COLUMN casemis.runs.started_at IS 'When the run started.';
COMMENT ON COLUMN casemis.runs.finished_at IS 'When the run''s outcome was recorded.';
COMMENT ON COLUMN casemis.runs.type_a_imported IS 'Table A records written to cse.';
COMMENT ON COLUMN casemis.runs.type_a_unmatched IS 'Table A records that matched no student.';
COMMENT ON COLUMN casemis.runs.type_a_duplicates IS 'Table A duplicate records (none imported).';
COMMENT ON COLUMN casemis.runs.type_a_errors IS 'Table A error records.';
COMMENT ON COLUMN casemis.runs.type_a_not_in_file IS 'Students with a cse row absent from the file.';
COMMENT ON COLUMN casemis.runs.type_b_imported IS 'Table B records written to csv.';
COMMENT ON COLUMN casemis.runs.type_b_unmatched IS 'Table B records that belong to no imported student.';
COMMENT ON COLUMN casemis.runs.type_b_errors IS 'Table B error records.';
COMMENT ON COLUMN casemis.runs.email_status IS 'Outcome of the completion email.';
COMMENT ON COLUMN casemis.runs.message IS 'What happened; for a failed run the reason.';
COMMENT ON COLUMN casemis.runs.errcode IS 'For a failed run, the SQLSTATE of its error (import_run.errcode).';
COMMENT ON COLUMN casemis.runs.hint IS 'For a failed run, what to do about it (import_run.hint).';

COMMENT ON COLUMN casemis.status.name IS 'The setting (import_settings.name).';
COMMENT ON COLUMN casemis.status.enabled IS 'Whether the setting is scheduled.';
COMMENT ON COLUMN casemis.status.schedule_days IS 'Days to run.';
COMMENT ON COLUMN casemis.status.schedule_time IS 'Local time to run, in time_zone.';
COMMENT ON COLUMN casemis.status.time_zone IS 'Time zone of the schedule.';
COMMENT ON COLUMN casemis.status.last_run_id IS 'The setting''s latest run (highest run_id).';
COMMENT ON COLUMN casemis.status.last_status IS 'Status of that run.';
COMMENT ON COLUMN casemis.status.last_finished_at IS 'When that run finished.';
COMMENT ON COLUMN casemis.status.scheduler_message IS 'Why the schedule is or is not in working order, and what to do.';
