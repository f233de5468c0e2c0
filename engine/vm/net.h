// IP networks for the CIDR helpers of the policy language (IPv4 and IPv6).
// Pure functions over text; no I/O; thread-safe.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace polc {

struct IpNetwork {
  bool v6 = false;
  std::array<std::uint8_t, 16> addr{};  // network bytes (IPv4 uses the first 4)
  int prefix = 0;                       // prefix length in bits
};

/// Parses "10.0.0.0/8", "::/0", or a bare address (prefix = full length). False on bad input.
bool parse_network(std::string_view text, IpNetwork& out);
/// Whether `outer` contains all of `inner` (same family only).
bool network_contains(const IpNetwork& outer, const IpNetwork& inner);
/// 0.0.0.0/0 or ::/0.
bool network_is_any(const IpNetwork& n);
/// Whether the network reaches addresses outside private (RFC 1918, RFC 6598 shared, RFC 4193
/// unique local), loopback and link-local space.
bool network_is_public(const IpNetwork& n);

}  // namespace polc
