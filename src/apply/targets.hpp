// targets.hpp -- which file columns go to which cse/csv columns: a layout
// field's target column, FILLER1..6 to test_participation_1..6, and headers
// unknown to the layout (kept in cse.extra).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "format/layout.hpp"
#include "pg/copy_in.hpp"

namespace casemis::apply {

struct Targets {
    std::vector<std::pair<int, std::string>> cols; // (file column, target column)
    std::vector<int> fillers;                      // file column of FILLER1..6 (or -1)
    std::vector<int> unknown;                      // file columns unknown to the layout
};

inline Targets targets_of(const format::HeaderCheck &hc, const format::Layout &l)
{
    Targets t;
    t.fillers.assign(6, -1);
    for (size_t c = 0; c < hc.columns.size(); ++c) {
        int f = hc.columns[c].field;
        if (f < 0) {
            t.unknown.push_back(static_cast<int>(c));
            continue;
        }
        const format::FieldDef &fd = l.fields[f];
        if (fd.role == format::Role::Filler) {
            // FILLERn -> test_participation_n
            char n = fd.target.empty() ? 0 : fd.target.back();
            if (n >= '1' && n <= '6')
                t.fillers[n - '1'] = static_cast<int>(c);
            continue;
        }
        if (!fd.target.empty())
            t.cols.emplace_back(static_cast<int>(c), fd.target);
    }
    return t;
}

// The validated value of file column col (-1: absent) as the next COPY field.
inline void add_value(pg::CopyIn &copy, const format::ValidatedRecord &vr, int col)
{
    if (col < 0 || vr.null[col])
        copy.add_null();
    else
        copy.add(vr.values[col]);
}

} // namespace casemis::apply
