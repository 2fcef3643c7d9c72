//! Browsing, filtering and searching works through the search index:
//! `/works`, `/tags/{name}/works` and `/works/search`.
//!
//! The reader's choices live in the URL under AO3's `work_search[...]`
//! names, so a filtered page can be bookmarked and shared, and the form
//! works without JavaScript. Mutes (saved for accounts, in a cookie for
//! guests) go into the index query itself, so totals and sidebar counts
//! count only what the reader sees.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use chrono::NaiveDate;
use ficus_app::discovery::{self, Filters};
use ficus_core::TagType;
use ficus_core::html::escape;
use ficus_core::search_query::{SortColumn, SortDirection};
use ficus_core::tag::tag_from_url_name;
use ficus_search::{Crossover, Request};
use ficus_store::subscriptions::SavedSearch;

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, guest_mutes};
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{self, Blurb, Pager, blurb_for, pager};

/// Works per page, as on AO3.
const PER_PAGE: usize = 20;
/// Tags shown per type in the sidebar before "see all".
const SIDEBAR_TOP: usize = 10;
/// Tags shown per type when the reader asked to see all of one type.
const SIDEBAR_ALL: usize = 1_000;

/// The types with include/exclude checkboxes, with AO3's parameter names.
const FILTER_TYPES: [(TagType, &str); 7] = [
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
        })
    }
}

/// Splits AO3's comma-separated tag-name lists.
fn names(list: &str) -> impl Iterator<Item = &str> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Where a listing comes from, with what the page shows of it.
pub(crate) enum Scope {
    All,
    /// The tag's ids (every type of its name) and its name as shown.
    Tag(Vec<i64>, String),
    Search,
}

impl Scope {
    fn discovery(&self) -> discovery::Scope {
        match self {
            Scope::All => discovery::Scope::All,
            Scope::Tag(ids, _) => discovery::Scope::Tag(ids.clone()),
            Scope::Search => discovery::Scope::Search,
        }
    }
}

/// A rating choice in the advanced search form.
pub struct RatingChoice {
    pub name: &'static str,
    pub selected: bool,
}

/// One tag in the sidebar.
pub struct FacetTag {
    pub id: i64,
    pub name: String,
    pub count: String,
    pub included: bool,
    pub excluded: bool,
}

/// One type's tags in the sidebar.
pub struct FacetGroup {
    pub label: &'static str,
    pub class: &'static str,
    pub param: &'static str,
    pub tags: Vec<FacetTag>,
    /// Link to the list of all this type's tags, when cut short.
    pub more_href: Option<String>,
}

/// A sort choice in the form.
pub struct SortChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "works_filter.html")]
struct FilterPage {
    chrome: Chrome,
    heading: String,
    heading_html: String,
    found_text: String,
    search_page: bool,
    main_class: &'static str,
    action: String,
    error: Option<String>,
    form: FilterForm,
    sorts: Vec<SortChoice>,
    ratings: Vec<RatingChoice>,
    facets: Vec<FacetGroup>,
    blurbs: Vec<Blurb>,
    pager: Pager,
    empty_text: &'static str,
    follow: Option<SearchFollow>,
}

/// The "Subscribe to this search" button of a signed-in reader.
struct SearchFollow {
    login: String,
    /// The listing's address, as the form sends it.
    address: String,
    /// The reader's subscription to it, when there is one.
    existing: Option<i64>,
}

async fn render(
    st: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    raw: Option<String>,
    scope: Scope,
) -> Result<Response, WebError> {
    let form = FilterForm::parse(raw.as_deref())?;
    let filters = form.to_filters()?;
    let members = visitor.viewer().is_member();
    let user = visitor.user.as_ref().map(|u| u.id);
    let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
    let guest = guest_mutes(&headers);
    let search = st.search.clone();
    let (scope, form, built, hits, works, facet_names, snippets) = st
        .web_blocking(move |store| {
            let mutes = match user {
                Some(id) => ficus_app::discovery::account_mutes(store, id)?,
                None => guest,
            };
            let graph = search.graph();
            let mut built = discovery::build_request(
                store,
                &graph,
                &filters,
                &scope.discovery(),
                members,
                mutes,
            )?;
            built.request.offset = (form.page as usize - 1) * PER_PAGE;
            built.request.limit = PER_PAGE;
            let hits = if built.error.is_some() {
                ficus_search::Hits::default()
            } else {
                search.index.search(&built.request)?
            };
            let works = store.works_by_ids(&hits.ids)?;
            let mut wanted: Vec<i64> = Vec::new();
            for (kind, list) in &hits.facets {
                let n = if form.show_all == Some(*kind) {
                    SIDEBAR_ALL
                } else {
                    SIDEBAR_TOP
                };
                wanted.extend(list.iter().take(n).map(|(id, _)| *id));
            }
            wanted.extend(&form.include_ids);
            wanted.extend(&form.exclude_ids);
            let facet_names: HashMap<i64, String> = store
                .tags_by_ids(&wanted)?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            let mut snippets = HashMap::new();
            if built.request.query.as_ref().is_some_and(|q| q.has_text()) {
                for w in &works {
                    let text: String = store
                        .chapters_full(w.id)?
                        .iter()
                        .map(|c| ficus_core::html::plain_text(&c.body))
                        .collect::<Vec<_>>()
                        .join("\n");
                    if let Some(s) = search.index.snippet(&built.request, &text)? {
                        snippets.insert(w.id, s);
                    }
                }
            }
            Ok((scope, form, built, hits, works, facet_names, snippets))
        })
        .await?;
    let page_count = hits.total.div_ceil(PER_PAGE as u64).max(1);
    if u64::from(form.page) > page_count {
        return Err(WebError::NotFound(format!(
            "There are only {page_count} pages here; page {} does not exist.",
            form.page
        )));
    }
    let (base, heading, heading_html, main_class, search_page) = match &scope {
        Scope::All => (
            "/works".to_string(),
            "Works".to_string(),
            String::new(),
            "works-index dashboard filtered region",
            false,
        ),
        Scope::Tag(_, name) => {
            let href = view::tag_works_href(name);
            (
                href.clone(),
                format!("Works in {name}"),
                format!(
                    " in <a class=\"tag\" href=\"{}\">{}</a>",
                    escape(&href),
                    escape(name)
                ),
                "works-index dashboard filtered region",
                false,
            )
        }
        Scope::Search => (
            "/works/search".to_string(),
            "Search Works".to_string(),
            String::new(),
            "works-search region",
            true,
        ),
    };
    let total = hits.total;
    let first = (form.page as u64 - 1) * PER_PAGE as u64 + 1;
    let range = if total == 0 {
        "0 Works".to_string()
    } else {
        format!(
            "{} - {} of {} Works",
            view::thousands(first as i64),
            view::thousands((first + works.len() as u64).saturating_sub(1) as i64),
            view::thousands(total as i64)
        )
    };
    let found_text = format!("{} Found", view::thousands(total as i64));
    let qs = form.query_string();
    let with_qs = if qs.is_empty() {
        base.clone()
    } else {
        format!("{base}?{qs}")
    };
    let mut facets = Vec::new();
    for (kind, param) in FILTER_TYPES {
        let Some((_, list)) = hits.facets.iter().find(|(k, _)| *k == kind) else {
            continue;
        };
        let n = if form.show_all == Some(kind) {
            SIDEBAR_ALL
        } else {
            SIDEBAR_TOP
        };
        let tags = list
            .iter()
            .take(n)
            .map(|&(id, count)| FacetTag {
                id,
                name: facet_names
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("tag {id}")),
                count: view::thousands(i64::from(count)),
                included: form.include_ids.contains(&id),
                excluded: form.exclude_ids.contains(&id),
            })
            .collect();
        let sep = if qs.is_empty() { '?' } else { '&' };
        facets.push(FacetGroup {
            label: kind.label(true),
            class: kind.css_class(),
            param,
            tags,
            more_href: (list.len() > n)
                .then(|| format!("{with_qs}{sep}show_all={}", kind.as_str())),
        });
    }
    let (column, direction) = built.request.sort_pair();
    let sorts = SortColumn::ALL
        .iter()
        .filter(|c| search_page || **c != SortColumn::BestMatch)
        .map(|c| SortChoice {
            value: c.ao3_param(),
            label: c.label(),
            selected: *c == column,
        })
        .collect();
    let _ = direction;
    let blurbs = works
        .iter()
        .map(|w| {
            let mut b = blurb_for(w, &prefs);
            b.snippet = snippets.get(&w.id).cloned();
            b
        })
        .collect();
    let ratings = ficus_core::Rating::NAMES
        .iter()
        .map(|&name| RatingChoice {
            name,
            selected: form.rating == name,
        })
        .collect();
    let follow = match &visitor.user {
        Some(u) if built.error.is_none() => {
            let search = SavedSearch {
                path: base.clone(),
                query: qs.clone(),
            };
            let uid = u.id;
            Some(SearchFollow {
                login: u.login.clone(),
                address: with_qs.clone(),
                existing: st
                    .db(move |s| s.search_subscription_to(uid, &search))
                    .await?,
            })
        }
        _ => None,
    };
    let page = FilterPage {
        chrome: Chrome::of(&visitor),
        follow,
        ratings,
        heading_html: format!("{}{}", escape(&range), heading_html),
        heading,
        found_text,
        search_page,
        main_class,
        action: base,
        error: built.error,
        sorts,
        facets,
        blurbs,
        pager: pager(&with_qs, form.page, page_count as u32),
        empty_text: "No works match these filters.",
        form,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /works`: every visible work, filterable.
pub async fn works_index(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    render(st, visitor, headers, raw, Scope::All).await
}

/// `GET /works/search`: the search box and advanced search.
pub async fn search(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    render(st, visitor, headers, raw, Scope::Search).await
}

/// `GET /tags/{name}/works`: works whose filter tags include the tag (its
/// synonyms and subtags count), filterable.
pub async fn tag_works(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(raw_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let name = tag_from_url_name(&raw_name);
    let lookup = name.clone();
    let tags = st.db(move |s| s.tags_named(&lookup)).await?;
    if tags.is_empty() {
        return Err(WebError::NotFound(format!(
            "There is no tag named {name:?}."
        )));
    }
    let display = tags[0].name.clone();
    let ids = tags.iter().map(|t| t.id).collect();
    render(st, visitor, headers, raw, Scope::Tag(ids, display)).await
}

/// The sort pair of a request.
trait SortPair {
    fn sort_pair(&self) -> (SortColumn, SortDirection);
}

impl SortPair for Request {
    fn sort_pair(&self) -> (SortColumn, SortDirection) {
        (self.sort, self.direction)
    }
}

/// A listing's address (`/works`, `/works/search` or
/// `/tags/{name}/works`, with its `work_search[...]` filters) as a saved
/// search: the path with the tag's name as the archive writes it, and the
/// filters normalized (the page and anything else dropped). A malformed
/// filter is refused here, as the listing would refuse it.
pub(crate) fn saved_search(address: &str) -> Result<SavedSearch, WebError> {
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
pub(crate) fn saved_filters(
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
