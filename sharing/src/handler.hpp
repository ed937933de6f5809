// What `silico serve` answers to one request, independent of the connection it came on (private).
#pragma once

#include <atomic>
#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "silico/sharing/server.hpp"
#include "tokens.hpp"

namespace silico::sharing {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct ServerContext {
    store::Store& store;
    ServerOptions options;
    std::optional<TokenSet> write_tokens;  // none: the server accepts no writes
    std::optional<TokenSet> read_tokens;   // none: reads are open
    std::atomic<unsigned> connections{0};
};

// The response to `request` from `peer` ("ADDR:PORT"); logs every write and every refused write.
Response handle_request(ServerContext& context, const Request& request, const std::string& peer);

// A short text response ("413 Payload Too Large: ...").
Response text_response(boost::beast::http::status status, unsigned version, bool keep_alive,
                       std::string text);

}  // namespace silico::sharing
