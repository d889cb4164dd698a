// roster_copy.cpp -- the district's roster, read with its owner's rights.
//
// student_relation may name any table or view, owned by anyone: a view may
// call functions of its owner's, a column may have its owner's type whose cast
// to text is its owner's function. The run works as the extension's owner (a
// superuser) and may be for a superuser (a DBA running it by hand), so reading
// the roster as either would run that code with a superuser's rights: whoever
// owns the roster could make themselves superuser. So the roster is read once,
// as the relation's owner -- never more than the rights its code already has
// -- in a security-restricted operation whose setting changes are undone
// afterwards (as VACUUM runs a table's index functions as the table's owner),
// into a temporary table of plain types that the rest of the run reads; every
// cast out of the relation's column types happens in that one statement. See
// README.md, "Security".
#include "run/roster_copy.hpp"

#include "pg/boundary.hpp"
#include "run/import.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"
}

namespace casemis::run {

namespace {

std::string copy_as_owner(pg::Spi &spi, const std::string &rel)
{
    spi.exec("CREATE TEMP TABLE casemis_roster (student_id bigint, ssid text, last_name text, first_name text, "
             "birthdate text, grade text) ON COMMIT DROP");
    auto owner = spi.query_one("SELECT c.relowner::text, pg_catalog.quote_ident(r.rolname) FROM pg_catalog.pg_class c "
                               "JOIN pg_catalog.pg_roles r ON r.oid = c.relowner WHERE c.oid = $1::regclass",
                               {rel});
    if (!owner)
        throw Error(ERRCODE_UNDEFINED_OBJECT, "the owner of the roster " + rel + " no longer exists");
    const Oid role = static_cast<Oid>(std::stoul(*(*owner)[0]));
    const std::string &who = *(*owner)[1];
    spi.exec("GRANT INSERT ON pg_temp.casemis_roster TO " + who);

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
    });
    // the run's next statements see the copy: each takes a fresh snapshot (pg/spi.hpp)
    return "pg_temp.casemis_roster";
}

} // namespace

RosterCopy copy_roster(pg::Spi &spi, const std::string &student_relation, unsigned role)
{
    RosterCopy r;
    r.relation = *spi.scalar("SELECT $1::regclass::text", {student_relation});
    auto may = spi.scalar("SELECT pg_catalog.has_table_privilege($1::oid, $2::regclass, 'SELECT')::text",
                          {std::to_string(role), r.relation});
    if (may.value_or("false") != "true") {
        auto who = spi.scalar("SELECT rolname::text FROM pg_catalog.pg_roles WHERE oid = $1::oid", {std::to_string(role)});
        throw Error(ERRCODE_INSUFFICIENT_PRIVILEGE,
                    "role \"" + who.value_or("?") + "\" may not SELECT from the roster " + r.relation, "",
                    "GRANT SELECT ON " + r.relation + " TO " + who.value_or("?") + ".");
    }
    r.copy = copy_as_owner(spi, r.relation);
    return r;
}

} // namespace casemis::run
