//! Imports every fixture under `crates/ficus-testkit/fixtures/import/` and
//! checks what comes out.

use chrono::NaiveDate;
use ficus_core::tag::{NO_WARNING_GIVEN, TagType};
use ficus_core::{NewWork, Rating};
use ficus_formats::{ImportError, MAX_CHAPTER_BYTES, content_hash, is_importable, parse_file};
use ficus_testkit::{fixture, fixture_bytes};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 5, 6).expect("valid date")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn import(name: &str) -> Result<NewWork, ImportError> {
    let rel = format!("import/{name}");
    parse_file(&fixture(&rel), &fixture_bytes(&rel), today())
}

fn import_ok(name: &str) -> NewWork {
    let work = import(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(work.validate(), Ok(()), "{name}");
    assert_eq!(work.chapters.len(), 1, "{name}");
    work
}

fn tags(work: &NewWork, kind: TagType) -> Vec<&str> {
    work.tags_of(kind).map(|t| t.name.as_str()).collect()
}

fn body(work: &NewWork) -> &str {
    &work.chapters[0].body
}

#[test]
fn ao3_full_header() {
    let w = import_ok("ao3_full_header.txt");
    assert_eq!(w.title, "The Ferry at Low Water");
    assert_eq!(w.creators, ["riverwright"]);
    assert_eq!(w.rating, Rating::TeenAndUpAudiences);
    assert_eq!(
        tags(&w, TagType::ArchiveWarning),
        ["No Archive Warnings Apply"]
    );
    assert_eq!(tags(&w, TagType::Category), ["F/F", "Gen"]);
    assert_eq!(tags(&w, TagType::Fandom), ["Original Work"]);
    assert_eq!(tags(&w, TagType::Relationship), ["Mara Quill/Tess Hollow"]);
    assert_eq!(
        tags(&w, TagType::Character),
        ["Mara Quill", "Tess Hollow", "The Ferryman"]
    );
    assert_eq!(
        tags(&w, TagType::Freeform),
        ["Rivers", "Slow Burn", "Fluff"]
    );
    assert_eq!(w.language.as_deref(), Some("English"));
    assert_eq!(w.published, date(2015, 3, 1));
    assert_eq!(w.updated, date(2015, 4, 2));
    assert!(w.complete);
    assert_eq!(w.expected_chapters, Some(1));
    let summary = w.summary.as_deref().expect("summary");
    assert!(summary.contains("Two women, one ferry"), "{summary}");
    let notes = w.notes.as_deref().expect("notes");
    assert!(notes.contains("Part 1 of Tidewater"), "{notes}");
    assert!(
        notes.contains("Written for a prompt about tides."),
        "{notes}"
    );
    assert_eq!(
        w.origin.source_url.as_deref(),
        Some("https://archiveofourown.org/works/123456")
    );
    let b = body(&w);
    assert!(b.starts_with("<p>Mara had crossed the river"), "{b}");
    for chrome in ["Work Text", "Summary", "Stats", "riverwright", "Low Water"] {
        assert!(!b.contains(chrome), "{chrome} leaked into the body: {b}");
    }
    // 12 + 16 + 5 + 9, as the stats line says.
    assert_eq!(w.word_count(), 42);
}

#[test]
fn ao3_title_only() {
    let w = import_ok("ao3_title_only.txt");
    assert_eq!(w.title, "Small Hours");
    assert!(!body(&w).contains("Small Hours"), "{}", body(&w));
    assert!(body(&w).contains("The kettle clicked off"));
    assert_eq!(w.rating, Rating::NotRated);
    assert_eq!(tags(&w, TagType::ArchiveWarning), [NO_WARNING_GIVEN]);
    assert!(w.creators.is_empty());
    assert_eq!(w.language, None);
    assert_eq!((w.published, w.updated), (today(), today()));
    assert!(w.complete);
    assert_eq!(w.expected_chapters, Some(1));
    assert_eq!(w.word_count(), 16);
}

#[test]
fn ao3_wrapping_oldstyle() {
    let w = import_ok("ao3_wrapping_oldstyle.txt");
    assert_eq!(w.title, "Salt and Static");
    assert_eq!(w.creators, ["Pell Winterbourne"]);
    assert_eq!(tags(&w, TagType::Fandom), ["The Lantern Files"]);
    assert_eq!(tags(&w, TagType::Relationship), ["Agent Vance/Dr. Okafor"]);
    assert_eq!(w.rating, Rating::Explicit);
    let summary = w.summary.as_deref().expect("summary");
    assert!(
        summary.contains("A radio signal from the bottom of the sea"),
        "{summary}"
    );
    assert!(summary.contains("nobody has spoken in years"), "{summary}");
    let notes = w.notes.as_deref().expect("notes");
    let disclaimer = notes
        .find("<strong>Disclaimer:</strong>")
        .expect("disclaimer noted");
    let feedback = notes
        .find("<strong>Feedback:</strong>")
        .expect("feedback noted");
    assert!(disclaimer < feedback, "{notes}");
    assert!(notes.contains("No profit is made."), "{notes}");
    let b = body(&w);
    for header in [
        "Salt and Static",
        "Disclaimer",
        "Author",
        "NC-17",
        "radio signal",
        "---",
    ] {
        assert!(!b.contains(header), "{header} leaked into the body: {b}");
    }
    assert!(b.starts_with("<p>The signal came in at 0300"), "{b}");
    assert_eq!(w.word_count(), 17);
}

#[test]
fn oldstyle() {
    let w = import_ok("oldstyle.txt");
    assert_eq!(w.title, "Winter Orchard");
    assert_eq!(w.creators, ["Jane Doe"]);
    assert_eq!(w.rating, Rating::TeenAndUpAudiences);
    assert_eq!(tags(&w, TagType::Fandom), ["Hollow Creek"]);
    assert_eq!(tags(&w, TagType::Relationship), ["Ada/Rosalind"]);
    assert_eq!(
        tags(&w, TagType::Character),
        ["Ada Bell", "Rosalind Fry", "Old Tom"]
    );
    // Old-style categories and warnings are notes, not tags.
    assert_eq!(tags(&w, TagType::ArchiveWarning), [NO_WARNING_GIVEN]);
    assert!(tags(&w, TagType::Category).is_empty());
    assert_eq!(
        w.summary.as_deref(),
        Some(
            "<p>Ada returns to the orchard her grandmother left her and finds someone has been tending the trees.</p>\n"
        )
    );
    let notes = w.notes.as_deref().expect("notes");
    assert!(
        notes.contains("<p><strong>Disclaimer:</strong> Hollow Creek belongs to its creators. I am only borrowing.</p>"),
        "{notes}"
    );
    let order = [
        "Category:",
        "Warnings:",
        "Disclaimer:",
        "Feedback:",
        "Acknowledgements:",
        "Dedication:",
        "Beta:",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|key| {
            notes
                .find(key)
                .unwrap_or_else(|| panic!("{key} missing from {notes}"))
        })
        .collect();
    assert!(positions.windows(2).all(|p| p[0] < p[1]), "{notes}");
    let b = body(&w);
    assert!(!b.contains("Hollow Creek belongs"), "{b}");
    assert!(!b.contains("====="), "{b}");
    assert!(
        b.starts_with("<p>Ada came back in the first week of December"),
        "{b}"
    );
    assert_eq!(w.word_count(), 27);
}

#[test]
fn plain_titled() {
    let w = import_ok("plain_titled.txt");
    assert_eq!(w.title, "The Lighthouse Keeper's Cat");
    assert!(!body(&w).contains("Lighthouse Keeper"));
    assert!(w.creators.is_empty());
    // 10 + 16 + 11: "--" breaks, "Don't" is one word, the title is not counted.
    assert_eq!(w.word_count(), 37);
}

#[test]
fn plain_untitled() {
    let w = import_ok("plain_untitled.txt");
    assert_eq!(w.title, "plain untitled");
    assert!(
        body(&w).starts_with("<p>It was the kind of afternoon"),
        "{}",
        body(&w)
    );
    assert_eq!(w.word_count(), 20 + 9);
}

#[test]
fn cp1252() {
    let w = import_ok("cp1252.txt");
    assert_eq!(w.origin.text_encoding.as_deref(), Some("windows-1252"));
    assert_eq!(w.title, "Café Story");
    let b = body(&w);
    assert!(b.contains("\u{201c}Hello,\u{201d}"), "{b}");
    assert!(b.contains('é'), "{b}");
    assert!(b.contains('\u{2014}'), "{b}");
}

#[test]
fn unsafe_html() {
    let w = import_ok("unsafe.html");
    assert_eq!(w.title, "A Careful Evening");
    assert_eq!(w.origin.text_encoding.as_deref(), Some("utf-8"));
    let b = body(&w);
    for bad in [
        "script",
        "onerror",
        "javascript:",
        "onclick",
        "onload",
        "alert",
        "<style",
        "color",
    ] {
        assert!(!b.contains(bad), "{bad} survived: {b}");
    }
    assert!(b.contains("<em>exactly</em>"), "{b}");
    assert!(!b.contains("<h1"), "{b}");
    assert_eq!(w.word_count(), 13);
}

#[test]
fn heading_title_html() {
    let w = import_ok("heading_title.html");
    assert_eq!(w.title, "Paper Boats");
    let b = body(&w);
    assert!(!b.contains("Paper Boats"), "{b}");
    assert!(b.contains("<h2>Later</h2>"), "{b}");
    assert_eq!(w.word_count(), 7 + 1 + 7);
}

#[test]
fn empty_and_whitespace_files() {
    assert!(matches!(import("empty.txt"), Err(ImportError::Empty)));
    assert!(matches!(import("whitespace.txt"), Err(ImportError::Empty)));
}

#[test]
fn binary_file() {
    assert!(matches!(import("binary.txt"), Err(ImportError::Binary)));
}

#[test]
fn huge_text_is_refused() {
    let path = std::path::Path::new("huge.txt");
    let huge = "word ".repeat(MAX_CHAPTER_BYTES / 5 + 100_000);
    assert!(matches!(
        parse_file(path, huge.as_bytes(), today()),
        Err(ImportError::TooLarge { .. })
    ));
    // Just over the limit, though within the raw header allowance.
    let over = "word ".repeat(MAX_CHAPTER_BYTES / 5 + 1);
    match parse_file(path, over.as_bytes(), today()) {
        Err(ImportError::TooLarge { bytes, limit }) => {
            assert_eq!(bytes, over.len());
            assert_eq!(limit, MAX_CHAPTER_BYTES);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn header_without_text_is_no_text() {
    let bytes = b"Work Header\n\nA Title\n\nWork Text:\n\nA Title\n";
    assert!(matches!(
        parse_file(std::path::Path::new("x.txt"), bytes, today()),
        Err(ImportError::NoText)
    ));
    let bytes = b"<html><head><title>T</title></head><body><script>x()</script></body></html>";
    assert!(matches!(
        parse_file(std::path::Path::new("x.html"), bytes, today()),
        Err(ImportError::NoText)
    ));
}

#[test]
fn content_hash_is_stable_and_distinguishes() {
    let a = fixture_bytes("import/plain_titled.txt");
    let b = fixture_bytes("import/plain_untitled.txt");
    assert_eq!(content_hash(&a), content_hash(&a));
    assert_ne!(content_hash(&a), content_hash(&b));
    assert_eq!(content_hash(&a).len(), 64);
    let w1 = import_ok("plain_titled.txt");
    let w2 = import_ok("plain_titled.txt");
    assert_eq!(w1, w2);
    assert_eq!(w1.origin.content_hash, Some(content_hash(&a)));
    assert_eq!(
        w1.origin.source_path,
        Some(fixture("import/plain_titled.txt").display().to_string())
    );
}

#[test]
fn importable_fixtures() {
    for name in [
        "oldstyle.txt",
        "unsafe.html",
        "heading_title.html",
        "cp1252.txt",
    ] {
        assert!(is_importable(&fixture(&format!("import/{name}"))), "{name}");
    }
    assert!(is_importable(std::path::Path::new("story.epub")));
    assert!(!is_importable(std::path::Path::new("story.mobi")));
}
