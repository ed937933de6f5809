// A thread-safe table of functions by name, with built-ins (private header): the cell and network modify
// function registries.
#pragma once

#include <initializer_list>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace silico::experiments::detail {

template <class Function>
class NamedRegistry {
  public:
    NamedRegistry(std::initializer_list<std::pair<const std::string, Function>> builtin)
        : m_functions(builtin) {}

    // Adds or replaces.
    void add(std::string name, Function function) {
        std::lock_guard lock(m_mutex);
        m_functions[std::move(name)] = std::move(function);
    }
    // Sorted.
    std::vector<std::string> names() const {
        std::lock_guard lock(m_mutex);
        std::vector<std::string> out;
        for (const auto& [name, f] : m_functions) out.push_back(name);
        return out;
    }
    std::optional<Function> find(std::string_view name) const {
        std::lock_guard lock(m_mutex);
        auto it = m_functions.find(name);
        if (it == m_functions.end()) return std::nullopt;
        return it->second;
    }

  private:
    mutable std::mutex m_mutex;
    std::map<std::string, Function, std::less<>> m_functions;
};

}  // namespace silico::experiments::detail
