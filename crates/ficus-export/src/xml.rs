//! XML text: escaping for content and attributes, and dropping the
//! characters XML 1.0 forbids. Shared by the EPUB package documents and
//! the XHTML writer.

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
pub(crate) fn push_escaped(out: &mut String, text: &str, in_attribute: bool) {
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
pub(crate) fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, false);
    out
}

/// `text` escaped for a double-quoted XML attribute.
pub(crate) fn xml_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text, true);
    out
}

/// `xml` without the characters XML forbids (a last pass over whole
/// documents, whose plain-text parts were escaped for HTML).
pub(crate) fn xml_chars(xml: String) -> String {
    if xml.chars().all(is_xml_char) {
        xml
    } else {
        xml.chars().filter(|&c| is_xml_char(c)).collect()
    }
}

/// Appends ` name="value"`, the value escaped.
pub(crate) fn push_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value, true);
    out.push('"');
}

pub(crate) fn is_whitespace(text: &str) -> bool {
    text.chars().all(|c| c.is_ascii_whitespace())
}
