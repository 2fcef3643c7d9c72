//! Plain text: three layouts, detected in this order.
//!
//! 1. The text form of an AO3 work page (`Work Header` … `Work Text:`),
//!    whose work text may itself open with an old-style header
//!    ([`ao3`]).
//! 2. An old-style fan-fiction header of `Key: value` lines ([`oldstyle`]).
//! 3. Anything else: prose, whose first line is the title when it looks
//!    like one and stands apart.

mod ao3;
pub(crate) mod lines;
mod oldstyle;

use lines::{collapse_whitespace, looks_like_title, parse_byline, same_title};

use crate::draft::Draft;

/// Reads a decoded plain text (with `\n` line ends): what its header says,
/// and the story text that remains.
pub(crate) fn parse_plain(text: &str) -> (Draft, String) {
    let lines: Vec<&str> = text.split('\n').collect();
    let (draft, body) = read_layout(&lines);
    (draft, body.join("\n"))
}

fn read_layout<'a>(lines: &'a [&'a str]) -> (Draft, &'a [&'a str]) {
    if let Some(found) = ao3::parse(lines) {
        let mut draft = found.draft;
        if let Some(old) = oldstyle::parse(found.body) {
            draft.merge_fallback(old.draft);
            return (draft, old.body);
        }
        let body = match draft.title.as_deref() {
            Some(title) => drop_repeated_title(found.body, title),
            None => found.body,
        };
        return (draft, body);
    }
    if let Some(old) = oldstyle::parse(lines) {
        return (old.draft, old.body);
    }
    read_prose(lines)
}

/// The first non-empty line and its index.
fn first_non_empty<'a>(lines: &[&'a str]) -> Option<(usize, &'a str)> {
    lines
        .iter()
        .enumerate()
        .find(|(_, l)| !l.trim().is_empty())
        .map(|(i, &l)| (i, l))
}

/// Drops the first non-empty line when it repeats the title.
fn drop_repeated_title<'a>(body: &'a [&'a str], title: &str) -> &'a [&'a str] {
    match first_non_empty(body) {
        Some((i, first)) if same_title(first, title) => body.get(i + 1..).unwrap_or_default(),
        _ => body,
    }
}

/// Layout 3: the first non-empty line is the title when it looks like one,
/// is followed by a blank line or a byline, and text remains after it.
fn read_prose<'a>(lines: &'a [&'a str]) -> (Draft, &'a [&'a str]) {
    let Some((i, first)) = first_non_empty(lines) else {
        return (Draft::default(), lines);
    };
    if !looks_like_title(first) {
        return (Draft::default(), lines);
    }
    let mut draft = Draft::default();
    let mut rest_at = i + 1;
    match lines.get(rest_at).copied() {
        Some(next) if next.trim().is_empty() => {}
        Some(next) => match parse_byline(next) {
            Some(name) => {
                draft.add_creators("Author", name);
                rest_at += 1;
            }
            None => return (Draft::default(), lines),
        },
        None => return (Draft::default(), lines),
    }
    let rest = lines.get(rest_at..).unwrap_or_default();
    if rest.iter().all(|l| l.trim().is_empty()) {
        return (Draft::default(), lines);
    }
    draft.title = Some(collapse_whitespace(first));
    (draft, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_with_a_title_line() {
        let (d, body) = parse_plain("\n  A Quiet Night  \n\nThe snow fell.\n");
        assert_eq!(d.title.as_deref(), Some("A Quiet Night"));
        assert_eq!(body, "\nThe snow fell.\n");
    }

    #[test]
    fn prose_with_a_title_and_byline() {
        let (d, body) = parse_plain("A Quiet Night\nby Ann & Bea\nThe snow fell.");
        assert_eq!(d.title.as_deref(), Some("A Quiet Night"));
        assert_eq!(d.creators, ["Ann", "Bea"]);
        assert_eq!(body, "The snow fell.");
    }

    #[test]
    fn prose_without_a_title() {
        for text in [
            "It was a dark and stormy night, and the rain fell in torrents.\n\nThen it stopped.",
            "Short line\nthat runs on into the next.",
            "Only One Line",
        ] {
            let (d, body) = parse_plain(text);
            assert_eq!(d.title, None, "{text}");
            assert_eq!(body, text);
        }
    }

    #[test]
    fn ao3_title_repeated_in_the_text_is_dropped() {
        let (d, body) =
            parse_plain("Work Header\n\nSmall Hours\n\nWork Text:\n\nSMALL HOURS\n\nThe kettle.");
        assert_eq!(d.title.as_deref(), Some("Small Hours"));
        assert_eq!(body, "\nThe kettle.");
    }

    #[test]
    fn ao3_values_win_over_the_inner_header() {
        let text = "Work Header\nRating: Mature\nFandom: Outer\nOuter Title\nWork Text:\nInner Title\nAuthor: Ann\nFandom: Inner\nRating: G\nDisclaimer: not mine\n\nStory.";
        let (d, body) = parse_plain(text);
        assert_eq!(d.title.as_deref(), Some("Outer Title"));
        assert_eq!(d.creators, ["Ann"]);
        assert_eq!(d.rating, Some(ficus_core::Rating::Mature));
        assert_eq!(d.tags.len(), 1);
        assert_eq!(d.tags[0].name.as_str(), "Outer");
        assert_eq!(d.notes, ["<p><strong>Disclaimer:</strong> not mine</p>\n"]);
        assert_eq!(body, "\nStory.");
    }
}
