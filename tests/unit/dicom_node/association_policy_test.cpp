#include <gtest/gtest.h>

#include "dicom_node/association_policy.h"

namespace radnode::dicom_node {
namespace {

TEST(AssociationPolicy, CalledAeMustBeOursWhenChecked) {
    const AssociationPolicy checked("RADNODE", true, {"*"});
    EXPECT_TRUE(checked.AcceptsCalled("RADNODE"));
    EXPECT_TRUE(checked.AcceptsCalled("RADNODE  ")); // trailing spaces are padding
    EXPECT_FALSE(checked.AcceptsCalled("OTHER"));
    const AssociationPolicy unchecked("RADNODE", false, {"*"});
    EXPECT_TRUE(unchecked.AcceptsCalled("OTHER"));
}

TEST(AssociationPolicy, AllowListMatchesAeAndHost) {
    const AssociationPolicy policy("RADNODE", true, {"PACS@10.0.0.5", "MODALITY", "*@127.0.0.1"});
    EXPECT_TRUE(policy.AcceptsCaller("PACS", "10.0.0.5"));
    EXPECT_FALSE(policy.AcceptsCaller("PACS", "10.0.0.6"));
    EXPECT_TRUE(policy.AcceptsCaller("MODALITY", "192.0.2.7"));
    EXPECT_TRUE(policy.AcceptsCaller("ANYONE", "127.0.0.1"));
    EXPECT_TRUE(policy.AcceptsCaller("ANYONE", "::ffff:127.0.0.1"));
    EXPECT_FALSE(policy.AcceptsCaller("ANYONE", "192.0.2.7"));
    EXPECT_FALSE(policy.AcceptsCaller("pacs", "10.0.0.5")); // AE titles are case-sensitive
}

TEST(AssociationPolicy, EmptyListRejectsEveryone) {
    const AssociationPolicy policy("RADNODE", true, {});
    EXPECT_FALSE(policy.AcceptsCaller("PACS", "127.0.0.1"));
    EXPECT_EQ(policy.DescribeRules(), "(none)");
}

TEST(AssociationPolicy, HostNamesResolveToAddresses) {
    const AssociationPolicy policy("RADNODE", true, {"PACS@localhost"});
    EXPECT_TRUE(policy.AcceptsCaller("PACS", "127.0.0.1"));
}

TEST(AssociationPolicy, UnresolvableHostMatchesNobody) {
    const AssociationPolicy policy("RADNODE", true, {"PACS@no-such-host.invalid"});
    EXPECT_FALSE(policy.AcceptsCaller("PACS", "127.0.0.1"));
}

} // namespace
} // namespace radnode::dicom_node
