//! Tokenizing: splitting the query into `OR`s and chunks (resolving quotes),
//! and normalising the words found in them.

use super::QueryError;

/// A piece of the query before interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    /// `OR` or `||`.
    Or,
    /// Anything else.
    Chunk(Chunk),
}

/// One whitespace-separated term as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Chunk {
    /// It began with `-`.
    pub(super) negated: bool,
    /// The unquoted text after any `-` (for `field:"x"`, the `field:` part).
    pub(super) head: String,
    /// The text between quotes, when the term had a quoted part.
    pub(super) quoted: Option<String>,
}

/// Whitespace and control characters (NUL, tabs…) separate terms.
pub(super) fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Splits the query into `OR`s and chunks, resolving quotes.
pub(super) fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let is_double_bar = |i: usize| chars.get(i) == Some(&'|') && chars.get(i + 1) == Some(&'|');
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_separator(chars[i]) {
            i += 1;
            continue;
        }
        if is_double_bar(i) {
            tokens.push(Token::Or);
            i += 2;
            continue;
        }
        let mut chunk = Chunk::default();
        if chars[i] == '-' {
            chunk.negated = true;
            i += 1;
        }
        while i < chars.len() && !is_separator(chars[i]) && !is_double_bar(i) {
            let c = chars[i];
            if c == '"' && (chunk.head.is_empty() || chunk.head.ends_with(':')) {
                let start = i + 1;
                let rest = chars.get(start..).unwrap_or(&[]);
                let Some(len) = rest.iter().position(|&q| q == '"') else {
                    return Err(QueryError::UnclosedQuote);
                };
                chunk.quoted = Some(rest[..len].iter().collect());
                // The closing quote ends the chunk.
                i = start + len + 1;
                break;
            }
            chunk.head.push(c);
            i += 1;
        }
        if !chunk.negated && chunk.quoted.is_none() && chunk.head == "OR" {
            tokens.push(Token::Or);
        } else {
            tokens.push(Token::Chunk(chunk));
        }
    }
    Ok(tokens)
}

// ---------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------

/// Lowercases a word and trims what is neither a letter nor a digit from its
/// ends (keeping combining marks at the end, so a decomposed `é` survives).
/// `None` when nothing is left.
pub(super) fn normalize_word(raw: &str) -> Option<String> {
    let word = raw
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches(|c: char| !c.is_alphanumeric() && !is_combining_mark(c));
    if word.is_empty() {
        None
    } else {
        Some(word.to_lowercase())
    }
}

/// Combining marks and other non-letter parts of words in common scripts
/// (an approximation of Unicode category M; std has no category tables).
fn is_combining_mark(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F // combining diacritical marks
            | 0x0483..=0x0489 // Cyrillic
            | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7 // Hebrew
            | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 // Arabic
            | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED
            | 0x0900..=0x0963 | 0x0966..=0x0DFF // Indic scripts, minus the dandas
            | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E // Thai
            | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF // more diacritics
            | 0x302A..=0x302F | 0x3099..=0x309A // CJK tone marks, kana voicing
            | 0xFE20..=0xFE2F // half marks
    )
}

/// Trims and collapses runs of whitespace to one space.
pub(super) fn collapse_whitespace(s: &str) -> String {
    s.split(is_separator)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
