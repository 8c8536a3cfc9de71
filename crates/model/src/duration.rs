//! Go durations, as Kubernetes components and controllers take them in flags and fields.

/// Seconds in a Go duration (`24h`, `1h30m`, `90s`, `1.5h`); `None` when it is not one.
pub fn go_duration_seconds(text: &str) -> Option<f64> {
    let s = text.trim();
    if s == "0" {
        return Some(0.0);
    }
    let mut rest = s.strip_prefix('+').unwrap_or(s);
    if rest.is_empty() || rest.starts_with('-') {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number: f64 = rest[..number_len].parse().ok()?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" | "μs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::go_duration_seconds as d;

    #[test]
    fn go_durations() {
        assert_eq!(d("24h"), Some(86_400.0));
        assert_eq!(d("1h30m"), Some(5_400.0));
        assert_eq!(d("48h0m0s"), Some(172_800.0));
        assert_eq!(d("1.5h"), Some(5_400.0));
        assert_eq!(d("0"), Some(0.0));
        assert_eq!(d("8760h"), Some(31_536_000.0));
        assert_eq!(d("86400"), None);
        assert_eq!(d("-1h"), None);
        assert_eq!(d("1d"), None);
        assert_eq!(d(""), None);
    }
}
