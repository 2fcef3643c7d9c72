//! Stored (sanitized) HTML as the template's blocks: paragraphs of styled
//! runs, headings, quotes, lists, rules, preformatted text and tables,
//! with whitespace collapsed as a browser would. Images become their
//! alternative text (nothing is fetched); only web and mail links link.
//! Depth and nesting are bounded, so hostile markup cannot exhaust the
//! stack or typst's layout.

use scraper::{ElementRef, Html, Node};

use super::layout::{Block, MAX_URL, Run, Style};
use crate::html::{encode_url, web_url};

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

/// Stored HTML as blocks.
pub(super) fn html_blocks(html: &str) -> Vec<Block> {
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
    use super::*;

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
}
