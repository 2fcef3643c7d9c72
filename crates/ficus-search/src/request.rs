//! A listing or search request, and turning it into a tantivy query.
//!
//! Everything a reader asked for — filters, the parsed query, their mutes,
//! what they may see — becomes one boolean query, so the total and the
//! sidebar counts are exact for exactly the works they would see.

use std::ops::Bound;

use chrono::NaiveDate;
use ficus_core::TagType;
use ficus_core::search_query::{
    Alternatives, DateField, FlagField, NumericField, SearchQuery, SortColumn, SortDirection, Term,
    TextField,
};
use tantivy::Term as IndexTerm;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::fields::{Fields, day_number};

/// Crossover filter (AO3's include / exclude / only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crossover {
    #[default]
    Include,
    Exclude,
    Only,
}

/// What to list.
#[derive(Debug, Clone)]
pub struct Request {
    /// Every group must match; a group matches when the work's filter tags
    /// hold any of its ids. Ids must be filter forms (see
    /// [`ficus_core::wrangling::TagGraph::filter_form`]).
    pub include: Vec<Vec<i64>>,
    /// Filter-form tag ids no result may carry (excludes and mutes).
    pub exclude: Vec<i64>,
    /// Creator ids no result may have on its byline (mutes).
    pub exclude_creators: Vec<i64>,
    /// When not empty, every result has one of these creator ids on its
    /// byline (a creator's works).
    pub creators: Vec<i64>,
    pub crossover: Crossover,
    pub complete: Option<bool>,
    pub single_chapter: bool,
    /// Inclusive numeric ranges.
    pub numbers: Vec<(NumericField, Option<u64>, Option<u64>)>,
    /// Inclusive date ranges.
    pub dates: Vec<(DateField, Option<NaiveDate>, Option<NaiveDate>)>,
    /// Lowercased language code.
    pub language: Option<String>,
    /// Whether the viewer may see restricted works.
    pub members: bool,
    /// A parsed search query, its tag terms already resolved.
    pub query: Option<ResolvedQuery>,
    pub sort: SortColumn,
    pub direction: SortDirection,
    pub offset: usize,
    pub limit: usize,
    /// Keyset paging: only results ordered after this position (a
    /// [`crate::Hits::next`] of the same request), before `offset` applies.
    pub after: Option<(u64, u64)>,
    /// Whether to count the tags of the results for the sidebar.
    pub facets: bool,
    /// At most this many tags of each type in [`crate::Hits::facets`] (the
    /// most used; counting is exact either way). `None`: all of them.
    pub facet_limit: Option<usize>,
    /// A bookmark listing: only works with public bookmarks, filtered on
    /// what those say.
    pub bookmarks: Option<BookmarkFilter>,
    /// A collection's listing: only its works.
    pub collection: Option<i64>,
}

/// What a bookmark listing asks of the bookmarks (AO3's "Bookmark
/// types" and bookmarker's tags): the works listed are those whose public
/// bookmarks, together, match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookmarkFilter {
    /// Only works a public bookmark recs.
    pub rec: bool,
    /// Only works a public bookmark has notes on.
    pub with_notes: bool,
    /// Every group must match a bookmarker's tag (filter forms).
    pub include: Vec<Vec<i64>>,
    /// No bookmark of a result carries these (filter forms).
    pub exclude: Vec<i64>,
    /// Newest bookmark first (AO3's "Date Bookmarked"), instead of the
    /// request's sort.
    pub by_date_bookmarked: bool,
}

impl Default for Request {
    fn default() -> Self {
        Request {
            include: Vec::new(),
            exclude: Vec::new(),
            exclude_creators: Vec::new(),
            creators: Vec::new(),
            crossover: Crossover::Include,
            complete: None,
            single_chapter: false,
            numbers: Vec::new(),
            dates: Vec::new(),
            language: None,
            members: false,
            query: None,
            sort: SortColumn::Updated,
            direction: SortDirection::Desc,
            offset: 0,
            limit: 20,
            after: None,
            facets: false,
            facet_limit: None,
            bookmarks: None,
            collection: None,
        }
    }
}

/// A [`SearchQuery`] whose tag and rating terms have been looked up:
/// `tags[i]` holds the filter-form ids for the i-th such term, in the
/// order [`ResolvedQuery::tag_terms`] visits them.
#[derive(Debug, Clone)]
pub struct ResolvedQuery {
    pub query: SearchQuery,
    pub tags: Vec<Vec<i64>>,
    /// "Today", for relative dates.
    pub today: NaiveDate,
}

impl ResolvedQuery {
    /// Resolves `query`'s tag terms with `lookup(kind, name)`; ratings are
    /// looked up as [`TagType::Rating`].
    pub fn resolve(
        query: SearchQuery,
        today: NaiveDate,
        mut lookup: impl FnMut(Option<TagType>, &str) -> Vec<i64>,
    ) -> ResolvedQuery {
        let mut tags = Vec::new();
        for term in Self::tag_terms(&query) {
            tags.push(match term {
                Term::TagName { kind, name } => lookup(*kind, name),
                Term::Rating(name) => lookup(Some(TagType::Rating), name),
                _ => Vec::new(),
            });
        }
        ResolvedQuery { query, tags, today }
    }

    /// The tag and rating terms of `query`, in a fixed order.
    pub fn tag_terms(query: &SearchQuery) -> impl Iterator<Item = &Term> {
        query
            .must
            .iter()
            .flat_map(|Alternatives(terms)| terms.iter())
            .chain(query.must_not.iter())
            .filter(|t| matches!(t, Term::TagName { .. } | Term::Rating(_)))
    }

    /// Whether the query has words or phrases (so best match means something).
    pub fn has_text(&self) -> bool {
        self.query
            .must
            .iter()
            .flat_map(|Alternatives(terms)| terms.iter())
            .any(|t| matches!(t, Term::Word { .. } | Term::Phrase { .. }))
    }
}

/// Builds tantivy queries against the index's fields.
pub(crate) struct QueryBuilder<'a> {
    pub fields: &'a Fields,
    pub analyzer: TextAnalyzer,
}

fn term_u64(field: Field, v: u64) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        IndexTerm::from_field_u64(field, v),
        IndexRecordOption::Basic,
    ))
}

fn range_u64(field: Field, lo: Option<u64>, hi: Option<u64>) -> Box<dyn Query> {
    if let (Some(lo), Some(hi)) = (lo, hi)
        && lo > hi
    {
        return Box::new(EmptyQuery);
    }
    let bound = |v: Option<u64>| match v {
        Some(v) => Bound::Included(IndexTerm::from_field_u64(field, v)),
        None => Bound::Unbounded,
    };
    Box::new(RangeQuery::new(bound(lo), bound(hi)))
}

impl QueryBuilder<'_> {
    /// The whole request as one query.
    pub fn build(&mut self, req: &Request) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for group in &req.include {
            clauses.push((Occur::Must, self.any_tag(group)));
        }
        for &tag in &req.exclude {
            clauses.push((Occur::MustNot, term_u64(f.filter_tags, tag as u64)));
        }
        for &c in &req.exclude_creators {
            clauses.push((Occur::MustNot, term_u64(f.creator_ids, c as u64)));
        }
        if !req.creators.is_empty() {
            let any: Vec<(Occur, Box<dyn Query>)> = req
                .creators
                .iter()
                .map(|&c| (Occur::Should, term_u64(f.creator_ids, c as u64)))
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        match req.crossover {
            Crossover::Include => {}
            Crossover::Exclude => clauses.push((Occur::MustNot, term_u64(f.crossover, 1))),
            Crossover::Only => clauses.push((Occur::Must, term_u64(f.crossover, 1))),
        }
        if let Some(complete) = req.complete {
            clauses.push((Occur::Must, term_u64(f.complete, u64::from(complete))));
        }
        if req.single_chapter {
            clauses.push((Occur::Must, range_u64(f.chapters, Some(1), Some(1))));
        }
        for &(field, lo, hi) in &req.numbers {
            clauses.push((Occur::Must, range_u64(self.numeric(field), lo, hi)));
        }
        for &(field, lo, hi) in &req.dates {
            clauses.push((
                Occur::Must,
                range_u64(self.date(field), lo.map(day_number), hi.map(day_number)),
            ));
        }
        if let Some(lang) = &req.language {
            clauses.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    IndexTerm::from_field_text(f.language, lang),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if !req.members {
            clauses.push((Occur::MustNot, term_u64(f.restricted, 1)));
        }
        if let Some(q) = &req.query {
            self.add_search(q, &mut clauses);
        }
        if let Some(c) = req.collection {
            clauses.push((Occur::Must, term_u64(f.collections, c as u64)));
        }
        if let Some(b) = &req.bookmarks {
            clauses.push((Occur::Must, term_u64(f.bookmarked, 1)));
            if b.rec {
                clauses.push((Occur::Must, term_u64(f.bookmark_rec, 1)));
            }
            if b.with_notes {
                clauses.push((Occur::Must, term_u64(f.bookmark_notes, 1)));
            }
            for group in &b.include {
                let any: Vec<(Occur, Box<dyn Query>)> = group
                    .iter()
                    .map(|&t| (Occur::Should, term_u64(f.bookmarker_tags, t as u64)))
                    .collect();
                clauses.push((Occur::Must, Box::new(BooleanQuery::new(any))));
            }
            for &t in &b.exclude {
                clauses.push((Occur::MustNot, term_u64(f.bookmarker_tags, t as u64)));
            }
        }
        if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn any_tag(&self, ids: &[i64]) -> Box<dyn Query> {
        match ids {
            [] => Box::new(EmptyQuery),
            [one] => term_u64(self.fields.filter_tags, *one as u64),
            many => Box::new(BooleanQuery::new(
                many.iter()
                    .map(|&t| (Occur::Should, term_u64(self.fields.filter_tags, t as u64)))
                    .collect(),
            )),
        }
    }

    fn numeric(&self, field: NumericField) -> Field {
        let f = self.fields;
        match field {
            NumericField::Words => f.words,
            NumericField::Kudos => f.kudos,
            NumericField::Hits => f.hits,
            NumericField::Comments => f.comments,
            NumericField::Bookmarks => f.bookmarks,
            NumericField::Chapters => f.chapters,
        }
    }

    fn date(&self, field: DateField) -> Field {
        match field {
            DateField::Posted => self.fields.published,
            DateField::Updated => self.fields.updated,
        }
    }

    fn text_fields(&self, field: Option<TextField>) -> Vec<(Field, f32)> {
        let f = self.fields;
        match field {
            None => vec![
                (f.title, 3.0),
                (f.creators, 2.0),
                (f.tag_names, 2.0),
                (f.summary, 1.5),
                (f.notes, 1.0),
                (f.series, 1.5),
                (f.body, 1.0),
            ],
            Some(TextField::Title) => vec![(f.title, 1.0)],
            Some(TextField::Creators) => vec![(f.creators, 1.0)],
            Some(TextField::Summary) => vec![(f.summary, 1.0)],
            Some(TextField::Notes) => vec![(f.notes, 1.0)],
            Some(TextField::Tags) => vec![(f.tag_names, 1.0)],
            Some(TextField::Body) => vec![(f.body, 1.0)],
            Some(TextField::Series) => vec![(f.series, 1.0)],
        }
    }

    /// The index's tokens for `text`.
    pub fn tokens(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stream = self.analyzer.token_stream(text);
        while stream.advance() {
            out.push(stream.token().text.clone());
        }
        out
    }

    /// Words (in order) in any of `fields`.
    fn text_query(&mut self, fields: &[(Field, f32)], words: &[String]) -> Box<dyn Query> {
        let tokens: Vec<String> = words.iter().flat_map(|w| self.tokens(w)).collect();
        if tokens.is_empty() {
            return Box::new(AllQuery);
        }
        let per_field = fields
            .iter()
            .map(|&(field, boost)| {
                let q: Box<dyn Query> = if let [one] = tokens.as_slice() {
                    Box::new(TermQuery::new(
                        IndexTerm::from_field_text(field, one),
                        IndexRecordOption::WithFreqs,
                    ))
                } else {
                    Box::new(PhraseQuery::new(
                        tokens
                            .iter()
                            .map(|t| IndexTerm::from_field_text(field, t))
                            .collect(),
                    ))
                };
                let q: Box<dyn Query> = if (boost - 1.0).abs() > f32::EPSILON {
                    Box::new(BoostQuery::new(q, boost))
                } else {
                    q
                };
                (Occur::Should, q)
            })
            .collect();
        Box::new(BooleanQuery::new(per_field))
    }

    fn add_search(&mut self, q: &ResolvedQuery, clauses: &mut Vec<(Occur, Box<dyn Query>)>) {
        let mut tags = q.tags.iter();
        for Alternatives(terms) in &q.query.must {
            let alternatives: Vec<Box<dyn Query>> = terms
                .iter()
                .map(|t| self.term(t, &mut tags, q.today))
                .collect();
            let clause: Box<dyn Query> = if alternatives.len() == 1 {
                alternatives
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Box::new(AllQuery))
            } else {
                Box::new(BooleanQuery::new(
                    alternatives
                        .into_iter()
                        .map(|a| (Occur::Should, a))
                        .collect(),
                ))
            };
            clauses.push((Occur::Must, clause));
        }
        for t in &q.query.must_not {
            let query = self.term(t, &mut tags, q.today);
            clauses.push((Occur::MustNot, query));
        }
    }

    fn term<'t>(
        &mut self,
        term: &Term,
        tags: &mut impl Iterator<Item = &'t Vec<i64>>,
        today: NaiveDate,
    ) -> Box<dyn Query> {
        let f = self.fields;
        match term {
            Term::Word { field, word } => {
                let fields = self.text_fields(*field);
                self.text_query(&fields, std::slice::from_ref(word))
            }
            Term::Phrase { field, words } => {
                let fields = self.text_fields(*field);
                self.text_query(&fields, words)
            }
            Term::Range { field, lo, hi } => range_u64(self.numeric(*field), *lo, *hi),
            Term::DateRange { field, lo, hi } => {
                let lo = lo.map(|b| day_number(b.resolve(today)));
                let hi = hi.map(|b| day_number(b.resolve(today)));
                range_u64(self.date(*field), lo, hi)
            }
            Term::Flag { field, value } => match field {
                FlagField::Complete => term_u64(f.complete, u64::from(*value)),
                FlagField::Crossover => term_u64(f.crossover, u64::from(*value)),
                FlagField::Restricted => term_u64(f.restricted, u64::from(*value)),
                FlagField::SingleChapter => {
                    if *value {
                        range_u64(f.chapters, Some(1), Some(1))
                    } else {
                        range_u64(f.chapters, Some(2), None)
                    }
                }
            },
            Term::Language(lang) => Box::new(TermQuery::new(
                IndexTerm::from_field_text(f.language, &lang.to_lowercase()),
                IndexRecordOption::Basic,
            )),
            Term::TagName { .. } | Term::Rating(_) => {
                let ids = tags.next().cloned().unwrap_or_default();
                self.any_tag(&ids)
            }
        }
    }
}
