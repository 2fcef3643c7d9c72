//! Layout 2: the old fan-fiction header of mailing lists and early archives.
//!
//! ```text
//! Winter Orchard
//! by Jane Doe
//!
//! Fandom: Hollow Creek
//! Rating: PG-13
//! Summary: Ada returns to the orchard
//!   her grandmother left her.
//! Disclaimer: Not mine.
//! =====
//! ```
//!
//! Known keys fill the work's fields; every other key becomes a
//! `Key: value` paragraph of the notes, in order. Detection is
//! conservative: at most three other lines (the title among them) and two
//! bylines may come before the first known key, and the header block must
//! hold at least two known keys.

use ficus_core::tag::TagType;

use super::lines::{
    collapse_whitespace, find_url, is_separator, looks_like_title, normalize_key, parse_byline,
    split_key,
};
use crate::draft::Draft;

/// Most non-header lines (title included) before the first known key.
const MAX_PRE_LINES: usize = 3;
/// Most bylines before the first known key.
const MAX_BYLINES: usize = 2;
/// Longest line accepted before the first known key.
const MAX_PRE_LINE_CHARS: usize = 200;
/// Fewest known keys that make a header.
const MIN_KNOWN_KEYS: usize = 2;

/// What a known key fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Title,
    Creators,
    Fandom,
    Relationship,
    Character,
    Summary,
    Rating,
    Language,
    /// Kept in the notes; a URL in it is also the work's source URL.
    Link,
    /// Kept in the notes.
    Note,
}

/// Keys recognised as header keys, in [`normalize_key`] form.
const KNOWN_KEYS: &[(&str, Field)] = &[
    ("title", Field::Title),
    ("author", Field::Creators),
    ("authors", Field::Creators),
    ("writer", Field::Creators),
    ("writers", Field::Creators),
    ("written by", Field::Creators),
    ("by", Field::Creators),
    ("pseud", Field::Creators),
    ("pseuds", Field::Creators),
    ("creator", Field::Creators),
    ("creators", Field::Creators),
    ("fandom", Field::Fandom),
    ("fandoms", Field::Fandom),
    ("pairing", Field::Relationship),
    ("pairings", Field::Relationship),
    ("relationship", Field::Relationship),
    ("relationships", Field::Relationship),
    ("ship", Field::Relationship),
    ("ships", Field::Relationship),
    ("character", Field::Character),
    ("characters", Field::Character),
    ("summary", Field::Summary),
    ("rating", Field::Rating),
    ("language", Field::Language),
    ("archive", Field::Link),
    ("url", Field::Link),
    ("link", Field::Link),
    ("website", Field::Link),
    ("web site", Field::Link),
    ("site", Field::Link),
    ("source", Field::Link),
    ("disclaimer", Field::Note),
    ("disclaimers", Field::Note),
    ("feedback", Field::Note),
    ("archiving", Field::Note),
    ("permission", Field::Note),
    ("notes", Field::Note),
    ("note", Field::Note),
    ("author's note", Field::Note),
    ("author's notes", Field::Note),
    ("authors note", Field::Note),
    ("authors notes", Field::Note),
    ("a/n", Field::Note),
    ("acknowledgements", Field::Note),
    ("acknowledgments", Field::Note),
    ("thanks", Field::Note),
    ("dedication", Field::Note),
    ("dedications", Field::Note),
    ("beta", Field::Note),
    ("betas", Field::Note),
    ("beta reader", Field::Note),
    ("beta readers", Field::Note),
    ("spoiler", Field::Note),
    ("spoilers", Field::Note),
    ("category", Field::Note),
    ("categories", Field::Note),
    ("genre", Field::Note),
    ("genres", Field::Note),
    ("warning", Field::Note),
    ("warnings", Field::Note),
    ("email", Field::Note),
    ("e-mail", Field::Note),
    ("contact", Field::Note),
    ("date", Field::Note),
    ("posted", Field::Note),
    ("started", Field::Note),
    ("completed", Field::Note),
    ("series", Field::Note),
    ("sequel to", Field::Note),
    ("prequel to", Field::Note),
    ("part", Field::Note),
    ("chapter", Field::Note),
    ("chapters", Field::Note),
    ("status", Field::Note),
    ("word count", Field::Note),
    ("words", Field::Note),
    ("length", Field::Note),
    ("timeline", Field::Note),
    ("setting", Field::Note),
    ("keywords", Field::Note),
    ("codes", Field::Note),
    ("type", Field::Note),
    ("prompt", Field::Note),
    ("challenge", Field::Note),
    ("crossover", Field::Note),
    ("distribution", Field::Note),
];

fn field_of(key: &str) -> Option<Field> {
    let key = normalize_key(key);
    KNOWN_KEYS
        .iter()
        .find(|(known, _)| *known == key)
        .map(|(_, field)| *field)
}

fn is_known_key_line(line: &str) -> bool {
    split_key(line).is_some_and(|(key, _)| field_of(key).is_some())
}

/// A detected header: what it said, and the lines after it.
#[derive(Debug)]
pub(crate) struct OldStyle<'a> {
    pub draft: Draft,
    pub body: &'a [&'a str],
}

/// Reads an old-style header at the start of `lines`, or `None` when the
/// lines do not begin with one.
pub(crate) fn parse<'a>(lines: &'a [&'a str]) -> Option<OldStyle<'a>> {
    let (start, pre) = find_start(lines)?;
    let (entries, end) = read_entries(lines, start);
    let known = entries.iter().filter(|e| field_of(e.key).is_some()).count();
    if known < MIN_KNOWN_KEYS {
        return None;
    }
    let mut draft = Draft::default();
    apply_pre_lines(&mut draft, &pre);
    let mut title_key = None;
    for entry in &entries {
        apply_entry(&mut draft, entry, &mut title_key);
    }
    if title_key.is_some() {
        draft.title = title_key;
    }
    Some(OldStyle {
        draft,
        body: lines.get(end..).unwrap_or_default(),
    })
}

/// Lines before the first known key.
#[derive(Debug, Default)]
struct PreLines<'a> {
    others: Vec<&'a str>,
    bylines: Vec<&'a str>,
}

/// Finds the first known key line, collecting the few lines allowed before it.
fn find_start<'a>(lines: &[&'a str]) -> Option<(usize, PreLines<'a>)> {
    let mut pre = PreLines::default();
    for (i, &line) in lines.iter().enumerate() {
        let t = line.trim();
        if t.is_empty() || is_separator(t) {
            continue;
        }
        if is_known_key_line(t) {
            return Some((i, pre));
        }
        if let Some(name) = parse_byline(t) {
            if pre.bylines.len() >= MAX_BYLINES {
                return None;
            }
            pre.bylines.push(name);
        } else {
            if pre.others.len() >= MAX_PRE_LINES || t.chars().count() > MAX_PRE_LINE_CHARS {
                return None;
            }
            pre.others.push(t);
        }
    }
    None
}

/// One `Key: value` of the header, with its continuation lines.
#[derive(Debug)]
struct Entry<'a> {
    key: &'a str,
    lines: Vec<&'a str>,
}

impl Entry<'_> {
    /// The value with continuation lines joined by spaces (they are
    /// wrapped text).
    fn value(&self) -> String {
        collapse_whitespace(&self.lines.join(" "))
    }
}

/// Reads key lines from `start` to the end of the header. Returns the
/// entries and the index of the first body line. The header ends at a
/// separator (dropped) or at a blank line, unless the next non-blank line
/// is another known key; a separator right after that blank is dropped too.
fn read_entries<'a>(lines: &[&'a str], start: usize) -> (Vec<Entry<'a>>, usize) {
    let mut entries: Vec<Entry<'a>> = Vec::new();
    let mut i = start;
    while let Some(&line) = lines.get(i) {
        let t = line.trim();
        if is_separator(t) {
            return (entries, i + 1);
        }
        if t.is_empty() {
            let next = lines
                .iter()
                .enumerate()
                .skip(i)
                .find(|(_, l)| !l.trim().is_empty());
            match next {
                Some((j, l)) if is_known_key_line(l) => {
                    i = j;
                    continue;
                }
                Some((j, l)) if is_separator(l.trim()) => return (entries, j + 1),
                _ => return (entries, i),
            }
        }
        match split_key(t) {
            Some((key, value)) => entries.push(Entry {
                key,
                lines: vec![value],
            }),
            None => {
                if let Some(last) = entries.last_mut() {
                    last.lines.push(t);
                }
            }
        }
        i += 1;
    }
    (entries, lines.len())
}

/// The first line before the keys is the title when it looks like one;
/// the others go to the notes; bylines name the creators.
fn apply_pre_lines(draft: &mut Draft, pre: &PreLines<'_>) {
    for (n, &line) in pre.others.iter().enumerate() {
        if n == 0 && looks_like_title(line) {
            draft.title = Some(line.to_string());
        } else if let Some((key, value)) = split_key(line) {
            draft.add_note_field(key, value);
        } else {
            draft.add_note_text(line);
        }
    }
    for &name in &pre.bylines {
        draft.add_creators("Author", name);
    }
}

fn apply_entry(draft: &mut Draft, entry: &Entry<'_>, title_key: &mut Option<String>) {
    let key = entry.key;
    let value = entry.value();
    match field_of(key) {
        Some(Field::Title) => {
            if title_key.is_none() && !value.is_empty() {
                *title_key = Some(value);
            }
        }
        Some(Field::Creators) => draft.add_creators(key, &value),
        Some(Field::Fandom) => draft.add_tags(TagType::Fandom, key, &value),
        Some(Field::Relationship) => draft.add_tags(TagType::Relationship, key, &value),
        Some(Field::Character) => draft.add_tags(TagType::Character, key, &value),
        Some(Field::Summary) if draft.summary.is_none() => draft.set_summary(&value),
        Some(Field::Rating) => draft.set_rating(key, &value),
        Some(Field::Language) => draft.set_language(key, &value),
        Some(Field::Link) => {
            if draft.source_url.is_none() {
                draft.source_url = find_url(&value);
            }
            draft.add_note_field(key, &value);
        }
        Some(Field::Summary | Field::Note) | None => draft.add_note_field(key, &value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ficus_core::Rating;

    fn lines(text: &str) -> Vec<&str> {
        text.split('\n').collect()
    }

    #[test]
    fn a_header_fills_fields_and_notes() {
        let text = "My Title\nby Ann\n\nFandom: X\nRating: R\nSpoilers: all of it\nSummary: one\n  two\n\nStory starts.";
        let lines = lines(text);
        let old = parse(&lines).expect("header found");
        assert_eq!(old.draft.title.as_deref(), Some("My Title"));
        assert_eq!(old.draft.creators, ["Ann"]);
        assert_eq!(old.draft.rating, Some(Rating::Mature));
        assert_eq!(old.draft.summary.as_deref(), Some("one two"));
        assert_eq!(
            old.draft.notes,
            ["<p><strong>Spoilers:</strong> all of it</p>\n"]
        );
        assert_eq!(old.body, ["", "Story starts."]);
    }

    #[test]
    fn blank_lines_between_known_keys_do_not_end_the_header() {
        let text = "Title: T\nAuthor: A\n\nDisclaimer: not mine\n\n-----\n\nText.";
        let lines = lines(text);
        let old = parse(&lines).expect("header found");
        assert_eq!(old.draft.title.as_deref(), Some("T"));
        assert_eq!(old.draft.notes.len(), 1);
        assert_eq!(old.body, ["", "Text."]);
    }

    #[test]
    fn a_separator_ends_the_header_and_is_dropped() {
        let text = "Title: T\nAuthor: A\n*****\nText.";
        let lines = lines(text);
        let old = parse(&lines).expect("header found");
        assert_eq!(old.body, ["Text."]);
    }

    #[test]
    fn prose_and_dialogue_are_not_headers() {
        for text in [
            "He said: hi.\nShe said: bye.\n\nThey left.",
            "The rain fell.\nIt fell all day.\nNobody minded.\nThen it stopped.\nRating: who cares\nSummary: none",
            "Title: Only one key\n\nAnd then the story.",
        ] {
            let lines = lines(text);
            assert!(parse(&lines).is_none(), "{text}");
        }
    }

    #[test]
    fn title_key_wins_over_title_line() {
        let text = "Some Line\nTitle: Real Title\nAuthors: A and B\n\nBody";
        let lines = lines(text);
        let old = parse(&lines).expect("header found");
        assert_eq!(old.draft.title.as_deref(), Some("Real Title"));
        assert_eq!(old.draft.creators, ["A", "B"]);
    }
}
