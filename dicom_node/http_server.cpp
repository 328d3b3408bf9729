#include "dicom_node/http_server.h"

#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility> // before Boost.Asio: 1.74 uses std::exchange without including it under C++20

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include "config/log.h"

namespace radnode::dicom_node {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(30);
constexpr std::size_t kMaxBodyBytes = 1 << 20;

/// One connection: read a request, answer it, repeat while keep-alive.
class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, const HttpHandler& handler) : stream_(std::move(socket)), handler_(handler) {}

    void Start() { Read(); }

private:
    void Read() {
        parser_.emplace();
        parser_->body_limit(kMaxBodyBytes);
        stream_.expires_after(kRequestTimeout);
        http::async_read(stream_, buffer_, *parser_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
    }

    void OnRead(beast::error_code ec) {
        if (ec == http::error::end_of_stream || ec == beast::error::timeout) {
            Close();
            return;
        }
        if (ec) {
            RADNODE_LOG_DEBUG(Category::Http, "request not read", {{"reason", ec.message()}});
            Close();
            return;
        }
        const auto& request = parser_->get();
        const HttpRequest in{std::string{request.method_string()}, std::string{request.target()}, request.body()};
        HttpResponse out;
        try {
            out = handler_(in);
        } catch (const std::exception& e) {
            RADNODE_LOG_ERROR(Category::Http, "request handler failed", {{"target", in.target}, {"reason", e.what()}});
            out = {500, "application/json", R"({"error":{"code":"internal","message":"internal error"}})"};
        }
        response_.emplace(static_cast<http::status>(out.status), request.version());
        response_->set(http::field::server, "radnode");
        response_->set(http::field::content_type, out.content_type);
        response_->keep_alive(request.keep_alive());
        response_->body() = std::move(out.body);
        response_->prepare_payload();
        http::async_write(stream_, *response_, [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
            if (!write_ec && self->response_->keep_alive())
                self->Read();
            else
                self->Close();
        });
    }

    void Close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    const HttpHandler& handler_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<http::response<http::string_body>> response_;
};

} // namespace

struct HttpServer::Impl {
    asio::io_context io{1};
    tcp::acceptor acceptor{io};
    HttpHandler handler;
    std::thread thread;

    void Accept() {
        acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
            if (ec == asio::error::operation_aborted)
                return;
            if (!ec)
                std::make_shared<Session>(std::move(socket), handler)->Start();
            Accept();
        });
    }
};

HttpServer::HttpServer(const std::string& bind_address, std::uint16_t port, HttpHandler handler)
    : impl_(std::make_unique<Impl>()) {
    impl_->handler = std::move(handler);
    try {
        const tcp::endpoint endpoint{asio::ip::make_address(bind_address), port};
        impl_->acceptor.open(endpoint.protocol());
        impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
        impl_->acceptor.bind(endpoint);
        impl_->acceptor.listen();
    } catch (const std::exception& e) {
        throw std::runtime_error(fmt::format("cannot listen for HTTP on {}:{}: {}", bind_address, port, e.what()));
    }
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
    impl_->Accept();
    impl_->thread = std::thread([this] { impl_->io.run(); });
}

void HttpServer::Stop() {
    impl_->io.stop();
    if (impl_->thread.joinable())
        impl_->thread.join();
}

std::uint16_t HttpServer::Port() const { return impl_->acceptor.local_endpoint().port(); }

} // namespace radnode::dicom_node
