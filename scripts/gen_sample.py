#!/usr/bin/python3
"""Generate a synthetic district roster plus CASEMIS Table A and Table B files.

Usage: gen_sample.py [--students N] [--seed S] [--out DIR] [--format casemis|calpads]

Writes into DIR:
  roster.csv    student_id,ssid,last_name,first_name,birthdate,grade,school_code
                (header row, LF, ISO dates; COPY ... CSV HEADER into casemis.students)
  tableA.csv    the 67 Table A headers (casemis.layout_field) in TAG order, CRLF, UTF-8
  tableB.csv    SELPA_CODE,STUDENT_ID,SSID,SERVICE,PROVIDER,LOCATION,FREQUENCY,
                DURATION,START_DATE,END_DATE (1-5 services per Table A record), CRLF
  prior_cse.csv student_id,disabilit1,exit_date: a few general-education roster
                students who still have a cse row from an earlier year (load it
                into casemis.cse before a run to see the NotInFile report)
  manifest.json what was generated, by kind (for benchmarks and eyeballing reports)

N is the number of special-education students (Table A records before
duplicates). The roster also holds general-education students (N/8 more).
Mix of Table A records: ~96% carry an SSID that is on the roster, ~3% have no
SSID and match by last/first name + birthdate, ~1% are students the roster does
not know; plus a few duplicate SSIDs, a few error records (impossible dates,
IN_REGCLS out of range), one ambiguous name match, names with accents and
apostrophes, long names the file truncates to 15 characters, and dates in
mixed formats. The STUDENT_ID of Table A/B is the SELPA's id, not the roster's.

--format calpads writes the same records as a CALPADS pair instead: tableA.csv
a SPED file (49 fields) and tableB.csv an SSRV file (18 fields), both in
CALPADS's positional form (no header row, '^' between fields, CRLF, dates
CCYYMMDD). Each SPED record carries a Meeting or Amendment Identifier derived
from its SSID (or its Local Special Education Student ID, 14.10, the SELPA's
id), so a duplicate has the same one and each SSRV record links to its SPED
record; an IN_REGCLS error becomes a D (delete) Transaction Type Code.

Deterministic for a given --seed. Streams rows to the files (constant memory),
so N = 800000 works. Standard library only: run with /usr/bin/python3.
"""
import argparse
import bisect
import csv
import datetime
import json
import os
import random

TABLE_A_HEADERS = [
    "REPT_DATE", "SELPA_CODE", "SELPA_FROM", "DIST_SERV", "DIST_RESI", "SCH_CODE",
    "SCH_TYPE", "LAST_NAME", "FIRST_NAME", "STUDENT_ID", "SSID", "FILLER", "BIRTHDATE",
    "GENDER", "ETHNICITY", "RACE1", "RACE2", "RACE3", "EL", "NATIVE_LANG", "EARLY_INT",
    "IN_RFRDATE", "IN_RFRBY", "IN_PRNTCST", "IN_INTEVAL", "RFRDATE", "REFR_BY",
    "PRNT_CSNT", "INITEVAL", "EVLDLAY", "TBDLAY", "PLAN_TYPE", "MIGRANT", "RESID_STAT",
    "ENTRY_DATE", "LAST_IEP", "LAST_EVAL", "DISABILIT1", "DISABILIT2", "SOLE_LOW",
    "INFANT_SET", "FEDSET_INF", "FEDSET_PRS", "FEDSET_SCH", "IN_REGCLS", "GRADE",
    "TRAN_REG1", "TRAN_REG2", "TRAN_REG3", "TRAN_REG4", "TRAN_REG5", "TRAN_REG6",
    "TRAN_REG7", "TRAN_REG8", "SPEC_TRANS", "PARINPUT", "FILLER1", "FILLER2", "FILLER3",
    "FILLER4", "FILLER5", "FILLER6", "GRAD_PLAN", "EXIT_DATE", "EXIT_RESON", "IEPDELAY",
    "TRIDELAY",
]
assert len(TABLE_A_HEADERS) == 67
COL = {h: i for i, h in enumerate(TABLE_A_HEADERS)}

TABLE_B_HEADERS = ["SELPA_CODE", "STUDENT_ID", "SSID", "SERVICE", "PROVIDER", "LOCATION",
                   "FREQUENCY", "DURATION", "START_DATE", "END_DATE"]
ROSTER_HEADERS = ["student_id", "ssid", "last_name", "first_name", "birthdate", "grade",
                  "school_code"]

SCHOOL_YEAR = 2017                      # 2017-18: census day 2017-12-01
SELPA_CODE = "3410"
DISTRICT = "3467314"
# district school number (roster) -> 7-digit CDS school code (Table A)
SCHOOLS = [(10, "6031421", "10"), (20, "6031439", "10"), (30, "6031447", "10"),
           (40, "6066211", "10"), (50, "6109219", "20"), (60, "3430121", "30")]

LAST_NAMES = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
    "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Lee", "Harris",
    "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott",
    "Nguyen", "Tran", "Kim", "Park", "Chen", "Wong", "Patel", "Singh", "Khan", "Ali",
    "García", "Núñez", "Hernández", "López", "Martínez", "González", "Rodríguez", "Pérez",
    "Sánchez", "Ramírez", "Gómez", "Díaz", "Muñoz", "Jiménez", "Álvarez", "Peña", "Ibáñez",
    "Castañeda", "Ordóñez", "O'Brien", "O'Connor", "De La Cruz", "Van der Berg",
    "Nakamura", "Yamamoto", "Müller", "Schröder", "Østergaard", "Lefèvre", "Šimić",
    "Washington, Jr.", "Mendoza-Villaseñor", "Christopherson-Whitfield",
]
FIRST_NAMES = [
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "David",
    "Emily", "Daniel", "Sarah", "Matthew", "Jessica", "Anthony", "Ashley", "Joshua", "Olivia",
    "Ethan", "Emma", "Noah", "Ava", "Liam", "Mia", "Aiden", "Isabella", "Lucas", "Chloé",
    "José", "María", "Sofía", "Jesús", "Ángel", "Zoë", "Renée", "Raúl", "Inés", "Joaquín",
    "Mónica", "Andrés", "Béla", "Anh", "Minh", "Thảo", "Ji-woo", "Hiroshi", "Priya", "Aarav",
    "Fatima", "Omar", "D'Andre", "Mary Ann", "Jean-Luc", "Maximilianus-Alexander",
]
SERVICES = ["330", "340", "350", "415", "425", "435", "436", "445", "450", "460", "510",
            "515", "520", "525", "530", "535", "540", "545", "710", "720", "730", "740",
            "820", "830", "840", "850", "855", "860", "890", "900"]
SERVICE_WEIGHTS = [30, 2, 3, 25, 3, 2, 2, 2, 5, 3, 4, 6, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                   2, 1, 2, 1, 1, 2, 1, 1]
PROVIDERS = ["100", "200", "210", "230", "240", "250", "300", "310", "400", "410"]
LOCATIONS = ["100", "200", "300", "400", "500"]
FREQUENCIES = ["1", "2", "3", "4"]
DURATIONS = ["30", "45", "60", "90", "120", "240"]
DISABILITIES = ["210", "220", "230", "240", "250", "260", "270", "280", "281", "290",
                "300", "310", "320", "330"]
DISABILITY_WEIGHTS = [6, 1, 1, 22, 1, 5, 1, 13, 1, 35, 1, 2, 12, 1]
PLAN_TYPES = ["10", "15", "20", "30"]
PLAN_WEIGHTS = [90, 3, 4, 3]
GRADES = ["KN"] + ["%02d" % g for g in range(1, 13)]
RACES = ["100", "201", "202", "203", "204", "205", "206", "207", "208", "299", "301",
         "302", "303", "304", "399", "400", "600", "700"]


def fmt_date(d, style):
    y, m, dd = d.year, d.month, d.day
    if style == 0:
        return "%04d%02d%02d" % (y, m, dd)
    if style == 1:
        return "%02d/%02d/%04d" % (m, dd, y)
    if style == 2:
        return "%04d-%02d-%02d" % (y, m, dd)
    if style == 3:
        return "%d/%d/%d" % (m, dd, y)                  # M/D/YYYY
    return "%02d%02d%04d" % (m, dd, y)                  # MMDDYYYY


def cumulative(weights):
    total, out = 0, []
    for w in weights:
        total += w
        out.append(total)
    return [c / total for c in out]


SERVICE_CUM = cumulative(SERVICE_WEIGHTS)
DISABILITY_CUM = cumulative(DISABILITY_WEIGHTS)
PLAN_CUM = cumulative(PLAN_WEIGHTS)
NSERV_CUM = cumulative([25, 35, 22, 12, 6])


class Generator:
    def __init__(self, n, seed):
        self.n = n
        self.rng = random.Random(seed)
        self.rand = self.rng.random        # the only source of randomness below: fast
        self.counts = {
            "students_special_ed": n, "roster_rows": 0, "table_a_records": 0,
            "table_a_ssid_on_roster": 0, "table_a_name_match": 0, "table_a_ambiguous_name": 0,
            "table_a_unknown_ssid": 0, "table_a_unknown_name": 0, "table_a_duplicate_records": 0,
            "table_a_error_records": 0, "table_a_out_of_code_set": 0, "table_b_records": 0,
            "table_b_unknown_student": 0, "prior_cse_rows": 0, "prior_cse_exited": 0,
        }
        self.next_roster_id = 100001
        self.base_day = datetime.date(SCHOOL_YEAR, 7, 1)
        # a few duplicates and error records, spread over the file
        self.dup_every = max(60, n // max(2, n // 200))
        self.err_every = max(45, n // max(3, n // 150))

    # ---------------------------------------------------------------- helpers
    def below(self, n):
        return int(self.rand() * n)

    def pick(self, seq):
        return seq[int(self.rand() * len(seq))]

    def wpick(self, seq, cum):
        return seq[min(bisect.bisect_right(cum, self.rand()), len(seq) - 1)]

    def date_style(self):
        r = self.rand()
        return 0 if r < 0.45 else 1 if r < 0.75 else 2 if r < 0.9 else 3 if r < 0.96 else 4

    def date_str(self, d):
        return fmt_date(d, self.date_style())

    def day_in_year(self, start, span_days):
        return datetime.date.fromordinal(start.toordinal() + self.below(span_days))

    def ssid_for(self, i):
        # unique per roster row: blocks of 37 numbers, one picked at random
        return str(1000000000 + i * 37 + self.below(37))

    def person(self):
        last = self.pick(LAST_NAMES)
        first = self.pick(FIRST_NAMES)
        g = self.below(13)                              # 0 = KN
        age = 5 + g
        birth = datetime.date(SCHOOL_YEAR - age, 1, 1) + datetime.timedelta(
            days=self.below(365) + 244)                 # born Sep..Aug of the cohort
        if self.rand() < 0.05:
            school = SCHOOLS[5]                            # county program
        elif g <= 5:
            school = SCHOOLS[self.below(3)]             # elementary
        else:
            school = SCHOOLS[3] if g <= 8 else SCHOOLS[4]  # middle, high
        return last, first, birth, g, school

    # ---------------------------------------------------------------- rows
    def roster_row(self, ssid, last, first, birth, g, school):
        sid = self.next_roster_id
        self.next_roster_id += 1 + self.below(3)
        self.counts["roster_rows"] += 1
        return [sid, ssid, last, first, birth.isoformat(), GRADES[g], school[0]]

    def table_a_row(self, selpa_id, ssid, last, first, birth, g, school):
        row = [""] * 67
        row[COL["REPT_DATE"]] = self.date_str(datetime.date(SCHOOL_YEAR, 12, 1))
        row[COL["SELPA_CODE"]] = SELPA_CODE
        if self.rand() < 0.04:
            row[COL["SELPA_FROM"]] = self.pick(["3400", "3410", "1910", "3730"])
        row[COL["DIST_SERV"]] = DISTRICT
        row[COL["DIST_RESI"]] = DISTRICT if self.rand() < 0.95 else "3467330"
        row[COL["SCH_CODE"]] = school[1]
        row[COL["SCH_TYPE"]] = school[2]
        row[COL["LAST_NAME"]] = last
        row[COL["FIRST_NAME"]] = first
        row[COL["STUDENT_ID"]] = selpa_id
        row[COL["SSID"]] = ssid
        row[COL["BIRTHDATE"]] = self.date_str(birth)
        row[COL["GENDER"]] = "F" if self.rand() < 0.35 else "M"
        row[COL["ETHNICITY"]] = "500" if self.rand() < 0.5 else "600"
        row[COL["RACE1"]] = self.pick(RACES)
        if self.rand() < 0.08:
            row[COL["RACE2"]] = self.pick(RACES)
        row[COL["EL"]] = "Y" if self.rand() < 0.3 else "N"
        row[COL["NATIVE_LANG"]] = "00" if self.rand() < 0.6 else "%02d" % (1 + self.below(59))
        row[COL["EARLY_INT"]] = "N"
        entry = max(birth + datetime.timedelta(days=3 * 365),
                    self.day_in_year(datetime.date(SCHOOL_YEAR - 1 - min(g, 8), 8, 15), 300))
        rfr = entry - datetime.timedelta(days=60 + self.below(30))
        row[COL["RFRDATE"]] = self.date_str(rfr)
        row[COL["REFR_BY"]] = self.pick(["10", "20", "30", "40", "90"])
        row[COL["PRNT_CSNT"]] = self.date_str(rfr + datetime.timedelta(days=7 + self.below(7)))
        row[COL["INITEVAL"]] = self.date_str(entry - datetime.timedelta(days=self.below(10)))
        plan = self.wpick(PLAN_TYPES, PLAN_CUM)
        row[COL["PLAN_TYPE"]] = plan
        row[COL["MIGRANT"]] = "Y" if self.rand() < 0.02 else "N"
        row[COL["RESID_STAT"]] = "10" if self.rand() < 0.93 else self.pick(["20", "30", "40"])
        row[COL["ENTRY_DATE"]] = self.date_str(entry)
        row[COL["LAST_IEP"]] = self.date_str(self.day_in_year(datetime.date(SCHOOL_YEAR - 1, 12, 1), 360))
        row[COL["LAST_EVAL"]] = self.date_str(self.day_in_year(datetime.date(SCHOOL_YEAR - 3, 12, 1), 1000))
        row[COL["DISABILIT1"]] = self.wpick(DISABILITIES, DISABILITY_CUM)
        if self.rand() < 0.1:
            row[COL["DISABILIT2"]] = self.wpick(DISABILITIES, DISABILITY_CUM)
        row[COL["SOLE_LOW"]] = "N"
        row[COL["FEDSET_SCH"]] = self.pick(["400", "400", "400", "450", "460", "470", "480"])
        row[COL["IN_REGCLS"]] = str(self.pick([100, 95, 90, 85, 80, 75, 60, 45, 30, 10, 0]))
        row[COL["GRADE"]] = GRADES[g]
        if g >= 8:                                         # transition plan from age 14-16
            for k in range(1, 8):
                row[COL["TRAN_REG%d" % k]] = "10" if self.rand() < 0.85 else "20"
            row[COL["TRAN_REG8"]] = self.pick(["10", "20", "30"])
            row[COL["GRAD_PLAN"]] = "10" if self.rand() < 0.8 else "20"
        row[COL["SPEC_TRANS"]] = "Y" if self.rand() < 0.08 else "N"
        row[COL["PARINPUT"]] = self.pick(["10", "20", "30"])
        if self.rand() < 0.03:                            # old state-test participation fields
            for k in range(1, 7):
                row[COL["FILLER%d" % k]] = self.pick(["1", "2", "3", ""])
        if self.rand() < 0.03:
            row[COL["EXIT_DATE"]] = self.date_str(self.day_in_year(datetime.date(SCHOOL_YEAR, 7, 1), 150))
            row[COL["EXIT_RESON"]] = self.pick(["70", "70", "76", "77"])
        if self.rand() < 0.02:
            row[COL["IEPDELAY"]] = self.pick(["10", "20", "30", "40", "90"])
        if self.rand() < 0.002:                           # a warning, not an error
            row[COL["PLAN_TYPE"]] = "40"
            self.counts["table_a_out_of_code_set"] += 1
        return row

    def spoil(self, row, k):
        """Make row an error record (a different problem each time)."""
        kind = k % 4
        if kind == 0:
            row[COL["INITEVAL"]] = "02/30/2016"
        elif kind == 1:
            row[COL["LAST_IEP"]] = "2017-13-05"
        elif kind == 2:
            row[COL["IN_REGCLS"]] = "150"
        else:
            row[COL["BIRTHDATE"]] = "20170231"
            row[COL["ENTRY_DATE"]] = "not a date"

    def services(self, selpa_id, ssid):
        rows = []
        for _ in range(self.wpick((1, 2, 3, 4, 5), NSERV_CUM)):
            start = self.day_in_year(datetime.date(SCHOOL_YEAR, 8, 15), 120)
            end = start + datetime.timedelta(days=300 + self.below(65))
            rows.append([SELPA_CODE, selpa_id, ssid,
                         self.wpick(SERVICES, SERVICE_CUM), self.pick(PROVIDERS),
                         self.pick(LOCATIONS), self.pick(FREQUENCIES), self.pick(DURATIONS),
                         self.date_str(start), self.date_str(end)])
        self.counts["table_b_records"] += len(rows)
        return rows

    # ---------------------------------------------------------------- main loop
    def run(self, roster_w, a_w, b_w, prior_w):
        c = self.counts
        selpa_base = 88000000 + self.below(1000000)
        ambiguous_at = self.n // 2 if self.n >= 100 else -1
        errors = 0
        for i in range(self.n):
            selpa_id = str(selpa_base + i * 3 + self.below(3))   # the SELPA's own id
            last, first, birth, g, school = self.person()
            ssid = self.ssid_for(i)
            r = self.rand()
            # small samples still show every kind at least once
            if self.n >= 50 and i in (self.n // 5, self.n // 5 + 1):
                r = 0.97                                   # name match
            elif self.n >= 50 and i == self.n // 3:
                r = 0.992                                  # unknown SSID
            elif self.n >= 50 and i == self.n // 4:
                r = 0.999                                  # unknown name
            if i == ambiguous_at:
                # two roster students share the first 15 characters of both names
                # and the birthdate; the file has no SSID: ambiguous, never guessed
                last, first = "Christopherson-Whitfield", "Maximilianus-Alexander"
                roster_w.writerow(self.roster_row(ssid, last, first, birth, g, school))
                roster_w.writerow(self.roster_row(self.ssid_for(self.n + 1), "Christopherson-Whitley",
                                                  "Maximilianus-Alfonso", birth, g, school))
                file_ssid, file_last, file_first = "", last[:15], first[:15]
                c["table_a_ambiguous_name"] += 1
            elif r < 0.96:
                roster_w.writerow(self.roster_row(ssid, last, first, birth, g, school))
                file_ssid, file_last, file_first = ssid, last, first
                if self.rand() < 0.2:
                    file_ssid = " %s " % ssid               # trimmed by the importer
                c["table_a_ssid_on_roster"] += 1
            elif r < 0.99:
                # on the roster; the file has no SSID: matched by name + birthdate
                roster_w.writerow(self.roster_row(ssid if self.rand() < 0.5 else "", last, first,
                                                  birth, g, school))
                file_ssid, file_last, file_first = "", last[:15], first[:15]
                if self.rand() < 0.3:
                    file_last, file_first = file_last.upper(), file_first.upper()
                c["table_a_name_match"] += 1
            elif r < 0.995:
                # a student the district does not have (moved in, not enrolled yet)
                file_ssid, file_last, file_first = str(9000000000 + i), last, first
                c["table_a_unknown_ssid"] += 1
            else:
                file_ssid, file_last, file_first = "", last, first + "x"
                c["table_a_unknown_name"] += 1
            row = self.table_a_row(selpa_id, file_ssid, file_last, file_first, birth, g, school)
            spoiled = i % self.err_every == self.err_every // 2
            if spoiled:
                self.spoil(row, errors)
                errors += 1
                c["table_a_error_records"] += 1
            a_w.writerow(row)
            c["table_a_records"] += 1
            b_w.writerows(self.services(selpa_id, file_ssid.strip()))
            if i % self.dup_every == self.dup_every - 7 and file_ssid.strip() and not spoiled:
                # the same student exported twice (e.g. by two case managers)
                dup = self.table_a_row(str(selpa_base + 3 * self.n + i), file_ssid.strip(),
                                       file_last, file_first, birth, g, school)
                a_w.writerow(dup)
                c["table_a_records"] += 1
                c["table_a_duplicate_records"] += 2
            # general-education students: on the roster only
            if i % 8 == 7:
                last2, first2, birth2, g2, school2 = self.person()
                row2 = self.roster_row(self.ssid_for(self.n + 2 + i), last2, first2, birth2, g2, school2)
                roster_w.writerow(row2)
                if i % 200 in (7, 15, 23):
                    # had special education once; not in this year's file. Every
                    # third one has exited (before the run date): not listed.
                    exited = c["prior_cse_rows"] % 3 == 2
                    prior_w.writerow([row2[0], self.wpick(DISABILITIES, DISABILITY_CUM),
                                      "%d-06-15" % SCHOOL_YEAR if exited else ""])
                    c["prior_cse_rows"] += 1
                    c["prior_cse_exited"] += exited
        # a service whose student is in neither Table A nor the roster
        b_w.writerow([SELPA_CODE, str(selpa_base - 7), "9999999999", "330", "200", "100",
                      "2", "60", self.date_str(datetime.date(SCHOOL_YEAR, 9, 1)), ""])
        c["table_b_records"] += 1
        c["table_b_unknown_student"] += 1


# ---------------------------------------------------------------- CALPADS
def to_ccyymmdd(v):
    """A valid date in any of fmt_date's styles as CCYYMMDD; anything else as is."""
    for f in ("%Y%m%d", "%m%d%Y", "%m/%d/%Y", "%Y-%m-%d"):
        try:
            d = datetime.datetime.strptime(v, f).date()
        except ValueError:
            continue
        if f == "%m%d%Y" and v[:2] in ("19", "20"):
            continue
        return d.strftime("%Y%m%d")
    return v


def meeting_id(ssid, selpa_id):
    return "M-" + (ssid.strip() or selpa_id)


class SpedWriter:
    """Table A rows (67 fields) written as SPED records (49 fields, '^')."""
    # SPED field number -> Table A header whose value it carries
    FROM_A = {5: "SCH_CODE", 8: "SSID", 10: "STUDENT_ID", 11: "FIRST_NAME", 12: "LAST_NAME",
              13: "BIRTHDATE", 14: "GENDER", 15: "SELPA_CODE", 16: "DIST_RESI", 17: "RFRDATE",
              18: "REFR_BY", 19: "INITEVAL", 21: "LAST_IEP", 26: "RESID_STAT", 27: "ENTRY_DATE",
              28: "DISABILIT1", 29: "DISABILIT2", 44: "SPEC_TRANS", 45: "PARINPUT", 46: "EXIT_DATE"}
    DATES = (13, 17, 19, 21, 27, 46)
    PLAN = {"10": "100", "15": "150", "20": "200", "30": "300", "70": "700", "80": "800", "90": "900"}
    SETTING = {"400": "400", "450": "401", "460": "402", "470": "403", "480": "500"}  # federal setting -> 14.31

    def __init__(self, f):
        self.f = f

    def writerow(self, a):
        r = [""] * 49
        r[0] = "SPED"
        bad_regcls = a[COL["IN_REGCLS"]] not in ("",) and int(a[COL["IN_REGCLS"]]) > 100
        r[1] = "D" if bad_regcls else ""
        r[3] = DISTRICT
        r[6] = "%d-%02d" % (SCHOOL_YEAR, (SCHOOL_YEAR + 1) % 100)
        for n, h in self.FROM_A.items():
            v = a[COL[h]]
            r[n - 1] = to_ccyymmdd(v) if n in self.DATES and v else v
        r[19] = "20"
        r[21] = meeting_id(a[COL["SSID"]], a[COL["STUDENT_ID"]])
        r[23] = self.PLAN.get(a[COL["PLAN_TYPE"]], a[COL["PLAN_TYPE"]])
        r[30] = self.SETTING.get(a[COL["FEDSET_SCH"]], a[COL["FEDSET_SCH"]])
        r[48] = a[COL["EXIT_RESON"]]
        self.f.write("^".join(r) + "\r\n")


class SsrvWriter:
    """Table B rows (10 fields) written as SSRV records (18 fields, '^')."""
    FREQUENCY = {"1": "10", "2": "20", "3": "30", "4": "40"}  # Service Frequency Code (15.16)

    def __init__(self, f):
        self.f = f

    def writerow(self, b):
        selpa, selpa_id, ssid, service, provider, location, freq, dur = b[:8]
        r = ["SSRV", "", "", DISTRICT, "", "", "", "%d-%02d" % (SCHOOL_YEAR, (SCHOOL_YEAR + 1) % 100),
             ssid, selpa, DISTRICT, meeting_id(ssid, selpa_id), service, provider, location,
             self.FREQUENCY.get(freq, freq), dur, selpa_id]
        self.f.write("^".join(r) + "\r\n")

    def writerows(self, rows):
        for b in rows:
            self.writerow(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--students", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--out", default=".")
    ap.add_argument("--format", choices=("casemis", "calpads"), default="casemis")
    args = ap.parse_args()
    if args.students < 1:
        ap.error("--students must be at least 1")
    os.makedirs(args.out, exist_ok=True)
    gen = Generator(args.students, args.seed)
    buf = 1 << 20
    with open(os.path.join(args.out, "roster.csv"), "w", newline="", encoding="utf-8", buffering=buf) as fr, \
         open(os.path.join(args.out, "tableA.csv"), "w", newline="", encoding="utf-8", buffering=buf) as fa, \
         open(os.path.join(args.out, "tableB.csv"), "w", newline="", encoding="utf-8", buffering=buf) as fb, \
         open(os.path.join(args.out, "prior_cse.csv"), "w", newline="", encoding="utf-8") as fp:
        roster_w = csv.writer(fr, lineterminator="\n")
        if args.format == "calpads":   # positional: no header row
            a_w, b_w = SpedWriter(fa), SsrvWriter(fb)
        else:
            a_w = csv.writer(fa, lineterminator="\r\n")
            b_w = csv.writer(fb, lineterminator="\r\n")
            a_w.writerow(TABLE_A_HEADERS)
            b_w.writerow(TABLE_B_HEADERS)
        roster_w.writerow(ROSTER_HEADERS)
        prior_w = csv.writer(fp, lineterminator="\n")
        prior_w.writerow(["student_id", "disabilit1", "exit_date"])
        gen.run(roster_w, a_w, b_w, prior_w)
    manifest = dict(gen.counts, seed=args.seed, school_year=SCHOOL_YEAR, selpa_code=SELPA_CODE,
                    format=args.format)
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2, sort_keys=True)
        f.write("\n")
    print("wrote roster.csv, tableA.csv, tableB.csv, prior_cse.csv, manifest.json to %s: %d Table A records, "
          "%d Table B records, %d roster rows" % (args.out, gen.counts["table_a_records"],
                                                  gen.counts["table_b_records"], gen.counts["roster_rows"]))


if __name__ == "__main__":
    main()
