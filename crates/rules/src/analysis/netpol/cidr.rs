//! CIDR blocks as address ranges, for `ipBlock` containment: IPv4 and IPv6, parsed as Go's
//! `net.ParseCIDR` does (host bits are masked off).

use std::net::IpAddr;

/// An address range of one family, both ends inclusive; IPv4 addresses sit in the low 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    v6: bool,
    first: u128,
    last: u128,
}

fn bits(addr: IpAddr) -> (bool, u128) {
    match addr {
        IpAddr::V4(a) => (false, u128::from(u32::from(a))),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

impl Cidr {
    /// The `except` ranges of an `ipBlock` (those that do not parse are left out).
    pub fn excepts(block: &kcheck_model::Node) -> Vec<Cidr> {
        block
            .get("except")
            .map_or(&[][..], kcheck_model::Node::as_seq)
            .iter()
            .filter_map(|e| Cidr::parse(e.as_str()?))
            .collect()
    }

    /// Whether the block is a whole address family (`0.0.0.0/0`, `::/0`), and of which:
    /// `Some(v6)`.
    pub fn whole_family(&self) -> Option<bool> {
        let last = if self.v6 {
            u128::MAX
        } else {
            u128::from(u32::MAX)
        };
        (self.first == 0 && self.last == last).then_some(self.v6)
    }

    /// `10.0.0.0/8`, `::/0`. `None` for anything the API server would reject.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = text.trim().split_once('/')?;
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u32 = prefix.parse().ok()?;
        let (v6, value) = bits(addr);
        let width = if v6 { 128 } else { 32 };
        if prefix > width || prefix.to_string() != text.trim().split_once('/')?.1 {
            return None;
        }
        let host_bits = width - prefix;
        let host_mask = if host_bits == 128 {
            u128::MAX
        } else {
            (1u128 << host_bits) - 1
        };
        Some(Cidr {
            v6,
            first: value & !host_mask,
            last: (value & !host_mask) | host_mask,
        })
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        let (v6, value) = bits(addr);
        v6 == self.v6 && self.first <= value && value <= self.last
    }

    /// Whether the blocks in `parts` together cover all of `self`.
    pub fn covered_by(&self, parts: &[Cidr]) -> bool {
        let mut ranges: Vec<(u128, u128)> = parts
            .iter()
            .filter(|p| p.v6 == self.v6 && p.last >= self.first && p.first <= self.last)
            .map(|p| (p.first, p.last))
            .collect();
        ranges.sort_unstable();
        let mut next = self.first;
        for (first, last) in ranges {
            if first > next {
                return false;
            }
            if last >= self.last {
                return true;
            }
            next = next.max(last + 1);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn containment_ipv4() {
        let metadata = ip("169.254.169.254");
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(metadata));
        assert!(Cidr::parse("169.254.0.0/16").unwrap().contains(metadata));
        assert!(Cidr::parse("169.254.169.254/32")
            .unwrap()
            .contains(metadata));
        assert!(Cidr::parse("128.0.0.0/1").unwrap().contains(metadata));
        assert!(!Cidr::parse("10.0.0.0/8").unwrap().contains(metadata));
        assert!(!Cidr::parse("169.254.169.255/32")
            .unwrap()
            .contains(metadata));
        // Host bits are masked, as net.ParseCIDR does.
        assert!(Cidr::parse("169.254.1.1/16").unwrap().contains(metadata));
        // Families never mix.
        assert!(!Cidr::parse("::/0").unwrap().contains(metadata));
    }

    #[test]
    fn containment_ipv6() {
        let aws = ip("fd00:ec2::254");
        assert!(Cidr::parse("::/0").unwrap().contains(aws));
        assert!(Cidr::parse("fd00::/8").unwrap().contains(aws));
        assert!(!Cidr::parse("2001:db8::/32").unwrap().contains(aws));
        assert!(!Cidr::parse("0.0.0.0/0").unwrap().contains(aws));
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        for bad in [
            "10.0.0.0",
            "10.0.0.0/33",
            "::/129",
            "x/8",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn union_cover() {
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        let low = Cidr::parse("0.0.0.0/1").unwrap();
        let high = Cidr::parse("128.0.0.0/1").unwrap();
        assert!(all.covered_by(&[high, low]));
        assert!(!all.covered_by(&[low]));
        let one = Cidr::parse("169.254.169.254/32").unwrap();
        assert!(one.covered_by(&[Cidr::parse("169.254.0.0/16").unwrap()]));
        assert!(!one.covered_by(&[Cidr::parse("::/0").unwrap()]));
        let v6 = Cidr::parse("::/0").unwrap();
        assert!(v6.covered_by(&[
            Cidr::parse("::/1").unwrap(),
            Cidr::parse("8000::/1").unwrap()
        ]));
    }
}
