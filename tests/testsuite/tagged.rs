//! Tagged PDF (issue 16): every PDF of the library passes a PDF/UA-1
//! validator, and its structure tree covers its content: every piece of
//! text and drawing is marked content of an element or an artifact, every
//! MCID is in the tree once, and the parent tree maps it back.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use page_validation::{validate_pdf, validate_pdf_bytes, ValidationOptions, ValidationProfile};

use crate::pdf::books;

/// page_validation 0.12.2 reads a CFF glyph's width only from the operands
/// before its first operator (`cff_charstring_width`, font_embedding.rs),
/// so a charstring that starts `w subr# callsubr` gets the default width.
/// The widths quire writes are the font's: fontTools reads the same
/// charstrings through their subroutines and finds every /W entry equal.
/// This one rule, for CFF programs only, is the validator's error.
fn validator_error(rule: &str, message: &str) -> bool {
    rule == "ISO 14289-1:2014:7.21.5:1" && message.contains("CIDFontType0C")
}

#[test]
fn every_pdf_passes_pdf_ua_1() {
    let options = ValidationOptions::default().profile(ValidationProfile::PdfUa1);
    let mut failures = Vec::new();
    for book in books() {
        let report = validate_pdf(book, &options)
            .unwrap_or_else(|e| panic!("{}: the validator cannot read it: {e}", book.display()));
        for failure in &report.failures {
            if !validator_error(&failure.rule_id, &failure.message) {
                failures.push(format!(
                    "{}: [{}] {}",
                    book.display(),
                    failure.rule_id,
                    failure.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What a structure tree holds, read back from the file.
#[derive(Default)]
struct Tree {
    /// (page, MCID) → the elements that list it.
    marked: BTreeMap<(ObjectId, i64), Vec<ObjectId>>,
    /// Heading levels, in reading order.
    headings: Vec<u8>,
    /// Structure types met, with how many.
    roles: BTreeMap<String, usize>,
    problems: Vec<String>,
    note_ids: BTreeSet<Vec<u8>>,
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).expect("a resolvable reference").1
}

fn walk(doc: &Document, id: ObjectId, page: Option<ObjectId>, tree: &mut Tree) {
    let element = doc.get_dictionary(id).expect("a structure element");
    let role = String::from_utf8_lossy(element.get(b"S").unwrap().as_name().unwrap()).into_owned();
    *tree.roles.entry(role.clone()).or_default() += 1;
    let page = element
        .get(b"Pg")
        .ok()
        .and_then(|p| p.as_reference().ok())
        .or(page);
    if let Some(level) = role.strip_prefix('H').and_then(|l| l.parse().ok()) {
        tree.headings.push(level);
    }
    let text = |key: &[u8]| element.get(key).ok().and_then(|v| v.as_str().ok());
    match role.as_str() {
        "Span" if text(b"Lang").is_none_or(<[u8]>::is_empty) => {
            tree.problems.push("a span without /Lang".into())
        }
        "Figure" if text(b"Alt").is_none_or(<[u8]>::is_empty) => {
            tree.problems.push("a figure without /Alt".into())
        }
        "Note" => {
            let id = text(b"ID").unwrap_or_default().to_vec();
            if id.is_empty() || !tree.note_ids.insert(id) {
                tree.problems.push("a note without a unique /ID".into());
            }
        }
        _ => {}
    }
    let kids = match element.get(b"K").map(|k| deref(doc, k)) {
        Ok(Object::Array(kids)) => kids.clone(),
        Ok(kid) => vec![kid.clone()],
        Err(_) => Vec::new(),
    };
    let mut has_objr = false;
    for kid in kids {
        match kid {
            Object::Integer(mcid) => match page {
                Some(page) => tree.marked.entry((page, mcid)).or_default().push(id),
                None => tree
                    .problems
                    .push(format!("{role}: an MCID without a page")),
            },
            Object::Reference(child) => match doc.get_object(child) {
                Ok(Object::Dictionary(d)) if d.has(b"S") => walk(doc, child, page, tree),
                _ => tree
                    .problems
                    .push(format!("{role}: a kid that is no element")),
            },
            Object::Dictionary(d) => match d.get(b"Type").and_then(Object::as_name) {
                Ok(b"MCR") => {
                    let page = d.get(b"Pg").and_then(Object::as_reference).ok().or(page);
                    let mcid = d.get(b"MCID").and_then(Object::as_i64).unwrap();
                    tree.marked
                        .entry((page.unwrap(), mcid))
                        .or_default()
                        .push(id);
                }
                Ok(b"OBJR") => has_objr = true,
                _ => tree.problems.push(format!("{role}: an unknown kid")),
            },
            _ => tree.problems.push(format!("{role}: a kid of a wrong type")),
        }
    }
    if role == "Link" && !has_objr {
        tree.problems
            .push("a link element without its annotation".into());
    }
}

/// (page, MCID) of every marked-content sequence of the pages, and the
/// problems: content outside any sequence, sequences nested.
fn marked_content(doc: &Document) -> (Vec<(ObjectId, i64)>, Vec<String>) {
    let mut marked = Vec::new();
    let mut problems = Vec::new();
    for (number, page) in doc.get_pages() {
        let content = Content::decode(&doc.get_page_content(page)).unwrap();
        // The open sequences: Some(MCID) or None for an artifact or a span.
        let mut open: Vec<(String, Option<i64>)> = Vec::new();
        for op in &content.operations {
            let operands = &op.operands;
            match op.operator.as_str() {
                "BMC" | "BDC" => {
                    let tag = String::from_utf8_lossy(operands[0].as_name().unwrap()).into_owned();
                    let mcid = match operands.get(1).map(|p| deref(doc, p)) {
                        Some(Object::Dictionary(p)) => p.get(b"MCID").and_then(Object::as_i64).ok(),
                        _ => None,
                    };
                    let tagged_before = open.iter().any(|(t, m)| m.is_some() || t == "Artifact");
                    if (mcid.is_some() || tag == "Artifact") && tagged_before {
                        problems.push(format!("page {number}: {tag} nested in marked content"));
                    }
                    if let Some(mcid) = mcid {
                        marked.push((page, mcid));
                    }
                    open.push((tag, mcid));
                }
                "EMC" => {
                    open.pop();
                }
                "Tj" | "TJ" | "'" | "\"" | "f" | "F" | "f*" | "S" | "s" | "B" | "B*" | "b"
                | "b*" | "sh" | "Do"
                    if !open.iter().any(|(t, m)| m.is_some() || t == "Artifact") =>
                {
                    problems.push(format!(
                        "page {number}: `{}` outside marked content",
                        op.operator
                    ));
                }
                _ => {}
            }
        }
    }
    (marked, problems)
}

/// The parent tree's entry for each (page, MCID).
fn parent_tree(doc: &Document, root: &Dictionary) -> BTreeMap<(ObjectId, i64), ObjectId> {
    let tree = deref(doc, root.get(b"ParentTree").unwrap())
        .as_dict()
        .unwrap();
    let nums = deref(doc, tree.get(b"Nums").unwrap()).as_array().unwrap();
    let by_key: BTreeMap<i64, &Object> = nums
        .chunks(2)
        .map(|pair| (pair[0].as_i64().unwrap(), deref(doc, &pair[1])))
        .collect();
    let mut out = BTreeMap::new();
    for page in doc.get_pages().into_values() {
        let dict = doc.get_dictionary(page).unwrap();
        let Ok(key) = dict.get(b"StructParents").and_then(Object::as_i64) else {
            continue;
        };
        if let Some(Object::Array(parents)) = by_key.get(&key) {
            for (mcid, parent) in parents.iter().enumerate() {
                if let Ok(parent) = parent.as_reference() {
                    out.insert((page, mcid as i64), parent);
                }
            }
        }
    }
    out
}

/// What is wrong with the tagging of `doc`, and the structure types it uses.
fn check_tagging(name: &str, doc: &Document) -> (Vec<String>, BTreeSet<String>) {
    let mut failures = Vec::new();
    let catalog = doc.catalog().unwrap();
    let root_object = deref(doc, catalog.get(b"StructTreeRoot").unwrap());
    let root = root_object.as_dict().unwrap();
    let mut tree = Tree::default();
    for kid in deref(doc, root.get(b"K").unwrap()).as_array().unwrap() {
        walk(doc, kid.as_reference().unwrap(), None, &mut tree);
    }
    let (marked, problems) = marked_content(doc);
    failures.extend(problems.into_iter().map(|p| format!("{name}: {p}")));
    failures.extend(tree.problems.iter().map(|p| format!("{name}: {p}")));
    let in_content: BTreeSet<_> = marked.iter().copied().collect();
    if in_content.len() != marked.len() {
        failures.push(format!("{name}: an MCID used twice on a page"));
    }
    for (place, elements) in &tree.marked {
        if elements.len() != 1 || !in_content.contains(place) {
            failures.push(format!(
                "{name}: MCID {place:?} is in {} elements, in the content: {}",
                elements.len(),
                in_content.contains(place)
            ));
        }
    }
    let parents = parent_tree(doc, root);
    for place in &in_content {
        let element = tree.marked.get(place).and_then(|e| e.first());
        if element.is_none() || parents.get(place) != element {
            failures.push(format!(
                "{name}: MCID {place:?} is not in the tree and its parent tree alike"
            ));
        }
    }
    // Headings from H1, never skipping a level.
    let mut last = 0;
    for &level in &tree.headings {
        if level > last + 1 {
            failures.push(format!("{name}: H{level} after H{last}"));
        }
        last = level;
    }
    (failures, tree.roles.into_keys().collect())
}

#[test]
fn the_structure_tree_covers_every_page_of_every_pdf() {
    let mut failures = Vec::new();
    let mut roles = BTreeSet::new();
    for book in books() {
        let name = book.file_name().unwrap().to_string_lossy().into_owned();
        let (found, used) = check_tagging(&name, &Document::load(book).unwrap());
        failures.extend(found);
        roles.extend(used);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for role in [
        "Document", "Sect", "Div", "H1", "H2", "P", "TOC", "TOCI", "Link", "L", "LI", "Lbl",
        "LBody", "Table", "TR", "TH", "TD", "Span",
    ] {
        assert!(
            roles.contains(role),
            "no element of the library is {role}: {roles:?}"
        );
    }
}

/// Every Markdown fixture, typeset and written as a PDF: PDF/UA-1 and a
/// structure tree that covers it; between them, every structure type quire
/// writes (notes, figures, code and quotes, which the library has none of).
#[test]
fn every_fixture_pdf_is_tagged() {
    use quire::render::pdf::{write_pdf, Output, PdfMeta};
    let options = ValidationOptions::default().profile(ValidationProfile::PdfUa1);
    let mut failures = Vec::new();
    let mut roles = BTreeSet::new();
    for fixture in crate::typeset::typeset_fixtures() {
        let name = fixture
            .case
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let meta = PdfMeta {
            title: name.clone(),
            author: "quire".into(),
            subject: String::new(),
            lang: quire::book::Lang::En,
            date: chrono::DateTime::UNIX_EPOCH,
            identifier: name.clone(),
        };
        let pdf = write_pdf(
            &fixture.pages,
            crate::common::fonts(),
            &meta,
            Output::Reading,
        )
        .unwrap();
        let report = validate_pdf_bytes(&pdf, &options).unwrap();
        for failure in &report.failures {
            if !validator_error(&failure.rule_id, &failure.message) {
                failures.push(format!("{name}: [{}] {}", failure.rule_id, failure.message));
            }
        }
        let (found, used) = check_tagging(&name, &Document::load_mem(&pdf).unwrap());
        failures.extend(found);
        roles.extend(used);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for role in ["Note", "Figure", "Code", "BlockQuote", "H3", "Table", "L"] {
        assert!(
            roles.contains(role),
            "no element of the fixtures is {role}: {roles:?}"
        );
    }
}
