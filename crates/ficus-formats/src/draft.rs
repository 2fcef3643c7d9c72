//! What the parsers learn about a work before it becomes a
//! [`NewWork`]: a bag of optional fields with the merge and defaulting rules
//! shared by every format.

use chrono::NaiveDate;
use ficus_core::html::{escape, plain_text_to_html};
use ficus_core::tag::{
    ARCHIVE_WARNINGS, CATEGORIES, NO_WARNING_GIVEN, Tag, TagName, TagNameError, TagType,
    match_fixed,
};
use ficus_core::work::{MAX_CREATOR_CHARS, MAX_CREATORS, MAX_TITLE_CHARS};
use ficus_core::{NewChapter, NewWork, Rating, WorkOrigin};

use crate::ImportError;
use crate::text::lines::{collapse_whitespace, split_creators};

/// Longest language name kept; longer values go to the notes.
const MAX_LANGUAGE_CHARS: usize = 50;

/// The warning AO3's own pages show when the creator chose none; stored as
/// [`NO_WARNING_GIVEN`].
const CREATOR_CHOSE_NO_WARNINGS: &str = "Creator Chose Not To Use Archive Warnings";

/// Chapters as a stats line gives them: `2/3`, or `2/?` when the total is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChapterCount {
    pub posted: u32,
    pub expected: Option<u32>,
}

/// Everything a file said about its work, each field optional.
#[derive(Debug, Default)]
pub(crate) struct Draft {
    pub title: Option<String>,
    pub creators: Vec<String>,
    /// Plain text; becomes HTML paragraphs.
    pub summary: Option<String>,
    /// HTML fragments (already escaped), in file order.
    pub notes: Vec<String>,
    pub rating: Option<Rating>,
    pub tags: Vec<Tag>,
    pub language: Option<String>,
    pub published: Option<NaiveDate>,
    pub updated: Option<NaiveDate>,
    /// The stats said `Completed:`.
    pub completed: bool,
    pub chapters: Option<ChapterCount>,
    pub source_url: Option<String>,
    /// (series title, position) pairs.
    pub series: Vec<(String, u32)>,
}

impl Draft {
    /// Adds a `<p><strong>Key:</strong> value</p>` paragraph to the notes.
    pub fn add_note_field(&mut self, key: &str, value: &str) {
        let value = value.trim();
        let lines: Vec<String> = value.lines().map(|l| escape(l.trim())).collect();
        let key = escape(key.trim().trim_end_matches(':'));
        if lines.is_empty() {
            self.notes.push(format!("<p><strong>{key}:</strong></p>\n"));
        } else {
            self.notes.push(format!(
                "<p><strong>{key}:</strong> {}</p>\n",
                lines.join("<br />\n")
            ));
        }
    }

    /// Adds plain text (blank-line separated paragraphs) to the notes.
    pub fn add_note_text(&mut self, text: &str) {
        let html = plain_text_to_html(text);
        if !html.is_empty() {
            self.notes.push(html);
        }
    }

    /// Sets the summary unless one is already known.
    pub fn set_summary(&mut self, text: &str) {
        let text = text.trim();
        if self.summary.is_none() && !text.is_empty() {
            self.summary = Some(text.to_string());
        }
    }

    /// Sets the language unless one is already known; overlong values are
    /// kept in the notes instead.
    pub fn set_language(&mut self, label: &str, value: &str) {
        let value = collapse_whitespace(value);
        if value.is_empty() || self.language.is_some() {
            return;
        }
        if value.chars().count() > MAX_LANGUAGE_CHARS {
            self.add_note_field(label, &value);
        } else {
            self.language = Some(value);
        }
    }

    /// Sets the rating from a legacy or AO3 value unless one is known.
    /// Values that name no rating are kept in the notes.
    pub fn set_rating(&mut self, label: &str, value: &str) {
        let value = collapse_whitespace(value);
        if value.is_empty() || self.rating.is_some() {
            return;
        }
        match parse_rating(&value) {
            Some(rating) => self.rating = Some(rating),
            None => self.add_note_field(label, &value),
        }
    }

    /// Adds creators from a byline or `Author:` value (`A, B and C & D`).
    /// Names too long to be creators are kept in the notes.
    pub fn add_creators(&mut self, label: &str, value: &str) {
        for name in split_creators(value) {
            if self.creators.iter().any(|c| c.eq_ignore_ascii_case(&name)) {
                continue;
            }
            if name.chars().count() > MAX_CREATOR_CHARS || self.creators.len() >= MAX_CREATORS {
                self.add_note_field(label, &name);
            } else {
                self.creators.push(name);
            }
        }
    }

    /// Adds a comma-separated list of tags of `kind`. Warnings and
    /// categories outside the fixed names become additional tags; names too
    /// long to be tags are kept in the notes under `label`.
    pub fn add_tags(&mut self, kind: TagType, label: &str, value: &str) {
        if kind == TagType::Rating {
            // The rating is a field of the work, not a tag in the list.
            self.set_rating(label, value);
            return;
        }
        for raw in value.split([',', '，', '、']) {
            self.add_tag(kind, label, raw);
        }
    }

    fn add_tag(&mut self, kind: TagType, label: &str, raw: &str) {
        let raw = raw.trim();
        if raw.is_empty() {
            return;
        }
        let fixed = match kind {
            TagType::ArchiveWarning => warning_name(raw),
            TagType::Category => match_fixed(&CATEGORIES, raw),
            _ => None,
        };
        if let Some(name) = fixed {
            if let Ok(name) = TagName::parse(name) {
                self.push_tag(Tag { kind, name });
            }
            return;
        }
        let free_kind = if kind.is_free() {
            kind
        } else {
            TagType::Freeform
        };
        match TagName::parse_lenient(raw) {
            Ok(name) => self.push_tag(Tag {
                kind: free_kind,
                name,
            }),
            Err(TagNameError::Empty) => {}
            Err(_) => self.add_note_field(label, raw),
        }
    }

    fn push_tag(&mut self, tag: Tag) {
        let key = tag.name.key();
        if !self
            .tags
            .iter()
            .any(|t| t.kind == tag.kind && t.name.key() == key)
        {
            self.tags.push(tag);
        }
    }

    /// Fills what this draft lacks from `other`: single values and tag
    /// types this draft already has win; notes are appended.
    pub fn merge_fallback(&mut self, other: Draft) {
        if self.title.is_none() {
            self.title = other.title;
        }
        if self.creators.is_empty() {
            self.creators = other.creators;
        }
        if self.summary.is_none() {
            self.summary = other.summary;
        }
        self.notes.extend(other.notes);
        if self.rating.is_none() {
            self.rating = other.rating;
        }
        for kind in TagType::ALL {
            if self.tags.iter().any(|t| t.kind == kind) {
                continue;
            }
            for tag in other.tags.iter().filter(|t| t.kind == kind) {
                self.push_tag(tag.clone());
            }
        }
        if self.language.is_none() {
            self.language = other.language;
        }
        if self.published.is_none() {
            self.published = other.published;
        }
        if self.updated.is_none() {
            self.updated = other.updated;
        }
        if self.chapters.is_none() {
            self.chapters = other.chapters;
            self.completed |= other.completed;
        }
        if self.source_url.is_none() {
            self.source_url = other.source_url;
        }
    }

    /// Builds the one-chapter work, applying the defaults: the fallback
    /// title, Not Rated, "Choose Not To Use Archive Warnings" when no
    /// warning was given, dates of `today`, and complete at one chapter
    /// unless the stats say otherwise.
    pub fn into_work(
        self,
        body_html: String,
        fallback_title: &str,
        today: NaiveDate,
        mut origin: WorkOrigin,
    ) -> Result<NewWork, ImportError> {
        let title = self
            .title
            .as_deref()
            .map(fit_title)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| fit_title(fallback_title));
        let summary = self
            .summary
            .as_deref()
            .map(plain_text_to_html)
            .filter(|s| !s.trim().is_empty());
        let notes = (!self.notes.is_empty()).then(|| self.notes.concat());
        let mut tags = self.tags;
        if !tags.iter().any(|t| t.kind == TagType::ArchiveWarning)
            && let Ok(name) = TagName::parse(NO_WARNING_GIVEN)
        {
            tags.push(Tag {
                kind: TagType::ArchiveWarning,
                name,
            });
        }
        // Stable: keeps the creator's order within each type.
        tags.sort_by_key(|t| t.kind);
        let (complete, expected_chapters) = match self.chapters {
            Some(ChapterCount {
                posted,
                expected: Some(total),
            }) => (self.completed || posted >= total, Some(total.max(1))),
            Some(ChapterCount { expected: None, .. }) => (self.completed, None),
            None => (true, Some(1)),
        };
        let published = self.published.unwrap_or(today);
        let updated = self.updated.unwrap_or(published).max(published);
        if origin.source_url.is_none() {
            origin.source_url = self.source_url;
        }
        let work = NewWork {
            title,
            summary,
            notes,
            end_notes: None,
            language: self.language,
            rating: self.rating.unwrap_or_default(),
            tags,
            pseuds: Vec::new(),
            creators: self.creators,
            published,
            updated,
            complete,
            expected_chapters,
            restricted: false,
            comments: Default::default(),
            posted: true,
            chapters: vec![NewChapter {
                body: body_html,
                published: Some(published),
                ..NewChapter::default()
            }],
            origin,
            series: self.series,
        };
        work.validate()?;
        Ok(work)
    }
}

/// The fixed warning a value names, reading AO3's "Creator Chose Not To
/// Use Archive Warnings" as [`NO_WARNING_GIVEN`].
fn warning_name(value: &str) -> Option<&'static str> {
    if collapse_whitespace(value).eq_ignore_ascii_case(CREATOR_CHOSE_NO_WARNINGS) {
        return Some(NO_WARNING_GIVEN);
    }
    match_fixed(&ARCHIVE_WARNINGS, &collapse_whitespace(value))
}

/// Reads a rating from the whole value, then from its parts
/// (`PG-13 for language` is PG-13). `None` when nothing names a rating.
fn parse_rating(value: &str) -> Option<Rating> {
    if Rating::from_name(value) == Some(Rating::NotRated) {
        return Some(Rating::NotRated);
    }
    let whole = Rating::from_legacy(value);
    if whole != Rating::NotRated {
        return Some(whole);
    }
    value
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '/' | '(' | ')'))
        .map(|part| part.trim_matches(|c: char| !c.is_alphanumeric() && c != '+'))
        .filter(|part| !part.is_empty())
        .map(Rating::from_legacy)
        .find(|r| *r != Rating::NotRated)
}

/// Collapses whitespace and cuts a title to the longest allowed.
pub(crate) fn fit_title(title: &str) -> String {
    collapse_whitespace(title)
        .chars()
        .take(MAX_TITLE_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(draft: &Draft, kind: TagType) -> Vec<&str> {
        draft
            .tags
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.name.as_str())
            .collect()
    }

    #[test]
    fn fixed_tags_match_case_insensitively_and_others_become_freeform() {
        let mut d = Draft::default();
        d.add_tags(
            TagType::ArchiveWarning,
            "Archive Warning",
            "major character death, Creator Chose Not To Use Archive Warnings, Spiders",
        );
        d.add_tags(TagType::Category, "Category", "f/m, Romance");
        assert_eq!(
            names(&d, TagType::ArchiveWarning),
            ["Major Character Death", NO_WARNING_GIVEN]
        );
        assert_eq!(names(&d, TagType::Category), ["F/M"]);
        assert_eq!(names(&d, TagType::Freeform), ["Spiders", "Romance"]);
    }

    #[test]
    fn duplicate_tags_are_dropped_and_long_ones_noted() {
        let mut d = Draft::default();
        d.add_tags(TagType::Fandom, "Fandom", "Star Trek, star  trek, , ");
        assert_eq!(names(&d, TagType::Fandom), ["Star Trek"]);
        let long = "x".repeat(200);
        d.add_tags(TagType::Character, "Characters", &long);
        assert!(names(&d, TagType::Character).is_empty());
        assert_eq!(
            d.notes,
            [format!("<p><strong>Characters:</strong> {long}</p>\n")]
        );
    }

    #[test]
    fn ratings_read_legacy_values_and_note_unknown_ones() {
        let mut d = Draft::default();
        d.set_rating("Rating", "PG-13 (for language)");
        assert_eq!(d.rating, Some(Rating::TeenAndUpAudiences));
        let mut d = Draft::default();
        d.set_rating("Rating", "Not Rated");
        assert_eq!(d.rating, Some(Rating::NotRated));
        assert!(d.notes.is_empty());
        let mut d = Draft::default();
        d.set_rating("Rating", "spicy");
        assert_eq!(d.rating, None);
        assert_eq!(d.notes, ["<p><strong>Rating:</strong> spicy</p>\n"]);
    }

    #[test]
    fn note_fields_are_escaped() {
        let mut d = Draft::default();
        d.add_note_field("Author's Notes", "<b>bold</b> & more\nline two");
        assert_eq!(
            d.notes,
            [
                "<p><strong>Author&#39;s Notes:</strong> &lt;b&gt;bold&lt;/b&gt; &amp; more<br />\nline two</p>\n"
            ]
        );
    }

    #[test]
    fn defaults_fill_a_valid_work() {
        let today = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let work = Draft::default()
            .into_work("<p>x</p>".into(), "stem", today, WorkOrigin::default())
            .expect("valid");
        assert_eq!(work.title, "stem");
        assert_eq!(work.rating, Rating::NotRated);
        assert_eq!(work.tags.len(), 1);
        assert_eq!(work.tags[0].name.as_str(), NO_WARNING_GIVEN);
        assert!(work.complete);
        assert_eq!(work.expected_chapters, Some(1));
        assert_eq!((work.published, work.updated), (today, today));
    }

    #[test]
    fn stats_chapters_set_completion() {
        let today = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let d = Draft {
            chapters: Some(ChapterCount {
                posted: 2,
                expected: Some(3),
            }),
            ..Draft::default()
        };
        let work = d
            .into_work("<p>x</p>".into(), "t", today, WorkOrigin::default())
            .expect("valid");
        assert!(!work.complete);
        assert_eq!(work.expected_chapters, Some(3));
        let d = Draft {
            chapters: Some(ChapterCount {
                posted: 1,
                expected: None,
            }),
            ..Draft::default()
        };
        let work = d
            .into_work("<p>x</p>".into(), "t", today, WorkOrigin::default())
            .expect("valid");
        assert!(!work.complete);
        assert_eq!(work.expected_chapters, None);
    }

    #[test]
    fn titles_are_cut_to_the_limit() {
        assert_eq!(fit_title(&"é".repeat(300)).chars().count(), MAX_TITLE_CHARS);
        assert_eq!(fit_title("  A \n title "), "A title");
    }

    #[test]
    fn merging_prefers_this_draft() {
        let mut a = Draft {
            title: Some("A".into()),
            ..Draft::default()
        };
        a.add_tags(TagType::Fandom, "Fandom", "One");
        a.add_note_field("Note", "first");
        let mut b = Draft {
            title: Some("B".into()),
            rating: Some(Rating::Explicit),
            ..Draft::default()
        };
        b.add_tags(TagType::Fandom, "Fandom", "Two");
        b.add_tags(TagType::Relationship, "Pairing", "X/Y");
        b.add_note_field("Disclaimer", "second");
        a.merge_fallback(b);
        assert_eq!(a.title.as_deref(), Some("A"));
        assert_eq!(a.rating, Some(Rating::Explicit));
        assert_eq!(names(&a, TagType::Fandom), ["One"]);
        assert_eq!(names(&a, TagType::Relationship), ["X/Y"]);
        assert_eq!(a.notes.len(), 2);
        assert!(a.notes[1].contains("Disclaimer"));
    }
}
