//! Export: a stored work as a file readers take anywhere — EPUB 3 (with an
//! EPUB 2 NCX), a typeset PDF, one self-contained HTML file, or plain text.
//!
//! Callers build an [`ExportWork`] (the store's records mapped by the web
//! layer or the CLI); every writer is a pure function of it, so the same
//! work always gives the same bytes.
//!
//! - `html.rs`: the HTML file, and what the other writers share with it
//!   (the preface's labelled lines, the preface and chapter markup, titles,
//!   labels, language tags, safe URLs).
//! - `epub.rs`: the EPUB package (documents, OPF, NCX, navigation, zip);
//!   `xhtml/` re-serializes stored HTML as valid XHTML for it, and `xml.rs`
//!   escapes XML text.
//! - `pdf/`: typst as a library (`mod.rs`), the `World` it compiles in
//!   (`world.rs`), the JSON data the template `pdf.typ` reads (`layout.rs`)
//!   and stored HTML as that data's blocks (`blocks.rs`).
//! - `txt.rs`: plain text.
//!
//! Importing lives in `ficus-formats`, which never depends on this crate
//! (only this crate's tests use it, to read downloads back).

use chrono::NaiveDate;

mod epub;
mod html;
mod pdf;
#[cfg(test)]
mod round_trip;
#[cfg(test)]
pub(crate) mod sample;
mod txt;
mod xhtml;
mod xml;

pub use epub::to_epub;
pub use html::to_html;
pub use pdf::to_pdf;
pub use txt::to_txt;

/// The download formats, with AO3's file extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Epub,
    Pdf,
    Html,
    Txt,
}

impl Format {
    /// Every format, in the order the download menu lists them (AO3's
    /// order, less the Kindle formats).
    pub const ALL: [Format; 4] = [Format::Epub, Format::Pdf, Format::Html, Format::Txt];

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
            Format::Html => "html",
            Format::Txt => "txt",
        }
    }

    /// The label in the download menu.
    pub fn label(self) -> &'static str {
        match self {
            Format::Epub => "EPUB",
            Format::Pdf => "PDF",
            Format::Html => "HTML",
            Format::Txt => "TXT",
        }
    }

    /// The media type served.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Epub => "application/epub+zip",
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
            Format::Txt => "text/plain; charset=utf-8",
        }
    }

    /// Parses an extension.
    pub fn from_extension(ext: &str) -> Option<Format> {
        Format::ALL
            .into_iter()
            .find(|f| f.extension().eq_ignore_ascii_case(ext))
    }

    /// Writes `work` in this format.
    pub fn write(self, work: &ExportWork) -> Result<Vec<u8>, ExportError> {
        match self {
            Format::Epub => to_epub(work),
            Format::Pdf => to_pdf(work),
            Format::Html => Ok(to_html(work).into_bytes()),
            Format::Txt => Ok(to_txt(work).into_bytes()),
        }
    }
}

/// Why an export failed: only the EPUB's zip writer and the PDF's
/// typesetter can fail (HTML and TXT always succeed).
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write the EPUB archive: {0}")]
    Zip(String),
    /// typst reported errors (their messages, joined).
    #[error("cannot typeset the PDF: {0}")]
    Typeset(String),
}

/// One chapter as exported. HTML fields are sanitized stored HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportChapter {
    /// 1-based position.
    pub position: u32,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    pub body: String,
    pub published: NaiveDate,
}

/// A work as exported: everything the preface shows, and its chapters.
/// HTML fields (`summary`, `notes`, `end_notes`, chapter texts) are the
/// archive's sanitized stored HTML; everything else is plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportWork {
    pub id: i64,
    pub title: String,
    pub creators: Vec<String>,
    pub rating: String,
    pub warnings: Vec<String>,
    pub categories: Vec<String>,
    pub fandoms: Vec<String>,
    pub relationships: Vec<String>,
    pub characters: Vec<String>,
    pub freeforms: Vec<String>,
    /// BCP 47 code or name as stored; `None` when unknown.
    pub language: Option<String>,
    /// (series title, position) pairs.
    pub series: Vec<(String, u32)>,
    pub published: NaiveDate,
    pub updated: NaiveDate,
    pub complete: bool,
    pub words: i64,
    pub chapter_count: u32,
    /// `None` when the total is unknown (`2/?`).
    pub expected_chapters: Option<u32>,
    pub kudos: i64,
    pub hits: i64,
    pub comments: i64,
    pub bookmarks: i64,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    /// Where the work lives (this archive's URL) or came from.
    pub source_url: Option<String>,
    pub chapters: Vec<ExportChapter>,
}

impl ExportWork {
    /// "1/1", "2/?", "3/10".
    pub fn chapters_text(&self) -> String {
        match self.expected_chapters {
            Some(n) => format!("{}/{}", self.chapter_count, n),
            None if self.complete => format!("{0}/{0}", self.chapter_count),
            None => format!("{}/?", self.chapter_count),
        }
    }

    /// The file-name stem of its download URLs (see [`slug`]).
    pub fn slug(&self) -> String {
        slug(&self.title)
    }
}

/// The file-name slug of download URLs, AO3 style: ASCII letters and
/// digits, runs of anything else as one underscore, at most 48
/// characters; "Work" when nothing is left.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut gap = false;
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push('_');
            }
            gap = false;
            out.push(c);
        } else {
            gap = true;
        }
        if out.len() >= 48 {
            break;
        }
    }
    if out.is_empty() {
        "Work".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("The Title: Part 2!"), "The_Title_Part_2");
        assert_eq!(slug("日本語"), "Work");
        assert_eq!(slug("!!!"), "Work");
    }
}
