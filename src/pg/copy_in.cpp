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
#include "catalog/pg_type_d.h"
#include "mb/pg_wchar.h"
#include "utils/datetime.h"
#include "utils/lsyscache.h"
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

// Per stream; a run has up to five open at once. CopyFrom batches its own
// multi-inserts, so a bigger buffer buys nothing but memory.
constexpr size_t kFlushBytes = 2u << 20;

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

namespace {

// The binary COPY header: signature, flags, header-extension length.
const char kBinaryHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";
constexpr size_t kBinaryHeaderLen = 19;

// Big-endian integer of 2, 4 or 8 bytes, appended in one go.
void put_be(std::string &out, uint64_t v, int bytes)
{
    char b[8];
    for (int i = 0; i < bytes; ++i)
        b[i] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xFF);
    out.append(b, static_cast<size_t>(bytes));
}

// Plain decimal ("-"? digits), the form the import produces; anything else -> false.
bool parse_int(std::string_view v, int64_t lo, int64_t hi, int64_t &out)
{
    size_t i = 0;
    bool neg = false;
    if (i < v.size() && v[i] == '-') {
        neg = true;
        ++i;
    }
    if (i == v.size() || v.size() - i > 18)
        return false;
    int64_t n = 0;
    for (; i < v.size(); ++i) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        n = n * 10 + (v[i] - '0');
    }
    n = neg ? -n : n;
    if (n < lo || n > hi)
        return false;
    out = n;
    return true;
}

// Exactly YYYY-MM-DD and a real calendar day -> days since 2000-01-01.
bool parse_iso_date(std::string_view v, int32_t &days)
{
    if (v.size() != 10 || v[4] != '-' || v[7] != '-')
        return false;
    int f[3] = {0, 0, 0};
    const int pos[3][2] = {{0, 4}, {5, 2}, {8, 2}};
    for (int k = 0; k < 3; ++k)
        for (int i = pos[k][0]; i < pos[k][0] + pos[k][1]; ++i) {
            if (v[i] < '0' || v[i] > '9')
                return false;
            f[k] = f[k] * 10 + (v[i] - '0');
        }
    const int y = f[0], m = f[1], d = f[2];
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return false;
    days = date2j(y, m, d) - POSTGRES_EPOCH_JDATE;
    return true;
}

} // namespace

void CopyIn::resolve()
{
    resolved_ = true;
    const char *relname = relation_.c_str();
    const std::vector<std::string> &cols = columns_;
    std::vector<Column> &types = types_;
    types.assign(cols.size(), Column{});
    bool ok = true;
    pg_guard([&] {
        // textrecv converts from the session's client_encoding: binary only when that is a no-op.
        const int enc = pg_get_client_encoding();
        if (enc != PG_UTF8 && enc != PG_SQL_ASCII) {
            ok = false;
            return;
        }
        Oid relid = RangeVarGetRelid(makeRangeVarFromNameList(stringToQualifiedNameList(relname)),
                                     RowExclusiveLock, false);
        for (size_t i = 0; i < cols.size() && ok; ++i) {
            AttrNumber att = get_attnum(relid, cols[i].c_str());
            if (att == InvalidAttrNumber) { // text COPY reports it
                ok = false;
                break;
            }
            Oid typ, coll;
            int32 typmod;
            get_atttypetypmodcoll(relid, att, &typ, &typmod, &coll);
            Column &c = types[i];
            c.typoid = typ;
            c.typmod = typmod;
            switch (typ) {
            case TEXTOID: case VARCHAROID: case BPCHAROID: c.kind = Kind::Raw; break;
            case INT2OID: c.kind = Kind::Int2; break;
            case INT4OID: c.kind = Kind::Int4; break;
            case INT8OID: c.kind = Kind::Int8; break;
            case DATEOID: c.kind = Kind::Date; break;
            case BOOLOID: c.kind = Kind::Bool; break;
            case JSONBOID: c.kind = Kind::Jsonb; break;
            default: ok = false; // a DBA's own column type: its text input, as COPY does
            }
        }
    });
    binary_ = ok;
}

void CopyIn::begin_field()
{
    if (!resolved_)
        resolve();
    if (at_row_start_) {
        at_row_start_ = false;
        col_ = 0;
        if (binary_) {
            if (buf_.empty())
                buf_.append(kBinaryHeader, kBinaryHeaderLen);
            put_be(buf_, columns_.size(), 2);
        }
    } else {
        ++col_;
        if (!binary_)
            buf_.push_back('\t');
    }
}

void CopyIn::put_len(int32_t n) { put_be(buf_, static_cast<uint32_t>(n), 4); }

// Through the type's input and send functions: same values and errors as text COPY.
void CopyIn::encode_other(const Column &c, std::string_view v)
{
    tmp_.assign(v.data(), v.size());
    const char *text = tmp_.c_str();
    bytea *b = nullptr;
    Arena::Scope mem(scratch_);
    pg_guard([&] {
        Oid in_fn, ioparam, send_fn;
        bool varlena;
        getTypeInputInfo(c.typoid, &in_fn, &ioparam);
        getTypeBinaryOutputInfo(c.typoid, &send_fn, &varlena);
        Datum d = OidInputFunctionCall(in_fn, const_cast<char *>(text), ioparam, c.typmod);
        b = OidSendFunctionCall(send_fn, d);
    });
    // (C++ allocations outside the guard; the palloc'd bytes go with the scope)
    const size_t len = VARSIZE(b) - VARHDRSZ;
    put_len(static_cast<int32_t>(len));
    buf_.append(VARDATA(b), len);
}

void CopyIn::encode(const Column &c, std::string_view v)
{
    int64_t n;
    int32_t days;
    switch (c.kind) {
    case Kind::Raw:
        put_len(static_cast<int32_t>(v.size()));
        buf_.append(v.data(), v.size());
        return;
    case Kind::Int2:
        if (!parse_int(v, INT16_MIN, INT16_MAX, n))
            break;
        put_len(2);
        put_be(buf_, static_cast<uint64_t>(n), 2);
        return;
    case Kind::Int4:
        if (!parse_int(v, INT32_MIN, INT32_MAX, n))
            break;
        put_len(4);
        put_be(buf_, static_cast<uint64_t>(n), 4);
        return;
    case Kind::Int8:
        if (!parse_int(v, INT64_MIN, INT64_MAX, n))
            break;
        put_len(8);
        put_be(buf_, static_cast<uint64_t>(n), 8);
        return;
    case Kind::Date:
        if (!parse_iso_date(v, days))
            break;
        put_len(4);
        put_be(buf_, static_cast<uint32_t>(days), 4);
        return;
    case Kind::Bool:
        if (v != "t" && v != "f")
            break;
        put_len(1);
        buf_.push_back(v == "t" ? 1 : 0);
        return;
    case Kind::Jsonb: // jsonb_recv: version 1, then the JSON text
        put_len(static_cast<int32_t>(v.size() + 1));
        buf_.push_back(1);
        buf_.append(v.data(), v.size());
        return;
    case Kind::Other:
        break;
    }
    encode_other(c, v);
}

void CopyIn::add(std::string_view value)
{
    begin_field();
    if (!binary_) {
        append_copy_text(buf_, value);
        return;
    }
    if (col_ >= types_.size())
        throw Error(ERRCODE_INTERNAL_ERROR, "more fields than columns in a COPY row for " + relation_);
    encode(types_[col_], value);
}

void CopyIn::add_null()
{
    begin_field();
    if (binary_)
        put_len(-1);
    else
        buf_.append("\\N");
}

void CopyIn::end_row()
{
    if (!binary_)
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
    if (binary_)
        put_be(buf_, 0xFFFF, 2); // file trailer
    // Only PostgreSQL calls and plain pointers inside the guard.
    const char *relname = relation_.c_str();
    const std::vector<std::string> &cols = columns_;
    const bool binary = binary_;
    g_feed = Feed{buf_.data(), buf_.size(), 0};
    Arena::Scope mem(scratch_);
    pg_guard([&] {
        List *names = stringToQualifiedNameList(relname);
        RangeVar *rv = makeRangeVarFromNameList(names);
        Relation rel = table_openrv(rv, RowExclusiveLock);
        ParseState *pstate = make_parsestate(NULL);
        (void)addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, NULL, false, false);
        List *attnames = NIL;
        for (size_t i = 0; i < cols.size(); ++i)
            attnames = lappend(attnames, makeString(pstrdup(cols[i].c_str())));
        List *options = binary ? list_make1(makeDefElem(pstrdup("format"), (Node *)makeString(pstrdup("binary")), -1))
                               : list_make1(makeDefElem(pstrdup("encoding"), (Node *)makeString(pstrdup("UTF8")), -1));
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
