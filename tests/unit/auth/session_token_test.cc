#include "auth/session_token.h"

#include <gtest/gtest.h>

#include <set>

namespace homeroom::auth {
namespace {

TEST(SessionToken, IsUnpaddedBase64UrlOf256RandomBits) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string t = NewSessionToken();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(
        t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(SessionToken, HashIsStableAndMalformedTokensHaveNone) {
  std::string t = NewSessionToken();
  auto a = HashSessionToken(t);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->size(), kSecretHashBytes);
  EXPECT_EQ(*a, *HashSessionToken(t));
  EXPECT_NE(*a, *HashSessionToken(NewSessionToken()));
  EXPECT_FALSE(HashSessionToken("").has_value());
  EXPECT_FALSE(HashSessionToken(t + "A").has_value());
  EXPECT_FALSE(HashSessionToken(std::string(43, '=')).has_value());
  EXPECT_FALSE(HashSessionToken(std::string(42, 'A') + "+").has_value());
}

TEST(ActivationCode, NormalizationAcceptsWhatPeopleTypeAndRejectsTheRest) {
  std::string code = NewActivationCode();
  ASSERT_EQ(code.size(), 11u);
  EXPECT_EQ(code[5], '-');
  EXPECT_EQ(NormalizeActivationCode("k7m2q-zp9xd"), "K7M2QZP9XD");
  EXPECT_EQ(NormalizeActivationCode(" K7M2Q ZP9XD "), "K7M2QZP9XD");
  EXPECT_FALSE(NormalizeActivationCode("K7M2Q-ZP9X").has_value());   // too short
  EXPECT_FALSE(NormalizeActivationCode("K7M2Q-ZP9XO").has_value());  // O is not in the alphabet
  EXPECT_FALSE(NormalizeActivationCode("K7M2Q-ZP9X1").has_value());  // nor is 1
  EXPECT_FALSE(NormalizeActivationCode(std::string(1000, 'A')).has_value());
  EXPECT_EQ(HashActivationCode("K7M2QZP9XD"), HashActivationCode("K7M2QZP9XD"));
  EXPECT_NE(HashActivationCode("K7M2QZP9XD"), HashActivationCode("K7M2QZP9XE"));
}

TEST(ConstantTimeEquals, ComparesContentsAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

}  // namespace
}  // namespace homeroom::auth
