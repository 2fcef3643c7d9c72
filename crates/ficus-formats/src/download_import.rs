//! HTML downloads: AO3's own HTML download files and Ficus's (which follow
//! AO3's layout), read with all their metadata and every chapter.
//!
//! A download has a `#preface` (a `dl.tags` of labelled values, the `h1`
//! title, a `.byline`, summary and notes blocks) and a `#chapters` holding
//! chapter headings (`h2`), labelled meta blocks (`Chapter Summary`,
//! `Chapter Notes`, `Chapter End Notes`, each a label followed by a
//! `blockquote`) and the texts (`div.userstuff`); the work's end notes are in
//! `#afterword`. Every piece of stored HTML goes through
//! [`ficus_core::html::sanitize`]. Series ("Part N of Title") are kept;
//! word counts are recounted.

use std::sync::LazyLock;

use chrono::NaiveDate;
use ficus_core::html::sanitize;
use ficus_core::tag::TagType;
use ficus_core::work::{MAX_CREATOR_CHARS, MAX_CREATORS};
use ficus_core::{NewChapter, NewWork, Rating, WorkOrigin};
use scraper::{ElementRef, Html, Selector};

use crate::ImportError;
use crate::draft::{ChapterCount, Draft};
use crate::text::lines::{collapse_whitespace, same_title};

fn selector(css: &str) -> Selector {
    Selector::parse(css).expect("download selector is valid")
}

static PREFACE: LazyLock<Selector> = LazyLock::new(|| selector("#preface"));
static CHAPTERS: LazyLock<Selector> = LazyLock::new(|| selector("#chapters"));
static AFTERWORD: LazyLock<Selector> = LazyLock::new(|| selector("#afterword"));
static TITLE: LazyLock<Selector> = LazyLock::new(|| selector("h1"));
static BYLINE: LazyLock<Selector> = LazyLock::new(|| selector(".byline"));
static TAGS: LazyLock<Selector> = LazyLock::new(|| selector("dl.tags"));
static MESSAGE_LINK: LazyLock<Selector> = LazyLock::new(|| selector("p.message a[href]"));
static LINK: LazyLock<Selector> = LazyLock::new(|| selector("a"));
static BLOCKQUOTE: LazyLock<Selector> = LazyLock::new(|| selector("blockquote"));

/// What the byline says when a work shows no creators.
const ANONYMOUS: &str = "Anonymous";

/// A download as read: the metadata, the work's HTML fields and chapters.
#[derive(Debug)]
pub(crate) struct Download {
    draft: Draft,
    /// Sanitized HTML (the work's notes are in `draft.notes`).
    summary: Option<String>,
    end_notes: Option<String>,
    chapters: Vec<NewChapter>,
}

/// One chapter's parts in file order, before titles are worked out.
#[derive(Debug, Default)]
struct Parts {
    heading: Option<String>,
    summary: Option<String>,
    notes: Option<String>,
    end_notes: Option<String>,
    body: Option<String>,
}

/// Reads `doc` as an HTML download. `None` when it is not one (it lacks
/// `#preface` or `#chapters`), so plain HTML pages keep their own reader.
/// Fails with [`ImportError::NoText`] when a chapter has no text.
pub(crate) fn parse_download(doc: &Html) -> Option<Result<Download, ImportError>> {
    let preface = doc.select(&PREFACE).next()?;
    let chapters_el = doc.select(&CHAPTERS).next()?;
    Some(read(doc, preface, chapters_el))
}

fn read(
    doc: &Html,
    preface: ElementRef<'_>,
    chapters_el: ElementRef<'_>,
) -> Result<Download, ImportError> {
    let mut draft = Draft {
        title: preface
            .select(&TITLE)
            .next()
            .map(element_text)
            .filter(|t| !t.is_empty()),
        source_url: preface.select(&MESSAGE_LINK).find_map(|a| {
            let href = a.attr("href")?.trim();
            href.contains("archiveofourown.org/works/")
                .then(|| href.to_string())
        }),
        ..Draft::default()
    };

    let mut summary = None;
    for quote in preface.select(&BLOCKQUOTE) {
        match label_before(quote).as_str() {
            "summary" => set_once(&mut summary, block_html(quote)),
            "notes" => {
                if let Some(notes) = block_html(quote)
                    && draft.notes.is_empty()
                {
                    draft.notes.push(notes);
                }
            }
            _ => {}
        }
    }

    if let Some(byline) = preface.select(&BYLINE).next() {
        read_byline(&mut draft, byline);
    }
    if let Some(tags) = preface.select(&TAGS).next() {
        read_tags(&mut draft, tags);
    }

    let end_notes = doc.select(&AFTERWORD).next().and_then(|afterword| {
        let quotes: Vec<ElementRef<'_>> = afterword.select(&BLOCKQUOTE).collect();
        let labelled = quotes
            .iter()
            .copied()
            .find(|q| label_before(*q) == "end notes");
        labelled.or(quotes.first().copied()).and_then(block_html)
    });

    let mut parts = Vec::new();
    walk(chapters_el, &mut parts);
    if parts.is_empty() {
        // An old one-shot download: the text sits right in `#chapters`.
        parts.push(Parts {
            body: Some(stored_html(chapters_el)),
            ..Parts::default()
        });
    }
    let only = parts.len() == 1;
    let mut chapters = Vec::with_capacity(parts.len());
    for part in parts {
        let body = part.body.unwrap_or_default();
        if body.trim().is_empty() {
            return Err(ImportError::NoText);
        }
        chapters.push(NewChapter {
            title: part
                .heading
                .as_deref()
                .and_then(|h| chapter_title(h, draft.title.as_deref(), only)),
            summary: part.summary,
            notes: part.notes,
            end_notes: part.end_notes,
            body,
            published: None,
        });
    }

    Ok(Download {
        draft,
        summary,
        end_notes,
        chapters,
    })
}

impl Download {
    /// Builds the work with the draft's defaults (see [`Draft::into_work`]),
    /// every chapter dated the work's publication date.
    pub(crate) fn into_work(
        self,
        fallback_title: &str,
        today: NaiveDate,
        origin: WorkOrigin,
    ) -> Result<NewWork, ImportError> {
        let Download {
            mut draft,
            summary,
            end_notes,
            mut chapters,
        } = self;
        let count = u32::try_from(chapters.len()).unwrap_or(u32::MAX);
        if draft.chapters.is_none() {
            draft.chapters = Some(ChapterCount {
                posted: count,
                expected: Some(count),
            });
        }
        let first = chapters
            .first()
            .map(|c| c.body.clone())
            .ok_or(ImportError::NoText)?;
        let mut work = draft.into_work(first, fallback_title, today, origin)?;
        work.summary = summary;
        work.end_notes = end_notes;
        for chapter in &mut chapters {
            chapter.published = Some(work.published);
        }
        work.expected_chapters = work.expected_chapters.map(|e| e.max(count));
        work.chapters = chapters;
        work.validate()?;
        Ok(work)
    }
}

/// Walks `#chapters` in document order without entering texts or meta
/// blocks: an `h2` starts a chapter, a labelled `blockquote` is a
/// chapter's summary, notes or end notes, a `div.userstuff` its text.
fn walk(el: ElementRef<'_>, parts: &mut Vec<Parts>) {
    for child in el.children().filter_map(ElementRef::wrap) {
        match child.value().name() {
            "h2" => parts.push(Parts {
                heading: Some(element_text(child)),
                ..Parts::default()
            }),
            "blockquote" => match label_before(child).as_str() {
                "chapter summary" | "summary" => {
                    set_once(&mut open_chapter(parts, true).summary, block_html(child));
                }
                "chapter notes" | "notes" => {
                    set_once(&mut open_chapter(parts, true).notes, block_html(child));
                }
                "chapter end notes" | "end notes" => {
                    set_once(&mut open_chapter(parts, false).end_notes, block_html(child));
                }
                _ => {}
            },
            "div" if child.value().classes().any(|c| c == "userstuff") => {
                open_chapter(parts, true).body = Some(stored_html(child));
            }
            _ => walk(child, parts),
        }
    }
}

/// The chapter to add to: the last one, or a new one when there is none or
/// (with `before_text`) when the last already has its text.
fn open_chapter(parts: &mut Vec<Parts>, before_text: bool) -> &mut Parts {
    if parts.last().is_none_or(|p| before_text && p.body.is_some()) {
        parts.push(Parts::default());
    }
    let last = parts.len() - 1;
    &mut parts[last]
}

fn set_once(field: &mut Option<String>, value: Option<String>) {
    if field.is_none() {
        *field = value;
    }
}

/// Creators from the byline: one per link, else the text after "by",
/// comma separated. "Anonymous" names nobody.
fn read_byline(draft: &mut Draft, byline: ElementRef<'_>) {
    let links: Vec<String> = byline
        .select(&LINK)
        .map(element_text)
        .filter(|n| !n.is_empty())
        .collect();
    let names = if links.is_empty() {
        let text = element_text(byline);
        let text = if text
            .get(..3)
            .is_some_and(|by| by.eq_ignore_ascii_case("by "))
        {
            text[3..].to_string()
        } else {
            text
        };
        text.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string)
            .collect()
    } else {
        links
    };
    if names.len() == 1 && names[0].eq_ignore_ascii_case(ANONYMOUS) {
        return;
    }
    for name in names {
        if draft.creators.iter().any(|c| c.eq_ignore_ascii_case(&name)) {
            continue;
        }
        if name.chars().count() > MAX_CREATOR_CHARS || draft.creators.len() >= MAX_CREATORS {
            draft.add_note_field("Creator", &name);
        } else {
            draft.creators.push(name);
        }
    }
}

/// What a `dt` label names.
enum Field {
    Rating,
    Tags(TagType),
    Language,
    Stats,
    Source,
    Series,
    Ignored,
}

fn field_of(label: &str) -> Field {
    match label {
        "rating" | "ratings" => Field::Rating,
        "archive warning" | "archive warnings" => Field::Tags(TagType::ArchiveWarning),
        "category" | "categories" => Field::Tags(TagType::Category),
        "fandom" | "fandoms" => Field::Tags(TagType::Fandom),
        "relationship" | "relationships" => Field::Tags(TagType::Relationship),
        "character" | "characters" => Field::Tags(TagType::Character),
        "additional tag" | "additional tags" | "freeform" | "freeforms" => {
            Field::Tags(TagType::Freeform)
        }
        "language" => Field::Language,
        "stats" => Field::Stats,
        "source" => Field::Source,
        "series" => Field::Series,
        _ => Field::Ignored,
    }
}

/// Reads AO3's "Part 1 of Roads, Part 3 of Other" series line.
fn series_places(text: &str) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    for piece in text.split("Part ").skip(1) {
        let Some((number, rest)) = piece.split_once(" of ") else {
            continue;
        };
        let Ok(position) = number.trim().parse::<u32>() else {
            continue;
        };
        let title = rest.trim().trim_end_matches(',').trim();
        if !title.is_empty() && position > 0 {
            out.push((title.to_string(), position));
        }
    }
    out
}

/// Reads the `dt`/`dd` pairs of the preface's `dl.tags`.
fn read_tags(draft: &mut Draft, dl: ElementRef<'_>) {
    let mut label = String::new();
    let mut shown = String::new();
    for child in dl.children().filter_map(ElementRef::wrap) {
        match child.value().name() {
            "dt" => {
                shown = element_text(child).trim_end_matches(':').trim().to_string();
                label = shown.to_lowercase();
            }
            "dd" => match field_of(&label) {
                Field::Rating => {
                    let values = dd_values(child);
                    if draft.rating.is_none()
                        && let Some(value) = values.first()
                    {
                        draft.rating = Some(Rating::from_name(value).unwrap_or_default());
                    }
                }
                Field::Tags(kind) => {
                    for value in dd_values(child) {
                        draft.add_tags(kind, &shown, &value);
                    }
                }
                Field::Language => draft.set_language(&shown, &element_text(child)),
                Field::Stats => read_stats(draft, &element_text(child)),
                Field::Source => {
                    let url = element_text(child);
                    if draft.source_url.is_none() && !url.is_empty() {
                        draft.source_url = Some(url);
                    }
                }
                Field::Series => draft.series.extend(series_places(&element_text(child))),
                Field::Ignored => {}
            },
            _ => {}
        }
    }
}

/// A `dd`'s values: its links' texts, else its text split on ", ".
fn dd_values(dd: ElementRef<'_>) -> Vec<String> {
    let links: Vec<String> = dd
        .select(&LINK)
        .map(element_text)
        .filter(|v| !v.is_empty())
        .collect();
    if !links.is_empty() {
        return links;
    }
    element_text(dd)
        .split(", ")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads `Published: 2020-01-01 Updated: 2020-02-01 Words: 1,234
/// Chapters: 2/2 …`: dates, completion and the chapter count.
fn read_stats(draft: &mut Draft, stats: &str) {
    let spaced = stats.replace(':', ": ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    for pair in tokens.windows(2) {
        let [key, value] = pair else { continue };
        let Some(key) = key.strip_suffix(':') else {
            continue;
        };
        let date = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok();
        match key.to_ascii_lowercase().as_str() {
            "published" if date.is_some() => draft.published = date,
            "updated" if date.is_some() => draft.updated = date,
            "completed" if date.is_some() => {
                draft.updated = date;
                draft.completed = true;
            }
            "chapters" => {
                if let Some((posted, expected)) = value.split_once('/')
                    && let Ok(posted) = posted.replace(',', "").parse::<u32>()
                {
                    draft.chapters = Some(ChapterCount {
                        posted,
                        expected: expected.replace(',', "").parse::<u32>().ok(),
                    });
                }
            }
            _ => {}
        }
    }
}

/// A chapter's title from its heading: the text after "Chapter N: ";
/// none for a bare "Chapter N", nor for a one-shot headed by the work's
/// title; any other heading is the title.
fn chapter_title(heading: &str, work_title: Option<&str>, only: bool) -> Option<String> {
    let heading = collapse_whitespace(heading);
    if heading.is_empty() {
        return None;
    }
    if let Some(prefix) = heading.get(..8)
        && prefix.eq_ignore_ascii_case("chapter ")
    {
        let rest = heading[8..].trim_start();
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 {
            let after = rest[digits..].trim_start();
            if after.is_empty() {
                return None;
            }
            if let Some(title) = after.strip_prefix(':') {
                let title = title.trim();
                return (!title.is_empty()).then(|| title.to_string());
            }
        }
    }
    if only && work_title.is_some_and(|t| same_title(t, &heading)) {
        return None;
    }
    Some(heading)
}

/// The lowercased label of a meta block: the text of the element just
/// before it ("Chapter Notes:" → "chapter notes").
fn label_before(el: ElementRef<'_>) -> String {
    el.prev_siblings()
        .find_map(ElementRef::wrap)
        .map(|label| {
            element_text(label)
                .trim_end_matches(':')
                .trim()
                .to_lowercase()
        })
        .unwrap_or_default()
}

/// An element's inner HTML without the one newline the writer adds on
/// each side, sanitized.
fn stored_html(el: ElementRef<'_>) -> String {
    let inner = el.inner_html();
    let inner = inner.strip_prefix('\n').unwrap_or(&inner);
    let inner = inner.strip_suffix('\n').unwrap_or(inner);
    sanitize(inner)
}

/// [`stored_html`], or `None` when nothing but whitespace is left.
fn block_html(el: ElementRef<'_>) -> Option<String> {
    Some(stored_html(el)).filter(|h| !h.trim().is_empty())
}

/// The element's text with whitespace collapsed.
fn element_text(el: ElementRef<'_>) -> String {
    collapse_whitespace(&el.text().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficus_core::tag::NO_WARNING_GIVEN;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn import(html: &str) -> NewWork {
        parse_download(&Html::parse_document(html))
            .expect("is a download")
            .expect("parses")
            .into_work("stem", day(2030, 1, 1), WorkOrigin::default())
            .expect("valid work")
    }

    fn names(work: &NewWork, kind: TagType) -> Vec<&str> {
        work.tags_of(kind).map(|t| t.name.as_str()).collect()
    }

    const AO3_TWO_CHAPTERS: &str = r#"<!DOCTYPE html>
<html><head><meta charset="UTF-8"/><title>Two Roads - Ann, Bob - Original Work [Archive of Our Own]</title></head>
<body>
<div id="preface">
  <p class="message">
    <b>Two Roads</b><br/>
    Posted originally on the <a href="http://archiveofourown.org/">Archive of Our Own</a> at <a href="http://archiveofourown.org/works/12345">http://archiveofourown.org/works/12345</a>.
  </p>
  <div class="meta">
    <dl class="tags">
      <dt>Rating:</dt>
      <dd><a href="http://archiveofourown.org/tags/Explicit/works">Explicit</a></dd>
      <dt>Archive Warning:</dt>
      <dd><a href="x">Creator Chose Not To Use Archive Warnings</a></dd>
      <dt>Categories:</dt>
      <dd><a href="x">F/M</a>, <a href="x">Gen</a></dd>
      <dt>Fandom:</dt>
      <dd><a href="x">Original Work</a></dd>
      <dt>Relationship:</dt>
      <dd><a href="x">Ana/Bo</a></dd>
      <dt>Characters:</dt>
      <dd><a href="x">Ana</a>, <a href="x">Bo</a></dd>
      <dt>Additional Tags:</dt>
      <dd><a href="x">Road Trip</a>, <a href="x">Angst &amp; Fluff</a></dd>
      <dt>Language:</dt>
      <dd>English</dd>
      <dt>Series:</dt>
      <dd>Part 1 of <a href="x">Roads</a></dd>
      <dt>Stats:</dt>
      <dd>Published: 2020-01-01 Updated: 2020-02-01 Words: 1,234 Chapters: 2/5</dd>
    </dl>
    <h1>Two Roads</h1>
    <div class="byline">by <a rel="author" href="x">Ann</a>, <a rel="author" href="x">Bob</a></div>
    <p>Summary</p>
    <blockquote class="userstuff"><p>A <em>summary</em>.</p></blockquote>
    <p>Notes</p>
    <blockquote class="userstuff"><p>Work notes.</p></blockquote>
  </div>
</div>
<div id="chapters" class="userstuff">
  <h2 class="toc-heading">Chapter 1: The Start</h2>
  <div class="meta group">
    <p>Chapter Summary</p>
    <blockquote class="userstuff"><p>Ch1 summary.</p></blockquote>
    <p>Chapter Notes</p>
    <blockquote class="userstuff"><p>Ch1 notes.</p></blockquote>
  </div>
  <div class="userstuff"><p>First body.</p><script>alert(1)</script></div>
  <div class="meta group">
    <p>Chapter End Notes</p>
    <blockquote class="userstuff"><p>Ch1 end.</p></blockquote>
  </div>
  <h2 class="toc-heading">Chapter 2</h2>
  <div class="meta group">
    <p>Chapter Notes</p>
    <blockquote class="userstuff"><p>Ch2 notes.</p></blockquote>
  </div>
  <div class="userstuff"><p>Second body.</p></div>
  <div class="meta group">
    <p>Chapter End Notes</p>
    <blockquote class="userstuff"><p>Ch2 end.</p></blockquote>
  </div>
</div>
<div id="afterword">
  <div class="meta">
    <p>Afterword</p>
    <p>End Notes</p>
    <blockquote class="userstuff"><p>Work end.</p></blockquote>
  </div>
</div>
</body></html>"#;

    #[test]
    fn an_ao3_download_with_two_chapters() {
        let work = import(AO3_TWO_CHAPTERS);
        assert_eq!(work.title, "Two Roads");
        assert_eq!(work.creators, ["Ann", "Bob"]);
        assert_eq!(work.rating, Rating::Explicit);
        assert_eq!(names(&work, TagType::ArchiveWarning), [NO_WARNING_GIVEN]);
        assert_eq!(names(&work, TagType::Category), ["F/M", "Gen"]);
        assert_eq!(names(&work, TagType::Fandom), ["Original Work"]);
        assert_eq!(names(&work, TagType::Relationship), ["Ana/Bo"]);
        assert_eq!(names(&work, TagType::Character), ["Ana", "Bo"]);
        assert_eq!(
            names(&work, TagType::Freeform),
            ["Road Trip", "Angst & Fluff"]
        );
        assert_eq!(work.language.as_deref(), Some("English"));
        assert_eq!(work.series, vec![("Roads".to_string(), 1)]);
        let summary = work.summary.as_deref().expect("summary");
        assert!(summary.contains("<em>summary</em>"), "{summary}");
        let notes = work.notes.as_deref().expect("notes");
        assert!(notes.contains("Work notes."), "{notes}");
        assert!(!notes.contains("Series"), "{notes}");
        let end = work.end_notes.as_deref().expect("end notes");
        assert!(end.contains("Work end."), "{end}");
        assert_eq!(work.published, day(2020, 1, 1));
        assert_eq!(work.updated, day(2020, 2, 1));
        assert!(!work.complete);
        assert_eq!(work.expected_chapters, Some(5));
        assert_eq!(
            work.origin.source_url.as_deref(),
            Some("http://archiveofourown.org/works/12345")
        );

        assert_eq!(work.chapters.len(), 2);
        let [one, two] = &work.chapters[..] else {
            panic!("two chapters")
        };
        assert_eq!(one.title.as_deref(), Some("The Start"));
        assert!(
            one.summary
                .as_deref()
                .is_some_and(|s| s.contains("Ch1 summary."))
        );
        assert!(
            one.notes
                .as_deref()
                .is_some_and(|s| s.contains("Ch1 notes."))
        );
        assert!(
            one.end_notes
                .as_deref()
                .is_some_and(|s| s.contains("Ch1 end."))
        );
        assert!(one.body.starts_with("<p>First body.</p>"), "{}", one.body);
        assert!(!one.body.contains("<script"), "{}", one.body);
        assert_eq!(one.published, Some(day(2020, 1, 1)));
        assert_eq!(two.title, None);
        assert_eq!(two.summary, None);
        assert!(
            two.notes
                .as_deref()
                .is_some_and(|s| s.contains("Ch2 notes."))
        );
        assert!(
            two.end_notes
                .as_deref()
                .is_some_and(|s| s.contains("Ch2 end."))
        );
        assert_eq!(two.body, "<p>Second body.</p>");
        assert_eq!(two.published, Some(day(2020, 1, 1)));
    }

    const AO3_ONE_SHOT: &str = r#"<html><head><title>One Shot</title></head><body>
<div id="preface">
<p class="message">Posted originally on the <a href="https://archiveofourown.org/">Archive of Our Own</a> at <a href="https://archiveofourown.org/works/7">https://archiveofourown.org/works/7</a>.</p>
<div class="meta"><dl class="tags">
<dt>Rating:</dt><dd><a href="x">Mystery Rating</a></dd>
<dt>Fandom:</dt><dd><a href="x">Original Work</a></dd>
<dt>Stats:</dt><dd>Published: 2021-03-04 Words: 3 Chapters: 1/1</dd>
</dl>
<h1>One Shot</h1>
<div class="byline">by <a rel="author" href="x">Cy (cy_user)</a></div>
</div></div>
<div id="chapters" class="userstuff"><div class="userstuff"><p>Only chapter text.</p></div></div>
</body></html>"#;

    #[test]
    fn an_ao3_one_shot_without_a_chapter_heading() {
        let work = import(AO3_ONE_SHOT);
        assert_eq!(work.title, "One Shot");
        assert_eq!(work.creators, ["Cy (cy_user)"]);
        assert_eq!(work.rating, Rating::NotRated);
        assert_eq!(names(&work, TagType::ArchiveWarning), [NO_WARNING_GIVEN]);
        assert_eq!(names(&work, TagType::Fandom), ["Original Work"]);
        assert_eq!(work.summary, None);
        assert_eq!(work.notes, None);
        assert_eq!(work.end_notes, None);
        assert_eq!(work.published, day(2021, 3, 4));
        assert_eq!(work.updated, day(2021, 3, 4));
        assert!(work.complete);
        assert_eq!(work.expected_chapters, Some(1));
        assert_eq!(
            work.origin.source_url.as_deref(),
            Some("https://archiveofourown.org/works/7")
        );
        assert_eq!(work.chapters.len(), 1);
        assert_eq!(work.chapters[0].title, None);
        assert_eq!(work.chapters[0].body, "<p>Only chapter text.</p>");
        assert_eq!(work.chapters[0].published, Some(day(2021, 3, 4)));
    }

    #[test]
    fn downloads_go_through_parse_file() {
        let work = crate::parse_file(
            std::path::Path::new("/in/one_shot.html"),
            AO3_ONE_SHOT.as_bytes(),
            day(2030, 1, 1),
        )
        .expect("parses");
        assert_eq!(work.title, "One Shot");
        assert_eq!(work.chapters.len(), 1);
        assert_eq!(
            work.origin.source_path.as_deref(),
            Some("/in/one_shot.html")
        );
        assert_eq!(
            work.origin.source_url.as_deref(),
            Some("https://archiveofourown.org/works/7")
        );
    }

    #[test]
    fn plain_pages_are_not_downloads() {
        let doc = Html::parse_document("<html><body><h1>T</h1><p>Text.</p></body></html>");
        assert!(parse_download(&doc).is_none());
        let doc = Html::parse_document("<div id=\"preface\"><h1>T</h1></div><p>Text.</p>");
        assert!(parse_download(&doc).is_none());
    }

    #[test]
    fn chapter_titles() {
        assert_eq!(chapter_title("Chapter 3", None, false), None);
        assert_eq!(
            chapter_title("Chapter 12:  The  End ", None, false).as_deref(),
            Some("The End")
        );
        assert_eq!(
            chapter_title("Prologue", None, false).as_deref(),
            Some("Prologue")
        );
        assert_eq!(chapter_title("My Work", Some("my work"), true), None);
        assert_eq!(
            chapter_title("My Work", Some("my work"), false).as_deref(),
            Some("My Work")
        );
    }
}
