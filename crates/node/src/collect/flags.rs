//! Command lines to [`Flags`], keeping where each flag was written.

use kcheck_model::facts::{ComponentKind, Flags};
use kcheck_model::Location;

/// One command-line word and where it was written, when it came from a file.
#[derive(Clone, Debug)]
pub struct Word {
    pub text: String,
    pub location: Option<Location>,
}

impl Word {
    pub fn plain(text: impl Into<String>) -> Word {
        Word {
            text: text.into(),
            location: None,
        }
    }
}

/// Parses words as the component would ([`Flags::parse`]) and gives each flag the location of
/// the word that holds its name.
pub fn parse(words: &[Word], kind: ComponentKind) -> Flags {
    let texts: Vec<&str> = words.iter().map(|w| w.text.as_str()).collect();
    let mut flags = Flags::parse(&texts, kind.bool_flags());
    // Flags come out in the order of their words: walk both together.
    let mut cursor = 0;
    for flag in &mut flags.args {
        while let Some(word) = words.get(cursor) {
            cursor += 1;
            if word_names(&word.text) == Some(flag.name.as_str()) {
                flag.location = word.location.clone();
                break;
            }
        }
    }
    flags
}

/// The flag name a word starts (`--a=b` and `-a` give `a`), if it is a flag.
fn word_names(word: &str) -> Option<&str> {
    let body = word.strip_prefix("--").or_else(|| word.strip_prefix('-'))?;
    Some(body.split_once('=').map_or(body, |(n, _)| n))
}

/// The version in an image reference's tag: `registry.k8s.io/kube-apiserver:v1.30.4` gives
/// `v1.30.4`, `registry.k8s.io/etcd:3.5.15-0` gives `3.5.15-0`.
pub fn image_version(image: &str) -> Option<String> {
    let image = image.split('@').next().unwrap_or(image);
    let last = image.rsplit('/').next().unwrap_or(image);
    let (_, tag) = last.split_once(':')?;
    let digits = tag.trim_start_matches('v');
    digits
        .chars()
        .next()
        .filter(char::is_ascii_digit)
        .map(|_| tag.to_string())
}

/// Splits a shell-like line into words as systemd does for `ExecStart=` and environment values:
/// whitespace separates, single and double quotes group, backslash escapes. Each word keeps the
/// column (1-based, in characters) where it starts.
pub fn split_words(line: &str) -> Vec<(String, u32)> {
    let mut words = Vec::new();
    let mut current: Option<(String, u32)> = None;
    let mut quote: Option<char> = None;
    let mut chars = line.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let column = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if let Some(w) = current.take() {
                    words.push(w);
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                current.get_or_insert_with(|| (String::new(), column));
            }
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                let word = current.get_or_insert_with(|| (String::new(), column));
                if let Some((_, next)) = chars.next() {
                    word.0.push(next);
                }
            }
            (_, c) => current
                .get_or_insert_with(|| (String::new(), column))
                .0
                .push(c),
        }
    }
    if let Some(w) = current.take() {
        words.push(w);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_follow_their_flags() {
        let at = |line| {
            Some(Location {
                file: "/m.yaml".into(),
                line,
                column: 7,
            })
        };
        let words = vec![
            Word {
                text: "--anonymous-auth".into(),
                location: at(1),
            },
            Word {
                text: "--bind-address".into(),
                location: at(2),
            },
            Word {
                text: "0.0.0.0".into(),
                location: at(3),
            },
            Word {
                text: "--profiling=false".into(),
                location: at(4),
            },
        ];
        let flags = parse(&words, ComponentKind::ApiServer);
        let lines: Vec<_> = flags
            .args
            .iter()
            .map(|f| (f.name.as_str(), f.location.as_ref().map(|l| l.line)))
            .collect();
        assert_eq!(
            lines,
            [
                ("anonymous-auth", Some(1)),
                ("bind-address", Some(2)),
                ("profiling", Some(4))
            ]
        );
    }

    #[test]
    fn image_versions() {
        assert_eq!(
            image_version("registry.k8s.io/kube-apiserver:v1.30.4").as_deref(),
            Some("v1.30.4")
        );
        assert_eq!(
            image_version("localhost:5000/etcd:3.5.15-0@sha256:ab").as_deref(),
            Some("3.5.15-0")
        );
        assert_eq!(image_version("localhost:5000/kube-apiserver"), None);
        assert_eq!(image_version("x:latest"), None);
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            split_words(r#"--a=1  "--b=x y" --c='z'"#),
            [
                ("--a=1".to_string(), 1),
                ("--b=x y".to_string(), 8),
                ("--c=z".to_string(), 18)
            ]
        );
    }
}
