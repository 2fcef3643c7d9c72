//! Building [`NewWork`]s in tests: [`work`] starts from
//! [`NewWork::new`]'s minimal work and chainable setters say only what the
//! test cares about.
//!
//! ```
//! use ficus_core::{NewChapter, Rating, TagType};
//! use ficus_testkit::{chapter, day, work};
//!
//! let w = work("The Lighthouse")
//!     .body("<p>Chapter one.</p>")
//!     .creator("Ada")
//!     .rating(Rating::Mature)
//!     .tag(TagType::Fandom, "Tidewater")
//!     .tags(TagType::Freeform, &["Slow Burn", "Fluff"])
//!     .dated(day(2024, 3, 1))
//!     .updated(day(2024, 3, 5))
//!     .chapter(NewChapter {
//!         title: Some("Two".into()),
//!         ..chapter("<p>Chapter two.</p>")
//!     })
//!     .series("Tides", 1)
//!     .build();
//! assert_eq!(w.chapters.len(), 2);
//! assert_eq!(w.expected_chapters, Some(2), "complete: as many as it has");
//! ```

use chrono::NaiveDate;
use ficus_core::tag::{Tag, TagName};
use ficus_core::{NewChapter, NewWork, Rating, TagType};

/// The day [`work`] dates works by default: 2024-01-01.
pub fn default_day() -> NaiveDate {
    day(2024, 1, 1)
}

/// A date; panics if there is no such day.
pub fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day)
        .unwrap_or_else(|| panic!("no such day: {year}-{month}-{day}"))
}

/// A tag of `kind`; panics if `name` is not a valid tag name.
pub fn tag(kind: TagType, name: &str) -> Tag {
    Tag {
        kind,
        name: TagName::parse(name).unwrap_or_else(|e| panic!("tag name {name:?}: {e}")),
    }
}

/// A chapter with this text and nothing else, for struct-update syntax:
/// `NewChapter { title: Some("Two".into()), ..chapter("<p>Text.</p>") }`.
pub fn chapter(body_html: impl Into<String>) -> NewChapter {
    NewChapter {
        body: body_html.into(),
        ..NewChapter::default()
    }
}

/// A work titled `title`, as [`NewWork::new`] makes it: one chapter (with
/// the text `<p>Some text.</p>` until [`WorkBuilder::body`] says
/// otherwise), Not Rated, no tags, no creators, posted, public, complete,
/// published and updated on [`default_day`].
pub fn work(title: impl Into<String>) -> WorkBuilder {
    WorkBuilder {
        work: NewWork::new(title, "<p>Some text.</p>", default_day()),
        expected_chapters: None,
    }
}

/// A [`NewWork`] being built; see [`work`]. Setters named after a list
/// field in the singular (`creator`, `tag`, `pseud`, `chapter`, `series`)
/// append; the others replace.
#[derive(Debug, Clone)]
pub struct WorkBuilder {
    work: NewWork,
    /// Set by [`WorkBuilder::expected_chapters`]; otherwise [`WorkBuilder::build`]
    /// derives it.
    expected_chapters: Option<Option<u32>>,
}

impl WorkBuilder {
    /// The text (HTML) of the first chapter.
    pub fn body(mut self, html: impl Into<String>) -> Self {
        self.work.chapters[0].body = html.into();
        self
    }

    /// Changes the first chapter (its title, summary, notes…).
    pub fn first_chapter(mut self, edit: impl FnOnce(&mut NewChapter)) -> Self {
        edit(&mut self.work.chapters[0]);
        self
    }

    /// Appends a chapter (see [`chapter`]).
    pub fn chapter(mut self, chapter: NewChapter) -> Self {
        self.work.chapters.push(chapter);
        self
    }

    /// Appends a bare creator name (as imports give).
    pub fn creator(mut self, name: impl Into<String>) -> Self {
        self.work.creators.push(name.into());
        self
    }

    /// The bare creator names, in byline order.
    pub fn creators(mut self, names: &[&str]) -> Self {
        self.work.creators = names.iter().map(|&n| n.to_owned()).collect();
        self
    }

    /// Appends a pseud (by id) to the byline.
    pub fn pseud(mut self, id: i64) -> Self {
        self.work.pseuds.push(id);
        self
    }

    /// Appends a tag (see [`tag`]).
    pub fn tag(mut self, kind: TagType, name: &str) -> Self {
        self.work.tags.push(tag(kind, name));
        self
    }

    /// Appends tags of one kind, in order.
    pub fn tags(mut self, kind: TagType, names: &[&str]) -> Self {
        self.work
            .tags
            .extend(names.iter().map(|name| tag(kind, name)));
        self
    }

    pub fn rating(mut self, rating: Rating) -> Self {
        self.work.rating = rating;
        self
    }

    /// The language as given (e.g. `en` or `English`).
    pub fn language(mut self, language: impl Into<String>) -> Self {
        self.work.language = Some(language.into());
        self
    }

    /// The work's summary (HTML).
    pub fn summary(mut self, html: impl Into<String>) -> Self {
        self.work.summary = Some(html.into());
        self
    }

    /// The work's beginning notes (HTML).
    pub fn notes(mut self, html: impl Into<String>) -> Self {
        self.work.notes = Some(html.into());
        self
    }

    /// The work's end notes (HTML).
    pub fn end_notes(mut self, html: impl Into<String>) -> Self {
        self.work.end_notes = Some(html.into());
        self
    }

    /// Published and updated on `day`.
    pub fn dated(mut self, day: NaiveDate) -> Self {
        self.work.published = day;
        self.work.updated = day;
        self
    }

    pub fn published(mut self, day: NaiveDate) -> Self {
        self.work.published = day;
        self
    }

    pub fn updated(mut self, day: NaiveDate) -> Self {
        self.work.updated = day;
        self
    }

    pub fn complete(mut self, complete: bool) -> Self {
        self.work.complete = complete;
        self
    }

    /// The expected chapter count (`None`: "?"). Unless set, a complete
    /// work expects the chapters it has and an unfinished one `None`.
    pub fn expected_chapters(mut self, expected: Option<u32>) -> Self {
        self.expected_chapters = Some(expected);
        self
    }

    /// For registered users only.
    pub fn restricted(mut self, restricted: bool) -> Self {
        self.work.restricted = restricted;
        self
    }

    /// False for a draft.
    pub fn posted(mut self, posted: bool) -> Self {
        self.work.posted = posted;
        self
    }

    /// A draft: not posted.
    pub fn draft(self) -> Self {
        self.posted(false)
    }

    /// Appends a series place: the series' title and the work's position
    /// in it (0: at the end).
    pub fn series(mut self, title: impl Into<String>, position: u32) -> Self {
        self.work.series.push((title.into(), position));
        self
    }

    /// The hash of the imported bytes (one work per hash).
    pub fn content_hash(mut self, hash: impl Into<String>) -> Self {
        self.work.origin.content_hash = Some(hash.into());
        self
    }

    /// Anything the setters do not cover. (The expected chapter count is
    /// [`WorkBuilder::expected_chapters`]'s: [`WorkBuilder::build`] sets it.)
    pub fn with(mut self, edit: impl FnOnce(&mut NewWork)) -> Self {
        edit(&mut self.work);
        self
    }

    /// The work. Not validated: a test may build an invalid one on purpose.
    pub fn build(self) -> NewWork {
        let mut work = self.work;
        work.expected_chapters = match self.expected_chapters {
            Some(expected) => expected,
            None if work.complete => Some(u32::try_from(work.chapters.len()).unwrap_or(u32::MAX)),
            None => None,
        };
        work
    }
}

impl From<WorkBuilder> for NewWork {
    fn from(builder: WorkBuilder) -> NewWork {
        builder.build()
    }
}
