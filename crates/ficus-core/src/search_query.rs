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

/// Longest query accepted, in characters, after trimming surrounding whitespace.
pub const MAX_QUERY_CHARS: usize = 1_000;

/// Most terms one query may hold, counting every OR alternative and every
/// exclusion (`sort:` and dropped words do not count).
pub const MAX_TERMS: usize = 64;

// ---------------------------------------------------------------------------
// Sorting
// ---------------------------------------------------------------------------

/// Columns a listing can be sorted by (AO3's parameter names in comments).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortColumn {
    /// Relevance to the query (`_score`).
    BestMatch,
    /// Creator name (`authors_to_sort_on`).
    Creator,
    /// Title (`title_to_sort_on`).
    Title,
    /// Date first posted (`created_at`).
    Posted,
    /// Date last updated (`revised_at`).
    Updated,
    /// Word count (`word_count`).
    Words,
    /// Hits (`hits`).
    Hits,
    /// Kudos (`kudos_count`).
    Kudos,
    /// Comments (`comments_count`).
    Comments,
    /// Bookmarks (`bookmarks_count`).
    Bookmarks,
}

impl SortColumn {
    /// Every column, in the order AO3's sort menu lists them.
    pub const ALL: [SortColumn; 10] = [
        SortColumn::BestMatch,
        SortColumn::Creator,
        SortColumn::Title,
        SortColumn::Posted,
        SortColumn::Updated,
        SortColumn::Words,
        SortColumn::Hits,
        SortColumn::Kudos,
        SortColumn::Comments,
        SortColumn::Bookmarks,
    ];

    /// AO3's `sort_column` parameter value.
    pub fn ao3_param(self) -> &'static str {
        match self {
            SortColumn::BestMatch => "_score",
            SortColumn::Creator => "authors_to_sort_on",
            SortColumn::Title => "title_to_sort_on",
            SortColumn::Posted => "created_at",
            SortColumn::Updated => "revised_at",
            SortColumn::Words => "word_count",
            SortColumn::Hits => "hits",
            SortColumn::Kudos => "kudos_count",
            SortColumn::Comments => "comments_count",
            SortColumn::Bookmarks => "bookmarks_count",
        }
    }

    /// Parses [`SortColumn::ao3_param`] output (exactly, case-sensitively).
    pub fn from_ao3_param(s: &str) -> Option<SortColumn> {
        SortColumn::ALL.into_iter().find(|c| c.ao3_param() == s)
    }

    /// The name shown in the sort menu.
    pub fn label(self) -> &'static str {
        match self {
            SortColumn::BestMatch => "Best Match",
            SortColumn::Creator => "Creator",
            SortColumn::Title => "Title",
            SortColumn::Posted => "Date Posted",
            SortColumn::Updated => "Date Updated",
            SortColumn::Words => "Word Count",
            SortColumn::Hits => "Hits",
            SortColumn::Kudos => "Kudos",
            SortColumn::Comments => "Comments",
            SortColumn::Bookmarks => "Bookmarks",
        }
    }

    /// Parses the `X` of `sort:X`, case-insensitively: `score`, `relevance`,
    /// `best`; `creator`, `creators`, `author`; `title`; `posted`,
    /// `published`, `created`; `updated`, `revised`; `words`, `word_count`;
    /// `hits`; `kudos`; `comments`; `bookmarks`. AO3's parameter names
    /// ([`SortColumn::ao3_param`]) are accepted too.
    pub fn from_query_word(s: &str) -> Option<SortColumn> {
        let key = s.trim().to_ascii_lowercase();
        let column = match key.as_str() {
            "score" | "relevance" | "best" => SortColumn::BestMatch,
            "creator" | "creators" | "author" => SortColumn::Creator,
            "title" => SortColumn::Title,
            "posted" | "published" | "created" => SortColumn::Posted,
            "updated" | "revised" => SortColumn::Updated,
            "words" | "word_count" => SortColumn::Words,
            "hits" => SortColumn::Hits,
            "kudos" => SortColumn::Kudos,
            "comments" => SortColumn::Comments,
            "bookmarks" => SortColumn::Bookmarks,
            other => return SortColumn::from_ao3_param(other),
        };
        Some(column)
    }

    /// The direction used when none is given: ascending for Creator and
    /// Title (A to Z), descending (most first, newest first) for the rest.
    pub fn default_direction(self) -> SortDirection {
        match self {
            SortColumn::Creator | SortColumn::Title => SortDirection::Asc,
            _ => SortDirection::Desc,
        }
    }
}

/// Which way a listing is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortDirection {
    /// Smallest, oldest or A first.
    Asc,
    /// Largest, newest or Z first.
    Desc,
}

impl SortDirection {
    /// AO3's `sort_direction` parameter value: `asc` or `desc`.
    pub fn param(self) -> &'static str {
        match self {
            SortDirection::Asc => "asc",
            SortDirection::Desc => "desc",
        }
    }

    /// Parses `asc`/`ascending` or `desc`/`descending`, case-insensitively.
    pub fn parse(s: &str) -> Option<SortDirection> {
        match s.trim().to_ascii_lowercase().as_str() {
            "asc" | "ascending" => Some(SortDirection::Asc),
            "desc" | "descending" => Some(SortDirection::Desc),
            _ => None,
        }
    }

    /// The other direction.
    pub fn reversed(self) -> SortDirection {
        match self {
            SortDirection::Asc => SortDirection::Desc,
            SortDirection::Desc => SortDirection::Asc,
        }
    }
}

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

// ---------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------

/// A piece of the query before interpretation.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// `OR` or `||`.
    Or,
    /// Anything else.
    Chunk(Chunk),
}

/// One whitespace-separated term as typed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Chunk {
    /// It began with `-`.
    negated: bool,
    /// The unquoted text after any `-` (for `field:"x"`, the `field:` part).
    head: String,
    /// The text between quotes, when the term had a quoted part.
    quoted: Option<String>,
}

/// Whitespace and control characters (NUL, tabs…) separate terms.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || c.is_control()
}

/// Splits the query into `OR`s and chunks, resolving quotes.
fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let is_double_bar = |i: usize| chars.get(i) == Some(&'|') && chars.get(i + 1) == Some(&'|');
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_separator(chars[i]) {
            i += 1;
            continue;
        }
        if is_double_bar(i) {
            tokens.push(Token::Or);
            i += 2;
            continue;
        }
        let mut chunk = Chunk::default();
        if chars[i] == '-' {
            chunk.negated = true;
            i += 1;
        }
        while i < chars.len() && !is_separator(chars[i]) && !is_double_bar(i) {
            let c = chars[i];
            if c == '"' && (chunk.head.is_empty() || chunk.head.ends_with(':')) {
                let start = i + 1;
                let rest = chars.get(start..).unwrap_or(&[]);
                let Some(len) = rest.iter().position(|&q| q == '"') else {
                    return Err(QueryError::UnclosedQuote);
                };
                chunk.quoted = Some(rest[..len].iter().collect());
                // The closing quote ends the chunk.
                i = start + len + 1;
                break;
            }
            chunk.head.push(c);
            i += 1;
        }
        if !chunk.negated && chunk.quoted.is_none() && chunk.head == "OR" {
            tokens.push(Token::Or);
        } else {
            tokens.push(Token::Chunk(chunk));
        }
    }
    Ok(tokens)
}

// ---------------------------------------------------------------------------
// Term parsing
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

/// A comparison operator after a field name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Gt,
    Ge,
    Lt,
    Le,
}

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
fn parse_chunk(chunk: &Chunk) -> Result<Parsed, QueryError> {
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

/// Lowercases a word and trims what is neither a letter nor a digit from its
/// ends (keeping combining marks at the end, so a decomposed `é` survives).
/// `None` when nothing is left.
fn normalize_word(raw: &str) -> Option<String> {
    let word = raw
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_end_matches(|c: char| !c.is_alphanumeric() && !is_combining_mark(c));
    if word.is_empty() {
        None
    } else {
        Some(word.to_lowercase())
    }
}

/// Combining marks and other non-letter parts of words in common scripts
/// (an approximation of Unicode category M; std has no category tables).
fn is_combining_mark(c: char) -> bool {
    matches!(
        u32::from(c),
        0x0300..=0x036F // combining diacritical marks
            | 0x0483..=0x0489 // Cyrillic
            | 0x0591..=0x05BD | 0x05BF | 0x05C1..=0x05C2 | 0x05C4..=0x05C5 | 0x05C7 // Hebrew
            | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 // Arabic
            | 0x06D6..=0x06DC | 0x06DF..=0x06E4 | 0x06E7..=0x06E8 | 0x06EA..=0x06ED
            | 0x0900..=0x0963 | 0x0966..=0x0DFF // Indic scripts, minus the dandas
            | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E // Thai
            | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF // more diacritics
            | 0x302A..=0x302F | 0x3099..=0x309A // CJK tone marks, kana voicing
            | 0xFE20..=0xFE2F // half marks
    )
}

/// Trims and collapses runs of whitespace to one space.
fn collapse_whitespace(s: &str) -> String {
    s.split(is_separator)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses a yes/no value.
fn parse_flag(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "yes" | "t" | "y" | "1" => Some(true),
        "false" | "no" | "f" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// Parses the value of `sort:`: `column` or `column:direction`.
fn parse_sort(value: &str) -> Result<Parsed, QueryError> {
    let (column, direction) = match value.split_once(':') {
        Some((column, direction)) => (column, Some(direction)),
        None => (value, None),
    };
    let column = SortColumn::from_query_word(column)
        .ok_or_else(|| QueryError::UnknownSort(column.to_owned()))?;
    let direction = direction
        .map(|d| {
            SortDirection::parse(d).ok_or_else(|| QueryError::UnknownSortDirection(d.to_owned()))
        })
        .transpose()?;
    Ok(Parsed::Sort(column, direction))
}

// ---------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------

/// The canonical range no count can satisfy.
const EMPTY_COUNT_RANGE: (Option<u64>, Option<u64>) = (Some(1), Some(0));

/// The bounds of a number field's value; `None` when the value is malformed.
fn count_bounds(cmp: Option<Cmp>, value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let bounds = match cmp {
        Some(Cmp::Gt) => match parse_count(value)?.checked_add(1) {
            Some(lo) => (Some(lo), None),
            None => EMPTY_COUNT_RANGE,
        },
        Some(Cmp::Ge) => (Some(parse_count(value)?), None),
        Some(Cmp::Lt) => match parse_count(value)?.checked_sub(1) {
            Some(hi) => (None, Some(hi)),
            None => EMPTY_COUNT_RANGE,
        },
        Some(Cmp::Le) => (None, Some(parse_count(value)?)),
        None => match value.split_once("..").or_else(|| value.split_once('-')) {
            Some((lo, hi)) => {
                let lo = optional(lo, parse_count)?;
                let hi = optional(hi, parse_count)?;
                if lo.is_none() && hi.is_none() {
                    return None;
                }
                (lo, hi)
            }
            None => {
                let n = parse_count(value)?;
                (Some(n), Some(n))
            }
        },
    };
    Some(bounds)
}

/// Parses one end of a range: `Some(None)` when empty, `None` when malformed.
fn optional<T>(s: &str, parse_one: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
    if s.is_empty() {
        Some(None)
    } else {
        parse_one(s).map(Some)
    }
}

/// Parses a count: digits with optional thousands separators in groups of
/// three, and an optional `k` (thousand) or `m` (million) suffix, before
/// which decimals are allowed (`1.5k`). `None` on garbage or overflow.
fn parse_count(s: &str) -> Option<u64> {
    let mut chars = s.chars();
    let (body, multiplier, places) = match chars.next_back() {
        Some('k' | 'K') => (chars.as_str(), 1_000u64, 3usize),
        Some('m' | 'M') => (chars.as_str(), 1_000_000, 6),
        _ => (s, 1, 0),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((int_part, frac_part)) => (int_part, Some(frac_part)),
        None => (body, None),
    };
    let mut value = parse_grouped_digits(int_part)?.checked_mul(multiplier)?;
    if let Some(frac) = frac_part {
        if frac.is_empty() || frac.len() > places || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let digits: u64 = frac.parse().ok()?;
        let scale = 10u64.checked_pow(u32::try_from(places - frac.len()).ok()?)?;
        value = value.checked_add(digits.checked_mul(scale)?)?;
    }
    Some(value)
}

/// Parses ASCII digits, allowing `,` between groups of three (`12,345`).
fn parse_grouped_digits(s: &str) -> Option<u64> {
    let mut groups = s.split(',');
    let first = groups.next()?;
    let grouped = s.contains(',');
    if first.is_empty() || (grouped && first.len() > 3) {
        return None;
    }
    let mut value: u64 = 0;
    for (i, group) in std::iter::once(first).chain(groups).enumerate() {
        if i > 0 && group.len() != 3 {
            return None;
        }
        for c in group.chars() {
            let digit = c.to_digit(10)?;
            value = value.checked_mul(10)?.checked_add(u64::from(digit))?;
        }
    }
    Some(value)
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// The bounds of a date field's value; `None` when the value is malformed.
fn date_bounds(cmp: Option<Cmp>, value: &str) -> Option<(Option<DateBound>, Option<DateBound>)> {
    let bounds = match cmp {
        Some(Cmp::Gt) => match parse_date_bound(value)? {
            DateBound::Absolute(date) => (Some(DateBound::Absolute(date.succ_opt()?)), None),
            relative => (Some(relative), None),
        },
        Some(Cmp::Ge) => (Some(parse_date_bound(value)?), None),
        Some(Cmp::Lt) => match parse_date_bound(value)? {
            DateBound::Absolute(date) => (None, Some(DateBound::Absolute(date.pred_opt()?))),
            relative => (None, Some(relative)),
        },
        Some(Cmp::Le) => (None, Some(parse_date_bound(value)?)),
        None => match value.split_once("..") {
            Some((lo, hi)) => {
                let lo = optional(lo, parse_date_bound)?;
                let hi = optional(hi, parse_date_bound)?;
                if lo.is_none() && hi.is_none() {
                    return None;
                }
                (lo, hi)
            }
            None => match parse_date_bound(value)? {
                // That one day.
                absolute @ DateBound::Absolute(_) => (Some(absolute), Some(absolute)),
                // Within the last N days.
                relative => (Some(relative), None),
            },
        },
    };
    Some(bounds)
}

/// Parses `YYYY-MM-DD` or an age (`30d`, `2w`, `6m`, `1y`).
fn parse_date_bound(s: &str) -> Option<DateBound> {
    match parse_age_days(s) {
        Some(days) => Some(DateBound::DaysAgo(days)),
        None => parse_ymd(s).map(DateBound::Absolute),
    }
}

/// Parses an age in days: digits and a unit `d`, `w`, `m` (30 days) or `y`
/// (365 days), case-insensitive. `None` on garbage or overflow.
fn parse_age_days(s: &str) -> Option<u32> {
    let mut chars = s.chars();
    let unit = chars.next_back()?;
    let digits = chars.as_str();
    let days_per_unit: u32 = match unit.to_ascii_lowercase() {
        'd' => 1,
        'w' => 7,
        'm' => 30,
        'y' => 365,
        _ => return None,
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok()?.checked_mul(days_per_unit)
}

/// Parses `YYYY-MM-DD` (four-digit year, one- or two-digit month and day),
/// rejecting dates that do not exist.
fn parse_ymd(s: &str) -> Option<NaiveDate> {
    let mut parts = s.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let all_digits = |p: &str, min: usize, max: usize| {
        (min..=max).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !all_digits(year, 4, 4) || !all_digits(month, 1, 2) || !all_digits(day, 1, 2) {
        return None;
    }
    NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    // --- helpers ----------------------------------------------------------

    fn ok(input: &str) -> SearchQuery {
        match parse(input) {
            Ok(q) => q,
            Err(e) => panic!("{input:?} failed: {e:?}"),
        }
    }

    fn err(input: &str) -> QueryError {
        match parse(input) {
            Ok(q) => panic!("{input:?} parsed as {q:?}, expected an error"),
            Err(e) => e,
        }
    }

    /// The one term of a query that must hold exactly one plain term.
    fn single(input: &str) -> Term {
        let q = ok(input);
        assert!(q.must_not.is_empty(), "{input:?}: {q:?}");
        assert_eq!(q.must.len(), 1, "{input:?}: {q:?}");
        assert_eq!(q.must[0].0.len(), 1, "{input:?}: {q:?}");
        q.must[0].0[0].clone()
    }

    /// The `must` groups as plain vectors.
    fn groups(q: &SearchQuery) -> Vec<Vec<Term>> {
        q.must.iter().map(|g| g.0.clone()).collect()
    }

    fn w(word: &str) -> Term {
        Term::Word {
            field: None,
            word: word.to_owned(),
        }
    }

    fn fw(field: TextField, word: &str) -> Term {
        Term::Word {
            field: Some(field),
            word: word.to_owned(),
        }
    }

    fn ph(words: &[&str]) -> Term {
        Term::Phrase {
            field: None,
            words: words.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn fph(field: TextField, words: &[&str]) -> Term {
        Term::Phrase {
            field: Some(field),
            words: words.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn range(field: NumericField, lo: Option<u64>, hi: Option<u64>) -> Term {
        Term::Range { field, lo, hi }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn abs(y: i32, m: u32, d: u32) -> Option<DateBound> {
        Some(DateBound::Absolute(date(y, m, d)))
    }

    fn ago(days: u32) -> Option<DateBound> {
        Some(DateBound::DaysAgo(days))
    }

    fn dr(field: DateField, lo: Option<DateBound>, hi: Option<DateBound>) -> Term {
        Term::DateRange { field, lo, hi }
    }

    fn tag(kind: Option<TagType>, name: &str) -> Term {
        Term::TagName {
            kind,
            name: name.to_owned(),
        }
    }

    fn bad_number(field: &str, value: &str) -> QueryError {
        QueryError::BadNumber {
            field: field.to_owned(),
            value: value.to_owned(),
        }
    }

    fn bad_date(field: &str, value: &str) -> QueryError {
        QueryError::BadDate {
            field: field.to_owned(),
            value: value.to_owned(),
        }
    }

    // --- empty input ------------------------------------------------------

    #[test]
    fn empty_and_blank_queries_are_empty() {
        for input in [
            "", "   ", "\t\n", "...", "!!! ?? ,", "\"\"", "\"   \"", "🎉",
        ] {
            let q = ok(input);
            assert!(q.is_empty(), "{input:?}: {q:?}");
            assert!(!q.has_terms());
            assert_eq!(q, SearchQuery::default());
        }
    }

    // --- words ------------------------------------------------------------

    #[test]
    fn words_are_anded_and_lowercased() {
        let q = ok("Dragon  FIRE\tice");
        assert_eq!(
            groups(&q),
            vec![vec![w("dragon")], vec![w("fire")], vec![w("ice")]]
        );
        assert!(q.must_not.is_empty());
        assert_eq!(q.sort, None);
        assert!(!q.is_empty());
        assert!(q.has_terms());
    }

    #[test]
    fn surrounding_punctuation_is_trimmed() {
        assert_eq!(single("hello,"), w("hello"));
        assert_eq!(single("(world)!"), w("world"));
        assert_eq!(single("¿qué?"), w("qué"));
        assert_eq!(single("«bonjour»"), w("bonjour"));
        assert_eq!(single("don't"), w("don't"));
        assert_eq!(single("slow-burn"), w("slow-burn"));
        assert_eq!(single("M/M"), w("m/m"));
        assert_eq!(single("...and"), w("and"));
        assert_eq!(single("#1"), w("1"));
    }

    #[test]
    fn punctuation_only_words_are_dropped() {
        let q = ok("a ... b !!! — c");
        assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")], vec![w("c")]]);
    }

    #[test]
    fn non_ascii_words_work() {
        assert_eq!(single("Éclair"), w("éclair"));
        assert_eq!(single("Привет!"), w("привет"));
        assert_eq!(single("東京"), w("東京"));
        assert_eq!(single("「東京」"), w("東京"));
        assert_eq!(single("שלום"), w("שלום"));
        assert_eq!(single("مرحبا"), w("مرحبا"));
        assert_eq!(single("ΑΘΗΝΑ"), w("αθηνα"));
        assert_eq!(single("\u{200F}שלום\u{200F}"), w("שלום"));
    }

    #[test]
    fn trailing_combining_marks_are_kept() {
        // A decomposed "café" keeps its accent even before punctuation.
        assert_eq!(single("cafe\u{301},"), w("cafe\u{301}"));
        // Devanagari: a word ending in a virama.
        assert_eq!(single("\u{915}\u{94D}"), w("\u{915}\u{94D}"));
        // A lone combining mark is not a word.
        assert!(ok("\u{301}").is_empty());
    }

    #[test]
    fn control_characters_separate_terms() {
        let q = ok("a\0b\u{7}c\r\nd");
        assert_eq!(
            groups(&q),
            vec![vec![w("a")], vec![w("b")], vec![w("c")], vec![w("d")]]
        );
    }

    #[test]
    fn lowercase_or_is_a_word() {
        let q = ok("a or b");
        assert_eq!(groups(&q), vec![vec![w("a")], vec![w("or")], vec![w("b")]]);
        let q = ok("a Or b");
        assert_eq!(groups(&q), vec![vec![w("a")], vec![w("or")], vec![w("b")]]);
        assert_eq!(single("\"OR\""), ph(&["or"]));
        assert_eq!(single("ORACLE"), w("oracle"));
    }

    #[test]
    fn single_bars_are_punctuation() {
        let q = ok("a | b");
        assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")]]);
        assert_eq!(single("a|b"), w("a|b"));
    }

    // --- phrases ----------------------------------------------------------

    #[test]
    fn phrases_keep_word_order() {
        assert_eq!(single("\"Slow Burn,\""), ph(&["slow", "burn"]));
        assert_eq!(single("\"  a   -- b \""), ph(&["a", "b"]));
        assert_eq!(single("\"one\""), ph(&["one"]));
        let q = ok("\"enemies to lovers\" fluff");
        assert_eq!(
            groups(&q),
            vec![vec![ph(&["enemies", "to", "lovers"])], vec![w("fluff")]]
        );
    }

    #[test]
    fn phrases_may_hold_special_syntax_literally() {
        assert_eq!(
            single("\"title:foo OR || -bar\""),
            ph(&["title:foo", "or", "bar"])
        );
        assert_eq!(single("\"words>5\""), ph(&["words>5"]));
    }

    #[test]
    fn closing_quote_ends_the_term() {
        let q = ok("\"a b\"c");
        assert_eq!(groups(&q), vec![vec![ph(&["a", "b"])], vec![w("c")]]);
        let q = ok("\"a b\"-c");
        assert_eq!(groups(&q), vec![vec![ph(&["a", "b"])]]);
        assert_eq!(q.must_not, vec![w("c")]);
    }

    #[test]
    fn empty_phrases_are_dropped() {
        let q = ok("a \"\" b \"  \" \"?!\"");
        assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")]]);
    }

    #[test]
    fn quotes_inside_words_are_literal() {
        let q = ok("12\" tall");
        assert_eq!(groups(&q), vec![vec![w("12")], vec![w("tall")]]);
        assert_eq!(single("5'11\""), w("5'11"));
        assert_eq!(single("say\"what"), w("say\"what"));
    }

    #[test]
    fn unclosed_quotes_are_errors() {
        for input in [
            "\"",
            "\"abc",
            "a \"b c",
            "title:\"abc",
            "-\"abc",
            "\"a\" \"b",
            "\"\"\"",
            "foo:\"x",
        ] {
            assert_eq!(err(input), QueryError::UnclosedQuote, "{input:?}");
        }
    }

    // --- text fields ------------------------------------------------------

    #[test]
    fn text_field_names_and_aliases() {
        let cases = [
            ("title", TextField::Title),
            ("creator", TextField::Creators),
            ("creators", TextField::Creators),
            ("author", TextField::Creators),
            ("authors", TextField::Creators),
            ("by", TextField::Creators),
            ("summary", TextField::Summary),
            ("notes", TextField::Notes),
            ("tags", TextField::Tags),
            ("text", TextField::Body),
            ("body", TextField::Body),
            ("content", TextField::Body),
            ("series", TextField::Series),
        ];
        for (name, field) in cases {
            assert_eq!(
                single(&format!("{name}:Dragon!")),
                fw(field, "dragon"),
                "{name}"
            );
            assert_eq!(
                single(&format!("{name}:\"Dragon Fire\"")),
                fph(field, &["dragon", "fire"]),
                "{name}"
            );
            let upper = name.to_uppercase();
            assert_eq!(single(&format!("{upper}:x")), fw(field, "x"), "{upper}");
        }
    }

    #[test]
    fn text_field_values_keep_inner_colons() {
        assert_eq!(single("title:Re:Zero"), fw(TextField::Title, "re:zero"));
        assert_eq!(single("title:>_<x"), fw(TextField::Title, "x"));
    }

    #[test]
    fn text_field_with_punctuation_only_value_is_dropped() {
        assert!(ok("title:!!!").is_empty());
        assert!(ok("title:\"?? !!\"").is_empty());
    }

    #[test]
    fn text_fields_refuse_comparisons() {
        assert_eq!(
            err("title>foo"),
            QueryError::BadComparison {
                field: "title".into()
            }
        );
        assert_eq!(
            err("Summary<=x"),
            QueryError::BadComparison {
                field: "Summary".into()
            }
        );
    }

    #[test]
    fn unknown_fields_are_plain_text() {
        assert_eq!(single("foo:bar"), w("foo:bar"));
        assert_eq!(single("Re:Zero"), w("re:zero"));
        assert_eq!(single("http://example.org/"), w("http://example.org"));
        assert_eq!(single("12:30"), w("12:30"));
        assert_eq!(single(":b"), w("b"));
        assert_eq!(single("a:"), w("a"));
        assert_eq!(single("foo>3"), w("foo>3"));
        assert_eq!(single("foo:\"bar baz\""), ph(&["foo:bar", "baz"]));
        assert_eq!(single("words"), w("words"));
        // Not a field name (names start with a letter); `_` is trimmed.
        assert_eq!(single("_title:x"), w("title:x"));
    }

    #[test]
    fn empty_values_are_errors() {
        for (input, field) in [
            ("title:", "title"),
            ("Title:", "Title"),
            ("title:\"\"", "title"),
            ("fandom:\"  \"", "fandom"),
            ("tag:", "tag"),
            ("rating:", "rating"),
            ("lang:", "lang"),
            ("words>", "words"),
            ("words:", "words"),
            ("kudos:>=", "kudos"),
            ("posted<", "posted"),
            ("complete:", "complete"),
            ("sort:", "sort"),
            ("a title: b", "title"),
        ] {
            assert_eq!(
                err(input),
                QueryError::EmptyValue(field.into()),
                "{input:?}"
            );
        }
    }

    // --- tags, rating, language -------------------------------------------

    #[test]
    fn tag_fields_are_exact_names() {
        let cases = [
            ("tag", None),
            ("fandom", Some(TagType::Fandom)),
            ("character", Some(TagType::Character)),
            ("relationship", Some(TagType::Relationship)),
            ("ship", Some(TagType::Relationship)),
            ("freeform", Some(TagType::Freeform)),
            ("additional", Some(TagType::Freeform)),
            ("warning", Some(TagType::ArchiveWarning)),
            ("category", Some(TagType::Category)),
        ];
        for (name, kind) in cases {
            assert_eq!(
                single(&format!("{name}:Angst")),
                tag(kind, "Angst"),
                "{name}"
            );
            assert_eq!(
                single(&format!("{name}:\"  Star   Wars \"")),
                tag(kind, "Star Wars"),
                "{name}"
            );
        }
        // Tag names keep their case and punctuation.
        assert_eq!(
            single("relationship:Harry/Draco"),
            tag(Some(TagType::Relationship), "Harry/Draco")
        );
        assert_eq!(
            single("freeform:\"Yuri!!! on Ice\""),
            tag(Some(TagType::Freeform), "Yuri!!! on Ice")
        );
        assert_eq!(single("category:F/M"), tag(Some(TagType::Category), "F/M"));
        // `tags:` is full text, `tag:` exact.
        assert_eq!(single("tags:Angst"), fw(TextField::Tags, "angst"));
        assert_eq!(single("TAG:Angst"), tag(None, "Angst"));
    }

    #[test]
    fn tag_fields_refuse_comparisons_but_colon_values_are_literal() {
        assert_eq!(
            err("fandom>x"),
            QueryError::BadComparison {
                field: "fandom".into()
            }
        );
        assert_eq!(single("tag:<3"), tag(None, "<3"));
    }

    #[test]
    fn rating_is_kept_as_text() {
        assert_eq!(single("rating:explicit"), Term::Rating("explicit".into()));
        assert_eq!(
            single("Rating:\" General  Audiences \""),
            Term::Rating("General Audiences".into())
        );
        assert_eq!(single("rating:teen"), Term::Rating("teen".into()));
    }

    #[test]
    fn language_is_kept_as_text() {
        assert_eq!(single("language:en"), Term::Language("en".into()));
        assert_eq!(single("lang:Français"), Term::Language("Français".into()));
        assert_eq!(
            single("lang:\" Português  Brasileiro\""),
            Term::Language("Português Brasileiro".into())
        );
    }

    // --- flags ------------------------------------------------------------

    #[test]
    fn flags_take_yes_or_no() {
        let fields = [
            ("complete", FlagField::Complete),
            ("crossover", FlagField::Crossover),
            ("single_chapter", FlagField::SingleChapter),
            ("oneshot", FlagField::SingleChapter),
            ("restricted", FlagField::Restricted),
        ];
        let values = [
            ("true", true),
            ("yes", true),
            ("t", true),
            ("y", true),
            ("1", true),
            ("YES", true),
            ("True", true),
            ("false", false),
            ("no", false),
            ("f", false),
            ("n", false),
            ("0", false),
            ("NO", false),
        ];
        for (name, field) in fields {
            for (typed, value) in values {
                assert_eq!(
                    single(&format!("{name}:{typed}")),
                    Term::Flag { field, value },
                    "{name}:{typed}"
                );
            }
        }
        assert_eq!(
            single("complete:\"yes\""),
            Term::Flag {
                field: FlagField::Complete,
                value: true
            }
        );
    }

    #[test]
    fn bad_flags_are_errors() {
        assert_eq!(
            err("complete:maybe"),
            QueryError::BadFlag {
                field: "complete".into(),
                value: "maybe".into()
            }
        );
        assert_eq!(
            err("Crossover:2"),
            QueryError::BadFlag {
                field: "Crossover".into(),
                value: "2".into()
            }
        );
        assert_eq!(
            err("complete:>yes"),
            QueryError::BadFlag {
                field: "complete".into(),
                value: ">yes".into()
            }
        );
        assert_eq!(
            err("complete>yes"),
            QueryError::BadComparison {
                field: "complete".into()
            }
        );
    }

    // --- numbers ----------------------------------------------------------

    #[test]
    fn number_comparisons() {
        use NumericField::*;
        assert_eq!(single("words>1000"), range(Words, Some(1001), None));
        assert_eq!(single("words>=1000"), range(Words, Some(1000), None));
        assert_eq!(single("words<1000"), range(Words, None, Some(999)));
        assert_eq!(single("words<=1000"), range(Words, None, Some(1000)));
        assert_eq!(single("kudos:5"), range(Kudos, Some(5), Some(5)));
        // AO3 style, comparison after the colon.
        assert_eq!(single("kudos:>100"), range(Kudos, Some(101), None));
        assert_eq!(single("kudos:>=100"), range(Kudos, Some(100), None));
        assert_eq!(single("kudos:<100"), range(Kudos, None, Some(99)));
        assert_eq!(single("kudos:<=100"), range(Kudos, None, Some(100)));
    }

    #[test]
    fn number_ranges() {
        use NumericField::*;
        assert_eq!(single("hits:100-500"), range(Hits, Some(100), Some(500)));
        assert_eq!(single("hits:100..500"), range(Hits, Some(100), Some(500)));
        assert_eq!(single("words:1000-"), range(Words, Some(1000), None));
        assert_eq!(single("words:1000.."), range(Words, Some(1000), None));
        assert_eq!(single("words:-500"), range(Words, None, Some(500)));
        assert_eq!(single("words:..500"), range(Words, None, Some(500)));
        assert_eq!(
            single("words:1.5k..2.5k"),
            range(Words, Some(1500), Some(2500))
        );
        assert_eq!(
            single("words:1,000-5,000"),
            range(Words, Some(1000), Some(5000))
        );
        // Reversed ranges are kept as typed.
        assert_eq!(single("hits:500-100"), range(Hits, Some(500), Some(100)));
    }

    #[test]
    fn number_field_names_and_aliases() {
        use NumericField::*;
        let cases = [
            ("words", Words),
            ("word_count", Words),
            ("kudos", Kudos),
            ("kudos_count", Kudos),
            ("hits", Hits),
            ("comments", Comments),
            ("comments_count", Comments),
            ("bookmarks", Bookmarks),
            ("bookmarks_count", Bookmarks),
            ("chapters", Chapters),
            ("WORDS", Words),
        ];
        for (name, field) in cases {
            assert_eq!(
                single(&format!("{name}>3")),
                range(field, Some(4), None),
                "{name}"
            );
        }
    }

    #[test]
    fn number_formats() {
        use NumericField::*;
        assert_eq!(single("words>1,000"), range(Words, Some(1001), None));
        assert_eq!(
            single("words>=1,234,567"),
            range(Words, Some(1_234_567), None)
        );
        assert_eq!(single("words>=10k"), range(Words, Some(10_000), None));
        assert_eq!(single("words>=10K"), range(Words, Some(10_000), None));
        assert_eq!(single("words>=1.5k"), range(Words, Some(1_500), None));
        assert_eq!(single("words>=1.25k"), range(Words, Some(1_250), None));
        assert_eq!(single("words>=0.125k"), range(Words, Some(125), None));
        assert_eq!(single("hits>=2m"), range(Hits, Some(2_000_000), None));
        assert_eq!(single("hits>=1.5M"), range(Hits, Some(1_500_000), None));
        assert_eq!(single("hits>=1,000k"), range(Hits, Some(1_000_000), None));
        assert_eq!(single("words:007"), range(Words, Some(7), Some(7)));
        assert_eq!(single("words:\"5\""), range(Words, Some(5), Some(5)));
    }

    #[test]
    fn bad_numbers_are_errors() {
        for value in [
            "abc", "1,00", "1,0000", "1234,567", ",100", "100,", "1,,000", "1.5", "1.", ".5k",
            "1.2345k", "1.k", "10kk", "k", "1e3", "５", "-", "..", "1-2-3", "1..2..3", "+5", "5 6",
            "１０",
        ] {
            assert_eq!(
                err(&format!("words:\"{value}\"")),
                bad_number("words", value),
                "{value:?}"
            );
        }
        for value in ["5-10", "5..10", "-5", "abc", ">5", "5k-"] {
            assert_eq!(
                err(&format!("words>{value}")),
                bad_number("words", value),
                "{value:?}"
            );
        }
        assert_eq!(err("words>>5"), bad_number("words", ">5"));
        assert_eq!(err("Kudos<x"), bad_number("Kudos", "x"));
    }

    #[test]
    fn number_overflow_never_panics() {
        use NumericField::*;
        let max = u64::MAX;
        assert_eq!(
            err("words:99999999999999999999"),
            bad_number("words", "99999999999999999999")
        );
        assert_eq!(
            err("words>18446744073709551616"),
            bad_number("words", "18446744073709551616")
        );
        assert_eq!(
            err("words>=18446744073709552k"),
            bad_number("words", "18446744073709552k")
        );
        assert_eq!(
            err("hits>99999999999999m"),
            bad_number("hits", "99999999999999m")
        );
        assert_eq!(
            single("words>=18446744073709551615"),
            range(Words, Some(max), None)
        );
        assert_eq!(
            single("words<=18,446,744,073,709,551,615"),
            range(Words, None, Some(max))
        );
        assert_eq!(
            single("words:18446744073709551615"),
            range(Words, Some(max), Some(max))
        );
        // Comparisons nothing can satisfy give the empty range.
        assert_eq!(
            single("words>18446744073709551615"),
            range(Words, Some(1), Some(0))
        );
        assert_eq!(single("kudos<0"), range(Kudos, Some(1), Some(0)));
        assert_eq!(single("kudos<=0"), range(Kudos, None, Some(0)));
        assert_eq!(single("kudos>0"), range(Kudos, Some(1), None));
    }

    // --- dates ------------------------------------------------------------

    #[test]
    fn absolute_date_comparisons() {
        use DateField::*;
        assert_eq!(
            single("posted>2020-01-01"),
            dr(Posted, abs(2020, 1, 2), None)
        );
        assert_eq!(
            single("posted>=2020-01-01"),
            dr(Posted, abs(2020, 1, 1), None)
        );
        assert_eq!(
            single("posted<2020-01-01"),
            dr(Posted, None, abs(2019, 12, 31))
        );
        assert_eq!(
            single("posted<=2020-01-01"),
            dr(Posted, None, abs(2020, 1, 1))
        );
        assert_eq!(
            single("updated>2020-12-31"),
            dr(Updated, abs(2021, 1, 1), None)
        );
        assert_eq!(
            single("updated<2021-06-30"),
            dr(Updated, None, abs(2021, 6, 29))
        );
        assert_eq!(
            single("updated:>2020-02-28"),
            dr(Updated, abs(2020, 2, 29), None)
        );
        assert_eq!(
            single("updated:<2021-03-01"),
            dr(Updated, None, abs(2021, 2, 28))
        );
        assert_eq!(
            single("posted:2020-01-01"),
            dr(Posted, abs(2020, 1, 1), abs(2020, 1, 1))
        );
        assert_eq!(
            single("posted:2020-1-5"),
            dr(Posted, abs(2020, 1, 5), abs(2020, 1, 5))
        );
    }

    #[test]
    fn date_ranges() {
        use DateField::*;
        assert_eq!(
            single("updated:2020-01-01..2020-12-31"),
            dr(Updated, abs(2020, 1, 1), abs(2020, 12, 31))
        );
        assert_eq!(
            single("updated:2020-01-01.."),
            dr(Updated, abs(2020, 1, 1), None)
        );
        assert_eq!(
            single("updated:..2020-12-31"),
            dr(Updated, None, abs(2020, 12, 31))
        );
        assert_eq!(single("updated:30d..7d"), dr(Updated, ago(30), ago(7)));
        assert_eq!(
            single("updated:2020-01-01..1w"),
            dr(Updated, abs(2020, 1, 1), ago(7))
        );
        assert_eq!(single("updated:1y.."), dr(Updated, ago(365), None));
    }

    #[test]
    fn relative_dates() {
        use DateField::*;
        assert_eq!(single("updated>2w"), dr(Updated, ago(14), None));
        assert_eq!(single("updated>=2w"), dr(Updated, ago(14), None));
        assert_eq!(single("updated<2w"), dr(Updated, None, ago(14)));
        assert_eq!(single("updated<=2w"), dr(Updated, None, ago(14)));
        assert_eq!(single("posted>30d"), dr(Posted, ago(30), None));
        assert_eq!(single("posted>6m"), dr(Posted, ago(180), None));
        assert_eq!(single("updated>1y"), dr(Updated, ago(365), None));
        assert_eq!(single("updated>2W"), dr(Updated, ago(14), None));
        assert_eq!(single("updated>0d"), dr(Updated, ago(0), None));
        // A bare age means "within the last".
        assert_eq!(single("updated:1w"), dr(Updated, ago(7), None));
    }

    #[test]
    fn date_field_names_and_aliases() {
        use DateField::*;
        for (name, field) in [
            ("posted", Posted),
            ("published", Posted),
            ("created", Posted),
            ("created_at", Posted),
            ("updated", Updated),
            ("revised", Updated),
            ("revised_at", Updated),
            ("Updated", Updated),
        ] {
            assert_eq!(
                single(&format!("{name}>1d")),
                dr(field, ago(1), None),
                "{name}"
            );
        }
    }

    #[test]
    fn dates_are_validated() {
        use DateField::*;
        assert_eq!(
            single("posted:2020-02-29"),
            dr(Posted, abs(2020, 2, 29), abs(2020, 2, 29))
        );
        assert_eq!(
            single("posted:2000-02-29"),
            dr(Posted, abs(2000, 2, 29), abs(2000, 2, 29))
        );
        for value in [
            "2021-02-29",
            "1900-02-29",
            "2021-13-01",
            "2021-00-10",
            "2021-04-31",
            "2021-01-00",
            "2021-01-32",
            "20-01-01",
            "02021-01-01",
            "2021-001-01",
            "2021-01",
            "2021",
            "2021/01/01",
            "2021-01-01-01",
            "2020-01-01-2020-12-31", // date ranges use `..`
            "soon",
            "2x",
            "w",
            "d",
            "-3d",
            "3.5d",
            "99999999999y",
            "4294967296d",
            "..",
            "2020-01-01..2020-02-01..2020-03-01",
            "today",
        ] {
            assert_eq!(
                err(&format!("posted:\"{value}\"")),
                bad_date("posted", value),
                "{value:?}"
            );
        }
        assert_eq!(err("updated>2w..1w"), bad_date("updated", "2w..1w"));
        assert_eq!(err("updated>>2w"), bad_date("updated", ">2w"));
    }

    #[test]
    fn date_bounds_resolve_against_today() {
        let today = date(2024, 3, 1);
        assert_eq!(DateBound::DaysAgo(14).resolve(today), date(2024, 2, 16));
        assert_eq!(DateBound::DaysAgo(1).resolve(today), date(2024, 2, 29));
        assert_eq!(DateBound::DaysAgo(0).resolve(today), today);
        assert_eq!(DateBound::DaysAgo(365).resolve(today), date(2023, 3, 2));
        assert_eq!(
            DateBound::Absolute(date(2001, 9, 9)).resolve(today),
            date(2001, 9, 9)
        );
        assert_eq!(DateBound::DaysAgo(u32::MAX).resolve(today), NaiveDate::MIN);
    }

    // --- OR ---------------------------------------------------------------

    #[test]
    fn or_joins_neighbours() {
        let q = ok("a OR b");
        assert_eq!(groups(&q), vec![vec![w("a"), w("b")]]);
        assert_eq!(ok("a || b"), q);
        assert_eq!(ok("a||b"), q);
        assert_eq!(ok("a ||b"), q);
        let q = ok("a b OR c d");
        assert_eq!(
            groups(&q),
            vec![vec![w("a")], vec![w("b"), w("c")], vec![w("d")]]
        );
        let q = ok("a OR b || c OR d");
        assert_eq!(groups(&q), vec![vec![w("a"), w("b"), w("c"), w("d")]]);
        let q = ok("a OR b c OR d");
        assert_eq!(groups(&q), vec![vec![w("a"), w("b")], vec![w("c"), w("d")]]);
    }

    #[test]
    fn or_joins_any_kind_of_term() {
        let q = ok("\"a b\" OR title:c || fandom:\"Star Wars\" OR words>5");
        assert_eq!(
            groups(&q),
            vec![vec![
                ph(&["a", "b"]),
                fw(TextField::Title, "c"),
                tag(Some(TagType::Fandom), "Star Wars"),
                range(NumericField::Words, Some(6), None),
            ]]
        );
        let q = ok("\"a b\"||\"c d\"");
        assert_eq!(groups(&q), vec![vec![ph(&["a", "b"]), ph(&["c", "d"])]]);
        let q = ok("\"a b\"OR c");
        assert_eq!(groups(&q), vec![vec![ph(&["a", "b"]), w("c")]]);
    }

    #[test]
    fn dangling_or_is_an_error() {
        for input in [
            "OR",
            "||",
            "OR a",
            "|| a",
            "a OR",
            "a ||",
            "a OR OR b",
            "a || || b",
            "a OR || b",
            "a ||||b",
            "a OR sort:kudos",
            "sort:kudos OR a",
            "sort:kudos || a",
            "a OR !!!",
            "a OR \"\"",
            "OR OR",
        ] {
            assert_eq!(err(input), QueryError::DanglingOr, "{input:?}");
        }
    }

    #[test]
    fn dropped_terms_vanish_before_or() {
        let q = ok("a OR !!! b");
        assert_eq!(groups(&q), vec![vec![w("a"), w("b")]]);
    }

    // --- exclusion --------------------------------------------------------

    #[test]
    fn minus_excludes() {
        let q = ok("a -b c");
        assert_eq!(groups(&q), vec![vec![w("a")], vec![w("c")]]);
        assert_eq!(q.must_not, vec![w("b")]);

        let q = ok(
            "-\"Major Character Death\" -title:Dragon -complete:no -words>100k -fandom:\"Star Wars\"",
        );
        assert!(q.must.is_empty());
        assert_eq!(
            q.must_not,
            vec![
                ph(&["major", "character", "death"]),
                fw(TextField::Title, "dragon"),
                Term::Flag {
                    field: FlagField::Complete,
                    value: false
                },
                range(NumericField::Words, Some(100_001), None),
                tag(Some(TagType::Fandom), "Star Wars"),
            ]
        );
        assert!(!q.is_empty());
        assert!(q.has_terms());
    }

    #[test]
    fn only_the_first_minus_negates() {
        let q = ok("--a");
        assert!(q.must.is_empty());
        assert_eq!(q.must_not, vec![w("a")]);
        let q = ok("-OR");
        assert_eq!(q.must_not, vec![w("or")]);
    }

    #[test]
    fn hyphens_inside_words_are_kept() {
        assert_eq!(single("slow-burn"), w("slow-burn"));
        assert_eq!(single("non-con-"), w("non-con"));
        assert_eq!(single("x-"), w("x"));
        let q = ok("-slow-burn");
        assert_eq!(q.must_not, vec![w("slow-burn")]);
    }

    #[test]
    fn empty_exclusions_are_errors() {
        for input in [
            "-",
            "a - b",
            "a -",
            "-!!!",
            "-\"\"",
            "-\" ? \"",
            "--",
            "-title:!!!",
            "-||a",
        ] {
            assert_eq!(err(input), QueryError::EmptyExclusion, "{input:?}");
        }
    }

    #[test]
    fn excluded_terms_cannot_be_alternatives() {
        for input in [
            "a OR -b",
            "-a OR b",
            "-a || b",
            "a||-b",
            "a OR b OR -c",
            "-\"x y\" OR z",
        ] {
            assert_eq!(err(input), QueryError::NegatedAlternative, "{input:?}");
        }
    }

    // --- sort -------------------------------------------------------------

    #[test]
    fn sort_directives() {
        let q = ok("sort:kudos");
        assert_eq!(q.sort, Some((SortColumn::Kudos, None)));
        assert!(!q.has_terms());
        assert!(!q.is_empty());
        assert_eq!(
            q.effective_sort(),
            Some((SortColumn::Kudos, SortDirection::Desc))
        );

        let q = ok("dragon Sort:TITLE:DESC");
        assert_eq!(groups(&q), vec![vec![w("dragon")]]);
        assert_eq!(q.sort, Some((SortColumn::Title, Some(SortDirection::Desc))));
        assert_eq!(
            q.effective_sort(),
            Some((SortColumn::Title, SortDirection::Desc))
        );

        assert_eq!(
            ok("sort:title").effective_sort(),
            Some((SortColumn::Title, SortDirection::Asc))
        );
        assert_eq!(
            ok("sort:hits:ascending").sort,
            Some((SortColumn::Hits, Some(SortDirection::Asc)))
        );
        assert_eq!(ok("sort:kudos_count").sort, Some((SortColumn::Kudos, None)));
        assert_eq!(ok("sort:\"words\"").sort, Some((SortColumn::Words, None)));
        assert_eq!(ok("a").effective_sort(), None);
    }

    #[test]
    fn last_sort_wins() {
        let q = ok("sort:kudos a sort:hits:asc b sort:updated");
        assert_eq!(q.sort, Some((SortColumn::Updated, None)));
        assert_eq!(groups(&q), vec![vec![w("a")], vec![w("b")]]);
    }

    #[test]
    fn every_sort_word_is_understood() {
        let cases = [
            ("score", SortColumn::BestMatch),
            ("relevance", SortColumn::BestMatch),
            ("best", SortColumn::BestMatch),
            ("creator", SortColumn::Creator),
            ("creators", SortColumn::Creator),
            ("author", SortColumn::Creator),
            ("title", SortColumn::Title),
            ("posted", SortColumn::Posted),
            ("published", SortColumn::Posted),
            ("created", SortColumn::Posted),
            ("updated", SortColumn::Updated),
            ("revised", SortColumn::Updated),
            ("words", SortColumn::Words),
            ("word_count", SortColumn::Words),
            ("hits", SortColumn::Hits),
            ("kudos", SortColumn::Kudos),
            ("comments", SortColumn::Comments),
            ("bookmarks", SortColumn::Bookmarks),
            ("KUDOS", SortColumn::Kudos),
            (" Kudos ", SortColumn::Kudos),
        ];
        for (word, column) in cases {
            assert_eq!(SortColumn::from_query_word(word), Some(column), "{word:?}");
        }
        for column in SortColumn::ALL {
            assert_eq!(
                SortColumn::from_query_word(column.ao3_param()),
                Some(column)
            );
        }
        assert_eq!(SortColumn::from_query_word("foo"), None);
        assert_eq!(SortColumn::from_query_word(""), None);
    }

    #[test]
    fn bad_sorts_are_errors() {
        assert_eq!(err("sort:foo"), QueryError::UnknownSort("foo".into()));
        assert_eq!(err("sort:foo:asc"), QueryError::UnknownSort("foo".into()));
        assert_eq!(err("sort::asc"), QueryError::UnknownSort("".into()));
        assert_eq!(
            err("sort:kudos:up"),
            QueryError::UnknownSortDirection("up".into())
        );
        assert_eq!(
            err("sort:kudos:"),
            QueryError::UnknownSortDirection("".into())
        );
        assert_eq!(
            err("sort:kudos:asc:x"),
            QueryError::UnknownSortDirection("asc:x".into())
        );
        assert_eq!(err("-sort:kudos"), QueryError::NegatedSort);
        assert_eq!(
            err("sort>kudos"),
            QueryError::BadComparison {
                field: "sort".into()
            }
        );
    }

    #[test]
    fn sort_column_helpers() {
        assert_eq!(SortColumn::ALL.len(), 10);
        let params: Vec<&str> = SortColumn::ALL.iter().map(|c| c.ao3_param()).collect();
        assert_eq!(
            params,
            [
                "_score",
                "authors_to_sort_on",
                "title_to_sort_on",
                "created_at",
                "revised_at",
                "word_count",
                "hits",
                "kudos_count",
                "comments_count",
                "bookmarks_count"
            ]
        );
        for column in SortColumn::ALL {
            assert_eq!(SortColumn::from_ao3_param(column.ao3_param()), Some(column));
        }
        assert_eq!(SortColumn::from_ao3_param("kudos"), None);
        assert_eq!(SortColumn::from_ao3_param("KUDOS_COUNT"), None);
        let labels: Vec<&str> = SortColumn::ALL.iter().map(|c| c.label()).collect();
        assert_eq!(
            labels,
            [
                "Best Match",
                "Creator",
                "Title",
                "Date Posted",
                "Date Updated",
                "Word Count",
                "Hits",
                "Kudos",
                "Comments",
                "Bookmarks"
            ]
        );
        for column in SortColumn::ALL {
            let expected = match column {
                SortColumn::Creator | SortColumn::Title => SortDirection::Asc,
                _ => SortDirection::Desc,
            };
            assert_eq!(column.default_direction(), expected, "{column:?}");
        }
    }

    #[test]
    fn sort_direction_helpers() {
        assert_eq!(SortDirection::Asc.param(), "asc");
        assert_eq!(SortDirection::Desc.param(), "desc");
        assert_eq!(SortDirection::parse("asc"), Some(SortDirection::Asc));
        assert_eq!(SortDirection::parse(" DESC "), Some(SortDirection::Desc));
        assert_eq!(SortDirection::parse("Ascending"), Some(SortDirection::Asc));
        assert_eq!(
            SortDirection::parse("descending"),
            Some(SortDirection::Desc)
        );
        assert_eq!(SortDirection::parse("up"), None);
        assert_eq!(SortDirection::parse(""), None);
        assert_eq!(SortDirection::Asc.reversed(), SortDirection::Desc);
        assert_eq!(SortDirection::Desc.reversed(), SortDirection::Asc);
        for d in [SortDirection::Asc, SortDirection::Desc] {
            assert_eq!(SortDirection::parse(d.param()), Some(d));
            assert_eq!(d.reversed().reversed(), d);
        }
    }

    // --- limits -----------------------------------------------------------

    #[test]
    fn length_limit_counts_characters() {
        assert!(parse(&"a".repeat(MAX_QUERY_CHARS)).is_ok());
        assert_eq!(err(&"a".repeat(MAX_QUERY_CHARS + 1)), QueryError::TooLong);
        // Characters, not bytes.
        assert!(parse(&"é".repeat(MAX_QUERY_CHARS)).is_ok());
        assert_eq!(err(&"é".repeat(MAX_QUERY_CHARS + 1)), QueryError::TooLong);
        // Surrounding whitespace does not count.
        let padded = format!("   {}   ", "a".repeat(MAX_QUERY_CHARS));
        assert!(parse(&padded).is_ok());
        assert_eq!(err(&"x ".repeat(1000)), QueryError::TooLong);
    }

    #[test]
    fn term_limit() {
        let at_limit = vec!["a"; MAX_TERMS].join(" ");
        assert_eq!(ok(&at_limit).must.len(), MAX_TERMS);
        let over = vec!["a"; MAX_TERMS + 1].join(" ");
        assert_eq!(err(&over), QueryError::TooManyTerms);
        // Alternatives and exclusions count; sorts and dropped words do not.
        let ors = vec!["a"; MAX_TERMS + 1].join(" OR ");
        assert_eq!(err(&ors), QueryError::TooManyTerms);
        let nots = vec!["-a"; MAX_TERMS + 1].join(" ");
        assert_eq!(err(&nots), QueryError::TooManyTerms);
        let mixed = format!("{} sort:kudos ... !!! \"\"", vec!["a"; MAX_TERMS].join(" "));
        assert!(parse(&mixed).is_ok());
    }

    // --- combinations -----------------------------------------------------

    #[test]
    fn a_realistic_query() {
        let q = ok(
            "fandom:\"Star Wars\" -crossover:yes words>10k \"slow burn\" enemies OR rivals \
             -\"major character death\" complete:yes sort:kudos:desc updated>1y lang:en rating:teen",
        );
        assert_eq!(
            q,
            SearchQuery {
                must: vec![
                    Alternatives(vec![tag(Some(TagType::Fandom), "Star Wars")]),
                    Alternatives(vec![range(NumericField::Words, Some(10_001), None)]),
                    Alternatives(vec![ph(&["slow", "burn"])]),
                    Alternatives(vec![w("enemies"), w("rivals")]),
                    Alternatives(vec![Term::Flag {
                        field: FlagField::Complete,
                        value: true
                    }]),
                    Alternatives(vec![dr(DateField::Updated, ago(365), None)]),
                    Alternatives(vec![Term::Language("en".into())]),
                    Alternatives(vec![Term::Rating("teen".into())]),
                ],
                must_not: vec![
                    Term::Flag {
                        field: FlagField::Crossover,
                        value: true
                    },
                    ph(&["major", "character", "death"]),
                ],
                sort: Some((SortColumn::Kudos, Some(SortDirection::Desc))),
            }
        );
    }

    #[test]
    fn first_error_wins() {
        assert_eq!(err("words>x complete:maybe"), bad_number("words", "x"));
        assert_eq!(
            err("complete:maybe words>x"),
            QueryError::BadFlag {
                field: "complete".into(),
                value: "maybe".into()
            }
        );
        // Quotes are checked before anything else.
        assert_eq!(err("words>x \"open"), QueryError::UnclosedQuote);
    }

    // --- messages ---------------------------------------------------------

    #[test]
    fn messages_are_for_readers() {
        let msg = bad_number("words", "lots").to_string();
        assert!(msg.contains("lots") && msg.contains("words>1000"), "{msg}");
        let msg = bad_date("posted", "soon").to_string();
        assert!(msg.contains("soon") && msg.contains("2021-06-30"), "{msg}");
        let msg = QueryError::TooLong.to_string();
        assert!(msg.contains("1000"), "{msg}");
        let msg = QueryError::TooManyTerms.to_string();
        assert!(msg.contains("64"), "{msg}");
        let msg = QueryError::UnknownSort("foo".into()).to_string();
        assert!(msg.contains("foo") && msg.contains("sort:kudos"), "{msg}");
        let msg = QueryError::EmptyValue("title".into()).to_string();
        assert!(msg.contains("title"), "{msg}");
        for e in [
            QueryError::UnclosedQuote,
            QueryError::DanglingOr,
            QueryError::EmptyExclusion,
            QueryError::NegatedAlternative,
            QueryError::NegatedSort,
        ] {
            assert!(!e.to_string().is_empty());
        }
    }

    // --- robustness -------------------------------------------------------

    #[test]
    fn odd_inputs_never_panic() {
        let long = "x".repeat(2000);
        let long_words = "ab ".repeat(700);
        let odd = [
            "\"",
            "\"\"",
            "\"\"\"",
            "'",
            "OR",
            "||",
            "|||",
            "||||",
            "-",
            "--",
            "---",
            "- -",
            "a:",
            ":b",
            ":",
            "::",
            ":::",
            "words>",
            "words>>5",
            "words<<",
            "words>=<5",
            "words:-",
            "words:--",
            "words:..",
            "words:...",
            "words:1..-2",
            "posted:..",
            "posted:...",
            "posted>-",
            "sort:",
            "sort::",
            "sort:::",
            "-sort:",
            "title:\"",
            "title:\"\"\"",
            "\"a\"b\"c\"",
            "a\"",
            "-\"",
            "-:",
            "🎉",
            "🎉🎉 OR 🎉",
            "👩‍👩‍👧‍👦",
            "title:🎉",
            "words>🎉",
            "posted>🎉",
            "sort:🎉",
            "sort:kudos:🎉",
            "שלום עולם",
            "مرحبا OR سلام",
            "\u{202E}gnp.exe",
            "\u{200F}-\u{200F}",
            "\0",
            "\0\0\0",
            "a\0:b",
            "title\0:x",
            "-\0a",
            "\u{FEFF}",
            "\u{FFFF}",
            "\u{10FFFF}",
            "a\u{301}",
            "\u{301}\u{301}",
            "x:\u{301}",
            "é:é",
            "É:\"é\"",
            "ß:ß",
            "İ",
            "ﬁ",
            "words>1,",
            "words>,",
            "words>1.",
            "words>.k",
            "words>k",
            "words>m",
            "words>1.5",
            "words>9.999999m",
            "words>1.0000001m",
            "updated>99999999999999999999y",
            "updated>4294967295d",
            "updated>4294967295y",
            "posted:9999-12-31",
            "posted>9999-12-31",
            "posted<0000-01-01",
            "posted:0000-01-01",
            "complete:",
            "complete:🎉",
            "lang:\u{0}",
            "tag:\"\u{0}\"",
            "a OR -",
            "- OR a",
            long.as_str(),
            long_words.as_str(),
        ];
        for input in odd {
            let _ = parse(input);
        }
    }

    #[test]
    fn every_prefix_and_suffix_parses_without_panic() {
        let samples = [
            "fandom:\"Star Wars\" -crossover:yes words>10k \"slow burn\" enemies OR rivals || x \
             -\"major character death\" complete:yes sort:kudos:desc updated:2020-01-01..2w",
            "ΑΘΗΝΑ title:\"東京 物語\" -lang:日本語 kudos:1,000-2.5k posted<=2020-02-29 🎉 ||🎉",
        ];
        for sample in samples {
            for (i, _) in sample.char_indices() {
                let _ = parse(&sample[..i]);
                let _ = parse(&sample[i..]);
            }
        }
    }

    #[test]
    fn single_characters_never_panic() {
        for c in (0u32..0x3100)
            .chain(0xFE00..0xFFFF)
            .filter_map(char::from_u32)
        {
            for input in [
                format!("{c}"),
                format!("-{c}"),
                format!("words>{c}"),
                format!("title:{c}"),
                format!("\"{c}\""),
                format!("a{c}b"),
                format!("{c}:{c}"),
            ] {
                let _ = parse(&input);
            }
        }
    }
}
