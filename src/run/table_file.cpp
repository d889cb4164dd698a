// table_file.cpp -- see table_file.hpp.
#include "run/table_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "format/text.hpp"
#include "pg/text.hpp"
#include "run/import.hpp"

namespace casemis::run {

using namespace casemis::format;

TableFile::TableFile(const source::FileInfo &f, const CsvLimits &limits, const char *what, const FileShape &shape)
    : info_(f), what_(what), shape_(shape)
{
    fd_ = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        throw Error(ERRCODE_IO_ERROR, std::string("could not reopen the spool copy of ") + f.label);
    src_ = std::make_unique<FdSource>(fd_);
    reader_ = std::make_unique<CsvReader>(*src_, limits, kCsvBlockBytes, shape.separator);
    cp1252_ = f.encoding == Encoding::Windows1252;
    if (!shape_.header) { // positional: the first record is data
        pending_ = next(pending_rec_);
        first_fields_ = pending_ ? pending_rec_.fields.size() : 0;
        return;
    }
    CsvRecord h;
    if (!next(h))
        throw RunFailure(std::string(what_) + " file " + f.label + " has no header row");
    if (!h.problem.empty())
        throw RunFailure(std::string(what_) + " file " + f.label + ": the header row is malformed (" + h.problem + ")");
    for (auto v : h.fields)
        header_store_.emplace_back(v);
    for (const auto &s : header_store_)
        header_.emplace_back(s);
}

HeaderCheck TableFile::columns(const Layout &layout) const
{
    return positional() ? positional_columns(layout, first_fields_) : check_headers(header_, layout);
}

TableFile::~TableFile()
{
    if (fd_ >= 0)
        ::close(fd_);
}

bool TableFile::next(CsvRecord &rec)
{
    if (pending_) { // its fields still view the reader's block (or conv_)
        pending_ = false;
        rec.line = pending_rec_.line;
        rec.fields = pending_rec_.fields;
        rec.problem = pending_rec_.problem;
        return true;
    }
    bool more;
    try {
        more = reader_->next(rec);
    } catch (const CsvFatal &e) {
        throw RunFailure(std::string(what_) + " file " + info_.label + ", line " + std::to_string(e.line) + ": " +
                         e.what());
    }
    if (more && cp1252_)
        convert(rec);
    return more;
}

// Only records with high bytes are converted; the fields then view conv_.
void TableFile::convert(CsvRecord &rec)
{
    bool any = false;
    for (auto v : rec.fields)
        any = any || has_high_bytes(v);
    if (!any)
        return;
    conv_.clear();
    conv_.reserve(rec.fields.size());
    for (auto v : rec.fields)
        conv_.push_back(has_high_bytes(v) ? pg::win1252_to_utf8(v) : std::string(v));
    for (size_t i = 0; i < conv_.size(); ++i)
        rec.fields[i] = conv_[i];
}

FileShape file_shape(const source::FileInfo &f, const CsvLimits &limits, const Layout &calpads, const Layout *casemis)
{
    // The first line is all that decides: read at most one record's worth.
    const size_t cap = std::min<size_t>(limits.max_record_bytes + 3, 4u << 20);
    std::string head(cap, '\0');
    const int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        throw Error(ERRCODE_IO_ERROR, std::string("could not reopen the spool copy of ") + f.label);
    size_t got = 0;
    try {
        FdSource src(fd);
        while (got < cap) {
            const size_t n = src.read(head.data() + got, cap - got);
            if (n == 0)
                break;
            got += n;
        }
    } catch (const CsvFatal &e) {
        ::close(fd);
        throw RunFailure("file " + f.label + ": " + e.what());
    }
    ::close(fd);
    head.resize(got);
    const std::string_view line = first_line(head);
    const char sep = guess_separator(line);
    MemorySource mem(line);
    CsvLimits one = limits;
    one.max_record_bytes = line.size() + 1;
    CsvReader reader(mem, one, kCsvBlockBytes, sep);
    CsvRecord rec;
    try {
        if (!reader.next(rec))
            return FileShape{};
    } catch (const CsvFatal &) {
        return FileShape{}; // too many fields for any layout: read as CASEMIS, whose checks say why
    }
    return classify(rec.fields, sep, calpads, casemis);
}

} // namespace casemis::run
