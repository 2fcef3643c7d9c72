//! PDF: the work typeset by [typst](https://typst.app) used as a library —
//! justified, hyphenated text on A5 pages with page numbers, a title page
//! with the preface, a table of contents, each chapter on a new page, and
//! the work's end notes in an afterword.
//!
//! **Data, never markup.** The layout is a fixed typst template
//! (`pdf.typ`, compiled in). Everything a work's people wrote — titles,
//! names, tags, summaries, notes, chapter texts — is turned into a JSON
//! value (`work_json`) that the template loads with
//! `json("/work.json")` and places as strings, which typst always shows as
//! they are. User text is never spliced into typst source, so `#`, `[`,
//! `$`, `*`, `<label>` and the like in a work are just characters. The
//! stored (sanitized) HTML is converted into a small block model first —
//! paragraphs of styled runs, headings, quotes, lists, rules, preformatted
//! text and tables — with whitespace collapsed as a browser would; images
//! become their alternative text (nothing is fetched). The [`World`](typst::World) the
//! compiler sees serves exactly two files, the template and the JSON, and
//! refuses every other path, so a template cannot read the disk either.
//!
//! **Fonts.** typst's embedded fonts (Libertinus Serif covers Latin,
//! Greek and Cyrillic) plus the system's, scanned once per process
//! (CJK comes from e.g. Debian's `fonts-noto-cjk`; typst falls back across
//! every known font for characters the listed ones lack). The fonts used
//! are embedded, subset, in the PDF.
//!
//! **Determinism.** The document's date is the work's update date, its
//! identifier is derived from the work's id, and nothing reads the clock,
//! so the same work gives the same bytes (on the same set of fonts).
//!
//! typst memoizes compilation globally; the whole cache is evicted after
//! every build. Downloads are cached on disk, so the same work is rarely
//! typeset twice, and different works share almost nothing: keeping
//! entries would only grow a long-running server's memory (and would make
//! repeated benchmark builds look faster than a real first build).
//!
//! - `mod.rs`: [`to_pdf`]: typesetting and the PDF export.
//! - `world.rs`: the `World` (template, data, fonts, date).
//! - `layout.rs`: the work as the template's JSON data (`work_json`) and
//!   the block model (`Style`, `Run`, `Block`) it is written from.
//! - `blocks.rs`: stored HTML as blocks.
//! - `pdf.typ`: the template.

use typst::diag::SourceDiagnostic;
use typst::foundations::Smart;
use typst_pdf::{PdfOptions, Timestamp};

use crate::{ExportError, ExportWork};

mod blocks;
mod layout;
mod world;

use layout::work_json;
use world::{PdfWorld, datetime_of};

/// Writes `work` as a PDF.
///
/// Fails only if typst reports an error (which the template and the data
/// model are built to avoid for any input).
pub fn to_pdf(work: &ExportWork) -> Result<Vec<u8>, ExportError> {
    let data = serde_json::to_vec(&work_json(work))
        .map_err(|e| ExportError::Typeset(format!("cannot encode the work: {e}")))?;
    let world = PdfWorld::new(data, work.updated)?;
    let result = typeset(&world, work);
    typst::comemo::evict(0);
    result
}

/// Compiles the template and exports the document.
fn typeset(world: &PdfWorld, work: &ExportWork) -> Result<Vec<u8>, ExportError> {
    // The document type (typst-layout's `PagedDocument`) is inferred from
    // the `typst_pdf::pdf` call.
    let document = typst::compile(world)
        .output
        .map_err(|errors| typeset_error(&errors))?;
    let options = PdfOptions {
        ident: Smart::Custom(format!("urn:ficus:work:{}", work.id)),
        timestamp: datetime_of(work.updated).map(Timestamp::new_utc),
        ..PdfOptions::default()
    };
    typst_pdf::pdf(&document, &options).map_err(|errors| typeset_error(&errors))
}

/// typst's errors as one message.
fn typeset_error(errors: &[SourceDiagnostic]) -> ExportError {
    let messages: Vec<&str> = errors.iter().map(|e| e.message.as_str()).collect();
    ExportError::Typeset(if messages.is_empty() {
        "unknown error".to_string()
    } else {
        messages.join("; ")
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::ExportChapter;
    use crate::sample::{awkward, sample};

    #[test]
    fn the_sample_works_typeset() {
        let pdf = to_pdf(&sample()).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 10_000, "{} bytes", pdf.len());
        let pdf = to_pdf(&awkward()).expect("awkward pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let mut empty = sample();
        empty.title = " ".into();
        empty.chapters.clear();
        empty.summary = None;
        empty.notes = None;
        empty.end_notes = None;
        assert!(to_pdf(&empty).expect("empty pdf").starts_with(b"%PDF-"));
    }

    #[test]
    fn the_same_work_gives_the_same_bytes() {
        let work = sample();
        let first = to_pdf(&work).expect("pdf");
        assert!(first == to_pdf(&work).expect("pdf again"));
    }

    /// typst markup (and HTML-escaped markup) everywhere a work has text.
    const MARKUP: &str = r#"#panic("x") ] [ $ * _ ` #import "/etc/passwd" <label> @ref \ \" #{ } // /* = - + 1. #let x = 1 ~ --- <br>"#;

    fn hostile() -> ExportWork {
        let escaped = ficus_core::html::escape(MARKUP);
        let mut work = sample();
        work.title = MARKUP.into();
        work.creators = vec![MARKUP.into()];
        work.fandoms = vec![MARKUP.into()];
        work.freeforms = vec![MARKUP.into()];
        work.language = Some(MARKUP.into());
        work.series = vec![(MARKUP.into(), 1)];
        work.source_url = Some(MARKUP.into());
        work.summary = Some(format!("<p>{escaped}</p>"));
        work.chapters[0].title = Some(MARKUP.into());
        work.chapters[0].body = format!(
            "<p>{escaped}</p><pre>{escaped}</pre><h1>{escaped}</h1><p><a href=\"https://e.org/{escaped}\">{escaped}</a> <code>{escaped}</code></p><table><tr><td>{escaped}</td></tr></table><ul><li>{escaped}</li></ul><p><img alt=\"{escaped}\"></p>"
        );
        work.chapters[1].title = Some("]".into());
        work
    }

    #[test]
    fn markup_in_a_work_is_text() {
        let pdf = to_pdf(&hostile()).expect("hostile pdf");
        assert!(pdf.starts_with(b"%PDF-"));
        let data = work_json(&hostile());
        assert_eq!(data["title"], MARKUP);
        assert_eq!(data["chapters"][0]["label"], format!("Chapter 1: {MARKUP}"));
        assert_eq!(data["chapters"][0]["body"][0]["runs"][0]["text"], MARKUP);
    }

    /// Three chapters, each with an English, then a Greek, Cyrillic or CJK
    /// sentence.
    fn world_work() -> ExportWork {
        let mut work = sample();
        work.title = "Letters From Everywhere".into();
        let published = work.published;
        work.chapters = [
            (
                1,
                "Athens",
                "<p>The ferry left at dawn.</p><p>Καλημέρα κόσμε</p>",
            ),
            (
                2,
                "Moscow",
                "<p>Snow fell on the square.</p><p>Привет, мир</p>",
            ),
            (
                3,
                "Beijing",
                "<p>The lanterns were lit.</p><p>你好，世界</p>",
            ),
        ]
        .into_iter()
        .map(|(position, title, body)| ExportChapter {
            position,
            title: Some(title.into()),
            summary: None,
            notes: None,
            end_notes: None,
            body: body.into(),
            published,
        })
        .collect();
        work.chapter_count = 3;
        work.expected_chapters = Some(3);
        work
    }

    #[test]
    fn poppler_reads_the_pages_and_the_text_in_order() {
        if !ficus_testkit::pdf::tools_present() {
            return;
        }
        let dir = ficus_testkit::temp_dir();
        let work = world_work();
        let path = dir.path().join("world.pdf");
        std::fs::write(&path, to_pdf(&work).expect("pdf")).expect("write the PDF");
        let pages = ficus_testkit::pdf::page_count(&path);
        assert!(
            pages >= 2 + work.chapters.len(),
            "a title page, the contents and a page per chapter, not {pages} pages"
        );
        let fonts = if Path::new("/usr/bin/pdffonts").is_file() {
            ficus_testkit::pdf::poppler("pdffonts", &[], &path)
        } else {
            String::new()
        };
        for args in [&[][..], &["-layout"][..]] {
            let text =
                ficus_testkit::pdf::compact(&ficus_testkit::pdf::poppler("pdftotext", args, &path));
            assert!(
                text.contains("你好，世界"),
                "the Chinese sentence is missing: is a CJK font installed (apt-get install fonts-noto-cjk)?\nfonts:\n{fonts}\ntext:\n{text}"
            );
            let order = [
                "LettersFromEverywhere",
                "Rating:TeenAndUpAudiences",
                "Contents",
                "Chapter1:Athens",
                "Chapter2:Moscow",
                "Chapter3:Beijing",
                "Afterword",
                "Chapter1:Athens",
                "Theferryleftatdawn.",
                "Καλημέρακόσμε",
                "Chapter2:Moscow",
                "Snowfellonthesquare.",
                "Привет,мир",
                "Chapter3:Beijing",
                "Thelanternswerelit.",
                "你好，世界",
                "Afterword",
                "EndNotes",
                "Theend.Really.",
            ];
            let mut from = 0;
            for part in order {
                let at = text[from..].find(part).unwrap_or_else(|| {
                    panic!("{part:?} after byte {from} (pdftotext {args:?}) in\n{text}")
                });
                from += at + part.len();
            }
        }
        let hostile_path = dir.path().join("hostile.pdf");
        std::fs::write(&hostile_path, to_pdf(&hostile()).expect("pdf")).expect("write the PDF");
        let text = ficus_testkit::pdf::compact(&ficus_testkit::pdf::poppler(
            "pdftotext",
            &[],
            &hostile_path,
        ));
        for part in [
            "#panic(\"x\")",
            "<label>",
            "@ref",
            "#let",
            "<br>",
            "Chapter2:]",
        ] {
            assert!(text.contains(part), "{part:?} shown as text in\n{text}");
        }
    }
}
