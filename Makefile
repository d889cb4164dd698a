# casemis_import -- PGXS build of a C++17 PostgreSQL extension.
#
#   make            build the extension (.so + install script)
#   make install    install into the PostgreSQL found by $(PG_CONFIG) (root)
#   make test       everything: apt deps, build, throwaway cluster, sshd, SMTP sink,
#                   pg_regress, pgTAP, C++ unit tests; prints "N passed, N failed"
#   make demo       the main job on a throwaway cluster with generated sample files
#   make deb        the Debian package postgresql-15-casemis-import (dist/*.deb)
#   make unit       C++ unit tests only (pure C++, no PostgreSQL); make unit-asan for ASan/UBSan, make unit-tsan for the side thread under TSan
#   make installcheck  pg_regress + pgTAP: against the server in PGHOST/PGPORT if set, else
#                   on throwaway servers of its own (PostgreSQL, sshd, SMTP sink; root)
#   make schedulecheck  fails if a test in sql/ is missing from test/schedule
EXTENSION  = casemis_import
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" $(EXTENSION).control)
MODULE_big = casemis_import

# The flow, one folder per stage: source -> format -> match -> apply -> report -> notify
# (run/ drives it in the worker, pg/ is the PostgreSQL boundary; the scheduler is src/sql/60_schedule.sql).
SRCS = $(sort $(wildcard src/*.cpp src/*/*.cpp))
OBJS = $(SRCS:.cpp=.o)

# The current version's install script is assembled from the ordered pieces in
# src/sql/. Released install scripts (src/sql/released/, frozen byte for byte)
# and upgrade scripts (src/sql/upgrade/) are installed as they are, so that
# CREATE EXTENSION ... VERSION '0.1.0' and ALTER EXTENSION ... UPDATE work.
SQL_PIECES = $(sort $(wildcard src/sql/*.sql))
DATA_built = $(EXTENSION)--$(EXTVERSION).sql
DATA       = $(wildcard src/sql/released/$(EXTENSION)--*.sql src/sql/upgrade/$(EXTENSION)--*--*.sql)

# pg_regress: tests are sql/<name>.sql with expected/<name>.out, in this order.
REGRESS      = $(shell sed -n 's/^test: *//p' test/schedule)
REGRESS_OPTS = --inputdir=. --outputdir=results --load-extension=plpgsql
EXTRA_CLEAN  = results regression.diffs regression.out $(DATA_built) test/unit/build

# PG_CONFIG: the environment's, else pg_config on PATH, else Debian's PostgreSQL 15.
PG_CONFIG ?= $(or $(shell command -v pg_config 2>/dev/null),/usr/lib/postgresql/15/bin/pg_config)
PG_CONFIG := $(PG_CONFIG)
PG_CPPFLAGS = -I$(srcdir)/src -DCASEMIS_EXTVERSION='"$(EXTVERSION)"'
PG_CXXFLAGS = -std=c++17 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -Wno-register -MMD -MP
ifeq ($(ERROR_ON_WARNING),1)
PG_CXXFLAGS += -Werror
endif
# PGXS links with gcc, not g++: name libstdc++ explicitly.
SHLIB_LINK = -lssh2 -lcurl -lxlsxwriter -lstdc++ -pthread

# Goals that only run a script (which installs packages first, then calls make
# again for the build): they must work before PostgreSQL is installed.
SCRIPT_GOALS = test demo bench deb pgconfig schedulecheck
ifneq ($(filter-out $(SCRIPT_GOALS),$(or $(MAKECMDGOALS),all)),)
# The PostgreSQL major versions this release supports.
SUPPORTED_PG = 15
PG_VERSION_STR := $(shell $(PG_CONFIG) --version 2>/dev/null)
PG_MAJOR := $(firstword $(subst ., ,$(word 2,$(PG_VERSION_STR))))
ifeq ($(PG_VERSION_STR),)
$(error cannot run "$(PG_CONFIG) --version". Install PostgreSQL 15 with its server headers (bash scripts/install_deps.sh build), or set PG_CONFIG to its pg_config)
endif
ifeq ($(filter $(SUPPORTED_PG),$(PG_MAJOR)),)
$(error casemis_import supports PostgreSQL $(SUPPORTED_PG) only, but $(PG_CONFIG) is "$(PG_VERSION_STR)". Set PG_CONFIG to a PostgreSQL $(SUPPORTED_PG) pg_config, e.g. PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config)
endif
# `make installcheck` with no server named (PGHOST/PGPORT neither in the
# environment nor on the command line) starts its own, as pg_regress's
# --temp-instance would: the tests also need the sshd and SMTP sink that
# test/run_all.sh starts, so it is that script, limited to the SQL tests.
ifeq ($(origin PGHOST)$(origin PGPORT),undefinedundefined)
NO_INSTALLCHECK = 1
endif

PGXS := $(shell $(PG_CONFIG) --pgxs)
ifeq ($(wildcard $(PGXS)),)
$(error $(PG_CONFIG) ($(PG_VERSION_STR)) has no PGXS ("$(PGXS)"): install postgresql-server-dev-$(PG_MAJOR) (bash scripts/install_deps.sh build))
endif
include $(PGXS)
endif

ifdef NO_INSTALLCHECK
.PHONY: installcheck
installcheck:
	CASEMIS_TEST_SQL_ONLY=1 bash test/run_all.sh
endif

# PGXS's LLVM bitcode step (clang) does not see PG_CXXFLAGS.
COMPILE.cxx.bc += -std=c++17 -Wno-register -I$(srcdir)/src

$(DATA_built): $(SQL_PIECES) $(EXTENSION).control
	cat $(SQL_PIECES) > $@

-include $(OBJS:.o=.d)
# The library knows the version it serves (src/run/schema_version.cpp).
src/run/schema_version.o src/run/schema_version.bc: $(EXTENSION).control

.PHONY: test demo unit unit-asan unit-tsan fuzz bench pgconfig deb schedulecheck
# The Debian package (dpkg-buildpackage + pg_buildext, in a copy of the tree) into dist/.
deb:
	bash scripts/build_deb.sh
# Which PostgreSQL `make` builds for (PG_CONFIG: environment, else PATH, else Debian's).
pgconfig:
	@echo "PG_CONFIG=$(PG_CONFIG)"; $(PG_CONFIG) --version
test:
	bash test/run_all.sh
demo:
	bash scripts/demo.sh
unit:
	$(MAKE) -C test/unit run
unit-asan:
	$(MAKE) -C test/unit run-asan
unit-tsan:
	$(MAKE) -C test/unit run-tsan
fuzz:
	$(MAKE) -C test/fuzz run SECONDS=$(or $(SECONDS),60)
bench:
	bash bench/run.sh
schedulecheck:
	bash test/schedule_check.sh
