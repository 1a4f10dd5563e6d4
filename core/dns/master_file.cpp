// Reading RFC 1035 master files: directives ($ORIGIN, $TTL, $INCLUDE
// relative to the including file), records through ldns, errors that name
// the file and the line.
#include "core/dns/master_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dns/name.hpp"
#include "core/dns/tokens.hpp"
#include "core/unique_fd.hpp"

namespace core::dns {
namespace {

constexpr int kMaxIncludeDepth = 8;

struct Reader {
    MasterFile& out;
    bool includes_allowed;

    void parse(std::string_view text, const std::string& file, RecordContext& context, int depth);
    void read(const std::string& path, RecordContext& context, int depth,
              const std::string& shown_name);
};

std::string read_file(const std::string& path, const std::string& shown, int line) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ZoneFileError(shown, line, "cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void Reader::read(const std::string& path, RecordContext& context, int depth,
                  const std::string& shown_name) {
    parse(read_file(path, shown_name, 0), path, context, depth);
}

void Reader::parse(std::string_view text, const std::string& file, RecordContext& context,
                   int depth) {
    std::vector<std::vector<Token>> records;
    std::string error;
    int error_line = 0;
    if (!tokenize(text, records, error, error_line)) throw ZoneFileError(file, error_line, error);
    for (const auto& tokens : records) {
        const int line = tokens[0].line;
        const auto fail = [&](const std::string& message) {
            throw ZoneFileError(file, line, message);
        };
        const std::string& first = tokens[0].text;
        if (!tokens[0].blank_owner && first.starts_with('$')) {
            if (first == "$ORIGIN") {
                if (tokens.size() != 2) fail("$ORIGIN takes one name");
                auto origin = name_from_text(tokens[1].text, context.origin, error);
                if (!origin) fail(error);
                context.origin = *origin;
                if (out.origin.empty()) out.origin = *origin;
            } else if (first == "$TTL") {
                if (tokens.size() != 2) fail("$TTL takes one value");
                auto ttl = parse_ttl(tokens[1].text);
                if (!ttl) fail("invalid $TTL '" + tokens[1].text + "'");
                context.default_ttl = ttl;
            } else if (first == "$INCLUDE") {
                if (!includes_allowed) fail("$INCLUDE is not allowed here");
                if (tokens.size() < 2 || tokens.size() > 3)
                    fail("$INCLUDE takes a file name and an optional origin");
                if (depth >= kMaxIncludeDepth) fail("$INCLUDE nested too deep (a loop?)");
                std::filesystem::path included(tokens[1].text);
                if (included.is_relative())
                    included = std::filesystem::path(file).parent_path() / included;
                // The included file starts with the includer's context but
                // gives nothing back (RFC 1035 §5.1: the origin is restored).
                RecordContext inner = context;
                if (tokens.size() == 3) {
                    auto origin = name_from_text(tokens[2].text, context.origin, error);
                    if (!origin) fail(error);
                    inner.origin = *origin;
                }
                parse(read_file(included.string(), file, line), included.string(), inner,
                      depth + 1);
            } else {
                fail("unknown directive " + first);
            }
            continue;
        }
        auto record = record_from_tokens(tokens, context, error);
        if (!record) fail(error);
        if (out.origin.empty()) {
            if (record->type != type::SOA)
                fail("no $ORIGIN, and the first record is not the zone's SOA");
            out.origin = record->owner;
            if (context.origin.empty()) context.origin = record->owner;
        }
        record->origin = FileLine{file, line};
        out.records.push_back(std::move(*record));
    }
}

}  // namespace

MasterFile read_master_file(const std::string& path, std::string origin) {
    MasterFile out;
    out.origin = origin;
    RecordContext context;
    context.origin = origin;
    Reader reader{out, true};
    reader.read(path, context, 0, path);
    if (out.origin.empty()) throw ZoneFileError(path, 0, "the file holds no record");
    return out;
}

MasterFile parse_master_text(std::string_view text, const std::string& name, std::string origin) {
    MasterFile out;
    out.origin = origin;
    RecordContext context;
    context.origin = origin;
    Reader reader{out, false};
    reader.parse(text, name, context, 0);
    return out;
}

namespace {

[[noreturn]] void fail(const std::string& path, const char* doing) {
    throw std::runtime_error(path + ": " + doing + ": " + std::strerror(errno));
}

void write_all(int fd, std::string_view data, const std::string& path) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail(path, "write");
        data.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace

void write_master_file(const std::string& path, std::string_view origin,
                       const std::vector<Record>& records, std::string_view comment) {
    std::string text;
    text.reserve(records.size() * 64 + 256);
    for (size_t at = 0; at < comment.size();) {
        const size_t end = std::min(comment.find('\n', at), comment.size());
        text += "; ";
        text += comment.substr(at, end - at);
        text += '\n';
        at = end + 1;
    }
    text += "$ORIGIN " + name_to_text(origin) + "\n";
    const auto append = [&](const Record& record) {
        const std::string rdata = rdata_to_text(record);
        if (rdata.empty() && !record.rdata.empty())
            throw std::runtime_error(path + ": cannot write " + name_to_text(record.owner) + " " +
                                     type_to_text(record.type) + ": its data does not decode");
        text += record_to_text(record);
        text += '\n';
    };
    for (const auto& record : records) {
        if (record.type == type::SOA && record.owner == origin) append(record);
    }
    for (const auto& record : records) {
        if (!(record.type == type::SOA && record.owner == origin)) append(record);
    }

    const std::filesystem::path target(path);
    const std::filesystem::path directory =
        target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::string temporary = (directory / ("." + target.filename().string() + ".XXXXXX")).string();
    UniqueFd fd(::mkstemp(temporary.data()));
    if (!fd) fail(temporary, "create");
    try {
        write_all(fd.get(), text, temporary);
        if (::fchmod(fd.get(), 0644) != 0) fail(temporary, "chmod");
        if (::fsync(fd.get()) != 0) fail(temporary, "fsync");
        fd.reset();
        if (::rename(temporary.c_str(), path.c_str()) != 0) fail(path, "rename");
    } catch (...) {
        ::unlink(temporary.c_str());
        throw;
    }
    // The rename itself survives a crash once the directory is synced.
    UniqueFd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir) ::fsync(dir.get());
}

}  // namespace core::dns
