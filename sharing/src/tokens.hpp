// Bearer tokens of `silico serve` (private to silico_sharing).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "silico/core/digest.hpp"
#include "silico/core/error.hpp"

namespace silico::sharing {

// A token file: one token a line, "TOKEN" or "NAME TOKEN" (NAME appears in the logs; without one the token
// is named "FILE:LINE"). Empty lines and lines starting with '#' are skipped. Tokens are kept only as
// SHA-256 digests and compared in constant time.
class TokenSet {
  public:
    static Result<TokenSet> load(const std::filesystem::path& file);
    bool empty() const { return m_tokens.empty(); }
    // The name of the token `bearer` is, if it is one.
    std::optional<std::string> find(std::string_view bearer) const;

  private:
    std::vector<std::pair<Digest, std::string>> m_tokens;
};

// The token of an "Authorization: Bearer TOKEN" header value; empty when it is not one.
std::string_view bearer_token(std::string_view authorization);

}  // namespace silico::sharing
