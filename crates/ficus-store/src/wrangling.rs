//! Tag wrangling as stored: canonical flags, synonyms (`tags.merger_id`),
//! meta tags (`meta_taggings`) and parents (`tag_parents`). The rules live
//! in [`ficus_core::wrangling`]; every change here is checked against them
//! inside the write transaction, and the database triggers log it for the
//! search indexers.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::tag::{TagName, tag_key};
use ficus_core::wrangling::{TagFacts, TagGraph, WranglingFact, check_parent};

use crate::Store;
use crate::conn::WriteTransaction;
use crate::error::StoreError;
use crate::records::TagRecord;
use crate::schema::{meta_taggings, tag_parents, taggings, tags, works};

/// A tag with everything its page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDetail {
    pub tag: TagRecord,
    pub canonical: bool,
    /// For a synonym, its canonical tag.
    pub merger: Option<TagRecord>,
    pub synonyms: Vec<TagRecord>,
    pub metas: Vec<TagRecord>,
    pub subs: Vec<TagRecord>,
    pub parents: Vec<TagRecord>,
    pub children: Vec<TagRecord>,
    /// Posted works carrying the tag itself (not its synonyms or subtags)
    /// that the viewer may see.
    pub direct_uses: i64,
}

/// One wrangling change, as a wrangler asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WrangleChange {
    SetCanonical(bool),
    /// Make the tag a synonym of the tag with this id (`None` clears it).
    SynonymOf(Option<i64>),
    AddMeta(i64),
    /// Make the tag of this tag's type named so (created canonical when
    /// new) a meta tag of this one.
    AddMetaNamed(TagName),
    RemoveMeta(i64),
    AddParent(i64),
    /// Make the tag of this type named so (created canonical when new) a
    /// parent of this one.
    AddParentNamed(TagType, TagName),
    RemoveParent(i64),
}

type TagRow = (i64, String, String, bool, Option<i64>);

fn facts(row: &TagRow) -> Result<TagFacts, StoreError> {
    let kind = TagType::parse(&row.1)
        .ok_or_else(|| StoreError::Corrupt(format!("tag {} has type {:?}", row.0, row.1)))?;
    Ok(TagFacts {
        id: row.0,
        kind,
        canonical: row.3,
        merger: row.4,
    })
}

fn record(row: (i64, String, String)) -> Result<TagRecord, StoreError> {
    let kind = TagType::parse(&row.1)
        .ok_or_else(|| StoreError::Corrupt(format!("tag {} has type {:?}", row.0, row.1)))?;
    Ok(TagRecord {
        id: row.0,
        kind,
        name: row.2,
    })
}

fn records(rows: Vec<(i64, String, String)>) -> Result<Vec<TagRecord>, StoreError> {
    let mut out = rows
        .into_iter()
        .map(record)
        .collect::<Result<Vec<_>, _>>()?;
    sort_tags(&mut out);
    Ok(out)
}

/// Orders tags by type, then name case-insensitively.
pub fn sort_tags(tags: &mut [TagRecord]) {
    tags.sort_by_key(|t| (t.kind, t.name.to_lowercase()));
}

/// What `tag_detail` loads: the tag's row, its merger, its five lists
/// (synonyms, metas, subs, parents, children) and its direct uses.
type DetailRows = (
    TagRow,
    Option<(i64, String, String)>,
    [Vec<(i64, String, String)>; 5],
    i64,
);

/// Most linked tags (metas, subs, parents, children) a tag page lists per
/// kind.
const LINKED_LIMIT: i64 = 2000;

/// Tags by (type, name key): (id, canonical).
type KnownTags = std::collections::HashMap<(String, String), (i64, bool)>;

/// Wrangling helpers on a connection of either backend.
pub(crate) trait WranglingHelpers {
    /// The whole wrangling graph (synonym and meta edges).
    fn load_graph(&mut self) -> QueryResult<TagGraph>;

    /// One tag's row; [`StoreError::NotFound`] when there is none.
    fn tag_row(&mut self, id: i64) -> Result<TagRow, StoreError>;

    /// The tag of type `kind` named `name` (case-insensitively), created
    /// canonical when it does not exist yet.
    fn find_or_create_tag(
        &mut self,
        kind: TagType,
        name: &TagName,
        now: NaiveDateTime,
    ) -> QueryResult<(i64, String, String)>;

    /// Tags (id, type, name) by id (give at most [`LINKED_LIMIT`] ids:
    /// SQLite binds each one).
    fn tags_with_ids(&mut self, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>>;

    /// A tag's id by type and name from `known`, created (and added to
    /// `known`) when new.
    fn bulk_tag_id(
        &mut self,
        known: &mut KnownTags,
        kind: TagType,
        name: &str,
        canonical: bool,
        now: NaiveDateTime,
    ) -> Result<i64, StoreError>;

    /// One wrangling change to tag `id`, checked against the rules.
    fn apply_wrangle(
        &mut self,
        id: i64,
        change: &WrangleChange,
        now: NaiveDateTime,
    ) -> Result<(), StoreError>;
}

impl_for_both_backends! {
    impl WranglingHelpers {
        fn load_graph(&mut self) -> QueryResult<TagGraph> {
            let mergers: Vec<(i64, Option<i64>)> = tags::table
                .filter(tags::merger_id.is_not_null())
                .select((tags::id, tags::merger_id))
                .load(self)?;
            let metas: Vec<(i64, i64)> = meta_taggings::table
                .select((meta_taggings::meta_id, meta_taggings::sub_id))
                .load(self)?;
            Ok(TagGraph::new(
                mergers.into_iter().filter_map(|(s, m)| m.map(|m| (s, m))),
                metas,
            ))
        }

        fn tag_row(&mut self, id: i64) -> Result<TagRow, StoreError> {
            tags::table
                .filter(tags::id.eq(id))
                .select((
                    tags::id,
                    tags::tag_type,
                    tags::name,
                    tags::canonical,
                    tags::merger_id,
                ))
                .first::<TagRow>(self)
                .optional()?
                .ok_or(StoreError::NotFound("tag"))
        }

        fn find_or_create_tag(
            &mut self,
            kind: TagType,
            name: &TagName,
            now: NaiveDateTime,
        ) -> QueryResult<(i64, String, String)> {
            let key = name.key();
            let found: Option<(i64, String, String)> = tags::table
                .filter(tags::tag_type.eq(kind.as_str()))
                .filter(tags::name_key.eq(&key))
                .select((tags::id, tags::tag_type, tags::name))
                .first(self)
                .optional()?;
            match found {
                Some(row) => Ok(row),
                None => diesel::insert_into(tags::table)
                    .values((
                        tags::tag_type.eq(kind.as_str()),
                        tags::name.eq(name.as_str()),
                        tags::name_key.eq(&key),
                        tags::canonical.eq(true),
                        tags::created_at.eq(now),
                    ))
                    .returning((tags::id, tags::tag_type, tags::name))
                    .get_result(self),
            }
        }

        fn tags_with_ids(&mut self, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>> {
            tags::table
                .filter(tags::id.eq_any(ids))
                .select((tags::id, tags::tag_type, tags::name))
                .load(self)
        }

        fn bulk_tag_id(
            &mut self,
            known: &mut KnownTags,
            kind: TagType,
            name: &str,
            canonical: bool,
            now: NaiveDateTime,
        ) -> Result<i64, StoreError> {
            let key = (kind.as_str().to_string(), tag_key(name));
            if let Some(&(id, _)) = known.get(&key) {
                return Ok(id);
            }
            let name = TagName::parse(name)?;
            let id: i64 = diesel::insert_into(tags::table)
                .values((
                    tags::tag_type.eq(kind.as_str()),
                    tags::name.eq(name.as_str()),
                    tags::name_key.eq(&key.1),
                    tags::canonical.eq(canonical),
                    tags::created_at.eq(now),
                ))
                .returning(tags::id)
                .get_result(self)?;
            known.insert(key, (id, canonical));
            Ok(id)
        }

        fn apply_wrangle(
            &mut self,
            id: i64,
            change: &WrangleChange,
            now: NaiveDateTime,
        ) -> Result<(), StoreError> {
            let this = facts(&self.tag_row(id)?)?;
            match change {
                WrangleChange::SetCanonical(canonical) => {
                    let canonical = *canonical;
                    if !this.kind.is_free() && this.kind != TagType::Media {
                        return Err(ficus_core::wrangling::WrangleError::FixedTag.into());
                    }
                    if canonical && this.merger.is_some() {
                        return Err(ficus_core::wrangling::WrangleError::SynonymIsCanonical.into());
                    }
                    if !canonical {
                        let graph = self.load_graph()?;
                        if !graph.synonyms_of(id).is_empty() {
                            return Err(ficus_core::wrangling::WrangleError::HasSynonyms.into());
                        }
                        // A tag that stops being canonical leaves its meta tree.
                        diesel::delete(
                            meta_taggings::table.filter(
                                meta_taggings::meta_id
                                    .eq(id)
                                    .or(meta_taggings::sub_id.eq(id)),
                            ),
                        )
                        .execute(self)?;
                    }
                    diesel::update(tags::table.filter(tags::id.eq(id)))
                        .set(tags::canonical.eq(canonical))
                        .execute(self)?;
                }
                WrangleChange::SynonymOf(target) => {
                    if let Some(target) = *target {
                        let target = facts(&self.tag_row(target)?)?;
                        let graph = self.load_graph()?;
                        graph.check_synonym(this, target)?;
                    }
                    diesel::update(tags::table.filter(tags::id.eq(id)))
                        .set(tags::merger_id.eq(*target))
                        .execute(self)?;
                }
                WrangleChange::AddMeta(meta) => {
                    let meta = facts(&self.tag_row(*meta)?)?;
                    let graph = self.load_graph()?;
                    graph.check_meta(meta, this)?;
                    diesel::insert_into(meta_taggings::table)
                        .values((
                            meta_taggings::meta_id.eq(meta.id),
                            meta_taggings::sub_id.eq(id),
                        ))
                        .on_conflict_do_nothing()
                        .execute(self)?;
                }
                WrangleChange::AddMetaNamed(name) => {
                    let (meta, _, _) = self.find_or_create_tag(this.kind, name, now)?;
                    self.apply_wrangle(id, &WrangleChange::AddMeta(meta), now)?;
                }
                WrangleChange::RemoveMeta(meta) => {
                    diesel::delete(
                        meta_taggings::table
                            .filter(meta_taggings::meta_id.eq(*meta))
                            .filter(meta_taggings::sub_id.eq(id)),
                    )
                    .execute(self)?;
                }
                WrangleChange::AddParent(parent) => {
                    let parent = facts(&self.tag_row(*parent)?)?;
                    check_parent(this, parent)?;
                    diesel::insert_into(tag_parents::table)
                        .values((
                            tag_parents::parent_id.eq(parent.id),
                            tag_parents::child_id.eq(id),
                        ))
                        .on_conflict_do_nothing()
                        .execute(self)?;
                }
                WrangleChange::AddParentNamed(kind, name) => {
                    let (parent, _, _) = self.find_or_create_tag(*kind, name, now)?;
                    self.apply_wrangle(id, &WrangleChange::AddParent(parent), now)?;
                }
                WrangleChange::RemoveParent(parent) => {
                    diesel::delete(
                        tag_parents::table
                            .filter(tag_parents::parent_id.eq(*parent))
                            .filter(tag_parents::child_id.eq(id)),
                    )
                    .execute(self)?;
                }
            }
            Ok(())
        }
    }
}

impl Store {
    /// The archive's wrangling graph.
    pub fn tag_graph(&self) -> Result<TagGraph, StoreError> {
        with_conn!(self, |conn| Ok(conn.load_graph()?))
    }

    /// The tag of type `kind` named `name` (case-insensitively), created
    /// canonical when it does not exist yet (wranglers name meta tags, media
    /// and fandoms that no work carries directly).
    pub fn find_or_create_tag(&self, kind: TagType, name: &str) -> Result<TagRecord, StoreError> {
        let name = TagName::parse(name)?;
        let now = Utc::now().naive_utc();
        let row = with_conn!(self, |conn| conn
            .write_transaction(|conn| conn.find_or_create_tag(kind, &name, now)))?;
        record(row)
    }

    /// A tag by id.
    pub fn tag(&self, id: i64) -> Result<Option<TagRecord>, StoreError> {
        let row: Option<(i64, String, String)> = with_conn!(self, |conn| tags::table
            .filter(tags::id.eq(id))
            .select((tags::id, tags::tag_type, tags::name))
            .first(conn)
            .optional()?);
        row.map(record).transpose()
    }

    /// Tags by id (unknown ids left out), in no particular order.
    pub fn tags_by_ids(&self, ids: &[i64]) -> Result<Vec<TagRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let rows: Vec<(i64, String, String)> = with_conn!(self, |conn| tags::table
                .filter(tags::id.eq_any(chunk))
                .select((tags::id, tags::tag_type, tags::name))
                .load(conn)?);
            for row in rows {
                out.push(record(row)?);
            }
        }
        Ok(out)
    }

    /// Everything `/tags/{name}` shows about the tag `id`, its use count
    /// as `viewer` may see it (listings' rule: posted, not hidden, and
    /// not restricted for guests).
    pub fn tag_detail(&self, id: i64, viewer: Viewer) -> Result<Option<TagDetail>, StoreError> {
        let members = viewer.is_member();
        type Rows = Vec<(i64, String, String)>;
        let found: Option<DetailRows> = with_conn!(self, |conn| {
            let row: Option<TagRow> = tags::table
                .filter(tags::id.eq(id))
                .select((
                    tags::id,
                    tags::tag_type,
                    tags::name,
                    tags::canonical,
                    tags::merger_id,
                ))
                .first(conn)
                .optional()?;
            match row {
                None => None,
                Some(row) => {
                    let cols = (tags::id, tags::tag_type, tags::name);
                    let merger = match row.4 {
                        Some(m) => tags::table
                            .filter(tags::id.eq(m))
                            .select(cols)
                            .first(conn)
                            .optional()?,
                        None => None,
                    };
                    let synonyms: Rows = tags::table
                        .filter(tags::merger_id.eq(id))
                        .select(cols)
                        .load(conn)?;
                    // Tags linked to this one through a pair table.
                    let meta_ids: Vec<i64> = meta_taggings::table
                        .filter(meta_taggings::sub_id.eq(id))
                        .select(meta_taggings::meta_id)
                        .limit(LINKED_LIMIT)
                        .load(conn)?;
                    let sub_ids: Vec<i64> = meta_taggings::table
                        .filter(meta_taggings::meta_id.eq(id))
                        .select(meta_taggings::sub_id)
                        .limit(LINKED_LIMIT)
                        .load(conn)?;
                    let parent_ids: Vec<i64> = tag_parents::table
                        .filter(tag_parents::child_id.eq(id))
                        .select(tag_parents::parent_id)
                        .limit(LINKED_LIMIT)
                        .load(conn)?;
                    let child_ids: Vec<i64> = tag_parents::table
                        .filter(tag_parents::parent_id.eq(id))
                        .select(tag_parents::child_id)
                        .limit(LINKED_LIMIT)
                        .load(conn)?;
                    let metas: Rows = conn.tags_with_ids(&meta_ids)?;
                    let subs: Rows = conn.tags_with_ids(&sub_ids)?;
                    let parents: Rows = conn.tags_with_ids(&parent_ids)?;
                    let children: Rows = conn.tags_with_ids(&child_ids)?;
                    let mut uses = taggings::table
                        .inner_join(works::table)
                        .filter(taggings::tag_id.eq(id))
                        .filter(works::posted.eq(true))
                        .filter(works::hidden.eq(false))
                        .filter(works::unrevealed.eq(false))
                        .into_boxed();
                    if !members {
                        uses = uses.filter(works::restricted.eq(false));
                    }
                    let uses: i64 = uses.count().get_result(conn)?;
                    Some((
                        row,
                        merger,
                        [synonyms, metas, subs, parents, children],
                        uses,
                    ))
                }
            }
        });
        let Some((row, merger, [synonyms, metas, subs, parents, children], uses)) = found else {
            return Ok(None);
        };
        let canonical = row.3;
        Ok(Some(TagDetail {
            tag: record((row.0, row.1, row.2))?,
            canonical,
            merger: merger.map(record).transpose()?,
            synonyms: records(synonyms)?,
            metas: records(metas)?,
            subs: records(subs)?,
            parents: records(parents)?,
            children: records(children)?,
            direct_uses: uses,
        }))
    }

    /// Applies one wrangling change to tag `id`, checked against the rules
    /// in one write transaction. The triggers log it for the indexers, which
    /// re-filter every affected work in the background.
    pub fn wrangle(&self, id: i64, change: &WrangleChange) -> Result<(), StoreError> {
        self.wrangle_all(id, std::slice::from_ref(change))
    }

    /// Applies a wrangler's changes to tag `id`, in order, in one write
    /// transaction: when one breaks a rule, none is applied.
    pub fn wrangle_all(&self, id: i64, changes: &[WrangleChange]) -> Result<(), StoreError> {
        let now = Utc::now().naive_utc();
        with_conn!(self, |conn| conn.write_transaction(|conn| {
            for change in changes {
                conn.apply_wrangle(id, change, now)?;
            }
            Ok::<(), StoreError>(())
        }))
    }

    /// Unwrangled tags (free tags that are neither canonical nor synonyms)
    /// on posted works that are not hidden (a wrangler sees what listings
    /// show a logged-in account) of the fandom `fandom` (by filter: its synonyms and
    /// subtags count), most used first; or across the archive when `None`.
    pub fn unwrangled_tags(
        &self,
        fandom: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(TagRecord, i64)>, StoreError> {
        let fandoms: Option<Vec<i64>> = match fandom {
            Some(f) => Some(self.tag_graph()?.expand_down(f).into_iter().collect()),
            None => None,
        };
        use diesel::dsl::count_star;
        let rows: Vec<(i64, String, String, i64)> = with_conn!(self, |conn| {
            let mut q = taggings::table
                .inner_join(tags::table)
                .inner_join(works::table)
                .filter(works::posted.eq(true))
                .filter(works::hidden.eq(false))
                .filter(works::unrevealed.eq(false))
                .filter(tags::canonical.eq(false))
                .filter(tags::merger_id.is_null())
                .filter(tags::tag_type.eq_any([
                    TagType::Fandom.as_str(),
                    TagType::Relationship.as_str(),
                    TagType::Character.as_str(),
                    TagType::Freeform.as_str(),
                ]))
                .group_by((tags::id, tags::tag_type, tags::name))
                .select((tags::id, tags::tag_type, tags::name, count_star()))
                .order((count_star().desc(), tags::id.asc()))
                .limit(limit)
                .into_boxed();
            if let Some(fandoms) = &fandoms {
                let t2 = diesel::alias!(taggings as fandom_taggings);
                q = q.filter(
                    taggings::work_id.eq_any(
                        t2.filter(t2.field(taggings::tag_id).eq_any(fandoms.clone()))
                            .select(t2.field(taggings::work_id)),
                    ),
                );
            }
            q.load(conn)?
        });
        rows.into_iter()
            .map(|(id, kind, name, n)| Ok((record((id, kind, name))?, n)))
            .collect()
    }

    /// The tag of type `kind` named `name`, if any.
    pub fn tag_of_type(&self, kind: TagType, name: &str) -> Result<Option<TagRecord>, StoreError> {
        let key = tag_key(name);
        let row: Option<(i64, String, String)> = with_conn!(self, |conn| tags::table
            .filter(tags::tag_type.eq(kind.as_str()))
            .filter(tags::name_key.eq(&key))
            .select((tags::id, tags::tag_type, tags::name))
            .first(conn)
            .optional()?);
        row.map(record).transpose()
    }
}

impl Store {
    /// Applies many wrangling facts in one transaction (a synthetic
    /// archive's bulk load). Tags that do not exist are created; every
    /// synonym and meta link is checked against the rules on an in-memory
    /// graph, and a fact that breaks them is skipped and counted. Returns
    /// (applied, skipped).
    pub fn wrangle_bulk(&self, facts: &[WranglingFact]) -> Result<(usize, usize), StoreError> {
        use std::collections::HashMap;
        let now = Utc::now().naive_utc();
        with_conn!(self, |conn| conn.write_transaction(|conn| {
            let rows: Vec<(i64, String, String, bool)> = tags::table
                .select((tags::id, tags::tag_type, tags::name_key, tags::canonical))
                .load(conn)?;
            let mut ids: HashMap<(String, String), (i64, bool)> = rows
                .into_iter()
                .map(|(id, kind, key, canonical)| ((kind, key), (id, canonical)))
                .collect();
            let mut graph = conn.load_graph()?;
            let mut mergers: Vec<(i64, i64)> = Vec::new();
            let mut metas: Vec<(i64, i64)> = Vec::new();
            let (mut applied, mut skipped) = (0, 0);
            // Canonical facts first: links below need them.
            let mut canonical_ids = Vec::new();
            for fact in facts {
                if let WranglingFact::Canonical { kind, name } = fact {
                    let id = conn.bulk_tag_id(&mut ids, *kind, name, true, now)?;
                    canonical_ids.push(id);
                    if let Some(entry) = ids.get_mut(&(kind.as_str().to_string(), tag_key(name))) {
                        entry.1 = true;
                    }
                    applied += 1;
                }
            }
            for chunk in canonical_ids.chunks(500) {
                diesel::update(tags::table.filter(tags::id.eq_any(chunk)))
                    .set(tags::canonical.eq(true))
                    .execute(conn)?;
            }
            let facts_of =
                |ids: &HashMap<(String, String), (i64, bool)>, kind: TagType, name: &str| {
                    ids.get(&(kind.as_str().to_string(), tag_key(name)))
                        .map(|&(id, canonical)| TagFacts {
                            id,
                            kind,
                            canonical,
                            merger: None,
                        })
                };
            for fact in facts {
                match fact {
                    WranglingFact::Canonical { .. } => {}
                    WranglingFact::Synonym {
                        kind,
                        synonym,
                        canonical,
                    } => {
                        conn.bulk_tag_id(&mut ids, *kind, synonym, false, now)?;
                        let (Some(s), Some(c)) = (
                            facts_of(&ids, *kind, synonym),
                            facts_of(&ids, *kind, canonical),
                        ) else {
                            skipped += 1;
                            continue;
                        };
                        if graph.merger_of(s.id).is_some() || graph.check_synonym(s, c).is_err() {
                            skipped += 1;
                            continue;
                        }
                        mergers.push((s.id, c.id));
                        graph.add_synonym(s.id, c.id);
                        applied += 1;
                    }
                    WranglingFact::Meta { kind, meta, sub } => {
                        let (Some(m), Some(s)) =
                            (facts_of(&ids, *kind, meta), facts_of(&ids, *kind, sub))
                        else {
                            skipped += 1;
                            continue;
                        };
                        if graph.check_meta(m, s).is_err() {
                            skipped += 1;
                            continue;
                        }
                        metas.push((m.id, s.id));
                        graph.add_meta(m.id, s.id);
                        applied += 1;
                    }
                    WranglingFact::Parent {
                        kind,
                        child,
                        parent_kind,
                        parent,
                    } => {
                        let c = conn.bulk_tag_id(&mut ids, *kind, child, true, now)?;
                        let p = conn.bulk_tag_id(&mut ids, *parent_kind, parent, true, now)?;
                        let (cf, pf) = (
                            TagFacts {
                                id: c,
                                kind: *kind,
                                canonical: true,
                                merger: None,
                            },
                            TagFacts {
                                id: p,
                                kind: *parent_kind,
                                canonical: true,
                                merger: None,
                            },
                        );
                        if check_parent(cf, pf).is_err() {
                            skipped += 1;
                            continue;
                        }
                        diesel::insert_into(tag_parents::table)
                            .values((tag_parents::parent_id.eq(p), tag_parents::child_id.eq(c)))
                            .on_conflict_do_nothing()
                            .execute(conn)?;
                        applied += 1;
                    }
                }
            }
            for (s, c) in &mergers {
                diesel::update(tags::table.filter(tags::id.eq(*s)))
                    .set(tags::merger_id.eq(Some(*c)))
                    .execute(conn)?;
            }
            for chunk in metas.chunks(500) {
                let rows: Vec<_> = chunk
                    .iter()
                    .map(|(m, s)| (meta_taggings::meta_id.eq(*m), meta_taggings::sub_id.eq(*s)))
                    .collect();
                diesel::insert_into(meta_taggings::table)
                    .values(&rows)
                    .on_conflict_do_nothing()
                    .execute(conn)?;
            }
            Ok::<_, StoreError>((applied, skipped))
        }))
    }
}
