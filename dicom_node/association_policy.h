#pragma once
/// Who may associate with radnode: the called AE title must be ours (optional
/// check) and the calling AE title / peer host must match an allow-list rule.

#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace radnode::dicom_node {

class AssociationPolicy {
public:
    /// Host names in rules are resolved once here to their IP addresses.
    AssociationPolicy(std::string own_ae_title, bool check_called_ae, const std::vector<std::string>& allowed_callers);

    bool AcceptsCalled(std::string_view called_ae) const;
    bool AcceptsCaller(std::string_view calling_ae, std::string_view peer_ip) const;
    /// Why the last decision about these values is negative, for the log.
    std::string DescribeRules() const;

private:
    struct Rule {
        std::string ae;                 ///< "*" = any
        std::vector<std::string> hosts; ///< empty = any; else the IPs the rule's host resolves to
        std::string text;
    };
    std::string own_ae_;
    bool check_called_;
    std::vector<Rule> rules_;
};

/// AE titles compare without leading/trailing spaces (PS3.8: spaces are not significant).
std::string NormaliseAe(std::string_view ae);

} // namespace radnode::dicom_node
