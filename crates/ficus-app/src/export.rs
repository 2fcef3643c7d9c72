//! A stored work as a download: the export view of its record and
//! chapters, which every writer of `ficus-export` takes.

use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_export::{ExportChapter, ExportWork};
use ficus_store::{ChapterChoice, ChapterRecord, Store, WorkRecord};

use crate::AppError;

/// The export view of a stored work (with its series) and its chapters.
pub fn to_export(work: &WorkRecord, chapters: &[ChapterRecord]) -> ExportWork {
    let names = |kind| {
        work.tags_of(kind)
            .map(|t| t.name.clone())
            .collect::<Vec<_>>()
    };
    ExportWork {
        id: work.id,
        title: work.title.clone(),
        creators: work.creators.clone(),
        rating: work.rating.name().to_string(),
        warnings: names(TagType::ArchiveWarning),
        categories: names(TagType::Category),
        fandoms: names(TagType::Fandom),
        relationships: names(TagType::Relationship),
        characters: names(TagType::Character),
        freeforms: names(TagType::Freeform),
        language: work.language.clone(),
        series: work
            .series
            .iter()
            .map(|p| (p.title.clone(), u32::try_from(p.position).unwrap_or(0)))
            .collect(),
        published: work.published,
        updated: work.updated,
        complete: work.complete,
        words: work.word_count,
        chapter_count: u32::try_from(work.chapter_count).unwrap_or(0),
        expected_chapters: work.expected_chapters.and_then(|n| u32::try_from(n).ok()),
        kudos: work.stats.kudos,
        hits: work.stats.hits,
        comments: work.stats.comments,
        bookmarks: work.stats.bookmarks,
        summary: work.summary.clone(),
        notes: work.notes.clone(),
        end_notes: work.end_notes.clone(),
        source_url: work.origin.source_url.clone(),
        chapters: chapters
            .iter()
            .map(|c| ExportChapter {
                position: u32::try_from(c.position).unwrap_or(0),
                title: c.title.clone(),
                summary: c.summary.clone(),
                notes: c.notes.clone(),
                end_notes: c.end_notes.clone(),
                body: c.body.clone(),
                published: c.published,
            })
            .collect(),
    }
}

/// A work as `viewer` may download it (its record and export view): `None`
/// when there is no such work or it is not for them.
pub fn exportable(
    store: &Store,
    id: i64,
    viewer: Viewer,
) -> Result<Option<(WorkRecord, ExportWork)>, AppError> {
    let Some(reading) = store.reading(id, viewer, ChapterChoice::All)? else {
        return Ok(None);
    };
    let export = to_export(&reading.work, &reading.texts);
    Ok(Some((reading.work, export)))
}
