// table_file.cpp -- see table_file.hpp.
#include "run/table_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "format/text.hpp"
#include "pg/text.hpp"
#include "run/import.hpp"

namespace casemis::run {

using namespace casemis::format;

TableFile::TableFile(const source::FileInfo &f, const CsvLimits &limits, const char *what)
    : info_(f), what_(what)
{
    fd_ = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0)
        throw RunFailure(std::string("could not reopen the spool copy of ") + f.label);
    src_ = std::make_unique<FdSource>(fd_);
    reader_ = std::make_unique<CsvReader>(*src_, limits);
    cp1252_ = f.encoding == Encoding::Windows1252;
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

TableFile::~TableFile()
{
    if (fd_ >= 0)
        ::close(fd_);
}

bool TableFile::next(CsvRecord &rec)
{
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

} // namespace casemis::run
