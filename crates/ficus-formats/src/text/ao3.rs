//! Layout 1: the text form of an AO3 work page (what a browser's "save as
//! text" or a copy of the page gives).
//!
//! ```text
//! Work Header
//! Rating:
//!     Teen And Up Audiences
//! Fandom: Original Work
//! Stats: Published: 2015-03-01 Updated: 2015-04-02 Words: 1,234 Chapters: 1/1
//! The Title
//! by someone
//! Summary:
//!     What it is about.
//! Work Text:
//! The story…
//! ```
//!
//! Labels may carry their value on the same line or on the following
//! non-empty line(s). The first line that is neither a label, a value nor
//! page chrome is the title; a byline may follow it.

use chrono::NaiveDate;
use ficus_core::tag::TagType;

use super::first_non_empty;
use super::lines::{
    collapse_whitespace, find_url, indent_of, normalize_key, parse_byline, split_key,
};
use crate::draft::{ChapterCount, Draft};

/// How far into the file the `Work Header` line is looked for.
const HEADER_SCAN_LINES: usize = 300;

/// What a label of the AO3 header fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Label {
    Rating,
    Tags(TagType),
    Language,
    /// Series and collections: kept in the notes.
    Note,
    /// `Stats:` or one of its parts (`Published:`, `Chapters:` …).
    Stats,
    Summary,
    Notes,
    Creators,
}

impl Label {
    fn of(key: &str) -> Option<Label> {
        Some(match normalize_key(key).as_str() {
            "rating" | "ratings" => Label::Rating,
            "archive warning" | "archive warnings" | "warning" | "warnings" => {
                Label::Tags(TagType::ArchiveWarning)
            }
            "category" | "categories" => Label::Tags(TagType::Category),
            "fandom" | "fandoms" => Label::Tags(TagType::Fandom),
            "relationship" | "relationships" => Label::Tags(TagType::Relationship),
            "character" | "characters" => Label::Tags(TagType::Character),
            "additional tags" | "additional tag" | "freeform" | "freeforms" => {
                Label::Tags(TagType::Freeform)
            }
            "language" => Label::Language,
            "series" | "collection" | "collections" => Label::Note,
            "stats" | "published" | "updated" | "completed" | "words" | "chapters" | "comments"
            | "kudos" | "bookmarks" | "hits" => Label::Stats,
            "summary" => Label::Summary,
            "notes" | "note" => Label::Notes,
            "author" | "authors" | "creator" | "creators" => Label::Creators,
            _ => return None,
        })
    }
}

/// Page chrome that is never the title (compared case-insensitively).
const CHROME: &[&str] = &[
    "actions",
    "archive of our own",
    "bookmark",
    "chapter by chapter",
    "chapter index",
    "comments",
    "download",
    "entire work",
    "full-page index",
    "kudos",
    "main content",
    "mark for later",
    "preface",
    "share",
    "skip header",
    "subscribe",
];

fn is_chrome(line: &str) -> bool {
    let t = collapse_whitespace(line).to_lowercase();
    CHROME.contains(&t.as_str()) || t.contains("archiveofourown.org") || find_url(&t).is_some()
}

fn label_line(line: &str) -> Option<(Label, &str, &str)> {
    let (key, value) = split_key(line)?;
    Some((Label::of(key)?, key, value))
}

fn is_work_text_marker(line: &str) -> bool {
    let t = line.trim();
    t.eq_ignore_ascii_case("work text:") || t.eq_ignore_ascii_case("work text")
}

/// The AO3 header found in a file: what it said, and the work text lines.
#[derive(Debug)]
pub(crate) struct Ao3Text<'a> {
    pub draft: Draft,
    pub body: &'a [&'a str],
}

/// Finds `Work Header` … `Work Text:` and reads the header between them,
/// or `None` when the file is not in this layout.
pub(crate) fn parse<'a>(lines: &'a [&'a str]) -> Option<Ao3Text<'a>> {
    let header_at = lines
        .iter()
        .take(HEADER_SCAN_LINES)
        .position(|l| l.trim().eq_ignore_ascii_case("work header"))?;
    let text_at = lines
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .find(|(_, l)| is_work_text_marker(l))
        .map(|(i, _)| i)?;
    // A work URL in the page chrome above the header names the work.
    let mut draft = Draft {
        source_url: lines
            .get(..header_at)
            .unwrap_or_default()
            .iter()
            .filter_map(|l| find_url(l))
            .find(|url| url.contains("/works/")),
        ..Draft::default()
    };
    read_header(
        &mut draft,
        lines.get(header_at + 1..text_at).unwrap_or_default(),
    );
    let mut body = lines.get(text_at + 1..).unwrap_or_default();
    // A chapter's own landmark may open the text.
    if let Some((i, first)) = first_non_empty(body)
        && first.trim().eq_ignore_ascii_case("chapter text")
    {
        body = body.get(i + 1..).unwrap_or_default();
    }
    Some(Ao3Text { draft, body })
}

/// Reads the lines between `Work Header` and `Work Text:`.
fn read_header(draft: &mut Draft, lines: &[&str]) {
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        i += 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some((label, key, inline)) = label_line(line) else {
            read_plain_line(draft, line);
            continue;
        };
        let (value, next) = match label {
            Label::Summary | Label::Notes => read_block(lines, i, inline),
            _ => read_value(lines, i, indent_of(line), inline),
        };
        i = next;
        apply(draft, label, key, &value);
    }
}

/// A line that is no label: the title, then a byline; URLs are noted as
/// the source; chrome is skipped.
fn read_plain_line(draft: &mut Draft, line: &str) {
    let t = line.trim();
    if draft.source_url.is_none()
        && let Some(url) = find_url(t)
    {
        draft.source_url = Some(url);
    }
    if is_chrome(t) {
        return;
    }
    if draft.title.is_none() {
        draft.title = Some(collapse_whitespace(t));
    } else if draft.creators.is_empty()
        && let Some(name) = parse_byline(t)
    {
        draft.add_creators("Author", name);
    }
}

/// A value on the label's line or, when that is empty, on the next
/// non-empty line; then any lines indented deeper than the label, or
/// following a line that ends in a comma. Returns the value lines joined
/// by newlines and the index after them.
fn read_value(lines: &[&str], mut i: usize, label_indent: usize, inline: &str) -> (String, usize) {
    let mut values: Vec<&str> = Vec::new();
    if inline.is_empty() {
        while let Some(&line) = lines.get(i) {
            if !line.trim().is_empty() {
                if label_line(line).is_none() {
                    values.push(line.trim());
                    i += 1;
                }
                break;
            }
            i += 1;
        }
    } else {
        values.push(inline);
    }
    while let Some(&line) = lines.get(i) {
        let t = line.trim();
        let wraps = values.last().is_some_and(|v| v.ends_with(','));
        if t.is_empty() || label_line(line).is_some() || !(indent_of(line) > label_indent || wraps)
        {
            break;
        }
        values.push(t);
        i += 1;
    }
    (values.join("\n"), i)
}

/// A summary or notes block: everything up to the next label, blank lines
/// kept as paragraph breaks.
fn read_block(lines: &[&str], mut i: usize, inline: &str) -> (String, usize) {
    let mut values: Vec<&str> = Vec::new();
    if !inline.is_empty() {
        values.push(inline);
    }
    while let Some(&line) = lines.get(i) {
        if label_line(line).is_some() {
            break;
        }
        values.push(line.trim());
        i += 1;
    }
    (values.join("\n").trim().to_string(), i)
}

fn apply(draft: &mut Draft, label: Label, key: &str, value: &str) {
    match label {
        Label::Rating => draft.set_rating(key, value),
        // Items are comma-separated or one per line.
        Label::Tags(kind) => draft.add_tags(kind, key, &value.replace('\n', ",")),
        Label::Language => draft.set_language(key, value),
        Label::Note => {
            if !value.trim().is_empty() {
                draft.add_note_field(key, &collapse_whitespace(value));
            }
        }
        Label::Stats => apply_stats(draft, &format!("{key}: {value}")),
        Label::Summary => draft.set_summary(value),
        Label::Notes => draft.add_note_text(value),
        Label::Creators => draft.add_creators(key, &value.replace('\n', ",")),
    }
}

/// Reads `Published: 2015-03-01 Updated: 2015-04-02 Words: 1,234
/// Chapters: 2/3 …` (in any spacing): dates, completion and chapter count.
fn apply_stats(draft: &mut Draft, stats: &str) {
    let spaced = stats.replace(':', ": ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    for pair in tokens.windows(2) {
        let [key, value] = pair else { continue };
        let Some(key) = key.strip_suffix(':') else {
            continue;
        };
        match key.to_ascii_lowercase().as_str() {
            "published" => {
                if let Some(date) = parse_date(value) {
                    draft.published = Some(date);
                }
            }
            "updated" => {
                if let Some(date) = parse_date(value) {
                    draft.updated = Some(date);
                }
            }
            "completed" => {
                if let Some(date) = parse_date(value) {
                    draft.updated = Some(date);
                    draft.completed = true;
                }
            }
            "chapters" => {
                if let Some(count) = parse_chapters(value) {
                    draft.chapters = Some(count);
                }
            }
            _ => {}
        }
    }
}

fn parse_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d").ok()
}

/// `2/3` → 2 of 3; `2/?` → 2 of unknown.
fn parse_chapters(value: &str) -> Option<ChapterCount> {
    let (posted, expected) = value.trim().split_once('/')?;
    let posted = posted.trim().replace(',', "").parse().ok()?;
    let expected = expected.trim().replace(',', "").parse().ok();
    Some(ChapterCount { posted, expected })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficus_core::Rating;

    fn parse_text(text: &str) -> (Draft, Vec<String>) {
        let lines: Vec<&str> = text.split('\n').collect();
        let found = parse(&lines).expect("AO3 layout");
        let body = found.body.iter().map(|s| s.to_string()).collect();
        (found.draft, body)
    }

    #[test]
    fn values_on_the_next_line_and_inline() {
        let (d, body) = parse_text(
            "Work Header\nRating:\n    Explicit\nFandom: A, B\nCharacters:\n    Ann,\nBea\nLanguage:\n\n    English\nThe Title\nby Someone\nWork Text:\nHello.",
        );
        assert_eq!(d.rating, Some(Rating::Explicit));
        assert_eq!(d.tags.len(), 4);
        assert_eq!(d.language.as_deref(), Some("English"));
        assert_eq!(d.title.as_deref(), Some("The Title"));
        assert_eq!(d.creators, ["Someone"]);
        assert_eq!(body, ["Hello."]);
    }

    #[test]
    fn stats_in_one_line_or_many() {
        let (d, _) = parse_text(
            "Work Header\nStats: Published: 2015-03-01 Completed: 2015-04-02 Words: 1,234 Chapters: 2/2\nT\nWork Text:\nx",
        );
        assert_eq!(d.published, NaiveDate::from_ymd_opt(2015, 3, 1));
        assert_eq!(d.updated, NaiveDate::from_ymd_opt(2015, 4, 2));
        assert!(d.completed);
        assert_eq!(
            d.chapters,
            Some(ChapterCount {
                posted: 2,
                expected: Some(2)
            })
        );

        let (d, _) = parse_text(
            "Work Header\nStats:\n    Published:\n    2016-01-02\n    Chapters:\n    3/?\nT\nWork Text:\nx",
        );
        assert_eq!(d.published, NaiveDate::from_ymd_opt(2016, 1, 2));
        assert_eq!(
            d.chapters,
            Some(ChapterCount {
                posted: 3,
                expected: None
            })
        );
        assert_eq!(d.title.as_deref(), Some("T"));
    }

    #[test]
    fn summary_and_notes_blocks() {
        let (d, _) = parse_text(
            "Work Header\nT\nSummary:\n\n    First.\n\n    Second.\nNotes:\n    A note.\nWork Text:\nx",
        );
        assert_eq!(d.summary.as_deref(), Some("First.\n\nSecond."));
        assert_eq!(d.notes, ["<p>A note.</p>\n"]);
    }

    #[test]
    fn chrome_and_urls_are_not_titles() {
        let (d, _) = parse_text(
            "Work Header\nhttps://archiveofourown.org/works/42\nShare\nReal Title\nWork Text:\nx",
        );
        assert_eq!(d.title.as_deref(), Some("Real Title"));
        assert_eq!(
            d.source_url.as_deref(),
            Some("https://archiveofourown.org/works/42")
        );
    }

    #[test]
    fn needs_both_markers() {
        let lines: Vec<&str> = "Work Header\nTitle\nno text marker".split('\n').collect();
        assert!(parse(&lines).is_none());
        let lines: Vec<&str> = "Title\nWork Text:\nx".split('\n').collect();
        assert!(parse(&lines).is_none());
    }
}
