// Domain names in uncompressed wire format, lowercased: the form every
// lookup in webstack compares.
#include "core/dns/name.hpp"

#include "core/dns/ldns_ptr.hpp"

namespace core::dns {

std::optional<std::string> name_from_text(std::string_view text, std::string_view origin,
                                          std::string& error) {
    if (text == "@") {
        if (origin.empty()) {
            error = "'@' needs an origin";
            return std::nullopt;
        }
        return std::string(origin);
    }
    const bool absolute =
        !text.empty() && text.back() == '.' && !(text.size() >= 2 && text[text.size() - 2] == '\\');
    RdfPtr name(ldns_dname_new_frm_str(std::string(text).c_str()));
    if (!name || text.empty()) {
        error = "'" + std::string(text) + "' is not a valid domain name";
        return std::nullopt;
    }
    std::string wire(reinterpret_cast<const char*>(ldns_rdf_data(name.get())),
                     ldns_rdf_size(name.get()));
    if (!absolute && text != ".") {
        if (origin.empty()) {
            error = "relative name '" + std::string(text) + "' without an origin";
            return std::nullopt;
        }
        // ldns made it absolute under the root: replace that root with the origin.
        wire.pop_back();
        wire += origin;
        if (wire.size() > 255) {
            error = "'" + std::string(text) + "' is longer than 255 octets under its origin";
            return std::nullopt;
        }
    }
    return lowercase_name(wire);
}

std::optional<std::string> name_from_text(std::string_view text, std::string& error) {
    return name_from_text(text, {}, error);
}

std::string name_to_text(std::string_view wire) {
    // A view of our bytes, not a copy: freed with ldns_rdf_free, which
    // leaves the data alone.
    ldns_rdf* view = ldns_rdf_new(LDNS_RDF_TYPE_DNAME, wire.size(), const_cast<char*>(wire.data()));
    CString text(ldns_rdf2str(view));
    ldns_rdf_free(view);
    return text ? std::string(text.get()) : std::string();
}

std::string lowercase_name(std::string_view wire) {
    std::string out(wire);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

size_t label_count(std::string_view wire) {
    size_t count = 0;
    size_t i = 0;
    while (i < wire.size() && wire[i] != 0) {
        ++count;
        i += static_cast<unsigned char>(wire[i]) + 1;
    }
    return count;
}

std::string_view parent_of(std::string_view wire) {
    if (wire.empty() || wire[0] == 0) return wire;
    return wire.substr(static_cast<unsigned char>(wire[0]) + 1);
}

bool is_at_or_below(std::string_view name, std::string_view ancestor) {
    // Walk name's label boundaries: a plain suffix match could split a label.
    std::string_view current = name;
    while (current.size() >= ancestor.size()) {
        if (current == ancestor) return true;
        if (current.empty() || current[0] == 0) return false;
        current = parent_of(current);
    }
    return false;
}

}  // namespace core::dns
