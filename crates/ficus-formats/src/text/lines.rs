//! Small line-level readers shared by the plain-text layouts: header keys,
//! bylines, separators, title-like lines and URLs.

/// Longest header key, in characters (`Author's Notes`, `Acknowledgements`).
const MAX_KEY_CHARS: usize = 30;
/// Most words in a header key.
const MAX_KEY_WORDS: usize = 4;
/// Longest line taken as a title, in characters.
const MAX_TITLE_LINE_CHARS: usize = 100;
/// Most words in a line taken as a title.
const MAX_TITLE_LINE_WORDS: usize = 15;
/// Most words in a byline's name part.
const MAX_BYLINE_WORDS: usize = 8;

/// Trims and collapses runs of whitespace to single spaces.
pub fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether two titles are the same, ignoring case and spacing.
pub fn same_title(a: &str, b: &str) -> bool {
    collapse_whitespace(a).to_lowercase() == collapse_whitespace(b).to_lowercase()
}

/// Leading whitespace of a line, in characters (a tab counts as one).
pub fn indent_of(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// Splits `Key: value` when the part before the first colon has the shape
/// of a header key: at most 30 characters and 4 words, starting with a
/// letter, made of letters, digits, spaces, apostrophes, hyphens and
/// slashes (`A/N`), optionally ending in `(s)`. URLs (`http://…`) are not
/// keys. The value is trimmed and may be empty.
pub fn split_key(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.trim().split_once(':')?;
    let key = key.trim_end();
    if value.starts_with("//") || !is_key_shaped(key) {
        return None;
    }
    Some((key, value.trim()))
}

fn is_key_shaped(key: &str) -> bool {
    let bare = key.strip_suffix("(s)").unwrap_or(key);
    let chars = key.chars().count();
    chars > 0
        && chars <= MAX_KEY_CHARS
        && key.split_whitespace().count() <= MAX_KEY_WORDS
        && bare.chars().next().is_some_and(char::is_alphabetic)
        && bare
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '\'' | '\u{2019}' | '-' | '/'))
}

/// The form keys are compared in: lowercase, single-spaced, straight
/// apostrophes, without a trailing `(s)`.
pub fn normalize_key(key: &str) -> String {
    let key = key.trim();
    let key = key.strip_suffix("(s)").unwrap_or(key);
    collapse_whitespace(key)
        .to_lowercase()
        .replace('\u{2019}', "'")
}

/// Whether a line only separates: three or more of `- = * ~ _ #`,
/// possibly spaced (`* * *`).
pub fn is_separator(line: &str) -> bool {
    let mut count = 0;
    for c in line.chars().filter(|c| !c.is_whitespace()) {
        if !matches!(c, '-' | '=' | '*' | '~' | '_' | '#') {
            return false;
        }
        count += 1;
    }
    count >= 3
}

/// The name part of a byline: `by NAME`, `By: NAME`, `written by NAME`.
/// Refuses lines that read like a sentence (ending in `.`, `!` or `?`, or
/// too many words).
pub fn parse_byline(line: &str) -> Option<&str> {
    let t = line.trim();
    let rest = strip_prefix_ci(t, "written by")
        .or_else(|| strip_prefix_ci(t, "by:"))
        .or_else(|| strip_prefix_ci(t, "by").filter(|r| r.starts_with(char::is_whitespace)))?;
    let name = rest.trim_start_matches(':').trim();
    let ends_like_sentence = name.ends_with(['.', '!', '?', ';', ':']);
    let words = name.split_whitespace().count();
    (!name.is_empty() && !ends_like_sentence && words <= MAX_BYLINE_WORDS).then_some(name)
}

/// `s` without `prefix` (ASCII case-insensitive), if it starts with it.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

/// Whether a line could be a title: some letters or digits, at most 100
/// characters and 15 words, not ending like a sentence (`.`, `,`, `;`,
/// `:`, `…`; `!` and `?` are fine), not a header key or separator.
pub fn looks_like_title(line: &str) -> bool {
    let t = line.trim();
    if t.is_empty()
        || t.chars().count() > MAX_TITLE_LINE_CHARS
        || t.split_whitespace().count() > MAX_TITLE_LINE_WORDS
        || !t.chars().any(char::is_alphanumeric)
        || is_separator(t)
        || find_url(t).is_some()
    {
        return false;
    }
    let end = t.trim_end_matches(['"', '\'', '\u{201d}', '\u{2019}', ')', ']', '*', '_']);
    !end.ends_with(['.', ',', ';', ':', '\u{2026}'])
}

/// The first `http://` or `https://` URL in a line, without surrounding
/// brackets, quotes or trailing punctuation.
pub fn find_url(line: &str) -> Option<String> {
    line.split_whitespace().find_map(|token| {
        let token = token.trim_start_matches(['<', '(', '[', '"', '\'']);
        let is_url = strip_prefix_ci(token, "https://").is_some()
            || strip_prefix_ci(token, "http://").is_some();
        if !is_url {
            return None;
        }
        let url = token.trim_end_matches(['>', ')', ']', '"', '\'', '.', ',', ';', '!', '?']);
        (url.len() > "https://".len()).then(|| url.to_string())
    })
}

/// Creator names from a byline or `Author:` value: split on `,`, `&`,
/// `;` and ` and `, with e-mail addresses and links in brackets removed.
pub fn split_creators(value: &str) -> Vec<String> {
    let mut names = Vec::new();
    for part in value.split([',', '&', ';']) {
        for piece in split_on_and(part) {
            let name = strip_contacts(piece);
            let name = name.trim_matches(|c: char| c.is_whitespace() || matches!(c, '-' | ':'));
            if !name.is_empty() {
                names.push(name.to_string());
            }
        }
    }
    names
}

fn split_on_and(s: &str) -> Vec<&str> {
    let lower = s.to_ascii_lowercase();
    let mut pieces = Vec::new();
    let mut start = 0;
    // ASCII lowercasing keeps byte offsets, so positions in `lower` are
    // positions in `s`.
    while let Some(pos) = lower[start..].find(" and ") {
        let at = start + pos;
        pieces.push(&s[start..at]);
        start = at + " and ".len();
    }
    pieces.push(&s[start..]);
    pieces
}

/// Removes bracketed parts holding an e-mail address or link:
/// `Jane Doe <jane@example.org>` → `Jane Doe`.
fn strip_contacts(name: &str) -> String {
    let mut out = name.to_string();
    for (open, close) in [('<', '>'), ('(', ')'), ('[', ']')] {
        if let Some(start) = out.find(open)
            && let Some(len) = out[start..].find(close)
        {
            let end = start + len + close.len_utf8();
            let inner = &out[start..end];
            if inner.contains('@') || inner.contains("://") {
                out.replace_range(start..end, " ");
            }
        }
    }
    collapse_whitespace(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_a_narrow_shape() {
        assert_eq!(split_key("Title: The Road"), Some(("Title", "The Road")));
        assert_eq!(
            split_key("  Author's Notes:  hi "),
            Some(("Author's Notes", "hi"))
        );
        assert_eq!(split_key("Summary:"), Some(("Summary", "")));
        assert_eq!(split_key("A/N: thanks"), Some(("A/N", "thanks")));
        assert_eq!(
            split_key("Character(s): Ann"),
            Some(("Character(s)", "Ann"))
        );
        assert_eq!(split_key("http://example.org/"), None);
        assert_eq!(split_key("10:30 came and went"), None);
        assert_eq!(split_key("\"Well,\" she said: no."), None);
        assert_eq!(
            split_key("And then the rain came down on all of us: it was wet"),
            None
        );
        assert_eq!(split_key("No colon here"), None);
    }

    #[test]
    fn keys_normalize() {
        assert_eq!(normalize_key("Author\u{2019}s  NOTES"), "author's notes");
        assert_eq!(normalize_key("Character(s)"), "character");
    }

    #[test]
    fn separators() {
        for line in ["---", "=====", " * * * ", "~~~~~~~", "___", "###", "-=-=-="] {
            assert!(is_separator(line), "{line}");
        }
        for line in ["--", "- a -", "", "***x"] {
            assert!(!is_separator(line), "{line}");
        }
    }

    #[test]
    fn bylines() {
        assert_eq!(parse_byline("by Jane Doe"), Some("Jane Doe"));
        assert_eq!(parse_byline("By: Jane Doe"), Some("Jane Doe"));
        assert_eq!(
            parse_byline("  Written by J. R. Smith "),
            Some("J. R. Smith")
        );
        assert_eq!(parse_byline("Bye now"), None);
        assert_eq!(parse_byline("by"), None);
        assert_eq!(
            parse_byline("By the time she came home, it was dark."),
            None
        );
    }

    #[test]
    fn titles() {
        assert!(looks_like_title("The Lighthouse Keeper's Cat"));
        assert!(looks_like_title("Where Did You Go?"));
        assert!(looks_like_title("\"Run!\""));
        assert!(!looks_like_title("It was late, and she was tired."));
        assert!(!looks_like_title("Wait..."));
        assert!(!looks_like_title("* * *"));
        assert!(!looks_like_title(&"word ".repeat(16)));
        assert!(!looks_like_title("https://archiveofourown.org/works/1"));
    }

    #[test]
    fn urls() {
        assert_eq!(
            find_url("Archive: <https://example.org/a>.").as_deref(),
            Some("https://example.org/a")
        );
        assert_eq!(
            find_url("Posted at http://archiveofourown.org/works/123.").as_deref(),
            Some("http://archiveofourown.org/works/123")
        );
        assert_eq!(find_url("no links"), None);
    }

    #[test]
    fn creators_split_and_lose_contacts() {
        assert_eq!(split_creators("Jane Doe"), ["Jane Doe"]);
        assert_eq!(
            split_creators("Ann, Bea and Cy & Di"),
            ["Ann", "Bea", "Cy", "Di"]
        );
        assert_eq!(split_creators("Jane Doe <jane@example.org>"), ["Jane Doe"]);
        assert_eq!(split_creators("Jane (jane@example.org)"), ["Jane"]);
        assert_eq!(split_creators("Sandy (the writer)"), ["Sandy (the writer)"]);
        assert!(split_creators(" , ").is_empty());
    }

    #[test]
    fn same_titles_ignore_case_and_spacing() {
        assert!(same_title("Small  Hours", " small hours"));
        assert!(!same_title("Small Hours", "Small Hour"));
    }
}
