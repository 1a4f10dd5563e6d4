// The answer path: from a query packet and a zone snapshot to a response,
// as a pure function with a named outcome. Listeners only frame bytes.
//
// RFC 1034 §4.3.2 in the order Knot and NSD use: find the zone, walk from
// its apex down to the name (a delegation or DNAME on the way decides),
// then the exact name (CNAME, the type asked, or NODATA), then a wildcard
// at the closest encloser (RFC 4592), else NXDOMAIN.
#include "dnsd/answer.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <list>

#include "core/dns/name.hpp"
#include "dnsd/message_writer.hpp"
#include "dnsd/query.hpp"

namespace dnsd {

using namespace core::dns;

namespace {

constexpr int kMaxChain = 16;  // CNAME/DNAME steps followed inside a zone

class Resolver {
  public:
    Resolver(const Zone& zone, const Query& query, MessageWriter& writer, const HealthView* health)
        : zone_(zone), query_(query), writer_(writer), health_(health) {}

    Outcome run();

  private:
    Outcome answer_node(const Node& node, std::string_view owner);
    Outcome referral(const Node& cut, std::string_view cut_name);
    Outcome negative(uint8_t rcode);
    void add_additional(const RRset& rrset);
    bool add_answer(std::string_view owner, const RRset& rrset);
    // Follows a CNAME target: true to go on resolving `name_`.
    bool follow(std::string_view target);
    // The addresses of a checked name that pass their checks (all when
    // none does), with the checks' TTL; nullptr when `owner` is not
    // checked.
    const RRset* healthy(std::string_view owner, const RRset& rrset);

    const Zone& zone_;
    const Query& query_;
    MessageWriter& writer_;
    const HealthView* health_;            // nullptr: no name is checked
    RRset healthy_;                       // the filtered RRset, alive while the message is built
    std::string_view name_;               // the name being resolved: the qname, then CNAME targets
    std::list<std::string> synthesized_;  // names made by DNAME, alive while the message is built
    // The names resolved so far, for loop detection: a fixed array, since
    // this runs for every query.
    std::array<std::string_view, kMaxChain + 1> visited_;
    size_t visited_count_ = 0;
    bool followed_ = false;
};

const RRset* Resolver::healthy(std::string_view owner, const RRset& rrset) {
    if (!health_ || (rrset.type != type::A && rrset.type != type::AAAA)) return nullptr;
    // The names resolved are lowercase today (the qname, the zone's own);
    // lowered here too, so that the verdicts never depend on it.
    char lower[256];
    const size_t length = std::min(owner.size(), sizeof lower);
    for (size_t i = 0; i < length; ++i) {
        const char c = owner[i];
        lower[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
    }
    const HealthView::Name* verdicts = health_->find(std::string_view(lower, length));
    if (!verdicts) return nullptr;
    healthy_.type = rrset.type;
    healthy_.rclass = rrset.rclass;
    healthy_.ttl = verdicts->ttl;
    healthy_.rdatas.clear();
    for (const auto& rdata : rrset.rdatas) {
        if (!verdicts->down.count(rdata)) healthy_.rdatas.push_back(rdata);
    }
    // Fail open: with every address failing, the checks are likelier wrong
    // than every host dead.
    if (healthy_.rdatas.empty()) healthy_.rdatas = rrset.rdatas;
    return &healthy_;
}

bool Resolver::add_answer(std::string_view owner, const RRset& rrset) {
    if (writer_.add(Section::answer, owner, rrset)) return true;
    writer_.set_truncated();
    return false;
}

void Resolver::add_additional(const RRset& rrset) {
    // In-zone addresses of MX, NS and SRV targets; what does not fit is
    // left out without TC, since it was not asked for.
    for (const auto& target : rrset.targets) {
        const Node* node = target.in_zone ? zone_.find(target.name) : nullptr;
        if (!node) continue;
        for (uint16_t t : {type::A, type::AAAA}) {
            if (const RRset* address = node->find(t))
                writer_.add(Section::additional, target.name, *address);
        }
    }
}

Outcome Resolver::negative(uint8_t rcode) {
    writer_.set_rcode(rcode);
    const uint32_t ttl = zone_.negative_ttl();
    if (!writer_.add(Section::authority, zone_.apex(), zone_.soa(), &ttl)) writer_.set_truncated();
    return rcode == rcode::nxdomain ? Outcome::nxdomain : Outcome::nodata;
}

bool Resolver::follow(std::string_view target) {
    if (!is_at_or_below(target, zone_.apex())) return false;  // outside: the resolver goes on
    const auto visited_end = visited_.begin() + static_cast<std::ptrdiff_t>(visited_count_);
    if (std::find(visited_.begin(), visited_end, target) != visited_end) return false;  // a loop
    if (visited_count_ >= kMaxChain) return false;
    visited_[visited_count_++] = target;
    name_ = target;
    followed_ = true;
    return true;
}

Outcome Resolver::referral(const Node& cut, std::string_view cut_name) {
    // A referral is not authoritative, unless a CNAME of ours led here.
    if (!followed_) writer_.set_aa(false);
    const RRset* ns = cut.find(type::NS);
    if (!writer_.add(Section::authority, cut_name, *ns)) {
        writer_.set_truncated();
        return Outcome::referral;
    }
    // Glue. In-domain glue (below the cut) is required: if it does not
    // fit, the answer is truncated (RFC 9471). Other in-zone addresses are
    // added when there is room.
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& target : ns->targets) {
            const bool in_domain = target.below_owner;
            if ((pass == 0) != in_domain || !target.in_zone) continue;
            const Node* node = zone_.find(target.name);
            if (!node) continue;
            for (uint16_t t : {type::A, type::AAAA}) {
                const RRset* address = node->find(t);
                if (address && !writer_.add(Section::additional, target.name, *address) &&
                    in_domain) {
                    writer_.set_truncated();
                }
            }
        }
    }
    return Outcome::referral;
}

Outcome Resolver::answer_node(const Node& node, std::string_view owner) {
    if (node.empty()) return negative(rcode::noerror);
    const RRset* cname = node.find(type::CNAME);
    // A query for the CNAME itself, or for ANY (which the CNAME RRset
    // matches, RFC 1034 §3.6.2), gets it without a restart at its target.
    if (cname && query_.qtype != type::CNAME && query_.qtype != type::ANY) {
        if (!add_answer(owner, *cname)) return Outcome::cname;
        if (follow(cname->rdatas[0])) return run();
        return Outcome::cname;
    }
    if (query_.qtype == type::ANY) {
        // RFC 8482 §4.2: one RRset of the name, not all of them.
        const RRset& first = node.rrsets.front();
        if (add_answer(owner, first)) add_additional(first);
        return Outcome::hit;
    }
    const RRset* rrset = node.find(query_.qtype);
    if (!rrset) return negative(rcode::noerror);
    if (const RRset* filtered = healthy(owner, *rrset)) rrset = filtered;
    if (add_answer(owner, *rrset)) add_additional(*rrset);
    return Outcome::hit;
}

Outcome Resolver::run() {
    if (name_.empty()) {
        name_ = query_.qname();
        visited_[visited_count_++] = name_;
    }
    // The names from just below the apex down to name_, walked top-down.
    std::string_view path[128];
    size_t depth = 0;
    for (std::string_view up = name_; up.size() > zone_.apex().size() && depth < 128;
         up = parent_of(up)) {
        path[depth++] = up;
    }
    std::string_view encloser_name = zone_.apex();  // the closest encloser
    const Node* exact = depth == 0 ? &zone_.apex_node() : nullptr;
    for (size_t i = depth; i-- > 0;) {
        const Node* node = zone_.find(path[i]);
        if (!node) break;
        const bool is_name = i == 0;
        // At a cut, DS is answered from this (the parent) side.
        if (node->delegation && !(is_name && query_.qtype == type::DS))
            return referral(*node, path[i]);
        if (node->dname && !is_name) {
            // RFC 6672: the DNAME, then a CNAME from name_ to the name with
            // the DNAME's owner replaced by its target.
            const RRset* dname = node->find(type::DNAME);
            if (!add_answer(path[i], *dname)) return Outcome::cname;
            const std::string_view prefix = name_.substr(0, name_.size() - path[i].size());
            std::string target = lowercase_name(std::string(prefix) + dname->rdatas[0]);
            if (target.size() > 255) {
                writer_.set_rcode(rcode::yxdomain);
                return Outcome::cname;
            }
            const std::string& stored = synthesized_.emplace_back(std::move(target));
            if (!writer_.add_one(Section::answer, name_, type::CNAME, dname->rclass, dname->ttl,
                                 stored)) {
                writer_.set_truncated();
                return Outcome::cname;
            }
            if (follow(stored)) return run();
            return Outcome::cname;
        }
        encloser_name = path[i];
        if (is_name) exact = node;
    }
    if (exact) return answer_node(*exact, name_);

    // The name does not exist: a wildcard at the closest encloser answers
    // for it, with the name asked as owner (RFC 4592 §3.3.1).
    // Built on the stack: a name that does not exist costs no allocation.
    char wildcard[2 + 255];
    if (encloser_name.size() + 2 <= 255) {
        wildcard[0] = 1;
        wildcard[1] = '*';
        std::memcpy(wildcard + 2, encloser_name.data(), encloser_name.size());
        const std::string_view name(wildcard, encloser_name.size() + 2);
        if (const Node* source = zone_.find(name)) return answer_node(*source, name_);
    }
    return negative(rcode::nxdomain);
}

Outcome answer_chaos(const Query& query, const AnswerOptions& options, MessageWriter& writer) {
    std::string error;
    const auto is = [&](const char* text) { return query.qname() == *name_from_text(text, error); };
    const std::string* value = nullptr;
    if (is("version.bind.") || is("version.server.")) value = &options.version;
    if (is("id.server.") || is("hostname.bind.")) value = &options.identity;
    if (!value || value->empty()) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    if (query.qtype == type::TXT || query.qtype == type::ANY) {
        std::string rdata(1, static_cast<char>(std::min<size_t>(value->size(), 255)));
        rdata += value->substr(0, 255);
        writer.add_one(Section::answer, query.qname(), type::TXT, rrclass::CH, 0, rdata);
    }
    writer.set_aa(true);
    return Outcome::chaos;
}

}  // namespace

Outcome answer_query(const ZoneSet& zones, const Query& query, const AnswerOptions& options,
                     MessageWriter& writer) {
    if (query.qclass == rrclass::CH) return answer_chaos(query, options, writer);
    if (query.qclass != rrclass::IN && query.qclass != rrclass::ANY) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    const Zone* zone = zones.find_zone(query.qname());
    if (!zone) {
        writer.set_rcode(rcode::refused);
        return Outcome::refused;
    }
    if (!zone->available()) {
        writer.set_rcode(rcode::servfail);
        return Outcome::servfail;
    }
    writer.set_aa(true);
    Resolver resolver(*zone, query, writer,
                      options.health && !options.health->empty() ? options.health.get() : nullptr);
    return resolver.run();
}

}  // namespace dnsd
