// pure C++
// size_cap.cpp -- the order in which a too-large message leaves attachments out.
#include "notify/size_cap.hpp"

#include <algorithm>
#include <string>
#include "pg/cpp_only_file.hpp" // last: no PostgreSQL header above

namespace casemis::notify {
namespace {

bool imported_records(const Attachment &a)
{
    return a.filename.find("ImportedRecords") != std::string::npos;
}

} // namespace

std::vector<size_t> leave_out_order(const std::vector<Attachment> &attachments)
{
    std::vector<size_t> order(attachments.size());
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
        const Attachment &a = attachments[x], &b = attachments[y];
        if (imported_records(a) != imported_records(b))
            return imported_records(a);
        return a.content.size() > b.content.size();
    });
    return order;
}

} // namespace casemis::notify
