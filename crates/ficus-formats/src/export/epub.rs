//! EPUB 3 with an EPUB 2 NCX, made to pass epubcheck 4 with no errors and
//! no warnings.
//!
//! The archive holds `mimetype` (first, stored), `META-INF/container.xml`
//! and, under `OEBPS/`, the package document, the NCX, the navigation
//! document, a stylesheet, a preface, one XHTML file per chapter and an
//! afterword when the work has end notes. Entries carry a fixed date, so
//! the same work always gives the same bytes.
//!
//! Stored HTML is HTML, not XML, and allows what EPUB's XHTML does not
//! (obsolete elements, `align`, blocks inside inline elements, loose text
//! in lists, remote images…): [`XhtmlWriter`] re-serializes every fragment
//! as well-formed, valid XHTML.

use std::collections::HashSet;
use std::io::{Cursor, Write};

use ficus_core::html::text_of;
use scraper::{ElementRef, Html, Node};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

use super::html::{
    STYLESHEET, afterword, chapter_label, chapter_markup, display_title, encode_url, language_tag,
    preface, present, source_url, web_url,
};
use super::{ExportError, ExportWork};

/// The content of the `mimetype` entry.
const MIMETYPE: &str = "application/epub+zip";

/// `META-INF/container.xml`: where the package document is.
const CONTAINER: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"#;

/// Elements deeper than this are written as their text only, so hostile
/// nesting cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

/// Writes `work` as an EPUB file.
pub fn to_epub(work: &ExportWork) -> Result<Vec<u8>, ExportError> {
    let lang = work
        .language
        .as_deref()
        .map_or_else(|| "und".to_string(), language_tag);
    let documents = documents(work, &lang);
    let mut files: Vec<(String, String)> = Vec::with_capacity(documents.len() + 5);
    files.push(("META-INF/container.xml".into(), CONTAINER.into()));
    files.push(("OEBPS/content.opf".into(), package(work, &lang, &documents)));
    files.push(("OEBPS/toc.ncx".into(), ncx(work, &documents)));
    files.push(("OEBPS/nav.xhtml".into(), nav(work, &lang, &documents)));
    files.push(("OEBPS/style.css".into(), STYLESHEET.into()));
    for document in documents {
        files.push((format!("OEBPS/{}", document.href), document.xhtml));
    }
    write_zip(&files)
}

/// One XHTML content document of the spine.
struct Document {
    /// Manifest id.
    id: String,
    /// File name under `OEBPS/`.
    href: String,
    /// Its entry in the tables of contents.
    label: String,
    xhtml: String,
}

/// The spine's documents in reading order: preface, chapters, afterword.
fn documents(work: &ExportWork, lang: &str) -> Vec<Document> {
    let mut documents = Vec::with_capacity(work.chapters.len() + 2);

    let sources = [work.summary.as_deref(), work.notes.as_deref()];
    let mut writer = XhtmlWriter::new(sources.into_iter().flatten());
    let body = preface(work, &mut |html: &str| writer.convert(html));
    documents.push(Document {
        id: "preface".into(),
        href: "preface.xhtml".into(),
        label: "Preface".into(),
        xhtml: xhtml_document(lang, display_title(work), &body),
    });

    for (index, chapter) in work.chapters.iter().enumerate() {
        let n = index + 1;
        let label = chapter_label(chapter);
        let sources = [
            chapter.summary.as_deref(),
            chapter.notes.as_deref(),
            Some(chapter.body.as_str()),
            chapter.end_notes.as_deref(),
        ];
        let mut writer = XhtmlWriter::new(sources.into_iter().flatten());
        let body = chapter_markup(chapter, &label, &mut |html: &str| writer.convert(html));
        documents.push(Document {
            id: format!("chapter-{n}"),
            href: format!("chapter-{n}.xhtml"),
            xhtml: xhtml_document(lang, &label, &body),
            label,
        });
    }

    if let Some(notes) = present(work.end_notes.as_deref()) {
        let mut writer = XhtmlWriter::new([notes]);
        let body = afterword(work, &mut |html: &str| writer.convert(html));
        documents.push(Document {
            id: "afterword".into(),
            href: "afterword.xhtml".into(),
            label: "Afterword".into(),
            xhtml: xhtml_document(lang, "End Notes", &body),
        });
    }
    documents
}

/// A complete XHTML content document around `body`.
fn xhtml_document(lang: &str, title: &str, body: &str) -> String {
    let mut title = xml_text(title.trim());
    if title.trim().is_empty() {
        title = "Untitled".into();
    }
    let lang = xml_attr(lang);
    let mut out = String::with_capacity(body.len() + 512);
    out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html>\n");
    out.push_str(&format!(
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\">\n"
    ));
    out.push_str(&format!(
        "<head>\n<title>{title}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n</head>\n<body>\n"
    ));
    out.push_str(body);
    out.push_str("</body>\n</html>\n");
    xml_chars(out)
}

/// The package's unique identifier (also the NCX's `dtb:uid`).
fn identifier(work: &ExportWork) -> String {
    format!("urn:ficus:work:{}", work.id)
}

/// The non-blank strings of `values`, trimmed.
fn non_blank(values: &[String]) -> impl Iterator<Item = &str> {
    values.iter().map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// `OEBPS/content.opf`: metadata, manifest, spine.
fn package(work: &ExportWork, lang: &str, documents: &[Document]) -> String {
    let mut meta = String::new();
    meta.push_str(&format!(
        "<dc:identifier id=\"book-id\">{}</dc:identifier>\n",
        xml_text(&identifier(work))
    ));
    meta.push_str(&format!(
        "<dc:title>{}</dc:title>\n",
        xml_text(display_title(work))
    ));
    for (index, creator) in non_blank(&work.creators).enumerate() {
        let id = format!("creator-{}", index + 1);
        meta.push_str(&format!(
            "<dc:creator id=\"{id}\">{}</dc:creator>\n<meta refines=\"#{id}\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n",
            xml_text(creator)
        ));
    }
    meta.push_str(&format!("<dc:language>{}</dc:language>\n", xml_text(lang)));
    meta.push_str(&format!("<dc:date>{}</dc:date>\n", work.published));
    meta.push_str("<dc:publisher>Ficus</dc:publisher>\n");
    if let Some(url) = source_url(work) {
        meta.push_str(&format!("<dc:source>{}</dc:source>\n", xml_text(url)));
    }
    if let Some(summary) = present(work.summary.as_deref()) {
        let text = text_of(summary);
        if !text.is_empty() {
            meta.push_str(&format!(
                "<dc:description>{}</dc:description>\n",
                xml_text(&text)
            ));
        }
    }
    let subjects: [&[String]; 7] = [
        &work.fandoms,
        &work.relationships,
        &work.characters,
        &work.freeforms,
        std::slice::from_ref(&work.rating),
        &work.warnings,
        &work.categories,
    ];
    for subject in subjects.into_iter().flat_map(non_blank) {
        meta.push_str(&format!("<dc:subject>{}</dc:subject>\n", xml_text(subject)));
    }
    meta.push_str(&format!(
        "<meta property=\"dcterms:modified\">{}T00:00:00Z</meta>\n",
        work.updated
    ));
    let series = work
        .series
        .iter()
        .map(|(title, position)| (title.trim(), position))
        .filter(|(title, _)| !title.is_empty());
    for (index, (title, position)) in series.enumerate() {
        let id = format!("series-{}", index + 1);
        meta.push_str(&format!(
            "<meta property=\"belongs-to-collection\" id=\"{id}\">{}</meta>\n<meta refines=\"#{id}\" property=\"collection-type\">series</meta>\n<meta refines=\"#{id}\" property=\"group-position\">{position}</meta>\n",
            xml_text(title)
        ));
    }

    let mut manifest = String::from(
        "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n<item id=\"style\" href=\"style.css\" media-type=\"text/css\"/>\n",
    );
    let mut spine = String::new();
    for document in documents {
        manifest.push_str(&format!(
            "<item id=\"{}\" href=\"{}\" media-type=\"application/xhtml+xml\"/>\n",
            document.id, document.href
        ));
        spine.push_str(&format!("<itemref idref=\"{}\"/>\n", document.id));
    }

    xml_chars(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"book-id\" xml:lang=\"{}\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n{meta}</metadata>\n<manifest>\n{manifest}</manifest>\n<spine toc=\"ncx\">\n{spine}</spine>\n</package>\n",
        xml_attr(lang)
    ))
}

/// `OEBPS/toc.ncx`: the EPUB 2 table of contents, for older readers.
fn ncx(work: &ExportWork, documents: &[Document]) -> String {
    let mut points = String::new();
    for (index, document) in documents.iter().enumerate() {
        let n = index + 1;
        points.push_str(&format!(
            "<navPoint id=\"navpoint-{n}\" playOrder=\"{n}\">\n<navLabel><text>{}</text></navLabel>\n<content src=\"{}\"/>\n</navPoint>\n",
            xml_text(&document.label),
            document.href
        ));
    }
    xml_chars(format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\">\n<head>\n<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"1\"/>\n<meta name=\"dtb:totalPageCount\" content=\"0\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"0\"/>\n</head>\n<docTitle><text>{}</text></docTitle>\n<navMap>\n{points}</navMap>\n</ncx>\n",
        xml_attr(&identifier(work)),
        xml_text(display_title(work))
    ))
}

/// `OEBPS/nav.xhtml`: the EPUB 3 table of contents.
fn nav(work: &ExportWork, lang: &str, documents: &[Document]) -> String {
    let mut body = String::from("<nav epub:type=\"toc\" id=\"toc\">\n<h1>Contents</h1>\n<ol>\n");
    for document in documents {
        body.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            document.href,
            xml_text(&document.label)
        ));
    }
    body.push_str("</ol>\n</nav>\n");
    xhtml_document(lang, display_title(work), &body)
}

/// Zips the files after a stored `mimetype`, every entry dated
/// 2000-01-01.
fn write_zip(files: &[(String, String)]) -> Result<Vec<u8>, ExportError> {
    let time = DateTime::from_date_and_time(2000, 1, 1, 0, 0, 0).map_err(zip_error)?;
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("mimetype", file_options(CompressionMethod::Stored, time))
        .map_err(zip_error)?;
    zip.write_all(MIMETYPE.as_bytes()).map_err(zip_error)?;
    for (name, content) in files {
        zip.start_file(
            name.as_str(),
            file_options(CompressionMethod::Deflated, time),
        )
        .map_err(zip_error)?;
        zip.write_all(content.as_bytes()).map_err(zip_error)?;
    }
    let cursor = zip.finish().map_err(zip_error)?;
    Ok(cursor.into_inner())
}

/// Deflate level: the fastest. Prose still shrinks to about 40%, and the
/// build is what a reader waits for.
const DEFLATE_LEVEL: i64 = 1;

fn file_options(method: CompressionMethod, time: DateTime) -> SimpleFileOptions {
    let options = SimpleFileOptions::default()
        .compression_method(method)
        .last_modified_time(time);
    if method == CompressionMethod::Deflated {
        options.compression_level(Some(DEFLATE_LEVEL))
    } else {
        options
    }
}

fn zip_error(error: impl std::fmt::Display) -> ExportError {
    ExportError::Zip(error.to_string())
}

// ---------------------------------------------------------------------------
// XML text

/// Whether XML 1.0 allows `c` (C0 and C1 controls other than tab and line
/// ends, and U+FFFE/U+FFFF, are dropped).
fn is_xml_char(c: char) -> bool {
    !matches!(
        c,
        '\u{0}'..='\u{8}'
            | '\u{b}'
            | '\u{c}'
            | '\u{e}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{fffe}'
            | '\u{ffff}'
    )
}

/// Appends `text` escaped for XML content or, with `in_attribute`, for a
/// double-quoted attribute (line ends and tabs there become spaces).
/// No-break spaces are written as `&#160;`; characters XML forbids are
/// dropped.
fn push_escaped(out: &mut String, text: &str, in_attribute: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\t' | '\n' | '\r' if in_attribute => out.push(' '),
            '\u{a0}' => out.push_str("&#160;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
}

/// `text` escaped for XML content.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, false);
    out
}

/// `text` escaped for a double-quoted XML attribute.
fn xml_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, true);
    out
}

/// `xml` without the characters XML forbids (a last pass over whole
/// documents, whose plain-text parts were escaped for HTML).
fn xml_chars(xml: String) -> String {
    if xml.chars().all(is_xml_char) {
        xml
    } else {
        xml.chars().filter(|&c| is_xml_char(c)).collect()
    }
}

/// Appends ` name="value"`, the value escaped.
fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value, true);
    out.push('"');
}

fn is_whitespace(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_whitespace())
}

// ---------------------------------------------------------------------------
// Stored HTML as XHTML

/// Elements written as they are, with phrasing content.
const INLINE: &[&str] = &[
    "abbr", "b", "cite", "code", "dfn", "em", "i", "kbd", "q", "s", "samp", "small", "span",
    "strong", "sub", "sup", "u", "var",
];

/// Elements left out together with everything inside them.
const SKIPPED: &[&str] = &[
    "script", "style", "template", "noscript", "head", "title", "meta", "link", "base", "iframe",
    "object", "embed", "svg", "math", "col", "input", "select", "textarea",
];

/// How the writer treats an element it has no special handling for.
enum Kind {
    /// Left out, with its content.
    Skip,
    /// Its content is written, not the element.
    Unwrap,
    /// A phrasing element (output name, extra class).
    Inline(&'static str, Option<&'static str>),
    /// `ins`, `del`: content as allowed where they are.
    Transparent(&'static str),
    /// A block (output name, extra class, whether its content is phrasing).
    Block(&'static str, Option<&'static str>, bool),
}

/// The treatment of `name`: obsolete elements become their modern form
/// (`center` a `div.center`, `big` a `span.big`, `strike` an `s`, `tt` a
/// `code`, `acronym` an `abbr`), `address` a `div.address`, and elements
/// found outside the parent they need (list items, terms, captions,
/// cells…) a `div` (or `span`) with their name as class.
fn kind(name: &str) -> Kind {
    if let Some(tag) = INLINE.iter().copied().find(|tag| *tag == name) {
        return Kind::Inline(tag, None);
    }
    match name {
        "big" => Kind::Inline("span", Some("big")),
        "strike" => Kind::Inline("s", None),
        "tt" => Kind::Inline("code", None),
        "acronym" => Kind::Inline("abbr", None),
        "rt" => Kind::Inline("span", Some("rt")),
        "rp" => Kind::Inline("span", Some("rp")),
        "ins" => Kind::Transparent("ins"),
        "del" => Kind::Transparent("del"),
        "p" => Kind::Block("p", None, true),
        "pre" => Kind::Block("pre", None, true),
        "h1" => Kind::Block("h1", None, true),
        "h2" => Kind::Block("h2", None, true),
        "h3" => Kind::Block("h3", None, true),
        "h4" => Kind::Block("h4", None, true),
        "h5" => Kind::Block("h5", None, true),
        "h6" => Kind::Block("h6", None, true),
        "div" => Kind::Block("div", None, false),
        "blockquote" => Kind::Block("blockquote", None, false),
        "center" => Kind::Block("div", Some("center"), false),
        "address" => Kind::Block("div", Some("address"), false),
        "li" => Kind::Block("div", Some("li"), false),
        "dt" => Kind::Block("div", Some("dt"), false),
        "dd" => Kind::Block("div", Some("dd"), false),
        "summary" => Kind::Block("div", Some("summary"), false),
        "figcaption" => Kind::Block("div", Some("figcaption"), false),
        "caption" => Kind::Block("div", Some("caption"), false),
        "tr" => Kind::Block("div", Some("tr"), false),
        "td" => Kind::Block("div", Some("td"), false),
        "th" => Kind::Block("div", Some("th"), false),
        _ if SKIPPED.contains(&name) => Kind::Skip,
        _ => Kind::Unwrap,
    }
}

/// Where content is being written.
#[derive(Clone, Copy, Default)]
struct Ctx {
    /// Only phrasing content is allowed (inside `p`, `span`, headings…).
    phrasing: bool,
    /// Inside a link: no nested links, no `details`.
    in_link: bool,
    /// Inside a `dfn`: no nested `dfn`.
    in_dfn: bool,
}

impl Ctx {
    fn inline(self) -> Ctx {
        Ctx {
            phrasing: true,
            ..self
        }
    }
}

/// A child node worth looking at: text or an element.
#[derive(Clone, Copy)]
enum Child<'a> {
    Text(&'a str),
    Element(ElementRef<'a>),
}

impl<'a> Child<'a> {
    fn is_blank(&self) -> bool {
        matches!(self, Child::Text(text) if is_whitespace(text))
    }

    fn name(&self) -> Option<&'a str> {
        match self {
            Child::Element(el) => Some(el.value().name()),
            Child::Text(_) => None,
        }
    }
}

/// The text and element children of `el`.
fn kids(el: ElementRef<'_>) -> Vec<Child<'_>> {
    el.children()
        .filter_map(|node| match node.value() {
            Node::Text(text) => Some(Child::Text(text)),
            Node::Element(_) => ElementRef::wrap(node).map(Child::Element),
            _ => None,
        })
        .collect()
}

/// The id an `a name` anchor gets (and a `#name` link points to):
/// prefixed so it cannot clash with the document's own ids, and reduced
/// to characters every reader accepts in an id.
fn anchor_id(name: &str) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Some(format!("a-{safe}"))
}

/// Whether `s` is a well-formed language tag (`xsd:language`).
fn is_language_tag(s: &str) -> bool {
    let mut parts = s.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok
        && parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A positive (or, with `allow_zero`, non-negative) integer attribute,
/// normalized.
fn count_attr(value: Option<&str>, allow_zero: bool) -> Option<String> {
    let n: u32 = value?.trim().parse().ok()?;
    (n > 0 || allow_zero).then(|| n.to_string())
}

/// The attributes XHTML keeps for an element written as `tag`: `class`
/// (with `extra_class` and `align="x"` as `align-x` added), valid `dir`,
/// well-formed `lang`, `title`, and per element `start`/`type` (`ol`),
/// `colspan`/`rowspan`/`scope` (cells), `span` (`col`), `cite` (quotes).
fn attributes(el: ElementRef<'_>, tag: &str, extra_class: Option<&str>) -> String {
    let e = el.value();
    let mut out = String::new();

    let mut classes: Vec<String> = Vec::new();
    let mut add_class = |class: String| {
        if !class.is_empty() && !classes.contains(&class) {
            classes.push(class);
        }
    };
    if let Some(class) = extra_class {
        add_class(class.to_string());
    }
    if let Some(align) = e.attr("align") {
        let align: String = align
            .chars()
            .filter(char::is_ascii_alphabetic)
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if !align.is_empty() {
            add_class(format!("align-{align}"));
        }
    }
    if let Some(class) = e.attr("class") {
        for name in class.split_ascii_whitespace() {
            add_class(name.to_string());
        }
    }
    if !classes.is_empty() {
        push_attr(&mut out, "class", &classes.join(" "));
    }

    if let Some(dir) = e.attr("dir") {
        let dir = dir.trim().to_ascii_lowercase();
        if matches!(dir.as_str(), "ltr" | "rtl" | "auto") {
            push_attr(&mut out, "dir", &dir);
        }
    }
    if let Some(lang) = e.attr("lang").map(str::trim)
        && is_language_tag(lang)
    {
        push_attr(&mut out, "lang", lang);
    }
    if let Some(title) = e.attr("title") {
        push_attr(&mut out, "title", title);
    }

    match tag {
        "ol" => {
            if let Some(start) = e.attr("start").and_then(|s| s.trim().parse::<i64>().ok()) {
                push_attr(&mut out, "start", &start.to_string());
            }
            if let Some(kind) = e.attr("type").map(str::trim)
                && matches!(kind, "1" | "a" | "A" | "i" | "I")
            {
                push_attr(&mut out, "type", kind);
            }
        }
        "td" | "th" => {
            if let Some(colspan) = count_attr(e.attr("colspan"), false) {
                push_attr(&mut out, "colspan", &colspan);
            }
            if let Some(rowspan) = count_attr(e.attr("rowspan"), true) {
                push_attr(&mut out, "rowspan", &rowspan);
            }
            if tag == "th"
                && let Some(scope) = e.attr("scope").map(|s| s.trim().to_ascii_lowercase())
                && matches!(scope.as_str(), "row" | "col" | "rowgroup" | "colgroup")
            {
                push_attr(&mut out, "scope", &scope);
            }
        }
        "col" => {
            if let Some(span) = count_attr(e.attr("span"), false) {
                push_attr(&mut out, "span", &span);
            }
        }
        "blockquote" | "q" => {
            if let Some(cite) = e.attr("cite").and_then(web_url) {
                push_attr(&mut out, "cite", &cite);
            }
        }
        _ => {}
    }
    out
}

/// A part of a `ruby` element.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RubyPart {
    /// Base text (any phrasing content).
    Base,
    /// An `rt` annotation.
    Text,
    /// An `rp` parenthesis.
    Paren,
}

/// Whether the parts follow HTML's ruby model: groups of base content
/// followed by `rt`s, or by `rp`, (`rt`, `rp`)+.
fn ruby_is_valid(parts: &[(RubyPart, String)]) -> bool {
    #[derive(Clone, Copy)]
    enum State {
        Start,
        Base,
        Annotated,
        OpenParen,
        ParenText,
        CloseParen,
    }
    let mut state = State::Start;
    for (part, _) in parts {
        state = match (state, part) {
            (State::Start | State::Base | State::Annotated | State::CloseParen, RubyPart::Base) => {
                State::Base
            }
            (State::Base | State::Annotated, RubyPart::Text) => State::Annotated,
            (State::Base, RubyPart::Paren) => State::OpenParen,
            (State::OpenParen | State::CloseParen, RubyPart::Text) => State::ParenText,
            (State::ParenText, RubyPart::Paren) => State::CloseParen,
            _ => return false,
        };
    }
    matches!(state, State::Annotated | State::CloseParen)
}

/// Re-serializes the sanitized stored HTML of one XHTML document as
/// XHTML that epubcheck accepts.
///
/// The writer is made for all the fragments of one document at once, so
/// that a `#name` link in one fragment (a footnote mark in the text) can
/// point to an `a name` anchor in another (the note in the end notes);
/// links to anchors the document does not have lose their `href`, as do
/// relative links (they would point inside the book). Anchors become
/// `id`s, each written once.
///
/// Besides writing void elements self-closed, quoting attributes and
/// turning character references into characters (`&#160;` for no-break
/// spaces), it repairs what HTML parsers accept but XHTML validators do
/// not: obsolete elements and attributes (see `kind` and `attributes`),
/// blocks inside phrasing content (unwrapped, with line
/// breaks between), loose content in lists (moved into list items),
/// misordered definition lists (written as `div`s), misordered table
/// sections (reordered), ruby without annotations (unwrapped), `details`
/// without a leading `summary`, nested links and `dfn`s, and remote
/// images (links to them, as EPUB allows no remote images undeclared).
pub(crate) struct XhtmlWriter {
    /// The ids of the anchors the document's fragments define.
    anchors: HashSet<String>,
    /// The ids written so far.
    ids: HashSet<String>,
    /// A line break is owed before the next phrasing content (after a
    /// block unwrapped inside phrasing content).
    pending_br: bool,
    /// The element being written has content already.
    has_content: bool,
    depth: usize,
}

impl XhtmlWriter {
    /// A writer for the document made of `sources` (each stored HTML).
    pub(crate) fn new<'a>(sources: impl IntoIterator<Item = &'a str>) -> Self {
        let mut anchors = HashSet::new();
        for source in sources {
            let names_anchor = source
                .as_bytes()
                .windows(4)
                .any(|w| w.eq_ignore_ascii_case(b"name"));
            if !names_anchor {
                continue;
            }
            let fragment = Html::parse_fragment(source);
            for node in fragment.tree.nodes() {
                if let Node::Element(e) = node.value()
                    && e.name() == "a"
                    && let Some(id) = e.attr("name").and_then(anchor_id)
                {
                    anchors.insert(id);
                }
            }
        }
        XhtmlWriter {
            anchors,
            ids: HashSet::new(),
            pending_br: false,
            has_content: false,
            depth: 0,
        }
    }

    /// One fragment of the document as XHTML flow content.
    pub(crate) fn convert(&mut self, html: &str) -> String {
        let fragment = Html::parse_fragment(html);
        let mut out = String::with_capacity(html.len() + html.len() / 8 + 16);
        self.pending_br = false;
        self.has_content = false;
        self.depth = 0;
        self.children(fragment.root_element(), Ctx::default(), &mut out);
        out
    }

    fn children(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        for node in el.children() {
            match node.value() {
                Node::Text(text) => self.text(text, out),
                Node::Element(_) => {
                    if let Some(child) = ElementRef::wrap(node) {
                        self.element(child, ctx, out);
                    }
                }
                _ => {}
            }
        }
    }

    fn child(&mut self, kid: Child<'_>, ctx: Ctx, out: &mut String) {
        match kid {
            Child::Text(text) => self.text(text, out),
            Child::Element(el) => self.element(el, ctx, out),
        }
    }

    fn text(&mut self, text: &str, out: &mut String) {
        if !is_whitespace(text) {
            self.flush(out);
            self.has_content = true;
        }
        push_escaped(out, text, false);
    }

    fn element(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if self.depth >= MAX_DEPTH {
            for text in el.text() {
                self.text(text, out);
            }
            return;
        }
        self.depth += 1;
        match el.value().name() {
            "br" => {
                self.pending_br = false;
                out.push_str("<br/>");
                self.has_content = true;
            }
            "hr" => self.rule(el, ctx, out),
            "img" => self.image(el, ctx, out),
            "a" => self.link(el, ctx, out),
            "ul" | "ol" => self.list(el, ctx, out),
            "dl" => self.definitions(el, ctx, out),
            "ruby" => self.ruby(el, ctx, out),
            "details" => self.details(el, ctx, out),
            "figure" => self.figure(el, ctx, out),
            "table" => self.table(el, ctx, out),
            name => self.generic(el, name, ctx, out),
        }
        self.depth -= 1;
    }

    /// Writes a start tag (paying an owed line break first).
    fn open(&mut self, out: &mut String, tag: &str, attrs: &str) {
        self.flush(out);
        out.push('<');
        out.push_str(tag);
        out.push_str(attrs);
        out.push('>');
        self.has_content = false;
    }

    fn close(&mut self, out: &mut String, tag: &str) {
        self.pending_br = false;
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
        self.has_content = true;
    }

    fn flush(&mut self, out: &mut String) {
        if self.pending_br {
            out.push_str("<br/>");
            self.pending_br = false;
        }
    }

    /// Owes a line break if the element being written has content.
    fn block_break(&mut self) {
        if self.has_content {
            self.pending_br = true;
        }
    }

    /// A block met in phrasing content: its content, on lines of its own.
    fn unwrap_block(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        self.block_break();
        self.children(el, ctx.inline(), out);
        self.block_break();
    }

    fn generic(&mut self, el: ElementRef<'_>, name: &str, ctx: Ctx, out: &mut String) {
        match kind(name) {
            Kind::Skip => {}
            Kind::Unwrap => self.children(el, ctx, out),
            Kind::Inline(tag, class) => {
                if tag == "dfn" && ctx.in_dfn {
                    self.children(el, ctx, out);
                    return;
                }
                let attrs = attributes(el, tag, class);
                self.open(out, tag, &attrs);
                let inner = Ctx {
                    in_dfn: ctx.in_dfn || tag == "dfn",
                    ..ctx.inline()
                };
                self.children(el, inner, out);
                self.close(out, tag);
            }
            Kind::Transparent(tag) => {
                let attrs = attributes(el, tag, None);
                self.open(out, tag, &attrs);
                self.children(el, ctx, out);
                self.close(out, tag);
            }
            Kind::Block(tag, class, phrasing_content) => {
                if ctx.phrasing {
                    self.unwrap_block(el, ctx, out);
                    return;
                }
                let attrs = attributes(el, tag, class);
                self.open(out, tag, &attrs);
                let inner = if phrasing_content { ctx.inline() } else { ctx };
                self.children(el, inner, out);
                self.close(out, tag);
            }
        }
    }

    /// `hr`; in phrasing content, a line break.
    fn rule(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if ctx.phrasing {
            self.block_break();
            return;
        }
        out.push_str("<hr");
        out.push_str(&attributes(el, "hr", None));
        out.push_str("/>");
        self.has_content = true;
    }

    /// An image: a link to a remote one labelled "[image: alt]" (plain
    /// text inside another link); the alt text alone for one without a
    /// usable source.
    fn image(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        let alt = el
            .value()
            .attr("alt")
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let label = match alt {
            Some(alt) => format!("[image: {alt}]"),
            None => "[image]".to_string(),
        };
        match el.value().attr("src").and_then(web_url) {
            Some(href) if !ctx.in_link => {
                let mut attrs = String::new();
                push_attr(&mut attrs, "href", &href);
                self.open(out, "a", &attrs);
                self.text(&label, out);
                self.close(out, "a");
            }
            Some(_) => self.text(&label, out),
            None => {
                if alt.is_some() {
                    self.text(&label, out);
                }
            }
        }
    }

    /// `a`: `name` as an id, `href` when it leads somewhere (see
    /// `XhtmlWriter::href`); `rel` and `target` dropped. Inside another
    /// link, only its content.
    fn link(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if ctx.in_link {
            self.children(el, ctx, out);
            return;
        }
        let e = el.value();
        let mut attrs = String::new();
        if let Some(id) = e.attr("name").and_then(anchor_id)
            && self.ids.insert(id.clone())
        {
            push_attr(&mut attrs, "id", &id);
        }
        if let Some(href) = e.attr("href").and_then(|h| self.href(h)) {
            push_attr(&mut attrs, "href", &href);
        }
        attrs.push_str(&attributes(el, "a", None));
        self.open(out, "a", &attrs);
        let inner = Ctx {
            in_link: true,
            ..ctx
        };
        self.children(el, inner, out);
        self.close(out, "a");
    }

    /// A link target that resolves in the book: an anchor of this
    /// document, an http(s) URL, or a `mailto:` address.
    fn href(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if let Some(fragment) = href.strip_prefix('#') {
            return anchor_id(fragment)
                .filter(|id| self.anchors.contains(id))
                .map(|id| format!("#{id}"));
        }
        let is_mail = href.len() > 7
            && href
                .get(..7)
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("mailto:"));
        if is_mail {
            return Some(encode_url(href));
        }
        web_url(href)
    }

    /// `ul`, `ol`: anything but a list item (loose text, a nested list)
    /// goes into the item before it, or a new item.
    fn list(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if ctx.phrasing {
            self.unwrap_block(el, ctx, out);
            return;
        }
        let tag = if el.value().name() == "ol" {
            "ol"
        } else {
            "ul"
        };
        let attrs = attributes(el, tag, None);
        self.open(out, tag, &attrs);
        let mut item_open = false;
        for kid in kids(el) {
            match kid {
                Child::Text(text) if is_whitespace(text) => {
                    if item_open {
                        self.text(text, out);
                    }
                }
                Child::Element(item) if item.value().name() == "li" => {
                    if item_open {
                        self.close(out, "li");
                    }
                    let attrs = attributes(item, "li", None);
                    self.open(out, "li", &attrs);
                    self.children(item, ctx, out);
                    item_open = true;
                }
                other => {
                    if !item_open {
                        self.open(out, "li", "");
                        item_open = true;
                    }
                    self.child(other, ctx, out);
                }
            }
        }
        if item_open {
            self.close(out, "li");
        }
        self.close(out, tag);
    }

    /// `dl`: as it is when it is terms followed by definitions, else a
    /// `div.dl` (its terms and definitions `div.dt`, `div.dd`).
    fn definitions(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if ctx.phrasing {
            self.unwrap_block(el, ctx, out);
            return;
        }
        let kids = kids(el);
        let names: Vec<Option<&str>> = kids
            .iter()
            .filter(|k| !k.is_blank())
            .map(Child::name)
            .collect();
        let valid = names.iter().all(|n| matches!(n, Some("dt" | "dd")))
            && names.first().is_none_or(|n| *n == Some("dt"))
            && names.last().is_none_or(|n| *n == Some("dd"));
        if !valid {
            let attrs = attributes(el, "div", Some("dl"));
            self.open(out, "div", &attrs);
            for kid in kids {
                self.child(kid, ctx, out);
            }
            self.close(out, "div");
            return;
        }
        let attrs = attributes(el, "dl", None);
        self.open(out, "dl", &attrs);
        for kid in kids {
            if let Child::Element(item) = kid {
                let tag = if item.value().name() == "dt" {
                    "dt"
                } else {
                    "dd"
                };
                let attrs = attributes(item, tag, None);
                self.open(out, tag, &attrs);
                self.children(item, ctx, out);
                self.close(out, tag);
            }
        }
        self.close(out, "dl");
    }

    /// `ruby` as it is when it follows the ruby model; else its base text
    /// with each annotation in parentheses.
    fn ruby(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        self.flush(out);
        let inner = ctx.inline();
        let mut parts: Vec<(RubyPart, String)> = Vec::new();
        for kid in kids(el) {
            let part = match kid {
                Child::Text(text) if is_whitespace(text) => continue,
                Child::Text(text) => (RubyPart::Base, xml_text(text)),
                Child::Element(child) => {
                    let part = match child.value().name() {
                        "rt" => RubyPart::Text,
                        "rp" => RubyPart::Paren,
                        _ => RubyPart::Base,
                    };
                    let mut html = String::new();
                    self.pending_br = false;
                    self.has_content = false;
                    if part == RubyPart::Base {
                        self.element(child, inner, &mut html);
                    } else {
                        self.children(child, inner, &mut html);
                    }
                    self.pending_br = false;
                    if part == RubyPart::Base && html.is_empty() {
                        continue;
                    }
                    (part, html)
                }
            };
            parts.push(part);
        }
        if ruby_is_valid(&parts) {
            out.push_str("<ruby");
            out.push_str(&attributes(el, "ruby", None));
            out.push('>');
            for (part, html) in &parts {
                match part {
                    RubyPart::Base => out.push_str(html),
                    RubyPart::Text => out.push_str(&format!("<rt>{html}</rt>")),
                    RubyPart::Paren => out.push_str(&format!("<rp>{html}</rp>")),
                }
            }
            out.push_str("</ruby>");
        } else {
            for (part, html) in &parts {
                match part {
                    RubyPart::Base => out.push_str(html),
                    RubyPart::Text => {
                        out.push('(');
                        out.push_str(html);
                        out.push(')');
                    }
                    RubyPart::Paren => {}
                }
            }
        }
        self.pending_br = false;
        self.has_content = true;
    }

    /// `details` when a `summary` comes first (and not inside a link);
    /// else a `div.details`.
    fn details(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if ctx.phrasing {
            self.unwrap_block(el, ctx, out);
            return;
        }
        let kids = kids(el);
        let summary_at = kids
            .iter()
            .position(|k| !k.is_blank())
            .filter(|&i| kids[i].name() == Some("summary") && !ctx.in_link);
        let Some(summary_at) = summary_at else {
            let attrs = attributes(el, "div", Some("details"));
            self.open(out, "div", &attrs);
            for kid in kids {
                self.child(kid, ctx, out);
            }
            self.close(out, "div");
            return;
        };
        let mut attrs = attributes(el, "details", None);
        if el.value().attr("open").is_some() {
            attrs.push_str(" open=\"open\"");
        }
        self.open(out, "details", &attrs);
        for (index, kid) in kids.into_iter().enumerate() {
            match kid {
                _ if index < summary_at => {}
                Child::Element(summary) if index == summary_at => {
                    let attrs = attributes(summary, "summary", None);
                    self.open(out, "summary", &attrs);
                    self.children(summary, ctx.inline(), out);
                    self.close(out, "summary");
                }
                other => self.child(other, ctx, out),
            }
        }
        self.close(out, "details");
    }

    /// `figure`, keeping one `figcaption` (the first or last child); any
    /// other becomes a `div.figcaption`.
    fn figure(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if ctx.phrasing {
            self.unwrap_block(el, ctx, out);
            return;
        }
        let kids = kids(el);
        let caption_at = |at: Option<usize>| at.filter(|&i| kids[i].name() == Some("figcaption"));
        let caption = caption_at(kids.iter().position(|k| !k.is_blank()))
            .or_else(|| caption_at(kids.iter().rposition(|k| !k.is_blank())));
        let attrs = attributes(el, "figure", None);
        self.open(out, "figure", &attrs);
        for (index, kid) in kids.iter().copied().enumerate() {
            match kid {
                Child::Element(figcaption) if Some(index) == caption => {
                    self.container(figcaption, "figcaption", ctx, out);
                }
                other => self.child(other, ctx, out),
            }
        }
        self.close(out, "figure");
    }

    /// An element written as `tag` with flow content.
    fn container(&mut self, el: ElementRef<'_>, tag: &str, ctx: Ctx, out: &mut String) {
        let attrs = attributes(el, tag, None);
        self.open(out, tag, &attrs);
        self.children(el, ctx, out);
        self.close(out, tag);
    }

    /// `table`, its parts in the order XHTML requires: caption, column
    /// groups, head, bodies, foot (extra heads, feet and captions become
    /// bodies).
    fn table(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        if ctx.phrasing {
            self.unwrap_block(el, ctx, out);
            return;
        }
        let parts: Vec<ElementRef<'_>> = el.children().filter_map(ElementRef::wrap).collect();
        let first = |name: &str| parts.iter().copied().find(|p| p.value().name() == name);
        let caption = first("caption");
        let head = first("thead");
        let foot = first("tfoot");
        let attrs = attributes(el, "table", None);
        self.open(out, "table", &attrs);
        if let Some(caption) = caption {
            self.container(caption, "caption", ctx, out);
        }
        for part in &parts {
            if part.value().name() == "colgroup" {
                self.column_group(*part, out);
            }
        }
        if let Some(head) = head {
            self.row_group(head, "thead", ctx, out);
        }
        for &part in &parts {
            match part.value().name() {
                "tbody" => self.row_group(part, "tbody", ctx, out),
                "thead" if Some(part) != head => self.row_group(part, "tbody", ctx, out),
                "tfoot" if Some(part) != foot => self.row_group(part, "tbody", ctx, out),
                "tr" => {
                    self.open(out, "tbody", "");
                    self.row(part, ctx, out);
                    self.close(out, "tbody");
                }
                "caption" if Some(part) != caption => {
                    self.open(out, "tbody", "");
                    self.open(out, "tr", "");
                    self.container(part, "td", ctx, out);
                    self.close(out, "tr");
                    self.close(out, "tbody");
                }
                _ => {}
            }
        }
        if let Some(foot) = foot {
            self.row_group(foot, "tfoot", ctx, out);
        }
        self.close(out, "table");
    }

    fn column_group(&mut self, group: ElementRef<'_>, out: &mut String) {
        let attrs = attributes(group, "colgroup", None);
        self.open(out, "colgroup", &attrs);
        for col in group.children().filter_map(ElementRef::wrap) {
            if col.value().name() == "col" {
                out.push_str("<col");
                out.push_str(&attributes(col, "col", None));
                out.push_str("/>");
            }
        }
        self.close(out, "colgroup");
    }

    fn row_group(&mut self, group: ElementRef<'_>, tag: &str, ctx: Ctx, out: &mut String) {
        let attrs = attributes(group, tag, None);
        self.open(out, tag, &attrs);
        for row in group.children().filter_map(ElementRef::wrap) {
            if row.value().name() == "tr" {
                self.row(row, ctx, out);
            }
        }
        self.close(out, tag);
    }

    fn row(&mut self, row: ElementRef<'_>, ctx: Ctx, out: &mut String) {
        let attrs = attributes(row, "tr", None);
        self.open(out, "tr", &attrs);
        for cell in row.children().filter_map(ElementRef::wrap) {
            match cell.value().name() {
                "td" => self.container(cell, "td", ctx, out),
                "th" => self.container(cell, "th", ctx, out),
                _ => {}
            }
        }
        self.close(out, "tr");
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::path::PathBuf;
    use std::process::Command;

    use super::*;
    use crate::export::sample::{awkward, sample};

    /// One fragment converted on its own.
    fn xhtml(html: &str) -> String {
        XhtmlWriter::new([html]).convert(html)
    }

    /// The archive's entries, in order, with their text.
    fn entries(bytes: &[u8]) -> Vec<(String, String)> {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip archive");
        let mut entries = Vec::new();
        for index in 0..archive.len() {
            let mut file = archive.by_index(index).expect("entry");
            let name = file.name().to_string();
            let mut text = String::new();
            file.read_to_string(&mut text).expect("UTF-8 entry");
            entries.push((name, text));
        }
        entries
    }

    fn entry<'a>(entries: &'a [(String, String)], name: &str) -> &'a str {
        entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, text)| text.as_str())
            .unwrap_or_else(|| panic!("{name} missing"))
    }

    /// A rough XML well-formedness check: tags balance, attributes are
    /// double-quoted, references are XML's own or decimal.
    fn assert_well_formed(xml: &str) {
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = xml;
        while let Some(at) = rest.find(['<', '&']) {
            let tail = &rest[at..];
            if tail.starts_with('&') {
                let end = tail.find(';').expect("reference ends");
                let name = &tail[1..end];
                let numeric = name.len() > 1
                    && name.starts_with('#')
                    && name[1..].bytes().all(|b| b.is_ascii_digit());
                assert!(
                    numeric || matches!(name, "amp" | "lt" | "gt" | "quot" | "apos"),
                    "reference &{name}; in\n{xml}"
                );
                rest = &tail[end + 1..];
                continue;
            }
            let end = tail.find('>').expect("tag ends");
            let tag = &tail[1..end];
            rest = &tail[end + 1..];
            if tag.starts_with('?') || tag.starts_with('!') {
                continue;
            }
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "closing tag in\n{xml}");
                continue;
            }
            let self_closing = tag.ends_with('/');
            let name = tag.split([' ', '/']).next().unwrap_or_default();
            let mut attrs = tag[name.len()..].trim_end_matches('/').trim();
            while !attrs.is_empty() {
                let (_, value) = attrs
                    .split_once("=\"")
                    .unwrap_or_else(|| panic!("unquoted attribute in <{tag}> in\n{xml}"));
                let close = value.find('"').expect("attribute value ends");
                attrs = value[close + 1..].trim_start();
            }
            if !self_closing {
                stack.push(name);
            }
        }
        assert!(stack.is_empty(), "unclosed {stack:?} in\n{xml}");
    }

    #[test]
    fn stored_html_becomes_xhtml() {
        let out = xhtml("<p>a<br>b &amp; c&nbsp;<img src=\"https://x/y.png\" alt=\"pic\"></p>");
        assert_eq!(
            out,
            "<p>a<br/>b &amp; c&#160;<a href=\"https://x/y.png\">[image: pic]</a></p>"
        );
        assert!(!out.contains("<img"));
        assert_well_formed(&out);
        assert_eq!(
            xhtml("<center>Hi</center>"),
            "<div class=\"center\">Hi</div>"
        );
        assert_eq!(
            xhtml("<p align=\"Center\" class=\"x\">t</p>"),
            "<p class=\"align-center x\">t</p>"
        );
        assert_eq!(
            xhtml("<big>b</big><strike>s</strike><tt>t</tt><acronym title=\"a\">c</acronym>"),
            "<span class=\"big\">b</span><s>s</s><code>t</code><abbr title=\"a\">c</abbr>"
        );
        assert_eq!(
            xhtml(
                "<a href=\"https://e.org/\" rel=\"nofollow\" target=\"_blank\">l</a> <a href=\"/works/1\">r</a>"
            ),
            "<a href=\"https://e.org/\">l</a> <a>r</a>"
        );
        assert_eq!(xhtml("<hr><p>x</p>"), "<hr/><p>x</p>");
        assert_eq!(
            xhtml("<p title=\"a &quot;b&quot;\n&lt;c&gt;\" dir=\"RTL\" lang=\"zh-Hant\">t</p>"),
            "<p dir=\"rtl\" lang=\"zh-Hant\" title=\"a &quot;b&quot; &lt;c&gt;\">t</p>"
        );
        assert_eq!(xhtml("<p dir=\"up\" lang=\"no good\">t</p>"), "<p>t</p>");
        assert_eq!(xhtml("<p>a\u{1}b\u{b}c\u{7f}d</p>"), "<p>abcd</p>");
        assert_eq!(xhtml("<img alt=\"x\"><img src=\"data:,x\">"), "[image: x]");
    }

    #[test]
    fn blocks_inside_phrasing_content_are_unwrapped_onto_lines() {
        assert_eq!(
            xhtml("<em><p>one</p><p>two</p></em>"),
            "<em>one<br/>two</em>"
        );
        assert_eq!(
            xhtml("<span>a<div>b</div>c<hr>d<h3>e</h3></span>"),
            "<span>a<br/>b<br/>c<br/>d<br/>e</span>"
        );
        assert_eq!(
            xhtml("<span><ul><li>x</li><li>y</li></ul></span>"),
            "<span>x<br/>y</span>"
        );
    }

    #[test]
    fn lists_and_definition_lists_are_repaired() {
        assert_eq!(
            xhtml("<ul>loose<li>one</li><ul><li>nested</li></ul></ul>"),
            "<ul><li>loose</li><li>one<ul><li>nested</li></ul></li></ul>"
        );
        assert_eq!(
            xhtml(
                "<ol start=\"3\" type=\"i\" reversed><li>c</li></ol><ul type=\"disc\"><li>x</li></ul>"
            ),
            "<ol start=\"3\" type=\"i\"><li>c</li></ol><ul><li>x</li></ul>"
        );
        assert_eq!(
            xhtml("<dl><dt>t</dt> <dd>d</dd></dl>"),
            "<dl><dt>t</dt><dd>d</dd></dl>"
        );
        assert_eq!(
            xhtml("<dl><dd>d</dd><dt>t</dt></dl>"),
            "<div class=\"dl\"><div class=\"dd\">d</div><div class=\"dt\">t</div></div>"
        );
        assert_eq!(xhtml("<li>stray</li>"), "<div class=\"li\">stray</div>");
    }

    #[test]
    fn ruby_details_figures_and_tables_are_repaired() {
        assert_eq!(
            xhtml("<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>"),
            "<ruby>漢<rp>(</rp><rt>kan</rt><rp>)</rp></ruby>"
        );
        assert_eq!(
            xhtml("<ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby>"),
            "<ruby>漢<rt>kan</rt>字<rt>ji</rt></ruby>"
        );
        assert_eq!(xhtml("<ruby>plain</ruby>"), "plain");
        assert_eq!(xhtml("<ruby><rt>only</rt></ruby>"), "(only)");
        assert_eq!(
            xhtml("<details open><summary>S</summary><p>B</p></details>"),
            "<details open=\"open\"><summary>S</summary><p>B</p></details>"
        );
        assert_eq!(
            xhtml("<details>no summary</details>"),
            "<div class=\"details\">no summary</div>"
        );
        assert_eq!(
            xhtml("<figure><figcaption>a</figcaption><figcaption>b</figcaption></figure>"),
            "<figure><figcaption>a</figcaption><div class=\"figcaption\">b</div></figure>"
        );
        assert_eq!(
            xhtml(
                "<table width=\"5\"><tfoot><tr><td>f</td></tr></tfoot><tbody><tr><td width=\"3\" colspan=\"0\" rowspan=\"x\">b</td><th scope=\"Col\" colspan=\"2\">h</th></tr></tbody><caption>c</caption></table>"
            ),
            "<table><caption>c</caption><tbody><tr><td>b</td><th colspan=\"2\" scope=\"col\">h</th></tr></tbody><tfoot><tr><td>f</td></tr></tfoot></table>"
        );
    }

    #[test]
    fn anchors_link_across_the_fragments_of_a_document() {
        let text = "<p><a href=\"#n 1\">1</a> <a href=\"#gone\">2</a></p>";
        let notes = "<p><a name=\"n 1\">n</a><a name=\"n 1\">again</a></p>";
        let mut writer = XhtmlWriter::new([text, notes]);
        assert_eq!(
            writer.convert(text),
            "<p><a href=\"#a-n_1\">1</a> <a>2</a></p>"
        );
        assert_eq!(
            writer.convert(notes),
            "<p><a id=\"a-n_1\">n</a><a>again</a></p>"
        );
    }

    #[test]
    fn deep_nesting_is_cut_to_text() {
        let html = format!("{}deep{}", "<span>".repeat(5000), "</span>".repeat(5000));
        let out = xhtml(&html);
        assert!(out.contains("deep"));
        assert_well_formed(&out);
    }

    #[test]
    fn the_archive_starts_with_the_stored_mimetype() {
        let bytes = to_epub(&sample()).expect("epub");
        assert!(bytes.starts_with(b"PK\x03\x04"));
        assert_eq!(&bytes[8..10], &[0u8, 0], "stored, not compressed");
        assert_eq!(u16::from_le_bytes([bytes[26], bytes[27]]), 8, "name length");
        assert_eq!(
            u16::from_le_bytes([bytes[28], bytes[29]]),
            0,
            "no extra field"
        );
        assert_eq!(&bytes[30..58], b"mimetypeapplication/epub+zip");
        let names: Vec<String> = entries(&bytes).into_iter().map(|(name, _)| name).collect();
        assert_eq!(
            names,
            [
                "mimetype",
                "META-INF/container.xml",
                "OEBPS/content.opf",
                "OEBPS/toc.ncx",
                "OEBPS/nav.xhtml",
                "OEBPS/style.css",
                "OEBPS/preface.xhtml",
                "OEBPS/chapter-1.xhtml",
                "OEBPS/chapter-2.xhtml",
                "OEBPS/afterword.xhtml",
            ]
        );
        assert_eq!(to_epub(&sample()).expect("epub"), bytes, "deterministic");
    }

    #[test]
    fn the_package_and_documents_describe_the_work() {
        let files = entries(&to_epub(&sample()).expect("epub"));
        for (name, text) in &files {
            if name != "mimetype" && !name.ends_with(".css") {
                assert_well_formed(text);
            }
        }
        let opf = entry(&files, "OEBPS/content.opf");
        for part in [
            "version=\"3.0\" unique-identifier=\"book-id\"",
            "<dc:identifier id=\"book-id\">urn:ficus:work:42</dc:identifier>",
            "<dc:title>The Long Road Home</dc:title>",
            "<dc:creator id=\"creator-1\">ash_writes</dc:creator>",
            "<dc:creator id=\"creator-2\">Birch</dc:creator>",
            "<dc:language>en</dc:language>",
            "<dc:date>2024-01-02</dc:date>",
            "<meta property=\"dcterms:modified\">2024-02-03T00:00:00Z</meta>",
            "<dc:publisher>Ficus</dc:publisher>",
            "<dc:source>https://example.org/works/42</dc:source>",
            "<dc:description>Two friends &amp; a car.</dc:description>",
            "<dc:subject>Original Work</dc:subject>",
            "<dc:subject>Found Family &amp; Friends</dc:subject>",
            "<dc:subject>Teen And Up Audiences</dc:subject>",
            "<meta property=\"belongs-to-collection\" id=\"series-1\">Roads</meta>",
            "<meta refines=\"#series-1\" property=\"collection-type\">series</meta>",
            "<meta refines=\"#series-1\" property=\"group-position\">2</meta>",
            "href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"",
            "href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"",
            "<spine toc=\"ncx\">\n<itemref idref=\"preface\"/>\n<itemref idref=\"chapter-1\"/>\n<itemref idref=\"chapter-2\"/>\n<itemref idref=\"afterword\"/>\n</spine>",
        ] {
            assert!(opf.contains(part), "{part} in\n{opf}");
        }
        let ncx = entry(&files, "OEBPS/toc.ncx");
        assert!(ncx.contains("<meta name=\"dtb:uid\" content=\"urn:ficus:work:42\"/>"));
        assert!(ncx.contains("playOrder=\"4\"") && !ncx.contains("playOrder=\"5\""));
        let nav = entry(&files, "OEBPS/nav.xhtml");
        assert!(nav.contains("<nav epub:type=\"toc\" id=\"toc\">"));
        assert!(nav.contains("<li><a href=\"chapter-1.xhtml\">Chapter 1: Departure</a></li>"));
        assert!(nav.contains("<li><a href=\"chapter-2.xhtml\">Chapter 2</a></li>"));
        let preface = entry(&files, "OEBPS/preface.xhtml");
        assert!(preface.contains("xml:lang=\"en\" lang=\"en\""));
        assert!(preface.contains("<h1>The Long Road Home</h1>"));
        assert!(preface.contains("<dt>Fandom:</dt>\n<dd>Original Work</dd>"));
        let chapter = entry(&files, "OEBPS/chapter-1.xhtml");
        assert!(chapter.contains("<title>Chapter 1: Departure</title>"));
        assert!(chapter.contains("<h2 class=\"heading\">Chapter 1: Departure</h2>"));
        assert!(chapter.contains("<div class=\"userstuff\" dir=\"auto\">"));
        assert!(chapter.contains("<hr/>") && chapter.contains("&#160;"));
        assert!(chapter.contains("<a href=\"#a-n1\">1</a>"), "{chapter}");
        assert!(chapter.contains("<a id=\"a-n1\"></a>"), "{chapter}");
        assert!(chapter.contains("<p class=\"align-center\">Scene two.</p>"));
        let afterword = entry(&files, "OEBPS/afterword.xhtml");
        assert!(afterword.contains("End Notes") && afterword.contains("The end."));
    }

    #[test]
    fn a_work_without_end_notes_has_no_afterword() {
        let mut work = awkward();
        work.chapters[0].body = String::new();
        let files = entries(&to_epub(&work).expect("epub"));
        assert!(
            files
                .iter()
                .all(|(name, _)| name != "OEBPS/afterword.xhtml")
        );
        let opf = entry(&files, "OEBPS/content.opf");
        assert!(opf.contains("<dc:language>und</dc:language>"), "{opf}");
        assert!(!opf.contains("dc:creator") && !opf.contains("afterword"));
        let chapter = entry(&files, "OEBPS/chapter-1.xhtml");
        assert!(chapter.contains("<h2 class=\"heading\">Chapter 1</h2>"));
        assert_well_formed(chapter);
    }

    fn epubcheck() -> Option<PathBuf> {
        let jar = PathBuf::from("/usr/share/java/epubcheck.jar");
        if jar.is_file() {
            return Some(jar);
        }
        if std::env::var("FICUS_REQUIRE_EPUBCHECK").is_ok_and(|v| v == "1") {
            panic!(
                "epubcheck is required (FICUS_REQUIRE_EPUBCHECK=1) but /usr/share/java/epubcheck.jar is missing"
            );
        }
        eprintln!("SKIPPED: epubcheck is not installed (apt-get install epubcheck)");
        None
    }

    #[test]
    fn epubcheck_finds_no_errors_and_no_warnings() {
        let Some(jar) = epubcheck() else {
            return;
        };
        for (name, work) in [("sample", sample()), ("awkward", awkward())] {
            let bytes = to_epub(&work).expect("epub");
            let path = std::env::temp_dir()
                .join(format!("ficus-export-{}-{name}.epub", std::process::id()));
            std::fs::write(&path, bytes).expect("write the EPUB");
            let output = Command::new("java")
                .arg("-jar")
                .arg(&jar)
                .arg(&path)
                .output();
            let _ = std::fs::remove_file(&path);
            let output = output.expect("run epubcheck");
            let report = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            assert!(
                output.status.success() && report.contains("No errors or warnings detected"),
                "epubcheck on the {name} work:\n{report}"
            );
        }
    }
}
