// The http:// and https:// backend of Remote (remote.hpp), with Boost.Beast over Boost.Asio and OpenSSL.
//
// Every operation (resolve, connect, TLS handshake, write, read) runs asynchronously on a private io_context
// that is driven for at most the timeout; an operation still pending then is cancelled by closing the socket,
// so no server can make a client wait longer than the timeout per step. One connection is kept alive between
// requests; a request that fails on a reused connection (the server closed it while idle) is retried once on
// a fresh one, which is safe because GET, HEAD and PUT of content-addressed bytes are idempotent.
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "silico/sharing/remote.hpp"
#include "silico/store/store.hpp"

namespace silico::sharing {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

struct Url {
    bool tls = false;
    std::string host, port, prefix;  // prefix: "" or "/path" without a trailing '/'
};

Result<Url> parse_url(const std::string& text) {
    Url url;
    std::string_view rest = text;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
    } else if (rest.starts_with("https://")) {
        url.tls = true;
        rest.remove_prefix(8);
    } else {
        return fail(Errc::invalid_argument, "a remote URL starts with http:// or https://", text);
    }
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) url.prefix = std::string(rest.substr(slash));
    while (!url.prefix.empty() && url.prefix.back() == '/') url.prefix.pop_back();
    const auto colon = authority.rfind(':');
    if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
        url.host = std::string(authority.substr(0, colon));
        url.port = std::string(authority.substr(colon + 1));
    } else {
        url.host = std::string(authority);
        url.port = url.tls ? "443" : "80";
    }
    if (url.host.empty() || url.port.empty() || url.port.find_first_not_of("0123456789") != std::string::npos)
        return fail(Errc::invalid_argument, "expected http[s]://HOST[:PORT][/PREFIX]", text);
    return url;
}

using Response = http::response<http::string_body>;

// Content codings are case-insensitive (RFC 9110 8.4.1).
bool same_coding(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

class HttpRemote final : public Remote {
  public:
    HttpRemote(RemoteOptions options, Url url) : m_options(std::move(options)), m_url(std::move(url)) {}

    std::string describe() const override {
        return std::string(m_url.tls ? "https://" : "http://") + m_url.host + ":" + m_url.port + m_url.prefix;
    }

    Result<std::optional<std::string>> get(Area area, const Digest& key) override {
        auto response = request(http::verb::get, path(area, key), {});
        if (!response) return std::unexpected(response.error());
        if (response->result() == http::status::not_found) return std::optional<std::string>{};
        if (response->result() != http::status::ok) return refusal(*response, "GET", path(area, key));
        return std::optional<std::string>(std::move(response->body()));
    }

    Result<std::vector<std::optional<std::string>>> get_many(Area area,
                                                             const std::vector<Digest>& keys) override;
    Result<std::vector<std::optional<BlobBody>>> get_blobs(const std::vector<Digest>& digests) override;

    Result<bool> contains(Area area, const Digest& key) override {
        auto response = request(http::verb::head, path(area, key), {});
        if (!response) return std::unexpected(response.error());
        if (response->result() == http::status::not_found) return false;
        if (response->result() != http::status::ok) return refusal(*response, "HEAD", path(area, key));
        return true;
    }

    Status put(Area area, const Digest& key, std::string_view bytes) override {
        auto response = request(http::verb::put, path(area, key), std::string(bytes));
        if (!response) return std::unexpected(response.error());
        if (http::to_status_class(response->result()) != http::status_class::successful)
            return refusal(*response, "PUT", path(area, key));
        return {};
    }

    Result<std::vector<Digest>> list(Area area) override {
        const std::string target = m_url.prefix + "/" + std::string(to_string(area)) + "/";
        auto response = request(http::verb::get, target, {});
        if (!response) return std::unexpected(response.error());
        if (response->result() != http::status::ok) return refusal(*response, "GET", target);
        return parse_listing(response->body());
    }

  private:
    std::string path(Area area, const Digest& key) const {
        return m_url.prefix + "/" + std::string(to_string(area)) + "/" + key.hex();
    }

    std::unexpected<Error> refusal(const Response& response, std::string_view method,
                                   const std::string& target) {
        std::string body = response.body().substr(0, 300);
        while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
        return fail(Errc::failed,
                    std::string(method) + " " + target + ": " + std::to_string(response.result_int()) + " " +
                        std::string(response.reason()) + (body.empty() ? "" : ": " + body),
                    describe());
    }

    // silico serve's listing (one key a line) or nginx's `autoindex_format json` ([{"name": ...}, ...]).
    static Result<std::vector<Digest>> parse_listing(const std::string& body) {
        std::vector<std::string> names;
        if (!body.empty() && body.front() == '[') {
            auto json = nlohmann::json::parse(body, nullptr, false);
            if (!json.is_array()) return fail(Errc::failed, "the listing is not a JSON array");
            for (const auto& entry : json)
                if (entry.is_object() && entry.value("name", nlohmann::json()).is_string())
                    names.push_back(entry["name"].get<std::string>());
        } else {
            std::istringstream lines(body);
            for (std::string line; std::getline(lines, line);) names.push_back(line);
        }
        std::vector<Digest> keys;
        for (const auto& name : names)
            if (auto key = Digest::from_hex(name); key && name.size() == 64) keys.push_back(*key);
        return keys;
    }

    // Drives the io_context until `pending` completes or the timeout passes; then cancels by closing.
    beast::error_code drive(const bool& done, beast::error_code& result) {
        m_ioc.restart();
        m_ioc.run_for(m_options.timeout);
        if (!done) {
            close_socket();  // the pending operation completes with an error; the stream lives until then
            m_ioc.restart();
            m_ioc.run();
            close();
            return net::error::timed_out;
        }
        return result;
    }

    void close_socket() {
        beast::error_code ignored;
        if (m_tls) beast::get_lowest_layer(*m_tls).socket().close(ignored);
        if (m_plain) m_plain->socket().close(ignored);
    }

    void close() {
        close_socket();
        m_tls.reset();
        m_plain.reset();
        m_buffer.clear();
    }

    Status connect();
    // The answers to GETs of every key (std::nullopt for a 404), pipelined; with `zstd`, each GET asks for
    // `Accept-Encoding: zstd`. Any status but 200 and 404 is Errc::failed.
    Result<std::vector<std::optional<Response>>> get_pipelined(Area area, const std::vector<Digest>& keys,
                                                               bool zstd);
    // One round of get_pipelined: writes GETs of keys[from..] (at most k_pipeline) at once, then reads their
    // answers into `out`, returning how many arrived; an error only when none did.
    Result<std::size_t> pipeline_round(Area area, const std::vector<Digest>& keys, std::size_t from,
                                       bool zstd, std::vector<std::optional<Response>>& out);
    template <class Stream>
    beast::error_code write_raw(Stream& stream, const std::string& bytes);
    template <class Stream>
    beast::error_code read_one(Stream& stream, http::response_parser<http::string_body>& parser);
    Result<Response> request(http::verb verb, const std::string& target, std::string body);
    Result<Response> exchange(http::request<http::string_body>& req, bool head);
    template <class Stream>
    beast::error_code exchange_on(Stream& stream, http::request<http::string_body>& req,
                                  http::response_parser<http::string_body>& parser);

    Error transport(std::string what, const beast::error_code& ec) const {
        return Error{Errc::io, what + ": " + ec.message(), describe()};
    }

    RemoteOptions m_options;
    Url m_url;
    net::io_context m_ioc;
    std::optional<ssl::context> m_ssl;
    std::optional<beast::tcp_stream> m_plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> m_tls;
    beast::flat_buffer m_buffer;
};

Status HttpRemote::connect() {
    close();
    bool done = false;
    beast::error_code ec;
    tcp::resolver resolver(m_ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(m_url.host, m_url.port, [&](beast::error_code e, tcp::resolver::results_type r) {
        ec = e;
        endpoints = std::move(r);
        done = true;
    });
    m_ioc.restart();
    m_ioc.run_for(m_options.timeout);
    if (!done) {
        resolver.cancel();
        m_ioc.restart();
        m_ioc.run();
        return std::unexpected(transport("resolving " + m_url.host, net::error::timed_out));
    }
    if (ec) return std::unexpected(transport("resolving " + m_url.host, ec));
    if (m_url.tls && !m_ssl) {
        m_ssl.emplace(ssl::context::tls_client);
        m_ssl->set_verify_mode(ssl::verify_peer);
        if (m_options.ca_file.empty()) {
            m_ssl->set_default_verify_paths(ec);
        } else {
            m_ssl->load_verify_file(m_options.ca_file.string(), ec);
        }
        if (ec) {
            m_ssl.reset();
            return fail(Errc::io, "cannot load the certificates to trust: " + ec.message(),
                        m_options.ca_file.empty() ? "system" : m_options.ca_file.string());
        }
    }
    beast::tcp_stream* lowest = nullptr;
    if (m_url.tls) {
        m_tls.emplace(m_ioc, *m_ssl);
        lowest = &beast::get_lowest_layer(*m_tls);
    } else {
        m_plain.emplace(m_ioc);
        lowest = &*m_plain;
    }
    done = false;
    lowest->async_connect(endpoints, [&](beast::error_code e, const tcp::endpoint&) {
        ec = e;
        done = true;
    });
    if (auto e = drive(done, ec)) return std::unexpected(transport("connecting", e));
    // Small requests and TLS records written one after another must not wait for delayed ACKs (Nagle).
    beast::error_code nodelay_ec;
    lowest->socket().set_option(tcp::no_delay(true), nodelay_ec);
    if (!m_url.tls) return {};
    m_tls->set_verify_callback(ssl::host_name_verification(m_url.host));
    beast::error_code addr_ec;
    net::ip::make_address(m_url.host, addr_ec);
    if (addr_ec)  // SNI, for names only (SSL_set_tlsext_host_name without its C cast)
        SSL_ctrl(m_tls->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(m_url.host.c_str()));
    done = false;
    m_tls->async_handshake(ssl::stream_base::client, [&](beast::error_code e) {
        ec = e;
        done = true;
    });
    if (auto e = drive(done, ec)) {
        close();
        return std::unexpected(transport("TLS handshake", e));
    }
    return {};
}

template <class Stream>
beast::error_code HttpRemote::exchange_on(Stream& stream, http::request<http::string_body>& req,
                                          http::response_parser<http::string_body>& parser) {
    bool done = false;
    beast::error_code ec;
    http::async_write(stream, req, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    if (auto e = drive(done, ec)) return e;
    done = false;
    http::async_read(stream, m_buffer, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    return drive(done, ec);
}

Result<Response> HttpRemote::exchange(http::request<http::string_body>& req, bool head) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(m_options.max_response_bytes);
    if (head) parser.skip(true);
    const beast::error_code ec =
        m_tls ? exchange_on(*m_tls, req, parser) : exchange_on(*m_plain, req, parser);
    if (ec == http::error::body_limit)
        return fail(Errc::failed,
                    "the response exceeds " + std::to_string(m_options.max_response_bytes) + " bytes",
                    describe());
    if (ec)
        return std::unexpected(
            transport(std::string(req.method_string()) + " " + std::string(req.target()), ec));
    Response response = parser.release();
    if (!response.keep_alive()) close();
    return response;
}

template <class Stream>
beast::error_code HttpRemote::write_raw(Stream& stream, const std::string& bytes) {
    bool done = false;
    beast::error_code ec;
    net::async_write(stream, net::buffer(bytes), [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    return drive(done, ec);
}

template <class Stream>
beast::error_code HttpRemote::read_one(Stream& stream, http::response_parser<http::string_body>& parser) {
    bool done = false;
    beast::error_code ec;
    http::async_read(stream, m_buffer, parser, [&](beast::error_code e, std::size_t) {
        ec = e;
        done = true;
    });
    return drive(done, ec);
}

constexpr std::size_t k_pipeline = 32;  // requests in flight on one connection

Result<std::size_t> HttpRemote::pipeline_round(Area area, const std::vector<Digest>& keys, std::size_t from,
                                               bool zstd, std::vector<std::optional<Response>>& out) {
    const std::size_t n = std::min(k_pipeline, keys.size() - from);
    std::string requests;
    for (std::size_t i = from; i < from + n; ++i) {
        http::request<http::empty_body> req{http::verb::get, path(area, keys[i]), 11};
        req.set(http::field::host, m_url.host);
        req.set(http::field::user_agent, "silico");
        if (!m_options.token.empty()) req.set(http::field::authorization, "Bearer " + m_options.token);
        if (zstd) req.set(http::field::accept_encoding, "zstd");
        std::ostringstream text;
        text << req;
        requests += text.str();
    }
    if (auto ec = m_tls ? write_raw(*m_tls, requests) : write_raw(*m_plain, requests)) {
        close();
        return std::unexpected(transport("GET " + path(area, keys[from]), ec));
    }
    std::size_t got = 0;
    for (; got < n; ++got) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(m_options.max_response_bytes);
        const auto ec = m_tls ? read_one(*m_tls, parser) : read_one(*m_plain, parser);
        if (ec == http::error::body_limit)
            return fail(Errc::failed,
                        "the response exceeds " + std::to_string(m_options.max_response_bytes) + " bytes",
                        describe());
        if (ec) {
            close();
            if (got == 0) return std::unexpected(transport("GET " + path(area, keys[from]), ec));
            return got;  // the server closed the connection after some answers: the caller asks again
        }
        Response response = parser.release();
        const std::string target = path(area, keys[from + got]);
        if (response.result() != http::status::ok && response.result() != http::status::not_found) {
            close();
            return refusal(response, "GET", target);
        }
        const bool keep_alive = response.keep_alive();
        if (response.result() == http::status::ok) out[from + got] = std::move(response);
        if (!keep_alive) {
            close();
            return got + 1;
        }
    }
    return got;
}

Result<std::vector<std::optional<Response>>> HttpRemote::get_pipelined(Area area,
                                                                       const std::vector<Digest>& keys,
                                                                       bool zstd) {
    std::vector<std::optional<Response>> out(keys.size());
    std::size_t done = 0;
    while (done < keys.size()) {
        const bool reused = m_plain || m_tls;
        if (!reused)
            if (auto ok = connect(); !ok) return std::unexpected(ok.error());
        auto got = pipeline_round(area, keys, done, zstd, out);
        // A kept-alive connection the server closed while idle fails at once: once more, on a fresh one.
        if (!got && got.error().code == Errc::io && reused) {
            if (auto ok = connect(); !ok) return std::unexpected(ok.error());
            got = pipeline_round(area, keys, done, zstd, out);
        }
        if (!got) return std::unexpected(got.error());
        done += *got;
    }
    return out;
}

Result<std::vector<std::optional<std::string>>> HttpRemote::get_many(Area area,
                                                                     const std::vector<Digest>& keys) {
    auto responses = get_pipelined(area, keys, false);
    if (!responses) return std::unexpected(responses.error());
    std::vector<std::optional<std::string>> out(keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i)
        if ((*responses)[i]) out[i] = std::move((*responses)[i]->body());
    return out;
}

Result<std::vector<std::optional<BlobBody>>> HttpRemote::get_blobs(const std::vector<Digest>& digests) {
    auto responses = get_pipelined(Area::cas, digests, true);
    if (!responses) return std::unexpected(responses.error());
    std::vector<std::optional<BlobBody>> out(digests.size());
    for (std::size_t i = 0; i < digests.size(); ++i) {
        auto& response = (*responses)[i];
        if (!response) continue;
        const auto encoding = response->find(http::field::content_encoding);
        const std::string_view coding =
            encoding == response->end()
                ? std::string_view{}
                : std::string_view(encoding->value().data(), encoding->value().size());
        if (coding.empty() || same_coding(coding, "identity")) {
            out[i] = BlobBody{std::move(response->body()), {}};
            continue;
        }
        if (!same_coding(coding, "zstd"))
            return fail(Errc::failed,
                        "GET " + path(Area::cas, digests[i]) + ": unasked-for Content-Encoding " +
                            std::string(coding),
                        describe());
        auto decoded = store::decode_received_frame(response->body(), m_options.max_response_bytes);
        if (!decoded)
            return fail(Errc::failed,
                        "GET " + path(Area::cas, digests[i]) + ": the zstd body does not decode (" +
                            decoded.error().what() + ")",
                        describe());
        out[i] = BlobBody{std::move(decoded->bytes), decoded->storable ? std::move(response->body()) : ""};
    }
    return out;
}

Result<Response> HttpRemote::request(http::verb verb, const std::string& target, std::string body) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, m_url.host);
    req.set(http::field::user_agent, "silico");
    if (!m_options.token.empty()) req.set(http::field::authorization, "Bearer " + m_options.token);
    if (verb == http::verb::put) {
        req.set(http::field::content_type, "application/octet-stream");
        req.body() = std::move(body);
    }
    req.prepare_payload();
    const bool reused = m_plain || m_tls;
    if (!reused)
        if (auto ok = connect(); !ok) return std::unexpected(ok.error());
    auto response = exchange(req, verb == http::verb::head);
    if (response || !reused || response.error().code != Errc::io) {
        if (!response) close();
        return response;
    }
    // The kept-alive connection may have been closed by the server while idle: once more, freshly.
    if (auto ok = connect(); !ok) return std::unexpected(ok.error());
    response = exchange(req, verb == http::verb::head);
    if (!response) close();
    return response;
}

}  // namespace

Result<std::vector<std::optional<std::string>>> Remote::get_many(Area area, const std::vector<Digest>& keys) {
    std::vector<std::optional<std::string>> out;
    out.reserve(keys.size());
    for (const auto& key : keys) {
        auto bytes = get(area, key);
        if (!bytes) return std::unexpected(bytes.error());
        out.push_back(std::move(*bytes));
    }
    return out;
}

Result<std::vector<std::optional<BlobBody>>> Remote::get_blobs(const std::vector<Digest>& digests) {
    auto bytes = get_many(Area::cas, digests);
    if (!bytes) return std::unexpected(bytes.error());
    std::vector<std::optional<BlobBody>> out(digests.size());
    for (std::size_t i = 0; i < digests.size(); ++i)
        if ((*bytes)[i]) out[i] = BlobBody{std::move(*(*bytes)[i]), {}};
    return out;
}

std::string_view to_string(Area area) {
    return area == Area::cas ? "cas" : "ac";
}

Result<std::unique_ptr<Remote>> open_remote(const RemoteOptions& options) {
    auto url = parse_url(options.url);
    if (!url) return std::unexpected(url.error());
    if (options.timeout.count() <= 0)
        return fail(Errc::invalid_argument, "the remote timeout must be positive");
    return std::unique_ptr<Remote>(std::make_unique<HttpRemote>(options, std::move(*url)));
}

}  // namespace silico::sharing
