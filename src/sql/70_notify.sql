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

-- A run's reports as one Excel workbook (CASEMIS_Reports_<run_id>.xlsx, the
-- one the completion email attaches): a worksheet per report with rows, every
-- value a text cell so leading zeros stay. Reads the report rows as the caller.
CREATE FUNCTION casemis.report_xlsx(run_id bigint) RETURNS bytea
LANGUAGE c STABLE
SET search_path = pg_catalog, pg_temp SET datestyle = 'ISO, MDY'
AS 'MODULE_PATHNAME', 'casemis_report_xlsx';
COMMENT ON FUNCTION casemis.report_xlsx(bigint) IS 'A run''s reports as one Excel workbook (.xlsx): a worksheet per non-empty report, every value text.';

-- The SFTP server's host key fingerprint (SHA256:..., as ssh-keygen -lf prints
-- it), read without logging in. Verify it out of band before pinning it in
-- import_settings.sftp_host_key: nothing is trusted on first use.
CREATE FUNCTION casemis.sftp_host_fingerprint(host text, port int DEFAULT 22) RETURNS text
LANGUAGE c VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'casemis_sftp_host_fingerprint';
COMMENT ON FUNCTION casemis.sftp_host_fingerprint(text, int) IS 'Host key fingerprint (SHA256:...) of an SFTP server, to verify out of band and pin in sftp_host_key.';

REVOKE EXECUTE ON FUNCTION casemis.resend_email(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION casemis.report_xlsx(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION casemis.sftp_host_fingerprint(text, int) FROM PUBLIC;
