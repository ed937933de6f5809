// The cache's request handling (handler.hpp, contract in server.hpp): targets map to store keys only, uploads
// are verified before they are stored, and every write names who made it.
#include "handler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>

#include "silico/core/digest.hpp"
#include "target.hpp"

namespace silico::sharing {

namespace http = boost::beast::http;

namespace {

struct Call {
    ServerContext& ctx;
    const Request& req;
    const std::string& peer;
    std::string who;  // the token's name once authorised

    Response reply(http::status status, std::string text) const {
        return text_response(status, req.version(), req.keep_alive(), std::move(text));
    }
    Response refuse_write(http::status status, std::string text) const {
        spdlog::warn("refused {} {} from {} ({}): {} {}", std::string(req.method_string()),
                     std::string(req.target()), peer, who.empty() ? "no valid token" : who,
                     static_cast<unsigned>(status), text);
        return reply(status, std::move(text));
    }
    Response bytes(std::string body, const char* type) const {
        Response res{http::status::ok, req.version()};
        res.set(http::field::content_type, type);
        res.keep_alive(req.keep_alive());
        const std::size_t size = body.size();
        if (req.method() == http::verb::head) {
            res.content_length(size);  // a HEAD response states the size and sends no body
        } else {
            res.body() = std::move(body);
            res.prepare_payload();
        }
        return res;
    }
};

std::string_view authorization(const Request& req) {
    auto it = req.find(http::field::authorization);
    return it == req.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

// Whether the request's Accept-Encoding lists zstd without "q=0" (RFC 9110 12.5.3; codings are
// case-insensitive, and anything we do not parse counts as not accepted).
bool accepts_zstd(const Request& req) {
    const auto it = req.find(http::field::accept_encoding);
    if (it == req.end()) return false;
    std::string_view rest(it->value().data(), it->value().size());
    const auto trim = [](std::string_view v) {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
        return v;
    };
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto semi = item.find(';');
        const std::string_view coding = trim(item.substr(0, semi));
        const bool zstd =
            coding.size() == 4 && std::equal(coding.begin(), coding.end(), "zstd", [](char x, char y) {
                return std::tolower(static_cast<unsigned char>(x)) == y;
            });
        if (!zstd) continue;
        if (semi == std::string_view::npos) return true;
        std::string_view param = trim(item.substr(semi + 1));
        if (!(param.starts_with("q=") || param.starts_with("Q="))) return true;
        param.remove_prefix(2);
        return param.find_first_not_of("0.") != std::string_view::npos;  // q=0, q=0.0, q=0.000: refused
    }
    return false;
}

Response read_request(const Call& call, const Target& target) {
    auto& store = call.ctx.store;
    if (!target.key) {
        if (target.area != Area::ac || call.req.method() != http::verb::get)
            return call.reply(http::status::not_found, "no listing here");
        std::string keys;
        auto st = store.for_each_trial([&](const Digest& key, const store::TrialRecord&) {
            keys += key.hex() + "\n";
            return true;
        });
        if (!st) return call.reply(http::status::internal_server_error, st.error().what());
        return call.bytes(std::move(keys), "text/plain");
    }
    if (target.area == Area::cas && accepts_zstd(call.req)) {
        // The stored frame as it is: no decoding here, no compressing on the client, which decodes the
        // frame and re-hashes the bytes it must verify anyway (docs/sharing.md).
        auto frame = store.get_blob_frame(*target.key);
        if (!frame) {
            spdlog::error("GET {} from {}: {}", std::string(call.req.target()), call.peer,
                          frame.error().what());
            return call.reply(http::status::internal_server_error, "the stored blob is unreadable");
        }
        if (!*frame) return call.reply(http::status::not_found, "no such blob");
        Response res = call.bytes(std::move(**frame), "application/octet-stream");
        res.set(http::field::content_encoding, "zstd");
        res.set(http::field::vary, "Accept-Encoding");
        return res;
    }
    if (target.area == Area::cas) {
        auto blob = store.get_blob(*target.key);
        if (!blob && blob.error().code == Errc::not_found)
            return call.reply(http::status::not_found, "no such blob");
        if (!blob) {
            spdlog::error("GET {} from {}: {}", std::string(call.req.target()), call.peer,
                          blob.error().what());
            return call.reply(http::status::internal_server_error, "the stored blob is unreadable");
        }
        return call.bytes(std::move(*blob), "application/octet-stream");
    }
    auto record = store.find_trial(*target.key);
    if (!record && record.error().code == Errc::not_found)
        return call.reply(http::status::not_found, "no such trial");
    if (!record) return call.reply(http::status::internal_server_error, record.error().what());
    return call.bytes(store::encode_trial_record(*record), "application/json");
}

Response put_blob(const Call& call, const Digest& key) {
    const std::string& body = call.req.body();
    const Digest actual = sha256(body);
    if (actual != key)
        return call.refuse_write(http::status::bad_request,
                                 "the body hashes to " + actual.hex() + ", not " + key.hex());
    auto had = call.ctx.store.has_blob(key);
    if (!had) return call.reply(http::status::internal_server_error, had.error().what());
    if (!*had) {
        if (auto put = call.ctx.store.put_blob(body); !put)
            return call.reply(http::status::internal_server_error, put.error().what());
    }
    spdlog::info("PUT /cas/{} {} bytes by {} from {}{}", key.hex(), body.size(), call.who, call.peer,
                 *had ? " (already held)" : "");
    return call.reply(*had ? http::status::ok : http::status::created, *had ? "already held" : "stored");
}

Response put_record(const Call& call, const Digest& key) {
    auto record = store::decode_trial_record(call.req.body());
    if (!record)
        return call.refuse_write(http::status::bad_request, "not a trial record: " + record.error().what());
    if (record->status != store::TrialStatus::complete)
        return call.refuse_write(http::status::bad_request, "only complete trials are shared");
    if (record->outputs.empty())
        return call.refuse_write(http::status::bad_request, "the record names no output");
    auto had = call.ctx.store.contains(key);
    if (!had) return call.reply(http::status::internal_server_error, had.error().what());
    if (*had) return call.reply(http::status::ok, "already held (the first record stays)");
    auto committed = call.ctx.store.commit_record(key, std::move(*record));
    if (!committed) {
        const Errc code = committed.error().code;
        if (code == Errc::not_found || code == Errc::invalid_argument)
            return call.refuse_write(http::status::bad_request, committed.error().what());
        if (code == Errc::validation)
            return call.refuse_write(http::status::conflict, committed.error().what());
        return call.reply(http::status::internal_server_error, committed.error().what());
    }
    spdlog::info("PUT /ac/{} ({} outputs) by {} from {}", key.hex(), committed->outputs.size(), call.who,
                 call.peer);
    return call.reply(http::status::created, "stored");
}

Response write_request(Call& call, const Target& target) {
    if (!call.ctx.write_tokens)
        return call.refuse_write(http::status::forbidden, "this cache accepts no writes");
    auto name = call.ctx.write_tokens->find(bearer_token(authorization(call.req)));
    if (!name) {
        Response res = call.refuse_write(http::status::unauthorized, "a write needs a valid bearer token");
        res.set(http::field::www_authenticate, "Bearer");
        return res;
    }
    call.who = *name;
    if (!target.key) return call.refuse_write(http::status::method_not_allowed, "PUT needs a key");
    return target.area == Area::cas ? put_blob(call, *target.key) : put_record(call, *target.key);
}

bool may_read(const ServerContext& ctx, const Request& req) {
    if (!ctx.read_tokens) return true;
    const auto token = bearer_token(authorization(req));
    return ctx.read_tokens->find(token) || (ctx.write_tokens && ctx.write_tokens->find(token));
}

}  // namespace

Response text_response(http::status status, unsigned version, bool keep_alive, std::string text) {
    Response res{status, version};
    res.set(http::field::content_type, "text/plain");
    res.keep_alive(keep_alive);
    res.body() = std::move(text) + "\n";
    res.prepare_payload();
    return res;
}

Response handle_request(ServerContext& context, const Request& request, const std::string& peer) {
    Call call{context, request, peer, {}};
    auto target = parse_target(std::string_view(request.target().data(), request.target().size()));
    if (!target) {
        const bool bad = target.error() == TargetError::bad_request;
        if (bad)
            spdlog::warn("{} {} from {}: bad target", std::string(request.method_string()),
                         std::string(request.target()), peer);
        return call.reply(bad ? http::status::bad_request : http::status::not_found,
                          bad ? "bad target" : "not found: only /cas/<sha256> and /ac/<key> are served");
    }
    switch (request.method()) {
        case http::verb::get:
        case http::verb::head:
            if (!may_read(context, request)) {
                Response res = call.reply(http::status::unauthorized, "a read needs a valid bearer token");
                res.set(http::field::www_authenticate, "Bearer");
                return res;
            }
            return read_request(call, *target);
        case http::verb::put:
            return write_request(call, *target);
        default: {
            Response res = call.reply(http::status::method_not_allowed, "GET, HEAD and PUT only");
            res.set(http::field::allow, "GET, HEAD, PUT");
            return res;
        }
    }
}

}  // namespace silico::sharing
