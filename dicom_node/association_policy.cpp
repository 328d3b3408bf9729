#include "dicom_node/association_policy.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "config/log.h"

namespace radnode::dicom_node {
namespace {

/// IPv4-mapped IPv6 peers ("::ffff:127.0.0.1") compare as their IPv4 form.
std::string CanonicalIp(std::string_view ip) {
    constexpr std::string_view mapped = "::ffff:";
    if (ip.substr(0, mapped.size()) == mapped && ip.find('.') != std::string_view::npos)
        ip.remove_prefix(mapped.size());
    return std::string{ip};
}

std::vector<std::string> Resolve(const std::string& host) {
    in6_addr v6{};
    in_addr v4{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1)
        return {CanonicalIp(host)};
    std::vector<std::string> ips;
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) == 0) {
        for (addrinfo* p = res; p; p = p->ai_next) {
            char buf[INET6_ADDRSTRLEN] = {};
            const void* addr = p->ai_family == AF_INET
                                   ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(p->ai_addr)->sin_addr)
                                   : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(p->ai_addr)->sin6_addr);
            if (inet_ntop(p->ai_family, addr, buf, sizeof buf))
                ips.push_back(CanonicalIp(buf));
        }
        freeaddrinfo(res);
    }
    if (ips.empty())
        RADNODE_LOG_WARN(Category::Dicom, "allowed caller host does not resolve; rule matches nobody", {{"host", host}});
    return ips;
}

} // namespace

std::string NormaliseAe(std::string_view ae) {
    const auto b = ae.find_first_not_of(' ');
    if (b == std::string_view::npos)
        return {};
    const auto e = ae.find_last_not_of(' ');
    return std::string{ae.substr(b, e - b + 1)};
}

AssociationPolicy::AssociationPolicy(std::string own_ae_title, bool check_called_ae,
                                     const std::vector<std::string>& allowed_callers)
    : own_ae_(NormaliseAe(own_ae_title)), check_called_(check_called_ae) {
    for (const std::string& text : allowed_callers) {
        const config::CallerRule r = config::ParseCallerRule(text);
        Rule rule{NormaliseAe(r.ae), {}, text};
        if (!r.host.empty()) {
            rule.hosts = Resolve(r.host);
            if (rule.hosts.empty())
                continue;
        }
        rules_.push_back(std::move(rule));
    }
}

bool AssociationPolicy::AcceptsCalled(std::string_view called_ae) const {
    return !check_called_ || NormaliseAe(called_ae) == own_ae_;
}

bool AssociationPolicy::AcceptsCaller(std::string_view calling_ae, std::string_view peer_ip) const {
    const std::string ae = NormaliseAe(calling_ae);
    const std::string ip = CanonicalIp(peer_ip);
    return std::any_of(rules_.begin(), rules_.end(), [&](const Rule& r) {
        const bool ae_ok = r.ae == "*" || r.ae == ae;
        const bool host_ok = r.hosts.empty() || std::find(r.hosts.begin(), r.hosts.end(), ip) != r.hosts.end();
        return ae_ok && host_ok;
    });
}

std::string AssociationPolicy::DescribeRules() const {
    std::string out;
    for (const Rule& r : rules_)
        out += (out.empty() ? "" : ",") + r.text;
    return out.empty() ? "(none)" : out;
}

} // namespace radnode::dicom_node
