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

/// Converts `text`; the dictionaries are loaded once per process.
pub fn convert_script(text: &str, conversion: Conversion) -> String {
    static TO_HANT: OnceLock<Option<OpenCC>> = OnceLock::new();
    static TO_HANS: OnceLock<Option<OpenCC>> = OnceLock::new();
    let (cell, config) = match conversion {
        Conversion::HansToHant => (&TO_HANT, BuiltinConfig::S2twp),
        Conversion::HantToHans => (&TO_HANS, BuiltinConfig::Tw2sp),
    };
    // The dictionaries are compiled into the binary; failing to load them is a build defect.
    let converter = cell.get_or_init(|| OpenCC::from_config(config).ok());
    match converter {
        Some(converter) => converter.convert(text),
        None => panic!("the built-in OpenCC dictionary {config:?} failed to load"),
    }
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
}
