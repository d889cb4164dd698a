// layout_load.hpp -- a table's layout as stored in casemis.layout_field and
// casemis.layout_alias (the layout is data: read it each run).
#pragma once

#include "format/csv_reader.hpp"
#include "format/family.hpp"
#include "format/layout.hpp"
#include "pg/spi.hpp"
#include "source/spool.hpp"

namespace casemis::run {

// table 'A' or 'B'. A field whose target column cse/csv lacks is a RunFailure
// (with the ALTER TABLE that would fix it).
format::Layout load_layout(pg::Spi &spi, char table);
// A layout by its name in casemis.layout_field ("A", "B", "SPED", "SSRV").
format::Layout load_layout(pg::Spi &spi, const std::string &name);

// The layouts a run reads its files with, and the files' shapes: the family
// decided from the Student Data file and the setting's file_format (README
// "CALPADS files"); a file of the wrong family is a RunFailure.
struct RunLayouts {
    format::Layout students, services; // services: empty without a Services file
    format::FileShape students_shape, services_shape;
    format::Family family = format::Family::Casemis;
    const char *family_name() const { return family == format::Family::Calpads ? "calpads" : "casemis"; }
};
RunLayouts run_layouts(pg::Spi &spi, const std::string &file_format, const source::FileInfo &students,
                       bool with_services, const source::FileInfo &services, const format::CsvLimits &limits);

} // namespace casemis::run
