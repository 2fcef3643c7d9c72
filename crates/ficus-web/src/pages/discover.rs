//! Browsing, filtering and searching works through the search index:
//! `/works`, `/tags/{name}/works` and `/works/search`; and the bookmark
//! listings `/tags/{name}/bookmarks` and `/bookmarks?…` (each bookmarked
//! work once, its newest public bookmarks under it, AO3's grouping).
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
use ficus_app::discovery::{self};
use ficus_core::html::escape;
use ficus_core::search_query::{SortColumn, SortDirection};
use ficus_core::tag::tag_from_url_name;
use ficus_search::Request;
use ficus_store::subscriptions::SavedSearch;

use crate::AppState;
use crate::error::WebError;
use crate::filter_form::{BookmarkSearchForm, FILTER_TYPES, FilterForm};
use crate::params::guest_mutes;
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{self, Blurb, Pager, blurb_for, pager};

/// Works per page, as on AO3.
const PER_PAGE: usize = 20;
/// Tags shown per type in the sidebar before "see all".
const SIDEBAR_TOP: usize = 10;
/// Tags shown per type when the reader asked to see all of one type.
const SIDEBAR_ALL: usize = 1_000;

/// Where a listing comes from, with what the page shows of it.
pub(crate) enum Scope {
    All,
    /// The tag's ids (every type of its name) and its name as shown.
    Tag(Vec<i64>, String),
    Search,
    /// Bookmarked works: the archive's (`/bookmarks?…`) or a tag's
    /// (`/tags/{name}/bookmarks`: its ids and name as shown).
    Bookmarks(Option<(Vec<i64>, String)>),
    /// A collection's works: its id, URL name and title.
    Collection(i64, String, String),
}

impl Scope {
    fn discovery(&self) -> discovery::Scope {
        match self {
            Scope::All | Scope::Bookmarks(None) => discovery::Scope::All,
            Scope::Tag(ids, _) | Scope::Bookmarks(Some((ids, _))) => {
                discovery::Scope::Tag(ids.clone())
            }
            Scope::Search => discovery::Scope::Search,
            Scope::Collection(id, _, _) => discovery::Scope::Collection(*id),
        }
    }
}

/// Bookmarks shown under each work of a bookmark listing.
const BOOKMARKS_UNDER: i64 = 5;

/// One public bookmark under its work on a bookmark listing.
pub struct BookmarkLineView {
    pub id: i64,
    pub pseud: String,
    pub bookmarker_href: String,
    pub date: String,
    pub rec: bool,
    /// (name, href)
    pub tags: Vec<(String, String)>,
    pub notes: Option<String>,
}

/// What a bookmark listing adds to the page.
struct BookmarkMode {
    form: BookmarkSearchForm,
    /// Each work with its newest public bookmarks.
    items: Vec<(Blurb, Vec<BookmarkLineView>)>,
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
    bookmark_mode: Option<BookmarkMode>,
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
    let mut filters = form.to_filters()?;
    let bookmark_form = match &scope {
        Scope::Bookmarks(_) => Some(BookmarkSearchForm::parse(raw.as_deref())?),
        _ => None,
    };
    filters.bookmarks = bookmark_form.as_ref().map(BookmarkSearchForm::to_filters);
    let viewer = visitor.viewer();
    let members = viewer.is_member();
    let user = visitor.user.as_ref().map(|u| u.id);
    let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
    let guest = guest_mutes(&headers);
    let search = st.search.clone();
    let bookmark_listing = bookmark_form.is_some();
    let (scope, form, built, hits, works, facet_names, snippets, under) = st
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
            // One more than shown: whether there are more ("See all").
            built.request.facet_limit = Some(
                if form.show_all.is_some() {
                    SIDEBAR_ALL
                } else {
                    SIDEBAR_TOP
                } + 1,
            );
            let hits = if built.error.is_some() {
                ficus_search::Hits::default()
            } else {
                search.index.search(&built.request)?
            };
            let works = store.works_by_ids(&hits.ids)?;
            let under = if bookmark_listing {
                store.bookmarks_under_works(&hits.ids, viewer, BOOKMARKS_UNDER)?
            } else {
                HashMap::new()
            };
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
            Ok((
                scope,
                form,
                built,
                hits,
                works,
                facet_names,
                snippets,
                under,
            ))
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
        Scope::Collection(_, name, title) => {
            let href = format!("/collections/{}", view::encode_segment(name));
            (
                format!("{href}/works"),
                format!("Works in {title}"),
                format!(" in <a href=\"{}\">{}</a>", escape(&href), escape(title)),
                "works-index dashboard filtered region",
                false,
            )
        }
        Scope::Bookmarks(None) => (
            "/bookmarks".to_string(),
            "Bookmarks".to_string(),
            String::new(),
            "bookmarks-index dashboard filtered region",
            false,
        ),
        Scope::Bookmarks(Some((_, name))) => {
            let href = view::tag_href(name);
            (
                format!("{href}/bookmarks"),
                format!("Bookmarks in {name}"),
                format!(
                    " in <a class=\"tag\" href=\"{}\">{}</a>",
                    escape(&href),
                    escape(name)
                ),
                "bookmarks-index dashboard filtered region",
                false,
            )
        }
    };
    let total = hits.total;
    let first = (form.page as u64 - 1) * PER_PAGE as u64 + 1;
    let noun = if bookmark_listing {
        "Bookmarked Items"
    } else {
        "Works"
    };
    let range = if total == 0 {
        format!("0 {noun}")
    } else {
        format!(
            "{} - {} of {} {noun}",
            view::thousands(first as i64),
            view::thousands((first + works.len() as u64).saturating_sub(1) as i64),
            view::thousands(total as i64)
        )
    };
    let found_text = format!("{} Found", view::thousands(total as i64));
    let qs = match &bookmark_form {
        Some(b) => [form.query_string(), b.query_string()]
            .into_iter()
            .filter(|q| !q.is_empty())
            .collect::<Vec<_>>()
            .join("&"),
        None => form.query_string(),
    };
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
    let blurbs: Vec<Blurb> = works
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
    let bookmark_mode = bookmark_form.map(|bform| BookmarkMode {
        form: bform,
        items: works
            .iter()
            .zip(blurbs.iter())
            .map(|(w, b)| {
                let lines = under
                    .get(&w.id)
                    .map(|ls| ls.iter().map(line_view).collect())
                    .unwrap_or_default();
                (b.clone(), lines)
            })
            .collect(),
    });
    let follow = match &visitor.user {
        Some(u)
            if built.error.is_none()
                && bookmark_mode.is_none()
                && !matches!(scope, Scope::Collection(..)) =>
        {
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
        empty_text: if bookmark_mode.is_some() {
            "No bookmarked works match these filters."
        } else {
            "No works match these filters."
        },
        bookmark_mode,
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

/// The tags named by a listing's path segment (every type of that name)
/// and the name as shown, or a 404.
async fn named_tag(st: &AppState, raw_name: &str) -> Result<(Vec<i64>, String), WebError> {
    let name = tag_from_url_name(raw_name);
    let lookup = name.clone();
    let tags = st.db(move |s| s.tags_named(&lookup)).await?;
    let Some(first) = tags.first() else {
        return Err(WebError::NotFound(format!(
            "There is no tag named {name:?}."
        )));
    };
    Ok((tags.iter().map(|t| t.id).collect(), first.name.clone()))
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
    let (ids, display) = named_tag(&st, &raw_name).await?;
    render(st, visitor, headers, raw, Scope::Tag(ids, display)).await
}

/// `GET /tags/{name}/bookmarks`: the works of the tag (its synonyms and
/// subtags count) that have public bookmarks, each with its newest
/// bookmarks, filterable on the works and on the bookmarks.
pub async fn tag_bookmarks(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(raw_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (ids, display) = named_tag(&st, &raw_name).await?;
    render(
        st,
        visitor,
        headers,
        raw,
        Scope::Bookmarks(Some((ids, display))),
    )
    .await
}

/// `GET /collections/{name}/works`: the collection's works, filterable.
pub async fn collection_works(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let lookup = name.clone();
    let found = st.db(move |s| s.collection_by_name(&lookup)).await?;
    let c = found
        .ok_or_else(|| WebError::NotFound(format!("There is no collection named {name:?}.")))?;
    render(
        st,
        visitor,
        headers,
        raw,
        Scope::Collection(c.id, c.name, c.title),
    )
    .await
}

/// `GET /bookmarks?…` with filters: every bookmarked work, filterable.
pub async fn filtered_bookmarks(
    st: AppState,
    visitor: Visitor,
    headers: HeaderMap,
    raw: Option<String>,
) -> Result<Response, WebError> {
    render(st, visitor, headers, raw, Scope::Bookmarks(None)).await
}

fn line_view(l: &ficus_store::bookmarks::BookmarkLine) -> BookmarkLineView {
    BookmarkLineView {
        id: l.id,
        pseud: l.pseud.clone(),
        bookmarker_href: format!("/users/{}/bookmarks", view::encode_segment(&l.login)),
        date: l.created_at.format("%d %b %Y").to_string(),
        rec: l.rec,
        tags: l
            .tags
            .iter()
            .map(|(_, name)| (name.clone(), view::tag_href(name)))
            .collect(),
        notes: (!l.notes.is_empty()).then(|| l.notes.clone()),
    }
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
