//! User HTML: sanitizing with ammonia (AO3-like allowlist) and turning plain
//! text into paragraphs.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::Builder;

/// Elements allowed in work text, as on AO3.
pub const ALLOWED_ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "b",
    "big",
    "blockquote",
    "br",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "details",
    "figcaption",
    "figure",
    "dd",
    "del",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut tag_attributes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    tag_attributes.insert("a", ["href", "name"].into());
    tag_attributes.insert("img", ["src", "alt", "width", "height"].into());
    tag_attributes.insert("ol", ["start", "type"].into());
    tag_attributes.insert("ul", ["type"].into());
    tag_attributes.insert("td", ["colspan", "rowspan", "width"].into());
    tag_attributes.insert("th", ["colspan", "rowspan", "width", "scope"].into());
    tag_attributes.insert("col", ["span", "width"].into());
    tag_attributes.insert("colgroup", ["span", "width"].into());
    tag_attributes.insert("table", ["summary", "width"].into());
    tag_attributes.insert("blockquote", ["cite"].into());
    tag_attributes.insert("q", ["cite"].into());
    tag_attributes.insert("details", ["open"].into());
    let mut b = Builder::default();
    b.tags(ALLOWED_ELEMENTS.iter().copied().collect())
        .generic_attributes(["align", "dir", "lang", "title", "class"].into())
        .tag_attributes(tag_attributes)
        .url_schemes(["http", "https", "mailto"].into())
        .link_rel(Some("nofollow"))
        .attribute_filter(|element, attribute, value| {
            if element == "img" && attribute == "src" {
                let lower = value.trim_start().to_ascii_lowercase();
                if lower.starts_with("http://") || lower.starts_with("https://") {
                    return Some(value.into());
                }
                return None;
            }
            Some(value.into())
        });
    b
});

/// Cleans user HTML down to the allowlist: scripts, styles, event handlers,
/// `javascript:` URLs and unknown elements go; links get `rel="nofollow"`;
/// images keep only http(s) sources.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Escapes text for HTML content or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// Turns plain text into HTML paragraphs: blank lines separate `<p>`s, single
/// newlines become `<br />`; everything is escaped.
pub fn plain_text_to_html(text: &str) -> String {
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(normalized.len() + normalized.len() / 8);
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, out: &mut String| {
        if paragraph.is_empty() {
            return;
        }
        out.push_str("<p>");
        for (i, line) in paragraph.iter().enumerate() {
            if i > 0 {
                out.push_str("<br />\n");
            }
            out.push_str(&escape(line.trim_end()));
        }
        out.push_str("</p>\n");
        paragraph.clear();
    };
    for line in normalized.split('\n') {
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut out);
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut out);
    out
}

/// The text of stored HTML for indexing and snippets: character
/// references decoded, every tag a word break. Walks html5ever's tokenizer
/// without building a tree (several times faster than [`text_of`] on
/// whole chapters).
pub fn plain_text(html: &str) -> String {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{
        BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
    };
    use std::cell::RefCell;

    struct Sink(RefCell<String>);
    impl TokenSink for Sink {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            let mut out = self.0.borrow_mut();
            match token {
                Token::CharacterTokens(text) => out.push_str(&text),
                Token::TagToken(_) if !out.ends_with(' ') => out.push(' '),
                _ => {}
            }
            TokenSinkResult::Continue
        }
    }

    if !html.contains('<') && !html.contains('&') {
        return html.to_string();
    }
    let tokenizer = Tokenizer::new(
        Sink(RefCell::new(String::with_capacity(html.len()))),
        TokenizerOpts::default(),
    );
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.take()
}

/// The text of an HTML fragment with tags removed and whitespace collapsed
/// (for titles taken from headings, plain-text previews, and so on).
pub fn text_of(html: &str) -> String {
    let fragment = scraper::Html::parse_fragment(html);
    let text: String = fragment.root_element().text().collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_breaks_at_tags_and_decodes() {
        assert_eq!(
            plain_text("<p>One&amp;two</p><p>three</p>").trim(),
            "One&two three"
        );
        assert_eq!(plain_text("no markup"), "no markup");
        assert_eq!(
            plain_text("<p>a<em>b</em></p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["a", "b"]
        );
    }

    #[test]
    fn scripts_and_handlers_are_removed() {
        let out = sanitize(
            r#"<p onclick="x()">Hi<script>alert(1)</script></p><img src="x" onerror="alert(1)">"#,
        );
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("onerror"), "{out}");
        assert!(!out.contains("alert"), "{out}");
        assert!(out.contains("<p>Hi</p>"), "{out}");
    }

    #[test]
    fn javascript_links_lose_their_href_and_links_get_nofollow() {
        let out = sanitize(
            r#"<a href="javascript:alert(1)">bad</a> <a href="https://example.org/">good</a>"#,
        );
        assert!(!out.contains("javascript"), "{out}");
        assert!(
            out.contains(r#"<a href="https://example.org/" rel="nofollow">good</a>"#),
            "{out}"
        );
    }

    #[test]
    fn images_only_over_http() {
        assert!(
            sanitize(r#"<img src="https://e.org/a.png" alt="a">"#)
                .contains("src=\"https://e.org/a.png\"")
        );
        assert!(!sanitize(r#"<img src="data:image/png;base64,AAAA">"#).contains("src"));
        assert!(!sanitize(r#"<img src="/local.png">"#).contains("src"));
    }

    #[test]
    fn allowed_markup_survives() {
        let html = r#"<p align="center" class="x" lang="fr" dir="rtl" title="t"><em>a</em> <strong>b</strong> <ruby>漢<rt>kan</rt></ruby></p><table><tbody><tr><td colspan="2">c</td></tr></tbody></table>"#;
        assert_eq!(sanitize(html), html);
    }

    #[test]
    fn style_and_unknown_elements_go() {
        let out = sanitize(
            r#"<style>p{}</style><iframe src="https://e.org"></iframe><p style="color:red">x</p><form><input></form>"#,
        );
        assert_eq!(out, "<p>x</p>");
    }

    #[test]
    fn plain_text_becomes_paragraphs() {
        let html =
            plain_text_to_html("First line\nsecond line\n\n\nNext <para> & more\r\n\r\nLast");
        assert_eq!(
            html,
            "<p>First line<br />\nsecond line</p>\n<p>Next &lt;para&gt; &amp; more</p>\n<p>Last</p>\n"
        );
        assert_eq!(plain_text_to_html("\n\n  \n"), "");
    }

    #[test]
    fn text_of_strips_tags() {
        assert_eq!(text_of("<h1>A <em>Title</em></h1>\n"), "A Title");
    }
}
