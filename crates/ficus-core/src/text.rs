//! Characters that stored text never holds.
//!
//! XML 1.0 forbids most C0 control characters (everything below U+0020
//! but tab, newline and carriage return) and the non-characters U+FFFE and
//! U+FFFF; one of them in a title makes every Atom and OPDS feed that
//! carries the title unreadable for a strict parser. The C1 controls
//! (U+0080–U+009F) and DEL are allowed by XML but never meant in writing:
//! they come from mis-decoded files. Every text a person or an importer
//! gives goes through [`clean_line`] (one-line fields: titles, names, tags)
//! or [`clean_block`] (text that may span lines: summaries, notes,
//! chapter text), so none of these characters reaches the database.

use std::borrow::Cow;

/// Whether `c` is a character stored text never holds (see the module
/// documentation). Tab, newline and carriage return are not: a block of
/// text may hold them.
pub fn is_forbidden(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{b}'
        | '\u{c}'
        | '\u{e}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{fffe}'
        | '\u{ffff}')
}

/// Whether `s` may hold a character of [`is_forbidden`], judged from its
/// UTF-8 bytes (a fast check over a chapter's text; false means none).
fn may_hold_forbidden(s: &str) -> bool {
    // C0 controls and DEL; 0xC2 leads U+0080–U+00BF (the C1 controls
    // among them); 0xEF leads U+F000–U+FFFF (U+FFFE and U+FFFF).
    any_byte(s.as_bytes(), |b| {
        (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
            | (b == 0x7f)
            | (b == 0xc2)
            | (b == 0xef)
    })
}

/// Whether any byte of `bytes` is `hit`, checked 64 bytes at a time
/// without a branch per byte (so the compiler can vectorize the test).
pub fn any_byte(bytes: &[u8], hit: impl Fn(u8) -> bool) -> bool {
    bytes
        .chunks(64)
        .any(|chunk| chunk.iter().fold(false, |found, &b| found | hit(b)))
}

/// Text that may span lines, without the characters of [`is_forbidden`].
/// Borrows when there is nothing to drop (the usual case).
pub fn clean_block(s: &str) -> Cow<'_, str> {
    if may_hold_forbidden(s) && s.chars().any(is_forbidden) {
        Cow::Owned(s.chars().filter(|&c| !is_forbidden(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// One-line text: [`is_forbidden`] characters dropped, and tabs and line
/// breaks turned into spaces (a title has one line).
pub fn clean_line(s: &str) -> Cow<'_, str> {
    if s.chars()
        .any(|c| is_forbidden(c) || matches!(c, '\t' | '\n' | '\r'))
    {
        Cow::Owned(
            s.chars()
                .filter(|&c| !is_forbidden(c))
                .map(|c| {
                    if matches!(c, '\t' | '\n' | '\r') {
                        ' '
                    } else {
                        c
                    }
                })
                .collect(),
        )
    } else {
        Cow::Borrowed(s)
    }
}

/// [`clean_line`] in place.
pub fn clean_line_in(s: &mut String) {
    if let Cow::Owned(clean) = clean_line(s) {
        *s = clean;
    }
}

/// [`clean_block`] in place.
pub fn clean_block_in(s: &mut String) {
    if let Cow::Owned(clean) = clean_block(s) {
        *s = clean;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_xml_forbids_is_dropped() {
        for c in (0u32..0x20).filter_map(char::from_u32) {
            let kept = clean_block(&format!("a{c}b")).into_owned();
            if matches!(c, '\t' | '\n' | '\r') {
                assert_eq!(kept, format!("a{c}b"));
            } else {
                assert_eq!(kept, "ab", "U+{:04X}", c as u32);
            }
            assert!(!clean_line(&format!("a{c}b")).contains(c));
        }
        for c in [
            '\u{7f}', '\u{80}', '\u{85}', '\u{9f}', '\u{fffe}', '\u{ffff}',
        ] {
            assert_eq!(clean_block(&format!("a{c}b")), "ab");
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_untouched() {
        let s = "Ünïcödé — 日本語 \u{a0}text\nwith lines\t";
        assert!(matches!(clean_block(s), Cow::Borrowed(_)));
        assert_eq!(clean_line("a\r\nb\tc"), "a  b c");
        assert!(matches!(clean_line("plain title"), Cow::Borrowed(_)));
    }
}
