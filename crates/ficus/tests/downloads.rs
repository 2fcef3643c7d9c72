//! Downloads over HTTP: EPUB files that epubcheck passes with no errors and
//! no warnings for a range of works (one-shot, 50 chapters, CJK,
//! right-to-left text, images by URL, every allowed HTML element, notes
//! everywhere), PDFs for the same works that poppler reads with a page per
//! chapter and their text in order, self-contained HTML,
//! plain text in order; the disk cache
//! (built once under concurrency, never stale after an edit); and
//! `ficus export`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use ficus_core::access::Viewer;
use ficus_core::{NewChapter, NewWork, Rating, TagType};
use ficus_store::{Backend, ChapterChoice, Store, WorkEdit};
use ficus_testkit::epubcheck::Epubcheck;
use ficus_testkit::{WorkBuilder, chapter, work};
use support::{Browser, serve};

fn day(d: u32) -> NaiveDate {
    ficus_testkit::day(2024, 3, d)
}

/// What every work of the range has: a rating, a creator, one tag of each
/// kind, a language.
fn base(title: &str, body: &str) -> WorkBuilder {
    work(title)
        .body(body)
        .dated(day(1))
        .updated(day(5))
        .rating(Rating::TeenAndUpAudiences)
        .creator("Ada")
        .tag(TagType::ArchiveWarning, "No Archive Warnings Apply")
        .tag(TagType::Category, "Gen")
        .tag(TagType::Fandom, "Export Fandom")
        .tag(TagType::Character, "Ada")
        .tag(TagType::Freeform, "Testing")
        .language("en")
}

const EVERY_ELEMENT: &str = r#"<h1>H1</h1><h2>H2</h2><h3>H3</h3><h4>H4</h4><h5>H5</h5><h6>H6</h6>
<p align="center">Centred <a href="https://example.org/">link</a> <abbr title="abbr">ab</abbr> <acronym title="ac">ac</acronym>
<b>b</b> <big>big</big> <cite>cite</cite> <code>code</code> <del>del</del> <dfn>dfn</dfn> <em>em</em> <i>i</i>
<ins>ins</ins> <kbd>kbd</kbd> <q>q</q> <s>s</s> <samp>samp</samp> <small>small</small> <span>span</span>
<strike>strike</strike> <strong>strong</strong> <sub>sub</sub> <sup>sup</sup> <tt>tt</tt> <u>u</u> <var>var</var>
<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> a&nbsp;b &amp; c<br>line</p>
<address>address</address><blockquote>quote</blockquote><center>center</center><pre>pre  text</pre>
<div>div</div><hr><dl><dt>dt</dt><dd>dd</dd></dl><ol start="3"><li>three</li></ol><ul><li>item</li></ul>
<details><summary>summary</summary>details</details><figure><figcaption>caption</figcaption></figure>
<table><caption>cap</caption><colgroup><col></colgroup><thead><tr><th>th</th></tr></thead><tbody><tr><td>td</td></tr></tbody><tfoot><tr><td>ft</td></tr></tfoot></table>
<p><img src="https://example.org/picture.png" alt="a picture"></p>"#;

/// The works of the range, stored directly; returns their ids.
fn fill(store: &Store) -> Vec<(String, i64)> {
    let mut long = base("Fifty Chapters", "<p>Chapter 1 text.</p>");
    for n in 2..=50 {
        long = long.chapter(NewChapter {
            title: Some(format!("Part {n}")),
            ..chapter(format!("<p>Chapter {n} text.</p>"))
        });
    }
    let works: [NewWork; 6] = [
        base("One Shot", "<p>A single chapter, whole.</p>").build(),
        long.complete(true).expected_chapters(Some(50)).build(),
        base(
            "中文標題 日本語のタイトル",
            "<p>这是一个简单的故事。これは物語です。한국어 문장.</p>",
        )
        .language("zh")
        .build(),
        base(
            "عنوان عربي",
            "<p dir=\"rtl\">هذا نص عربي. זה טקסט בעברית.</p>",
        )
        .language("ar")
        .build(),
        base("Every Element", EVERY_ELEMENT).build(),
        base("Notes Everywhere", "<p>Body.</p>")
            .summary("<p>Summary with <em>emphasis</em> &amp; an ampersand.</p>")
            .notes("<p>Beginning notes.</p>")
            .end_notes("<p>End notes of the work.</p>")
            .first_chapter(|c| {
                c.summary = Some("<p>Chapter summary.</p>".into());
                c.notes = Some("<p>Chapter notes.</p>".into());
                c.end_notes = Some("<p>Chapter end notes.</p>".into());
            })
            .chapter(NewChapter {
                title: Some("Second <Part> & \"More\"".into()),
                notes: Some("<p>More notes.</p>".into()),
                end_notes: Some("<p>More end notes.</p>".into()),
                ..chapter("<p>Second body.</p>")
            })
            .expected_chapters(None)
            .build(),
    ];
    works
        .into_iter()
        .map(|w| {
            let id = store.insert_work(&w).expect("insert").work_id();
            (w.title.clone(), id)
        })
        .collect()
}

/// Letters and digits only: what survives any PDF text extraction of a
/// Latin-script text (line breaks, hyphenation, ligatures aside).
fn letters(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// poppler reads the PDF: a title page, the contents and a page per
/// chapter at least, and every chapter's opening words in chapter order.
fn check_pdf(store: &Store, id: i64, file: &Path) {
    let reading = store
        .reading(id, Viewer::System, ChapterChoice::All)
        .expect("read")
        .expect("work");
    let pages = ficus_testkit::pdf::page_count(file);
    assert!(
        pages >= 2 + reading.texts.len(),
        "{}: {pages} pages for {} chapters",
        reading.work.title,
        reading.texts.len()
    );
    let text = letters(&ficus_testkit::pdf::poppler("pdftotext", &[], file));
    let title = letters(&reading.work.title);
    assert!(
        title.is_empty() || !title.is_ascii() || text.contains(&title),
        "{title} in the PDF"
    );
    let mut from = 0;
    for chapter in &reading.texts {
        let body = scraper::Html::parse_fragment(&chapter.body);
        let words: Vec<&str> = body
            .root_element()
            .text()
            .flat_map(str::split_whitespace)
            .take(4)
            .collect();
        let opening = letters(&words.concat());
        // Right-to-left and CJK extraction order is poppler's business
        // (the typesetter's own tests check CJK); Latin text must be in order.
        if opening.len() < 6 || !opening.is_ascii() {
            continue;
        }
        let at = text[from..].find(&opening).unwrap_or_else(|| {
            panic!(
                "{}: chapter {} ({opening}) missing or out of order",
                reading.work.title, chapter.position
            )
        });
        from += at + opening.len();
    }
}

#[test]
fn downloads_are_valid_cached_and_exported() {
    let dir = ficus_testkit::temp_dir();
    let store = Store::open(&Backend::in_data_dir(dir.path())).expect("store");
    let works = fill(&store);
    let server = serve(dir.path());
    let mut guest = Browser::new();
    let out = ficus_testkit::temp_dir();
    let epubcheck = Epubcheck::find();
    let pdf_tools = ficus_testkit::pdf::tools_present();
    for (title, id) in &works {
        // The work page links every format it serves, and no others.
        let page = guest.page(&server.url(&format!("/works/{id}?view_adult=true")));
        let labels = support::text(&page, "li.download ul li a");
        assert!(
            labels.contains("EPUB")
                && labels.contains("PDF")
                && labels.contains("HTML")
                && labels.contains("TXT")
        );
        assert!(
            !labels.contains("MOBI") && !labels.contains("AZW3"),
            "{labels}"
        );

        let resp = guest.get(&server.url(&format!("/downloads/{id}/Work.pdf")));
        assert_eq!(resp.status(), 200, "{title}");
        assert_eq!(resp.headers()["content-type"], "application/pdf");
        let pdf = resp.bytes().expect("bytes");
        assert!(pdf.starts_with(b"%PDF-"), "{title}");
        if pdf_tools {
            let file = out.path().join(format!("{id}.pdf"));
            std::fs::write(&file, &pdf).expect("write");
            check_pdf(&store, *id, &file);
        }

        let resp = guest.get(&server.url(&format!("/downloads/{id}/Work.epub")));
        assert_eq!(resp.status(), 200, "{title}");
        assert_eq!(resp.headers()["content-type"], "application/epub+zip");
        let epub = resp.bytes().expect("bytes").to_vec();
        assert!(epub.starts_with(b"PK"));
        let file = out.path().join(format!("{id}.epub"));
        std::fs::write(&file, &epub).expect("write");
        if let Some(epubcheck) = &epubcheck {
            epubcheck.check_file(&file);
        }
        // Cached: the same bytes again.
        let again = guest
            .get(&server.url(&format!("/downloads/{id}/Work.epub")))
            .bytes()
            .expect("bytes");
        assert_eq!(again.as_ref(), epub.as_slice());

        let html = guest
            .get(&server.url(&format!("/downloads/{id}/Work.html")))
            .text()
            .expect("html");
        assert!(!html.to_lowercase().contains("<script"));
        assert!(html.contains("<style"), "self-contained");
        let txt = guest
            .get(&server.url(&format!("/downloads/{id}/Work.txt")))
            .text()
            .expect("txt");
        assert!(txt.contains("Export Fandom"));
        if title == "Fifty Chapters" {
            let positions: Vec<usize> = (1..=50)
                .map(|n| {
                    txt.find(&format!("Chapter {n} text."))
                        .expect("chapter text")
                })
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "chapters in order"
            );
            assert!(html.contains("Part 50"));
        }
        if title == "Notes Everywhere" {
            for part in [
                "Beginning notes.",
                "Chapter summary.",
                "Chapter notes.",
                "Chapter end notes.",
                "More end notes.",
                "End notes of the work.",
            ] {
                assert!(txt.contains(part), "TXT has {part}");
                assert!(html.contains(part), "HTML has {part}");
            }
        }
    }
    assert_eq!(
        guest.get(&server.url("/downloads/1/Work.mobi")).status(),
        404
    );
    assert_eq!(
        guest.get(&server.url("/downloads/999/Work.epub")).status(),
        404
    );
    assert_eq!(
        guest.get(&server.url("/downloads/abc/Work.epub")).status(),
        400
    );

    // Concurrent requests for a file not built yet build it once.
    let (_, id) = works[1];
    let url = server.url(&format!("/downloads/{id}/Work.html"));
    std::fs::remove_dir_all(dir.path().join("downloads")).expect("clear cache");
    let bodies: Vec<Vec<u8>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let url = url.clone();
                s.spawn(move || {
                    reqwest::blocking::get(&url)
                        .expect("get")
                        .bytes()
                        .expect("bytes")
                        .to_vec()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    let cached: Vec<_> = std::fs::read_dir(dir.path().join("downloads"))
        .expect("cache dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(cached.len(), 1, "{cached:?}");

    // An edit changes the work; the old file is never served again.
    let (_, one_shot) = works[0];
    let before = guest
        .get(&server.url(&format!("/downloads/{one_shot}/Work.txt")))
        .text()
        .expect("txt");
    assert!(before.contains("A single chapter, whole."));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let edited = base("One Shot", "<p>Rewritten text.</p>")
        .updated(day(9))
        .build();
    assert!(
        store
            .update_work(one_shot, &edited, &WorkEdit::default())
            .expect("update")
    );
    let after = guest
        .get(&server.url(&format!("/downloads/{one_shot}/Work.txt")))
        .text()
        .expect("txt");
    assert!(
        after.contains("Rewritten text.") && !after.contains("A single chapter"),
        "{after}"
    );

    // Bulk export with the CLI.
    let export_dir = out.path().join("export");
    let run = Command::new(env!("CARGO_BIN_EXE_ficus"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["export", "--format", "epub", "--all", "--out"])
        .arg(&export_dir)
        .env("FICUS_LOG", "warn")
        .output()
        .expect("export");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let files: Vec<PathBuf> = std::fs::read_dir(&export_dir)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), works.len());
    if let Some(epubcheck) = &epubcheck {
        epubcheck.check_file(&files[0]);
    }
}
