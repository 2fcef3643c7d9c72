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

/// Every attribute the allowlist permits that holds a URL, with the
/// schemes AO3 allows in it and whether a relative URL may stand there.
/// `img src` is stricter than AO3 (absolute http(s) only): a relative
/// image would load from this archive, which serves no user images.
pub const URL_ATTRIBUTES: &[UrlAttribute] = &[
    UrlAttribute {
        element: "a",
        attribute: "href",
        schemes: &["ftp", "http", "https", "mailto"],
        relative: true,
    },
    UrlAttribute {
        element: "blockquote",
        attribute: "cite",
        schemes: &["http", "https"],
        relative: true,
    },
    UrlAttribute {
        element: "q",
        attribute: "cite",
        schemes: &["http", "https"],
        relative: true,
    },
    UrlAttribute {
        element: "img",
        attribute: "src",
        schemes: &["http", "https"],
        relative: false,
    },
];

/// One URL-bearing attribute of the allowlist and what it may hold.
#[derive(Debug, Clone, Copy)]
pub struct UrlAttribute {
    pub element: &'static str,
    pub attribute: &'static str,
    /// Lowercase schemes allowed (`https`, not `https:`).
    pub schemes: &'static [&'static str],
    /// Whether a URL without a scheme (`/works/1`, `#note`) is kept.
    pub relative: bool,
}

impl UrlAttribute {
    /// Whether `value` may stay in this attribute. A browser ignores tabs
    /// and newlines anywhere in a URL and control characters or spaces
    /// around it (`java\tscript:`), so the scheme is read the same way.
    pub fn allows(&self, value: &str) -> bool {
        let url: String = value
            .trim_matches(|c: char| c <= ' ')
            .chars()
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .collect();
        match scheme_of(&url) {
            Some(scheme) => self
                .schemes
                .iter()
                .any(|allowed| scheme.eq_ignore_ascii_case(allowed)),
            None => self.relative,
        }
    }
}

/// The scheme of a URL (the text before the first `:` when no `/`, `?`
/// or `#` comes first), or `None` for a relative URL.
fn scheme_of(url: &str) -> Option<&str> {
    let end = url.find([':', '/', '?', '#'])?;
    (url.as_bytes()[end] == b':').then(|| &url[..end])
}

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| builder(true));

/// Comments follow AO3's comment rules: the same allowlist without `class`.
static COMMENT_SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| builder(false));

fn builder(with_class: bool) -> Builder<'static> {
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
        .generic_attributes(if with_class {
            ["align", "dir", "lang", "title", "class"].into()
        } else {
            ["align", "dir", "lang", "title"].into()
        })
        .tag_attributes(tag_attributes)
        .url_schemes(["ftp", "http", "https", "mailto"].into())
        .link_rel(Some("nofollow"))
        // ammonia checks schemes only in the attributes it knows as URLs
        // (`href`, `src`), not in `cite`: every URL attribute is checked
        // here against its own list.
        .attribute_filter(|element, attribute, value| {
            let rule = URL_ATTRIBUTES
                .iter()
                .find(|r| r.element == element && r.attribute == attribute);
            match rule {
                Some(rule) if !rule.allows(value) => None,
                _ => Some(value.into()),
            }
        });
    b
}

/// Cleans user HTML down to the allowlist: scripts, styles, event handlers
/// and unknown elements go; every URL attribute keeps only the schemes
/// [`URL_ATTRIBUTES`] allows it (no `javascript:`, `data:`, …); links get
/// `rel="nofollow"`; images keep only absolute http(s) sources.
pub fn sanitize(html: &str) -> String {
    // After cleaning too: a character reference such as `&#1;` decodes to
    // a control character the parser keeps.
    let clean = SANITIZER.clean(&crate::text::clean_block(html)).to_string();
    crate::text::clean_block(&clean).into_owned()
}

/// Cleans a comment: [`sanitize`]'s allowlist without `class`. With
/// `images_as_links` (guests' comments, as AO3's image safety mode) every
/// image becomes a link to its source, so nothing loads unasked.
pub fn sanitize_comment(html: &str, images_as_links: bool) -> String {
    let clean = COMMENT_SANITIZER
        .clean(&crate::text::clean_block(html))
        .to_string();
    let clean = crate::text::clean_block(&clean).into_owned();
    if images_as_links {
        images_to_links(&clean)
    } else {
        clean
    }
}

/// Text a reader typed into a form (a comment, a bookmark's notes): plain
/// text becomes paragraphs (blank lines) and line breaks; text with block
/// elements is taken as HTML. Then [`sanitize_comment`].
pub fn format_user_text(text: &str, images_as_links: bool) -> String {
    let lower = text.to_ascii_lowercase();
    let has_blocks = ["<p", "<br", "<div", "<blockquote", "<ul", "<ol", "<h"]
        .iter()
        .any(|t| lower.contains(t));
    let html = if has_blocks {
        text.to_string()
    } else {
        text.replace("\r\n", "\n")
            .split("\n\n")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| format!("<p>{}</p>", p.replace('\n', "<br />")))
            .collect::<Vec<_>>()
            .join("\n")
    };
    sanitize_comment(&html, images_as_links)
}

/// An `<img>` as the sanitizer writes it: attributes always double-quoted,
/// their values never holding a raw `"`.
static IMG: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"<img((?:\s+[a-z-]+="[^"]*")*)\s*/?>"#).expect("valid pattern")
});
static ATTR: LazyLock<regex::Regex> =
    LazyLock::new(|| regex::Regex::new(r#"([a-z-]+)="([^"]*)""#).expect("valid pattern"));

/// Replaces each image of sanitized HTML by a link to its source, its
/// text the image's alt text (or "image").
fn images_to_links(clean: &str) -> String {
    IMG.replace_all(clean, |caps: &regex::Captures<'_>| {
        let attrs = &caps[1];
        let get = |name: &str| {
            ATTR.captures_iter(attrs)
                .find(|c| &c[1] == name)
                .map(|c| c[2].to_string())
        };
        let Some(src) = get("src") else {
            return String::new();
        };
        // Attribute values come escaped for quotes and ampersands; as
        // text they also need their angle brackets escaped.
        let text = get("alt")
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| "image".into())
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        format!("<a href=\"{src}\" rel=\"nofollow\">{text}</a>")
    })
    .into_owned()
}

/// Escapes text for HTML content or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // The escaped characters are ASCII: copy the runs between them whole.
    let mut from = 0;
    for (at, b) in text.bytes().enumerate() {
        let replacement = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[from..at]);
        out.push_str(replacement);
        from = at + 1;
    }
    out.push_str(&text[from..]);
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
    fn comments_lose_class_and_guests_images_become_links() {
        let typed = r#"<p class="x">Hi <img src="https://img.example/a.png" alt="a <cat>"><script>x</script></p>"#;
        let kept = sanitize_comment(typed, false);
        assert!(!kept.contains("class"), "{kept}");
        assert!(
            kept.contains("<img src=\"https://img.example/a.png\""),
            "{kept}"
        );
        let linked = sanitize_comment(typed, true);
        assert!(!linked.contains("<img"), "{linked}");
        assert!(
            linked.contains(
                r#"<a href="https://img.example/a.png" rel="nofollow">a &lt;cat&gt;</a>"#
            ),
            "{linked}"
        );
        assert!(!linked.contains("script"));
        assert!(sanitize("<p class=\"x\">t</p>").contains("class"));
    }

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

    /// Every URL attribute the allowlist permits, tried with hostile and
    /// harmless values: only its own schemes (and relative URLs where
    /// allowed) survive.
    #[test]
    fn every_url_attribute_keeps_only_its_schemes() {
        let hostile = [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;avascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "file:///etc/passwd",
        ];
        for rule in URL_ATTRIBUTES {
            let element = rule.element;
            let attribute = rule.attribute;
            let markup = |value: &str| {
                let value = value.replace('"', "&quot;");
                if element == "img" {
                    format!(r#"<img {attribute}="{value}" alt="x">"#)
                } else {
                    format!(r#"<{element} {attribute}="{value}">x</{element}>"#)
                }
            };
            for value in hostile {
                let out = sanitize(&markup(value));
                assert!(
                    !out.contains(&format!("{attribute}=")),
                    "{element} {attribute}={value:?} kept: {out}"
                );
            }
            for scheme in rule.schemes {
                let url = if *scheme == "mailto" {
                    "mailto:someone@example.org".to_string()
                } else {
                    format!("{scheme}://example.org/a?b=c")
                };
                let out = sanitize(&markup(&url));
                assert!(
                    out.contains(&format!("{attribute}=\"{}\"", url.replace('&', "&amp;"))),
                    "{element} {attribute}={url:?} lost: {out}"
                );
            }
            let out = sanitize(&markup("/works/1#chapter_2"));
            assert_eq!(
                out.contains(&format!("{attribute}=\"/works/1#chapter_2\"")),
                rule.relative,
                "{element} {attribute} relative: {out}"
            );
        }
    }

    #[test]
    fn blockquote_cite_with_javascript_is_dropped_but_the_quote_stays() {
        assert_eq!(
            sanitize(r#"<blockquote cite="javascript:alert(1)"><p>q</p></blockquote>"#),
            "<blockquote><p>q</p></blockquote>"
        );
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
