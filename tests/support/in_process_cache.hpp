// Test and bench support: `silico serve`'s server (sharing/server.hpp) on a thread of this process, on a free
// loopback port, over a store the caller owns.
#pragma once

#include <atomic>
#include <future>
#include <thread>

#include "silico/sharing/server.hpp"

namespace silico::testing_support {

class InProcessCache {
  public:
    InProcessCache(store::Store& store, sharing::ServerOptions options) {
        options.listen = "127.0.0.1:0";
        std::promise<int> port;
        auto ready = port.get_future();
        m_thread = std::thread([this, &store, options, p = std::move(port)]() mutable {
            bool told = false;
            auto served = sharing::serve(
                store, options, m_stop,
                [&](unsigned short listening) {
                    told = true;
                    p.set_value(listening);
                },
                false);
            if (!served) m_error = served.error().what();
            if (!told) p.set_value(-1);
        });
        m_port = ready.get();
    }
    ~InProcessCache() {
        m_stop = true;
        m_thread.join();
    }
    InProcessCache(const InProcessCache&) = delete;
    InProcessCache& operator=(const InProcessCache&) = delete;
    int port() const { return m_port; }  // -1 when it did not start (error() says why, once stopped)
    std::string url(const std::string& scheme = "http") const {
        return scheme + "://127.0.0.1:" + std::to_string(m_port);
    }

  private:
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
    int m_port = -1;
    std::string m_error;
};

}  // namespace silico::testing_support
