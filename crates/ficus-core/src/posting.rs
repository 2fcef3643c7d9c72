//! The posting form's rules: raw fields as a writer typed them → a
//! [`NewWork`], or every problem at once, so the form can be shown again
//! with nothing lost.

use chrono::NaiveDate;

use crate::comments::{CommentPermission, CommentSettings};
use crate::html::{plain_text_to_html, sanitize};
use crate::tag::{ARCHIVE_WARNINGS, CATEGORIES, Rating, Tag, TagName, TagType};
use crate::work::{MAX_TITLE_CHARS, NewChapter, NewWork};

/// Most fandom + relationship + character + additional tags on one work.
pub const MAX_FREE_TAGS: usize = 75;
/// Longest chapter text, in characters.
pub const MAX_CHAPTER_CHARS: usize = 500_000;
/// Longest summary, in characters.
pub const MAX_SUMMARY_CHARS: usize = 1_250;
/// Longest notes (beginning or end), in characters.
pub const MAX_NOTES_CHARS: usize = 5_000;
/// Longest chapter title, in characters.
pub const MAX_CHAPTER_TITLE_CHARS: usize = 255;
/// Longest language name, in characters.
pub const MAX_LANGUAGE_CHARS: usize = 50;

/// How the chapter text was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextFormat {
    /// Rich text: HTML, sanitized.
    #[default]
    Html,
    /// Plain text: blank lines make paragraphs.
    Plain,
}

/// The posting form as typed. Every field is kept verbatim so the form can
/// be shown again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkForm {
    pub title: String,
    /// Pseud ids chosen for the byline (already checked to be the writer's).
    pub pseuds: Vec<i64>,
    /// Accounts invited as co-creators, by login, comma-separated. They
    /// join the byline once they accept.
    pub co_creators: String,
    pub rating: String,
    pub warnings: Vec<String>,
    pub categories: Vec<String>,
    pub fandoms: String,
    pub relationships: String,
    pub characters: String,
    pub freeforms: String,
    pub language: String,
    pub summary: String,
    pub notes: String,
    pub end_notes: String,
    pub chapter_title: String,
    pub text: String,
    pub text_format: TextFormat,
    pub restricted: bool,
    /// "Who can comment on this work": a [`CommentPermission`] value as
    /// typed ("" for the default).
    pub comment_permission: String,
    /// "Enable comment moderation".
    pub moderate_comments: bool,
    pub complete: bool,
    /// "" or "?" for unknown, else a number.
    pub expected_chapters: String,
    /// A series (by title) to add the work to: the writer's series of that
    /// title, made when they have none. Empty for none.
    pub series: String,
    /// Collections (by URL name, comma-separated) to add the work to, in
    /// the posting's own transaction.
    pub collections: String,
    /// Gift recipients (logins, pseud names or other names,
    /// comma-separated); `None`: the work's gifts stay as they are (a form
    /// without the field).
    pub recipients: Option<String>,
    /// A gift-exchange assignment the work fulfils (AO3's
    /// `work[challenge_assignment_ids][]`).
    pub assignment: Option<i64>,
}

/// The chapter form as typed (adding or editing one chapter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChapterForm {
    pub title: String,
    pub notes: String,
    pub text: String,
    pub text_format: TextFormat,
}

impl ChapterForm {
    /// Converts to a chapter (text and notes sanitized, or turned from
    /// plain text into paragraphs), or lists every problem.
    pub fn to_chapter(&self) -> Result<NewChapter, Vec<String>> {
        let title = self.title.trim();
        let to_html = |s: &str| match self.text_format {
            TextFormat::Plain => plain_text_to_html(s),
            TextFormat::Html => sanitize(s),
        };
        let mut errors = Vec::new();
        if title.chars().count() > MAX_CHAPTER_TITLE_CHARS {
            errors.push("The chapter title is too long (255 characters at most).".to_string());
        }
        if self.notes.chars().count() > MAX_NOTES_CHARS {
            errors.push("The notes are too long (5,000 characters at most).".to_string());
        }
        let body = if self.text.chars().count() > MAX_CHAPTER_CHARS {
            errors.push("The chapter text is too long (500,000 characters at most).".to_string());
            String::new()
        } else {
            let body = to_html(&self.text);
            if crate::html::text_of(&body).is_empty() {
                errors.push("Please write some text for the chapter.".to_string());
            }
            body
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewChapter {
            notes: (!self.notes.trim().is_empty()).then(|| to_html(&self.notes)),
            title: (!title.is_empty()).then(|| title.to_string()),
            body,
            ..NewChapter::default()
        })
    }
}

/// One problem with the form, tied to its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field (`title`, `fandoms`, `text`…).
    pub field: &'static str,
    pub message: String,
}

fn too_long(field: &'static str, label: &str, len: usize, max: usize) -> FieldError {
    FieldError {
        field,
        message: format!("{label} is {len} characters long; the limit is {max}."),
    }
}

/// The error for an edit that would put a work already in the series
/// titled `current` into more than [`MAX_SERIES`](crate::work::MAX_SERIES)
/// series; `None` when it fits.
pub fn series_limit(current: &[&str], work: &NewWork) -> Option<FieldError> {
    let new = work
        .series
        .iter()
        .filter(|(title, _)| !current.contains(&title.as_str()))
        .count();
    (current.len() + new > crate::work::MAX_SERIES).then(|| FieldError {
        field: "series",
        message: format!(
            "A work can be in at most {} series; leave one first.",
            crate::work::MAX_SERIES
        ),
    })
}

/// Splits a comma-separated tag list, dropping empty entries.
pub fn split_tags(raw: &str) -> impl Iterator<Item = &str> {
    raw.split([',', '，', '、'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl WorkForm {
    /// Converts to a work dated `today`, or lists every problem.
    /// `chapters_present` is how many chapters the work will have (1 when
    /// posting anew), checked against the expected count.
    pub fn to_work(
        &self,
        today: NaiveDate,
        chapters_present: usize,
    ) -> Result<NewWork, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = self.title.trim();
        let n = title.chars().count();
        if n == 0 {
            errors.push(FieldError {
                field: "title",
                message: "Please enter a title.".into(),
            });
        } else if n > MAX_TITLE_CHARS {
            errors.push(too_long("title", "The title", n, MAX_TITLE_CHARS));
        }
        if self.pseuds.is_empty() {
            errors.push(FieldError {
                field: "pseuds",
                message: "Choose at least one of your pseuds as creator.".into(),
            });
        }
        let rating = Rating::from_name(&self.rating);
        if rating.is_none() {
            errors.push(FieldError {
                field: "rating",
                message: "Please choose a rating.".into(),
            });
        }
        let mut tags = Vec::new();
        if self.warnings.is_empty() {
            errors.push(FieldError {
                field: "warnings",
                message: "Please choose at least one archive warning.".into(),
            });
        }
        for (kind, values, allowed) in [
            (
                TagType::ArchiveWarning,
                &self.warnings,
                &ARCHIVE_WARNINGS[..],
            ),
            (TagType::Category, &self.categories, &CATEGORIES[..]),
        ] {
            for v in values {
                match allowed.iter().find(|a| **a == v.as_str()) {
                    Some(name) => {
                        tags.extend(TagName::parse(name).ok().map(|name| Tag { kind, name }))
                    }
                    None => errors.push(FieldError {
                        field: if kind == TagType::Category {
                            "categories"
                        } else {
                            "warnings"
                        },
                        message: format!("{v:?} is not one of the choices."),
                    }),
                }
            }
        }
        let mut free = 0;
        for (kind, field, raw) in [
            (TagType::Fandom, "fandoms", &self.fandoms),
            (TagType::Relationship, "relationships", &self.relationships),
            (TagType::Character, "characters", &self.characters),
            (TagType::Freeform, "freeforms", &self.freeforms),
        ] {
            for value in split_tags(raw) {
                free += 1;
                match TagName::parse(value) {
                    Ok(name) => {
                        let tag = Tag { kind, name };
                        if !tags
                            .iter()
                            .any(|t: &Tag| t.kind == kind && t.name.key() == tag.name.key())
                        {
                            tags.push(tag);
                        }
                    }
                    Err(e) => errors.push(FieldError {
                        field,
                        message: format!("Tag {value:?}: {e}."),
                    }),
                }
            }
        }
        if !tags.iter().any(|t| t.kind == TagType::Fandom) {
            errors.push(FieldError {
                field: "fandoms",
                message: "Please name at least one fandom.".into(),
            });
        }
        if free > MAX_FREE_TAGS {
            errors.push(FieldError {
                field: "freeforms",
                message: format!("The work has {free} fandom, relationship, character and additional tags; the limit is {MAX_FREE_TAGS}."),
            });
        }
        let language = self.language.trim();
        if language.chars().count() > MAX_LANGUAGE_CHARS {
            errors.push(too_long(
                "language",
                "The language",
                language.chars().count(),
                MAX_LANGUAGE_CHARS,
            ));
        }
        for (field, label, value, max) in [
            ("summary", "The summary", &self.summary, MAX_SUMMARY_CHARS),
            ("notes", "The notes", &self.notes, MAX_NOTES_CHARS),
            (
                "end_notes",
                "The end notes",
                &self.end_notes,
                MAX_NOTES_CHARS,
            ),
            (
                "chapter_title",
                "The chapter title",
                &self.chapter_title,
                MAX_CHAPTER_TITLE_CHARS,
            ),
        ] {
            let n = value.chars().count();
            if n > max {
                errors.push(too_long(field, label, n, max));
            }
        }
        let text_chars = self.text.chars().count();
        let body = match self.text_format {
            TextFormat::Html => sanitize(&self.text),
            TextFormat::Plain => plain_text_to_html(&self.text),
        };
        if text_chars > MAX_CHAPTER_CHARS {
            errors.push(too_long(
                "text",
                "The chapter text",
                text_chars,
                MAX_CHAPTER_CHARS,
            ));
        } else if crate::html::text_of(&body).is_empty() && !body.contains("<img") {
            errors.push(FieldError {
                field: "text",
                message: "Please write some text for the chapter.".into(),
            });
        }
        let expected = match self.expected_chapters.trim() {
            "" | "?" => None,
            raw => match raw.parse::<u32>() {
                Ok(n) if n >= 1 && (n as usize) >= chapters_present && n <= 5_000 => Some(n),
                _ => {
                    errors.push(FieldError {
                        field: "expected_chapters",
                        message: format!(
                            "Expected chapters must be ? or a number from {} to 5000.",
                            chapters_present.max(1)
                        ),
                    });
                    None
                }
            },
        };
        let series_title = self.series.trim();
        let series = if series_title.is_empty() {
            Vec::new()
        } else if series_title.chars().count() > crate::work::MAX_SERIES_TITLE_CHARS {
            errors.push(too_long(
                "series",
                "The series title",
                series_title.chars().count(),
                crate::work::MAX_SERIES_TITLE_CHARS,
            ));
            Vec::new()
        } else {
            vec![(series_title.to_string(), 0)]
        };
        let comment_permission = match self.comment_permission.as_str() {
            "" => None,
            value => {
                let parsed = CommentPermission::parse(value);
                if parsed.is_none() {
                    errors.push(FieldError {
                        field: "comment_permission",
                        message: format!("{value:?} is not one of the comment choices."),
                    });
                }
                parsed
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let rich = |s: &str| {
            let s = s.trim();
            (!s.is_empty()).then(|| match self.text_format {
                TextFormat::Html => sanitize(s),
                TextFormat::Plain => plain_text_to_html(s),
            })
        };
        let complete = self.complete || expected.is_some_and(|n| n as usize == chapters_present);
        Ok(NewWork {
            title: title.to_string(),
            summary: rich(&self.summary),
            notes: rich(&self.notes),
            end_notes: rich(&self.end_notes),
            language: (!language.is_empty()).then(|| language.to_string()),
            rating: rating.unwrap_or_default(),
            tags,
            pseuds: self.pseuds.clone(),
            creators: Vec::new(),
            published: today,
            updated: today,
            complete,
            expected_chapters: if complete {
                Some(chapters_present.max(1) as u32)
            } else {
                expected
            },
            restricted: self.restricted,
            posted: true,
            comments: CommentSettings {
                permission: comment_permission.unwrap_or_default(),
                moderated: self.moderate_comments,
            },
            chapters: vec![NewChapter {
                title: Some(self.chapter_title.trim().to_string()).filter(|t| !t.is_empty()),
                body,
                published: Some(today),
                ..NewChapter::default()
            }],
            origin: Default::default(),
            series,
        })
    }
}

#[cfg(test)]
mod series_limit_tests {
    use super::*;

    #[test]
    fn a_work_joins_at_most_max_series() {
        let titles: Vec<String> = (0..crate::work::MAX_SERIES)
            .map(|n| format!("S{n}"))
            .collect();
        let current: Vec<&str> = titles.iter().map(String::as_str).collect();
        let mut w = NewWork::new("T", "<p>x</p>", NaiveDate::default());
        w.series = vec![("S3".into(), 0)];
        assert!(series_limit(&current, &w).is_none(), "already in it");
        w.series = vec![("New".into(), 0)];
        assert_eq!(series_limit(&current, &w).map(|e| e.field), Some("series"));
        assert!(
            series_limit(&current[1..], &w).is_none(),
            "after leaving one"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 5, 1).expect("date")
    }

    fn good() -> WorkForm {
        WorkForm {
            title: "Tide".into(),
            pseuds: vec![3],
            rating: "Mature".into(),
            warnings: vec!["No Archive Warnings Apply".into()],
            categories: vec!["F/F".into()],
            fandoms: "Tidewater, Harbour Lights".into(),
            relationships: "A/B".into(),
            characters: "A, B, a".into(),
            freeforms: "Fluff".into(),
            summary: "A <b>summary</b><script>x</script>".into(),
            text: "<p>One two <em>three</em>.</p><script>alert(1)</script>".into(),
            expected_chapters: "1".into(),
            ..WorkForm::default()
        }
    }

    #[test]
    fn a_good_form_becomes_a_work() {
        let w = good().to_work(day(), 1).expect("valid");
        assert_eq!(w.title, "Tide");
        assert_eq!(w.rating, Rating::Mature);
        assert_eq!(w.tags_of(TagType::Fandom).count(), 2);
        assert_eq!(
            w.tags_of(TagType::Character).count(),
            2,
            "A and a are one tag"
        );
        assert_eq!(w.summary.as_deref(), Some("A <b>summary</b>"));
        assert!(!w.chapters[0].body.contains("script"));
        assert_eq!(w.word_count(), 3);
        assert!(w.complete, "1 of 1 chapters");
        assert!(w.validate().is_ok());
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let form = WorkForm {
            title: "x".repeat(256),
            fandoms: "Bad*Tag".into(),
            summary: "s".repeat(1251),
            text: "<script>only</script>".into(),
            expected_chapters: "zero".into(),
            ..WorkForm::default()
        };
        let errors = form.to_work(day(), 1).expect_err("invalid");
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        for f in [
            "title",
            "pseuds",
            "rating",
            "warnings",
            "fandoms",
            "summary",
            "text",
            "expected_chapters",
        ] {
            assert!(fields.contains(&f), "{f} missing from {fields:?}");
        }
    }

    #[test]
    fn limits() {
        let mut f = good();
        f.freeforms = (0..80)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(
            f.to_work(day(), 1)
                .expect_err("too many")
                .iter()
                .any(|e| e.message.contains("limit is 75"))
        );
        let mut f = good();
        f.text = "a".repeat(MAX_CHAPTER_CHARS + 1);
        assert!(f.to_work(day(), 1).is_err());
        let mut f = good();
        f.warnings = vec!["Made Up".into()];
        assert!(f.to_work(day(), 1).is_err());
        let mut f = good();
        f.text_format = TextFormat::Plain;
        f.text = "Para one\n\nPara <two>".into();
        assert_eq!(
            f.to_work(day(), 1).expect("ok").chapters[0].body,
            "<p>Para one</p>\n<p>Para &lt;two&gt;</p>\n"
        );
    }
}
