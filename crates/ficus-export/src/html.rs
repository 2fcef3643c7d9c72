//! One self-contained HTML file: an inline stylesheet, no scripts, no
//! outside resources. The markup follows AO3's own HTML download (a
//! `#preface` with a `dl.tags`, `#chapters`, `#afterword`) so readers and
//! tools used to those files find things where they expect them.
//!
//! The preface and chapter markup built here is also valid XHTML: it is
//! built once as a [`Markup`], which this file fills with the stored HTML
//! as it is and the EPUB writer with that HTML converted to XHTML. The
//! plain-text and PDF writers reuse the labelled lines.

use ficus_core::html::escape;

use super::{ExportChapter, ExportWork};

/// The stylesheet of both the HTML file (inline) and the EPUB (`style.css`).
pub(super) const STYLESHEET: &str = "body { max-width: 40em; margin: 1em auto; padding: 0 1em; font-family: Georgia, \"Times New Roman\", serif; line-height: 1.5; }
h1, h2, h3 { line-height: 1.25; }
h1 { text-align: center; }
h2.heading { text-align: center; margin-top: 2em; }
.byline { text-align: center; font-style: italic; margin-bottom: 1.5em; }
dl.tags dt { font-weight: bold; }
dl.tags dd { margin: 0 0 0.5em 1.5em; }
p.label { font-weight: bold; margin: 1em 0 0.25em 0; }
blockquote.userstuff { margin: 0.25em 0 1em 1.5em; }
#preface { border-bottom: 1px solid #999; padding-bottom: 1em; margin-bottom: 2em; }
#afterword { border-top: 1px solid #999; margin-top: 2em; }
.userstuff p { margin: 0 0 1em 0; }
.center, .align-center { text-align: center; }
.align-left { text-align: left; }
.align-right { text-align: right; }
.align-justify { text-align: justify; }
.big { font-size: larger; }
.address { font-style: italic; }
hr { border: 0; border-top: 1px solid #999; margin: 2em 25%; }
table { border-collapse: collapse; }
td, th { border: 1px solid #999; padding: 0.25em 0.5em; }
";

/// Writes `work` as one HTML5 document. Plain-text fields are escaped;
/// stored HTML fields are inserted as stored (the archive sanitized them).
pub fn to_html(work: &ExportWork) -> String {
    let lang = work
        .language
        .as_deref()
        .map_or_else(|| "en".to_string(), language_tag);
    let as_stored = |html: &str| html.to_string();
    let mut out =
        String::with_capacity(work.chapters.iter().map(|c| c.body.len()).sum::<usize>() + 8 * 1024);
    out.push_str("<!DOCTYPE html>\n");
    out.push_str(&format!("<html lang=\"{}\">\n<head>\n", escape(&lang)));
    out.push_str("<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(display_title(work))));
    out.push_str(&format!("<style>\n{STYLESHEET}</style>\n</head>\n<body>\n"));
    out.push_str(&preface(work).render(as_stored));
    out.push_str("<div id=\"chapters\">\n");
    for (index, chapter) in work.chapters.iter().enumerate() {
        out.push_str(&format!(
            "<div class=\"chapter\" id=\"chapter-{}\">\n",
            index + 1
        ));
        let heading = html_heading(work, chapter);
        out.push_str(&chapter_markup(chapter, &heading).render(as_stored));
        out.push_str("</div>\n");
    }
    out.push_str("</div>\n");
    out.push_str(&afterword(work).render(as_stored));
    out.push_str("</body>\n</html>\n");
    out
}

/// The heading of a chapter in the HTML file: the label, except that a
/// one-chapter work without a chapter title is headed by the work's title.
fn html_heading(work: &ExportWork, chapter: &ExportChapter) -> String {
    if chapter_title(chapter).is_none() && work.chapters.len() == 1 {
        display_title(work).to_string()
    } else {
        chapter_label(chapter)
    }
}

/// Markup around stored HTML, built once for every writer that embeds
/// it: the markup written here (escaped, valid as HTML and as XHTML) and,
/// between, the sanitized stored HTML fragments, each filled in by
/// [`Markup::render`] as the writer needs it (as it is for the HTML file,
/// converted to XHTML for the EPUB).
#[derive(Default)]
pub(super) struct Markup<'a> {
    parts: Vec<Part<'a>>,
}

/// A piece of [`Markup`].
enum Part<'a> {
    /// Markup written here.
    Written(String),
    /// A stored HTML fragment.
    Stored(&'a str),
}

impl<'a> Markup<'a> {
    fn push_str(&mut self, markup: &str) {
        match self.parts.last_mut() {
            Some(Part::Written(last)) => last.push_str(markup),
            _ => self.parts.push(Part::Written(markup.to_string())),
        }
    }

    fn push_stored(&mut self, html: &'a str) {
        self.parts.push(Part::Stored(html));
    }

    /// The stored HTML fragments, in order.
    pub(super) fn stored(&self) -> impl Iterator<Item = &'a str> {
        self.parts.iter().filter_map(|part| match part {
            Part::Stored(html) => Some(*html),
            Part::Written(_) => None,
        })
    }

    /// The markup with each stored fragment, in order, as `convert`
    /// writes it.
    pub(super) fn render(&self, mut convert: impl FnMut(&str) -> String) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Written(markup) => out.push_str(markup),
                Part::Stored(html) => out.push_str(&convert(html)),
            }
        }
        out
    }
}

/// The preface: title, byline, the labelled tags and stats, source,
/// summary and notes.
pub(super) fn preface(work: &ExportWork) -> Markup<'_> {
    let mut markup = Markup::default();
    markup.push_str("<div id=\"preface\">\n");
    markup.push_str(&format!("<h1>{}</h1>\n", escape(display_title(work))));
    markup.push_str(&format!(
        "<div class=\"byline\">by {}</div>\n",
        escape(&byline(work))
    ));
    markup.push_str("<dl class=\"tags\">\n");
    for (label, value) in preface_lines(work) {
        markup.push_str(&format!(
            "<dt>{}:</dt>\n<dd>{}</dd>\n",
            escape(label),
            escape(&value)
        ));
    }
    if let Some(url) = source_url(work) {
        let shown = match web_url(url) {
            Some(href) => format!("<a href=\"{}\">{}</a>", escape(&href), escape(url)),
            None => escape(url),
        };
        markup.push_str(&format!("<dt>Source:</dt>\n<dd>{shown}</dd>\n"));
    }
    markup.push_str("</dl>\n");
    userstuff_block(&mut markup, "summary", "Summary", work.summary.as_deref());
    userstuff_block(&mut markup, "notes", "Notes", work.notes.as_deref());
    markup.push_str("</div>\n");
    markup
}

/// One chapter: its heading, summary and notes, text and end notes.
pub(super) fn chapter_markup<'a>(chapter: &'a ExportChapter, heading: &str) -> Markup<'a> {
    let mut markup = Markup::default();
    markup.push_str(&format!("<h2 class=\"heading\">{}</h2>\n", escape(heading)));
    userstuff_block(
        &mut markup,
        "meta group",
        "Chapter Summary",
        chapter.summary.as_deref(),
    );
    userstuff_block(
        &mut markup,
        "meta group",
        "Chapter Notes",
        chapter.notes.as_deref(),
    );
    markup.push_str("<div class=\"userstuff\" dir=\"auto\">\n");
    markup.push_stored(&chapter.body);
    markup.push_str("\n</div>\n");
    userstuff_block(
        &mut markup,
        "meta group",
        "Chapter End Notes",
        chapter.end_notes.as_deref(),
    );
    markup
}

/// The work's end notes under an "End Notes" heading, in `#afterword`;
/// empty when the work has none.
pub(super) fn afterword(work: &ExportWork) -> Markup<'_> {
    let mut markup = Markup::default();
    if let Some(notes) = present(work.end_notes.as_deref()) {
        markup.push_str("<div id=\"afterword\">\n<h2 class=\"heading\">End Notes</h2>\n<blockquote class=\"userstuff\" dir=\"auto\">\n");
        markup.push_stored(notes);
        markup.push_str("\n</blockquote>\n</div>\n");
    }
    markup
}

/// Adds a labelled block of stored HTML (`<div class>` holding a label and
/// a `blockquote.userstuff`), unless there is nothing to show.
fn userstuff_block<'a>(markup: &mut Markup<'a>, class: &str, label: &str, html: Option<&'a str>) {
    if let Some(html) = present(html) {
        markup.push_str(&format!(
            "<div class=\"{class}\">\n<p class=\"label\">{label}</p>\n<blockquote class=\"userstuff\" dir=\"auto\">\n"
        ));
        markup.push_stored(html);
        markup.push_str("\n</blockquote>\n</div>\n");
    }
}

/// `html` unless it is missing or blank.
pub(super) fn present(html: Option<&str>) -> Option<&str> {
    html.filter(|h| !h.trim().is_empty())
}

/// The title to show: "Untitled" for a blank one.
pub(super) fn display_title(work: &ExportWork) -> &str {
    match work.title.trim() {
        "" => "Untitled",
        title => title,
    }
}

/// The creators, comma-separated, or "Anonymous" when none are shown.
pub(super) fn byline(work: &ExportWork) -> String {
    let names: Vec<&str> = work
        .creators
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    if names.is_empty() {
        "Anonymous".to_string()
    } else {
        names.join(", ")
    }
}

/// A chapter's title, unless it has none (or a blank one).
pub(super) fn chapter_title(chapter: &ExportChapter) -> Option<&str> {
    chapter
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// "Chapter N: Title", or "Chapter N" for an untitled chapter.
pub(super) fn chapter_label(chapter: &ExportChapter) -> String {
    match chapter_title(chapter) {
        Some(title) => format!("Chapter {}: {title}", chapter.position),
        None => format!("Chapter {}", chapter.position),
    }
}

/// The work's source URL, when it has a non-blank one.
pub(super) fn source_url(work: &ExportWork) -> Option<&str> {
    work.source_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
}

/// The preface's labelled lines in AO3's order, as plain text: each tag
/// type that has tags (label singular or plural), the language, one line
/// per series ("Part N of Title") and the stats.
pub(super) fn preface_lines(work: &ExportWork) -> Vec<(&'static str, String)> {
    let mut lines = Vec::new();
    push_tags(
        &mut lines,
        ("Rating", "Ratings"),
        std::slice::from_ref(&work.rating),
    );
    push_tags(
        &mut lines,
        ("Archive Warning", "Archive Warnings"),
        &work.warnings,
    );
    push_tags(&mut lines, ("Category", "Categories"), &work.categories);
    push_tags(&mut lines, ("Fandom", "Fandoms"), &work.fandoms);
    push_tags(
        &mut lines,
        ("Relationship", "Relationships"),
        &work.relationships,
    );
    push_tags(&mut lines, ("Character", "Characters"), &work.characters);
    push_tags(
        &mut lines,
        ("Additional Tags", "Additional Tags"),
        &work.freeforms,
    );
    if let Some(language) = work
        .language
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        lines.push(("Language", language.to_string()));
    }
    for (title, position) in &work.series {
        lines.push(("Series", format!("Part {position} of {}", title.trim())));
    }
    lines.push(("Stats", stats_line(work)));
    lines
}

/// Adds one tag type's line, labelled singular or plural, unless it has
/// no (non-blank) tags.
fn push_tags(
    lines: &mut Vec<(&'static str, String)>,
    (one, many): (&'static str, &'static str),
    values: &[String],
) {
    let names: Vec<&str> = values
        .iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .collect();
    match names.len() {
        0 => {}
        1 => lines.push((one, names.join(", "))),
        _ => lines.push((many, names.join(", "))),
    }
}

/// "Published: 2024-01-02 Completed: 2024-02-03 Words: 5,688 Chapters: 2/2
/// Comments: 3 Kudos: 10 Bookmarks: 1 Hits: 1,234": the status date only
/// when it differs from the first, counts other than hits only when
/// non-zero.
pub(super) fn stats_line(work: &ExportWork) -> String {
    let mut parts = vec![format!("Published: {}", work.published)];
    if work.updated != work.published {
        let label = if work.complete {
            "Completed"
        } else {
            "Updated"
        };
        parts.push(format!("{label}: {}", work.updated));
    }
    parts.push(format!("Words: {}", thousands(work.words)));
    parts.push(format!("Chapters: {}", work.chapters_text()));
    for (label, count) in [
        ("Comments", work.comments),
        ("Kudos", work.kudos),
        ("Bookmarks", work.bookmarks),
    ] {
        if count != 0 {
            parts.push(format!("{label}: {}", thousands(count)));
        }
    }
    parts.push(format!("Hits: {}", thousands(work.hits)));
    parts.join(" ")
}

/// `5688` as "5,688".
pub(super) fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The BCP 47 tag of a stored language: a code (two or three letters,
/// optionally with a region, `_` or `-`) lowercased, or a common language
/// name mapped to its code; "und" (undetermined) otherwise.
pub(super) fn language_tag(language: &str) -> String {
    let language = language.trim();
    if looks_like_code(language) {
        return language.replace('_', "-").to_ascii_lowercase();
    }
    let code = match language.to_lowercase().as_str() {
        "english" => "en",
        "español" | "espanol" | "spanish" => "es",
        "français" | "francais" | "french" => "fr",
        "deutsch" | "german" => "de",
        "русский" | "russian" => "ru",
        "中文" | "中文-普通话 國語" | "chinese" => "zh",
        "日本語" | "japanese" => "ja",
        "한국어" | "korean" => "ko",
        "português" | "portugues" | "portuguese" => "pt",
        "português brasileiro" => "pt-br",
        "português europeu" => "pt-pt",
        "italiano" | "italian" => "it",
        "polski" | "polish" => "pl",
        "nederlands" | "dutch" => "nl",
        "svenska" | "swedish" => "sv",
        "suomi" | "finnish" => "fi",
        "dansk" | "danish" => "da",
        "norsk" | "norwegian" => "no",
        "čeština" | "czech" => "cs",
        "magyar" | "hungarian" => "hu",
        "català" | "catalan" => "ca",
        "ελληνικά" | "greek" => "el",
        "türkçe" | "turkish" => "tr",
        "українська" | "ukrainian" => "uk",
        "bahasa indonesia" | "indonesian" => "id",
        "tiếng việt" | "vietnamese" => "vi",
        "ไทย" | "thai" => "th",
        "العربية" | "arabic" => "ar",
        "עברית" | "hebrew" => "he",
        "filipino" | "tagalog" => "tl",
        _ => "und",
    };
    code.to_string()
}

/// Two or three ASCII letters, optionally followed by `-` or `_` and a
/// region of two letters or three digits ("en", "pt-BR", "es_419").
fn looks_like_code(s: &str) -> bool {
    let (language, region) = match s.split_once(['-', '_']) {
        Some((language, region)) => (language, Some(region)),
        None => (s, None),
    };
    let language_ok =
        (2..=3).contains(&language.len()) && language.bytes().all(|b| b.is_ascii_alphabetic());
    let region_ok = region.is_none_or(|r| {
        (r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
            || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
    });
    language_ok && region_ok
}

/// An http(s) URL made safe to use as a link target in HTML and XHTML:
/// trimmed, with spaces, quotes, non-ASCII and other characters that URIs
/// may not hold percent-encoded (UTF-8), and a stray `%` or second `#`
/// encoded too. `None` for anything but an http(s) URL with a host.
pub(super) fn web_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &url[8..]
    } else if lower.starts_with("http://") {
        &url[7..]
    } else {
        return None;
    };
    if rest.is_empty() || rest.starts_with('/') {
        return None;
    }
    Some(encode_url(url))
}

/// Percent-encodes what may not appear in a URI (see [`web_url`]).
pub(super) fn encode_url(url: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    let mut seen_hash = false;
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match b {
            b'%' => {
                bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            }
            b'#' if !seen_hash => {
                seen_hash = true;
                true
            }
            b'#' => false,
            b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b'-' | b'.' | b'/'
            | b':' | b';' | b'=' | b'?' | b'@' | b'_' | b'~' => true,
            _ => b.is_ascii_alphanumeric(),
        };
        if keep {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::sample;

    #[test]
    fn the_file_is_self_contained_with_preface_and_chapters_in_order() {
        let work = sample();
        let html = to_html(&work);
        assert!(
            html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"),
            "{html}"
        );
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        assert!(html.contains("<meta charset=\"utf-8\">"));
        assert!(html.contains("<style>") && html.contains("max-width: 40em"));
        assert!(!html.contains("<link"), "no outside stylesheet");
        let order = [
            "<div id=\"preface\">",
            "<h1>The Long Road Home</h1>",
            "<div class=\"byline\">by ash_writes, Birch</div>",
            "<dt>Rating:</dt>\n<dd>Teen And Up Audiences</dd>",
            "<dt>Categories:</dt>\n<dd>F/M, Gen</dd>",
            "<dt>Additional Tags:</dt>\n<dd>Road Trip, Found Family &amp; Friends</dd>",
            "<dt>Language:</dt>\n<dd>English</dd>",
            "<dt>Series:</dt>\n<dd>Part 2 of Roads</dd>",
            "<dd>Published: 2024-01-02 Completed: 2024-02-03 Words: 5,688 Chapters: 2/2 Comments: 3 Kudos: 10 Bookmarks: 1 Hits: 1,234</dd>",
            "<a href=\"https://example.org/works/42\">",
            "<p class=\"label\">Summary</p>\n<blockquote class=\"userstuff\" dir=\"auto\">\n<p>Two friends &amp; a car.</p>",
            "<div id=\"chapters\">",
            "<h2 class=\"heading\">Chapter 1: Departure</h2>",
            "<div class=\"userstuff\" dir=\"auto\">\n<p>First paragraph.</p>",
            "Chapter End Notes",
            "<h2 class=\"heading\">Chapter 2</h2>",
            "<p>Arrival.</p>",
            "<div id=\"afterword\">",
            "The end",
        ];
        let mut from = 0;
        for part in order {
            let at = html[from..]
                .find(part)
                .unwrap_or_else(|| panic!("{part:?} after byte {from} in\n{html}"));
            from += at + part.len();
        }
        assert!(!html.contains("<dt>Relationships:"), "singular label");
    }

    #[test]
    fn a_one_shot_is_headed_by_its_title_and_empty_parts_are_skipped() {
        let mut work = sample();
        work.chapters.truncate(1);
        work.chapters[0].title = None;
        work.end_notes = Some("  ".into());
        work.language = None;
        work.relationships.clear();
        let html = to_html(&work);
        assert!(
            html.contains("<h2 class=\"heading\">The Long Road Home</h2>"),
            "{html}"
        );
        assert!(!html.contains("<div id=\"afterword\">"));
        assert!(!html.contains("Relationship"));
        assert!(html.contains("<html lang=\"en\">"));
    }

    #[test]
    fn plain_text_is_escaped() {
        let mut work = sample();
        work.title = "<b>Bold</b> & \"quoted\"".into();
        let html = to_html(&work);
        assert!(html.contains("<h1>&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot;</h1>"));
        assert!(!html.contains("<b>Bold"));
    }

    #[test]
    fn numbers_and_languages() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(5688), "5,688");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-1000), "-1,000");
        assert_eq!(language_tag("English"), "en");
        assert_eq!(language_tag("en"), "en");
        assert_eq!(language_tag("pt-BR"), "pt-br");
        assert_eq!(language_tag("es_419"), "es-419");
        assert_eq!(language_tag("日本語"), "ja");
        assert_eq!(language_tag("Français"), "fr");
        assert_eq!(language_tag("Klingon"), "und");
        assert_eq!(language_tag(""), "und");
    }

    #[test]
    fn web_urls_are_encoded_and_only_http() {
        assert_eq!(
            web_url(" https://e.org/a b\"c<d>?q=é#x#y ").as_deref(),
            Some("https://e.org/a%20b%22c%3Cd%3E?q=%C3%A9#x%23y")
        );
        assert_eq!(
            web_url("HTTP://e.org/100%").as_deref(),
            Some("HTTP://e.org/100%25")
        );
        assert_eq!(
            web_url("https://e.org/%41").as_deref(),
            Some("https://e.org/%41")
        );
        assert_eq!(web_url("javascript:alert(1)"), None);
        assert_eq!(web_url("/works/1"), None);
        assert_eq!(web_url("https://"), None);
    }
}
