//! Human-facing text in the two languages kcheck speaks.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "en" | "english" => Some(Lang::En),
            "zh" | "zh-cn" | "zh_cn" | "chinese" | "cn" => Some(Lang::Zh),
            _ => None,
        }
    }
}

/// A message in English and Chinese. Rules write both, side by side, so a translation is never
/// far from the sentence it translates.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Text {
    pub en: Cow<'static, str>,
    pub zh: Cow<'static, str>,
}

impl Text {
    pub const fn fixed(en: &'static str, zh: &'static str) -> Text {
        Text {
            en: Cow::Borrowed(en),
            zh: Cow::Borrowed(zh),
        }
    }

    pub fn new(en: impl Into<Cow<'static, str>>, zh: impl Into<Cow<'static, str>>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The same words in both languages: names, paths and the operating system's own error
    /// messages, which kcheck does not translate.
    pub fn same(s: impl Into<String>) -> Text {
        let s: String = s.into();
        Text {
            en: Cow::Owned(s.clone()),
            zh: Cow::Owned(s),
        }
    }

    /// The text in `lang`; when a process formats only one language (see [`only`]) and asks
    /// for the other, the one it has.
    pub fn get(&self, lang: Lang) -> &str {
        let (wanted, other) = match lang {
            Lang::En => (&self.en, &self.zh),
            Lang::Zh => (&self.zh, &self.en),
        };
        if wanted.is_empty() {
            other
        } else {
            wanted
        }
    }
}

/// Which languages [`text!`](crate::text!) formats: 0 both, 1 English only, 2 Chinese only.
static FORMATTED: AtomicU8 = AtomicU8::new(0);

/// Makes [`text!`](crate::text!) format only `lang` (the other sentence stays empty), or both
/// with `None`, the default. A command that renders its report in one language sets it before
/// judging: half a million findings hold half the text and take half the formatting.
pub fn only(lang: Option<Lang>) {
    let v = match lang {
        None => 0,
        Some(Lang::En) => 1,
        Some(Lang::Zh) => 2,
    };
    FORMATTED.store(v, Ordering::Relaxed);
}

/// Whether [`text!`](crate::text!) formats sentences in `lang`.
pub fn formats(lang: Lang) -> bool {
    match FORMATTED.load(Ordering::Relaxed) {
        1 => lang == Lang::En,
        2 => lang == Lang::Zh,
        _ => true,
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// `text!("English {x}", "中文 {x}")`: both sentences formatted with the same arguments in scope
/// (only one when [`only`] says so).
#[macro_export]
macro_rules! text {
    ($en:literal, $zh:literal $(,)?) => {
        $crate::text!(@both $en, $zh,)
    };
    ($en:literal, $zh:literal, $($arg:tt)+) => {
        $crate::text!(@both $en, $zh, $($arg)+)
    };
    (@both $en:literal, $zh:literal, $($arg:tt)*) => {
        $crate::Text::new(
            if $crate::text::formats($crate::Lang::En) {
                format!($en, $($arg)*)
            } else {
                String::new()
            },
            if $crate::text::formats($crate::Lang::Zh) {
                format!($zh, $($arg)*)
            } else {
                String::new()
            },
        )
    };
}

/// Whether `line` holds an English sentence: eight or more ASCII words in a row (a word followed
/// by a comma ends the run, so lists of identifiers such as `create, update, patch` do not count).
/// The tests use it to find English left in Chinese text; code should be taken out first.
pub fn has_english_sentence(line: &str) -> bool {
    let mut run = 0;
    for word in line.split_whitespace() {
        let plain = word.trim_matches(|c: char| ".;:()!?\"'".contains(c));
        let listed = plain.ends_with(',');
        let plain = plain.trim_end_matches(',');
        if !plain.is_empty() && plain.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 0;
        }
        if listed {
            run = 0;
        }
    }
    false
}

/// Whether `c` is a Chinese character or full-width punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

/// The first ASCII `,` `;` `:` `(` or `)` in `line` written against a Chinese character (before
/// or after it), with a few characters around it: Chinese text in kcheck takes full-width
/// punctuation. The tests use it on Chinese output with code taken out.
pub fn ascii_punctuation_in_chinese(line: &str) -> Option<String> {
    let chars: Vec<char> = line.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !",;:()".contains(c) {
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        // Against a Chinese character, not against punctuation: `)（` or `)、` close a name or
        // a user's note (`demo (scan.json)、`) before kcheck's own punctuation.
        let chinese = |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c);
        if before.is_some_and(chinese) || after.is_some_and(chinese) {
            let from = i.saturating_sub(6);
            let to = (i + 7).min(chars.len());
            return Some(chars[from..to].iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod sentence_tests {
    use super::has_english_sentence;

    #[test]
    fn english_sentences_not_lists() {
        assert!(has_english_sentence(
            "The pod shares the host network and can reach every local service"
        ));
        assert!(!has_english_sentence(
            "Pod 共享主机网络：可以访问节点上的 kubelet 和 etcd"
        ));
        assert!(!has_english_sentence(
            "可以执行 create, update, patch, delete pods, deployments, statefulsets, daemonsets, jobs"
        ));
    }

    #[test]
    fn ascii_punctuation_against_chinese() {
        use super::ascii_punctuation_in_chinese as check;
        assert_eq!(check("状态:不通过").as_deref(), Some("状态:不通过"));
        assert_eq!(
            check("镜像未固定,或未验证签名").as_deref(),
            Some("镜像未固定,或未验证签名")
        );
        assert_eq!(check("证书(CN=kubernetes)").as_deref(), Some("证书(CN=kub"));
        assert_eq!(check("用户的说明 (PLAT-12)（注解）"), None);
        assert_eq!(
            check("状态：不通过，见 /etc/kubernetes/admin.conf:3:5"),
            None
        );
        assert_eq!(check("kcheck: 无法连接 https://127.0.0.1:6443"), None);
    }
}
