// harness.hpp -- a tiny test harness (no external framework).
//
//   TEST(name) { CHECK(cond); CHECK_EQ(actual, expected); CHECK_THROWS(expr, Type); }
//
// Failures print "file:line: ..." and the test case goes on; an uncaught exception
// fails the case. The runner (main.cpp) prints one closing line "N passed, N failed"
// and exits non-zero if any case failed.
#pragma once

#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace harness {

struct Case {
    const char *name;
    void (*fn)();
};

inline std::vector<Case> &cases()
{
    static std::vector<Case> all;
    return all;
}

inline int &current_failures()
{
    static int n = 0;
    return n;
}

struct Register {
    Register(const char *name, void (*fn)()) { cases().push_back({name, fn}); }
};

inline void fail(const char *file, int line, const std::string &what)
{
    std::printf("%s:%d: FAILED %s\n", file, line, what.c_str());
    ++current_failures();
}

// Printable form of a value for failure messages; strings are quoted and escaped.
inline std::string quote(std::string_view s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else {
            char b[8];
            std::snprintf(b, sizeof b, "\\x%02X", c);
            out += b;
        }
    }
    return out + "\"";
}

template <class T, class = void> struct Streamable : std::false_type {};
template <class T>
struct Streamable<T, std::void_t<decltype(std::declval<std::ostream &>() << std::declval<const T &>())>>
    : std::true_type {};

template <class T> std::string show(const T &v)
{
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, bool>) {
        return v ? "true" : "false";
    } else if constexpr (std::is_convertible_v<const T &, std::string_view>) {
        return quote(std::string_view(v));
    } else if constexpr (std::is_enum_v<D>) {
        return "enum " + std::to_string(static_cast<long long>(v));
    } else if constexpr (Streamable<D>::value) {
        std::ostringstream os;
        os << v;
        return os.str();
    } else {
        return "(value)";
    }
}

template <class T> std::string show(const std::vector<T> &v)
{
    std::string out = "{";
    for (size_t i = 0; i < v.size(); ++i)
        out += (i ? ", " : "") + show(v[i]);
    return out + "}";
}

// Equality that does not trip -Wsign-compare when integer types differ, and
// compares C strings by content.
template <class A, class B> bool equal(const A &a, const B &b)
{
    if constexpr (std::is_convertible_v<const A &, std::string_view> &&
                  std::is_convertible_v<const B &, std::string_view>) {
        return std::string_view(a) == std::string_view(b);
    } else if constexpr (std::is_integral_v<A> && std::is_integral_v<B> && !std::is_same_v<A, bool> &&
                  !std::is_same_v<B, bool>) {
        if constexpr (std::is_signed_v<A> != std::is_signed_v<B>) {
            if ((std::is_signed_v<A> && a < A(0)) || (std::is_signed_v<B> && b < B(0)))
                return false;
            return static_cast<unsigned long long>(a) == static_cast<unsigned long long>(b);
        } else {
            return a == b;
        }
    } else {
        return a == b;
    }
}

} // namespace harness

#define TEST(name)                                                                                 \
    static void name();                                                                            \
    static const ::harness::Register name##_registered(#name, name);                               \
    static void name()

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ::harness::fail(__FILE__, __LINE__, "CHECK(" #cond ")");                               \
    } while (0)

#define CHECK_EQ(actual, expected)                                                                 \
    do {                                                                                           \
        const auto harness_a = (actual); /* copies: `actual` may refer into a temporary */         \
        const auto harness_b = (expected);                                                         \
        if (!::harness::equal(harness_a, harness_b))                                               \
            ::harness::fail(__FILE__, __LINE__,                                                    \
                            "CHECK_EQ(" #actual ", " #expected "): got " +                         \
                                ::harness::show(harness_a) + ", expected " +                       \
                                ::harness::show(harness_b));                                       \
    } while (0)

#define CHECK_THROWS(expr, Type)                                                                   \
    do {                                                                                           \
        bool harness_thrown = false;                                                               \
        try {                                                                                      \
            (void)(expr);                                                                          \
        } catch (const Type &) {                                                                   \
            harness_thrown = true;                                                                 \
        }                                                                                          \
        if (!harness_thrown)                                                                       \
            ::harness::fail(__FILE__, __LINE__, "CHECK_THROWS(" #expr ", " #Type ")");             \
    } while (0)
