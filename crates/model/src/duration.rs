//! Go durations, as Kubernetes components take them in flags, fields and the API server's
//! `?timeout=` parameter: one parser, with the semantics of Go's `time.ParseDuration`.

/// The nanoseconds of a Go duration (`24h`, `1h30m`, `-1.5s`, `500ms`, `12µs`, `0`), as
/// `time.ParseDuration` reads it: an optional sign, then one or more decimal numbers each with a
/// unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`); `0` alone needs no unit. `None` where Go
/// returns an error, including a value beyond an `int64` of nanoseconds.
pub fn go_duration_nanos(text: &str) -> Option<i64> {
    const LIMIT: u64 = 1 << 63;
    let mut rest = text;
    let negative = rest.starts_with('-');
    if let Some(r) = rest.strip_prefix(['-', '+']) {
        rest = r;
    }
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        if !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
            return None;
        }
        // The integer part, refusing what overflows.
        let int_len = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let mut value: u64 = 0;
        for b in rest[..int_len].bytes() {
            value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            if value > LIMIT {
                return None;
            }
        }
        let had_int = int_len > 0;
        rest = &rest[int_len..];
        // The fraction: digits past what fits are read and dropped, as Go does.
        let (mut fraction, mut scale, mut had_fraction) = (0u64, 1f64, false);
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
            let frac_len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let mut overflowed = false;
            for b in rest[..frac_len].bytes() {
                if overflowed || fraction > (LIMIT - 1) / 10 {
                    overflowed = true;
                    continue;
                }
                let next = fraction * 10 + u64::from(b - b'0');
                if next > LIMIT {
                    overflowed = true;
                    continue;
                }
                fraction = next;
                scale *= 10.0;
            }
            had_fraction = frac_len > 0;
            rest = &rest[frac_len..];
        }
        if !had_int && !had_fraction {
            return None;
        }
        let unit_len = rest
            .find(|c: char| c == '.' || c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit: u64 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        if value > LIMIT / unit {
            return None;
        }
        value *= unit;
        if fraction > 0 {
            // Go computes the fraction in float64 (so `0.3333333333333333333h` is 20 minutes).
            value = value.checked_add((fraction as f64 * (unit as f64 / scale)) as u64)?;
            if value > LIMIT {
                return None;
            }
        }
        total = total.checked_add(value)?;
        if total > LIMIT {
            return None;
        }
    }
    if negative {
        // -2^63 fits; its positive does not.
        Some((total as i128).wrapping_neg() as i64)
    } else if total == LIMIT {
        None
    } else {
        Some(total as i64)
    }
}

/// Seconds in a Go duration that is not negative (the flags and fields kcheck judges take no
/// negative duration); `None` when it is not one.
pub fn go_duration_seconds(text: &str) -> Option<f64> {
    go_duration_nanos(text.trim())
        .filter(|n| *n >= 0)
        .map(|n| n as f64 / 1e9)
}

/// A length of time as people say it, to the largest whole unit that fits twice or more:
/// `45s`, `12m`, `30h`, `3d` (Go's units; days as `d`).
pub fn human_seconds(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=7_199 => format!("{}m", s / 60),
        7_200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::{go_duration_nanos as d, go_duration_seconds};

    const NS: i64 = 1;
    const US: i64 = 1_000;
    const MS: i64 = 1_000_000;
    const S: i64 = 1_000_000_000;
    const M: i64 = 60 * S;
    const H: i64 = 60 * M;

    /// The cases of Go's `parseDurationTests` and `parseDurationErrorTests` (time_test.go).
    #[test]
    fn go_time_parse_duration_cases() {
        let good: &[(&str, i64)] = &[
            ("0", 0),
            ("5s", 5 * S),
            ("30s", 30 * S),
            ("1478s", 1478 * S),
            ("-5s", -5 * S),
            ("+5s", 5 * S),
            ("-0", 0),
            ("+0", 0),
            ("5.0s", 5 * S),
            ("5.6s", 5 * S + 600 * MS),
            ("5.s", 5 * S),
            (".5s", 500 * MS),
            ("1.0s", S),
            ("1.00s", S),
            ("1.004s", S + 4 * MS),
            ("1.0040s", S + 4 * MS),
            ("100.00100s", 100 * S + MS),
            ("10ns", 10 * NS),
            ("11us", 11 * US),
            ("12µs", 12 * US),
            ("12μs", 12 * US),
            ("13ms", 13 * MS),
            ("14s", 14 * S),
            ("15m", 15 * M),
            ("16h", 16 * H),
            ("3h30m", 3 * H + 30 * M),
            ("10.5s4m", 4 * M + 10 * S + 500 * MS),
            ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
            (
                "1h2m3s4ms5us6ns",
                H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS,
            ),
            ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
            ("52763797000ns", 52_763_797_000 * NS),
            ("0.3333333333333333333h", 20 * M),
            ("9007199254740993ns", (1 << 53) + 1),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("9223372036s854ms775us807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("-9223372036854775.808us", i64::MIN),
            ("-9223372036s854ms775us808ns", i64::MIN),
            ("-2562047h47m16.854775808s", i64::MIN),
            ("0.100000000000000000000h", 6 * M),
            (
                "0.830103483285477580700h",
                49 * M + 48 * S + 372_539_827 * NS,
            ),
        ];
        for (text, want) in good {
            assert_eq!(d(text), Some(*want), "{text}");
        }
        for bad in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-.",
            ".s",
            "+.s",
            "1d",
            "\u{85}\u{85}",
            "\u{ff}ff",
            "hello \u{ff}ff world",
            "9223372036854775808ns",
            "9223372036854775.808us",
            "9223372036854ms775us808ns",
            "-9223372036854775809ns",
            "10x",
            "1e9s",
        ] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn seconds_of_durations_kcheck_judges() {
        let s = go_duration_seconds;
        assert_eq!(s("24h"), Some(86_400.0));
        assert_eq!(s("1h30m"), Some(5_400.0));
        assert_eq!(s("48h0m0s"), Some(172_800.0));
        assert_eq!(s("1.5h"), Some(5_400.0));
        assert_eq!(s("0"), Some(0.0));
        assert_eq!(s(" 8760h "), Some(31_536_000.0));
        assert_eq!(s("86400"), None);
        assert_eq!(s("-1h"), None);
        assert_eq!(s("1d"), None);
    }
}
