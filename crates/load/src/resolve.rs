//! Plain scalars resolved as Kubernetes resolves them.
//!
//! kubectl and the API server decode YAML through sigs.k8s.io/yaml, which uses go-yaml v2: YAML
//! 1.1 booleans (`yes`, `on`, `y`), Go integer syntax with legacy octal (`0644` is 420), `_`
//! ignored inside numbers, and a float syntax of its own. Quoted scalars are always strings.
//! Timestamps stay strings (go-yaml v2 keeps them so when decoding into an interface).

use kcheck_model::Value;

pub fn resolve_plain(s: String) -> Value {
    match s.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY)
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match s.as_bytes()[0] {
        b'0'..=b'9' | b'+' | b'-' => {
            let plain: std::borrow::Cow<str> = if s.contains('_') {
                s.replace('_', "").into()
            } else {
                s.as_str().into()
            };
            if let Some(v) = parse_go_int(&plain) {
                return v;
            }
            match parse_go_float(&plain) {
                Some(f) => Value::Float(f),
                None => Value::String(s.into()),
            }
        }
        b'.' => match parse_go_float(&s) {
            Some(f) => Value::Float(f),
            None => Value::String(s.into()),
        },
        _ => Value::String(s.into()),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`, then `ParseUint` for values above `i64::MAX`.
fn parse_go_int(s: &str) -> Option<Value> {
    let (negative, signed, digits) = match s.as_bytes().first()? {
        b'-' => (true, true, &s[1..]),
        b'+' => (false, true, &s[1..]),
        _ => (false, false, s),
    };
    let (radix, body) = if let Some(rest) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, rest)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(body, radix).ok()?;
    if negative {
        let v = -(i128::try_from(magnitude).ok()?);
        i64::try_from(v).ok().map(Value::Int)
    } else if let Ok(v) = i64::try_from(magnitude) {
        Some(Value::Int(v))
    } else if !signed {
        u64::try_from(magnitude).ok().map(Value::UInt)
    } else {
        None
    }
}

/// go-yaml's float pattern, then Go's `strconv.ParseFloat`, which refuses values out of range
/// (`1e500` is an error there, not infinity, so go-yaml keeps the text as a string). Underflow is
/// not an error: `1e-400` is 0.
fn parse_go_float(s: &str) -> Option<f64> {
    if !is_yaml_float(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A mapping key as Kubernetes sees it: non-string keys become their JSON text (`on:` is "true").
pub fn key_string(v: Value, raw: String) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::UInt(u) => u.to_string(),
        Value::Null => "null".to_string(),
        Value::Float(f) => float_key(f),
        _ => raw,
    }
}

/// A float key as sigs.k8s.io/yaml names it: Go's `strconv.FormatFloat(f, 'g', -1, 32)` (the
/// shortest text that reads back as the same float32; exponent form when the decimal exponent
/// is below -4 or at least 6, written `1e+06`), with `+Inf`, `-Inf` and `NaN` renamed `.inf`,
/// `-.inf` and `.nan`.
pub fn float_key(f: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let f = f as f32;
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // Rust's shortest round-trip digits for an f32, as `d.ddde±x`.
    let e = format!("{f:e}");
    let (mantissa, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let mut out = String::with_capacity(digits.len() + 8);
    if negative {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push_str(if exp < 0 { "e-" } else { "e+" });
        let magnitude = exp.unsigned_abs();
        if magnitude < 10 {
            out.push('0');
        }
        out.push_str(&magnitude.to_string());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let point = usize::try_from(exp).unwrap_or(0) + 1;
        if digits.len() <= point {
            out.push_str(&digits);
            for _ in digits.len()..point {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..point]);
            out.push('.');
            out.push_str(&digits[point..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Value {
        resolve_plain(s.to_string())
    }

    #[test]
    fn yaml_1_1_booleans_and_nulls() {
        for t in ["yes", "Yes", "on", "ON", "y", "Y", "true"] {
            assert_eq!(r(t), Value::Bool(true), "{t}");
        }
        for f in ["no", "off", "Off", "n", "N", "FALSE"] {
            assert_eq!(r(f), Value::Bool(false), "{f}");
        }
        for n in ["", "~", "null", "NULL"] {
            assert_eq!(r(n), Value::Null, "{n}");
        }
        assert_eq!(r("yEs"), Value::String("yEs".into()));
    }

    #[test]
    fn go_integers() {
        assert_eq!(r("0644"), Value::Int(420));
        assert_eq!(r("0o644"), Value::Int(420));
        assert_eq!(r("0x1F"), Value::Int(31));
        assert_eq!(r("0b101"), Value::Int(5));
        assert_eq!(r("-0x10"), Value::Int(-16));
        assert_eq!(r("1_000"), Value::Int(1000));
        assert_eq!(r("+7"), Value::Int(7));
        assert_eq!(r("0"), Value::Int(0));
        assert_eq!(r("18446744073709551615"), Value::UInt(u64::MAX));
        // Not octal, but go-yaml's float pattern accepts it.
        assert_eq!(r("09"), Value::Float(9.0));
        assert_eq!(r("1e3"), Value::Float(1000.0));
        assert_eq!(r(".5"), Value::Float(0.5));
        assert_eq!(r("1."), Value::Float(1.0));
    }

    #[test]
    fn strings_stay_strings() {
        for s in [
            "1.2.3",
            "2001-12-14",
            "0x",
            "-",
            "+",
            ".",
            "1e",
            "10Gi",
            "100m",
            "v1",
            "1:2",
            "1e500",
            "-1e500",
            "1e309",
        ] {
            assert_eq!(r(s), Value::String(s.into()), "{s}");
        }
        assert_eq!(r("1e-400"), Value::Float(0.0));
    }

    #[test]
    fn float_keys_as_go_formats_them() {
        for (f, key) in [
            (1.10, "1.1"),
            (1.0, "1"),
            (0.5, "0.5"),
            (1e3, "1000"),
            (std::f64::consts::PI, "3.1415927"),
            (0.1, "0.1"),
            (123_456.0, "123456"),
            (1e6, "1e+06"),
            (1_234_567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5, "-2.5"),
            (0.0, "0"),
            (-0.0, "-0"),
            (1e39, ".inf"),
            (f64::NEG_INFINITY, "-.inf"),
            (f64::NAN, ".nan"),
            (6.02e23, "6.02e+23"),
            (1e-40, "1e-40"),
        ] {
            assert_eq!(float_key(f), key, "{f}");
        }
    }
}
