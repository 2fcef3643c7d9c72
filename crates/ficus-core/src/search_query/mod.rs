//! The `/works/search` box: AO3-like query syntax → a typed [`SearchQuery`].
//!
//! [`parse`] never panics; anything it cannot make sense of is a
//! [`QueryError`] whose `Display` text is meant to be shown on the page.
//!
//! # Syntax
//!
//! | Typed | Meaning |
//! |---|---|
//! | `dragon fire` | both words (terms separated by whitespace are ANDed) |
//! | `"slow burn"` | the phrase: its words, in order |
//! | `enemies OR rivals`, `enemies \|\| rivals` | either one; binds tighter than AND |
//! | `-angst`, `-"love triangle"`, `-crossover:yes` | must not match |
//! | `title:dragon`, `summary:"found family"` | a word or phrase in one text field |
//! | `tag:Angst`, `fandom:"Star Wars"` | an exact tag name (not full text) |
//! | `rating:explicit` | the rating, as typed |
//! | `words>10k`, `kudos:100-500`, `hits:1,000..` | a number range |
//! | `posted>2020-01-01`, `updated>2w`, `updated:2020-01-01..2020-12-31` | a date range |
//! | `complete:yes`, `crossover:no`, `oneshot:true`, `restricted:f` | a yes/no field |
//! | `language:en`, `lang:"Português Brasileiro"` | the language, as typed |
//! | `sort:kudos`, `sort:title:desc` | the order of results (only the last `sort:` counts) |
//!
//! # Terms
//!
//! - Terms are separated by whitespace (and control characters) and ANDed.
//! - `OR` (uppercase only; `or` is an ordinary word) and `||` (with or
//!   without spaces around it) join the terms on either side into one
//!   [`Alternatives`] group: `a b OR c d` is `a AND (b OR c) AND d`. `OR` at
//!   either end, doubled, or next to a `sort:` is [`QueryError::DanglingOr`].
//! - A leading `-` excludes the term (word, phrase or `field:value`). An
//!   excluded term cannot be an OR alternative
//!   ([`QueryError::NegatedAlternative`]), and a `-` with nothing to exclude
//!   is [`QueryError::EmptyExclusion`]. Only the first `-` negates: `--a`
//!   excludes `a`. A hyphen inside a word (`slow-burn`) is part of it.
//! - Words are lowercased and stripped of leading and trailing characters
//!   that are neither letters nor digits (`Hello,` → `hello`, `don't` stays
//!   `don't`); the index tokenizer does the rest. A word with no letter or
//!   digit at all (`...`, `🎉`) is dropped silently, as is an empty phrase
//!   (`""`). Dropped terms are removed before `OR` is considered, so
//!   `a OR !!! b` is `a OR b`.
//! - A `"` opens a quoted part only at the start of a term (after any `-`)
//!   or right after a colon (`fandom:"Star Wars"`); it runs to the next `"`
//!   ([`QueryError::UnclosedQuote`] if there is none), and the closing quote
//!   ends the term. A `"` anywhere else is an ordinary character, so
//!   `12" tall` is two words. Quotes cannot be escaped.
//!
//! # Fields
//!
//! Field names are case-insensitive. A `name:` whose name is not one of these
//! is **not** an error: the whole thing is plain text (`Re:Zero` is the word
//! `re:zero`, `foo:"bar baz"` the phrase `foo:bar baz`), because readers
//! type colons in titles. A known field with nothing after it (`title:`) is
//! [`QueryError::EmptyValue`].
//!
//! - Text ([`Term::Word`] / [`Term::Phrase`] with a field): `title`;
//!   `creator`, `creators`, `author`, `authors`, `by`; `summary`; `notes`;
//!   `tags` (full text of the tags); `text`, `body`, `content`; `series`.
//! - Exact tag names ([`Term::TagName`]): `tag` (any type); `fandom`;
//!   `character`; `relationship`, `ship`; `freeform`, `additional`;
//!   `warning`; `category`. Note `tag:` is exact while `tags:` is full text.
//! - `rating` ([`Term::Rating`]), `language`/`lang` ([`Term::Language`]).
//! - Numbers ([`Term::Range`]): `words`, `word_count`; `kudos`,
//!   `kudos_count`; `hits`; `comments`, `comments_count`; `bookmarks`,
//!   `bookmarks_count`; `chapters`.
//! - Dates ([`Term::DateRange`]): `posted`, `published`, `created`,
//!   `created_at`; `updated`, `revised`, `revised_at`.
//! - Yes/no ([`Term::Flag`]): `complete`; `crossover`; `single_chapter`,
//!   `oneshot`; `restricted`. Values: `true`/`false`, `yes`/`no`, `t`/`f`,
//!   `y`/`n`, `1`/`0`.
//! - `sort` (see [`SortColumn::from_query_word`] and [`SortDirection::parse`]).
//!
//! Only number and date fields take `>`, `>=`, `<`, `<=` (also written after
//! the colon, AO3 style: `kudos:>100`); `title>x` is
//! [`QueryError::BadComparison`].
//!
//! # Numbers
//!
//! `words>1000` (lo 1001), `words>=1000`, `words<1000` (hi 999),
//! `words<=1000`, `words:1000` (exactly), `words:100-500` or
//! `words:100..500` (inclusive), `words:1000-` / `words:..500` (open-ended).
//! Numbers may use thousands separators in groups of three (`1,000`) and a
//! `k` or `m` suffix, with decimals only before a suffix (`10k`, `1.5k`,
//! `2m`). A comparison no count can satisfy (`kudos<0`,
//! `words>18446744073709551615`) gives the empty range `lo 1, hi 0`. A
//! reversed range (`hits:500-100`) is kept as typed and matches nothing.
//!
//! # Dates
//!
//! Absolute dates are `YYYY-MM-DD` (four-digit year; month and day are
//! validated, leap years included). Comparisons are strict like numbers:
//! `posted>2020-01-01` starts on 2020-01-02, `posted<=2020-01-01` ends on
//! 2020-01-01; `posted:2020-01-01` is that one day and
//! `posted:2020-01-01..2020-12-31` an inclusive range (ranges use `..`
//! because dates contain `-`).
//!
//! Relative dates are ages: `Nd` days, `Nw` weeks, `Nm` months (30 days),
//! `Ny` years (365 days), stored as [`DateBound::DaysAgo`] for the caller to
//! resolve against today. `updated>2w` means "updated within the last two
//! weeks" (lo = 14 days ago), `updated<2w` "last updated more than two
//! weeks ago" (hi = 14 days ago); a relative bound is inclusive whichever
//! operator is used. `updated:2w` is the same as `updated>2w`, and
//! `updated:30d..7d` means between 30 and 7 days ago.
//!
//! # Limits
//!
//! At most [`MAX_QUERY_CHARS`] characters (after trimming) and
//! [`MAX_TERMS`] terms.

use chrono::{Days, NaiveDate};

use crate::tag::TagType;

mod fields;
mod lexer;
mod ranges;
mod sort;
#[cfg(test)]
mod tests;

pub use sort::{SortColumn, SortDirection};

use fields::parse_chunk;
use lexer::{Token, tokenize};

/// Longest query accepted, in characters, after trimming surrounding whitespace.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// Most terms one query may hold, counting every OR alternative and every
/// exclusion (`sort:` and dropped words do not count).
pub const MAX_TERMS: usize = 64;

// ---------------------------------------------------------------------------
// Fields and terms
// ---------------------------------------------------------------------------

/// Numeric fields that accept ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NumericField {
    /// Word count (`words:`, `word_count:`).
    Words,
    /// Kudos (`kudos:`, `kudos_count:`).
    Kudos,
    /// Hits (`hits:`).
    Hits,
    /// Comments (`comments:`, `comments_count:`).
    Comments,
    /// Bookmarks (`bookmarks:`, `bookmarks_count:`).
    Bookmarks,
    /// Chapters posted so far (`chapters:`).
    Chapters,
}

/// Date fields that accept ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateField {
    /// When the work was first posted (`posted:`, `published:`, `created:`, `created_at:`).
    Posted,
    /// When the work was last updated (`updated:`, `revised:`, `revised_at:`).
    Updated,
}

/// Text fields a word or phrase can be restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextField {
    /// `title:`.
    Title,
    /// `creator:`, `creators:`, `author:`, `authors:`, `by:`.
    Creators,
    /// `summary:`.
    Summary,
    /// `notes:`.
    Notes,
    /// `tags:` — the full text of every tag (unlike the exact `tag:`).
    Tags,
    /// `text:`, `body:`, `content:` — the chapter text.
    Body,
    /// `series:` — the titles of the series the work belongs to.
    Series,
}

/// Yes/no fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlagField {
    /// `complete:` — the work is finished.
    Complete,
    /// `crossover:` — the work has more than one fandom.
    Crossover,
    /// `single_chapter:`, `oneshot:` — the work has exactly one chapter.
    SingleChapter,
    /// `restricted:` — only logged-in readers can see the work.
    Restricted,
}

/// One end of a date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateBound {
    /// A calendar date.
    Absolute(NaiveDate),
    /// The day this many days before today (`2w` is 14, `1m` 30, `1y` 365);
    /// the caller resolves it, see [`DateBound::resolve`].
    DaysAgo(u32),
}

impl DateBound {
    /// The date this bound stands for when today is `today`. An age reaching
    /// further back than chrono can represent resolves to [`NaiveDate::MIN`].
    pub fn resolve(self, today: NaiveDate) -> NaiveDate {
        match self {
            DateBound::Absolute(date) => date,
            DateBound::DaysAgo(days) => today
                .checked_sub_days(Days::new(u64::from(days)))
                .unwrap_or(NaiveDate::MIN),
        }
    }
}

/// One search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    /// A word (lowercased, trimmed of surrounding punctuation), searched in
    /// every text field (title, creators, summary, notes, tags, body); or
    /// only in `field` when given (`title:dragon`).
    Word {
        /// The one field to search, or `None` for all of them.
        field: Option<TextField>,
        /// The word.
        word: String,
    },
    /// A quoted phrase: its words in order, each normalized like
    /// [`Term::Word`]'s. In every text field, or only `field`
    /// (`summary:"found family"`). Never empty.
    Phrase {
        /// The one field to search, or `None` for all of them.
        field: Option<TextField>,
        /// The words, in order.
        words: Vec<String>,
    },
    /// An inclusive range on a number: `words>1000` is lo 1001, `kudos<10`
    /// hi 9, `words>=5` lo 5, `hits:100-500` lo 100 hi 500, `kudos:5` lo = hi
    /// = 5, `words:1000-` lo 1000 only. A range with lo > hi matches nothing.
    Range {
        /// The number compared.
        field: NumericField,
        /// Smallest value allowed, if any.
        lo: Option<u64>,
        /// Largest value allowed, if any.
        hi: Option<u64>,
    },
    /// An inclusive date range: `posted>2020-01-01`, `updated<2021-06-30`,
    /// `updated:2020-01-01..2020-12-31`, or relative `updated>2w` (see the
    /// module docs for the semantics). `lo` is always the older end.
    DateRange {
        /// The date compared.
        field: DateField,
        /// Earliest date allowed, if any.
        lo: Option<DateBound>,
        /// Latest date allowed, if any.
        hi: Option<DateBound>,
    },
    /// A yes/no field: `complete:yes`, `crossover:false`, `oneshot:t`,
    /// `restricted:no`.
    Flag {
        /// The field.
        field: FlagField,
        /// The value asked for.
        value: bool,
    },
    /// `language:xx` / `lang:xx`: the value as typed (trimmed, inner
    /// whitespace collapsed); the caller matches it against language names
    /// and codes.
    Language(String),
    /// `rating:explicit`, `rating:"general audiences"`: the value as typed
    /// (trimmed, inner whitespace collapsed); the caller maps it to a rating
    /// tag. `rating:` always produces this variant, never a [`Term::TagName`].
    Rating(String),
    /// An exact tag-name filter (not full text): `tag:Angst` (any type,
    /// `kind` None), `fandom:"Star Wars"`, `character:`, `relationship:` /
    /// `ship:`, `freeform:` / `additional:`, `warning:`
    /// ([`TagType::ArchiveWarning`]), `category:`. The name is as typed
    /// (case kept, trimmed, inner whitespace collapsed); `kind` is never
    /// [`TagType::Rating`], see [`Term::Rating`].
    TagName {
        /// The tag type, or `None` for `tag:`.
        kind: Option<TagType>,
        /// The tag name.
        name: String,
    },
}

/// A group of alternatives (`a OR b || c`), any of which may match; a group
/// of one is a plain term. Never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternatives(pub Vec<Term>);

/// A parsed query: every `must` group must match (AND), no `must_not` term
/// may match.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchQuery {
    /// Groups that must all match; within a group, any one term suffices.
    pub must: Vec<Alternatives>,
    /// Terms none of which may match.
    pub must_not: Vec<Term>,
    /// The last `sort:` given: the column and the direction if one was typed.
    pub sort: Option<(SortColumn, Option<SortDirection>)>,
}

impl SearchQuery {
    /// Whether nothing that matters was typed: no terms and no `sort:`.
    pub fn is_empty(&self) -> bool {
        !self.has_terms() && self.sort.is_none()
    }

    /// Whether the query restricts the results at all (has a term in
    /// `must` or `must_not`).
    pub fn has_terms(&self) -> bool {
        !self.must.is_empty() || !self.must_not.is_empty()
    }

    /// Requires `text` as one phrase in `field` (an advanced-search box:
    /// title, creators), as `field:"text"` would; nothing when `text` has
    /// no word.
    pub fn require_phrase(&mut self, field: TextField, text: &str) {
        let text = text.replace('"', " ");
        let words: Vec<String> = text
            .split(lexer::is_separator)
            .filter_map(lexer::normalize_word)
            .collect();
        if !words.is_empty() {
            self.must.push(Alternatives(vec![Term::Phrase {
                field: Some(field),
                words,
            }]));
        }
    }

    /// Requires the rating named `text` (the advanced-search choice), as
    /// `rating:"text"` would; nothing when `text` is blank.
    pub fn require_rating(&mut self, text: &str) {
        let value = lexer::collapse_whitespace(&text.replace('"', " "));
        if !value.is_empty() {
            self.must.push(Alternatives(vec![Term::Rating(value)]));
        }
    }

    /// The `sort:` given, with the column's default direction filled in
    /// when none was typed.
    pub fn effective_sort(&self) -> Option<(SortColumn, SortDirection)> {
        self.sort
            .map(|(column, dir)| (column, dir.unwrap_or_else(|| column.default_direction())))
    }
}

/// What is wrong with a query, worded for the reader (`Display` is the
/// message shown on the page).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// A `"` with no closing `"`.
    #[error("a quotation mark is opened but never closed")]
    UnclosedQuote,
    /// `OR`/`||` at the start or end, doubled, or next to a `sort:`.
    #[error("OR must stand between two search terms, as in: enemies OR rivals")]
    DanglingOr,
    /// A `-` with nothing (or only punctuation) after it.
    #[error("a minus sign must be followed by what to leave out, as in -angst")]
    EmptyExclusion,
    /// An excluded term joined to others by OR (`a OR -b`, `-a OR b`).
    #[error("a term joined by OR cannot be excluded with a minus sign; exclude it on its own")]
    NegatedAlternative,
    /// `-sort:…`.
    #[error(
        "sort: cannot take a minus sign; write sort:kudos:asc or sort:kudos:desc to choose the order"
    )]
    NegatedSort,
    /// `sort:X` with an `X` that is not a column.
    #[error(
        "cannot sort by “{0}”; try sort:kudos, sort:hits, sort:words, sort:updated, sort:posted, sort:title or sort:creator"
    )]
    UnknownSort(String),
    /// `sort:X:D` with a `D` that is neither `asc` nor `desc`.
    #[error("“{0}” is not a sort order; use asc or desc, as in sort:kudos:asc")]
    UnknownSortDirection(String),
    /// A number field's value is not a number or range, or overflows.
    #[error(
        "“{value}” is not a number {field} understands; try {field}>1000, {field}<10k or {field}:100-500"
    )]
    BadNumber {
        /// The field name as typed.
        field: String,
        /// The value as typed.
        value: String,
    },
    /// A date field's value is not a valid date, age or range.
    #[error(
        "“{value}” is not a date {field} understands; use a date like 2021-06-30 or an age like 30d, 2w, 6m or 1y"
    )]
    BadDate {
        /// The field name as typed.
        field: String,
        /// The value as typed.
        value: String,
    },
    /// A yes/no field's value is neither yes nor no.
    #[error("{field}: takes yes or no, not “{value}”")]
    BadFlag {
        /// The field name as typed.
        field: String,
        /// The value as typed.
        value: String,
    },
    /// `<` or `>` after a field that is neither a number nor a date.
    #[error("{field} cannot be compared with < or >; write {field}:something")]
    BadComparison {
        /// The field name as typed.
        field: String,
    },
    /// A known field with nothing after it (`title:`, `words>`, `fandom:""`);
    /// holds the field name as typed.
    #[error("{0} needs a value after it, as in {0}:something")]
    EmptyValue(String),
    /// More than [`MAX_QUERY_CHARS`] characters.
    #[error("the search is too long; the limit is {MAX_QUERY_CHARS} characters")]
    TooLong,
    /// More than [`MAX_TERMS`] terms.
    #[error("the search has too many terms; the limit is {MAX_TERMS}")]
    TooManyTerms,
}

// ---------------------------------------------------------------------------
// Parsing: the whole query
// ---------------------------------------------------------------------------

/// What one chunk turned out to be.
#[derive(Debug)]
enum Parsed {
    /// A search term.
    Term(Term),
    /// A `sort:` directive.
    Sort(SortColumn, Option<SortDirection>),
    /// Nothing searchable (punctuation only, an empty phrase).
    Nothing,
}

/// Parses `input` (see the module docs for the syntax). Never panics.
pub fn parse(input: &str) -> Result<SearchQuery, QueryError> {
    /// What the previous meaningful token was, for the OR and `-` rules.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Prev {
        Start,
        Positive,
        Negative,
        Sort,
        Or,
    }

    let input = input.trim();
    if input.chars().count() > MAX_QUERY_CHARS {
        return Err(QueryError::TooLong);
    }
    let tokens = tokenize(input)?;

    let mut query = SearchQuery::default();
    let mut prev = Prev::Start;
    let mut term_count = 0usize;
    for token in tokens {
        let chunk = match token {
            Token::Or => {
                prev = match prev {
                    Prev::Positive => Prev::Or,
                    Prev::Negative => return Err(QueryError::NegatedAlternative),
                    Prev::Start | Prev::Sort | Prev::Or => return Err(QueryError::DanglingOr),
                };
                continue;
            }
            Token::Chunk(chunk) => chunk,
        };
        match (parse_chunk(&chunk)?, chunk.negated) {
            (Parsed::Nothing, false) => {}
            (Parsed::Nothing, true) => return Err(QueryError::EmptyExclusion),
            (Parsed::Sort(..), true) => return Err(QueryError::NegatedSort),
            (Parsed::Sort(column, direction), false) => {
                if prev == Prev::Or {
                    return Err(QueryError::DanglingOr);
                }
                query.sort = Some((column, direction));
                prev = Prev::Sort;
            }
            (Parsed::Term(term), negated) => {
                term_count += 1;
                if term_count > MAX_TERMS {
                    return Err(QueryError::TooManyTerms);
                }
                if negated {
                    if prev == Prev::Or {
                        return Err(QueryError::NegatedAlternative);
                    }
                    query.must_not.push(term);
                    prev = Prev::Negative;
                } else {
                    let joined = if prev == Prev::Or {
                        query.must.last_mut()
                    } else {
                        None
                    };
                    match joined {
                        Some(group) => group.0.push(term),
                        None => query.must.push(Alternatives(vec![term])),
                    }
                    prev = Prev::Positive;
                }
            }
        }
    }
    if prev == Prev::Or {
        return Err(QueryError::DanglingOr);
    }
    Ok(query)
}
