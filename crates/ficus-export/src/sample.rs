//! Works for the export writers' tests.

use chrono::NaiveDate;

use super::{ExportChapter, ExportWork};

fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

/// A small two-chapter work with every preface field, notes everywhere, and
/// markup that is HTML but not XML (`<br>`, `&nbsp;`, `<hr>`, `<img>`).
pub(crate) fn sample() -> ExportWork {
    ExportWork {
        id: 42,
        title: "The Long Road Home".into(),
        creators: vec!["ash_writes".into(), "Birch".into()],
        rating: "Teen And Up Audiences".into(),
        warnings: vec!["No Archive Warnings Apply".into()],
        categories: vec!["F/M".into(), "Gen".into()],
        fandoms: vec!["Original Work".into()],
        relationships: vec!["Ana/Bo".into()],
        characters: vec!["Ana".into(), "Bo".into()],
        freeforms: vec!["Road Trip".into(), "Found Family & Friends".into()],
        language: Some("English".into()),
        series: vec![("Roads".into(), 2)],
        published: day(2024, 1, 2),
        updated: day(2024, 2, 3),
        complete: true,
        words: 5688,
        chapter_count: 2,
        expected_chapters: Some(2),
        kudos: 10,
        hits: 1234,
        comments: 3,
        bookmarks: 1,
        summary: Some("<p>Two friends &amp; a car.</p>".into()),
        notes: Some("<p>Thanks to <em>everyone</em>.</p>".into()),
        end_notes: Some("<p>The end.<a name=\"fn1\"></a> Really.</p>".into()),
        source_url: Some("https://example.org/works/42".into()),
        chapters: vec![
            ExportChapter {
                position: 1,
                title: Some("Departure".into()),
                summary: Some("<p>They leave.</p>".into()),
                notes: None,
                end_notes: Some("<p>More soon<a name=\"n1\"></a>.</p>".into()),
                body: "<p>First paragraph.</p>\n<p>Second<br>line &amp; more&nbsp;text.<a href=\"#n1\">1</a></p>\n<hr>\n<p align=\"center\">Scene two.</p>\n<center>Centered</center>".into(),
                published: day(2024, 1, 2),
            },
            ExportChapter {
                position: 2,
                title: None,
                summary: None,
                notes: Some("<p>Last one.</p>".into()),
                end_notes: None,
                body: "<p>Arrival.</p><ul><li>one</li><li>two</li></ul><p><img src=\"https://example.org/a.png\" alt=\"map\"></p><table><tr><td colspan=\"2\">cell</td></tr></table><p><ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby> <a href=\"https://example.org/\" rel=\"nofollow\">link</a></p>".into(),
                published: day(2024, 2, 3),
            },
        ],
    }
}

/// Markup a sanitizer lets through but XHTML does not allow as it is:
/// blocks inside inline elements, text and lists loose inside lists,
/// definition lists out of order, stray list items, table sections out of
/// order, ruby without annotations, links to anchors that exist and that
/// do not, relative links, right-to-left text, an untitled one-shot.
pub(crate) fn awkward() -> ExportWork {
    let mut work = sample();
    work.title = "عنوان & <Title>".into();
    work.creators.clear();
    work.language = Some("Klingon".into());
    work.series = vec![("One".into(), 1), ("Two".into(), 3)];
    work.summary = None;
    work.notes =
        Some("<p>Notes<a name=\"top\"></a> with a <a href=\"#top\">self link</a>.</p>".into());
    work.end_notes = None;
    work.source_url = Some("not a url".into());
    work.chapters = vec![ExportChapter {
        position: 1,
        title: None,
        summary: Some("<div>Block summary</div><li>stray item</li>".into()),
        notes: None,
        end_notes: Some("<p><a name=\"fn1\">1</a> The note.<a name=\"fn1\">again</a></p>".into()),
        body: concat!(
            "<em><p>Para in em</p><p>second</p></em>",
            "<span><div>div in span</div><h3>heading in span</h3><hr><ul><li>list in span</li></ul></span>",
            "<ul>loose text<li>one</li><ul><li>nested</li></ul><p>para</p></ul>",
            "<ol start=\"3\" type=\"i\"><li>three</li></ol><ul type=\"disc\"><li>x</li></ul>",
            "<dl><dd>dd first</dd><dt>dt last</dt></dl><dl><dt>t</dt><dd>d</dd></dl>",
            "<dt>stray dt</dt><dd>stray dd</dd><summary>stray summary</summary><figcaption>stray caption</figcaption>",
            "<ruby>no annotation</ruby><ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby><rt>stray rt</rt>",
            "<details>no summary</details><details open><summary>Sum</summary><p>Body</p><summary>late</summary></details>",
            "<figure><p>fig</p><figcaption>cap</figcaption></figure><figure><figcaption>a</figcaption><figcaption>b</figcaption></figure>",
            "<table width=\"50%\"><tfoot><tr><td>foot</td></tr></tfoot><tbody><tr><td width=\"3\" colspan=\"0\" rowspan=\"x\">body</td><th scope=\"col\" colspan=\"2\">h</th></tr></tbody><thead><tr><th>head</th></tr></thead><caption>late caption</caption></table>",
            "<p>Links: <a href=\"#fn1\">note</a> <a href=\"#missing\">missing</a> <a href=\"/works/1\">relative</a> ",
            "<a href=\"https://example.org/a b?x=1&amp;y=é\">spaced</a> <a href=\"mailto:a@example.org\">mail</a> ",
            "<a href=\"https://example.org/\"><img src=\"https://example.org/in-link.png\" alt=\"in link\"></a> ",
            "<img src=\"https://example.org/no-alt.png\"> <img alt=\"local only\"></p>",
            "<p dir=\"rtl\" lang=\"ar\">هذا نص عربي.</p><p dir=\"sideways\" lang=\"not a tag\" title=\"t &quot;q&quot;\">bad attributes</p>",
            "<p>Controls:\u{1}\u{b}\u{7f}\u{85} nbsp&nbsp;end</p>",
            "<dfn>outer <dfn>inner</dfn></dfn><address>addr</address><pre>  pre\n  text</pre>",
            "<big>big</big><strike>strike</strike><tt>tt</tt><acronym title=\"a\">ac</acronym><font>font</font>",
        )
        .into(),
        published: day(2024, 1, 2),
    }];
    work.chapter_count = 1;
    work.expected_chapters = None;
    work.complete = false;
    work
}
