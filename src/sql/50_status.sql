-- ---------------------------------------------------------------- status
-- One row per setting; never shows a secret. (The schedule columns are filled
-- in by 60_schedule.sql.)
CREATE VIEW casemis.status AS
SELECT s.name,
       s.enabled,
       NULL::timestamptz AS next_run_at,
       r.run_id          AS last_run_id,
       r.status          AS last_status,
       r.finished_at     AS last_finished_at,
       false             AS scheduler_ok
  FROM casemis.import_settings s
  LEFT JOIN LATERAL (SELECT ir.run_id, ir.status, ir.finished_at
                       FROM casemis.import_run ir
                      WHERE ir.settings_name = s.name
                      ORDER BY ir.run_id DESC LIMIT 1) r ON true;
