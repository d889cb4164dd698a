// roster_copy.cpp -- the district's roster, read as the calling role.
//
// student_relation may name any table or view, owned by anyone and perhaps
// calling functions of its owner's. The run works as the extension's owner (a
// superuser), so reading the roster directly would run that code with the
// owner's rights: whoever owns the roster view could make themselves superuser.
// So the roster is read once, as the calling role (who must be allowed to
// SELECT it anyway), in a security-restricted operation whose setting changes
// are undone afterwards -- as PostgreSQL itself runs index expressions during
// VACUUM -- into a temporary table of plain types that the rest of the run reads.
#include "run/roster_copy.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/snapmgr.h"
}

namespace casemis::run {

std::string copy_roster_as_caller(pg::Spi &spi, const std::string &rel, unsigned role)
{
    spi.exec("CREATE TEMP TABLE casemis_roster (student_id bigint, ssid text, last_name text, first_name text, "
             "birthdate text, grade text) ON COMMIT DROP");
    auto who = spi.scalar("SELECT pg_catalog.quote_ident(rolname) FROM pg_catalog.pg_roles WHERE oid = $1::oid",
                          {std::to_string(role)});
    if (!who)
        throw Error(ERRCODE_UNDEFINED_OBJECT, "the calling role (oid " + std::to_string(role) + ") no longer exists");
    spi.exec("GRANT INSERT ON pg_temp.casemis_roster TO " + *who);

    Oid saved_user = InvalidOid;
    int saved_sec = 0, nest = 0;
    pg_guard([&] {
        GetUserIdAndSecContext(&saved_user, &saved_sec);
        SetUserIdAndSecContext(static_cast<Oid>(role),
                               saved_sec | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
        nest = NewGUCNestLevel();
    });
    // On an error the run's transaction is aborted, which restores both.
    spi.exec("INSERT INTO pg_temp.casemis_roster SELECT student_id::bigint, ssid::text, last_name::text, "
             "first_name::text, birthdate::text, grade::text FROM " + rel);
    pg_guard([&] {
        AtEOXact_GUC(false, nest);
        SetUserIdAndSecContext(saved_user, saved_sec);
        // read-only queries (cursors) use the active snapshot: let it see the copy
        CommandCounterIncrement();
        PopActiveSnapshot();
        PushActiveSnapshot(GetTransactionSnapshot());
    });
    return "pg_temp.casemis_roster";
}

} // namespace casemis::run
