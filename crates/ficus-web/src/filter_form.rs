//! A listing's filters as they travel in its address: AO3's
//! `work_search[...]` parameters parsed strictly into a [`FilterForm`]
//! (what the reader typed, for the form) and turned into the use case's
//! typed [`Filters`]; and saved searches, a listing's address kept to be
//! matched later. The listing pages, the API's saved searches and the
//! fan-out's matcher all read addresses here.

use std::collections::HashMap;

use chrono::NaiveDate;
use ficus_app::discovery::{self, Filters};
use ficus_core::TagType;
use ficus_core::search_query::{SortColumn, SortDirection};
use ficus_core::tag::tag_from_url_name;
use ficus_search::Crossover;
use ficus_store::subscriptions::SavedSearch;

use crate::error::WebError;
use crate::params;
use crate::view;

/// The types with include/exclude checkboxes, with AO3's parameter names.
pub(crate) const FILTER_TYPES: [(TagType, &str); 7] = [
    (TagType::Rating, "rating_ids"),
    (TagType::ArchiveWarning, "archive_warning_ids"),
    (TagType::Category, "category_ids"),
    (TagType::Fandom, "fandom_ids"),
    (TagType::Character, "character_ids"),
    (TagType::Relationship, "relationship_ids"),
    (TagType::Freeform, "freeform_ids"),
];

/// What the reader chose, as typed (for the form) and as parsed.
#[derive(Debug, Clone, Default)]
pub struct FilterForm {
    pub query: String,
    pub sort_column: String,
    pub sort_direction: String,
    pub words_from: String,
    pub words_to: String,
    pub date_from: String,
    pub date_to: String,
    /// "", "T" or "F".
    pub complete: String,
    /// "" (include), "F" (exclude) or "T" (only).
    pub crossover: String,
    pub language: String,
    pub single_chapter: bool,
    pub other_tag_names: String,
    pub excluded_tag_names: String,
    pub include_ids: Vec<i64>,
    pub exclude_ids: Vec<i64>,
    /// Advanced search fields (search page only).
    pub title: String,
    pub creators: String,
    pub kudos_from: String,
    pub hits_from: String,
    /// A rating name (advanced search).
    pub rating: String,
    pub page: u32,
    /// The type whose sidebar list is shown in full.
    pub show_all: Option<TagType>,
}

fn parse_id(raw: &str) -> Result<i64, WebError> {
    params::id(raw.trim(), "tag")
}

fn number(raw: &str, what: &str) -> Result<Option<u64>, WebError> {
    let t = raw.trim().replace(',', "");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u64>()
        .map(Some)
        .map_err(|_| WebError::BadRequest(format!("{raw:?} is not a number of {what}.")))
}

fn date(raw: &str) -> Result<Option<NaiveDate>, WebError> {
    let t = raw.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| WebError::BadRequest(format!("{raw:?} is not a date (use YYYY-MM-DD).")))
}

impl FilterForm {
    /// Parses the raw query string strictly (bad UTF-8 or numbers are 400s).
    pub fn parse(raw: Option<&str>) -> Result<FilterForm, WebError> {
        let pairs = params::parse_form(raw.unwrap_or("").as_bytes())?;
        let mut f = FilterForm {
            page: 1,
            ..FilterForm::default()
        };
        for (k, v) in pairs {
            let Some(name) = k.strip_prefix("work_search[") else {
                match k.as_str() {
                    "page" => {
                        let mut m = HashMap::new();
                        m.insert("page".to_string(), v);
                        f.page = params::page(&m)?;
                    }
                    "show_all" => f.show_all = TagType::parse(&v),
                    _ => {}
                }
                continue;
            };
            let name = name.trim_end_matches("[]").trim_end_matches(']');
            match name {
                "query" => f.query = v,
                "sort_column" => f.sort_column = v,
                "sort_direction" => f.sort_direction = v,
                "words_from" => f.words_from = v,
                "words_to" => f.words_to = v,
                "date_from" => f.date_from = v,
                "date_to" => f.date_to = v,
                "complete" => f.complete = v,
                "crossover" => f.crossover = v,
                "language_id" => f.language = v,
                "single_chapter" => f.single_chapter = v == "1" || v == "true",
                "other_tag_names" => f.other_tag_names = v,
                "excluded_tag_names" => f.excluded_tag_names = v,
                "excluded_tag_ids" if !v.trim().is_empty() => f.exclude_ids.push(parse_id(&v)?),
                "title" => f.title = v,
                "creators" => f.creators = v,
                "kudos_count" => f.kudos_from = v,
                "hits" => f.hits_from = v,
                "rating" => f.rating = v,
                other if FILTER_TYPES.iter().any(|(_, p)| *p == other) && !v.trim().is_empty() => {
                    f.include_ids.push(parse_id(&v)?)
                }
                _ => {}
            }
        }
        if f.include_ids.len() + f.exclude_ids.len() > 200 {
            return Err(WebError::BadRequest(
                "Too many tags in one filter (at most 200).".into(),
            ));
        }
        Ok(f)
    }

    /// The query string that reproduces this form (without the page).
    pub fn query_string(&self) -> String {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                out.push((format!("work_search[{k}]"), v.to_string()));
            }
        };
        put("query", &self.query);
        put("sort_column", &self.sort_column);
        put("sort_direction", &self.sort_direction);
        put("words_from", &self.words_from);
        put("words_to", &self.words_to);
        put("date_from", &self.date_from);
        put("date_to", &self.date_to);
        put("complete", &self.complete);
        put("crossover", &self.crossover);
        put("language_id", &self.language);
        put("single_chapter", if self.single_chapter { "1" } else { "" });
        put("other_tag_names", &self.other_tag_names);
        put("excluded_tag_names", &self.excluded_tag_names);
        put("title", &self.title);
        put("creators", &self.creators);
        put("kudos_count", &self.kudos_from);
        put("hits", &self.hits_from);
        put("rating", &self.rating);
        for id in &self.include_ids {
            out.push(("work_search[freeform_ids][]".into(), id.to_string()));
        }
        for id in &self.exclude_ids {
            out.push(("work_search[excluded_tag_ids][]".into(), id.to_string()));
        }
        out.iter()
            .map(|(k, v)| format!("{}={}", view::encode_query(k), view::encode_query(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The typed filters this form stands for; a malformed number, date,
    /// sort or direction is a 400.
    pub fn to_filters(&self) -> Result<Filters, WebError> {
        let sort = match self.sort_column.trim() {
            "" => None,
            raw => Some(
                SortColumn::from_ao3_param(raw)
                    .ok_or_else(|| WebError::BadRequest(format!("{raw:?} is not a sort order.")))?,
            ),
        };
        let direction = match self.sort_direction.trim() {
            "" => None,
            raw => Some(SortDirection::parse(raw).ok_or_else(|| {
                WebError::BadRequest(format!("{raw:?} is not a sort direction (asc or desc)."))
            })?),
        };
        Ok(Filters {
            query: self.query.clone(),
            title: self.title.clone(),
            creators: self.creators.clone(),
            rating: self.rating.clone(),
            sort,
            direction,
            words: (
                number(&self.words_from, "words")?,
                number(&self.words_to, "words")?,
            ),
            kudos_from: number(&self.kudos_from, "kudos")?,
            hits_from: number(&self.hits_from, "hits")?,
            updated: (date(&self.date_from)?, date(&self.date_to)?),
            complete: match self.complete.as_str() {
                "T" => Some(true),
                "F" => Some(false),
                _ => None,
            },
            crossover: match self.crossover.as_str() {
                "T" => Crossover::Only,
                "F" => Crossover::Exclude,
                _ => Crossover::Include,
            },
            language: Some(self.language.clone()).filter(|l| !l.trim().is_empty()),
            single_chapter: self.single_chapter,
            include_ids: self.include_ids.clone(),
            exclude_ids: self.exclude_ids.clone(),
            include_names: names(&self.other_tag_names).map(str::to_string).collect(),
            exclude_names: names(&self.excluded_tag_names)
                .map(str::to_string)
                .collect(),
            bookmarks: None,
        })
    }
}

/// A bookmark listing's own choices, under AO3's `bookmark_search[...]`
/// names (the bookmarked works' filters are the [`FilterForm`]'s).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookmarkSearchForm {
    pub rec: bool,
    pub with_notes: bool,
    /// Bookmarker's tags, comma-separated.
    pub other_bookmark_tag_names: String,
    pub excluded_bookmark_tag_names: String,
    /// `created_at` (Date Bookmarked, the default) or `bookmarkable_date`
    /// (Date Updated).
    pub sort_column: String,
}

impl BookmarkSearchForm {
    /// Parses the raw query string strictly; an unknown sort is a 400.
    pub fn parse(raw: Option<&str>) -> Result<BookmarkSearchForm, WebError> {
        let mut f = BookmarkSearchForm::default();
        for (k, v) in params::parse_form(raw.unwrap_or("").as_bytes())? {
            let Some(name) = k.strip_prefix("bookmark_search[") else {
                continue;
            };
            match name.trim_end_matches(']') {
                "rec" => f.rec = v == "1" || v == "true",
                "with_notes" => f.with_notes = v == "1" || v == "true",
                "other_bookmark_tag_names" => f.other_bookmark_tag_names = v,
                "excluded_bookmark_tag_names" => f.excluded_bookmark_tag_names = v,
                "sort_column" => match v.trim() {
                    "" | "created_at" | "bookmarkable_date" => f.sort_column = v.trim().into(),
                    other => {
                        return Err(WebError::BadRequest(format!(
                            "{other:?} is not a bookmark sort order (created_at or bookmarkable_date)."
                        )));
                    }
                },
                _ => {}
            }
        }
        Ok(f)
    }

    /// Whether the raw query string asks for a filtered bookmark listing
    /// (any `bookmark_search[...]` or `work_search[...]` field).
    pub fn asked(raw: Option<&str>) -> Result<bool, WebError> {
        Ok(params::parse_form(raw.unwrap_or("").as_bytes())?
            .iter()
            .any(|(k, _)| k.starts_with("bookmark_search[") || k.starts_with("work_search[")))
    }

    /// Sorted by the item's update ("Date Updated").
    pub fn by_date_updated(&self) -> bool {
        self.sort_column == "bookmarkable_date"
    }

    /// The query string that reproduces these choices.
    pub fn query_string(&self) -> String {
        let mut out: Vec<(String, String)> = Vec::new();
        let mut put = |k: &str, v: &str| {
            if !v.is_empty() {
                out.push((format!("bookmark_search[{k}]"), v.to_string()));
            }
        };
        put("rec", if self.rec { "1" } else { "" });
        put("with_notes", if self.with_notes { "1" } else { "" });
        put("other_bookmark_tag_names", &self.other_bookmark_tag_names);
        put(
            "excluded_bookmark_tag_names",
            &self.excluded_bookmark_tag_names,
        );
        put("sort_column", &self.sort_column);
        out.iter()
            .map(|(k, v)| format!("{}={}", view::encode_query(k), view::encode_query(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The typed filters.
    pub fn to_filters(&self) -> discovery::BookmarkFilters {
        discovery::BookmarkFilters {
            rec: self.rec,
            with_notes: self.with_notes,
            include_names: names(&self.other_bookmark_tag_names)
                .map(str::to_string)
                .collect(),
            exclude_names: names(&self.excluded_bookmark_tag_names)
                .map(str::to_string)
                .collect(),
            by_date_bookmarked: !self.by_date_updated(),
        }
    }
}

/// Splits AO3's comma-separated tag-name lists.
fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// The longest listing address kept as a saved search.
pub const MAX_SAVED_ADDRESS: usize = 2_000;

/// A listing's address (`/works`, `/works/search` or
/// `/tags/{name}/works`, with its `work_search[...]` filters) as a saved
/// search: the path with the tag's name as the archive writes it, and the
/// filters normalized (the page and anything else dropped). A malformed
/// filter is refused here, as the listing would refuse it.
pub fn saved_search(address: &str) -> Result<SavedSearch, WebError> {
    if address.len() > MAX_SAVED_ADDRESS {
        return Err(WebError::BadRequest(format!(
            "A saved search's address is at most {MAX_SAVED_ADDRESS} characters."
        )));
    }
    let (path, raw) = match address.trim().split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (address.trim(), None),
    };
    let path = if path == "/works" || path == "/works/search" {
        path.to_string()
    } else {
        let name = path
            .strip_prefix("/tags/")
            .and_then(|rest| rest.strip_suffix("/works"))
            .filter(|n| !n.is_empty() && !n.contains('/'))
            .ok_or_else(|| {
                WebError::BadRequest(
                    "A saved search is a listing: /works, /works/search or /tags/NAME/works."
                        .into(),
                )
            })?;
        let decoded = percent_encoding::percent_decode_str(name)
            .decode_utf8()
            .map_err(|_| WebError::BadRequest("The tag's name is not valid UTF-8.".into()))?;
        let tag = tag_from_url_name(&decoded);
        format!(
            "/tags/{}/works",
            view::encode_segment(&ficus_core::tag::tag_to_url_name(&tag))
        )
    };
    let form = FilterForm::parse(raw)?;
    form.to_filters()?;
    Ok(SavedSearch {
        path,
        query: form.query_string(),
    })
}

/// What a saved search asks for, as the listing would build it; `None`
/// when it no longer stands for a listing (its tag is gone).
pub fn saved_filters(
    store: &ficus_store::Store,
    search: &SavedSearch,
) -> Result<Option<(discovery::Scope, Filters)>, ficus_store::StoreError> {
    let scope = match search.path.as_str() {
        "/works" => discovery::Scope::All,
        "/works/search" => discovery::Scope::Search,
        other => {
            let Some(name) = other
                .strip_prefix("/tags/")
                .and_then(|r| r.strip_suffix("/works"))
            else {
                return Ok(None);
            };
            let Ok(decoded) = percent_encoding::percent_decode_str(name).decode_utf8() else {
                return Ok(None);
            };
            let tags = store.tags_named(&tag_from_url_name(&decoded))?;
            if tags.is_empty() {
                return Ok(None);
            }
            discovery::Scope::Tag(tags.iter().map(|t| t.id).collect())
        }
    };
    let filters = match FilterForm::parse(Some(&search.query)).and_then(|f| f.to_filters()) {
        Ok(f) => f,
        Err(_) => return Ok(None),
    };
    Ok(Some((scope, filters)))
}
