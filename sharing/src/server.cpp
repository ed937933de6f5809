// `silico serve` (server.hpp): an asynchronous Boost.Beast server on a few threads. Each connection is a
// session that reads one request at a time within the request timeout, answers it with handle_request and
// keeps the connection while the client asks for keep-alive. The limits are enforced here: body size (413,
// found from Content-Length before the body is read), header size, concurrent connections (503), time.
#include "silico/sharing/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <csignal>
#include <memory>
#include <thread>

#include "handler.hpp"

namespace silico::sharing {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr std::uint32_t k_header_limit = 16 * 1024;

// One connection; Stream is beast::tcp_stream or beast::ssl_stream<beast::tcp_stream>.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  public:
    Session(ServerContext& ctx, Stream stream, std::string peer)
        : m_ctx(ctx), m_stream(std::move(stream)), m_peer(std::move(peer)) {}
    ~Session() { --m_ctx.connections; }

    void start() {
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            read();
        } else {
            beast::get_lowest_layer(m_stream).expires_after(m_ctx.options.request_timeout);
            m_stream.async_handshake(ssl::stream_base::server,
                                     [self = this->shared_from_this()](beast::error_code ec) {
                                         if (ec) return;  // not TLS, or too slow: drop it
                                         self->read();
                                     });
        }
    }

  private:
    void read() {
        m_parser.emplace();
        m_parser->header_limit(k_header_limit);
        m_parser->body_limit(m_ctx.options.max_body_bytes);
        beast::get_lowest_layer(m_stream).expires_after(m_ctx.options.request_timeout);
        http::async_read(
            m_stream, m_buffer, *m_parser,
            [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

    void on_read(beast::error_code ec) {
        if (ec == http::error::body_limit) {
            spdlog::warn("{} {} from {}: body over {} bytes refused",
                         std::string(m_parser->get().method_string()), std::string(m_parser->get().target()),
                         m_peer, m_ctx.options.max_body_bytes);
            respond(text_response(http::status::payload_too_large, 11, false,
                                  "a request body may have at most " +
                                      std::to_string(m_ctx.options.max_body_bytes) + " bytes"));
            return;
        }
        if (ec == http::error::header_limit) {
            respond(
                text_response(http::status::request_header_fields_too_large, 11, false, "headers too large"));
            return;
        }
        if (ec) return;  // closed, timed out or malformed: the connection ends
        respond(handle_request(m_ctx, m_parser->get(), m_peer));
    }

    void respond(Response response) {
        m_response = std::move(response);
        beast::get_lowest_layer(m_stream).expires_after(m_ctx.options.request_timeout);
        http::async_write(m_stream, m_response,
                          [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || !self->m_response.keep_alive()) {
                                  self->shut();
                                  return;
                              }
                              self->read();
                          });
    }

    void shut() {
        beast::error_code ignored;
        beast::get_lowest_layer(m_stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    ServerContext& m_ctx;
    Stream m_stream;
    std::string m_peer;
    beast::flat_buffer m_buffer;
    std::optional<http::request_parser<http::string_body>> m_parser;
    Response m_response;
};

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    Listener(net::io_context& ioc, ServerContext& ctx, tcp::acceptor acceptor, ssl::context* tls)
        : m_ioc(ioc), m_ctx(ctx), m_acceptor(std::move(acceptor)), m_tls(tls) {}

    void accept() {
        m_acceptor.async_accept(net::make_strand(m_ioc),
                                [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                                    if (!ec) self->on_accept(std::move(socket));
                                    if (self->m_acceptor.is_open()) self->accept();
                                });
    }

  private:
    void on_accept(tcp::socket socket) {
        beast::error_code ec;
        const auto remote = socket.remote_endpoint(ec);
        const std::string peer =
            ec ? "?" : remote.address().to_string() + ":" + std::to_string(remote.port());
        if (++m_ctx.connections > m_ctx.options.max_connections) {
            --m_ctx.connections;
            spdlog::warn("connection from {} refused: {} connections open", peer,
                         m_ctx.options.max_connections);
            if (!m_tls) {
                auto res =
                    text_response(http::status::service_unavailable, 11, false, "too many connections");
                beast::error_code ignored;
                http::write(socket, res, ignored);
            }
            return;
        }
        socket.set_option(tcp::no_delay(true), ec);  // responses go out at once, not after a delayed ACK
        beast::tcp_stream stream(std::move(socket));
        if (m_tls) {
            std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
                m_ctx, beast::ssl_stream<beast::tcp_stream>(std::move(stream), *m_tls), peer)
                ->start();
        } else {
            std::make_shared<Session<beast::tcp_stream>>(m_ctx, std::move(stream), peer)->start();
        }
    }

    net::io_context& m_ioc;
    ServerContext& m_ctx;
    tcp::acceptor m_acceptor;
    ssl::context* m_tls;
};

Result<tcp::endpoint> parse_listen(const std::string& listen) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) return fail(Errc::invalid_argument, "expected ADDR:PORT", listen);
    std::string host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    beast::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    if (ec) return fail(Errc::invalid_argument, "not an IP address: " + host, listen);
    const std::string port = listen.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoul(port) > 65535)
        return fail(Errc::invalid_argument, "not a port: " + port, listen);
    return tcp::endpoint(address, static_cast<unsigned short>(std::stoul(port)));
}

Status load_tls(ssl::context& tls, const ServerOptions& options) {
    beast::error_code ec;
    tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                        ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                    ec);
    tls.use_certificate_chain_file(options.tls_cert.string(), ec);
    if (ec)
        return fail(Errc::io, "cannot use the TLS certificate: " + ec.message(), options.tls_cert.string());
    tls.use_private_key_file(options.tls_key.string(), ssl::context::pem, ec);
    if (ec) return fail(Errc::io, "cannot use the TLS key: " + ec.message(), options.tls_key.string());
    return {};
}

Result<tcp::acceptor> open_acceptor(net::io_context& ioc, const tcp::endpoint& endpoint,
                                    const std::string& listen) {
    tcp::acceptor acceptor(ioc);
    beast::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return fail(Errc::io, "cannot listen: " + ec.message(), listen);
    return acceptor;
}

// Stops the io_context once `stop` is set.
void watch_stop(net::steady_timer& timer, std::atomic<bool>& stop, net::io_context& ioc) {
    timer.expires_after(std::chrono::milliseconds(100));
    timer.async_wait([&timer, &stop, &ioc](beast::error_code ec) {
        if (ec) return;
        if (stop) {
            ioc.stop();
            return;
        }
        watch_stop(timer, stop, ioc);
    });
}

}  // namespace

Status serve(store::Store& store, const ServerOptions& options, std::atomic<bool>& stop,
             const std::function<void(unsigned short)>& on_listening, bool handle_signals) {
    if (store.read_only()) return fail(Errc::invalid_argument, "the cache server needs the store's writer");
    if (options.tls_cert.empty() != options.tls_key.empty())
        return fail(Errc::invalid_argument, "--tls-cert and --tls-key go together");
    ServerContext ctx{store, options, std::nullopt, std::nullopt};
    if (!options.write_token_file.empty()) {
        auto tokens = TokenSet::load(options.write_token_file);
        if (!tokens) return std::unexpected(tokens.error());
        ctx.write_tokens = std::move(*tokens);
    }
    if (!options.read_token_file.empty()) {
        auto tokens = TokenSet::load(options.read_token_file);
        if (!tokens) return std::unexpected(tokens.error());
        ctx.read_tokens = std::move(*tokens);
    }
    auto endpoint = parse_listen(options.listen);
    if (!endpoint) return std::unexpected(endpoint.error());
    std::optional<ssl::context> tls;  // outlives the io_context and the sessions it still holds
    if (!options.tls_cert.empty()) {
        tls.emplace(ssl::context::tls_server);
        if (auto ok = load_tls(*tls, options); !ok) return ok;
    }
    const unsigned threads = std::max(1u, options.threads);
    net::io_context ioc(static_cast<int>(threads));
    auto acceptor = open_acceptor(ioc, *endpoint, options.listen);
    if (!acceptor) return std::unexpected(acceptor.error());
    const unsigned short port = acceptor->local_endpoint().port();
    std::make_shared<Listener>(ioc, ctx, std::move(*acceptor), tls ? &*tls : nullptr)->accept();
    net::signal_set signals(ioc);
    if (handle_signals) {
        signals.add(SIGINT);
        signals.add(SIGTERM);
        signals.async_wait([&ioc](beast::error_code, int) { ioc.stop(); });
    }
    net::steady_timer timer(ioc);
    watch_stop(timer, stop, ioc);
    spdlog::info("serving store {} on {}:{} ({}, writes {}, reads {})", store.dir().string(),
                 endpoint->address().to_string(), port, tls ? "TLS" : "plain HTTP",
                 ctx.write_tokens ? "need a token" : "refused", ctx.read_tokens ? "need a token" : "open");
    if (on_listening) on_listening(port);
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    spdlog::info("stopped");
    return {};
}

}  // namespace silico::sharing
