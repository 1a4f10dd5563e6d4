// JSON written straight into a string, for the API's answers. They are a
// few fields each: building them as nlohmann::json first (a map node and
// a string per field) cost more than the database read behind a GET.
// Parsing stays with nlohmann::json, and so does the escaping of any
// string that is not plain printable ASCII.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace appsrv {

class JsonWriter {
  public:
    JsonWriter() { out_.reserve(128); }

    JsonWriter& begin_object() { return open('{'); }
    JsonWriter& end_object() { return close('}'); }
    JsonWriter& begin_array() { return open('['); }
    JsonWriter& end_array() { return close(']'); }
    // The name of the next member; `name` is one of ours, plain ASCII.
    JsonWriter& key(std::string_view name);
    JsonWriter& value(std::string_view text);
    JsonWriter& value(const char* text) { return value(std::string_view(text)); }
    JsonWriter& value(int64_t number);
    JsonWriter& null();
    JsonWriter& boolean(bool truth);
    // A value that is JSON text already (kept in the database); what does
    // not parse is written as a string rather than break the answer.
    JsonWriter& json_text(std::string_view text);

    template <typename T>
    JsonWriter& field(std::string_view name, const T& v) {
        return key(name).value(v);
    }

    // The document, ended by a newline as every answer of the API is.
    std::string take() &&;

  private:
    void next_item();
    JsonWriter& open(char bracket);
    JsonWriter& close(char bracket);

    std::string out_;
    bool after_item_ = false;  // a comma comes before the next item
};

}  // namespace appsrv
