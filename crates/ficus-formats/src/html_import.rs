//! HTML files: one page, one chapter, sanitized. (HTML downloads, with a
//! `#preface` and `#chapters`, are read by [`crate::download_import`].)
//!
//! The title comes from `<title>` (without AO3's trailing
//! `[Archive of Our Own]`), else from the first `h1`–`h3`. That heading is
//! removed from the text when it repeats the title. The text is the inner
//! HTML of `<body>`, cleaned with [`ficus_core::html::sanitize`].

use std::sync::LazyLock;

use ficus_core::html::{sanitize, text_of};
use scraper::{ElementRef, Html, Selector};

use crate::ImportError;
use crate::draft::Draft;
use crate::text::lines::{collapse_whitespace, same_title};

static TITLE: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("title").expect("title selector is valid"));
static HEADING: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("h1, h2, h3").expect("heading selector is valid"));
static BODY: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("body").expect("body selector is valid"));
static META: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("meta[name][content]").expect("meta selector is valid"));
static LINK: LazyLock<Selector> =
    LazyLock::new(|| Selector::parse("a[href]").expect("link selector is valid"));

/// What AO3 appends to its page titles.
const AO3_TITLE_SUFFIX: &str = "[Archive of Our Own]";

/// Reads a decoded HTML document: what it says about the work, and the
/// sanitized body. Fails with [`ImportError::NoText`] when no text survives.
#[cfg(test)]
pub(crate) fn parse_html(text: &str) -> Result<(Draft, String), ImportError> {
    parse_html_document(Html::parse_document(text))
}

/// Reads an already parsed HTML document, like `parse_html`.
pub(crate) fn parse_html_document(mut doc: Html) -> Result<(Draft, String), ImportError> {
    let mut draft = Draft::default();

    let title_tag = doc
        .select(&TITLE)
        .next()
        .map(|t| strip_ao3_suffix(&element_text(t)))
        .filter(|t| !t.is_empty());
    let heading = doc
        .select(&HEADING)
        .next()
        .map(|h| (h.id(), element_text(h)));
    let heading_title = heading
        .as_ref()
        .map(|(_, text)| text.clone())
        .filter(|t| !t.is_empty());
    draft.title = title_tag.or(heading_title);

    for meta in doc.select(&META) {
        if meta
            .attr("name")
            .is_some_and(|n| n.eq_ignore_ascii_case("author"))
            && let Some(content) = meta.attr("content")
        {
            draft.add_creators("Author", content);
        }
    }
    draft.source_url = ao3_source_link(&doc);

    if let (Some(title), Some((id, text))) = (draft.title.as_deref(), heading.as_ref())
        && same_title(title, text)
        && let Some(mut node) = doc.tree.get_mut(*id)
    {
        node.detach();
    }

    let body = doc
        .select(&BODY)
        .next()
        .map(|b| b.inner_html())
        .unwrap_or_else(|| doc.root_element().html());
    let clean = sanitize(&body);
    if text_of(&clean).is_empty() {
        return Err(ImportError::NoText);
    }
    Ok((draft, clean.trim().to_string()))
}

/// The element's text with whitespace collapsed.
fn element_text(element: ElementRef<'_>) -> String {
    collapse_whitespace(&element.text().collect::<String>())
}

/// `Title - Chapter 1 - Author [Archive of Our Own]` → `Title - Chapter 1 - Author`.
fn strip_ao3_suffix(title: &str) -> String {
    let trimmed = title.trim();
    let at = trimmed.len().saturating_sub(AO3_TITLE_SUFFIX.len());
    match (trimmed.get(..at), trimmed.get(at..)) {
        (Some(head), Some(tail)) if tail.eq_ignore_ascii_case(AO3_TITLE_SUFFIX) => {
            head.trim().to_string()
        }
        _ => trimmed.to_string(),
    }
}

/// The work's AO3 address from a download's "Posted originally on the
/// Archive of Our Own at …" line.
fn ao3_source_link(doc: &Html) -> Option<String> {
    doc.select(&LINK).find_map(|a| {
        let href = a.attr("href")?;
        if !href.contains("archiveofourown.org/works/") {
            return None;
        }
        let parent = a.parent().and_then(ElementRef::wrap)?;
        let context = element_text(parent).to_lowercase();
        context
            .contains("posted originally")
            .then(|| href.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_tag_wins_and_matching_heading_is_removed() {
        let (d, body) = parse_html(
            "<html><head><title> The  Title </title></head><body><h1>The Title</h1><p>Text.</p></body></html>",
        )
        .expect("parses");
        assert_eq!(d.title.as_deref(), Some("The Title"));
        assert_eq!(body, "<p>Text.</p>");
    }

    #[test]
    fn a_different_heading_stays() {
        let (d, body) =
            parse_html("<title>Book</title><h2>Chapter One</h2><p>Text.</p>").expect("parses");
        assert_eq!(d.title.as_deref(), Some("Book"));
        assert!(body.contains("<h2>Chapter One</h2>"), "{body}");
    }

    #[test]
    fn ao3_suffix_is_dropped() {
        assert_eq!(
            strip_ao3_suffix("Title - Chapter 1 - Author - Fandom [Archive of Our Own]"),
            "Title - Chapter 1 - Author - Fandom"
        );
        assert_eq!(strip_ao3_suffix("Plain"), "Plain");
        assert_eq!(strip_ao3_suffix("[archive of our own]"), "");
    }

    #[test]
    fn heading_only_documents_have_no_text() {
        assert!(matches!(
            parse_html("<h1>Only a title</h1><script>x()</script>"),
            Err(ImportError::NoText)
        ));
    }

    #[test]
    fn author_meta_and_ao3_link_are_read() {
        let (d, _) = parse_html(
            r#"<html><head><meta name="Author" content="Ann"></head><body>
            <p>Posted originally on the Archive of Our Own at <a href="http://archiveofourown.org/works/99">http://archiveofourown.org/works/99</a>.</p>
            <p>Text.</p></body></html>"#,
        )
        .expect("parses");
        assert_eq!(d.creators, ["Ann"]);
        assert_eq!(
            d.source_url.as_deref(),
            Some("http://archiveofourown.org/works/99")
        );
    }
}
