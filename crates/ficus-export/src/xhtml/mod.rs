//! Stored HTML as XHTML.
//!
//! Stored HTML is HTML, not XML, and allows what EPUB's XHTML does not
//! (obsolete elements, `align`, blocks inside inline elements, loose text
//! in lists, remote images…): [`XhtmlWriter`] re-serializes every fragment
//! as well-formed, valid XHTML. Nothing here is EPUB-specific.

use std::collections::HashSet;

use scraper::{ElementRef, Html, Node};

use crate::html::{encode_url, web_url};
use crate::xml::{is_whitespace, push_attr, push_escaped};

mod attributes;
mod structure;

use attributes::attributes;

/// Elements deeper than this are written as their text only, so hostile
/// nesting cannot exhaust the stack.
const MAX_DEPTH: usize = 100;

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
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// One fragment converted on its own.
    pub(crate) fn xhtml(html: &str) -> String {
        XhtmlWriter::new([html]).convert(html)
    }

    /// A rough XML well-formedness check: tags balance, attributes are
    /// double-quoted, references are XML's own or decimal.
    pub(crate) fn assert_well_formed(xml: &str) {
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
}
