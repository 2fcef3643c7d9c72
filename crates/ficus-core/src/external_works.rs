//! External works: a work elsewhere on the web that a reader bookmarks by
//! its address, with the facts they give (AO3's `ExternalWork`): URL,
//! title, creator and at least one fandom required; summary, rating,
//! categories, relationships and characters optional. Checked as a
//! work's fields are (lengths, tag names, the fixed choices). The address
//! is only stored and linked, never fetched by the server.
//!
//! One external work per address: a second reader bookmarking the same
//! address bookmarks the same external work (its page lists both), and
//! the details the first reader gave stand.

use crate::posting::{MAX_SUMMARY_CHARS, split_tags};
use crate::tag::{CATEGORIES, Rating, Tag, TagName, TagType, match_fixed};
use crate::work::MAX_TITLE_CHARS;

/// The longest address, in characters.
pub const MAX_URL_CHARS: usize = 2_000;

/// The longest creator's name, in characters.
pub const MAX_CREATOR_CHARS: usize = 255;

/// The most fandom, relationship and character tags one external work
/// carries (as a work's free tags).
pub const MAX_TAGS: usize = crate::posting::MAX_FREE_TAGS;

/// Why an external work's details were refused, worded for the reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExternalWorkRefusal {
    #[error(
        "Url does not appear to be a valid URL: give a web address starting with http:// or https://."
    )]
    BadUrl,
    #[error("Url must be at most {MAX_URL_CHARS} characters long.")]
    UrlTooLong,
    #[error("Title can't be blank.")]
    NoTitle,
    #[error("Title must be at most {MAX_TITLE_CHARS} characters long.")]
    TitleTooLong,
    #[error("Creator can't be blank.")]
    NoCreator,
    #[error("Creator must be at most {MAX_CREATOR_CHARS} characters long.")]
    CreatorTooLong,
    #[error("Summary must be at most {MAX_SUMMARY_CHARS} characters long.")]
    SummaryTooLong,
    #[error("Fandom tag is required.")]
    NoFandom,
    #[error("{0:?} is not one of the choices.")]
    NotAChoice(String),
    #[error("Tag {0}")]
    BadTag(String),
    #[error("An external work carries at most {MAX_TAGS} fandom, relationship and character tags.")]
    TooManyTags,
}

/// An external work's form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExternalWorkForm<'a> {
    pub url: &'a str,
    pub title: &'a str,
    pub creator: &'a str,
    /// Plain text (blank lines between paragraphs) or HTML.
    pub summary: &'a str,
    /// Comma-separated, as on the work form.
    pub fandoms: &'a str,
    /// One of the ratings' names, or empty.
    pub rating: &'a str,
    pub categories: &'a [String],
    pub relationships: &'a str,
    pub characters: &'a str,
}

/// An external work's details, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalWorkDraft {
    /// The address as stored: `http(s)`, host lower-cased, no fragment.
    pub url: String,
    pub title: String,
    pub creator: String,
    /// Sanitized HTML (empty: none).
    pub summary: String,
    /// Fandoms first, then the rating, categories, relationships and
    /// characters, each once.
    pub tags: Vec<Tag>,
}

/// The address as stored, or why not: a scheme-less address is taken as
/// `http://` (as AO3's `format_url`); only `http` and `https` with a
/// host; the fragment dropped (it names a place on the page, not the
/// work).
pub fn normalize_url(raw: &str) -> Result<String, ExternalWorkRefusal> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ExternalWorkRefusal::BadUrl);
    }
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(ExternalWorkRefusal::UrlTooLong);
    }
    let with_scheme = if raw.contains("://") {
        raw.to_string()
    } else {
        format!("http://{raw}")
    };
    let mut url = url::Url::parse(&with_scheme).map_err(|_| ExternalWorkRefusal::BadUrl)?;
    if !matches!(url.scheme(), "http" | "https")
        || url
            .host_str()
            .is_none_or(|h| h.is_empty() || (!h.contains('.') && h != "localhost"))
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(ExternalWorkRefusal::BadUrl);
    }
    url.set_fragment(None);
    let out = url.to_string();
    if out.chars().count() > MAX_URL_CHARS {
        return Err(ExternalWorkRefusal::UrlTooLong);
    }
    Ok(out)
}

impl ExternalWorkForm<'_> {
    /// Checks the form; the first problem found.
    pub fn check(&self) -> Result<ExternalWorkDraft, ExternalWorkRefusal> {
        let url = normalize_url(self.url)?;
        let title = crate::text::clean_line(self.title).trim().to_string();
        if title.is_empty() {
            return Err(ExternalWorkRefusal::NoTitle);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(ExternalWorkRefusal::TitleTooLong);
        }
        let creator = crate::text::clean_line(self.creator).trim().to_string();
        if creator.is_empty() {
            return Err(ExternalWorkRefusal::NoCreator);
        }
        if creator.chars().count() > MAX_CREATOR_CHARS {
            return Err(ExternalWorkRefusal::CreatorTooLong);
        }
        if self.summary.chars().count() > 4 * MAX_SUMMARY_CHARS
            || crate::html::plain_text(self.summary).trim().chars().count() > MAX_SUMMARY_CHARS
        {
            return Err(ExternalWorkRefusal::SummaryTooLong);
        }
        let summary = if self.summary.trim().is_empty() {
            String::new()
        } else {
            crate::html::format_user_text(self.summary, true)
        };
        let mut tags: Vec<Tag> = Vec::new();
        let push = |tags: &mut Vec<Tag>, kind: TagType, name: TagName| {
            if !tags
                .iter()
                .any(|t| t.kind == kind && t.name.key() == name.key())
            {
                tags.push(Tag { kind, name });
            }
        };
        let mut free = 0;
        for value in split_tags(self.fandoms) {
            free += 1;
            let name = TagName::parse(value)
                .map_err(|e| ExternalWorkRefusal::BadTag(format!("{value:?}: {e}.")))?;
            push(&mut tags, TagType::Fandom, name);
        }
        if tags.is_empty() {
            return Err(ExternalWorkRefusal::NoFandom);
        }
        if !self.rating.trim().is_empty() {
            let rating = Rating::from_name(self.rating)
                .ok_or_else(|| ExternalWorkRefusal::NotAChoice(self.rating.trim().to_string()))?;
            if let Ok(name) = TagName::parse(rating.name()) {
                push(&mut tags, TagType::Rating, name);
            }
        }
        for value in self.categories {
            let fixed = match_fixed(&CATEGORIES, value)
                .ok_or_else(|| ExternalWorkRefusal::NotAChoice(value.trim().to_string()))?;
            if let Ok(name) = TagName::parse(fixed) {
                push(&mut tags, TagType::Category, name);
            }
        }
        for (kind, raw) in [
            (TagType::Relationship, self.relationships),
            (TagType::Character, self.characters),
        ] {
            for value in split_tags(raw) {
                free += 1;
                let name = TagName::parse(value)
                    .map_err(|e| ExternalWorkRefusal::BadTag(format!("{value:?}: {e}.")))?;
                push(&mut tags, kind, name);
            }
        }
        if free > MAX_TAGS {
            return Err(ExternalWorkRefusal::TooManyTags);
        }
        Ok(ExternalWorkDraft {
            url,
            title,
            creator,
            summary,
            tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(url: &'a str, fandoms: &'a str) -> ExternalWorkForm<'a> {
        ExternalWorkForm {
            url,
            title: "Elsewhere",
            creator: "Someone",
            fandoms,
            ..ExternalWorkForm::default()
        }
    }

    #[test]
    fn addresses_are_web_addresses_only() {
        assert_eq!(
            normalize_url("example.org/story/1").as_deref(),
            Ok("http://example.org/story/1")
        );
        assert_eq!(
            normalize_url(" https://EXAMPLE.org/s?id=2#chapter3 ").as_deref(),
            Ok("https://example.org/s?id=2"),
            "host lower-cased, fragment dropped"
        );
        for bad in [
            "",
            "javascript:alert(1)",
            "javascript://example.org/%0aalert(1)",
            "ftp://example.org/x",
            "file:///etc/passwd",
            "data:text/html,hi",
            "http://",
            "http://user:pw@example.org/",
            "not a url at all",
        ] {
            assert_eq!(
                normalize_url(bad),
                Err(ExternalWorkRefusal::BadUrl),
                "{bad:?}"
            );
        }
        let long = format!("https://example.org/{}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(normalize_url(&long), Err(ExternalWorkRefusal::UrlTooLong));
    }

    #[test]
    fn the_form_is_checked_like_a_works_fields() {
        let cats = vec!["f/m".to_string(), "Gen".to_string()];
        let draft = ExternalWorkForm {
            summary: "A summary.\n\n<script>x</script>",
            rating: "Teen And Up Audiences",
            categories: &cats,
            relationships: "A/B, A/B",
            characters: "A, B",
            ..form("example.org/1", "Fandom One, Fandom Two, fandom one")
        }
        .check()
        .expect("valid");
        let kinds: Vec<(TagType, &str)> = draft
            .tags
            .iter()
            .map(|t| (t.kind, t.name.as_str()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (TagType::Fandom, "Fandom One"),
                (TagType::Fandom, "Fandom Two"),
                (TagType::Rating, "Teen And Up Audiences"),
                (TagType::Category, "F/M"),
                (TagType::Category, "Gen"),
                (TagType::Relationship, "A/B"),
                (TagType::Character, "A"),
                (TagType::Character, "B"),
            ]
        );
        assert!(draft.summary.starts_with("<p>A summary.</p>"));
        assert!(!draft.summary.contains("script"));
        assert_eq!(
            form("example.org/1", " , ").check(),
            Err(ExternalWorkRefusal::NoFandom)
        );
        assert_eq!(
            ExternalWorkForm {
                title: "  ",
                ..form("example.org/1", "F")
            }
            .check(),
            Err(ExternalWorkRefusal::NoTitle)
        );
        assert_eq!(
            ExternalWorkForm {
                creator: "",
                ..form("example.org/1", "F")
            }
            .check(),
            Err(ExternalWorkRefusal::NoCreator)
        );
        assert_eq!(
            ExternalWorkForm {
                rating: "Spicy",
                ..form("example.org/1", "F")
            }
            .check(),
            Err(ExternalWorkRefusal::NotAChoice("Spicy".into()))
        );
        let long = "s".repeat(MAX_SUMMARY_CHARS + 1);
        assert_eq!(
            ExternalWorkForm {
                summary: &long,
                ..form("example.org/1", "F")
            }
            .check(),
            Err(ExternalWorkRefusal::SummaryTooLong)
        );
        let many: Vec<String> = (0..=MAX_TAGS).map(|i| format!("F{i}")).collect();
        assert_eq!(
            form("example.org/1", &many.join(",")).check(),
            Err(ExternalWorkRefusal::TooManyTags)
        );
    }
}
