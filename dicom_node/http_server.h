#pragma once
/// A small HTTP/1.1 server (Boost.Beast) that hands every request to one handler.
/// It knows nothing of radnode's routes: the composition root supplies them.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace radnode::dicom_node {

struct HttpRequest {
    std::string method; ///< "GET", "POST", ...
    std::string target; ///< path and query, e.g. "/health"
    std::string body;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
public:
    /// Binds immediately (throws std::runtime_error naming the address on failure); port 0 picks a free port.
    HttpServer(const std::string& bind_address, std::uint16_t port, HttpHandler handler);
    ~HttpServer(); ///< stops and joins
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Serves on a background thread until Stop().
    void Start();
    void Stop();
    std::uint16_t Port() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace radnode::dicom_node
