//! Conversion between Traditional (Taiwan) and Simplified (Mainland) Chinese
//! that keeps the meaning: OpenCC at the level of characters and variants
//! (`s2tw`, `tw2s`), plus phrases that mean the same in running prose on
//! both sides of the strait, plus the library's own phrase table.
//!
//! OpenCC's phrase profiles (`s2twp`, `tw2sp`) are not used: their
//! dictionaries (TWPhrases, TWPhrasesRev) are tuned for software interfaces
//! and, read against these essays, change the meaning of common words —
//! 序列 (sequence) → 串行 (serial), 核心 (core) → 内核 (kernel), 建立
//! (establish) → 创建 (create), 執行 (carry out) → 运行 (run a program),
//! 智慧 (wisdom) → 智能, 指標 (metric) → 指针 (pointer), 文件 (document) →
//! 文档, 資料 (material) → 数据, 複製 (copy an idea) → 拷贝, 連結 (connect) →
//! 链接, 效能 → 性能, 互動 → 交互, 整合 → 集成, 查詢 → 查找, 向量 → 矢量,
//! 行動 (action) → 移动 (mobile), 模擬 → 仿真, 批次 → 批量, 簡報 → 演示文稿,
//! 即時 → 实时; and the other way 参数 (parameter) → 引數 (argument), 声明
//! (statement) → 宣告, 范式 (paradigm) → 正規化, 创建 → 建立, 发布 → 釋出,
//! 局部 → 區域性, 扩展 → 擴充套件, 项目 → 專案, 支持 → 支援, 社区 → 社群,
//! 运行 → 執行, 数据 → 資料, 代码 (a code, as of a stock) → 程式碼, 视频游戏 →
//! 影片遊戲, 信息 (a message) → 資訊. [`PHRASES`] keeps the pairs that
//! never do: technical nouns with one sense and names. Not 數位 → 数字
//! (數位學者 is *several scholars*) nor 支援 → 支持 (支援災區 is *bring aid*).

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use ferrous_opencc::config::BuiltinConfig;
use ferrous_opencc::OpenCC;

/// A direction of script conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Conversion {
    /// Simplified → Traditional (Taiwan).
    HansToHant,
    /// Traditional (Taiwan) → Simplified.
    HantToHans,
}

/// Which ways a pair of [`PHRASES`] is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ways {
    Both,
    /// Only Traditional → Simplified: the Simplified word has other senses.
    ToHans,
    /// Only Simplified → Traditional: the Traditional word has other senses.
    ToHant,
}

/// Phrases that mean the same in running prose in Taiwan and on the
/// Mainland, as (Traditional, Simplified): applied as a whole, before
/// OpenCC converts the rest character by character.
const PHRASES: &[(&str, &str, Ways)] = &[
    ("軟體", "软件", Ways::Both),
    ("硬體", "硬件", Ways::Both),
    ("韌體", "固件", Ways::Both),
    ("記憶體", "内存", Ways::Both),
    ("演算法", "算法", Ways::Both),
    ("部落格", "博客", Ways::Both),
    ("晶片", "芯片", Ways::Both),
    ("矽", "硅", Ways::Both),
    ("人工智慧", "人工智能", Ways::Both),
    ("智慧型手機", "智能手机", Ways::Both),
    ("資料庫", "数据库", Ways::Both),
    ("資料集", "数据集", Ways::Both),
    ("資料結構", "数据结构", Ways::Both),
    ("資料探勘", "数据挖掘", Ways::Both),
    ("作業系統", "操作系统", Ways::Both),
    ("網際網路", "互联网", Ways::Both),
    ("網路", "网络", Ways::Both),
    ("行動網路", "移动网络", Ways::Both),
    ("伺服器", "服务器", Ways::Both),
    ("程式設計師", "程序员", Ways::Both),
    ("程式語言", "编程语言", Ways::Both),
    ("應用程式", "应用程序", Ways::Both),
    ("快取", "缓存", Ways::Both),
    ("感測器", "传感器", Ways::Both),
    ("筆記型電腦", "笔记本电脑", Ways::Both),
    ("印表機", "打印机", Ways::Both),
    ("滑鼠", "鼠标", Ways::Both),
    ("螢幕", "屏幕", Ways::Both),
    ("硬碟", "硬盘", Ways::Both),
    ("光碟", "光盘", Ways::Both),
    ("隨身碟", "U盘", Ways::Both),
    ("位元組", "字节", Ways::Both),
    ("積體電路", "集成电路", Ways::Both),
    ("電晶體", "晶体管", Ways::Both),
    ("物件導向", "面向对象", Ways::Both),
    ("雲端運算", "云计算", Ways::Both),
    ("虛擬實境", "虚拟现实", Ways::Both),
    ("擴增實境", "增强现实", Ways::Both),
    ("數位化", "数字化", Ways::Both),
    ("輝達", "英伟达", Ways::Both),
    ("義大利", "意大利", Ways::Both),
    ("紐西蘭", "新西兰", Ways::Both),
    ("川普", "特朗普", Ways::Both),
    ("電腦視覺", "计算机视觉", Ways::Both),
    ("語音辨識", "语音识别", Ways::Both),
    ("影像辨識", "图像识别", Ways::Both),
    ("複讀機", "复读机", Ways::Both),
    ("程式碼", "代码", Ways::ToHans),
    ("使用者", "用户", Ways::ToHans),
    ("最佳化", "优化", Ways::ToHans),
    ("Google", "谷歌", Ways::ToHant),
    ("Android", "安卓", Ways::ToHant),
    ("文件", "文档", Ways::ToHant),
];

/// A phrase table for one direction: a phrase of the source script → what
/// it becomes, looked up by the phrase's first character.
#[derive(Debug, Clone, Default)]
pub struct Phrases {
    by_first: HashMap<char, Vec<(String, String)>>,
}

impl Phrases {
    /// A table of `pairs`; of two phrases that start at the same place, the
    /// longer wins.
    pub fn new<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Phrases {
        let mut by_first: HashMap<char, Vec<(String, String)>> = HashMap::new();
        for (from, to) in pairs {
            if let Some(first) = from.chars().next() {
                by_first
                    .entry(first)
                    .or_default()
                    .push((from.to_owned(), to.to_owned()));
            }
        }
        for entries in by_first.values_mut() {
            entries.sort_by_key(|(from, _)| std::cmp::Reverse(from.len()));
        }
        Phrases { by_first }
    }

    /// The built-in table of [`PHRASES`] for `conversion`.
    pub fn builtin(conversion: Conversion) -> &'static Phrases {
        static TABLES: [OnceLock<Phrases>; 2] = [const { OnceLock::new() }; 2];
        TABLES[conversion as usize].get_or_init(|| {
            Phrases::new(
                PHRASES
                    .iter()
                    .filter_map(|&(hant, hans, ways)| match conversion {
                        Conversion::HantToHans => (ways != Ways::ToHant).then_some((hant, hans)),
                        Conversion::HansToHant => (ways != Ways::ToHans).then_some((hans, hant)),
                    }),
            )
        })
    }

    /// The phrase of this table that `text` starts with, and what it becomes.
    fn at<'a>(&'a self, text: &str) -> Option<(&'a str, &'a str)> {
        let first = text.chars().next()?;
        self.by_first
            .get(&first)?
            .iter()
            .find(|(from, _)| text.starts_with(from.as_str()))
            .map(|(from, to)| (from.as_str(), to.as_str()))
    }
}

/// The library's phrase tables (`[convert]` in the config), by direction.
pub type LibraryPhrases = BTreeMap<Conversion, Phrases>;

/// A phrase converted as a whole, not character by character: where it
/// starts in the text given (a byte offset), what it was and what it became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhraseChange {
    pub offset: usize,
    pub before: String,
    pub after: String,
}

/// Converts `text`: the phrases of `library`, then those of the built-in
/// table, each as a whole; the rest with OpenCC, character by character.
/// Returns the text and the phrases that came out otherwise than their
/// characters would have.
pub fn convert_script(
    text: &str,
    conversion: Conversion,
    library: Option<&Phrases>,
) -> (String, Vec<PhraseChange>) {
    let builtin = Phrases::builtin(conversion);
    let mut out = String::with_capacity(text.len());
    let mut changes = Vec::new();
    let mut plain = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let found = library
            .and_then(|l| l.at(rest))
            .or_else(|| builtin.at(rest));
        let Some((from, to)) = found else {
            at += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        out.push_str(&characters(&text[plain..at], conversion));
        if characters(from, conversion) != to {
            changes.push(PhraseChange {
                offset: at,
                before: from.to_owned(),
                after: to.to_owned(),
            });
        }
        out.push_str(to);
        at += from.len();
        plain = at;
    }
    out.push_str(&characters(&text[plain..], conversion));
    (out, changes)
}

/// `text` converted by OpenCC character by character (with its variant
/// tables), the dictionaries loaded once per process.
fn characters(text: &str, conversion: Conversion) -> String {
    static CONVERTERS: [OnceLock<OpenCC>; 2] = [const { OnceLock::new() }; 2];
    if text.is_empty() {
        return String::new();
    }
    let config = match conversion {
        Conversion::HansToHant => BuiltinConfig::S2tw,
        Conversion::HantToHans => BuiltinConfig::Tw2s,
    };
    CONVERTERS[conversion as usize]
        .get_or_init(|| {
            // The dictionaries are compiled into the binary: failing to load
            // them is a defect of the build, not of the user's input.
            OpenCC::from_config(config).expect("the built-in OpenCC dictionaries load")
        })
        .convert(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(text: &str, conversion: Conversion) -> String {
        convert_script(text, conversion, None).0
    }

    #[test]
    fn converts_characters_and_unambiguous_phrases_both_ways() {
        assert_eq!(
            convert("软件和内存", Conversion::HansToHant),
            "軟體和記憶體"
        );
        assert_eq!(
            convert("軟體和記憶體", Conversion::HantToHans),
            "软件和内存"
        );
        assert_eq!(
            convert("DeepSeek 2025", Conversion::HansToHant),
            "DeepSeek 2025"
        );
    }

    #[test]
    fn ambiguous_words_keep_their_meaning() {
        assert_eq!(
            convert(
                "輸入序列的核心概念必須建立在果斷執行與智慧之上，每個查詢向量與應用程式",
                Conversion::HantToHans
            ),
            "输入序列的核心概念必须建立在果断执行与智慧之上，每个查询向量与应用程序"
        );
        assert_eq!(
            convert("增加参数，官方声明，新的范式", Conversion::HansToHant),
            "增加參數，官方聲明，新的範式"
        );
    }

    #[test]
    fn one_way_pairs_are_not_applied_the_other_way() {
        assert_eq!(convert("使用者", Conversion::HantToHans), "用户");
        assert_eq!(convert("用户", Conversion::HansToHant), "用戶");
        assert_eq!(convert("股票代码", Conversion::HansToHant), "股票代碼");
    }

    #[test]
    fn the_library_table_comes_first_and_the_longest_phrase_wins() {
        let library = Phrases::new([("輝達", "辉达"), ("輝達公司", "英伟达公司")]);
        let (text, changes) = convert_script(
            "輝達與輝達公司的記憶體",
            Conversion::HantToHans,
            Some(&library),
        );
        assert_eq!(text, "辉达与英伟达公司的内存");
        // 輝達 → 辉达 is what the characters give: not a phrase change.
        let changed: Vec<(usize, &str, &str)> = changes
            .iter()
            .map(|c| (c.offset, c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            changed,
            [(9, "輝達公司", "英伟达公司"), (24, "記憶體", "内存")]
        );
    }
}
