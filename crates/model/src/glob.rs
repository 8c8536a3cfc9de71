//! One wildcard matcher for waivers, Kyverno patterns and `--exclude`: `*` any run, `?` one.

/// `*` and `?` globs.
pub fn glob(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        // Names, namespaces and image references: bytes will do, without allocating.
        return wildcard(pattern.as_bytes(), text.as_bytes(), b'?', b'*');
    }
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    wildcard(&p, &t, '?', '*')
}

/// `*` (any run) and `?` (one element) over slices, with backtracking to the last star.
fn wildcard<T: PartialEq + Copy>(p: &[T], t: &[T], one: T, any: T) -> bool {
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == one || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == any {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == any)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn stars_and_marks() {
        assert!(glob("charts/*", "charts/a/values.yaml"));
        assert!(glob("*.values.yaml", "prod.values.yaml"));
        assert!(!glob("*.values.yaml", "values.yml"));
        assert!(glob("a?c", "abc") && !glob("a?c", "ac"));
        assert!(glob("名字*", "名字空间"));
    }
}
