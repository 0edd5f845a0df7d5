//! The network a request came from, as sign-in limits count it.

use std::net::{IpAddr, Ipv6Addr};

use super::Invalid;

/// Where a request came from (API Gateway's `requestContext.http.sourceIp`), normalised to
/// the unit one party controls: an IPv4 address, or an IPv6 /64.
///
/// A single IPv6 subscriber is normally given a whole /64, so counting full IPv6 addresses
/// would let one attacker rotate through 2^64 "sources". IPv4-mapped IPv6 addresses
/// (`::ffff:a.b.c.d`) count as the IPv4 address they carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SourceAddress(IpAddr);

impl SourceAddress {
    /// Parses an IPv4 or IPv6 address and normalises it (IPv6 to its /64 prefix).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let ip: IpAddr = raw.trim().parse().map_err(|_| Invalid::new("must be an IPv4 or IPv6 address"))?;
        Ok(Self::from_ip(ip))
    }

    /// Normalises an address.
    pub fn from_ip(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => Self(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Self(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

impl std::fmt::Display for SourceAddress {
    /// An IPv4 address as is; an IPv6 network as `<prefix>/64`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ipv4_is_kept() {
        assert_eq!(SourceAddress::parse("203.0.113.7").unwrap().to_string(), "203.0.113.7");
        assert_eq!(SourceAddress::parse(" 127.0.0.1 ").unwrap().to_string(), "127.0.0.1");
    }

    #[test]
    fn ipv6_counts_by_its_64_prefix() {
        let a = SourceAddress::parse("2001:db8:1:2:aaaa:bbbb:cccc:dddd").unwrap();
        let b = SourceAddress::parse("2001:db8:1:2::1").unwrap();
        let other = SourceAddress::parse("2001:db8:1:3::1").unwrap();
        assert_eq!(a, b);
        assert_ne!(a, other);
        assert_eq!(a.to_string(), "2001:db8:1:2::/64");
    }

    #[test]
    fn mapped_ipv4_is_the_ipv4_address() {
        assert_eq!(SourceAddress::parse("::ffff:203.0.113.7").unwrap(), SourceAddress::parse("203.0.113.7").unwrap());
    }

    #[test]
    fn refuses_what_is_not_an_address() {
        for bad in ["", "localhost", "1.2.3", "300.1.1.1", "2001:db8::/64", "1.2.3.4:80"] {
            assert_eq!(SourceAddress::parse(bad).unwrap_err().reason(), "must be an IPv4 or IPv6 address", "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn any_ipv4_round_trips(octets in any::<[u8; 4]>()) {
            let ip = std::net::Ipv4Addr::from(octets);
            prop_assert_eq!(SourceAddress::parse(&ip.to_string()).unwrap().to_string(), ip.to_string());
        }

        #[test]
        fn ipv6_addresses_sharing_a_64_prefix_are_one_source(prefix in any::<u64>(), a in any::<u64>(), b in any::<u64>()) {
            // Skip the mapped-IPv4 range, which normalises to IPv4 by design.
            prop_assume!(prefix != 0);
            let at = |host: u64| Ipv6Addr::from((u128::from(prefix) << 64) | u128::from(host));
            let (x, y) = (SourceAddress::from_ip(at(a).into()), SourceAddress::from_ip(at(b).into()));
            prop_assert_eq!(x, y);
            prop_assert_eq!(SourceAddress::parse(&at(a).to_string()).unwrap(), x);
        }

        #[test]
        fn arbitrary_input_never_panics(raw in any::<String>()) {
            let _ = SourceAddress::parse(&raw);
        }
    }
}
