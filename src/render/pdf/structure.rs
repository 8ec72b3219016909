//! Tagged PDF (ISO 32000-1 §14.7–14.8, PDF/UA-1): the structure tree over
//! the marked content of the pages. printpdf 0.12.8 writes the
//! marked-content operators ([`super::content`]) but has no structure tree:
//! it is written here, on the lopdf document, with the parent tree that maps
//! each page's MCIDs and each link annotation back to their elements.

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId};

use crate::typeset::frame::{Element, ElementId, Role};

/// What one page's marked content and link annotations belong to.
pub(super) struct PageTags {
    /// The element of each MCID (the index).
    pub marked: Vec<ElementId>,
    /// The link element of each link annotation, in `/Annots` order.
    pub links: Vec<Option<ElementId>>,
}

/// Where an element's own content is: marked content and annotations.
#[derive(Default)]
struct Content {
    /// (page, MCID), in page order.
    marked: Vec<(usize, i64)>,
    /// (page, annotation).
    annotations: Vec<(usize, ObjectId)>,
}

impl Content {
    fn first_page(&self) -> Option<usize> {
        let marked = self.marked.first().map(|m| m.0);
        let annotated = self.annotations.first().map(|a| a.0);
        marked.into_iter().chain(annotated).min()
    }
}

/// Writes the structure tree of `elements` over the pages `page_ids`;
/// returns the `StructTreeRoot` for the catalog. Elements with no content
/// in them or under them are left out.
pub(super) fn write(
    doc: &mut Document,
    elements: &[Element],
    tags: &[PageTags],
    page_ids: &[ObjectId],
) -> Result<ObjectId, String> {
    // Frames made without a structure are all furniture, under an empty document.
    let document = [Element {
        role: Role::Document,
        parent: None,
        children: Vec::new(),
        alt: None,
        lang: None,
    }];
    let elements = if elements.is_empty() {
        &document[..]
    } else {
        elements
    };
    let mut content: Vec<Content> = elements.iter().map(|_| Content::default()).collect();
    let mut annotations = Vec::new();
    for (page, (tags, &page_id)) in tags.iter().zip(page_ids).enumerate() {
        for (mcid, &element) in tags.marked.iter().enumerate() {
            let slot = content
                .get_mut(element as usize)
                .ok_or("marked content of an unknown element")?;
            slot.marked.push((page, mcid as i64));
        }
        let annots = page_annotations(doc, page_id)?;
        if annots.len() != tags.links.len() {
            return Err(format!(
                "page {}: {} link annotations written, {} drawn",
                page + 1,
                annots.len(),
                tags.links.len()
            ));
        }
        for (&annot, &element) in annots.iter().zip(&tags.links) {
            annotations.push((page, annot, element));
            if let Some(slot) = element.and_then(|e| content.get_mut(e as usize)) {
                slot.annotations.push((page, annot));
            }
        }
    }

    // An element is kept if it has content, or a kept child (children
    // always come after their parent).
    let mut kept = vec![false; elements.len()];
    kept[0] = true;
    for id in (0..elements.len()).rev() {
        if !content[id].marked.is_empty() || !content[id].annotations.is_empty() {
            kept[id] = true;
        }
        if kept[id] {
            if let Some(parent) = elements[id].parent {
                kept[parent as usize] = true;
            }
        }
    }
    let ids: Vec<Option<ObjectId>> = kept
        .iter()
        .map(|&k| k.then(|| doc.new_object_id()))
        .collect();
    let root = doc.new_object_id();

    for (index, element) in elements.iter().enumerate() {
        let Some(id) = ids[index] else { continue };
        let parent = element.parent.and_then(|p| ids[p as usize]).unwrap_or(root);
        let dict = element_dict(index, elements, parent, &content, &ids, page_ids);
        doc.objects.insert(id, Object::Dictionary(dict));
    }

    // The parent tree: each page's MCIDs to their elements, then each
    // annotation to its link element.
    let mut nums = Vec::new();
    for (page, tags) in tags.iter().enumerate() {
        if tags.marked.is_empty() {
            continue;
        }
        let parents: Vec<Object> = tags
            .marked
            .iter()
            .map(|&e| ids[e as usize].map_or(Object::Null, Object::Reference))
            .collect();
        nums.push(Object::Integer(page as i64));
        nums.push(Object::Array(parents));
        let page_dict = doc
            .get_dictionary_mut(page_ids[page])
            .map_err(|e| format!("page {}: {e}", page + 1))?;
        page_dict.set("StructParents", page as i64);
    }
    let mut key = tags.len() as i64;
    for (page, annot, element) in annotations {
        let link = element.and_then(|e| ids[e as usize].map(|id| (e, id)));
        let contents = link
            .and_then(|(e, _)| elements[e as usize].alt.clone())
            .filter(|alt| !alt.trim().is_empty());
        let annot_dict = doc
            .get_dictionary_mut(annot)
            .map_err(|e| format!("link annotation: {e}"))?;
        annot_dict.set(
            "Contents",
            lopdf::text_string(contents.as_deref().unwrap_or("link")),
        );
        if let Some((_, id)) = link {
            annot_dict.set("StructParent", key);
            nums.push(Object::Integer(key));
            nums.push(Object::Reference(id));
            key += 1;
        }
        // Links are visited in the order of the structure.
        doc.get_dictionary_mut(page_ids[page])
            .map_err(|e| format!("page {}: {e}", page + 1))?
            .set("Tabs", "S");
    }

    let document = ids[0].ok_or("no document element")?;
    doc.objects.insert(
        root,
        Object::Dictionary(dictionary! {
            "Type" => "StructTreeRoot",
            "K" => vec![Object::Reference(document)],
            "ParentTree" => dictionary! { "Nums" => nums },
            "ParentTreeNextKey" => key,
        }),
    );
    Ok(root)
}

/// The annotations of a page, in order, each an indirect object (printpdf
/// writes them inline, and a structure element refers to its annotation).
fn page_annotations(doc: &mut Document, page: ObjectId) -> Result<Vec<ObjectId>, String> {
    let dict = doc.get_dictionary(page).map_err(|e| e.to_string())?;
    let annots = match dict.get(b"Annots") {
        Err(_) => return Ok(Vec::new()),
        Ok(Object::Reference(id)) => doc.get_object(*id).map_err(|e| e.to_string())?,
        Ok(other) => other,
    };
    let annots = annots.as_array().map_err(|e| e.to_string())?.clone();
    let mut ids = Vec::new();
    for annot in annots {
        ids.push(match annot {
            Object::Reference(id) => id,
            Object::Dictionary(dict) => doc.add_object(dict),
            other => return Err(format!("an annotation of type {}", other.enum_variant())),
        });
    }
    let refs: Vec<Object> = ids.iter().map(|&id| Object::Reference(id)).collect();
    doc.get_dictionary_mut(page)
        .map_err(|e| e.to_string())?
        .set("Annots", refs);
    Ok(ids)
}

/// One structure element: its role, parent, page, kids and attributes. Its
/// kids are its marked content with its links and spans among it, in the
/// order of the page (they are text within a paragraph), then its
/// annotations, then its other children.
fn element_dict(
    index: usize,
    elements: &[Element],
    parent: ObjectId,
    contents: &[Content],
    ids: &[Option<ObjectId>],
    page_ids: &[ObjectId],
) -> Dictionary {
    let element = &elements[index];
    let content = &contents[index];
    // A footnote mark in a note at a page's foot has no annotation: there
    // it refers to the other note, but is no link.
    let role = match element.role {
        Role::Link if content.annotations.is_empty() => "Reference",
        role => role.name(),
    };
    let mut dict = dictionary! {
        "Type" => "StructElem",
        "S" => role,
        "P" => parent,
    };
    let first_page = content.first_page();
    let mut inline: Vec<((usize, i64), Object)> = Vec::new();
    for &(page, mcid) in &content.marked {
        let kid = if Some(page) == first_page {
            Object::Integer(mcid)
        } else {
            dictionary! { "Type" => "MCR", "Pg" => page_ids[page], "MCID" => mcid }.into()
        };
        inline.push(((page, mcid), kid));
    }
    let kept = |&c: &ElementId| Some((c, ids.get(c as usize).copied().flatten()?));
    let (links, blocks): (Vec<_>, Vec<_>) = (element.children.iter())
        .filter_map(kept)
        .partition(|&(c, _)| elements[c as usize].role.is_inline());
    for (link, id) in links {
        let at = contents[link as usize].marked.first().copied();
        inline.push((at.unwrap_or((usize::MAX, 0)), Object::Reference(id)));
    }
    inline.sort_by_key(|(at, _)| *at);
    let mut kids: Vec<Object> = inline.into_iter().map(|(_, kid)| kid).collect();
    for &(page, annot) in &content.annotations {
        kids.push(dictionary! { "Type" => "OBJR", "Obj" => annot, "Pg" => page_ids[page] }.into());
    }
    kids.extend(blocks.into_iter().map(|(_, id)| Object::Reference(id)));
    if let Some(page) = first_page {
        dict.set("Pg", page_ids[page]);
    }
    dict.set("K", kids);
    if let Some(alt) = &element.alt {
        dict.set("Alt", lopdf::text_string(alt));
    }
    if let Some(lang) = element.lang {
        dict.set("Lang", Object::string_literal(lang.tag()));
    }
    match element.role {
        Role::Note => dict.set("ID", Object::string_literal(format!("note-{index}"))),
        Role::TH => dict.set("A", dictionary! { "O" => "Table", "Scope" => "Column" }),
        _ => {}
    }
    dict
}
