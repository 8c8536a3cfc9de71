//! Kubernetes resource quantities (`128Mi`, `1.5Gi`, `500m`, `1e9`) as numbers, for comparing.

/// The value of a quantity in base units (bytes, cores), or `None` when it is not a quantity.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(split);
    if number.is_empty() {
        return None;
    }
    let n: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        e if e.starts_with(['e', 'E']) => 10f64.powi(e[1..].parse().ok()?),
        _ => return None,
    };
    Some(n * factor)
}

/// A quantity node: Kubernetes accepts both `memory: 1Gi` and `memory: 1073741824`.
pub fn node_quantity(node: &crate::Node) -> Option<f64> {
    match &node.value {
        crate::Value::String(s) => parse_quantity(s),
        crate::Value::Int(i) => Some(*i as f64),
        crate::Value::UInt(u) => Some(*u as f64),
        crate::Value::Float(f) => Some(*f),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::parse_quantity as q;

    #[test]
    fn quantities() {
        assert_eq!(q("128Mi"), Some(134_217_728.0));
        assert_eq!(q("1Gi"), Some(1_073_741_824.0));
        assert_eq!(q("1G"), Some(1e9));
        assert_eq!(q("500m"), Some(0.5));
        assert_eq!(q("1.5Gi"), Some(1.5 * 1_073_741_824.0));
        assert_eq!(q("1e3"), Some(1000.0));
        assert_eq!(q("2"), Some(2.0));
        assert_eq!(q("lots"), None);
        assert_eq!(q("12Qi"), None);
        assert!(q("1Gi") > q("1000Mi"));
    }
}
