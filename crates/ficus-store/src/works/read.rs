//! Reading one work: its record, its chapters, the work page's
//! [`Reading`].

use diesel::prelude::*;
use ficus_core::access::Viewer;

use super::helpers::WorkHelpers;
use super::{
    ChapterChoice, ChapterListRow, Found, Reading, TagNames, WorkParts, assemble_works,
    chapter_record, chapter_summary, sight_of,
};
use crate::Store;
use crate::error::StoreError;
use crate::records::{ChapterRecord, WorkRecord};
use crate::rows::*;
use crate::schema::chapters;

impl Store {
    /// One work with tags and creators, if it exists and `viewer` may see it.
    pub fn work(&self, id: i64, viewer: Viewer) -> Result<Option<WorkRecord>, StoreError> {
        let work = self.works_by_ids(&[id])?.pop();
        Ok(work.filter(|w| viewer.may_see(&w.access())))
    }

    /// Every chapter of a work with its text, in order.
    pub fn chapters_full(&self, work_id: i64) -> Result<Vec<ChapterRecord>, StoreError> {
        let rows: Vec<ChapterRow> = with_conn!(self, |conn| chapters::table
            .filter(chapters::work_id.eq(work_id))
            .order(chapters::position.asc())
            .select(ChapterRow::as_select())
            .load(conn)?);
        Ok(rows.into_iter().map(chapter_record).collect())
    }

    /// One chapter of a work with its text.
    pub fn chapter(
        &self,
        work_id: i64,
        chapter_id: i64,
    ) -> Result<Option<ChapterRecord>, StoreError> {
        let row: Option<ChapterRow> = with_conn!(self, |conn| chapters::table
            .filter(chapters::work_id.eq(work_id))
            .filter(chapters::id.eq(chapter_id))
            .select(ChapterRow::as_select())
            .first(conn)
            .optional()?);
        Ok(row.map(chapter_record))
    }

    /// The work a chapter id belongs to.
    pub fn chapter_work_id(&self, chapter_id: i64) -> Result<Option<i64>, StoreError> {
        with_conn!(self, |conn| Ok(chapters::table
            .filter(chapters::id.eq(chapter_id))
            .select(chapters::work_id)
            .first(conn)
            .optional()?))
    }

    /// Loads works with tags and creators, in the order of `ids`; ids that
    /// do not exist are left out.
    pub fn works_by_ids(&self, ids: &[i64]) -> Result<Vec<WorkRecord>, StoreError> {
        self.works_by_ids_with(ids, None)
    }

    /// [`Store::works_by_ids`], with the tags' names from `names` when
    /// given (see [`TagNames`]).
    pub fn works_by_ids_with(
        &self,
        ids: &[i64],
        names: Option<&TagNames>,
    ) -> Result<Vec<WorkRecord>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let parts: WorkParts = with_conn!(self, |conn| conn.load_work_parts_with(ids, names)?);
        assemble_works(parts, ids)
    }

    /// Everything the work page needs, on one connection, or `None` when
    /// `viewer` may not see the work (see [`Store::read_work`]).
    pub fn reading(
        &self,
        id: i64,
        viewer: Viewer,
        choice: ChapterChoice,
    ) -> Result<Option<Reading>, StoreError> {
        Ok(self.read_work(id, viewer, choice)?.visible())
    }

    /// Everything the work page needs, on one connection: the work, its
    /// chapter list, and the texts `choice` asks for (none when a chapter
    /// id does not belong to the work) — or, in the same call, whether a
    /// guest should log in first or there is nothing to show.
    pub fn read_work(
        &self,
        id: i64,
        viewer: Viewer,
        choice: ChapterChoice,
    ) -> Result<Found<Reading>, StoreError> {
        let ids = [id];
        type Loaded = (WorkParts, Vec<ChapterListRow>, Vec<ChapterRow>);
        let loaded: Found<Loaded> = with_conn!(self, |conn| {
            let parts = conn.load_work_parts(&ids[..])?;
            match sight_of(&parts, viewer) {
                Found::Visible(()) => {}
                Found::LogInFirst => return Ok(Found::LogInFirst),
                Found::NotFound => return Ok(Found::NotFound),
            }
            let list: Vec<ChapterListRow> = conn.load_chapter_list(id)?;
            let wanted = match choice {
                ChapterChoice::NoText => None,
                ChapterChoice::All => Some(None),
                ChapterChoice::First => Some(list.first().map(|c| c.0)),
                ChapterChoice::One(cid) => Some(Some(cid)),
            };
            let texts: Vec<ChapterRow> = match wanted {
                None => Vec::new(),
                Some(None) => chapters::table
                    .filter(chapters::work_id.eq(id))
                    .order(chapters::position.asc())
                    .select(ChapterRow::as_select())
                    .load(conn)?,
                Some(Some(cid)) => chapters::table
                    .filter(chapters::work_id.eq(id))
                    .filter(chapters::id.eq(cid))
                    .select(ChapterRow::as_select())
                    .load(conn)?,
            };
            Found::Visible((parts, list, texts))
        });
        let (parts, list, texts) = match loaded {
            Found::Visible(loaded) => loaded,
            Found::LogInFirst => return Ok(Found::LogInFirst),
            Found::NotFound => return Ok(Found::NotFound),
        };
        let Some(work) = assemble_works(parts, &ids)?.pop() else {
            return Ok(Found::NotFound);
        };
        Ok(Found::Visible(Reading {
            work,
            chapters: list.into_iter().map(chapter_summary).collect(),
            texts: texts.into_iter().map(chapter_record).collect(),
        }))
    }
}
