//! The work as the template's data: a JSON value (`work_json`; its shape
//! is described in `pdf.typ`) with every text as a string and stored HTML
//! as blocks of styled runs (`Style`, `Run`, `Block`, built by
//! `blocks.rs`). Never typst markup.

use serde_json::{Map, Value, json};

use super::blocks::html_blocks;
use crate::ExportWork;
use crate::html::{
    byline, chapter_label, display_title, language_tag, preface_lines, present, source_url, web_url,
};

/// typst refuses longer link targets.
pub(super) const MAX_URL: usize = 8000;

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
pub(super) fn work_json(work: &ExportWork) -> Value {
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
pub(super) struct Style {
    pub(super) bold: bool,
    pub(super) italic: bool,
    pub(super) underline: bool,
    pub(super) strike: bool,
    pub(super) sup: bool,
    pub(super) sub: bool,
    pub(super) code: bool,
    /// A link target: only http(s) and mailto URLs, encoded.
    pub(super) href: Option<String>,
}

/// Inline content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Run {
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
pub(super) enum Block {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::{awkward, sample};

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
}
