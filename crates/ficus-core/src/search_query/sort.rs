//! Sorting: the columns and directions a listing can be sorted by, and the
//! value of `sort:`.

use super::{Parsed, QueryError};

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

/// Parses the value of `sort:`: `column` or `column:direction`.
pub(super) fn parse_sort(value: &str) -> Result<Parsed, QueryError> {
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
