//! The logical structure of a book, built as it is set: which element
//! (chapter, heading, paragraph, list item, table cell, figure, note, link)
//! each run of text belongs to, for a tagged PDF.

use std::cell::RefCell;
use std::rc::Rc;

use super::frame::{Element, ElementId, Role};
use crate::book::Lang;

/// The document element, the root of every book's structure.
pub const DOCUMENT: ElementId = 0;

/// The elements of one book, shared by the layouts that set it (a
/// bilingual chapter's two layouts add to it in turn).
#[derive(Debug, Clone)]
pub struct Structure(Rc<RefCell<Vec<Element>>>);

impl Default for Structure {
    fn default() -> Structure {
        Structure(Rc::new(RefCell::new(vec![Element {
            role: Role::Document,
            parent: None,
            children: Vec::new(),
            alt: None,
            lang: None,
        }])))
    }
}

impl Structure {
    /// Adds an element of `role` as the last child of `parent`.
    pub fn add(&self, role: Role, parent: ElementId) -> ElementId {
        let mut elements = self.0.borrow_mut();
        let id = elements.len() as ElementId;
        elements.push(Element {
            role,
            parent: Some(parent),
            children: Vec::new(),
            alt: None,
            lang: None,
        });
        if let Some(parent) = elements.get_mut(parent as usize) {
            parent.children.push(id);
        }
        id
    }

    pub fn set_alt(&self, id: ElementId, alt: String) {
        if let Some(element) = self.0.borrow_mut().get_mut(id as usize) {
            element.alt = Some(alt);
        }
    }

    pub fn set_lang(&self, id: ElementId, lang: Lang) {
        if let Some(element) = self.0.borrow_mut().get_mut(id as usize) {
            element.lang = Some(lang);
        }
    }

    /// Moves `id` to the end of its parent's children: in reading order,
    /// after what was added before it.
    pub fn move_last(&self, id: ElementId) {
        let mut elements = self.0.borrow_mut();
        let Some(parent) = elements.get(id as usize).and_then(|e| e.parent) else {
            return;
        };
        let children = &mut elements[parent as usize].children;
        children.retain(|&c| c != id);
        children.push(id);
    }

    /// How many elements there are: the id the next one gets.
    pub fn len(&self) -> ElementId {
        self.0.borrow().len() as ElementId
    }

    pub fn parent_of(&self, id: ElementId) -> Option<ElementId> {
        self.0.borrow().get(id as usize)?.parent
    }

    /// The elements, when the book is set.
    pub fn elements(&self) -> Vec<Element> {
        self.0.borrow().clone()
    }
}
