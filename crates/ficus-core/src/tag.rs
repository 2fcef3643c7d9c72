//! Tags: the seven types, names, and the fixed values of the first three.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The seven tag types, in AO3's display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagType {
    Rating,
    ArchiveWarning,
    Category,
    Fandom,
    Relationship,
    Character,
    /// "Additional Tags" on pages, "freeform" in AO3's markup.
    Freeform,
    /// A medium (TV, Books, …): only a parent of fandoms; works never carry it.
    Media,
}

impl TagType {
    /// Every type a work carries, in display order ([`TagType::Media`] is not one).
    pub const ALL: [TagType; 7] = [
        TagType::Rating,
        TagType::ArchiveWarning,
        TagType::Category,
        TagType::Fandom,
        TagType::Relationship,
        TagType::Character,
        TagType::Freeform,
    ];

    /// The stable identifier stored in the database and used in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TagType::Rating => "rating",
            TagType::ArchiveWarning => "archive_warning",
            TagType::Category => "category",
            TagType::Fandom => "fandom",
            TagType::Relationship => "relationship",
            TagType::Character => "character",
            TagType::Freeform => "freeform",
            TagType::Media => "media",
        }
    }

    /// Parses [`TagType::as_str`] output.
    pub fn parse(s: &str) -> Option<TagType> {
        TagType::ALL
            .into_iter()
            .chain([TagType::Media])
            .find(|t| t.as_str() == s)
    }

    /// The types a tag of this type may have as parents (AO3's rule).
    pub fn parent_types(self) -> &'static [TagType] {
        match self {
            TagType::Fandom => &[TagType::Media],
            TagType::Character | TagType::Freeform => &[TagType::Fandom],
            TagType::Relationship => &[TagType::Fandom, TagType::Character],
            _ => &[],
        }
    }

    /// The word AO3 uses in class attributes (`dd.warning tags`, `li.freeforms`).
    pub fn css_class(self) -> &'static str {
        match self {
            TagType::Rating => "rating",
            TagType::ArchiveWarning => "warning",
            TagType::Category => "category",
            TagType::Fandom => "fandom",
            TagType::Relationship => "relationship",
            TagType::Character => "character",
            TagType::Freeform => "freeform",
            TagType::Media => "media",
        }
    }

    /// Human label, singular or plural as the meta block shows it.
    pub fn label(self, plural: bool) -> &'static str {
        match (self, plural) {
            (TagType::Rating, false) => "Rating",
            (TagType::Rating, true) => "Ratings",
            (TagType::ArchiveWarning, false) => "Archive Warning",
            (TagType::ArchiveWarning, true) => "Archive Warnings",
            (TagType::Category, false) => "Category",
            (TagType::Category, true) => "Categories",
            (TagType::Fandom, false) => "Fandom",
            (TagType::Fandom, true) => "Fandoms",
            (TagType::Relationship, false) => "Relationship",
            (TagType::Relationship, true) => "Relationships",
            (TagType::Character, false) => "Character",
            (TagType::Character, true) => "Characters",
            (TagType::Freeform, _) => "Additional Tags",
            (TagType::Media, _) => "Media",
        }
    }

    /// The fixed names of this type, or `None` when writers name tags freely.
    pub fn fixed_names(self) -> Option<&'static [&'static str]> {
        match self {
            TagType::Rating => Some(&Rating::NAMES),
            TagType::ArchiveWarning => Some(&ARCHIVE_WARNINGS),
            TagType::Category => Some(&CATEGORIES),
            _ => None,
        }
    }

    /// Whether writers choose names freely (fandom, relationship, character, freeform).
    pub fn is_free(self) -> bool {
        self.fixed_names().is_none()
    }
}

impl fmt::Display for TagType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// AO3's archive warnings.
pub const ARCHIVE_WARNINGS: [&str; 6] = [
    "Choose Not To Use Archive Warnings",
    "No Archive Warnings Apply",
    "Graphic Depictions Of Violence",
    "Major Character Death",
    "Rape/Non-Con",
    "Underage Sex",
];

/// The warning a work carries when its creator gave none.
pub const NO_WARNING_GIVEN: &str = ARCHIVE_WARNINGS[0];

/// AO3's categories.
pub const CATEGORIES: [&str; 6] = ["Gen", "F/M", "M/M", "F/F", "Multi", "Other"];

/// Finds the fixed name equal (case-insensitively) to `value` in `names`.
pub fn match_fixed(names: &[&'static str], value: &str) -> Option<&'static str> {
    let value = value.trim();
    names
        .iter()
        .copied()
        .find(|n| n.eq_ignore_ascii_case(value))
}

/// A work's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Rating {
    #[default]
    NotRated,
    GeneralAudiences,
    TeenAndUpAudiences,
    Mature,
    Explicit,
}

impl Rating {
    /// Display names, indexed like [`Rating::ALL`].
    pub const NAMES: [&'static str; 5] = [
        "Not Rated",
        "General Audiences",
        "Teen And Up Audiences",
        "Mature",
        "Explicit",
    ];
    /// Every rating.
    pub const ALL: [Rating; 5] = [
        Rating::NotRated,
        Rating::GeneralAudiences,
        Rating::TeenAndUpAudiences,
        Rating::Mature,
        Rating::Explicit,
    ];

    /// The display name, which is also the tag name.
    pub fn name(self) -> &'static str {
        Rating::NAMES[self as usize]
    }

    /// Parses a display name (case-insensitively).
    pub fn from_name(name: &str) -> Option<Rating> {
        Rating::ALL
            .into_iter()
            .find(|r| r.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Maps an old-style rating (G, PG, PG-13, R, NC-17, X, or an AO3 name)
    /// to the nearest AO3 rating; anything unknown is Not Rated.
    pub fn from_legacy(value: &str) -> Rating {
        if let Some(r) = Rating::from_name(value) {
            return r;
        }
        let key: String = value
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-' && *c != '.')
            .flat_map(char::to_uppercase)
            .collect();
        match key.as_str() {
            "G" | "K" => Rating::GeneralAudiences,
            "PG" | "PG13" | "K+" | "T" | "TEEN" => Rating::TeenAndUpAudiences,
            "R" | "M" => Rating::Mature,
            "NC17" | "MA" | "E" => Rating::Explicit,
            // X, XX and longer runs of X
            x if !x.is_empty() && x.chars().all(|c| c == 'X') => Rating::Explicit,
            _ => Rating::NotRated,
        }
    }

    /// Whether readers must confirm they want adult content first
    /// (Mature, Explicit and Not Rated, as on AO3).
    pub fn needs_adult_interstitial(self) -> bool {
        matches!(self, Rating::NotRated | Rating::Mature | Rating::Explicit)
    }

    /// The class suffix AO3 uses in listings: `rating-explicit`, `rating-notrated`…
    pub fn css_suffix(self) -> &'static str {
        match self {
            Rating::NotRated => "notrated",
            Rating::GeneralAudiences => "general-audience",
            Rating::TeenAndUpAudiences => "teen",
            Rating::Mature => "mature",
            Rating::Explicit => "explicit",
        }
    }
}

/// Characters a tag name may never contain.
pub const FORBIDDEN_TAG_CHARS: [char; 13] = [
    ',', '，', '、', '*', '<', '>', '^', '{', '}', '=', '`', '\\', '%',
];

/// Longest tag name, in characters.
pub const MAX_TAG_NAME_CHARS: usize = 150;

/// Why a tag name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagNameError {
    #[error("a tag name cannot be empty")]
    Empty,
    #[error("tag name is {0} characters long; the limit is {MAX_TAG_NAME_CHARS}")]
    TooLong(usize),
    #[error("tag name {name:?} contains {ch:?}, which tag names cannot contain")]
    ForbiddenChar { name: String, ch: char },
}

/// A valid tag name: trimmed, whitespace collapsed, at most 150 characters,
/// none of [`FORBIDDEN_TAG_CHARS`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TagName(String);

impl TagName {
    /// Validates a name typed by a person.
    pub fn parse(raw: &str) -> Result<TagName, TagNameError> {
        let name = collapse_whitespace(raw);
        if name.is_empty() {
            return Err(TagNameError::Empty);
        }
        if let Some(ch) = name.chars().find(|c| FORBIDDEN_TAG_CHARS.contains(c)) {
            return Err(TagNameError::ForbiddenChar { name, ch });
        }
        let len = name.chars().count();
        if len > MAX_TAG_NAME_CHARS {
            return Err(TagNameError::TooLong(len));
        }
        Ok(TagName(name))
    }

    /// For imported text: drops forbidden characters instead of refusing,
    /// then validates what is left.
    pub fn parse_lenient(raw: &str) -> Result<TagName, TagNameError> {
        let cleaned: String = raw
            .chars()
            .map(|c| {
                if FORBIDDEN_TAG_CHARS.contains(&c) {
                    ' '
                } else {
                    c
                }
            })
            .collect();
        TagName::parse(&cleaned)
    }

    /// The name as shown.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key names are compared by: case-folded, so "Harry Potter" and
    /// "harry potter" are the same tag of a type.
    pub fn key(&self) -> String {
        tag_key(&self.0)
    }
}

impl fmt::Display for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The case-insensitive comparison key of a tag name.
pub fn tag_key(name: &str) -> String {
    collapse_whitespace(name).to_lowercase()
}

fn collapse_whitespace(s: &str) -> String {
    crate::text::clean_line(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Encodes a tag name for the path segment of `/tags/{name}/works` the way
/// AO3 does: `/` → `*s*`, `&` → `*a*`, `.` → `*d*`, `?` → `*q*`, `#` → `*h*`.
/// The result still needs percent-encoding for other reserved characters.
pub fn tag_to_url_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        match c {
            '/' => out.push_str("*s*"),
            '&' => out.push_str("*a*"),
            '.' => out.push_str("*d*"),
            '?' => out.push_str("*q*"),
            '#' => out.push_str("*h*"),
            _ => out.push(c),
        }
    }
    out
}

/// Reverses [`tag_to_url_name`] (after percent-decoding).
pub fn tag_from_url_name(segment: &str) -> String {
    segment
        .replace("*s*", "/")
        .replace("*a*", "&")
        .replace("*d*", ".")
        .replace("*q*", "?")
        .replace("*h*", "#")
}

/// A tag as attached to a work: its type and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Tag {
    pub kind: TagType,
    pub name: TagName,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_collapsed() {
        assert_eq!(
            TagName::parse("  Harry   Potter ").unwrap().as_str(),
            "Harry Potter"
        );
    }

    #[test]
    fn forbidden_characters_are_refused() {
        for c in FORBIDDEN_TAG_CHARS {
            let raw = format!("a{c}b");
            assert!(
                matches!(
                    TagName::parse(&raw),
                    Err(TagNameError::ForbiddenChar { .. })
                ),
                "{raw}"
            );
        }
        assert_eq!(
            TagName::parse_lenient("M*A*S*H").unwrap().as_str(),
            "M A S H"
        );
    }

    #[test]
    fn length_limit_counts_characters_not_bytes() {
        assert!(TagName::parse(&"é".repeat(150)).is_ok());
        assert_eq!(
            TagName::parse(&"é".repeat(151)),
            Err(TagNameError::TooLong(151))
        );
        assert_eq!(TagName::parse("   "), Err(TagNameError::Empty));
    }

    #[test]
    fn keys_ignore_case() {
        assert_eq!(
            TagName::parse("Harry POTTER").unwrap().key(),
            TagName::parse("harry potter").unwrap().key()
        );
        assert_eq!(tag_key("ÉCOLE"), "école");
    }

    #[test]
    fn legacy_ratings_map_to_nearest() {
        assert_eq!(Rating::from_legacy("G"), Rating::GeneralAudiences);
        assert_eq!(Rating::from_legacy("PG"), Rating::TeenAndUpAudiences);
        assert_eq!(Rating::from_legacy("PG-13"), Rating::TeenAndUpAudiences);
        assert_eq!(Rating::from_legacy("pg13"), Rating::TeenAndUpAudiences);
        assert_eq!(Rating::from_legacy("R"), Rating::Mature);
        assert_eq!(Rating::from_legacy("NC-17"), Rating::Explicit);
        assert_eq!(Rating::from_legacy("X"), Rating::Explicit);
        assert_eq!(Rating::from_legacy("xxx"), Rating::Explicit);
        assert_eq!(Rating::from_legacy("Explicit"), Rating::Explicit);
        assert_eq!(
            Rating::from_legacy("teen and up audiences"),
            Rating::TeenAndUpAudiences
        );
        assert_eq!(Rating::from_legacy("whatever"), Rating::NotRated);
        assert_eq!(Rating::from_legacy(""), Rating::NotRated);
    }

    #[test]
    fn url_names_round_trip() {
        let name = "Harry/Draco & Co. ?#";
        let url = tag_to_url_name(name);
        assert_eq!(url, "Harry*s*Draco *a* Co*d* *q**h*");
        assert_eq!(tag_from_url_name(&url), name);
    }

    #[test]
    fn tag_types_round_trip() {
        for t in TagType::ALL {
            assert_eq!(TagType::parse(t.as_str()), Some(t));
        }
    }
}
