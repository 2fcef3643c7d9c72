//! Ficus import formats: turning files people already have into works.
//!
//! [`parse_file`] reads one file (plain text or HTML) into a
//! [`ficus_core::NewWork`] that passes [`ficus_core::NewWork::validate`].
//!
//! - [`decode`]: bytes to text (UTF-8 or Windows-1252), refusing empty,
//!   binary and oversized files.
//! - Plain text (`.txt`, `.text`) comes in three layouts, detected
//!   automatically: the text form of an AO3 work page (`Work Header` …
//!   `Work Text:`), the old mailing-list header (`Title:`, `Author:`,
//!   `Disclaimer:` …), and bare prose with an optional title line.
//! - HTML (`.html`, `.htm`): an HTML download (AO3's or Ficus's, with a
//!   `#preface` and `#chapters`) keeps its metadata and every chapter;
//!   any other page is one chapter. Everything is sanitized.
//!
//! Nothing is guessed that the file does not say: the language, for one,
//! stays unknown, and creators stay empty unless a byline names them.

use std::path::Path;

use chrono::NaiveDate;
use ficus_core::html::plain_text_to_html;
use ficus_core::{NewWork, WorkOrigin};
use sha2::{Digest, Sha256};

pub mod decode;
mod download_import;
mod draft;
mod epub_import;
mod error;
mod html_import;
mod text;

pub use error::ImportError;

/// Most text one chapter may hold, in bytes of UTF-8; larger files are refused.
pub const MAX_CHAPTER_BYTES: usize = 5 * 1024 * 1024;

/// Extra raw bytes allowed on top of [`MAX_CHAPTER_BYTES`] for headers and
/// markup before a file is refused without being decoded.
pub const HEADER_ALLOWANCE_BYTES: usize = 64 * 1024;

/// File extensions the importer reads (compared case-insensitively).
pub const IMPORTABLE_EXTENSIONS: [&str; 5] = ["txt", "text", "html", "htm", "epub"];

/// The two kinds of file the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    PlainText,
    Html,
    Epub,
}

impl Format {
    fn of(path: &Path) -> Result<Format, ImportError> {
        let ext = extension_of(path);
        match ext.as_str() {
            "txt" | "text" => Ok(Format::PlainText),
            "html" | "htm" => Ok(Format::Html),
            "epub" => Ok(Format::Epub),
            _ => Err(ImportError::UnsupportedExtension(ext)),
        }
    }
}

/// The lowercased extension of `path`, or an empty string when it has none.
fn extension_of(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// Parses one file's bytes into a work.
///
/// `path` gives the format (by extension), the fallback title (the file
/// stem) and `origin.source_path`. `today` dates the work when the file
/// gives no dates. The result always passes [`NewWork::validate`].
pub fn parse_file(path: &Path, bytes: &[u8], today: NaiveDate) -> Result<NewWork, ImportError> {
    parse_file_hashed(path, bytes, content_hash(bytes), today)
}

/// [`parse_file`] for a caller that already computed `hash` =
/// [`content_hash`]`(bytes)` (the importer does, to skip known files early).
pub fn parse_file_hashed(
    path: &Path,
    bytes: &[u8],
    hash: String,
    today: NaiveDate,
) -> Result<NewWork, ImportError> {
    let format = Format::of(path)?;
    if format == Format::Epub {
        let origin = WorkOrigin {
            source_path: Some(path.display().to_string()),
            source_url: None,
            content_hash: Some(hash),
            text_encoding: Some("utf-8".to_string()),
        };
        return epub_import::parse_epub(bytes)?.into_work(&stem_title(path), today, origin);
    }
    let decoded = decode::decode(bytes)?;
    let origin = WorkOrigin {
        source_path: Some(path.display().to_string()),
        source_url: None,
        content_hash: Some(hash),
        text_encoding: Some(decoded.encoding.to_string()),
    };
    let (draft, body) = match format {
        Format::PlainText => {
            let (draft, text) = text::parse_plain(&decoded.text);
            (draft, plain_text_to_html(&text))
        }
        Format::Epub => unreachable!("EPUB files return above"),
        Format::Html => {
            let doc = scraper::Html::parse_document(&decoded.text);
            if let Some(download) = download_import::parse_download(&doc) {
                return download?.into_work(&stem_title(path), today, origin);
            }
            html_import::parse_html_document(doc)?
        }
    };
    if body.trim().is_empty() {
        return Err(ImportError::NoText);
    }
    draft.into_work(body, &stem_title(path), today, origin)
}

/// Hex SHA-256 of `bytes` (lowercase, 64 characters): the identity of an
/// imported file, so importing the same file twice finds the first work.
pub fn content_hash(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(digest.len() * 2);
    for &byte in digest.iter() {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// Whether [`parse_file`] reads files with this path's extension
/// (`txt`, `text`, `html`, `htm`, in any case).
pub fn is_importable(path: &Path) -> bool {
    Format::of(path).is_ok()
}

/// The title used when a file names none: its stem with underscores and
/// dashes read as spaces, or "Untitled".
fn stem_title(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let spaced: String = stem
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    let title = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    if title.is_empty() {
        "Untitled".to_string()
    } else {
        title
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 5, 6).expect("valid date")
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(
            content_hash(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            content_hash(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn importable_extensions_ignore_case() {
        for name in [
            "a.txt",
            "a.TXT",
            "a.text",
            "a.html",
            "a.HTM",
            "dir/b.Html",
            "a.EPUB",
        ] {
            assert!(is_importable(Path::new(name)), "{name}");
        }
        for name in ["a.pdf", "a", "a.txt.gz", ".txt", "a.mobi"] {
            assert!(!is_importable(Path::new(name)), "{name}");
        }
        for ext in IMPORTABLE_EXTENSIONS {
            assert!(is_importable(Path::new(&format!("x.{ext}"))), "{ext}");
        }
    }

    #[test]
    fn unsupported_extensions_are_refused_before_reading() {
        let err = parse_file(Path::new("story.docx"), b"Hello", day()).unwrap_err();
        assert!(
            matches!(err, ImportError::UnsupportedExtension(ref e) if e == "docx"),
            "{err}"
        );
        let err = parse_file(Path::new("story"), b"Hello", day()).unwrap_err();
        assert!(
            matches!(err, ImportError::UnsupportedExtension(ref e) if e.is_empty()),
            "{err}"
        );
        assert!(!err.to_string().contains('\n'));
    }

    #[test]
    fn stem_titles_read_separators_as_spaces() {
        assert_eq!(
            stem_title(Path::new("/x/the_long-road__home.txt")),
            "the long road home"
        );
        assert_eq!(stem_title(Path::new("/x/___.txt")), "Untitled");
    }

    #[test]
    fn origin_is_recorded() {
        let bytes = b"Just some words.\n";
        let work = parse_file(Path::new("/in/just_words.txt"), bytes, day()).expect("parses");
        assert_eq!(
            work.origin.source_path.as_deref(),
            Some("/in/just_words.txt")
        );
        assert_eq!(work.origin.content_hash, Some(content_hash(bytes)));
        assert_eq!(work.origin.text_encoding.as_deref(), Some("utf-8"));
        assert_eq!(work.title, "just words");
        assert_eq!(work.published, day());
        assert_eq!(work.updated, day());
        assert!(work.complete);
        assert_eq!(work.expected_chapters, Some(1));
        assert_eq!(work.validate(), Ok(()));
    }
}
