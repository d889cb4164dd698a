// main.cpp -- runs every TEST of the linked *_test.cpp files.
// Usage: unit_tests [substring]   (only the cases whose name contains it)
#include <cstring>

#include "harness.hpp"

int main(int argc, char **argv)
{
    const char *filter = argc > 1 ? argv[1] : nullptr;
    int passed = 0, failed = 0;
    for (const harness::Case &c : harness::cases()) {
        if (filter && !std::strstr(c.name, filter))
            continue;
        harness::current_failures() = 0;
        try {
            c.fn();
        } catch (const std::exception &e) {
            harness::fail(c.name, 0, std::string("uncaught exception: ") + e.what());
        } catch (...) {
            harness::fail(c.name, 0, "uncaught non-standard exception");
        }
        if (harness::current_failures() == 0) {
            ++passed;
        } else {
            ++failed;
            std::printf("FAIL %s\n", c.name);
        }
    }
    std::printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
