//! Phrase-level conversion between Traditional (Taiwan) and Simplified (Mainland) Chinese.

use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;

/// A direction of script conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conversion {
    /// Simplified → Traditional with Taiwan phrasing (OpenCC `s2twp`).
    HansToHant,
    /// Traditional (Taiwan) → Simplified with Mainland phrasing (OpenCC `tw2sp`).
    HantToHans,
}

/// Words the phrase dictionaries get wrong for these texts; they are converted
/// character by character instead (OpenCC `s2tw` / `tw2s`).
/// `tw2sp` makes 向量 (vector) 矢量, 查詢 (query) 查找 and 程序 (procedure)
/// 进程; `s2twp` makes 范式 (paradigm) 正規化.
const CHARACTER_LEVEL: &[(Conversion, &str)] = &[
    (Conversion::HantToHans, "向量"),
    (Conversion::HantToHans, "查詢"),
    (Conversion::HantToHans, "程序"),
    (Conversion::HansToHant, "范式"),
];

/// Converts `text`; the dictionaries are loaded once per process.
pub fn convert_script(text: &str, conversion: Conversion) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, word)) = next_exception(rest, conversion) {
        out.push_str(&converter(conversion, true).convert(&rest[..at]));
        out.push_str(&converter(conversion, false).convert(word));
        rest = &rest[at + word.len()..];
    }
    out.push_str(&converter(conversion, true).convert(rest));
    out
}

/// The first word of [`CHARACTER_LEVEL`] in `text`, and where it starts.
fn next_exception(text: &str, conversion: Conversion) -> Option<(usize, &'static str)> {
    CHARACTER_LEVEL
        .iter()
        .filter(|(c, _)| *c == conversion)
        .filter_map(|(_, word)| text.find(word).map(|at| (at, *word)))
        .min()
}

fn converter(conversion: Conversion, phrases: bool) -> &'static OpenCC {
    static CONVERTERS: [OnceLock<OpenCC>; 4] = [const { OnceLock::new() }; 4];
    let (slot, config) = match (conversion, phrases) {
        (Conversion::HansToHant, true) => (0, BuiltinConfig::S2twp),
        (Conversion::HansToHant, false) => (1, BuiltinConfig::S2tw),
        (Conversion::HantToHans, true) => (2, BuiltinConfig::Tw2sp),
        (Conversion::HantToHans, false) => (3, BuiltinConfig::Tw2s),
    };
    CONVERTERS[slot].get_or_init(|| {
        // The dictionaries are compiled into the binary: failing to load them
        // is a defect of the build, not of the user's input.
        OpenCC::from_config(config).expect("the built-in OpenCC dictionaries load")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_phrases_both_ways() {
        assert_eq!(
            convert_script("软件和内存", Conversion::HansToHant),
            "軟體和記憶體"
        );
        assert_eq!(
            convert_script("軟體和記憶體", Conversion::HantToHans),
            "软件和内存"
        );
        assert_eq!(
            convert_script("DeepSeek 2025", Conversion::HansToHant),
            "DeepSeek 2025"
        );
    }

    #[test]
    fn exceptions_keep_their_meaning() {
        assert_eq!(
            convert_script("每個查詢向量與軟體程序", Conversion::HantToHans),
            "每个查询向量与软件程序"
        );
        assert_eq!(
            convert_script("新的范式涌现", Conversion::HansToHant),
            "新的範式湧現"
        );
    }
}
