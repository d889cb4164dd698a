-- ---------------------------------------------------------------- settings: secrets and arming
-- (README.md, "Security".) Row triggers of one event fire in name order:
--   import_settings_1_reset        what only these triggers set is never taken from the statement
--   import_settings_2_set_<secret> one per secret column: the statement names it (UPDATE OF)
--   import_settings_3_secrets      a changed destination clears its secret
--   import_settings_4_arm          enabling records who enabled it, and where
--   import_settings_validate       (20_settings.sql)
--   import_settings_validate_email (20_settings.sql)
-- They run as the role making the change (not SECURITY DEFINER): current_user
-- is who changes the setting, and they call nothing of the schema's.

-- What a superuser's restore (pg_dump's COPY) brings is kept as it was dumped:
-- so a restored copy keeps who enabled a setting and where, and is not armed.
CREATE FUNCTION casemis._settings_reset() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF current_query() ~* '^\s*copy\s' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    NEW.enabled_by := NULL;
    NEW.enabled_in := NULL;
    NEW.cleared_secrets := '{}';
  ELSE
    NEW.enabled_by := OLD.enabled_by;
    NEW.enabled_in := OLD.enabled_in;
    NEW.cleared_secrets := OLD.cleared_secrets;
  END IF;
  RETURN NEW;
END $$;

-- UPDATE OF <secret>: the statement sets that secret (perhaps to the same
-- value), which import_settings_3_secrets must know; marked in cleared_secrets
-- as '<secret>:set' and removed there.
CREATE FUNCTION casemis._settings_secret_set() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  NEW.cleared_secrets := array_append(array_remove(NEW.cleared_secrets, TG_ARGV[0]), TG_ARGV[0] || ':set');
  RETURN NEW;
END $$;

-- Changing where a secret is sent clears it, unless the same statement sets it
-- or a superuser makes the change. A cleared secret is listed in
-- cleared_secrets until it is set again: the run (or its email) then fails
-- saying so, rather than log in without it.
CREATE FUNCTION casemis._settings_secrets() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  su boolean := coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false);
  smtp_moved boolean := false;
  sftp_moved boolean := false;
  moved boolean;
  secret text;
  was_set boolean;
  old_value text;
BEGIN
  IF NEW.smtp_url ~ '^smtps?://[^/@\s]*@' THEN
    RAISE EXCEPTION 'smtp_url may not carry a user or password'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Give the user in smtp_user and the password in smtp_password; smtp_url is smtp://host:port or smtps://host:port.';
  END IF;
  IF TG_OP = 'UPDATE' THEN
    smtp_moved := (NEW.smtp_url, NEW.smtp_user) IS DISTINCT FROM (OLD.smtp_url, OLD.smtp_user);
    sftp_moved := (NEW.sftp_host, NEW.sftp_port, NEW.sftp_user, NEW.sftp_host_key)
                  IS DISTINCT FROM (OLD.sftp_host, OLD.sftp_port, OLD.sftp_user, OLD.sftp_host_key);
  END IF;
  FOREACH secret IN ARRAY '{smtp_password,sftp_password,sftp_private_key}'::text[] LOOP
    was_set := (secret || ':set') = ANY (NEW.cleared_secrets);
    NEW.cleared_secrets := array_remove(NEW.cleared_secrets, secret || ':set');
    IF was_set THEN
      NEW.cleared_secrets := array_remove(NEW.cleared_secrets, secret);
      CONTINUE;
    END IF;
    moved := (secret = 'smtp_password' AND smtp_moved) OR (secret <> 'smtp_password' AND sftp_moved);
    IF TG_OP = 'INSERT' OR su OR NOT moved THEN
      CONTINUE;
    END IF;
    old_value := CASE secret WHEN 'smtp_password' THEN OLD.smtp_password WHEN 'sftp_password' THEN OLD.sftp_password
                             ELSE OLD.sftp_private_key END;
    IF old_value IS NULL THEN
      CONTINUE;
    END IF;
    CASE secret
      WHEN 'smtp_password' THEN NEW.smtp_password := NULL;
      WHEN 'sftp_password' THEN NEW.sftp_password := NULL;
      ELSE NEW.sftp_private_key := NULL;
    END CASE;
    IF NOT secret = ANY (NEW.cleared_secrets) THEN
      NEW.cleared_secrets := array_append(NEW.cleared_secrets, secret);
    END IF;
    RAISE WARNING 'setting "%": % was cleared, because where it is sent changed', NEW.name, secret
      USING DETAIL = CASE WHEN secret = 'smtp_password' THEN 'smtp_url or smtp_user changed.'
                          ELSE 'sftp_host, sftp_port, sftp_user or sftp_host_key changed.' END,
            HINT = format('Set it again (UPDATE casemis.import_settings SET %I = ... WHERE name = %L), in the same '
                          'statement as the change or afterwards; until then runs fail saying so.', secret, NEW.name);
  END LOOP;
  RETURN NEW;
END $$;

-- Enabling a setting arms its schedule for this database (its cluster's system
-- identifier and the database's oid) and records the role that enabled it: a
-- scheduled run is for that role. A restored or cloned copy keeps enabled but
-- enabled_in names the original, so the scheduler runs nothing there until a
-- DBA enables it again (UPDATE ... SET enabled = true, which fires this).
CREATE FUNCTION casemis._settings_arm() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF current_query() ~* '^\s*copy\s' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RETURN NEW;
  END IF;
  IF NOT NEW.enabled THEN
    NEW.enabled_by := NULL;
    NEW.enabled_in := NULL;
    RETURN NEW;
  END IF;
  IF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = current_user) THEN
    RAISE EXCEPTION 'role "%" cannot enable the schedule of setting "%": it is not permitted to log in', current_user, NEW.name
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'A scheduled run is for the role that enabled the schedule, and runs in a background worker connected as that role.',
            HINT = 'Enable it as a role with LOGIN (RESET ROLE first).';
  END IF;
  NEW.enabled_by := current_user;
  NEW.enabled_in := (SELECT system_identifier::text FROM pg_control_system()) || '/' ||
                    (SELECT oid::text FROM pg_database WHERE datname = current_database());
  RETURN NEW;
END $$;

CREATE TRIGGER import_settings_1_reset BEFORE INSERT OR UPDATE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_reset();
CREATE TRIGGER import_settings_2_set_sftp_password BEFORE UPDATE OF sftp_password ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secret_set('sftp_password');
CREATE TRIGGER import_settings_2_set_sftp_private_key BEFORE UPDATE OF sftp_private_key ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secret_set('sftp_private_key');
CREATE TRIGGER import_settings_2_set_smtp_password BEFORE UPDATE OF smtp_password ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secret_set('smtp_password');
CREATE TRIGGER import_settings_3_secrets BEFORE INSERT OR UPDATE ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_secrets();
CREATE TRIGGER import_settings_4_arm BEFORE INSERT OR UPDATE OF enabled ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_arm();

COMMENT ON COLUMN casemis.import_settings.enabled_by IS 'The role that enabled the schedule (set on enabling): a scheduled run is for this role.';
COMMENT ON COLUMN casemis.import_settings.enabled_in IS 'Where the schedule was enabled (system identifier/database oid): a restored or cloned copy runs nothing until enabled again there.';
COMMENT ON COLUMN casemis.import_settings.cleared_secrets IS 'Secrets cleared because their destination changed (smtp_url/smtp_user, sftp_host/port/user/host_key); runs fail until they are set again.';
COMMENT ON COLUMN casemis.import_settings.lock_timeout IS 'How long a run waits for a lock (its setting''s, the shared write lock, rows of cse/csv) before it fails.';

-- The schedule of a setting is armed in this database.
CREATE FUNCTION casemis._armed_here(enabled_in text) RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp
RETURN enabled_in IS NOT DISTINCT FROM (SELECT system_identifier::text FROM pg_control_system()) || '/' ||
                                       (SELECT oid::text FROM pg_database WHERE datname = current_database());

-- ---------------------------------------------------------------- run locks
-- Runs serialize on rows of this table, which no one outside the extension
-- may lock (advisory-lock keys can be taken by any role): a row per setting
-- (one run of a setting at a time) and the row '*' (one writer of cse/csv at a
-- time). Engine state, not dumped: the rows follow the settings (a trigger),
-- so a restored database has the same ones; a missing row is made when needed.
CREATE TABLE casemis.run_lock (
  name text PRIMARY KEY
);
INSERT INTO casemis.run_lock VALUES ('*');

CREATE FUNCTION casemis._settings_run_lock() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM casemis.run_lock WHERE name = OLD.name;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO casemis.run_lock VALUES (NEW.name) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER import_settings_run_lock AFTER INSERT OR DELETE OR UPDATE OF name ON casemis.import_settings
  FOR EACH ROW EXECUTE FUNCTION casemis._settings_run_lock();
COMMENT ON TABLE casemis.run_lock IS 'Lock rows of the runs: one per setting, and ''*'' for writing cse/csv; a run waits at most its setting''s lock_timeout.';
