//! The few words a book says about itself, per edition: furniture labels and the colophon.

use crate::book::Lang;
use crate::text::Conversion;
use crate::volume::Book;

/// The colophon: edition, date, fonts, and which chapters were converted.
pub fn colophon_lines(book: &Book, families: &[String], words: &Words) -> Vec<String> {
    let mut lines = vec![
        format!("{} — {}", book.title, edition_name(book)),
        format!("{}{}", words.published, book.date.format("%Y-%m-%d")),
    ];
    lines.push(format!("{}{}", words.fonts, families.join(", ")));
    let converted: Vec<String> = book
        .chapters
        .iter()
        .filter(|c| c.converted.is_some())
        .map(|c| format!("《{}》", c.title))
        .collect();
    if let Some(chapter) = book.chapters.iter().find(|c| c.converted.is_some()) {
        let note = match chapter.converted {
            Some(Conversion::HansToHant) => words.converted_from_hans,
            _ => words.converted_from_hant,
        };
        lines.push(format!("{note}{}", converted.join(words.list_separator)));
    }
    lines.push(words.made_with.to_string());
    lines
}

/// The few words the book itself says, per edition.
pub struct Words {
    pub contents: &'static str,
    pub cover: &'static str,
    pub title_page: &'static str,
    pub colophon: &'static str,
    pub published: &'static str,
    pub fonts: &'static str,
    pub converted_from_hans: &'static str,
    pub converted_from_hant: &'static str,
    pub list_separator: &'static str,
    pub made_with: &'static str,
    /// Ends the accessibility summary of a book with print page markers.
    pub print_pages_marked: &'static str,
    /// The print edition of a book, around its title: before, after.
    print_edition: (&'static str, &'static str),
}

impl Words {
    /// The name of `title`'s print edition, for `dc:source`.
    pub fn print_edition(&self, title: &str) -> String {
        format!("{}{title}{}", self.print_edition.0, self.print_edition.1)
    }

    pub fn of(lang: Lang) -> Words {
        match lang {
            Lang::En => Words {
                contents: "Contents",
                cover: "Cover",
                title_page: "Title Page",
                colophon: "Colophon",
                published: "Published ",
                fonts: "Set in ",
                converted_from_hans: "",
                converted_from_hant: "",
                list_separator: ", ",
                made_with: "Made with quire.",
                print_pages_marked: " Page numbers of the print edition are marked.",
                print_edition: ("", ", print edition (PDF)"),
            },
            Lang::ZhHant => Words {
                contents: "目錄",
                cover: "封面",
                title_page: "書名頁",
                colophon: "版權頁",
                published: "出版日期：",
                fonts: "字型：",
                converted_from_hans:
                    "以下各篇原以簡體中文寫成，於編譯時轉為繁體（OpenCC s2tw 逐字轉換，詞語依兩岸同義的詞表轉換）：",
                converted_from_hant: "",
                list_separator: "、",
                made_with: "以 quire 編排。",
                print_pages_marked: "標有印刷版的頁碼。",
                print_edition: ("《", "》印刷版（PDF）"),
            },
            Lang::ZhHans => Words {
                contents: "目录",
                cover: "封面",
                title_page: "书名页",
                colophon: "版权页",
                published: "出版日期：",
                fonts: "字体：",
                converted_from_hans: "",
                converted_from_hant:
                    "以下各篇原以繁体中文写成，于编译时转为简体（OpenCC tw2s 逐字转换，词语依两岸同义的词表转换）：",
                list_separator: "、",
                made_with: "以 quire 编排。",
                print_pages_marked: "标有印刷版的页码。",
                print_edition: ("《", "》印刷版（PDF）"),
            },
        }
    }
}

/// The edition's name, as the colophon gives it.
fn edition_name(book: &Book) -> String {
    match book.edition.single() {
        Some(lang) => lang.native_name().to_string(),
        None => format!("English · {}", book.lang.native_name()),
    }
}
