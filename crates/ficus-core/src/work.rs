//! A work and its chapters as they enter the archive, and the rules they obey.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::tag::{Rating, Tag, TagType};
use crate::wordcount;

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 255;
/// Longest creator name, in characters.
pub const MAX_CREATOR_CHARS: usize = 100;
/// Most creators on one work.
pub const MAX_CREATORS: usize = 100;
/// Most chapters in one work.
pub const MAX_CHAPTERS: usize = 5_000;

/// Where a work came from, kept so imports are idempotent and traceable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WorkOrigin {
    /// The file the work was imported from, if any.
    pub source_path: Option<String>,
    /// The URL the work was published at, if known.
    pub source_url: Option<String>,
    /// Hex SHA-256 of the imported bytes; one work per hash.
    pub content_hash: Option<String>,
    /// How the bytes were decoded: `utf-8`, `windows-1252`, …
    pub text_encoding: Option<String>,
}

/// One chapter of a [`NewWork`]. The body is sanitized HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct NewChapter {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    /// Sanitized HTML.
    pub body: String,
    pub published: Option<NaiveDate>,
}

impl NewChapter {
    /// Word count of the body, by AO3's rule.
    pub fn word_count(&self) -> u64 {
        wordcount::count_html(&self.body)
    }

    /// Runs every HTML field of the chapter (body, summary, notes, end
    /// notes) through [`crate::html::sanitize`] (a note left empty becomes
    /// `None`) and drops [`crate::text::is_forbidden`] characters from the
    /// title. The store calls this on every chapter it stores.
    pub fn sanitize(&mut self) {
        if let Some(title) = &mut self.title {
            crate::text::clean_line_in(title);
        }
        sanitize_field(&mut self.summary);
        sanitize_field(&mut self.notes);
        sanitize_field(&mut self.end_notes);
        self.body = crate::html::sanitize(&self.body);
    }
}

/// Sanitizes an optional HTML field; blank becomes `None`.
fn sanitize_field(field: &mut Option<String>) {
    if let Some(html) = field {
        *html = crate::html::sanitize(html);
    }
    if field.as_deref().is_some_and(|h| h.trim().is_empty()) {
        *field = None;
    }
}

/// Longest series title, in characters (AO3's limit).
pub const MAX_SERIES_TITLE_CHARS: usize = 240;
/// Most series one work may be in.
pub const MAX_SERIES: usize = 20;

/// A complete work ready to be stored. Summary and notes are sanitized HTML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWork {
    pub title: String,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    /// Language name as given (e.g. "English"); `None` when unknown.
    pub language: Option<String>,
    pub rating: Rating,
    /// Warnings, categories, fandoms, relationships, characters and
    /// additional tags, in the order the creator gave them. The rating is
    /// [`NewWork::rating`], not in this list.
    pub tags: Vec<Tag>,
    /// Pseuds (by id) of the accounts posting the work, in byline order;
    /// they come before [`NewWork::creators`].
    pub pseuds: Vec<i64>,
    /// Creator names that belong to no account (imports), in byline order.
    pub creators: Vec<String>,
    pub published: NaiveDate,
    pub updated: NaiveDate,
    pub complete: bool,
    /// Expected number of chapters; `None` when unknown ("2/?").
    pub expected_chapters: Option<u32>,
    pub restricted: bool,
    /// False for a draft.
    pub posted: bool,
    /// Who may comment, and whether comments wait for approval.
    #[serde(default)]
    pub comments: crate::comments::CommentSettings,
    pub chapters: Vec<NewChapter>,
    pub origin: WorkOrigin,
    /// Series to put the work in: (series title, position), position 0
    /// meaning "at the end". Posted works use their first pseud's
    /// account's series of that title; imported works an ownerless one.
    pub series: Vec<(String, u32)>,
}

/// Why a work cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WorkError {
    #[error("the work has no title")]
    MissingTitle,
    #[error("the title is {0} characters long; the limit is {MAX_TITLE_CHARS}")]
    TitleTooLong(usize),
    #[error("the work has no chapters")]
    NoChapters,
    #[error("the work has {0} chapters; the limit is {MAX_CHAPTERS}")]
    TooManyChapters(usize),
    #[error("chapter {0} has no text")]
    EmptyChapter(usize),
    #[error("creator name {0:?} is empty or longer than {MAX_CREATOR_CHARS} characters")]
    BadCreator(String),
    #[error("the work has {0} creators; the limit is {MAX_CREATORS}")]
    TooManyCreators(usize),
    #[error("{0} is not a {1} (it must be one of the fixed names)")]
    NotAFixedTag(String, &'static str),
    #[error("expected chapter count {expected} is below the {actual} chapters present")]
    ExpectedBelowActual { expected: u32, actual: usize },
    #[error("series title {0:?} is empty or longer than {MAX_SERIES_TITLE_CHARS} characters")]
    BadSeriesTitle(String),
    #[error("the work is in {0} series; the limit is {MAX_SERIES}")]
    TooManySeries(usize),
}

impl NewWork {
    /// A minimal work: one chapter, Not Rated, dated `today`.
    pub fn new(title: impl Into<String>, body_html: impl Into<String>, today: NaiveDate) -> Self {
        NewWork {
            title: title.into(),
            summary: None,
            notes: None,
            end_notes: None,
            language: None,
            rating: Rating::NotRated,
            tags: Vec::new(),
            pseuds: Vec::new(),
            creators: Vec::new(),
            published: today,
            updated: today,
            complete: true,
            expected_chapters: Some(1),
            restricted: false,
            posted: true,
            comments: Default::default(),
            chapters: vec![NewChapter {
                body: body_html.into(),
                ..NewChapter::default()
            }],
            origin: WorkOrigin::default(),
            series: Vec::new(),
        }
    }

    /// Runs every HTML field (summary, notes, end notes, chapter bodies and
    /// their notes) through [`crate::html::sanitize`], and drops
    /// [`crate::text::is_forbidden`] characters from every plain field
    /// (title, language, creator names, series titles, chapter titles; tag
    /// names drop them when parsed). The store calls this on every work it
    /// stores, so nothing unsanitized is ever stored, whatever produced the
    /// work: a form, the API or an importer.
    pub fn sanitize(&mut self) {
        use crate::text::clean_line_in;
        clean_line_in(&mut self.title);
        if let Some(language) = &mut self.language {
            clean_line_in(language);
        }
        self.creators.iter_mut().for_each(clean_line_in);
        for (title, _) in &mut self.series {
            clean_line_in(title);
        }
        sanitize_field(&mut self.summary);
        sanitize_field(&mut self.notes);
        sanitize_field(&mut self.end_notes);
        for ch in &mut self.chapters {
            ch.sanitize();
        }
    }

    /// Sum of the chapters' word counts.
    pub fn word_count(&self) -> u64 {
        self.chapters.iter().map(NewChapter::word_count).sum()
    }

    /// Tags of one type, in order.
    pub fn tags_of(&self, kind: TagType) -> impl Iterator<Item = &Tag> {
        self.tags.iter().filter(move |t| t.kind == kind)
    }

    /// Checks the rules every stored work obeys.
    pub fn validate(&self) -> Result<(), WorkError> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(WorkError::MissingTitle);
        }
        let len = title.chars().count();
        if len > MAX_TITLE_CHARS {
            return Err(WorkError::TitleTooLong(len));
        }
        if self.chapters.is_empty() {
            return Err(WorkError::NoChapters);
        }
        if self.chapters.len() > MAX_CHAPTERS {
            return Err(WorkError::TooManyChapters(self.chapters.len()));
        }
        for (i, ch) in self.chapters.iter().enumerate() {
            if ch.body.trim().is_empty() {
                return Err(WorkError::EmptyChapter(i + 1));
            }
        }
        if self.creators.len() > MAX_CREATORS {
            return Err(WorkError::TooManyCreators(self.creators.len()));
        }
        for c in &self.creators {
            let n = c.trim().chars().count();
            if n == 0 || n > MAX_CREATOR_CHARS {
                return Err(WorkError::BadCreator(c.clone()));
            }
        }
        if self.series.len() > MAX_SERIES {
            return Err(WorkError::TooManySeries(self.series.len()));
        }
        for (title, _) in &self.series {
            let n = title.trim().chars().count();
            if n == 0 || n > MAX_SERIES_TITLE_CHARS {
                return Err(WorkError::BadSeriesTitle(title.clone()));
            }
        }
        for tag in &self.tags {
            if let Some(names) = tag.kind.fixed_names()
                && !names.contains(&tag.name.as_str())
            {
                return Err(WorkError::NotAFixedTag(
                    tag.name.to_string(),
                    tag.kind.label(false),
                ));
            }
            if tag.kind == TagType::Rating {
                return Err(WorkError::NotAFixedTag(
                    tag.name.to_string(),
                    "tag in the list",
                ));
            }
        }
        if let Some(expected) = self.expected_chapters
            && (expected as usize) < self.chapters.len()
        {
            return Err(WorkError::ExpectedBelowActual {
                expected,
                actual: self.chapters.len(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::TagName;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2020, 1, 2).unwrap()
    }

    #[test]
    fn a_work_counts_the_sum_of_its_chapters() {
        let mut w = NewWork::new("T", "<p>one two</p>", day());
        w.chapters.push(NewChapter {
            body: "<p>three</p>".into(),
            ..Default::default()
        });
        w.expected_chapters = None;
        assert_eq!(w.word_count(), 3);
        assert_eq!(w.validate(), Ok(()));
    }

    #[test]
    fn validation_catches_bad_works() {
        assert_eq!(
            NewWork::new("  ", "x", day()).validate(),
            Err(WorkError::MissingTitle)
        );
        assert_eq!(
            NewWork::new("t".repeat(256), "x", day()).validate(),
            Err(WorkError::TitleTooLong(256))
        );
        assert_eq!(
            NewWork::new("t", " ", day()).validate(),
            Err(WorkError::EmptyChapter(1))
        );
        let mut w = NewWork::new("t", "x", day());
        w.tags.push(Tag {
            kind: TagType::Category,
            name: TagName::parse("Romance").unwrap(),
        });
        assert!(matches!(w.validate(), Err(WorkError::NotAFixedTag(..))));
    }
}
