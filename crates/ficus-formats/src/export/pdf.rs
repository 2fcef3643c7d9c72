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
//! become their alternative text (nothing is fetched). The [`World`] the
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

use std::path::PathBuf;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use scraper::{ElementRef, Html, Node};
use serde_json::{Map, Value, json};
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::fonts::FontStore;
use typst_pdf::{PdfOptions, Timestamp};

use super::html::{
    byline, chapter_label, display_title, encode_url, language_tag, preface_lines, present,
    source_url, web_url,
};
use super::{ExportError, ExportWork};

/// The typst template: the main source file, holding no user text.
const TEMPLATE: &str = include_str!("pdf.typ");

/// The template's path in the virtual file system.
const MAIN_PATH: &str = "/main.typ";

/// The work's data, the only file the template may load.
const DATA_PATH: &str = "/work.json";

/// Elements deeper than this are read for their text only, so hostile
/// nesting cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

/// Quotes and lists nested deeper than this are flattened into their
/// parent: typst limits layout depth (and the JSON parser its nesting), and
/// nothing readable is that deep anyway.
const MAX_NEST: usize = 8;

/// Tables wider than this are written as rows of text (" | " between the
/// cells): that many columns do not fit an A5 page.
const MAX_COLUMNS: usize = 12;

/// typst refuses longer link targets.
const MAX_URL: usize = 8000;

/// The standard library, built once.
static LIBRARY: LazyLock<LazyHash<Library>> = LazyLock::new(|| LazyHash::new(Library::default()));

/// typst's embedded fonts, then the system's: scanned once per process.
static FONTS: LazyLock<FontStore> = LazyLock::new(|| {
    let mut fonts = FontStore::new();
    fonts.extend(typst_kit::fonts::embedded());
    fonts.extend(typst_kit::fonts::system());
    fonts
});

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

/// A date as typst's datetime (midnight, for the PDF's creation date).
fn datetime_of(date: NaiveDate) -> Option<Datetime> {
    Datetime::from_ymd_hms(
        date.year(),
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
        0,
        0,
        0,
    )
}

/// The file id of a path in the project root.
fn file_id(path: &str) -> Result<FileId, ExportError> {
    let vpath = VirtualPath::new(path)
        .map_err(|e| ExportError::Typeset(format!("bad virtual path {path}: {e}")))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// What the compiler sees: the standard library, the fonts, the template
/// as the main file and the work's JSON — and no other file.
struct PdfWorld {
    main: Source,
    data_id: FileId,
    data: Bytes,
    today: Option<Datetime>,
}

impl PdfWorld {
    fn new(data: Vec<u8>, updated: NaiveDate) -> Result<PdfWorld, ExportError> {
        let main_id = file_id(MAIN_PATH)?;
        Ok(PdfWorld {
            main: Source::new(main_id, TEMPLATE.to_string()),
            data_id: file_id(DATA_PATH)?,
            data: Bytes::new(data),
            today: Datetime::from_ymd(
                updated.year(),
                u8::try_from(updated.month()).unwrap_or(1),
                u8::try_from(updated.day()).unwrap_or(1),
            ),
        })
    }

    fn not_found(id: FileId) -> FileError {
        FileError::NotFound(PathBuf::from(id.vpath().get_with_slash()))
    }
}

impl World for PdfWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }

    fn book(&self) -> &LazyHash<FontBook> {
        FONTS.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(Self::not_found(id))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            Ok(self.data.clone())
        } else if id == self.main.id() {
            Ok(Bytes::from_string(self.main.text().to_string()))
        } else {
            Err(Self::not_found(id))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        FONTS.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        self.today
    }
}

/// The language for hyphenation and text direction: the primary subtag of
/// the work's language (a code, or a common name mapped to one), "en" when
/// it has none or it is unknown.
fn text_lang(language: Option<&str>) -> String {
    let Some(language) = language.map(str::trim).filter(|l| !l.is_empty()) else {
        return "en".to_string();
    };
    let tag = match language_tag(language) {
        tag if tag == "und" => language.to_ascii_lowercase(),
        tag => tag,
    };
    let primary = tag.split(['-', '_']).next().unwrap_or_default();
    if (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && primary != "und"
    {
        primary.to_string()
    } else {
        "en".to_string()
    }
}

/// The font list: Libertinus Serif (typst's own; Latin, Greek, Cyrillic),
/// then Noto CJK in the variant the language wants, then broad fallbacks.
fn font_list(language: Option<&str>) -> Vec<String> {
    let lang = text_lang(language);
    let tag = language.map(language_tag).unwrap_or_default();
    let traditional = tag
        .split(['-', '_'])
        .skip(1)
        .any(|sub| matches!(sub, "tw" | "hk" | "mo" | "hant"));
    let cjk = match lang.as_str() {
        "ja" => "JP",
        "ko" => "KR",
        "zh" if traditional => "TC",
        _ => "SC",
    };
    vec![
        "Libertinus Serif".to_string(),
        format!("Noto Serif CJK {cjk}"),
        format!("Noto Sans CJK {cjk}"),
        "Noto Serif".to_string(),
        "DejaVu Serif".to_string(),
        "DejaVu Sans".to_string(),
    ]
}

/// The work as the template's data (see `pdf.typ` for the shape).
fn work_json(work: &ExportWork) -> Value {
    let authors: Vec<&str> = work
        .creators
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    let preface: Vec<Value> = preface_lines(work)
        .into_iter()
        .map(|(label, value)| json!([label, value]))
        .collect();
    let source = source_url(work).map(|url| {
        json!({
            "text": url,
            "href": web_url(url).filter(|href| href.len() <= MAX_URL),
        })
    });
    let chapters: Vec<Value> = work
        .chapters
        .iter()
        .map(|chapter| {
            json!({
                "label": chapter_label(chapter),
                "summary": html_json(chapter.summary.as_deref()),
                "notes": html_json(chapter.notes.as_deref()),
                "body": html_json(Some(chapter.body.as_str())),
                "end_notes": html_json(chapter.end_notes.as_deref()),
            })
        })
        .collect();
    json!({
        "title": display_title(work),
        "byline": byline(work),
        "authors": authors,
        "lang": text_lang(work.language.as_deref()),
        "fonts": font_list(work.language.as_deref()),
        "preface": preface,
        "source": source,
        "summary": html_json(work.summary.as_deref()),
        "notes": html_json(work.notes.as_deref()),
        "end_notes": html_json(work.end_notes.as_deref()),
        "chapters": chapters,
    })
}

/// Stored HTML as a JSON array of blocks (empty when there is none).
fn html_json(html: Option<&str>) -> Value {
    let blocks = present(html).map(html_blocks).unwrap_or_default();
    Value::Array(blocks.iter().map(Block::to_json).collect())
}

/// How a run of text looks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Style {
    bold: bool,
    italic: bool,
    underline: bool,
    strike: bool,
    sup: bool,
    sub: bool,
    code: bool,
    /// A link target: only http(s) and mailto URLs, encoded.
    href: Option<String>,
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Run {
    Text(String, Style),
    Break,
}

impl Run {
    fn to_json(&self) -> Value {
        match self {
            Run::Break => json!({ "br": true }),
            Run::Text(text, style) => {
                let mut map = Map::new();
                map.insert("text".into(), Value::from(text.as_str()));
                for (key, on) in [
                    ("b", style.bold),
                    ("i", style.italic),
                    ("u", style.underline),
                    ("s", style.strike),
                    ("sup", style.sup),
                    ("sub", style.sub),
                    ("code", style.code),
                ] {
                    if on {
                        map.insert(key.into(), Value::Bool(true));
                    }
                }
                if let Some(href) = &style.href {
                    map.insert("href".into(), Value::from(href.as_str()));
                }
                Value::Object(map)
            }
        }
    }
}

/// Block content.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Block {
    Paragraph {
        runs: Vec<Run>,
        center: bool,
    },
    Heading {
        level: u8,
        runs: Vec<Run>,
    },
    Quote(Vec<Block>),
    List {
        ordered: bool,
        start: u64,
        items: Vec<Vec<Block>>,
    },
    Rule,
    Pre(String),
    Table {
        columns: usize,
        rows: Vec<Vec<Vec<Run>>>,
    },
}

impl Block {
    fn to_json(&self) -> Value {
        let runs_json = |runs: &[Run]| Value::Array(runs.iter().map(Run::to_json).collect());
        let blocks_json =
            |blocks: &[Block]| Value::Array(blocks.iter().map(Block::to_json).collect());
        match self {
            Block::Paragraph { runs, center } => {
                let mut map = Map::new();
                map.insert("kind".into(), Value::from("p"));
                map.insert("runs".into(), runs_json(runs));
                if *center {
                    map.insert("center".into(), Value::Bool(true));
                }
                Value::Object(map)
            }
            Block::Heading { level, runs } => {
                json!({ "kind": "h", "level": level, "runs": runs_json(runs) })
            }
            Block::Quote(blocks) => json!({ "kind": "quote", "blocks": blocks_json(blocks) }),
            Block::List {
                ordered,
                start,
                items,
            } => json!({
                "kind": "list",
                "ordered": ordered,
                "start": start,
                "items": items.iter().map(|item| blocks_json(item)).collect::<Vec<_>>(),
            }),
            Block::Rule => json!({ "kind": "hr" }),
            Block::Pre(text) => json!({ "kind": "pre", "text": text }),
            Block::Table { columns, rows } => json!({
                "kind": "table",
                "columns": columns,
                "rows": rows
                    .iter()
                    .map(|row| row.iter().map(|cell| runs_json(cell)).collect::<Vec<_>>())
                    .collect::<Vec<_>>(),
            }),
        }
    }
}

/// Stored HTML as blocks.
fn html_blocks(html: &str) -> Vec<Block> {
    let fragment = Html::parse_fragment(html);
    let mut converter = Converter::default();
    converter.blocks_of(fragment.root_element(), &Style::default(), false)
}

/// Collects the blocks of one container: text and inline elements gather
/// into the open paragraph, which block elements close.
#[derive(Default)]
struct Flow {
    blocks: Vec<Block>,
    runs: Vec<Run>,
    /// Collapsed whitespace owed before the next text, in the style it
    /// was seen in.
    space: Option<Style>,
    /// Paragraphs closed now are centred.
    center: bool,
}

impl Flow {
    fn new(center: bool) -> Flow {
        Flow {
            center,
            ..Flow::default()
        }
    }

    /// Document text: runs of ASCII whitespace as one space, none at the
    /// start of a paragraph or line; other control characters dropped.
    fn text(&mut self, text: &str, style: &Style) {
        let mut chunk = String::new();
        for c in text.chars() {
            if c.is_ascii_whitespace() {
                if !chunk.is_empty() {
                    self.append(&chunk, style);
                    chunk.clear();
                }
                if self.space.is_none() && matches!(self.runs.last(), Some(Run::Text(..))) {
                    self.space = Some(style.clone());
                }
            } else if !c.is_control() {
                if let Some(space_style) = self.space.take() {
                    if !chunk.is_empty() {
                        self.append(&chunk, style);
                        chunk.clear();
                    }
                    self.append(" ", &space_style);
                }
                chunk.push(c);
            }
        }
        if !chunk.is_empty() {
            self.append(&chunk, style);
        }
    }

    /// Appends text as it is, to the last run when it looks the same.
    fn append(&mut self, text: &str, style: &Style) {
        if let Some(Run::Text(last, last_style)) = self.runs.last_mut()
            && *last_style == *style
        {
            last.push_str(text);
            return;
        }
        self.runs.push(Run::Text(text.to_string(), style.clone()));
    }

    fn line_break(&mut self) {
        self.space = None;
        self.runs.push(Run::Break);
    }

    /// Closes the open paragraph (trailing line breaks dropped), if it
    /// has any text.
    fn close(&mut self) {
        self.space = None;
        while matches!(self.runs.last(), Some(Run::Break)) {
            self.runs.pop();
        }
        if !self.runs.is_empty() {
            let runs = std::mem::take(&mut self.runs);
            self.blocks.push(Block::Paragraph {
                runs,
                center: self.center,
            });
        }
    }

    fn push(&mut self, block: Block) {
        self.close();
        self.blocks.push(block);
    }

    fn finish(mut self) -> Vec<Block> {
        self.close();
        self.blocks
    }
}

/// Walks parsed HTML, with the limits on depth and nesting.
#[derive(Default)]
struct Converter {
    depth: usize,
    nest: usize,
}

impl Converter {
    /// The blocks of an element's children.
    fn blocks_of(&mut self, el: ElementRef<'_>, style: &Style, center: bool) -> Vec<Block> {
        let mut flow = Flow::new(center);
        self.children(el, style, &mut flow);
        flow.finish()
    }

    /// The content of an element's children as runs: its blocks' text
    /// with line breaks between them.
    fn runs_of(&mut self, el: ElementRef<'_>, style: &Style) -> Vec<Run> {
        let blocks = self.blocks_of(el, style, false);
        let mut runs = Vec::new();
        flatten(blocks, &mut runs);
        runs
    }

    fn children(&mut self, el: ElementRef<'_>, style: &Style, flow: &mut Flow) {
        for node in el.children() {
            match node.value() {
                Node::Text(text) => flow.text(text, style),
                Node::Element(_) => {
                    if let Some(child) = ElementRef::wrap(node) {
                        self.element(child, style, flow);
                    }
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, el: ElementRef<'_>, style: &Style, flow: &mut Flow) {
        if self.depth >= MAX_DEPTH {
            for text in el.text() {
                flow.text(text, style);
            }
            return;
        }
        self.depth += 1;
        self.element_inner(el, style, flow);
        self.depth -= 1;
    }

    fn element_inner(&mut self, el: ElementRef<'_>, style: &Style, flow: &mut Flow) {
        let name = el.value().name();
        match name {
            "script" | "style" | "template" | "head" | "title" | "rp" | "colgroup" | "col" => {}
            "br" => flow.line_break(),
            "hr" => flow.push(Block::Rule),
            "img" => {
                let label = match el.value().attr("alt").map(str::trim) {
                    Some(alt) if !alt.is_empty() => format!("[image: {alt}]"),
                    _ => "[image]".to_string(),
                };
                flow.text(&label, style);
            }
            "rt" => {
                flow.text("(", style);
                self.children(el, style, flow);
                flow.text(")", style);
            }
            "q" => {
                flow.text("\u{201c}", style);
                self.children(el, style, flow);
                flow.text("\u{201d}", style);
            }
            "pre" => {
                let text = pre_text(el);
                if !text.trim().is_empty() {
                    flow.push(Block::Pre(text));
                }
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name[1..].parse::<u8>().unwrap_or(1);
                flow.close();
                let runs = self.runs_of(el, style);
                if !runs.is_empty() {
                    flow.push(Block::Heading { level, runs });
                }
            }
            "blockquote" | "dd" => self.quote(el, style, flow),
            "ul" | "ol" => self.list(el, name == "ol", style, flow),
            "table" => self.table(el, style, flow),
            "dt" => {
                let bold = Style {
                    bold: true,
                    ..style.clone()
                };
                self.block(el, &bold, flow);
            }
            "address" => {
                let italic = Style {
                    italic: true,
                    ..style.clone()
                };
                self.block(el, &italic, flow);
            }
            "center" => self.centered(el, style, flow),
            "p" | "div" | "li" | "dl" | "caption" | "tr" | "td" | "th" | "thead" | "tbody"
            | "tfoot" | "figure" | "figcaption" | "details" | "summary" | "section" | "article"
            | "aside" | "header" | "footer" | "nav" | "main" => {
                let centered = el
                    .value()
                    .attr("align")
                    .is_some_and(|a| a.trim().eq_ignore_ascii_case("center"));
                if centered {
                    self.centered(el, style, flow);
                } else {
                    self.block(el, style, flow);
                }
            }
            _ => match inline_style(el, name, style) {
                Some(inner) => self.children(el, &inner, flow),
                None => self.children(el, style, flow),
            },
        }
    }

    /// A block element whose content joins the current container.
    fn block(&mut self, el: ElementRef<'_>, style: &Style, flow: &mut Flow) {
        flow.close();
        self.children(el, style, flow);
        flow.close();
    }

    /// A block element whose paragraphs are centred.
    fn centered(&mut self, el: ElementRef<'_>, style: &Style, flow: &mut Flow) {
        flow.close();
        let outer = flow.center;
        flow.center = true;
        self.children(el, style, flow);
        flow.close();
        flow.center = outer;
    }

    /// An indented block of blocks.
    fn quote(&mut self, el: ElementRef<'_>, style: &Style, flow: &mut Flow) {
        if self.nest >= MAX_NEST {
            self.block(el, style, flow);
            return;
        }
        flow.close();
        self.nest += 1;
        let blocks = self.blocks_of(el, style, flow.center);
        self.nest -= 1;
        if !blocks.is_empty() {
            flow.push(Block::Quote(blocks));
        }
    }

    /// A list: each `li` an item; anything else inside the list joins the
    /// item before it (or starts one).
    fn list(&mut self, el: ElementRef<'_>, ordered: bool, style: &Style, flow: &mut Flow) {
        if self.nest >= MAX_NEST {
            self.block(el, style, flow);
            return;
        }
        flow.close();
        self.nest += 1;
        let mut items: Vec<Flow> = Vec::new();
        for node in el.children() {
            match node.value() {
                Node::Text(text) => {
                    if items.is_empty() && text.trim_ascii().is_empty() {
                        continue;
                    }
                    if items.is_empty() {
                        items.push(Flow::new(flow.center));
                    }
                    if let Some(item) = items.last_mut() {
                        item.text(text, style);
                    }
                }
                Node::Element(element) => {
                    let Some(child) = ElementRef::wrap(node) else {
                        continue;
                    };
                    if element.name() == "li" || items.is_empty() {
                        items.push(Flow::new(flow.center));
                    }
                    if let Some(item) = items.last_mut() {
                        self.element(child, style, item);
                    }
                }
                _ => {}
            }
        }
        self.nest -= 1;
        let items: Vec<Vec<Block>> = items
            .into_iter()
            .map(Flow::finish)
            .filter(|blocks| !blocks.is_empty())
            .collect();
        if items.is_empty() {
            return;
        }
        let start = if ordered {
            el.value()
                .attr("start")
                .and_then(|s| s.trim().parse::<i64>().ok())
                .map_or(1, |n| u64::try_from(n.clamp(0, 1_000_000)).unwrap_or(1))
        } else {
            1
        };
        flow.push(Block::List {
            ordered,
            start,
            items,
        });
    }

    /// A table: its caption as a paragraph before it, then its rows
    /// (header, body and footer rows in document order).
    fn table(&mut self, el: ElementRef<'_>, style: &Style, flow: &mut Flow) {
        flow.close();
        let mut rows: Vec<Vec<Vec<Run>>> = Vec::new();
        for child in el.child_elements() {
            match child.value().name() {
                "caption" => {
                    let caption = self.runs_of(child, style);
                    if !caption.is_empty() {
                        flow.push(Block::Paragraph {
                            runs: caption,
                            center: true,
                        });
                    }
                }
                "thead" | "tbody" | "tfoot" => {
                    for row in child.child_elements() {
                        if row.value().name() == "tr" {
                            rows.push(self.row(row, style));
                        }
                    }
                }
                "tr" => rows.push(self.row(child, style)),
                _ => {}
            }
        }
        rows.retain(|row| !row.is_empty());
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns == 0 {
            return;
        }
        if columns > MAX_COLUMNS {
            for row in rows {
                let mut runs = Vec::new();
                for (i, cell) in row.into_iter().enumerate() {
                    if i > 0 {
                        runs.push(Run::Text(" | ".to_string(), style.clone()));
                    }
                    runs.extend(cell);
                }
                flow.push(Block::Paragraph {
                    runs,
                    center: false,
                });
            }
            return;
        }
        for row in &mut rows {
            row.resize(columns, Vec::new());
        }
        flow.push(Block::Table { columns, rows });
    }

    /// A table row's cells (`th` in bold).
    fn row(&mut self, tr: ElementRef<'_>, style: &Style) -> Vec<Vec<Run>> {
        if self.depth >= MAX_DEPTH {
            let mut flow = Flow::default();
            for text in tr.text() {
                flow.text(text, style);
            }
            return vec![flow.runs];
        }
        self.depth += 1;
        let mut cells = Vec::new();
        for cell in tr.child_elements() {
            match cell.value().name() {
                "td" => cells.push(self.runs_of(cell, style)),
                "th" => {
                    let bold = Style {
                        bold: true,
                        ..style.clone()
                    };
                    cells.push(self.runs_of(cell, &bold));
                }
                _ => {}
            }
        }
        self.depth -= 1;
        cells
    }
}

/// The style inside an inline element, or `None` when it changes nothing.
fn inline_style(el: ElementRef<'_>, name: &str, style: &Style) -> Option<Style> {
    let mut inner = style.clone();
    match name {
        "b" | "strong" => inner.bold = true,
        "i" | "em" | "cite" | "var" | "dfn" => inner.italic = true,
        "u" | "ins" => inner.underline = true,
        "s" | "strike" | "del" => inner.strike = true,
        "sup" => {
            inner.sup = true;
            inner.sub = false;
        }
        "sub" => {
            inner.sub = true;
            inner.sup = false;
        }
        "code" | "kbd" | "samp" | "tt" => inner.code = true,
        "a" => inner.href = el.value().attr("href").and_then(link_target),
        _ => return None,
    }
    Some(inner)
}

/// A link's target when the PDF may link it: an http(s) URL with a host or
/// a mailto URL, encoded, not too long.
fn link_target(href: &str) -> Option<String> {
    let href = href.trim();
    let target = if href
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
    {
        (href.len() > 7).then(|| encode_url(href))
    } else {
        web_url(href)
    };
    target.filter(|t| t.len() <= MAX_URL)
}

/// The text of a `pre` element as it is (line breaks for `br`), control
/// characters other than newlines and tabs dropped. Iterative, so any
/// depth is fine.
fn pre_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for node in el.descendants() {
        match node.value() {
            Node::Text(text) => out.extend(
                text.chars()
                    .filter(|&c| c == '\n' || c == '\t' || !c.is_control()),
            ),
            Node::Element(element) if element.name() == "br" => out.push('\n'),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

/// Blocks as runs (for headings and table cells): each block's text, line
/// breaks between them.
fn flatten(blocks: Vec<Block>, out: &mut Vec<Run>) {
    fn separate(out: &mut Vec<Run>) {
        if !out.is_empty() && !matches!(out.last(), Some(Run::Break)) {
            out.push(Run::Break);
        }
    }
    for block in blocks {
        match block {
            Block::Paragraph { runs, .. } | Block::Heading { runs, .. } => {
                separate(out);
                out.extend(runs);
            }
            Block::Quote(blocks) => flatten(blocks, out),
            Block::List { items, .. } => {
                for item in items {
                    flatten(item, out);
                }
            }
            Block::Rule => {}
            Block::Pre(text) => {
                let code = Style {
                    code: true,
                    ..Style::default()
                };
                for line in text.lines() {
                    separate(out);
                    if !line.is_empty() {
                        out.push(Run::Text(line.to_string(), code.clone()));
                    }
                }
            }
            Block::Table { rows, .. } => {
                for cell in rows.into_iter().flatten() {
                    if !cell.is_empty() {
                        separate(out);
                        out.extend(cell);
                    }
                }
            }
        }
    }
    while matches!(out.last(), Some(Run::Break)) {
        out.pop();
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::export::ExportChapter;
    use crate::export::sample::{awkward, sample};

    fn plain(text: &str) -> Run {
        Run::Text(text.to_string(), Style::default())
    }

    fn styled(text: &str, set: impl FnOnce(&mut Style)) -> Run {
        let mut style = Style::default();
        set(&mut style);
        Run::Text(text.to_string(), style)
    }

    fn para(runs: Vec<Run>) -> Block {
        Block::Paragraph {
            runs,
            center: false,
        }
    }

    #[test]
    fn whitespace_collapses_like_html() {
        assert_eq!(
            html_blocks("  <p>  a \n b  </p>\n\n<p> c </p>  "),
            vec![para(vec![plain("a b")]), para(vec![plain("c")])]
        );
        assert_eq!(
            html_blocks("a<br>b<br> <br>c<br>"),
            vec![para(vec![
                plain("a"),
                Run::Break,
                plain("b"),
                Run::Break,
                Run::Break,
                plain("c"),
            ])]
        );
        assert_eq!(
            html_blocks("<p>x<em>y</em> <b>z</b></p>"),
            vec![para(vec![
                plain("x"),
                styled("y", |s| s.italic = true),
                plain(" "),
                styled("z", |s| s.bold = true),
            ])]
        );
        assert_eq!(
            html_blocks("<p>a&nbsp;b\u{1}\u{85}c</p>"),
            vec![para(vec![plain("a\u{a0}bc")])]
        );
        assert_eq!(html_blocks("<p> </p><p></p><div>\n</div>"), vec![]);
        assert_eq!(
            html_blocks("<div>loose <p>para</p> tail</div>"),
            vec![
                para(vec![plain("loose")]),
                para(vec![plain("para")]),
                para(vec![plain("tail")]),
            ]
        );
    }

    #[test]
    fn html_becomes_blocks() {
        assert_eq!(
            html_blocks(concat!(
                "<h2>T</h2><blockquote><p>q</p></blockquote><hr><pre>  a\n   b</pre>",
                "<ol start=\"3\"><li>c</li><li>d<ul><li>e</li></ul></li></ol>",
                "<center>mid</center><p align=\"center\">dle</p>",
            )),
            vec![
                Block::Heading {
                    level: 2,
                    runs: vec![plain("T")],
                },
                Block::Quote(vec![para(vec![plain("q")])]),
                Block::Rule,
                Block::Pre("  a\n   b".to_string()),
                Block::List {
                    ordered: true,
                    start: 3,
                    items: vec![
                        vec![para(vec![plain("c")])],
                        vec![
                            para(vec![plain("d")]),
                            Block::List {
                                ordered: false,
                                start: 1,
                                items: vec![vec![para(vec![plain("e")])]],
                            },
                        ],
                    ],
                },
                Block::Paragraph {
                    runs: vec![plain("mid")],
                    center: true,
                },
                Block::Paragraph {
                    runs: vec![plain("dle")],
                    center: true,
                },
            ]
        );
        assert_eq!(
            html_blocks(
                "<table><caption>cap</caption><tr><th>a</th><td>b</td></tr><tr><td>c</td></tr></table>"
            ),
            vec![
                Block::Paragraph {
                    runs: vec![plain("cap")],
                    center: true,
                },
                Block::Table {
                    columns: 2,
                    rows: vec![
                        vec![vec![styled("a", |s| s.bold = true)], vec![plain("b")]],
                        vec![vec![plain("c")], vec![]],
                    ],
                },
            ]
        );
    }

    #[test]
    fn only_web_and_mail_links_link_and_images_are_their_alt_text() {
        let html = concat!(
            "<p><img src=\"https://e.org/a.png\" alt=\"map\"> <a href=\"https://e.org/\">w</a> ",
            "<a href=\"#n\">n</a> <a href=\"javascript:x()\">j</a> ",
            "<a href=\"mailto:a@e.org\">m</a> <code>c</code></p>",
        );
        assert_eq!(
            html_blocks(html),
            vec![para(vec![
                plain("[image: map] "),
                styled("w", |s| s.href = Some("https://e.org/".into())),
                plain(" n j "),
                styled("m", |s| s.href = Some("mailto:a@e.org".into())),
                plain(" "),
                styled("c", |s| s.code = true),
            ])]
        );
        assert_eq!(
            html_blocks("<p><img src=\"x.png\"></p>"),
            vec![para(vec![plain("[image]")])]
        );
        assert_eq!(
            link_target(" HTTPS://e.org/a b "),
            Some("HTTPS://e.org/a%20b".into())
        );
        assert_eq!(link_target("mailto:"), None);
        assert_eq!(link_target("/works/1"), None);
        let long = format!("https://e.org/{}", "a".repeat(MAX_URL));
        assert_eq!(link_target(&long), None);
    }

    fn quote_depth(blocks: &[Block]) -> usize {
        blocks
            .iter()
            .map(|block| match block {
                Block::Quote(inner) => 1 + quote_depth(inner),
                Block::List { items, .. } => {
                    1 + items
                        .iter()
                        .map(|item| quote_depth(item))
                        .max()
                        .unwrap_or(0)
                }
                _ => 0,
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn hostile_nesting_is_bounded() {
        let html = format!("{}deep{}", "<span>".repeat(5000), "</span>".repeat(5000));
        assert_eq!(html_blocks(&html), vec![para(vec![plain("deep")])]);
        let html = format!(
            "{}q{}",
            "<blockquote>".repeat(50),
            "</blockquote>".repeat(50)
        );
        let blocks = html_blocks(&html);
        assert_eq!(quote_depth(&blocks), MAX_NEST);
        let html = format!("{}x{}", "<ul><li>".repeat(50), "</li></ul>".repeat(50));
        assert_eq!(quote_depth(&html_blocks(&html)), MAX_NEST);
        let html = format!(
            "{}x{}",
            "<table><tr><td>".repeat(300),
            "</td></tr></table>".repeat(300)
        );
        assert!(!html_blocks(&html).is_empty());
        let wide = format!(
            "<table><tr>{}</tr></table>",
            "<td>c</td>".repeat(MAX_COLUMNS + 1)
        );
        assert!(matches!(
            html_blocks(&wide).as_slice(),
            [Block::Paragraph { .. }]
        ));
    }

    #[test]
    fn the_json_holds_the_work_as_data() {
        let work = sample();
        let data = work_json(&work);
        assert_eq!(data["title"], "The Long Road Home");
        assert_eq!(data["byline"], "ash_writes, Birch");
        assert_eq!(data["authors"], json!(["ash_writes", "Birch"]));
        assert_eq!(data["lang"], "en");
        assert_eq!(
            data["preface"][0],
            json!(["Rating", "Teen And Up Audiences"])
        );
        assert_eq!(
            data["source"],
            json!({ "text": "https://example.org/works/42", "href": "https://example.org/works/42" })
        );
        assert_eq!(
            data["summary"],
            json!([{ "kind": "p", "runs": [{ "text": "Two friends & a car." }] }])
        );
        assert_eq!(
            data["notes"][0]["runs"],
            json!([{ "text": "Thanks to " }, { "text": "everyone", "i": true }, { "text": "." }])
        );
        let chapters = data["chapters"].as_array().expect("chapters");
        assert_eq!(chapters.len(), 2);
        assert_eq!(chapters[0]["label"], "Chapter 1: Departure");
        assert_eq!(chapters[1]["label"], "Chapter 2");
        assert_eq!(chapters[0]["notes"], json!([]));
        assert_eq!(
            chapters[0]["body"][1]["runs"],
            json!([{ "text": "Second" }, { "br": true }, { "text": "line & more\u{a0}text.1" }])
        );
        assert_eq!(chapters[0]["body"][2], json!({ "kind": "hr" }));
        assert_eq!(
            chapters[0]["body"][3],
            json!({ "kind": "p", "runs": [{ "text": "Scene two." }], "center": true })
        );
        let awkward = work_json(&awkward());
        assert_eq!(awkward["lang"], "en", "Klingon has no code");
        assert_eq!(awkward["byline"], "Anonymous");
        assert_eq!(
            awkward["source"],
            json!({ "text": "not a url", "href": null })
        );
    }

    #[test]
    fn languages_and_fonts() {
        assert_eq!(text_lang(Some("English")), "en");
        assert_eq!(text_lang(Some("pt-BR")), "pt");
        assert_eq!(text_lang(Some("zh-Hant")), "zh");
        assert_eq!(text_lang(Some("日本語")), "ja");
        assert_eq!(text_lang(Some("Ελληνικά")), "el");
        assert_eq!(text_lang(Some("Русский")), "ru");
        assert_eq!(text_lang(Some("עברית")), "he");
        assert_eq!(text_lang(Some("ar")), "ar");
        assert_eq!(text_lang(Some("Klingon")), "en");
        assert_eq!(text_lang(Some("und")), "en");
        assert_eq!(text_lang(Some(" ")), "en");
        assert_eq!(text_lang(None), "en");
        assert_eq!(font_list(Some("ja"))[1], "Noto Serif CJK JP");
        assert_eq!(font_list(Some("한국어"))[1], "Noto Serif CJK KR");
        assert_eq!(font_list(Some("zh-TW"))[1], "Noto Serif CJK TC");
        assert_eq!(font_list(Some("Chinese"))[1], "Noto Serif CJK SC");
        assert_eq!(font_list(None)[0], "Libertinus Serif");
    }

    #[test]
    fn the_world_serves_the_template_and_the_data_only() {
        let day = NaiveDate::from_ymd_opt(2024, 2, 3).expect("date");
        let world = PdfWorld::new(b"{}".to_vec(), day).expect("world");
        let data = file_id(DATA_PATH).expect("id");
        assert_eq!(world.file(data).expect("data").as_slice(), b"{}");
        assert_eq!(world.source(world.main()).expect("main").text(), TEMPLATE);
        for path in [
            "/etc/passwd",
            "/work.typ",
            "/pdf.typ",
            "/data/work.json",
            "/",
        ] {
            let id = file_id(path).expect("id");
            assert!(
                matches!(world.file(id), Err(FileError::NotFound(_))),
                "{path}"
            );
            assert!(
                matches!(world.source(id), Err(FileError::NotFound(_))),
                "{path}"
            );
        }
        assert_eq!(world.today(None), Datetime::from_ymd(2024, 2, 3));
    }

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
