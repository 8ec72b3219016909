//! Script conversion keeps the meaning: sentences that use the words
//! OpenCC's phrase profiles get wrong, each in its everyday sense
//! (`tests/fixtures/convert/`), converted both ways; the output is compared
//! with its snapshot, and none of the wrong words may appear in it.

use quire::text::{convert_script, Conversion};

use crate::common::{assert_no_mismatches, check_snapshot, root};

/// What the phrase profiles (`tw2sp`, `s2twp`) made of these sentences,
/// and what a converter that keeps the meaning never writes here.
const WRONG_IN_HANS: &[&str] = &[
    "串行",
    "内核",
    "创建",
    "运行",
    "智能",
    "指针",
    "文档",
    "数据",
    "拷贝",
    "链接",
    "性能",
    "交互",
    "集成",
    "查找",
    "矢量",
    "移动",
    "仿真",
    "批量",
    "演示文稿",
    "实时",
    "脱机",
    "引数",
    "宣告",
    "进程",
    "方程序",
    "变量",
    "通过",
    "低级",
    "打开了新",
];
const WRONG_IN_HANT: &[&str] = &[
    "引數",
    "宣告",
    "正規化",
    "建立",
    "釋出",
    "區域性",
    "擴充套件",
    "專案",
    "支援",
    "社群",
    "執行",
    "資料",
    "程式碼",
    "影片",
    "資訊",
    "智慧程度",
    "這張影像",
    "最佳化",
    "效能",
    "程式設計",
    "位元幣",
    "叢集",
    "聯絡",
    "字型",
    "開啟",
    "程式",
    "裝置",
    "視窗",
    "使用者",
    "數位",
    "文檔",
    "谷歌",
    "安卓",
];

#[test]
fn ambiguous_words_keep_their_meaning_both_ways() {
    let dir = root().join("tests/fixtures/convert");
    let mut mismatches = Vec::new();
    let mut wrong = Vec::new();
    for (source, conversion, target, avoid) in [
        ("zh-Hant", Conversion::HantToHans, "zh-Hans", WRONG_IN_HANS),
        ("zh-Hans", Conversion::HansToHant, "zh-Hant", WRONG_IN_HANT),
    ] {
        let text = std::fs::read_to_string(dir.join(format!("{source}.txt"))).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let (converted, changes) = convert_script(line, conversion, None);
            out.push_str(&format!("{line}\n{converted}\n"));
            for change in changes {
                out.push_str(&format!("  phrase: {} → {}\n", change.before, change.after));
            }
            wrong.extend(
                avoid
                    .iter()
                    .filter(|w| converted.contains(*w))
                    .map(|w| format!("{target}: `{w}` in {converted}")),
            );
        }
        mismatches.extend(check_snapshot(
            &dir.join(format!("expected/{target}.txt")),
            &out,
        ));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_no_mismatches(mismatches);
}
