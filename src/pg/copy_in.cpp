// copy_in.cpp -- CopyFrom() fed from a C++ buffer.
#include "pg/copy_in.hpp"

#include "pg/boundary.hpp"

extern "C" {
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/copy.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "parser/parse_relation.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/regproc.h"
#include "utils/varlena.h"
}

namespace casemis::pg {

namespace {

// CopyFrom's data-source callback has no user pointer: one feed at a time.
struct Feed {
    const char *data = nullptr;
    size_t len = 0, pos = 0;
} g_feed;

int feed_cb(void *outbuf, int minread, int maxread)
{
    size_t n = g_feed.len - g_feed.pos;
    if (n > static_cast<size_t>(maxread))
        n = static_cast<size_t>(maxread);
    memcpy(outbuf, g_feed.data + g_feed.pos, n);
    g_feed.pos += n;
    return static_cast<int>(n);
}

constexpr size_t kFlushBytes = 8u << 20;

} // namespace

void append_copy_text(std::string &out, std::string_view v)
{
    size_t start = 0;
    for (size_t i = 0; i < v.size(); ++i) {
        char c = v[i], esc = 0;
        switch (c) {
        case '\\': esc = '\\'; break;
        case '\t': esc = 't'; break;
        case '\n': esc = 'n'; break;
        case '\r': esc = 'r'; break;
        default: continue;
        }
        out.append(v.data() + start, i - start);
        out.push_back('\\');
        out.push_back(esc);
        start = i + 1;
    }
    out.append(v.data() + start, v.size() - start);
}

CopyIn::CopyIn(std::string relation, std::vector<std::string> columns)
    : relation_(std::move(relation)), columns_(std::move(columns))
{
    buf_.reserve(kFlushBytes + (1u << 16));
}

void CopyIn::add(std::string_view value)
{
    if (!at_row_start_)
        buf_.push_back('\t');
    at_row_start_ = false;
    append_copy_text(buf_, value);
}

void CopyIn::add_null()
{
    if (!at_row_start_)
        buf_.push_back('\t');
    at_row_start_ = false;
    buf_.append("\\N");
}

void CopyIn::end_row()
{
    buf_.push_back('\n');
    at_row_start_ = true;
    ++rows_;
    ++pending_;
    if (buf_.size() >= kFlushBytes)
        flush();
}

uint64_t CopyIn::finish()
{
    flush();
    return rows_;
}

void CopyIn::flush()
{
    if (pending_ == 0)
        return;
    // Only PostgreSQL calls and plain pointers inside the guard.
    const char *relname = relation_.c_str();
    const std::vector<std::string> &cols = columns_;
    g_feed = Feed{buf_.data(), buf_.size(), 0};
    pg_guard([&] {
        List *names = stringToQualifiedNameList(relname);
        RangeVar *rv = makeRangeVarFromNameList(names);
        Relation rel = table_openrv(rv, RowExclusiveLock);
        ParseState *pstate = make_parsestate(NULL);
        ParseNamespaceItem *nsitem =
            addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
        nsitem->p_rte->requiredPerms = ACL_INSERT;
        List *attnames = NIL;
        for (size_t i = 0; i < cols.size(); ++i)
            attnames = lappend(attnames, makeString(pstrdup(cols[i].c_str())));
        List *options = list_make1(makeDefElem(pstrdup("encoding"), (Node *)makeString(pstrdup("UTF8")), -1));
        PushActiveSnapshot(GetTransactionSnapshot());
        CopyFromState cstate = BeginCopyFrom(pstate, rel, NULL, NULL, false, feed_cb, attnames, options);
        (void)CopyFrom(cstate);
        EndCopyFrom(cstate);
        PopActiveSnapshot();
        free_parsestate(pstate);
        table_close(rel, NoLock);
        CommandCounterIncrement();
    });
    g_feed = Feed{};
    buf_.clear();
    pending_ = 0;
}

} // namespace casemis::pg
