// The heads a proxy passes on: hop-by-hop fields removed (RFC 9110
// §7.6.1), Via added (§7.6.3), and the X-Forwarded-* and X-Request-Id
// fields an app server needs to see its real client.
#pragma once

#include <string>
#include <string_view>

#include "core/http/client_connection.hpp"
#include "core/http/message.hpp"

namespace httpd {

// The fields but Connection, every field it names, and the other
// hop-by-hop fields; the kept ones are moved, not copied.
core::http::Headers without_hop_by_hop(core::http::Headers&& headers);

// The request to send upstream for a client's request, serialized as it
// is filtered (no fields are copied on the way), with the framing the
// connection must know.
struct UpstreamRequest {
    std::string head;
    core::http::ClientConnection::Framing framing;
};
// An HTTP/1.0 request may come without Host; HTTP/1.1 to the member needs
// one (RFC 9112 §3.2): `host_if_missing` is sent then (the pool's name, as
// nginx sends $proxy_host).
// `secure`: the client came over TLS (X-Forwarded-Proto: https).
UpstreamRequest upstream_request(const core::http::RequestHead& client, std::string_view client_ip,
                                 std::string_view request_id,
                                 std::string_view host_if_missing = "localhost",
                                 bool secure = false);

// The response to send the client for an upstream's response.
core::http::ResponseHead client_response(core::http::ResponseHead&& upstream);

// The IP alone of a peer named "1.2.3.4:5678" or "[::1]:5678".
std::string client_ip(std::string_view peer);

// The client's X-Request-Id when it is sane, else a new random one.
std::string request_id_for(const core::http::RequestHead& client);

}  // namespace httpd
