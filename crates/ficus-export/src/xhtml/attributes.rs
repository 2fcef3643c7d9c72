//! The attributes XHTML keeps, normalized.

use scraper::ElementRef;

use crate::html::web_url;
use crate::xml::push_attr;

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
pub(super) fn attributes(el: ElementRef<'_>, tag: &str, extra_class: Option<&str>) -> String {
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
