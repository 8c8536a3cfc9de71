//! `text::only`: a process that renders one language formats only that one. Its own test binary,
//! since the setting is process-wide.

use kcheck_model::{text, Lang};

#[test]
fn only_the_chosen_language_is_formatted_and_the_other_falls_back() {
    let n = 3;
    let both = text!("{n} pods", "{n} 个 Pod");
    assert_eq!((&*both.en, &*both.zh), ("3 pods", "3 个 Pod"));

    text::only(Some(Lang::Zh));
    let zh = text!("{n} pods", "{n} 个 Pod");
    assert_eq!((&*zh.en, &*zh.zh), ("", "3 个 Pod"));
    // Asked for the language it did not format, a text gives the one it has.
    assert_eq!(zh.get(Lang::En), "3 个 Pod");
    assert_eq!(zh.get(Lang::Zh), "3 个 Pod");
    // Fixed texts are not formatted and keep both.
    let fixed = kcheck_model::Text::fixed("pass", "通过");
    assert_eq!(fixed.get(Lang::En), "pass");

    text::only(Some(Lang::En));
    let en = text!("no arguments", "没有参数",);
    assert_eq!((&*en.en, &*en.zh), ("no arguments", ""));

    text::only(None);
    let again = text!("{n} pods", "{n} 个 Pod");
    assert_eq!((&*again.en, &*again.zh), ("3 pods", "3 个 Pod"));
}
