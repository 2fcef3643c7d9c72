//! Every tag's type and name, read once for a whole index rebuild: a
//! batch of works then reads its taggings alone instead of joining each
//! of some fifteen million rows to `tags` (a b-tree seek each, and on a
//! big archive a file read for most).

use std::collections::HashMap;

use diesel::prelude::*;

use super::{WorkTagRow, tag_record_row};
use crate::Store;
use crate::error::StoreError;
use crate::records::TagRecord;
use crate::schema::tags;

/// Tag id → the tag, as stored.
#[derive(Debug, Default)]
pub struct TagNames(HashMap<i64, TagRecord>);

impl TagNames {
    /// From rows (id, type, name); a type that does not parse is an error.
    pub(super) fn from_rows(rows: Vec<(i64, String, String)>) -> QueryResult<TagNames> {
        rows.into_iter()
            .map(|(id, kind, name)| Ok((id, tag_record_row(id, &kind, name)?)))
            .collect::<QueryResult<_>>()
            .map(TagNames)
    }

    /// `taggings` (work id, tag id, position) with their tags, and those
    /// whose tag is not known here (made after this was read).
    pub(super) fn rows(
        &self,
        taggings: Vec<(i64, i64, i32)>,
    ) -> (Vec<WorkTagRow>, Vec<(i64, i64, i32)>) {
        let mut known = Vec::with_capacity(taggings.len());
        let mut unknown = Vec::new();
        for t @ (work, tag, position) in taggings {
            match self.0.get(&tag) {
                Some(record) => known.push((work, position, record.clone())),
                None => unknown.push(t),
            }
        }
        (known, unknown)
    }
}

impl Store {
    /// Every tag's type and name (for [`Store::index_docs_with`] over a
    /// whole archive).
    pub fn tag_names(&self) -> Result<TagNames, StoreError> {
        let rows: Vec<(i64, String, String)> = with_conn!(self, |conn| tags::table
            .select((tags::id, tags::tag_type, tags::name))
            .load(conn)?);
        Ok(TagNames::from_rows(rows)?)
    }
}
