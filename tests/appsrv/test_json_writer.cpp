#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "appsrv/json_writer.hpp"

using appsrv::JsonWriter;

TEST_CASE("JsonWriter separates members and items with commas at every depth") {
    JsonWriter out;
    out.begin_object().field("a", 1).key("list").begin_array();
    out.begin_object().field("x", "one").end_object();
    out.begin_object().end_object();
    out.value(int64_t{-7}).value("s");
    out.end_array().key("empty").begin_array().end_array().field("z", "end").end_object();
    const std::string text = std::move(out).take();
    CHECK(text == R"({"a":1,"list":[{"x":"one"},{},-7,"s"],"empty":[],"z":"end"})"
                  "\n");
    CHECK(nlohmann::json::parse(text)["list"][2] == -7);
}

TEST_CASE("JsonWriter escapes what JSON requires and replaces bytes that are not UTF-8") {
    const auto written = [](std::string_view text) {
        JsonWriter out;
        out.begin_object().field("v", text).end_object();
        return std::move(out).take();
    };
    CHECK(written("plain text.example.") == "{\"v\":\"plain text.example.\"}\n");
    CHECK(written("say \"hi\" \\ now") == "{\"v\":\"say \\\"hi\\\" \\\\ now\"}\n");
    CHECK(written(std::string("tab\there\nnul\0", 13)) == "{\"v\":\"tab\\there\\nnul\\u0000\"}\n");
    // UTF-8 passes as it is; a stray byte becomes U+FFFD.
    CHECK(written("caf\xc3\xa9") == "{\"v\":\"caf\xc3\xa9\"}\n");
    CHECK(written("bad \xff byte") == "{\"v\":\"bad \xef\xbf\xbd byte\"}\n");
    // Whatever it writes, a parser reads back.
    const std::string every_ascii = [] {
        std::string s;
        for (int c = 1; c < 128; ++c)
            s += static_cast<char>(c);
        return s;
    }();
    CHECK(nlohmann::json::parse(written(every_ascii))["v"] == every_ascii);
}

TEST_CASE("JsonWriter writes the extremes of a 64-bit integer") {
    JsonWriter out;
    out.begin_array().value(INT64_MIN).value(INT64_MAX).value(int64_t{0}).end_array();
    CHECK(std::move(out).take() == "[-9223372036854775808,9223372036854775807,0]\n");
}
