// xlsx_workbook.cpp -- a run's reports as one Excel workbook, written by
// libxlsxwriter to a private temporary file, read back and removed.
#include "pg/boundary.hpp"
#include "notify/xlsx_workbook.hpp"

#include <xlsxwriter.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "format/csv_reader.hpp"

namespace casemis::notify {
namespace {

constexpr size_t kRowsPerSheet = LXW_ROW_MAX - 1; // below the header row
constexpr size_t kMaxCellChars = 32767;
constexpr double kMaxWidth = 60;

// A directory of our own (mode 0700), removed with whatever is left in it.
class TempDir {
  public:
    explicit TempDir(const std::string &parent)
    {
        std::string tmpl = parent + "/pgsql_tmp_casemis_xlsx_XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        if (::mkdtemp(buf.data()) == nullptr)
            throw Error(ERRCODE_IO_ERROR, "could not create a temporary directory in " + parent +
                                              " for the workbook: " + strerror(errno));
        path_ = buf.data();
    }
    ~TempDir()
    {
        if (DIR *d = ::opendir(path_.c_str())) {
            while (dirent *e = ::readdir(d))
                if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0)
                    ::unlink((path_ + "/" + e->d_name).c_str());
            ::closedir(d);
        }
        ::rmdir(path_.c_str());
    }
    TempDir(const TempDir &) = delete;
    TempDir &operator=(const TempDir &) = delete;
    const std::string &path() const { return path_; }

  private:
    std::string path_;
};

// workbook_close() both writes the file and frees the workbook: it runs once,
// on success to get the file, on an error only to free the memory.
struct WorkbookCloser {
    void operator()(lxw_workbook *wb) const { workbook_close(wb); }
};
using WorkbookPtr = std::unique_ptr<lxw_workbook, WorkbookCloser>;

void check(lxw_error e, const char *what)
{
    if (e != LXW_NO_ERROR)
        throw Error(ERRCODE_INTERNAL_ERROR,
                    std::string("could not write the workbook: ") + what + ": " + lxw_strerror(e));
}

size_t utf8_chars(std::string_view s)
{
    size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

// At most kMaxCellChars characters (at most that many bytes, on a character boundary).
std::string cell_text(std::string_view v)
{
    if (v.size() <= kMaxCellChars)
        return std::string(v);
    size_t end = kMaxCellChars;
    while (end > 0 && (static_cast<unsigned char>(v[end]) & 0xC0) == 0x80)
        --end;
    return std::string(v.substr(0, end));
}

struct Formats {
    lxw_format *header, *text;
};

// One worksheet being filled; widths are fitted, the filter set, at the end.
class Sheet {
  public:
    Sheet(lxw_workbook *wb, const std::string &name, const std::vector<std::string> &header,
          const Formats &f)
        : f_(f), header_(header)
    {
        ws_ = workbook_add_worksheet(wb, name.c_str());
        if (ws_ == nullptr)
            throw Error(ERRCODE_INTERNAL_ERROR,
                        "could not write the workbook: could not add worksheet \"" + name + "\"");
        widths_.assign(header.size(), 0);
        for (size_t c = 0; c < header.size(); ++c) {
            check(worksheet_write_string(ws_, 0, lxw_col_t(c), header[c].c_str(), f_.header),
                  "header");
            widths_[c] = double(utf8_chars(header[c])) + 3; // room for the filter button
        }
        worksheet_freeze_panes(ws_, 1, 0);
    }
    size_t rows() const { return rows_; }
    void add(const std::vector<std::string_view> &fields)
    {
        ++rows_;
        if (fields.size() > widths_.size())
            widths_.resize(fields.size(), 0);
        for (size_t c = 0; c < fields.size(); ++c) {
            if (fields[c].empty())
                continue;
            const std::string v = cell_text(fields[c]);
            check(worksheet_write_string(ws_, lxw_row_t(rows_), lxw_col_t(c), v.c_str(), f_.text),
                  "cell");
            widths_[c] = std::max(widths_[c], double(utf8_chars(v)) + 1);
        }
    }
    void finish()
    {
        for (size_t c = 0; c < widths_.size(); ++c)
            check(worksheet_set_column(ws_, lxw_col_t(c), lxw_col_t(c),
                                       std::min(std::max(widths_[c], 8.0), kMaxWidth), f_.text),
                  "column width");
        if (!widths_.empty())
            check(worksheet_autofilter(ws_, 0, 0, lxw_row_t(rows_), lxw_col_t(widths_.size() - 1)),
                  "filter");
    }

  private:
    lxw_worksheet *ws_ = nullptr;
    Formats f_;
    std::vector<std::string> header_;
    std::vector<double> widths_;
    size_t rows_ = 0;
};

// False when the CSV text is empty (no header row: no worksheet).
bool add_report(lxw_workbook *wb, const ReportCsv &r, const Formats &f)
{
    format::MemorySource src(r.csv);
    format::CsvLimits limits;
    limits.max_record_bytes = std::max<size_t>(r.csv.size() + 1, limits.max_record_bytes);
    limits.max_columns = 10000;
    format::CsvReader reader(src, limits);
    format::CsvRecord rec;
    if (!reader.next(rec))
        return false;
    std::vector<std::string> header(rec.fields.begin(), rec.fields.end());
    int part = 1;
    auto sheet = std::make_unique<Sheet>(wb, sheet_name(r.name, part), header, f);
    while (reader.next(rec)) {
        if (sheet->rows() == kRowsPerSheet) {
            sheet->finish();
            sheet = std::make_unique<Sheet>(wb, sheet_name(r.name, ++part), header, f);
        }
        sheet->add(rec.fields);
    }
    sheet->finish();
    return true;
}

std::string read_file(const std::string &path)
{
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        throw Error(ERRCODE_IO_ERROR, "could not read the workbook back: " +
                                          std::string(strerror(errno)));
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            ::close(fd);
            throw Error(ERRCODE_IO_ERROR,
                        "could not read the workbook back: " + std::string(strerror(e)));
        }
        if (n == 0)
            break;
        out.append(buf, size_t(n));
    }
    ::close(fd);
    return out;
}

} // namespace

std::string sheet_name(const std::string &report, int part)
{
    std::string base = report;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".csv") == 0)
        base.resize(base.size() - 4);
    for (char &c : base)
        if (std::strchr("[]:*?/\\", c) != nullptr && c != '\0')
            c = '_';
    const std::string suffix = part > 1 ? " (" + std::to_string(part) + ")" : "";
    // cut on a character boundary (Excel counts characters; report names are ASCII)
    size_t room = LXW_SHEETNAME_MAX - suffix.size();
    if (utf8_chars(base) > room) {
        size_t chars = 0, i = 0;
        for (; i < base.size(); ++i) {
            if ((static_cast<unsigned char>(base[i]) & 0xC0) != 0x80 && ++chars > room)
                break;
        }
        base.resize(i);
    }
    if (!base.empty() && base.front() == '\'')
        base.front() = '_';
    return base + suffix;
}

std::string reports_workbook(const std::vector<ReportCsv> &reports, std::time_t created,
                             const std::string &tmp_parent)
{
    TempDir dir(tmp_parent);
    const std::string file = dir.path() + "/workbook.xlsx";
    {
        lxw_workbook_options opt{};
        opt.constant_memory = LXW_TRUE; // rows go to a temporary file, not memory
        opt.tmpdir = const_cast<char *>(dir.path().c_str());
        WorkbookPtr wb(workbook_new_opt(file.c_str(), &opt));
        if (!wb)
            throw Error(ERRCODE_OUT_OF_MEMORY, "could not write the workbook: out of memory");
        lxw_doc_properties props{};
        props.title = const_cast<char *>("CASEMIS import reports");
        props.created = created;
        check(workbook_set_properties(wb.get(), &props), "properties");
        Formats f{workbook_add_format(wb.get()), workbook_add_format(wb.get())};
        if (f.header == nullptr || f.text == nullptr)
            throw Error(ERRCODE_OUT_OF_MEMORY, "could not write the workbook: out of memory");
        format_set_bold(f.header);
        format_set_num_format(f.header, "@");
        format_set_bg_color(f.header, 0xE5E7EB);
        format_set_num_format(f.text, "@");

        bool any = false;
        for (const ReportCsv &r : reports)
            any = add_report(wb.get(), r, f) || any;
        if (!any) {
            Sheet s(wb.get(), "No reports", {"This run has no report rows."}, f);
            s.finish();
        }
        lxw_error e = workbook_close(wb.release());
        check(e, "closing");
    }
    return read_file(file);
}

} // namespace casemis::notify
