//! Plain text: the preface as labelled lines, then each chapter's heading,
//! notes and text as paragraphs separated by blank lines, then the work's
//! end notes. Nothing is wrapped (readers wrap); every line ends with "\n".

use scraper::{ElementRef, Html, Node};

use super::ExportWork;
use super::html::{byline, chapter_label, display_title, preface_lines, present, source_url};

/// Elements deeper than this are read for their text only, so hostile
/// nesting cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

/// Writes `work` as plain text.
pub fn to_txt(work: &ExportWork) -> String {
    let mut blocks: Vec<String> = Vec::new();
    blocks.push(format!("{}\nby {}", display_title(work), byline(work)));
    let mut lines: Vec<String> = preface_lines(work)
        .into_iter()
        .map(|(label, value)| format!("{label}: {value}"))
        .collect();
    if let Some(url) = source_url(work) {
        lines.push(format!("Source: {url}"));
    }
    blocks.push(lines.join("\n"));
    push_section(&mut blocks, "Summary:", work.summary.as_deref());
    push_section(&mut blocks, "Notes:", work.notes.as_deref());
    for chapter in &work.chapters {
        blocks.push(chapter_label(chapter));
        push_section(&mut blocks, "Chapter Summary:", chapter.summary.as_deref());
        push_section(&mut blocks, "Chapter Notes:", chapter.notes.as_deref());
        push_text(&mut blocks, &chapter.body);
        push_section(
            &mut blocks,
            "Chapter End Notes:",
            chapter.end_notes.as_deref(),
        );
    }
    let end_notes = present(work.end_notes.as_deref())
        .map(html_to_text)
        .filter(|text| !text.is_empty());
    if let Some(text) = end_notes {
        blocks.push("Afterword".to_string());
        blocks.push("End Notes:".to_string());
        blocks.push(text);
    }
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

/// Adds a label and the text of stored HTML, unless it has no text.
fn push_section(blocks: &mut Vec<String>, label: &str, html: Option<&str>) {
    let Some(html) = present(html) else {
        return;
    };
    let text = html_to_text(html);
    if !text.is_empty() {
        blocks.push(label.to_string());
        blocks.push(text);
    }
}

/// Adds the text of stored HTML, unless it has none.
fn push_text(blocks: &mut Vec<String>, html: &str) {
    let text = html_to_text(html);
    if !text.is_empty() {
        blocks.push(text);
    }
}

/// The text of stored HTML: character references decoded, whitespace
/// collapsed (except in `pre`), blocks as paragraphs separated by a blank
/// line, `br` and list items, rows and terms as line breaks, `hr` as a
/// "* * *" scene break, images as "[image: alt]". No leading or trailing
/// blank lines.
fn html_to_text(html: &str) -> String {
    let fragment = Html::parse_fragment(html);
    let mut writer = TextWriter::default();
    writer.children(fragment.root_element());
    writer.finish()
}

/// How an element breaks the text around it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Break {
    /// Inline: no break.
    None,
    /// On its own line.
    Line,
    /// A paragraph of its own, between blank lines.
    Paragraph,
}

/// The break an element makes.
fn break_of(name: &str) -> Break {
    match name {
        "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "pre" | "ul"
        | "ol" | "dl" | "table" | "center" | "address" | "figure" | "details" | "section"
        | "article" | "aside" | "header" | "footer" | "nav" | "main" => Break::Paragraph,
        "li" | "dt" | "dd" | "tr" | "caption" | "summary" | "figcaption" => Break::Line,
        _ => Break::None,
    }
}

/// An open list: bullets, or the next number.
enum List {
    Bullets,
    Numbers(i64),
}

/// Walks a parsed fragment, writing its text.
#[derive(Default)]
struct TextWriter {
    out: String,
    /// Newlines owed before the next text (1: line break, 2: blank line).
    pending: usize,
    /// Whitespace was seen since the last character written.
    space: bool,
    /// Inside this many `pre` elements.
    pre: usize,
    /// A list marker was just written: the item's own blocks add no break.
    after_marker: bool,
    /// The current table row has a cell already.
    cell_in_row: bool,
    lists: Vec<List>,
    depth: usize,
}

impl TextWriter {
    fn children(&mut self, el: ElementRef<'_>) {
        for node in el.children() {
            match node.value() {
                Node::Text(text) => self.text(text),
                Node::Element(_) => {
                    if let Some(child) = ElementRef::wrap(node) {
                        self.element(child);
                    }
                }
                _ => {}
            }
        }
    }

    fn element(&mut self, el: ElementRef<'_>) {
        if self.depth >= MAX_DEPTH {
            for text in el.text() {
                self.text(text);
            }
            return;
        }
        self.depth += 1;
        self.element_inner(el);
        self.depth -= 1;
    }

    fn element_inner(&mut self, el: ElementRef<'_>) {
        let name = el.value().name();
        match name {
            "script" | "style" | "template" | "head" | "title" | "rp" => {}
            "br" => self.line_break(),
            "hr" => {
                self.want(2);
                self.literal("* * *");
                self.want(2);
            }
            "img" => {
                let label = match el.value().attr("alt").map(str::trim) {
                    Some(alt) if !alt.is_empty() => format!("[image: {alt}]"),
                    _ => "[image]".to_string(),
                };
                self.text(&label);
            }
            "rt" => {
                self.literal("(");
                self.children(el);
                self.literal(")");
            }
            "ul" | "ol" => self.list(el, name),
            "li" => self.list_item(el),
            "tr" => {
                self.want(1);
                self.cell_in_row = false;
                self.children(el);
                self.want(1);
            }
            "td" | "th" => {
                if self.cell_in_row {
                    self.literal(" | ");
                }
                self.cell_in_row = true;
                self.children(el);
            }
            "pre" => {
                self.want(2);
                self.pre += 1;
                self.children(el);
                self.pre -= 1;
                self.want(2);
            }
            _ => match break_of(name) {
                Break::None => self.children(el),
                Break::Line => self.block(el, 1),
                Break::Paragraph => self.block(el, 2),
            },
        }
    }

    /// A block element between `newlines` breaks.
    fn block(&mut self, el: ElementRef<'_>, newlines: usize) {
        self.want(newlines);
        self.children(el);
        self.want(newlines);
    }

    fn list(&mut self, el: ElementRef<'_>, name: &str) {
        let newlines = if self.lists.is_empty() { 2 } else { 1 };
        let list = if name == "ol" {
            let start = el
                .value()
                .attr("start")
                .and_then(|s| s.trim().parse::<i64>().ok())
                .unwrap_or(1);
            List::Numbers(start)
        } else {
            List::Bullets
        };
        self.want(newlines);
        self.lists.push(list);
        self.children(el);
        self.lists.pop();
        self.want(newlines);
    }

    fn list_item(&mut self, el: ElementRef<'_>) {
        self.want(1);
        let marker = match self.lists.last_mut() {
            Some(List::Numbers(n)) => {
                let marker = format!("{n}. ");
                *n += 1;
                marker
            }
            Some(List::Bullets) | None => "- ".to_string(),
        };
        self.literal(&marker);
        self.after_marker = true;
        self.children(el);
        self.after_marker = false;
        self.want(1);
    }

    /// Owes at least `newlines` newlines before the next text; inside a
    /// list, blocks are lines (no blank lines between items).
    fn want(&mut self, newlines: usize) {
        if self.after_marker {
            return;
        }
        let newlines = if self.lists.is_empty() {
            newlines
        } else {
            newlines.min(1)
        };
        self.pending = self.pending.max(newlines);
    }

    /// Pays the newlines owed (none at the very start).
    fn flush(&mut self) {
        if self.pending == 0 {
            return;
        }
        self.trim_spaces();
        if !self.out.is_empty() {
            let have = self.out.chars().rev().take_while(|&c| c == '\n').count();
            for _ in have..self.pending {
                self.out.push('\n');
            }
        }
        self.pending = 0;
        self.space = false;
    }

    fn trim_spaces(&mut self) {
        while self.out.ends_with(' ') {
            self.out.pop();
        }
    }

    fn line_break(&mut self) {
        self.flush();
        self.trim_spaces();
        self.out.push('\n');
        self.space = false;
    }

    /// Writes generated text (markers, separators) as it is.
    fn literal(&mut self, text: &str) {
        self.flush();
        if self.space && !self.at_line_start() && !text.starts_with(' ') {
            self.out.push(' ');
        }
        self.space = false;
        self.out.push_str(text);
    }

    fn at_line_start(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    /// Writes document text: whitespace collapsed to single spaces, none
    /// at the start of a line; kept as it is inside `pre`.
    fn text(&mut self, text: &str) {
        if self.pre > 0 {
            if !text.is_empty() {
                self.flush();
                self.out.push_str(text);
                self.after_marker = false;
            }
            return;
        }
        for c in text.chars() {
            if c.is_ascii_whitespace() {
                self.space = true;
                continue;
            }
            if self.pending > 0 {
                self.flush();
            } else if self.space && !self.at_line_start() && !self.out.ends_with(' ') {
                self.out.push(' ');
            }
            self.space = false;
            self.after_marker = false;
            self.out.push(c);
        }
    }

    fn finish(self) -> String {
        self.out.trim_end().trim_start_matches('\n').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::sample;

    #[test]
    fn the_preface_chapters_and_text_come_in_order() {
        let txt = to_txt(&sample());
        let order = [
            "The Long Road Home\nby ash_writes, Birch\n\n",
            "Rating: Teen And Up Audiences\n",
            "Archive Warning: No Archive Warnings Apply\n",
            "Categories: F/M, Gen\n",
            "Fandom: Original Work\n",
            "Relationship: Ana/Bo\n",
            "Characters: Ana, Bo\n",
            "Additional Tags: Road Trip, Found Family & Friends\n",
            "Language: English\n",
            "Series: Part 2 of Roads\n",
            "Stats: Published: 2024-01-02 Completed: 2024-02-03 Words: 5,688 Chapters: 2/2",
            "Source: https://example.org/works/42\n\n",
            "Summary:\n\nTwo friends & a car.\n\n",
            "Notes:\n\nThanks to everyone.\n\n",
            "Chapter 1: Departure\n\n",
            "Chapter Summary:\n\nThey leave.\n\n",
            "First paragraph.\n\nSecond\nline & more\u{a0}text.1\n\n* * *\n\nScene two.\n\nCentered\n\n",
            "Chapter End Notes:\n\nMore soon.\n\n",
            "Chapter 2\n\n",
            "Chapter Notes:\n\nLast one.\n\n",
            "Arrival.\n\n- one\n- two\n\n[image: map]\n\ncell\n\n漢(kan) link\n\n",
            "Afterword\n\nEnd Notes:\n\nThe end. Really.\n",
        ];
        let mut from = 0;
        for part in order {
            let at = txt[from..]
                .find(part)
                .unwrap_or_else(|| panic!("{part:?} after byte {from} in\n{txt}"));
            from += at + part.len();
        }
        assert_eq!(from, txt.len(), "ends with the end notes:\n{txt}");
        assert!(txt.ends_with(".\n") && !txt.ends_with("\n\n"));
        assert!(!txt.contains('<') && !txt.contains("&amp;"), "{txt}");
    }

    #[test]
    fn html_becomes_paragraphs() {
        assert_eq!(html_to_text("<p>a</p><p>b</p>"), "a\n\nb");
        assert_eq!(
            html_to_text("  <p>  a \n b  </p>\n\n<p> c </p>  "),
            "a b\n\nc"
        );
        assert_eq!(html_to_text("a<br>b<br><br>c"), "a\nb\n\nc");
        assert_eq!(html_to_text("<p>x<em>y</em> <b>z</b></p>"), "xy z");
        assert_eq!(html_to_text("<div><p>in</p></div>out"), "in\n\nout");
        assert_eq!(
            html_to_text("<h1>T</h1>text<blockquote>q</blockquote>"),
            "T\n\ntext\n\nq"
        );
        assert_eq!(html_to_text("<pre>  a\n   b</pre>"), "  a\n   b");
        assert_eq!(
            html_to_text("<ol start=\"3\"><li><p>c</p></li><li>d<ul><li>e</li></ul></li></ol>"),
            "3. c\n4. d\n- e"
        );
        assert_eq!(
            html_to_text("<table><tr><th>a</th><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a | b\nc"
        );
        assert_eq!(
            html_to_text("<p><img alt=\"\"> &lt;ok&gt; &#x263A;</p>"),
            "[image] <ok> ☺"
        );
        assert_eq!(html_to_text("<script>x()</script><p>y</p>"), "y");
        assert_eq!(html_to_text(""), "");
        assert_eq!(html_to_text("<p> </p><p></p>"), "");
    }

    #[test]
    fn deep_nesting_keeps_its_text() {
        let html = format!("{}deep{}", "<span>".repeat(5000), "</span>".repeat(5000));
        assert_eq!(html_to_text(&html), "deep");
    }
}
