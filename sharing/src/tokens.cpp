// Bearer tokens (tokens.hpp) and the client's token file (remote.hpp).
#include "tokens.hpp"

#include <fstream>
#include <sstream>

#include "silico/sharing/remote.hpp"

namespace silico::sharing {

namespace {

std::string_view trim(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

// Compares every byte whatever the first difference, so the time taken says nothing about a guess.
bool same_digest(const Digest& a, const Digest& b) {
    unsigned diff = 0;
    for (std::size_t i = 0; i < Digest::k_size; ++i) diff |= static_cast<unsigned>(a.bytes[i] ^ b.bytes[i]);
    return diff == 0;
}

}  // namespace

Result<TokenSet> TokenSet::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return fail(Errc::io, "cannot read the token file", file.string());
    TokenSet set;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const std::string_view text = trim(line);
        if (text.empty() || text.front() == '#') continue;
        std::istringstream fields{std::string(text)};
        std::string first, second, extra;
        fields >> first >> second >> extra;
        if (!extra.empty())
            return fail(Errc::parse, "expected \"TOKEN\" or \"NAME TOKEN\"",
                        file.string() + ":" + std::to_string(number));
        const std::string name =
            second.empty() ? file.filename().string() + ":" + std::to_string(number) : first;
        const std::string& token = second.empty() ? first : second;
        if (token.size() < 16)
            return fail(Errc::validation, "a token needs at least 16 characters",
                        file.string() + ":" + std::to_string(number));
        set.m_tokens.emplace_back(sha256(token), name);
    }
    if (set.m_tokens.empty()) return fail(Errc::validation, "the token file holds no token", file.string());
    return set;
}

std::optional<std::string> TokenSet::find(std::string_view bearer) const {
    if (bearer.empty()) return std::nullopt;
    const Digest digest = sha256(bearer);
    std::optional<std::string> found;
    for (const auto& [token, name] : m_tokens)
        if (same_digest(token, digest) && !found) found = name;
    return found;
}

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "Bearer ";
    if (!authorization.starts_with(scheme)) return {};
    return trim(authorization.substr(scheme.size()));
}

Result<std::string> read_token_file(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return fail(Errc::io, "cannot read the token file", file.string());
    // The last field of the first token line, so a server's "NAME TOKEN" file works for clients too.
    std::string line;
    while (std::getline(in, line)) {
        const std::string_view text = trim(line);
        if (text.empty() || text.front() == '#') continue;
        return std::string(text.substr(
            text.find_last_of(" \t") == std::string_view::npos ? 0 : text.find_last_of(" \t") + 1));
    }
    return fail(Errc::validation, "the token file holds no token", file.string());
}

}  // namespace silico::sharing
