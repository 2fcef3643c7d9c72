//! External works as stored: one row per address (`external_works`, a
//! unique index on `url`) and their tags (`external_work_tags`, found by
//! type and name or created as a work's new tags are). The details are
//! the first bookmarker's; a later bookmark of the same address joins it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::TagType;
use ficus_core::external_works::ExternalWorkDraft;

use crate::error::StoreError;
use crate::records::TagRecord;
use crate::schema::{external_work_tags, external_works, tags};
use crate::works::helpers::WorkHelpers;
use crate::{Store, works};

/// An external work as everyone sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExternalWorkRecord {
    pub id: i64,
    /// The address, as stored (linked, never fetched).
    pub url: String,
    pub title: String,
    pub creator: String,
    /// Sanitized HTML (empty: none).
    pub summary: String,
    /// Fandoms, rating, categories, relationships, characters, in order.
    pub tags: Vec<TagRecord>,
    pub created_at: NaiveDateTime,
}

impl ExternalWorkRecord {
    /// Tags of one type, in order.
    pub fn tags_of(&self, kind: TagType) -> impl Iterator<Item = &TagRecord> {
        self.tags.iter().filter(move |t| t.kind == kind)
    }
}

/// Typed helpers on a connection of either backend.
pub(crate) trait ExternalWorkHelpers {
    /// The external work at `draft.url`, made from `draft` when there is
    /// none yet: its id.
    fn external_work_for(
        &mut self,
        draft: &ExternalWorkDraft,
        now: NaiveDateTime,
    ) -> QueryResult<i64>;
}

impl_for_both_backends! {
    impl ExternalWorkHelpers {
        fn external_work_for(
            &mut self,
            draft: &ExternalWorkDraft,
            now: NaiveDateTime,
        ) -> QueryResult<i64> {
            let found: Option<i64> = external_works::table
                .filter(external_works::url.eq(&draft.url))
                .select(external_works::id)
                .first(self)
                .optional()?;
            if let Some(id) = found {
                return Ok(id);
            }
            // Two readers may bookmark a new address at once: the second
            // insert does nothing, and both take the first one's row.
            let inserted = diesel::insert_into(external_works::table)
                .values((
                    external_works::url.eq(&draft.url),
                    external_works::title.eq(&draft.title),
                    external_works::creator.eq(&draft.creator),
                    external_works::summary.eq(&draft.summary),
                    external_works::created_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .execute(self)?;
            let id: i64 = external_works::table
                .filter(external_works::url.eq(&draft.url))
                .select(external_works::id)
                .first(self)?;
            if inserted > 0 {
                let wanted: Vec<(TagType, &str)> = draft
                    .tags
                    .iter()
                    .map(|t| (t.kind, t.name.as_str()))
                    .collect();
                let mut rows: Vec<(i64, i32)> = Vec::new();
                for (position, tag_id) in self.tag_ids(&wanted, now)?.into_iter().enumerate() {
                    if rows.iter().all(|(t, _)| *t != tag_id) {
                        rows.push((tag_id, i32::try_from(position).unwrap_or(i32::MAX)));
                    }
                }
                let values: Vec<_> = rows
                    .iter()
                    .map(|(tag_id, position)| {
                        (
                            external_work_tags::external_work_id.eq(id),
                            external_work_tags::tag_id.eq(*tag_id),
                            external_work_tags::position.eq(*position),
                        )
                    })
                    .collect();
                diesel::insert_into(external_work_tags::table)
                    .values(&values)
                    .execute(self)?;
            }
            Ok(id)
        }
    }
}

type ExternalRow = (i64, String, String, String, String, NaiveDateTime);
/// (external work, tag id, tag type, tag name).
type ExternalTagRow = (i64, i64, String, String);

impl Store {
    /// The external works `ids` (those that exist), with their tags.
    pub fn external_works_by_ids(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, ExternalWorkRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let (rows, tag_rows): (Vec<ExternalRow>, Vec<ExternalTagRow>) = with_conn!(self, |conn| {
            let rows = external_works::table
                .filter(external_works::id.eq_any(ids))
                .select((
                    external_works::id,
                    external_works::url,
                    external_works::title,
                    external_works::creator,
                    external_works::summary,
                    external_works::created_at,
                ))
                .load(conn)?;
            let tag_rows = external_work_tags::table
                .inner_join(tags::table)
                .filter(external_work_tags::external_work_id.eq_any(ids))
                .order((
                    external_work_tags::external_work_id.asc(),
                    external_work_tags::position.asc(),
                ))
                .select((
                    external_work_tags::external_work_id,
                    tags::id,
                    tags::tag_type,
                    tags::name,
                ))
                .load(conn)?;
            Ok::<_, StoreError>((rows, tag_rows))
        })?;
        let mut out: HashMap<i64, ExternalWorkRecord> = rows
            .into_iter()
            .map(|(id, url, title, creator, summary, created_at)| {
                (
                    id,
                    ExternalWorkRecord {
                        id,
                        url,
                        title,
                        creator,
                        summary,
                        tags: Vec::new(),
                        created_at,
                    },
                )
            })
            .collect();
        for (work, tag_id, kind, name) in tag_rows {
            if let Some(record) = out.get_mut(&work) {
                record.tags.push(works::tag_record(tag_id, &kind, name)?);
            }
        }
        Ok(out)
    }

    /// One external work.
    pub fn external_work(&self, id: i64) -> Result<Option<ExternalWorkRecord>, StoreError> {
        Ok(self.external_works_by_ids(&[id])?.remove(&id))
    }
}
