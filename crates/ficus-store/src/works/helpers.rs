//! Typed helpers on a connection of either backend, shared by the work
//! writes and reads: each runs inside the transaction its caller holds.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ficus_core::tag::tag_key;
use ficus_core::{NewWork, TagType};

use super::batch::KnownNames;
use super::{BulkExtras, ChapterListRow, TagNames, WorkParts, WorkTagRow};
use crate::bylines::BylineHelpers;
use crate::rows::*;
use crate::schema::{
    chapters, creators, pseuds, serial_works, series, taggings, tags, users, work_creators, works,
};
use crate::series::SeriesHelpers;
use crate::subscriptions::FanoutHelpers;

/// The word count of each of `work`'s chapters, by AO3's rule (the
/// stored sum and the chapter rows share it).
pub(crate) fn chapter_word_counts(work: &NewWork) -> Vec<i64> {
    work.chapters
        .iter()
        .map(|c| i64::try_from(c.word_count()).unwrap_or(i64::MAX))
        .collect()
}

/// Work helpers on a connection of either backend.
pub(crate) trait WorkHelpers {
    /// The rows behind [`crate::WorkRecord`]s of the works `ids` (work
    /// rows, tags, bylines, series places). One work (the work page) is
    /// asked for with `=`, whose SQL is the same every time and so stays
    /// prepared; `IN (…)` changes with the number of ids.
    fn load_work_parts(&mut self, ids: &[i64]) -> QueryResult<WorkParts> {
        self.load_work_parts_with(ids, None)
    }

    /// [`WorkHelpers::load_work_parts`], with the tags' types and names
    /// taken from `names` (read once for a whole rebuild) instead of a
    /// join per tagging; tags missing from it are read from the database.
    fn load_work_parts_with(
        &mut self,
        ids: &[i64],
        names: Option<&TagNames>,
    ) -> QueryResult<WorkParts>;

    /// A work's chapters in order, without texts.
    fn load_chapter_list(&mut self, work_id: i64) -> QueryResult<Vec<ChapterListRow>>;

    /// The ids of tags (type, name), in order, found by name or created
    /// (canonical unless of a free type, as a work's new tags are).
    fn tag_ids(&mut self, wanted: &[(TagType, &str)], now: NaiveDateTime) -> QueryResult<Vec<i64>>;

    /// Creates the tag (type, name, key) unless it exists (canonical
    /// unless of a free type, as a work's new tags are).
    fn create_tag(
        &mut self,
        kind: TagType,
        name: &str,
        key: &str,
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// Writes a work's bylines (pseuds first, then bare names) and
    /// taggings (rating first), creating creators and tags as needed. The
    /// work's old bylines and taggings must be gone.
    fn write_bylines_and_tags(
        &mut self,
        work_id: i64,
        work: &NewWork,
        now: NaiveDateTime,
        known: &KnownNames,
    ) -> QueryResult<()>;

    /// Recomputes a work's word and chapter counts from its chapters.
    fn refresh_counts(&mut self, work_id: i64) -> QueryResult<()>;

    /// Gives a work's chapters positions 1.. in the order of `ids`, in two
    /// steps so that `UNIQUE (work_id, position)` holds throughout.
    fn renumber(&mut self, work_id: i64, ids: &[i64]) -> QueryResult<()>;

    /// Puts a work into the series its [`NewWork::series`] names, owned by
    /// the account of its first pseud (ownerless for imports).
    fn place_work_in_series(
        &mut self,
        work_id: i64,
        work: &NewWork,
        now: NaiveDateTime,
    ) -> QueryResult<()>;

    /// The work stored from content with this hash, if any.
    fn work_with_content_hash(&mut self, hash: &str) -> QueryResult<Option<i64>>;

    /// Stores a prepared work (its rows and series places), unless its
    /// content is stored already: then that work's id.
    fn store_new_work(
        &mut self,
        prepared: &super::PreparedWork,
        now: NaiveDateTime,
        known: &KnownNames,
    ) -> QueryResult<crate::records::InsertOutcome>;

    /// Inserts one (clean, valid) work with its chapters, bylines and tags;
    /// returns (id, word count). `counts` are its chapters' word counts
    /// ([`chapter_word_counts`], taken before the write transaction: the
    /// tokenizer's work holds no lock). `extras` may set the stored word
    /// count and reader counters (bulk loads of synthetic archives).
    fn insert_work_rows(
        &mut self,
        work: &NewWork,
        counts: &[i64],
        now: NaiveDateTime,
        extras: Option<&BulkExtras>,
        known: &KnownNames,
    ) -> QueryResult<(i64, i64)>;

    /// Posts a draft: visible, published and updated on `today`. False
    /// when it is no draft (or no work).
    fn publish(
        &mut self,
        id: i64,
        today: chrono::NaiveDate,
        now: NaiveDateTime,
    ) -> QueryResult<bool>;
}

impl_for_both_backends! {
    impl WorkHelpers {
        fn load_work_parts_with(
            &mut self,
            ids: &[i64],
            names: Option<&TagNames>,
        ) -> QueryResult<WorkParts> {
            let one = match ids {
                [id] => Some(*id),
                _ => None,
            };
            let q = works::table.select(WorkRow::as_select()).into_boxed();
            let rows: Vec<WorkRow> = match one {
                Some(id) => q.filter(works::id.eq(id)),
                None => q.filter(works::id.eq_any(ids)),
            }
            .load(self)?;
            let tag_rows: Vec<WorkTagRow> = match names {
                Some(names) => {
                    let q = taggings::table
                        .select((taggings::work_id, taggings::tag_id, taggings::position))
                        .into_boxed();
                    let bare: Vec<(i64, i64, i32)> = match one {
                        Some(id) => q.filter(taggings::work_id.eq(id)),
                        None => q.filter(taggings::work_id.eq_any(ids)),
                    }
                    .load(self)?;
                    let (mut rows, unknown) = names.rows(bare);
                    if !unknown.is_empty() {
                        // Tags made since the names were read.
                        let mut wanted: Vec<i64> = unknown.iter().map(|t| t.1).collect();
                        wanted.sort_unstable();
                        wanted.dedup();
                        let found: Vec<(i64, String, String)> = tags::table
                            .filter(tags::id.eq_any(&wanted))
                            .select((tags::id, tags::tag_type, tags::name))
                            .load(self)?;
                        let found = TagNames::from_rows(found)?;
                        rows.extend(found.rows(unknown).0);
                    }
                    rows
                }
                None => {
                    let q = taggings::table
                        .inner_join(tags::table)
                        .select((
                            taggings::work_id,
                            taggings::position,
                            tags::id,
                            tags::tag_type,
                            tags::name,
                        ))
                        .into_boxed();
                    let joined: Vec<(i64, i32, i64, String, String)> = match one {
                        Some(id) => q.filter(taggings::work_id.eq(id)),
                        None => q.filter(taggings::work_id.eq_any(ids)),
                    }
                    .load(self)?;
                    joined
                        .into_iter()
                        .map(|(work, position, id, kind, name)| {
                            Ok((work, position, super::tag_record_row(id, &kind, name)?))
                        })
                        .collect::<QueryResult<_>>()?
                }
            };
            let q = work_creators::table
                .inner_join(creators::table.left_join(pseuds::table.inner_join(users::table)))
                .select((
                    work_creators::work_id,
                    creators::name,
                    work_creators::position,
                    pseuds::user_id.nullable(),
                    users::login.nullable(),
                    creators::id,
                ))
                .into_boxed();
            let creator_rows = match one {
                Some(id) => q.filter(work_creators::work_id.eq(id)),
                None => q.filter(work_creators::work_id.eq_any(ids)),
            }
            .load(self)?;
            let q = serial_works::table
                .inner_join(series::table)
                .select((
                    serial_works::work_id,
                    series::id,
                    series::title,
                    serial_works::position,
                ))
                .into_boxed();
            let series_rows = match one {
                Some(id) => q.filter(serial_works::work_id.eq(id)),
                None => q.filter(serial_works::work_id.eq_any(ids)),
            }
            .load(self)?;
            Ok((rows, tag_rows, creator_rows, series_rows))
        }

        fn load_chapter_list(&mut self, work_id: i64) -> QueryResult<Vec<ChapterListRow>> {
            chapters::table
                .filter(chapters::work_id.eq(work_id))
                .order(chapters::position.asc())
                .select((
                    chapters::id,
                    chapters::position,
                    chapters::title,
                    chapters::word_count,
                    chapters::published_on,
                ))
                .load(self)
        }

        fn write_bylines_and_tags(
            &mut self,
            work_id: i64,
            work: &NewWork,
            now: NaiveDateTime,
            known: &KnownNames,
        ) -> QueryResult<()> {
            // Bylines: the posting accounts' pseuds first, then bare names.
            let mut creator_ids: Vec<i64> = Vec::new();
            for &pseud_id in &work.pseuds {
                creator_ids.push(self.pseud_creator(pseud_id)?);
            }
            for name in &work.creators {
                let name = name.trim();
                let key = tag_key(name);
                if let Some(&id) = known.creators.get(&key) {
                    creator_ids.push(id);
                    continue;
                }
                let existing: Option<i64> = creators::table
                    .filter(creators::name_key.eq(&key))
                    .filter(creators::pseud_id.is_null())
                    .select(creators::id)
                    .first(self)
                    .optional()?;
                let id = match existing {
                    Some(id) => id,
                    None => diesel::insert_into(creators::table)
                        .values(&NewCreatorRow {
                            name,
                            name_key: &key,
                        })
                        .returning(creators::id)
                        .get_result(self)?,
                };
                creator_ids.push(id);
            }
            let mut creator_rows: Vec<WorkCreatorRow> = Vec::new();
            for (position, creator_id) in creator_ids.into_iter().enumerate() {
                if creator_rows.iter().all(|r| r.creator_id != creator_id) {
                    creator_rows.push(WorkCreatorRow {
                        work_id,
                        creator_id,
                        position: i32::try_from(position).unwrap_or(i32::MAX),
                    });
                }
            }
            if !creator_rows.is_empty() {
                diesel::insert_into(work_creators::table)
                    .values(&creator_rows)
                    .execute(self)?;
            }

            // Tags: the rating first, then the others in their order.
            let rating = (TagType::Rating, work.rating.name());
            let wanted: Vec<(TagType, &str)> = std::iter::once(rating)
                .chain(work.tags.iter().map(|t| (t.kind, t.name.as_str())))
                .collect();
            let found: Option<Vec<i64>> = wanted
                .iter()
                .map(|(kind, name)| known.tags.get(&(kind.as_str(), tag_key(name))).copied())
                .collect();
            let ids = match found {
                Some(ids) => ids,
                None => self.tag_ids(&wanted, now)?,
            };
            let mut tagging_rows: Vec<TaggingRow> = Vec::new();
            for (position, tag_id) in ids.into_iter().enumerate() {
                if tagging_rows.iter().all(|r| r.tag_id != tag_id) {
                    tagging_rows.push(TaggingRow {
                        work_id,
                        tag_id,
                        position: i32::try_from(position).unwrap_or(i32::MAX),
                    });
                }
            }
            diesel::insert_into(taggings::table)
                .values(&tagging_rows)
                .execute(self)?;
            Ok(())
        }

        fn tag_ids(&mut self, wanted: &[(TagType, &str)], now: NaiveDateTime) -> QueryResult<Vec<i64>> {
            // One lookup for all of them; insert only the new ones.
            let wanted: Vec<(TagType, &str, String)> = wanted
                .iter()
                .map(|(kind, name)| (*kind, *name, tag_key(name)))
                .collect();
            let keys: Vec<&str> = wanted.iter().map(|(_, _, key)| key.as_str()).collect();
            let mut known: HashMap<(String, String), i64> = tags::table
                .filter(tags::name_key.eq_any(&keys))
                .select((tags::id, tags::tag_type, tags::name_key))
                .load::<(i64, String, String)>(self)?
                .into_iter()
                .map(|(id, kind, key)| ((kind, key), id))
                .collect();
            let mut ids = Vec::with_capacity(wanted.len());
            for (kind, name, key) in &wanted {
                let lookup = (kind.as_str().to_string(), key.clone());
                let tag_id = match known.get(&lookup) {
                    Some(id) => *id,
                    None => {
                        self.create_tag(*kind, name, key, now)?;
                        let id: i64 = tags::table
                            .filter(tags::tag_type.eq(kind.as_str()))
                            .filter(tags::name_key.eq(key))
                            .select(tags::id)
                            .first(self)?;
                        known.insert(lookup, id);
                        id
                    }
                };
                ids.push(tag_id);
            }
            Ok(ids)
        }

        fn create_tag(
            &mut self,
            kind: TagType,
            name: &str,
            key: &str,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            diesel::insert_into(tags::table)
                .values(&NewTagRow {
                    tag_type: kind.as_str(),
                    name,
                    name_key: key,
                    canonical: !kind.is_free(),
                    created_at: now,
                })
                .on_conflict((tags::tag_type, tags::name_key))
                .do_nothing()
                .execute(self)?;
            Ok(())
        }

                fn refresh_counts(&mut self, work_id: i64) -> QueryResult<()> {
            let counts: Vec<i64> = chapters::table
                .filter(chapters::work_id.eq(work_id))
                .select(chapters::word_count)
                .load(self)?;
            diesel::update(works::table.find(work_id))
                .set((
                    works::word_count.eq(counts.iter().sum::<i64>()),
                    works::chapter_count.eq(i32::try_from(counts.len()).unwrap_or(i32::MAX)),
                ))
                .execute(self)?;
            Ok(())
        }

        fn renumber(&mut self, work_id: i64, ids: &[i64]) -> QueryResult<()> {
            for (i, id) in ids.iter().enumerate() {
                let temp = -1 - i32::try_from(i).unwrap_or(i32::MAX - 1);
                diesel::update(
                    chapters::table
                        .find(*id)
                        .filter(chapters::work_id.eq(work_id)),
                )
                .set(chapters::position.eq(temp))
                .execute(self)?;
            }
            for (i, id) in ids.iter().enumerate() {
                let position = 1 + i32::try_from(i).unwrap_or(i32::MAX - 1);
                diesel::update(chapters::table.find(*id))
                    .set(chapters::position.eq(position))
                    .execute(self)?;
            }
            Ok(())
        }

        fn place_work_in_series(
            &mut self,
            work_id: i64,
            work: &NewWork,
            now: NaiveDateTime,
        ) -> QueryResult<()> {
            if work.series.is_empty() {
                return Ok(());
            }
            let owner: Option<i64> = match work.pseuds.first() {
                Some(&pseud) => Some(
                    pseuds::table
                        .find(pseud)
                        .select(pseuds::user_id)
                        .first(self)?,
                ),
                None => None,
            };
            for (title, position) in &work.series {
                let title = title.trim();
                if title.is_empty() || title.chars().count() > crate::series::MAX_SERIES_TITLE_CHARS
                {
                    continue;
                }
                let position = i32::try_from(*position).unwrap_or(0);
                self.place_in_series(work_id, owner, title, position, now)?;
            }
            Ok(())
        }

        fn work_with_content_hash(&mut self, hash: &str) -> QueryResult<Option<i64>> {
            works::table
                .filter(works::content_hash.eq(hash))
                .select(works::id)
                .first(self)
                .optional()
        }

        fn store_new_work(
            &mut self,
            prepared: &super::PreparedWork,
            now: NaiveDateTime,
            known: &KnownNames,
        ) -> QueryResult<crate::records::InsertOutcome> {
            let work = &prepared.work;
            if let Some(hash) = work.origin.content_hash.as_deref()
                && let Some(id) = self.work_with_content_hash(hash)?
            {
                return Ok(crate::records::InsertOutcome::AlreadyExists(id));
            }
            let (id, word_count) = self.insert_work_rows(work, &prepared.counts, now, None, known)?;
            self.place_work_in_series(id, work, now)?;
            Ok(crate::records::InsertOutcome::Inserted { id, word_count })
        }

        fn insert_work_rows(
            &mut self,
            work: &NewWork,
            counts: &[i64],
            now: NaiveDateTime,
            extras: Option<&BulkExtras>,
            known: &KnownNames,
        ) -> QueryResult<(i64, i64)> {
            // Counted once per chapter: the sum and the rows share it.
            let word_count: i64 = counts.iter().sum();
            let chapter_count = i32::try_from(work.chapters.len()).unwrap_or(i32::MAX);
            let row = NewWorkRow {
                title: work.title.trim(),
                summary: work.summary.as_deref(),
                notes: work.notes.as_deref(),
                end_notes: work.end_notes.as_deref(),
                language: work.language.as_deref(),
                published_on: work.published,
                updated_on: work.updated.max(work.published),
                complete: work.complete,
                expected_chapters: work.expected_chapters.and_then(|n| i32::try_from(n).ok()),
                chapter_count,
                word_count,
                restricted: work.restricted,
                posted: work.posted,
                source_path: work.origin.source_path.as_deref(),
                source_url: work.origin.source_url.as_deref(),
                content_hash: work.origin.content_hash.as_deref(),
                text_encoding: work.origin.text_encoding.as_deref(),
                created_at: now,
                updated_at: now,
                comment_permission: work.comments.permission.as_str(),
                moderate_comments: work.comments.moderated,
            };
            let work_id: i64 = diesel::insert_into(works::table)
                .values(&row)
                .returning(works::id)
                .get_result(self)?;

            let chapter_rows: Vec<NewChapterRow<'_>> = work
                .chapters
                .iter()
                .enumerate()
                .map(|(i, c)| NewChapterRow {
                    work_id,
                    position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                    title: c.title.as_deref(),
                    summary: c.summary.as_deref(),
                    notes: c.notes.as_deref(),
                    end_notes: c.end_notes.as_deref(),
                    body: &c.body,
                    word_count: counts[i],
                    published_on: c.published.unwrap_or(work.published),
                })
                .collect();
            for chunk in chapter_rows.chunks(200) {
                diesel::insert_into(chapters::table)
                    .values(chunk)
                    .execute(self)?;
            }

            if let Some(extras) = extras {
                diesel::update(works::table.filter(works::id.eq(work_id)))
                    .set((
                        works::word_count.eq(extras.word_count.unwrap_or(word_count)),
                        works::kudos_count.eq(extras.stats.kudos),
                        works::hits_count.eq(extras.stats.hits),
                        works::comments_count.eq(extras.stats.comments),
                        works::bookmarks_count.eq(extras.stats.bookmarks),
                    ))
                    .execute(self)?;
            }
            self.write_bylines_and_tags(work_id, work, now, known)?;
            Ok((work_id, word_count))
        }

        fn publish(
            &mut self,
            id: i64,
            today: chrono::NaiveDate,
            now: NaiveDateTime,
        ) -> QueryResult<bool> {
            let n = diesel::update(works::table.find(id).filter(works::posted.eq(false)))
                .set((
                    works::posted.eq(true),
                    works::published_on.eq(today),
                    works::updated_on.eq(today),
                    works::updated_at.eq(now),
                ))
                .execute(self)?;
            if n > 0 {
                // A draft posted: its subscribers hear of it, and an
                // assignment it was saved for is fulfilled now.
                self.queue_new_work(id, now)?;
                crate::exchanges::AssignmentHelpers::complete_draft_assignments(self, id, now)?;
            }
            Ok(n > 0)
        }
    }
}
