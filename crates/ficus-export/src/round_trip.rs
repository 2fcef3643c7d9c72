//! Round trips: this crate's HTML and EPUB downloads read back through
//! `ficus-formats`' importer (its public `parse_file`, as `ficus import`
//! reads them). Here, not in `ficus-formats`, so that the importer and its
//! tests build without this crate (and typst); `ficus-formats` is only a
//! dev-dependency of this crate. `crates/ficus/tests/round_trip.rs`
//! round-trips through the binary and a store.

use std::path::Path;

use chrono::NaiveDate;
use ficus_core::{NewWork, Rating, TagType};

use crate::sample::sample;
use crate::{to_epub, to_html};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// An HTML download imported as `ficus import` reads it.
fn import(html: &str) -> NewWork {
    ficus_formats::parse_file(Path::new("stem.html"), html.as_bytes(), day(2030, 1, 1))
        .expect("parses")
}

fn names(work: &NewWork, kind: TagType) -> Vec<&str> {
    work.tags_of(kind).map(|t| t.name.as_str()).collect()
}

#[test]
fn a_ficus_download_comes_back() {
    let html = to_html(&sample());
    let work = import(&html);
    assert_eq!(work.title, "The Long Road Home");
    assert_eq!(work.creators, ["ash_writes", "Birch"]);
    assert_eq!(work.rating, Rating::TeenAndUpAudiences);
    assert_eq!(
        names(&work, TagType::ArchiveWarning),
        ["No Archive Warnings Apply"]
    );
    assert_eq!(names(&work, TagType::Category), ["F/M", "Gen"]);
    assert_eq!(names(&work, TagType::Fandom), ["Original Work"]);
    assert_eq!(names(&work, TagType::Relationship), ["Ana/Bo"]);
    assert_eq!(names(&work, TagType::Character), ["Ana", "Bo"]);
    assert_eq!(
        names(&work, TagType::Freeform),
        ["Road Trip", "Found Family & Friends"]
    );
    assert_eq!(work.language.as_deref(), Some("English"));
    assert_eq!(work.published, day(2024, 1, 2));
    assert_eq!(work.updated, day(2024, 2, 3));
    assert!(work.complete);
    assert_eq!(work.expected_chapters, Some(2));
    assert_eq!(
        work.origin.source_url.as_deref(),
        Some("https://example.org/works/42")
    );
    assert!(
        work.summary
            .as_deref()
            .is_some_and(|s| s.contains("Two friends"))
    );
    assert!(
        work.notes
            .as_deref()
            .is_some_and(|s| s.contains("everyone"))
    );
    assert!(
        work.end_notes
            .as_deref()
            .is_some_and(|s| s.contains("The end."))
    );
    let titles: Vec<Option<&str>> = work.chapters.iter().map(|c| c.title.as_deref()).collect();
    assert_eq!(titles, [Some("Departure"), None]);
    let one = &work.chapters[0];
    assert!(
        one.summary
            .as_deref()
            .is_some_and(|s| s.contains("They leave."))
    );
    assert_eq!(one.notes, None);
    assert!(
        one.end_notes
            .as_deref()
            .is_some_and(|s| s.contains("More soon"))
    );
    assert!(
        one.body.starts_with("<p>First paragraph.</p>"),
        "{}",
        one.body
    );
    let two = &work.chapters[1];
    assert!(
        two.notes
            .as_deref()
            .is_some_and(|s| s.contains("Last one."))
    );
    assert!(two.body.starts_with("<p>Arrival.</p>"), "{}", two.body);
}

#[test]
fn a_ficus_one_shot_headed_by_its_title_has_no_chapter_title() {
    let mut sample = sample();
    sample.chapters.truncate(1);
    sample.chapters[0].title = None;
    sample.chapter_count = 1;
    sample.expected_chapters = Some(1);
    let work = import(&to_html(&sample));
    assert_eq!(work.chapters.len(), 1);
    assert_eq!(work.chapters[0].title, None);
    assert_eq!(work.expected_chapters, Some(1));
}

#[test]
fn the_writer_s_epub_reads_back() {
    let work = sample();
    let bytes = to_epub(&work).expect("epub");
    let today = NaiveDate::from_ymd_opt(2025, 1, 1).expect("date");
    let w = ficus_formats::parse_file(Path::new("x.epub"), &bytes, today).expect("reads");
    assert_eq!(w.title, work.title);
    assert_eq!(w.creators, work.creators);
    assert_eq!(w.chapters.len(), work.chapters.len());
    // Compared as text: footnote anchors (`<a name>`) become ids in
    // XHTML and do not come back as names (a known loss of the EPUB
    // path; the HTML path and `tests/round_trip.rs` compare markup).
    let stored = |html: &Option<String>| {
        html.as_deref()
            .map(|h| ficus_core::html::text_of(&ficus_core::html::sanitize(h)))
    };
    let text = |html: &Option<String>| html.as_deref().map(ficus_core::html::text_of);
    for (got, want) in w.chapters.iter().zip(&work.chapters) {
        assert_eq!(got.title, want.title);
        assert_eq!(text(&got.notes), stored(&want.notes));
        assert_eq!(text(&got.end_notes), stored(&want.end_notes));
    }
    assert_eq!(text(&w.end_notes), stored(&work.end_notes));
}
