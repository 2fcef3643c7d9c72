//! Interpreting one chunk: known field names, the `name:…` / `name>…` forms,
//! and the terms they build.

use super::lexer::{Chunk, collapse_whitespace, is_separator, normalize_word};
use super::ranges::{Cmp, count_bounds, date_bounds};
use super::sort::parse_sort;
use super::{DateField, FlagField, NumericField, Parsed, QueryError, Term, TextField};
use crate::tag::TagType;

/// What a known field name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Text(TextField),
    Tag(Option<TagType>),
    Rating,
    Language,
    Numeric(NumericField),
    Date(DateField),
    Flag(FlagField),
    Sort,
}

impl Field {
    /// Looks a field name up, case-insensitively.
    fn lookup(name: &str) -> Option<Field> {
        let key = name.to_ascii_lowercase();
        let field = match key.as_str() {
            "title" => Field::Text(TextField::Title),
            "creator" | "creators" | "author" | "authors" | "by" => {
                Field::Text(TextField::Creators)
            }
            "summary" => Field::Text(TextField::Summary),
            "notes" => Field::Text(TextField::Notes),
            "tags" => Field::Text(TextField::Tags),
            "text" | "body" | "content" => Field::Text(TextField::Body),
            "series" => Field::Text(TextField::Series),
            "tag" => Field::Tag(None),
            "fandom" => Field::Tag(Some(TagType::Fandom)),
            "character" => Field::Tag(Some(TagType::Character)),
            "relationship" | "ship" => Field::Tag(Some(TagType::Relationship)),
            "freeform" | "additional" => Field::Tag(Some(TagType::Freeform)),
            "warning" => Field::Tag(Some(TagType::ArchiveWarning)),
            "category" => Field::Tag(Some(TagType::Category)),
            "rating" => Field::Rating,
            "language" | "lang" => Field::Language,
            "words" | "word_count" => Field::Numeric(NumericField::Words),
            "kudos" | "kudos_count" => Field::Numeric(NumericField::Kudos),
            "hits" => Field::Numeric(NumericField::Hits),
            "comments" | "comments_count" => Field::Numeric(NumericField::Comments),
            "bookmarks" | "bookmarks_count" => Field::Numeric(NumericField::Bookmarks),
            "chapters" => Field::Numeric(NumericField::Chapters),
            "posted" | "published" | "created" | "created_at" => Field::Date(DateField::Posted),
            "updated" | "revised" | "revised_at" => Field::Date(DateField::Updated),
            "complete" => Field::Flag(FlagField::Complete),
            "crossover" => Field::Flag(FlagField::Crossover),
            "single_chapter" | "oneshot" => Field::Flag(FlagField::SingleChapter),
            "restricted" => Field::Flag(FlagField::Restricted),
            "sort" => Field::Sort,
            _ => return None,
        };
        Some(field)
    }

    /// Whether the field takes `<` and `>`.
    fn compares(self) -> bool {
        matches!(self, Field::Numeric(_) | Field::Date(_))
    }
}

/// A chunk head that looks like `name:…`, `name>…`, `name:<=…`.
#[derive(Debug, Clone, Copy)]
struct FieldForm<'a> {
    /// The name as typed.
    name: &'a str,
    /// A colon followed the name.
    colon: bool,
    /// Everything after the name and the colon, if any.
    after_colon: &'a str,
    /// The comparison after the name (and colon), if any.
    cmp: Option<Cmp>,
    /// Everything after the comparison (equal to `after_colon` without one).
    after_cmp: &'a str,
}

/// Splits `head` into a field form, if it has that shape: an ASCII letter,
/// then letters, digits or `_`, then `:` and/or a comparison.
fn split_field(head: &str) -> Option<FieldForm<'_>> {
    let name_end = head
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(head.len());
    let name = &head[..name_end];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let rest = &head[name_end..];
    let (colon, after_colon) = match rest.strip_prefix(':') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let (cmp, after_cmp) = if let Some(r) = after_colon.strip_prefix(">=") {
        (Some(Cmp::Ge), r)
    } else if let Some(r) = after_colon.strip_prefix("<=") {
        (Some(Cmp::Le), r)
    } else if let Some(r) = after_colon.strip_prefix('>') {
        (Some(Cmp::Gt), r)
    } else if let Some(r) = after_colon.strip_prefix('<') {
        (Some(Cmp::Lt), r)
    } else {
        (None, after_colon)
    };
    if !colon && cmp.is_none() {
        return None;
    }
    Some(FieldForm {
        name,
        colon,
        after_colon,
        cmp,
        after_cmp,
    })
}

/// Interprets one chunk.
pub(super) fn parse_chunk(chunk: &Chunk) -> Result<Parsed, QueryError> {
    if let Some(form) = split_field(&chunk.head)
        && let Some(field) = Field::lookup(form.name)
    {
        return parse_field(field, &form, chunk.quoted.as_deref());
    }
    // Plain text, including unknown `name:value` forms.
    Ok(match &chunk.quoted {
        None => word_term(None, &chunk.head),
        Some(quoted) => phrase_term(None, &format!("{}{quoted}", chunk.head)),
    })
}

/// Interprets `field…value` for a known field.
fn parse_field(
    field: Field,
    form: &FieldForm<'_>,
    quoted: Option<&str>,
) -> Result<Parsed, QueryError> {
    let name = form.name;
    let raw = if field.compares() {
        form.after_cmp
    } else if form.colon {
        // `title:>_<` is the text `>_<`; only `title>x` is refused.
        form.after_colon
    } else {
        return Err(QueryError::BadComparison {
            field: name.to_owned(),
        });
    };
    let value = match quoted {
        Some(q) => format!("{raw}{q}"),
        None => raw.to_owned(),
    };
    let value = value.trim_matches(is_separator);
    if value.is_empty() {
        return Err(QueryError::EmptyValue(name.to_owned()));
    }
    let parsed = match field {
        Field::Text(text_field) => {
            if quoted.is_some() {
                phrase_term(Some(text_field), value)
            } else {
                word_term(Some(text_field), value)
            }
        }
        Field::Tag(kind) => Parsed::Term(Term::TagName {
            kind,
            name: collapse_whitespace(value),
        }),
        Field::Rating => Parsed::Term(Term::Rating(collapse_whitespace(value))),
        Field::Language => Parsed::Term(Term::Language(collapse_whitespace(value))),
        Field::Numeric(numeric_field) => {
            let (lo, hi) = count_bounds(form.cmp, value).ok_or_else(|| QueryError::BadNumber {
                field: name.to_owned(),
                value: value.to_owned(),
            })?;
            Parsed::Term(Term::Range {
                field: numeric_field,
                lo,
                hi,
            })
        }
        Field::Date(date_field) => {
            let (lo, hi) = date_bounds(form.cmp, value).ok_or_else(|| QueryError::BadDate {
                field: name.to_owned(),
                value: value.to_owned(),
            })?;
            Parsed::Term(Term::DateRange {
                field: date_field,
                lo,
                hi,
            })
        }
        Field::Flag(flag_field) => {
            let flag = parse_flag(value).ok_or_else(|| QueryError::BadFlag {
                field: name.to_owned(),
                value: value.to_owned(),
            })?;
            Parsed::Term(Term::Flag {
                field: flag_field,
                value: flag,
            })
        }
        Field::Sort => parse_sort(value)?,
    };
    Ok(parsed)
}

/// A word term, or nothing when the word is all punctuation.
fn word_term(field: Option<TextField>, raw: &str) -> Parsed {
    match normalize_word(raw) {
        Some(word) => Parsed::Term(Term::Word { field, word }),
        None => Parsed::Nothing,
    }
}

/// A phrase term from the text between quotes, or nothing when no word is left.
fn phrase_term(field: Option<TextField>, raw: &str) -> Parsed {
    let words: Vec<String> = raw.split(is_separator).filter_map(normalize_word).collect();
    if words.is_empty() {
        Parsed::Nothing
    } else {
        Parsed::Term(Term::Phrase { field, words })
    }
}

/// Parses a yes/no value.
fn parse_flag(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "t" | "y" | "1" => Some(true),
        "false" | "no" | "f" | "n" | "0" => Some(false),
        _ => None,
    }
}
