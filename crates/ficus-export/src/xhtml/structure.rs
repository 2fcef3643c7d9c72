//! Structures XHTML is strict about, repaired: lists, definition lists,
//! ruby, `details`, figures and tables.

use scraper::ElementRef;

use super::{Child, Ctx, XhtmlWriter, attributes, kids};
use crate::xml::{is_whitespace, xml_text};

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

impl XhtmlWriter {
    /// `ul`, `ol`: anything but a list item (loose text, a nested list)
    /// goes into the item before it, or a new item.
    pub(super) fn list(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
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
    pub(super) fn definitions(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
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
    pub(super) fn ruby(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
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
    pub(super) fn details(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
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
    pub(super) fn figure(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
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
    pub(super) fn table(&mut self, el: ElementRef<'_>, ctx: Ctx, out: &mut String) {
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
    use crate::xhtml::tests::xhtml;

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
}
