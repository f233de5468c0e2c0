#include "engine/vm/net.h"

#include <arpa/inet.h>

#include <cstring>
#include <string>

namespace polc {

bool parse_network(std::string_view text, IpNetwork& out) {
  if (text.empty() || text.size() > 64) return false;
  std::string s(text);
  int prefix = -1;
  std::size_t slash = s.find('/');
  if (slash != std::string::npos) {
    std::string p = s.substr(slash + 1);
    if (p.empty() || p.size() > 3) return false;
    prefix = 0;
    for (char c : p) {
      if (c < '0' || c > '9') return false;
      prefix = prefix * 10 + (c - '0');
    }
    s = s.substr(0, slash);
  }
  IpNetwork n;
  if (s.find(':') != std::string::npos) {
    n.v6 = true;
    if (inet_pton(AF_INET6, s.c_str(), n.addr.data()) != 1) return false;
    if (prefix < 0) prefix = 128;
    if (prefix > 128) return false;
  } else {
    if (inet_pton(AF_INET, s.c_str(), n.addr.data()) != 1) return false;
    if (prefix < 0) prefix = 32;
    if (prefix > 32) return false;
  }
  n.prefix = prefix;
  out = n;
  return true;
}

namespace {
bool prefix_equal(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b, int bits) {
  int full = bits / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<std::size_t>(full)) != 0) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  std::uint8_t mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == (b[full] & mask);
}

bool inside(const IpNetwork& n, const char* net, int bits) {
  IpNetwork r;
  parse_network(net, r);
  r.prefix = bits;
  return network_contains(r, n);
}
}  // namespace

bool network_contains(const IpNetwork& outer, const IpNetwork& inner) {
  if (outer.v6 != inner.v6) return false;
  if (inner.prefix < outer.prefix) return false;
  return prefix_equal(outer.addr, inner.addr, outer.prefix);
}

bool network_is_any(const IpNetwork& n) { return n.prefix == 0; }

bool network_is_public(const IpNetwork& n) {
  if (!n.v6) {
    return !(inside(n, "10.0.0.0", 8) || inside(n, "172.16.0.0", 12) || inside(n, "192.168.0.0", 16) ||
             inside(n, "127.0.0.0", 8) || inside(n, "169.254.0.0", 16) || inside(n, "100.64.0.0", 10));
  }
  return !(inside(n, "fc00::", 7) || inside(n, "fe80::", 10) || inside(n, "::1", 128));
}

}  // namespace polc
