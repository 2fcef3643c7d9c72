//! Wrangling facts: which generated tags are canonical, which names are
//! synonyms of them, which tags are meta tags of others, and which fandom
//! a character or relationship belongs to.

use std::collections::HashSet;

use ficus_core::TagType;
use ficus_core::tag::TagName;

/// Wrangling facts of a generated corpus. Names are valid [`TagName`]s; a
/// synonym, meta or parent fact only names tags that a
/// [`WranglingFact::Canonical`] fact of the same list declares (a
/// synonym's own name excepted: it is never canonical).
pub use ficus_core::wrangling::WranglingFact;

/// A tag's type and comparison key.
type Key = (TagType, String);

/// Collects facts in any order and keeps the consistent ones, once each.
#[derive(Default)]
pub(crate) struct FactSet {
    canonical: Vec<(TagType, TagName)>,
    synonyms: Vec<(TagType, TagName, TagName)>,
    metas: Vec<(TagType, TagName, TagName)>,
    parents: Vec<(TagType, TagName, TagType, TagName)>,
}

fn parse(name: &str) -> Option<TagName> {
    TagName::parse(name).ok()
}

impl FactSet {
    /// `name` is canonical. Invalid names are dropped.
    pub(crate) fn canonical(&mut self, kind: TagType, name: &str) {
        if let Some(name) = parse(name) {
            self.canonical.push((kind, name));
        }
    }

    /// `synonym` is a synonym of `canonical`.
    pub(crate) fn synonym(&mut self, kind: TagType, synonym: &str, canonical: &str) {
        if let (Some(s), Some(c)) = (parse(synonym), parse(canonical)) {
            self.synonyms.push((kind, s, c));
        }
    }

    /// `meta` is a meta tag of `sub`.
    pub(crate) fn meta(&mut self, kind: TagType, meta: &str, sub: &str) {
        if let (Some(m), Some(s)) = (parse(meta), parse(sub)) {
            self.metas.push((kind, m, s));
        }
    }

    /// `parent` (of type `parent_kind`) is a parent of `child`.
    pub(crate) fn parent(
        &mut self,
        kind: TagType,
        child: &str,
        parent_kind: TagType,
        parent: &str,
    ) {
        if let (Some(c), Some(p)) = (parse(child), parse(parent)) {
            self.parents.push((kind, c, parent_kind, p));
        }
    }

    /// The facts: canonical tags first, then synonyms, metas and parents.
    /// Duplicates are dropped, and so is every link naming a tag that is
    /// not canonical, a synonym that is itself canonical or already a
    /// synonym, and a tag that would be its own meta.
    pub(crate) fn into_facts(self) -> Vec<WranglingFact> {
        let mut out = Vec::with_capacity(
            self.canonical.len() + self.synonyms.len() + self.metas.len() + self.parents.len(),
        );
        let mut canon: HashSet<Key> = HashSet::with_capacity(self.canonical.len());
        for (kind, name) in self.canonical {
            if canon.insert((kind, name.key())) {
                out.push(WranglingFact::Canonical {
                    kind,
                    name: name.as_str().to_string(),
                });
            }
        }
        let is_canon = |kind: TagType, name: &TagName| canon.contains(&(kind, name.key()));

        let mut taken: HashSet<Key> = HashSet::new();
        for (kind, synonym, canonical) in self.synonyms {
            if is_canon(kind, &canonical)
                && !is_canon(kind, &synonym)
                && taken.insert((kind, synonym.key()))
            {
                out.push(WranglingFact::Synonym {
                    kind,
                    synonym: synonym.as_str().to_string(),
                    canonical: canonical.as_str().to_string(),
                });
            }
        }

        let mut links: HashSet<(TagType, String, String)> = HashSet::new();
        for (kind, meta, sub) in self.metas {
            let (mk, sk) = (meta.key(), sub.key());
            if mk != sk
                && is_canon(kind, &meta)
                && is_canon(kind, &sub)
                && links.insert((kind, mk, sk))
            {
                out.push(WranglingFact::Meta {
                    kind,
                    meta: meta.as_str().to_string(),
                    sub: sub.as_str().to_string(),
                });
            }
        }

        let mut parented: HashSet<(TagType, String, TagType, String)> = HashSet::new();
        for (kind, child, parent_kind, parent) in self.parents {
            if is_canon(kind, &child)
                && is_canon(parent_kind, &parent)
                && parented.insert((kind, child.key(), parent_kind, parent.key()))
            {
                out.push(WranglingFact::Parent {
                    kind,
                    child: child.as_str().to_string(),
                    parent_kind,
                    parent: parent.as_str().to_string(),
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inconsistent_links_are_dropped() {
        let mut f = FactSet::default();
        f.canonical(TagType::Freeform, "Fluff");
        f.canonical(TagType::Freeform, "fluff");
        f.canonical(TagType::Freeform, "Angst");
        f.synonym(TagType::Freeform, "Fluffy", "Fluff");
        f.synonym(TagType::Freeform, "Angst", "Fluff");
        f.synonym(TagType::Freeform, "Fluffy", "Angst");
        f.meta(TagType::Freeform, "Fluff", "Nowhere");
        f.meta(TagType::Freeform, "Fluff", "Angst");
        f.meta(TagType::Freeform, "Fluff", "Angst");
        f.parent(TagType::Character, "Ada", TagType::Fandom, "Fluff");
        assert_eq!(
            f.into_facts(),
            vec![
                WranglingFact::Canonical {
                    kind: TagType::Freeform,
                    name: "Fluff".into()
                },
                WranglingFact::Canonical {
                    kind: TagType::Freeform,
                    name: "Angst".into()
                },
                WranglingFact::Synonym {
                    kind: TagType::Freeform,
                    synonym: "Fluffy".into(),
                    canonical: "Fluff".into()
                },
                WranglingFact::Meta {
                    kind: TagType::Freeform,
                    meta: "Fluff".into(),
                    sub: "Angst".into()
                },
            ]
        );
    }
}
