//! One fixture per Markdown feature: `tests/fixtures/markdown/<case>/<lang>.md`,
//! with the model dump (`expected/model.txt`) and the chapter XHTML
//! (`expected/chapter.xhtml`) it must give.

use quire::book::Lang;
use quire::render::epub::xhtml::{Source, Writer};

use crate::common::{
    assert_no_mismatches, cases, check_snapshot, fixture_article, fixture_document, fonts,
};

#[test]
fn markdown_fixtures() {
    let mut mismatches = Vec::new();
    for case in cases("markdown") {
        let article = fixture_article(&case);
        let doc = fixture_document(&article);
        mismatches.extend(check_snapshot(
            &case.join("expected/model.txt"),
            &quire::doc::dump(&doc),
        ));

        let mut writer = Writer::new(fonts(), Lang::ZhHant);
        let source = Source {
            path: &article.path,
            text: &article.text,
        };
        let mut xhtml = writer.chapter(&doc, &source, &article.title);
        for d in writer
            .diagnostics
            .iter()
            .chain(&doc.warnings(&article.text))
        {
            xhtml.push_str(&format!("<!-- {d} -->\n"));
        }
        mismatches.extend(check_snapshot(&case.join("expected/chapter.xhtml"), &xhtml));
    }
    assert_no_mismatches(mismatches);
}
