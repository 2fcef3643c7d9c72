//! Tag wrangling: synonyms, meta tags, parents, and what they mean for
//! filtering.
//!
//! The rule Ficus filters by (AO3's, with one addition for archives that
//! have no wranglers yet):
//! - a synonym stands for its canonical tag;
//! - a tag that is neither canonical nor a synonym (unwrangled) stands for
//!   itself, so a small archive can filter before anyone wrangles;
//! - a work's **filter tags** are the tags its own tags stand for, plus all
//!   their meta ancestors, transitively.
//!
//! [`TagGraph`] holds only the wrangling edges (synonyms and meta tags); the
//! store loads it, the indexer and the SQL reference path use it.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::tag::TagType;

/// Why a wrangling change was refused, worded for the wrangler.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WrangleError {
    #[error("A tag cannot be wrangled to itself.")]
    SameTag,
    #[error("Both tags must be of the same type ({0} and {1} differ).")]
    TypeMismatch(&'static str, &'static str),
    #[error("The synonym's target must be canonical.")]
    TargetNotCanonical,
    #[error("A canonical tag cannot be a synonym; make it non-canonical first.")]
    SynonymIsCanonical,
    #[error("This tag has synonyms of its own; it must stay canonical.")]
    HasSynonyms,
    #[error("Meta tags and subtags must both be canonical.")]
    MetaNotCanonical,
    #[error("That would make a loop of meta tags.")]
    MetaCycle,
    #[error("A {child} tag cannot have a {parent} parent.")]
    ParentType {
        child: &'static str,
        parent: &'static str,
    },
    #[error("Fixed tags (ratings, warnings, categories) cannot be wrangled.")]
    FixedTag,
}

/// One wrangling fact, by tag names: what a bulk load (a generated
/// corpus, a migration) tells the store to apply.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WranglingFact {
    /// `name` (type `kind`) is canonical.
    Canonical { kind: TagType, name: String },
    /// `synonym` is a synonym of canonical tag `canonical` (same type).
    Synonym {
        kind: TagType,
        synonym: String,
        canonical: String,
    },
    /// `meta` is a meta tag of `sub` (same type, both canonical).
    Meta {
        kind: TagType,
        meta: String,
        sub: String,
    },
    /// `parent` (type `parent_kind`) is a parent of `child` (type `kind`),
    /// e.g. the fandom of a character.
    Parent {
        kind: TagType,
        child: String,
        parent_kind: TagType,
        parent: String,
    },
}

/// What the rules need to know about one tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagFacts {
    pub id: i64,
    pub kind: TagType,
    pub canonical: bool,
    /// For a synonym, its canonical tag.
    pub merger: Option<i64>,
}

/// The wrangling edges of an archive: synonyms and meta tags.
#[derive(Debug, Clone, Default)]
pub struct TagGraph {
    merger: HashMap<i64, i64>,
    metas: HashMap<i64, Vec<i64>>,
    subs: HashMap<i64, Vec<i64>>,
    synonyms: HashMap<i64, Vec<i64>>,
}

impl TagGraph {
    /// Builds the graph from synonym pairs `(synonym, canonical)` and meta
    /// pairs `(meta, sub)`.
    pub fn new(
        mergers: impl IntoIterator<Item = (i64, i64)>,
        metas: impl IntoIterator<Item = (i64, i64)>,
    ) -> TagGraph {
        let mut graph = TagGraph::default();
        for (synonym, canonical) in mergers {
            graph.add_synonym(synonym, canonical);
        }
        for (meta, sub) in metas {
            graph.add_meta(meta, sub);
        }
        graph
    }

    /// Records `synonym` → `canonical` (unchecked; see [`TagGraph::check_synonym`]).
    pub fn add_synonym(&mut self, synonym: i64, canonical: i64) {
        self.merger.insert(synonym, canonical);
        self.synonyms.entry(canonical).or_default().push(synonym);
    }

    /// Records `meta` as a meta tag of `sub` (unchecked; see [`TagGraph::check_meta`]).
    pub fn add_meta(&mut self, meta: i64, sub: i64) {
        self.metas.entry(sub).or_default().push(meta);
        self.subs.entry(meta).or_default().push(sub);
    }

    /// The tag `tag` stands for when filtering: its canonical tag for a
    /// synonym, else itself.
    pub fn filter_form(&self, tag: i64) -> i64 {
        self.merger.get(&tag).copied().unwrap_or(tag)
    }

    /// The canonical tag of a synonym.
    pub fn merger_of(&self, tag: i64) -> Option<i64> {
        self.merger.get(&tag).copied()
    }

    /// Direct meta tags of `tag`.
    pub fn metas_of(&self, tag: i64) -> &[i64] {
        self.metas.get(&tag).map_or(&[], Vec::as_slice)
    }

    /// Direct subtags of `tag`.
    pub fn subs_of(&self, tag: i64) -> &[i64] {
        self.subs.get(&tag).map_or(&[], Vec::as_slice)
    }

    /// Synonyms of a canonical tag.
    pub fn synonyms_of(&self, tag: i64) -> &[i64] {
        self.synonyms.get(&tag).map_or(&[], Vec::as_slice)
    }

    /// `tag` and all its meta ancestors (cycle-safe).
    pub fn with_ancestors(&self, tag: i64) -> BTreeSet<i64> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![tag];
        while let Some(t) = stack.pop() {
            if seen.insert(t) {
                stack.extend_from_slice(self.metas_of(t));
            }
        }
        seen
    }

    /// A work's filter tags, from the ids of the tags it carries.
    pub fn filter_tags(&self, tags: impl IntoIterator<Item = i64>) -> BTreeSet<i64> {
        let mut out = BTreeSet::new();
        for tag in tags {
            let form = self.filter_form(tag);
            if !out.contains(&form) {
                out.extend(self.with_ancestors(form));
            }
        }
        out
    }

    /// Every tag whose works a filter on `tag` finds: `tag`, its subtags
    /// transitively, and the synonyms of all of those.
    pub fn expand_down(&self, tag: i64) -> BTreeSet<i64> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![self.filter_form(tag)];
        while let Some(t) = stack.pop() {
            if seen.insert(t) {
                stack.extend_from_slice(self.subs_of(t));
                stack.extend_from_slice(self.synonyms_of(t));
            }
        }
        seen
    }

    /// AO3's crossover rule: a work is a crossover unless every pair of its
    /// fandoms shares a meta ancestor (a fandom counts as its own).
    pub fn is_crossover(&self, fandoms: &[i64]) -> bool {
        let forms: BTreeSet<i64> = fandoms.iter().map(|&f| self.filter_form(f)).collect();
        let forms: Vec<i64> = forms.into_iter().collect();
        let ancestors: Vec<BTreeSet<i64>> = forms.iter().map(|&f| self.with_ancestors(f)).collect();
        for (i, a) in ancestors.iter().enumerate() {
            for b in &ancestors[i + 1..] {
                if a.is_disjoint(b) {
                    return true;
                }
            }
        }
        false
    }

    /// Checks making `synonym` a synonym of `canonical`.
    pub fn check_synonym(
        &self,
        synonym: TagFacts,
        canonical: TagFacts,
    ) -> Result<(), WrangleError> {
        fixed_check(synonym.kind)?;
        same_type(synonym.kind, canonical.kind)?;
        if synonym.id == canonical.id {
            return Err(WrangleError::SameTag);
        }
        if !canonical.canonical {
            return Err(WrangleError::TargetNotCanonical);
        }
        if synonym.canonical {
            return Err(WrangleError::SynonymIsCanonical);
        }
        if !self.synonyms_of(synonym.id).is_empty() {
            return Err(WrangleError::HasSynonyms);
        }
        Ok(())
    }

    /// Checks making `meta` a meta tag of `sub`.
    pub fn check_meta(&self, meta: TagFacts, sub: TagFacts) -> Result<(), WrangleError> {
        fixed_check(sub.kind)?;
        same_type(meta.kind, sub.kind)?;
        if meta.id == sub.id {
            return Err(WrangleError::SameTag);
        }
        if !meta.canonical || !sub.canonical {
            return Err(WrangleError::MetaNotCanonical);
        }
        if self.with_ancestors(meta.id).contains(&sub.id) {
            return Err(WrangleError::MetaCycle);
        }
        Ok(())
    }

    /// Tags whose index documents a change to `tag` may affect: every tag
    /// a filter on it finds ([`TagGraph::expand_down`]), and `tag` itself.
    pub fn affected_by_change(&self, tag: i64) -> HashSet<i64> {
        let mut out: HashSet<i64> = self.expand_down(tag).into_iter().collect();
        out.insert(tag);
        out
    }
}

/// Checks giving `child` the parent `parent`.
pub fn check_parent(child: TagFacts, parent: TagFacts) -> Result<(), WrangleError> {
    if child.id == parent.id {
        return Err(WrangleError::SameTag);
    }
    if !child.kind.parent_types().contains(&parent.kind) {
        return Err(WrangleError::ParentType {
            child: child.kind.label(false),
            parent: parent.kind.label(false),
        });
    }
    Ok(())
}

fn same_type(a: TagType, b: TagType) -> Result<(), WrangleError> {
    if a == b {
        Ok(())
    } else {
        Err(WrangleError::TypeMismatch(a.label(false), b.label(false)))
    }
}

fn fixed_check(kind: TagType) -> Result<(), WrangleError> {
    if kind.is_free() {
        Ok(())
    } else {
        Err(WrangleError::FixedTag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(id: i64, kind: TagType, canonical: bool) -> TagFacts {
        TagFacts {
            id,
            kind,
            canonical,
            merger: None,
        }
    }

    #[test]
    fn synonyms_stand_for_their_canonical() {
        let g = TagGraph::new([(2, 1), (3, 1)], []);
        assert_eq!(g.filter_tags([2]), BTreeSet::from([1]));
        assert_eq!(g.filter_tags([3, 1]), BTreeSet::from([1]));
        assert_eq!(g.expand_down(1), BTreeSet::from([1, 2, 3]));
        // Filtering by a synonym means filtering by its canonical.
        assert_eq!(g.expand_down(2), BTreeSet::from([1, 2, 3]));
    }

    #[test]
    fn meta_tags_are_transitive() {
        // 10 is meta of 11, 11 is meta of 12; 13 is a synonym of 12.
        let g = TagGraph::new([(13, 12)], [(10, 11), (11, 12)]);
        assert_eq!(g.filter_tags([13]), BTreeSet::from([10, 11, 12]));
        assert_eq!(g.filter_tags([11]), BTreeSet::from([10, 11]));
        assert_eq!(g.expand_down(10), BTreeSet::from([10, 11, 12, 13]));
        assert_eq!(g.expand_down(12), BTreeSet::from([12, 13]));
    }

    #[test]
    fn unwrangled_tags_filter_as_themselves() {
        let g = TagGraph::default();
        assert_eq!(g.filter_tags([7, 8]), BTreeSet::from([7, 8]));
    }

    #[test]
    fn cycles_do_not_hang() {
        let g = TagGraph::new([], [(1, 2), (2, 1)]);
        assert_eq!(g.with_ancestors(1), BTreeSet::from([1, 2]));
        assert_eq!(g.expand_down(1), BTreeSet::from([1, 2]));
    }

    #[test]
    fn crossover_rule() {
        // 1 and 2 share meta 100; 3 stands alone; 4 is a synonym of 1.
        let g = TagGraph::new([(4, 1)], [(100, 1), (100, 2)]);
        assert!(!g.is_crossover(&[]));
        assert!(!g.is_crossover(&[1]));
        assert!(!g.is_crossover(&[1, 2]), "siblings under one meta tag");
        assert!(!g.is_crossover(&[1, 4]), "a fandom and its synonym");
        assert!(
            !g.is_crossover(&[1, 100]),
            "a fandom counts as its own ancestor"
        );
        assert!(g.is_crossover(&[1, 3]));
        assert!(g.is_crossover(&[1, 2, 3]), "every pair must share");
    }

    #[test]
    fn wrangling_checks() {
        let g = TagGraph::new([(5, 1)], [(1, 2)]);
        let c = |id| facts(id, TagType::Freeform, true);
        let n = |id| facts(id, TagType::Freeform, false);
        assert_eq!(g.check_synonym(n(9), c(1)), Ok(()));
        assert_eq!(
            g.check_synonym(n(9), n(8)),
            Err(WrangleError::TargetNotCanonical)
        );
        assert_eq!(
            g.check_synonym(c(9), c(1)),
            Err(WrangleError::SynonymIsCanonical)
        );
        assert_eq!(g.check_synonym(n(1), c(1)), Err(WrangleError::SameTag));
        assert!(matches!(
            g.check_synonym(n(9), facts(1, TagType::Fandom, true)),
            Err(WrangleError::TypeMismatch(..))
        ));
        assert_eq!(g.check_meta(c(2), c(1)), Err(WrangleError::MetaCycle));
        assert_eq!(g.check_meta(c(3), c(2)), Ok(()));
        assert_eq!(
            g.check_meta(c(3), n(2)),
            Err(WrangleError::MetaNotCanonical)
        );
        assert_eq!(
            g.check_meta(
                facts(3, TagType::Rating, true),
                facts(4, TagType::Rating, true)
            ),
            Err(WrangleError::FixedTag)
        );
        let fandom = facts(20, TagType::Fandom, true);
        let media = facts(21, TagType::Media, true);
        let character = facts(22, TagType::Character, true);
        assert_eq!(check_parent(fandom, media), Ok(()));
        assert_eq!(check_parent(character, fandom), Ok(()));
        assert!(check_parent(fandom, character).is_err());
        assert!(check_parent(facts(23, TagType::Relationship, true), character).is_ok());
    }
}
