//! Discovery: what a reader asks of a listing (filters, a search query,
//! their mutes), typed, turned into one search-index [`Request`]. The
//! browsing pages and the API build [`Filters`] from their own inputs and
//! call [`build_request`], so both filter exactly alike.

use chrono::NaiveDate;
use ficus_core::TagType;
use ficus_core::search_query::{
    self, DateField, MAX_QUERY_CHARS, MAX_TERMS, NumericField, QueryError, SearchQuery, SortColumn,
    SortDirection, TextField,
};
use ficus_core::wrangling::TagGraph;
use ficus_search::{Crossover, Request, ResolvedQuery};
use ficus_store::{Store, StoreError};

/// A reader's filters and query, typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    /// The search text, in the archive's query syntax.
    pub query: String,
    /// Advanced search: the title must hold this phrase.
    pub title: String,
    /// Advanced search: a creator's name must hold this phrase.
    pub creators: String,
    /// Advanced search: a rating name.
    pub rating: String,
    /// `None`: best match when searching, else most recently updated.
    pub sort: Option<SortColumn>,
    /// `None`: the sort's default direction.
    pub direction: Option<SortDirection>,
    pub words: (Option<u64>, Option<u64>),
    pub kudos_from: Option<u64>,
    pub hits_from: Option<u64>,
    /// Updated between these days (inclusive).
    pub updated: (Option<NaiveDate>, Option<NaiveDate>),
    pub complete: Option<bool>,
    pub crossover: Crossover,
    /// A language code or name (matched lowercased).
    pub language: Option<String>,
    pub single_chapter: bool,
    /// Tags every work must carry (each by its filter form).
    pub include_ids: Vec<i64>,
    /// Tags no work may carry.
    pub exclude_ids: Vec<i64>,
    /// Tag names (any type) every work must carry, one of each name's tags.
    pub include_names: Vec<String>,
    /// Tag names (any type) no work may carry.
    pub exclude_names: Vec<String>,
    /// A bookmark listing: only bookmarked works, filtered on what their
    /// public bookmarks say.
    pub bookmarks: Option<BookmarkFilters>,
}

/// A bookmark listing's own filters (AO3's `bookmark_search[...]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookmarkFilters {
    /// Recs only.
    pub rec: bool,
    /// Only bookmarks with notes.
    pub with_notes: bool,
    /// Bookmarker's tag names every listed item's bookmarks must carry.
    pub include_names: Vec<String>,
    /// Bookmarker's tag names none of its bookmarks may carry.
    pub exclude_names: Vec<String>,
    /// Newest bookmark first ("Date Bookmarked"); else by the item's
    /// update ("Date Updated").
    pub by_date_bookmarked: bool,
}

/// Where a listing draws from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Every work (`/works`).
    All,
    /// The works of these tags (a tag's page: every tag of its name), with
    /// their synonyms and subtags.
    Tag(Vec<i64>),
    /// A search (`/works/search`): best match first, no sidebar.
    Search,
    /// A collection's works (`/collections/{name}/works`).
    Collection(i64),
}

/// What a reader does not want to see: tags and byline entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mutes {
    pub tags: Vec<i64>,
    pub creators: Vec<i64>,
}

/// A request built from filters, or the query's syntax error worded for
/// the reader (the page shows it back; the API answers 400).
#[derive(Debug)]
pub struct Built {
    pub request: Request,
    pub error: Option<String>,
}

/// The filter forms of every tag named `name` (any type, or `kind`).
fn tag_forms(
    store: &Store,
    graph: &TagGraph,
    kind: Option<TagType>,
    name: &str,
) -> Result<Vec<i64>, StoreError> {
    let tags = store.tags_named(name)?;
    let mut ids: Vec<i64> = tags
        .into_iter()
        .filter(|t| kind.is_none_or(|k| k == t.kind))
        .map(|t| graph.filter_form(t.id))
        .collect();
    if ids.is_empty()
        && kind == Some(TagType::Rating)
        && let Some(r) = rating_by_word(name)
    {
        ids.extend(
            store
                .tags_named(r.name())?
                .into_iter()
                .filter(|t| t.kind == TagType::Rating)
                .map(|t| t.id),
        );
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// `rating:explicit`, `rating:teen`, `rating:general`, ….
fn rating_by_word(word: &str) -> Option<ficus_core::Rating> {
    let w = word.trim().to_lowercase();
    ficus_core::Rating::NAMES
        .iter()
        .find(|n| n.to_lowercase().starts_with(&w) || n.to_lowercase().split(' ').any(|p| p == w))
        .and_then(|n| ficus_core::Rating::from_name(n))
}

/// One index request for `filters` in `scope`, as `members` (logged in or
/// not) with `mutes`. The window is the first 20 works; callers set
/// `offset`/`limit` (or a cursor) for other pages.
pub fn build_request(
    store: &Store,
    graph: &TagGraph,
    filters: &Filters,
    scope: &Scope,
    members: bool,
    mutes: Mutes,
) -> Result<Built, StoreError> {
    let searching = matches!(scope, Scope::Search) || !filters.query.trim().is_empty();
    let sort = filters.sort.unwrap_or(if searching {
        SortColumn::BestMatch
    } else {
        SortColumn::Updated
    });
    let mut req = Request {
        members,
        sort,
        direction: filters.direction.unwrap_or(sort.default_direction()),
        offset: 0,
        limit: 20,
        facets: !matches!(scope, Scope::Search),
        ..Request::default()
    };
    if let Scope::Collection(id) = scope {
        req.collection = Some(*id);
    }
    if let Scope::Tag(ids) = scope {
        let mut forms: Vec<i64> = ids.iter().map(|&t| graph.filter_form(t)).collect();
        forms.sort_unstable();
        forms.dedup();
        req.include.push(forms);
    }
    for &id in &filters.include_ids {
        req.include.push(vec![graph.filter_form(id)]);
    }
    for &id in &filters.exclude_ids {
        req.exclude.push(graph.filter_form(id));
    }
    for name in &filters.include_names {
        req.include.push(tag_forms(store, graph, None, name)?);
    }
    for name in &filters.exclude_names {
        req.exclude.extend(tag_forms(store, graph, None, name)?);
    }
    apply_mutes(&mut req, graph, mutes);
    if let Some(b) = &filters.bookmarks {
        let mut wanted = ficus_search::BookmarkFilter {
            rec: b.rec,
            with_notes: b.with_notes,
            by_date_bookmarked: b.by_date_bookmarked,
            ..Default::default()
        };
        for name in &b.include_names {
            wanted.include.push(tag_forms(store, graph, None, name)?);
        }
        for name in &b.exclude_names {
            wanted.exclude.extend(tag_forms(store, graph, None, name)?);
        }
        if b.by_date_bookmarked && filters.direction.is_none() {
            req.direction = SortDirection::Desc;
        }
        req.bookmarks = Some(wanted);
    }
    req.crossover = filters.crossover;
    req.complete = filters.complete;
    req.single_chapter = filters.single_chapter;
    if filters.words.0.is_some() || filters.words.1.is_some() {
        req.numbers
            .push((NumericField::Words, filters.words.0, filters.words.1));
    }
    if let Some(k) = filters.kudos_from {
        req.numbers.push((NumericField::Kudos, Some(k), None));
    }
    if let Some(h) = filters.hits_from {
        req.numbers.push((NumericField::Hits, Some(h), None));
    }
    if filters.updated.0.is_some() || filters.updated.1.is_some() {
        req.dates
            .push((DateField::Updated, filters.updated.0, filters.updated.1));
    }
    if let Some(language) = filters.language.as_deref().map(str::trim)
        && !language.is_empty()
    {
        req.language = Some(language.to_lowercase());
    }

    // The search box and the advanced-search boxes share the query's
    // limits, as one query would.
    let typed: usize = [
        &filters.query,
        &filters.title,
        &filters.rating,
        &filters.creators,
    ]
    .iter()
    .map(|text| text.trim().chars().count())
    .sum();
    if typed > MAX_QUERY_CHARS {
        return Ok(Built {
            request: req,
            error: Some(QueryError::TooLong.to_string()),
        });
    }
    let mut query = match filters.query.trim() {
        "" => SearchQuery::default(),
        text => match search_query::parse(text) {
            Ok(parsed) => parsed,
            Err(e) => {
                return Ok(Built {
                    request: req,
                    error: Some(e.to_string()),
                });
            }
        },
    };
    query.require_phrase(TextField::Title, &filters.title);
    query.require_rating(&filters.rating);
    query.require_phrase(TextField::Creators, &filters.creators);
    let terms = query.must.iter().map(|a| a.0.len()).sum::<usize>() + query.must_not.len();
    if terms > MAX_TERMS {
        return Ok(Built {
            request: req,
            error: Some(QueryError::TooManyTerms.to_string()),
        });
    }
    if !filters.query.trim().is_empty() || query.has_terms() {
        if let Some((column, dir)) = query.effective_sort() {
            req.sort = column;
            req.direction = dir;
        }
        let today = chrono::Utc::now().date_naive();
        let mut failure = None;
        let resolved = ResolvedQuery::resolve(query, today, |kind, name| {
            tag_forms(store, graph, kind, name).unwrap_or_else(|e| {
                failure = Some(e);
                Vec::new()
            })
        });
        if let Some(e) = failure {
            return Err(e);
        }
        req.query = Some(resolved);
    }
    Ok(Built {
        request: req,
        error: None,
    })
}

/// Leaves a reader's mutes (tags with their synonyms and subtags, byline
/// entries, blocked and muted accounts' entries) out of a request.
pub fn apply_mutes(req: &mut Request, graph: &TagGraph, mutes: Mutes) {
    req.exclude
        .extend(mutes.tags.iter().map(|&t| graph.filter_form(t)));
    req.exclude_creators.extend(mutes.creators);
}

/// An account's mutes as a request takes them.
pub fn account_mutes(store: &Store, user_id: i64) -> Result<Mutes, StoreError> {
    let m = store.mutes(user_id)?;
    Ok(Mutes {
        tags: m.tag_ids(),
        creators: m.hidden_creator_ids(),
    })
}

#[cfg(test)]
mod tests {
    use ficus_core::wrangling::TagGraph;
    use ficus_store::testing::TestStore;

    use super::*;

    fn built(filters: &Filters) -> Built {
        let store = TestStore::sqlite();
        let graph = TagGraph::new(std::iter::empty(), Vec::new());
        build_request(
            &store,
            &graph,
            filters,
            &Scope::Search,
            false,
            Mutes::default(),
        )
        .expect("request")
    }

    #[test]
    fn the_advanced_boxes_are_typed_terms_within_the_query_limits() {
        let fine = built(&Filters {
            query: "dragons".into(),
            title: "The \"Long\" Way".into(),
            creators: "Ada".into(),
            ..Filters::default()
        });
        assert_eq!(fine.error, None);
        assert!(fine.request.query.is_some());

        let long = built(&Filters {
            title: "word ".repeat(250),
            ..Filters::default()
        });
        assert_eq!(long.error, Some(QueryError::TooLong.to_string()));

        let many = built(&Filters {
            query: (0..MAX_TERMS)
                .map(|i| format!("w{i}"))
                .collect::<Vec<_>>()
                .join(" "),
            title: "one more".into(),
            ..Filters::default()
        });
        assert_eq!(many.error, Some(QueryError::TooManyTerms.to_string()));
    }
}
