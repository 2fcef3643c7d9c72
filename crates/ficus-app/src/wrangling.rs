//! Wrangling one tag from a wrangler's form: what they asked for is
//! checked, turned into the store's changes, and applied in one
//! transaction — a refused step leaves the tag as it was.

use ficus_core::TagType;
use ficus_core::tag::TagName;
use ficus_store::wrangling::{TagDetail, WrangleChange};
use ficus_store::{Store, StoreError};

/// What a wrangler submitted for one tag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WranglingEdit {
    /// Whether the tag should be canonical.
    pub canonical: bool,
    /// The canonical tag (of the same type) this one should be a synonym
    /// of; empty for none.
    pub synonym: String,
    /// A meta tag to add (created canonical when new); empty for none.
    pub add_meta: String,
    /// A parent to add (created canonical when new); empty for none.
    pub add_parent: String,
    /// The parent's type, as a type word (`fandom`, `media`, …).
    pub parent_type: String,
    /// Meta tags to remove, by id.
    pub remove_metas: Vec<i64>,
    /// Parents to remove, by id.
    pub remove_parents: Vec<i64>,
}

/// "a tag name cannot be empty" → "A tag name cannot be empty."
pub fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    let mut out: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// A store error that a wrangler caused (a rule, a name, a tag gone) as
/// the sentence shown on the form; other errors stay errors.
fn refusal(e: StoreError) -> Result<String, StoreError> {
    match e {
        StoreError::Wrangle(w) => Ok(w.to_string()),
        StoreError::TagName(t) => Ok(sentence(&t.to_string())),
        StoreError::NotFound(what) => Ok(format!(
            "That {what} no longer exists. Reload the page and try again."
        )),
        other => Err(other),
    }
}

/// The changes `edit` asks of the tag `d`, in order: removals, canonical
/// and synonym, new meta tag, new parent. `Err` is the first problem that
/// can be seen without writing, worded for the wrangler.
pub fn changes(
    store: &Store,
    d: &TagDetail,
    edit: &WranglingEdit,
) -> Result<Result<Vec<WrangleChange>, String>, StoreError> {
    let kind = d.tag.kind;
    let target = if edit.synonym.is_empty() {
        None
    } else {
        match store.tag_of_type(kind, &edit.synonym)? {
            Some(t) => Some(t.id),
            None => {
                return Ok(Err(format!(
                    "There is no {} tag named {:?} to make this tag a synonym of.",
                    kind.label(false),
                    edit.synonym
                )));
            }
        }
    };
    let meta = if edit.add_meta.is_empty() {
        None
    } else {
        match TagName::parse(&edit.add_meta) {
            Ok(name) => Some(name),
            Err(e) => return Ok(Err(sentence(&e.to_string()))),
        }
    };
    let parent = if edit.add_parent.is_empty() {
        None
    } else {
        let name = match TagName::parse(&edit.add_parent) {
            Ok(name) => name,
            Err(e) => return Ok(Err(sentence(&e.to_string()))),
        };
        match TagType::parse(&edit.parent_type).filter(|t| kind.parent_types().contains(t)) {
            Some(t) => Some((t, name)),
            None => {
                let allowed: Vec<&str> =
                    kind.parent_types().iter().map(|t| t.label(false)).collect();
                return Ok(Err(if allowed.is_empty() {
                    format!("A {} tag cannot have parents.", kind.label(false))
                } else {
                    format!(
                        "A {} tag's parent must be a {} tag.",
                        kind.label(false),
                        allowed.join(" or ")
                    )
                }));
            }
        }
    };

    let mut out = Vec::new();
    out.extend(
        edit.remove_metas
            .iter()
            .map(|&m| WrangleChange::RemoveMeta(m)),
    );
    out.extend(
        edit.remove_parents
            .iter()
            .map(|&p| WrangleChange::RemoveParent(p)),
    );
    if d.canonical && !edit.canonical {
        out.push(WrangleChange::SetCanonical(false));
    }
    if target != d.merger.as_ref().map(|m| m.id) {
        out.push(WrangleChange::SynonymOf(target));
    }
    if !d.canonical && edit.canonical {
        out.push(WrangleChange::SetCanonical(true));
    }
    if let Some(name) = meta {
        out.push(WrangleChange::AddMetaNamed(name));
    }
    if let Some((kind, name)) = parent {
        out.push(WrangleChange::AddParentNamed(kind, name));
    }
    Ok(Ok(out))
}

/// Applies a wrangler's form to the tag `d`, all or nothing. `Ok(Err)` is
/// why it was refused, worded for the form; nothing changed then.
pub fn apply(
    store: &Store,
    d: &TagDetail,
    edit: &WranglingEdit,
) -> Result<Result<(), String>, StoreError> {
    let changes = match changes(store, d, edit)? {
        Ok(changes) => changes,
        Err(message) => return Ok(Err(message)),
    };
    match store.wrangle_all(d.tag.id, &changes) {
        Ok(()) => Ok(Ok(())),
        Err(e) => refusal(e).map(Err),
    }
}
