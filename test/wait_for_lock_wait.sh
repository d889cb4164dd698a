#!/bin/sh
# wait_for_lock_wait.sh -- used by sql/faults.sql from a background shell: wait
# (at most 10 s) until a casemis_import worker of the current database
# (PGDATABASE) waits for a heavyweight lock, i.e. is held mid-run.
for i in $(seq 200); do
    n=$(psql -X -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'casemis_import'
                        AND wait_event_type = 'Lock' AND datname = current_database()")
    [ "$n" = 1 ] && exit 0
    sleep 0.05
done
exit 1
