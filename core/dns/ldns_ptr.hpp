// Owning pointers for ldns's C objects.
#pragma once

#include <cstdlib>
#include <memory>

// ldns's common.h defines bool, true and false as macros unless
// stdbool.h came first, which breaks C++ headers included after it.
#include <stdbool.h>  // NOLINT(modernize-deprecated-headers)

#include <ldns/ldns.h>

namespace core::dns {

struct LdnsRrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct LdnsRdfFree {
    void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
struct LdnsBufferFree {
    void operator()(ldns_buffer* buffer) const { ldns_buffer_free(buffer); }
};

// Strings that ldns allocates with malloc (ldns_rr2str and the like).
struct CFree {
    void operator()(char* text) const { free(text); }
};
using CString = std::unique_ptr<char, CFree>;

using RrPtr = std::unique_ptr<ldns_rr, LdnsRrFree>;
using RdfPtr = std::unique_ptr<ldns_rdf, LdnsRdfFree>;
using BufferPtr = std::unique_ptr<ldns_buffer, LdnsBufferFree>;

}  // namespace core::dns
