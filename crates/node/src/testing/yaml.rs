//! A small block-style YAML writer for test files (kubelet configuration, kubeconfigs).

use serde_json::Value;

/// `value` as block YAML, ending with a newline.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, 0);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn write(out: &mut String, value: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                out.push_str(&format!("{pad}{}:", scalar_str(k)));
                block_child(out, v, indent + 2);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for v in items {
                out.push_str(&format!("{pad}-"));
                match v {
                    Value::Object(m) if !m.is_empty() => {
                        // The first key on the dash's line, the rest indented under it.
                        let mut first = true;
                        for (k, v) in m {
                            if first {
                                out.push_str(&format!(" {}:", scalar_str(k)));
                                first = false;
                            } else {
                                out.push_str(&format!("{pad}  {}:", scalar_str(k)));
                            }
                            block_child(out, v, indent + 4);
                        }
                    }
                    _ => block_child(out, v, indent + 2),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", inline(other))),
    }
}

fn block_child(out: &mut String, v: &Value, indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write(out, v, indent);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write(out, v, indent.saturating_sub(2));
        }
        other => out.push_str(&format!(" {}\n", inline(other))),
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar_str(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// A string plain when YAML would read it back as the same string, else double-quoted.
fn scalar_str(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,@+".contains(c))
        && !s.contains(": ")
        && !s.ends_with(':')
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested() {
        let v = serde_json::json!({
            "a": {"b": true, "c": ["x", "0s"]},
            "users": [{"name": "admin", "user": {"token": "t"}}],
            "empty": {},
        });
        assert_eq!(
            to_yaml(&v),
            "a:\n  b: true\n  c:\n  - x\n  - \"0s\"\nempty: {}\nusers:\n- name: admin\n  user:\n    token: t\n"
        );
    }
}
