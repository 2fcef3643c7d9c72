//! Round trip: a work exported as a Ficus HTML or EPUB download and imported into
//! a fresh archive comes back the same — every field, every chapter's
//! text and notes, the same word count.

use std::process::Command;

use ficus_core::access::Viewer;
use ficus_core::{NewChapter, Rating, TagType};
use ficus_store::{Backend, ChapterChoice, Store};
use ficus_testkit::{chapter, work};

fn ficus(data: &std::path::Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("FICUS_LOG", "warn")
        .output()
        .expect("ficus");
    assert!(
        out.status.success(),
        "{args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_html_download_imports_back_as_the_same_work() {
    round_trip("html");
}

#[test]
fn an_epub_download_imports_back_as_the_same_work() {
    round_trip("epub");
}

fn round_trip(format: &str) {
    let day = |d| ficus_testkit::day(2024, 5, d);
    let w = work("The Lighthouse & the Sea")
        .body("<p>First <em>chapter</em> text, don't stop.</p><p>Second paragraph.</p>")
        .dated(day(1))
        .updated(day(9))
        .rating(Rating::Mature)
        .creators(&["Ada Quill", "Bea"])
        .language("en")
        .summary("<p>A summary with <strong>bold</strong>.</p>")
        .notes("<p>Work notes.</p>")
        .end_notes("<p>Work end notes.</p>")
        .tag(TagType::ArchiveWarning, "No Archive Warnings Apply")
        .tags(TagType::Category, &["F/F", "Gen"])
        .tags(TagType::Fandom, &["Tidewater", "Starfall (Books)"])
        .tags(TagType::Relationship, &["Ada/Bea", "Ada & Cal"])
        .tags(TagType::Character, &["Ada", "Bea"])
        .tags(TagType::Freeform, &["Slow Burn", "Hurt/Comfort"])
        .first_chapter(|c| {
            c.title = Some("Departure".into());
            c.summary = Some("<p>Chapter one summary.</p>".into());
            c.notes = Some("<p>Chapter one notes.</p>".into());
            c.end_notes = Some("<p>Chapter one end notes.</p>".into());
        })
        .chapter(NewChapter {
            title: None,
            published: Some(day(1)),
            ..chapter("<p>The untitled second chapter.</p><blockquote><p>A quote.</p></blockquote>")
        })
        .chapter(NewChapter {
            title: Some("Arrival".into()),
            notes: Some("<p>Last notes.</p>".into()),
            published: Some(day(1)),
            ..chapter("<p>The end of the road.</p>")
        })
        .expected_chapters(Some(3))
        .complete(true)
        .series("Tides and Roads", 2)
        .build();

    let a = ficus_testkit::temp_dir();
    let original = Store::open(&Backend::in_data_dir(a.path())).expect("store");
    let id = original.insert_work(&w).expect("insert").work_id();
    let files = ficus_testkit::temp_dir();
    let out = files.path().join("out");
    ficus(
        a.path(),
        &[
            "export",
            "--format",
            format,
            "--all",
            "--out",
            out.to_str().expect("utf-8"),
        ],
    );
    let b = ficus_testkit::temp_dir();
    ficus(b.path(), &["import", out.to_str().expect("utf-8")]);
    let copy = Store::open(&Backend::in_data_dir(b.path())).expect("store");

    let before = original
        .reading(id, Viewer::System, ChapterChoice::All)
        .expect("read")
        .expect("work");
    let after = copy
        .reading(1, Viewer::System, ChapterChoice::All)
        .expect("read")
        .expect("imported work");
    let (x, y) = (&before.work, &after.work);
    assert_eq!(y.title, x.title);
    assert_eq!(y.creators, x.creators);
    assert_eq!(y.rating, x.rating);
    let names = |w: &ficus_store::WorkRecord| {
        w.tags
            .iter()
            .map(|t| (t.kind, t.name.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(y), names(x));
    assert_eq!(y.language, x.language);
    assert_eq!(y.summary, x.summary);
    assert_eq!(y.notes, x.notes);
    assert_eq!(y.end_notes, x.end_notes);
    assert_eq!(y.published, x.published);
    assert_eq!(y.updated, x.updated);
    assert_eq!(y.complete, x.complete);
    assert_eq!(y.expected_chapters, x.expected_chapters);
    assert_eq!(y.chapter_count, x.chapter_count);
    assert_eq!(y.word_count, x.word_count);
    let places = |store: &Store, id: i64| -> Vec<(String, i32)> {
        store
            .series_of_works(&[id])
            .expect("series")
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|p| (p.title, p.position))
            .collect()
    };
    assert_eq!(
        places(&original, id),
        vec![("Tides and Roads".to_string(), 2)]
    );
    assert_eq!(
        places(&copy, 1),
        places(&original, id),
        "series and position"
    );
    assert_eq!(after.texts.len(), before.texts.len());
    for (c, d) in before.texts.iter().zip(&after.texts) {
        assert_eq!(d.title, c.title, "chapter {} title", c.position);
        assert_eq!(d.summary, c.summary, "chapter {} summary", c.position);
        assert_eq!(d.notes, c.notes, "chapter {} notes", c.position);
        assert_eq!(d.end_notes, c.end_notes, "chapter {} end notes", c.position);
        assert_eq!(d.body.trim(), c.body.trim(), "chapter {} text", c.position);
        assert_eq!(d.word_count, c.word_count, "chapter {} words", c.position);
    }
}
