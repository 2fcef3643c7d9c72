//! Bytes to text: refusing empty, binary and oversized files, choosing
//! between UTF-8 and Windows-1252, and normalizing line ends.

use std::borrow::Cow;

use crate::{HEADER_ALLOWANCE_BYTES, ImportError, MAX_CHAPTER_BYTES};

/// How many leading bytes are examined for control characters.
const SNIFF_BYTES: usize = 8 * 1024;

/// Text decoded from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with `\n` line ends only.
    pub text: String,
    /// `utf-8` or `windows-1252`.
    pub encoding: &'static str,
}

/// Decodes a file's bytes.
///
/// A UTF-8 byte-order mark is dropped. Valid UTF-8 is read as UTF-8;
/// anything else as Windows-1252 (which also covers ISO-8859-1). Line ends
/// become `\n`, form feeds become line breaks, and other control characters
/// except tabs are removed.
pub fn decode(bytes: &[u8]) -> Result<Decoded, ImportError> {
    if bytes.len() > MAX_CHAPTER_BYTES + HEADER_ALLOWANCE_BYTES {
        return Err(ImportError::TooLarge {
            bytes: bytes.len(),
            limit: MAX_CHAPTER_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportError::Empty);
    }
    if looks_binary(bytes) {
        return Err(ImportError::Binary);
    }
    let (raw, encoding): (Cow<'_, str>, &'static str) = match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), "utf-8"),
        Err(_) => {
            let (text, _had_errors) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, "windows-1252")
        }
    };
    let text = normalize(&raw);
    if text.len() > MAX_CHAPTER_BYTES {
        return Err(ImportError::TooLarge {
            bytes: text.len(),
            limit: MAX_CHAPTER_BYTES,
        });
    }
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(Decoded { text, encoding })
}

/// Whether the bytes are binary: any NUL byte, or more than a tenth of the
/// first 8 KB being control characters other than tab, line feed, carriage
/// return and form feed.
pub fn looks_binary(bytes: &[u8]) -> bool {
    if bytes.contains(&0) {
        return true;
    }
    let sample = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let controls = sample
        .iter()
        .filter(|&&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)) || b == 0x7f)
        .count();
    controls * 10 > sample.len()
}

/// Turns `\r\n` and `\r` into `\n` and form feeds into line breaks, and
/// drops other control characters except tabs.
pub fn normalize(text: &str) -> String {
    // Usually there is nothing to change: no carriage return, form feed
    // or other control character (C0 and DEL below 0x80; the C1 controls
    // are U+0080–U+009F, led by the byte 0xC2).
    let unchanged = !ficus_core::text::any_byte(text.as_bytes(), |b| {
        (b < 0x20 && b != b'\n' && b != b'\t') | (b == 0x7f) | (b == 0xc2)
    });
    if unchanged {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\u{0c}' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_is_kept_and_bom_dropped() {
        let d = decode("\u{feff}Café\r\nline\rnext".as_bytes()).expect("decodes");
        assert_eq!(d.text, "Café\nline\nnext");
        assert_eq!(d.encoding, "utf-8");
    }

    #[test]
    fn invalid_utf8_is_windows_1252() {
        let d = decode(b"\x93Hi\x94 \x97 caf\xe9").expect("decodes");
        assert_eq!(d.text, "\u{201c}Hi\u{201d} \u{2014} café");
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn empty_and_whitespace_are_empty() {
        assert!(matches!(decode(b""), Err(ImportError::Empty)));
        assert!(matches!(decode(b" \n\t\r\n "), Err(ImportError::Empty)));
        assert!(matches!(
            decode(b"\xEF\xBB\xBF  \n"),
            Err(ImportError::Empty)
        ));
        // A no-break space alone (0xA0 in Windows-1252) is whitespace too.
        assert!(matches!(decode(b"\xa0\n"), Err(ImportError::Empty)));
    }

    #[test]
    fn binary_is_refused() {
        assert!(matches!(
            decode(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(ImportError::Binary)
        ));
        assert!(matches!(
            decode(b"ab\x01\x02\x03\x04cd"),
            Err(ImportError::Binary)
        ));
        // One stray control character in plenty of text is fine, and dropped.
        let d = decode(b"Some ordinary text with one \x1a stray byte.").expect("decodes");
        assert_eq!(d.text, "Some ordinary text with one  stray byte.");
    }

    #[test]
    fn form_feeds_break_lines() {
        assert_eq!(normalize("a\u{0c}b\tc\u{7}"), "a\nb\tc");
    }

    #[test]
    fn oversized_raw_input_is_refused_undecoded() {
        let bytes = vec![b'a'; MAX_CHAPTER_BYTES + HEADER_ALLOWANCE_BYTES + 1];
        match decode(&bytes) {
            Err(ImportError::TooLarge { bytes: n, limit }) => {
                assert_eq!(n, bytes.len());
                assert_eq!(limit, MAX_CHAPTER_BYTES);
            }
            other => panic!("expected TooLarge, got {other:?}"),
        }
    }

    #[test]
    fn oversized_decoded_text_is_refused() {
        // Each 0x93 becomes a three-byte quote, so the text outgrows the limit
        // although the raw bytes are within the allowance.
        let bytes = vec![0x93_u8; MAX_CHAPTER_BYTES / 2];
        assert!(matches!(decode(&bytes), Err(ImportError::TooLarge { .. })));
    }
}
