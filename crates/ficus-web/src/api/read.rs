//! Reading through the API: listings (the browsing filters, keyset cursor
//! paging), one work, a chapter, a tag's wrangling, a series. Every answer
//! respects what the caller may see, exactly as the pages do.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use ficus_app::discovery::{Filters, Scope, build_request};
use ficus_core::search_query::{SortColumn, SortDirection};
use ficus_core::tag::tag_from_url_name;
use ficus_search::{Crossover, Hits};
use ficus_store::{ChapterChoice, Reading};

use super::schema::{
    ChapterEntry, ChapterJson, CrossoverParam, DirectionParam, ErrorBody, OriginJson, SeriesJson,
    SortParam, TagJson, TagRef, WorkDetail, WorkFilters, WorkJson, WorkList,
};
use super::{ApiCaller, ApiFailure, ApiQuery};
use crate::AppState;
use crate::error::WebError;
use crate::params::{self, guest_mutes};

/// Most works per API page.
const MAX_LIMIT: u32 = 100;

fn missing(what: &str) -> ApiFailure {
    WebError::NotFound(format!("{what} not found, or not visible to you.")).into()
}

fn sort_of(p: SortParam) -> SortColumn {
    match p {
        SortParam::BestMatch => SortColumn::BestMatch,
        SortParam::Creator => SortColumn::Creator,
        SortParam::Title => SortColumn::Title,
        SortParam::Posted => SortColumn::Posted,
        SortParam::Updated => SortColumn::Updated,
        SortParam::Words => SortColumn::Words,
        SortParam::Hits => SortColumn::Hits,
        SortParam::Kudos => SortColumn::Kudos,
        SortParam::Comments => SortColumn::Comments,
        SortParam::Bookmarks => SortColumn::Bookmarks,
    }
}

/// A day given as `YYYY-MM-DD`; anything else is a 400.
fn day(raw: Option<&str>, what: &str) -> Result<Option<chrono::NaiveDate>, WebError> {
    match raw.map(str::trim).filter(|r| !r.is_empty()) {
        None => Ok(None),
        Some(r) => chrono::NaiveDate::parse_from_str(r, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| WebError::BadRequest(format!("{what} {r:?} is not a date (YYYY-MM-DD)."))),
    }
}

/// Comma-separated tag names.
fn tag_names(list: Option<&str>) -> Vec<String> {
    list.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The typed filters the API's parameters stand for (the same the
/// browsing form builds).
fn filters_of(f: &WorkFilters) -> Result<Filters, WebError> {
    Ok(Filters {
        query: f.q.clone().unwrap_or_default(),
        sort: f.sort.map(sort_of),
        direction: f.direction.map(|d| match d {
            DirectionParam::Asc => SortDirection::Asc,
            DirectionParam::Desc => SortDirection::Desc,
        }),
        words: (f.words_from, f.words_to),
        updated: (
            day(f.updated_from.as_deref(), "updated_from")?,
            day(f.updated_to.as_deref(), "updated_to")?,
        ),
        complete: f.complete,
        crossover: match f.crossover {
            Some(CrossoverParam::Only) => Crossover::Only,
            Some(CrossoverParam::Exclude) => Crossover::Exclude,
            _ => Crossover::Include,
        },
        language: f.language.clone().filter(|l| !l.trim().is_empty()),
        single_chapter: f.single_chapter.unwrap_or(false),
        include_names: tag_names(f.tags.as_deref()),
        exclude_names: tag_names(f.exclude_tags.as_deref()),
        ..Filters::default()
    })
}

/// A cursor: the sort it belongs to and the last entry of the page.
fn encode_cursor(sort: SortColumn, direction: SortDirection, next: (u64, u64)) -> String {
    format!(
        "{}.{}.{:x}.{:x}",
        sort.ao3_param(),
        direction.param(),
        next.0,
        next.1
    )
}

fn decode_cursor(raw: &str, sort: SortColumn, direction: SortDirection) -> Option<(u64, u64)> {
    let parts: Vec<&str> = raw.split('.').collect();
    let [column, dir, key, id] = parts.as_slice() else {
        return None;
    };
    if *column != sort.ao3_param() || *dir != direction.param() {
        return None;
    }
    let key = u64::from_str_radix(key, 16).ok()?;
    let id = u64::from_str_radix(id, 16).ok()?;
    Some((key, id))
}

/// Where a listing draws from.
pub(super) enum Source {
    All,
    Search,
    Tag(String),
    Creator(String),
    /// A collection's works, by its URL name.
    Collection(String),
}

pub(super) async fn list(
    st: AppState,
    caller: ApiCaller,
    headers: HeaderMap,
    filters: WorkFilters,
    source: Source,
) -> Result<Json<WorkList>, ApiFailure> {
    let limit = filters.limit.unwrap_or(20);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(WebError::BadRequest(format!("limit must be 1 to {MAX_LIMIT}.")).into());
    }
    let typed = filters_of(&filters)?;
    let viewer = caller.visitor().viewer();
    let members = viewer.is_member();
    let user = caller.user.as_ref().map(|u| u.id);
    let guest = guest_mutes(&headers);
    let search = st.search.clone();
    let cursor = filters.cursor.clone();
    let (hits, works, sort, direction) = st
        .web_blocking(move |store| {
            let mutes = match user {
                Some(id) => ficus_app::discovery::account_mutes(store, id)?,
                None => guest,
            };
            let scope = match &source {
                Source::All | Source::Creator(_) => Scope::All,
                Source::Search => Scope::Search,
                Source::Tag(name) => {
                    let tags = store.tags_named(name)?;
                    if tags.is_empty() {
                        return Err(WebError::NotFound(format!(
                            "There is no tag named {name:?}."
                        )));
                    }
                    Scope::Tag(tags.iter().map(|t| t.id).collect())
                }
                Source::Collection(name) => match store.collection_by_name(name)? {
                    Some(c) => Scope::Collection(c.id),
                    None => {
                        return Err(WebError::NotFound(format!(
                            "There is no collection named {name:?}."
                        )));
                    }
                },
            };
            let graph = search.graph();
            let built = build_request(store, &graph, &typed, &scope, members, mutes)?;
            if let Some(error) = built.error {
                return Err(WebError::BadRequest(error));
            }
            let mut req = built.request;
            if let Source::Creator(login) = &source {
                let Some(ids) = store.creator_listing_ids(login)? else {
                    return Err(WebError::NotFound(format!(
                        "There is no creator named {login:?}."
                    )));
                };
                if ids.is_empty() {
                    // An account that has posted nothing yet.
                    return Ok((Hits::default(), Vec::new(), req.sort, req.direction));
                }
                req.creators = ids;
            }
            req.facets = false;
            req.offset = 0;
            req.limit = limit as usize;
            if let Some(raw) = &cursor {
                req.after = Some(decode_cursor(raw, req.sort, req.direction).ok_or_else(|| {
                    WebError::BadRequest(
                        "This cursor is not valid for this sort; start again without one.".into(),
                    )
                })?);
            }
            let hits = search.index.search(&req)?;
            // The index may lag a change by a moment: the access rule has
            // the last word on every work shown.
            let mut works = store.works_by_ids(&hits.ids)?;
            works.retain(|w| viewer.may_see(&w.access()) && w.posted && !w.hidden);
            Ok((hits, works, req.sort, req.direction))
        })
        .await?;
    Ok(Json(WorkList {
        total: hits.total,
        works: works.iter().map(WorkJson::of).collect(),
        next_cursor: hits.next.map(|n| encode_cursor(sort, direction, n)),
    }))
}

/// Every work the caller may see, with the browsing filters.
#[utoipa::path(
    get, path = "/api/v1/works", tag = "works",
    params(WorkFilters),
    responses(
        (status = 200, description = "A page of works", body = WorkList),
        (status = 400, description = "Bad parameters or query", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such tag", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn works(
    State(st): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiQuery(filters): ApiQuery<WorkFilters>,
) -> Result<Json<WorkList>, ApiFailure> {
    list(st, caller, headers, filters, Source::All).await
}

/// Searching works: `q` in the archive's query syntax, best match first
/// unless a sort is given.
#[utoipa::path(
    get, path = "/api/v1/works/search", tag = "works",
    params(WorkFilters),
    responses(
        (status = 200, description = "A page of works", body = WorkList),
        (status = 400, description = "Bad parameters or query", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such tag", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn search(
    State(st): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    ApiQuery(filters): ApiQuery<WorkFilters>,
) -> Result<Json<WorkList>, ApiFailure> {
    list(st, caller, headers, filters, Source::Search).await
}

/// The works of a tag (its synonyms and subtags count), with the browsing
/// filters.
#[utoipa::path(
    get, path = "/api/v1/tags/{name}/works", tag = "tags",
    params(("name" = String, Path, description = "Tag name"), WorkFilters),
    responses(
        (status = 200, description = "A page of works", body = WorkList),
        (status = 400, description = "Bad parameters or query", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such tag", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn tag_works(
    State(st): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path(name): Path<String>,
    ApiQuery(filters): ApiQuery<WorkFilters>,
) -> Result<Json<WorkList>, ApiFailure> {
    let name = tag_from_url_name(&name);
    list(st, caller, headers, filters, Source::Tag(name)).await
}

/// The works of a creator (an account's pseuds, or an imported name),
/// with the browsing filters.
#[utoipa::path(
    get, path = "/api/v1/users/{login}/works", tag = "works",
    params(("login" = String, Path, description = "Account login or creator name"), WorkFilters),
    responses(
        (status = 200, description = "A page of works", body = WorkList),
        (status = 400, description = "Bad parameters or query", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such creator or tag", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn creator_works(
    State(st): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path(login): Path<String>,
    ApiQuery(filters): ApiQuery<WorkFilters>,
) -> Result<Json<WorkList>, ApiFailure> {
    list(st, caller, headers, filters, Source::Creator(login)).await
}

/// Loads one work (with its series) as the caller may see it.
pub(super) async fn work_detail(
    st: &AppState,
    caller: &ApiCaller,
    id: i64,
) -> Result<WorkDetail, ApiFailure> {
    let viewer = caller.visitor().viewer();
    let reading = st
        .db(move |s| s.reading(id, viewer, ChapterChoice::NoText))
        .await?;
    let Reading { work, chapters, .. } = reading.ok_or_else(|| missing("Work"))?;
    Ok(WorkDetail {
        work: WorkJson::of(&work),
        origin: OriginJson::of(&work.origin),
        chapters: chapters.iter().map(|c| ChapterEntry::of(id, c)).collect(),
    })
}

/// One work: every field, tags by type, series and the chapter list.
#[utoipa::path(
    get, path = "/api/v1/works/{id}", tag = "works",
    params(("id" = i64, Path, description = "Work id")),
    responses(
        (status = 200, description = "The work", body = WorkDetail),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn work(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<WorkDetail>, ApiFailure> {
    let id = params::id(&id, "work")?;
    Ok(Json(work_detail(&st, &caller, id).await?))
}

/// One chapter with its text.
#[utoipa::path(
    get, path = "/api/v1/works/{id}/chapters/{chapter_id}", tag = "works",
    params(
        ("id" = i64, Path, description = "Work id"),
        ("chapter_id" = i64, Path, description = "Chapter id"),
    ),
    responses(
        (status = 200, description = "The chapter", body = ChapterJson),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such work or chapter, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn chapter(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path((id, chapter_id)): Path<(String, String)>,
) -> Result<Json<ChapterJson>, ApiFailure> {
    let id = params::id(&id, "work")?;
    let chapter_id = params::id(&chapter_id, "chapter")?;
    let viewer = caller.visitor().viewer();
    let reading = st
        .db(move |s| s.reading(id, viewer, ChapterChoice::One(chapter_id)))
        .await?
        .ok_or_else(|| missing("Work"))?;
    let chapter = reading
        .texts
        .into_iter()
        .next()
        .ok_or_else(|| missing("Chapter"))?;
    Ok(Json(chapter.into()))
}

/// A tag with its wrangling: canonical or not, synonyms, meta tags,
/// subtags, parents and children.
#[utoipa::path(
    get, path = "/api/v1/tags/{name}", tag = "tags",
    params(("name" = String, Path, description = "Tag name")),
    responses(
        (status = 200, description = "The tag", body = TagJson),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such tag", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn tag(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<Json<TagJson>, ApiFailure> {
    let name = tag_from_url_name(&name);
    let lookup = name.clone();
    let viewer = caller.visitor().viewer();
    let detail = st
        .db(move |s| {
            let Some(tag) = s.tags_named(&lookup)?.into_iter().next() else {
                return Ok(None);
            };
            s.tag_detail(tag.id, viewer)
        })
        .await?
        .ok_or_else(|| missing("Tag"))?;
    let refs = |list: &[ficus_store::TagRecord]| list.iter().map(TagRef::from).collect();
    Ok(Json(TagJson {
        id: detail.tag.id,
        name: detail.tag.name.clone(),
        kind: detail.tag.kind.as_str().to_string(),
        canonical: detail.canonical,
        synonym_of: detail.merger.as_ref().map(TagRef::from),
        synonyms: refs(&detail.synonyms),
        meta_tags: refs(&detail.metas),
        subtags: refs(&detail.subs),
        parents: refs(&detail.parents),
        children: refs(&detail.children),
        direct_uses: detail.direct_uses,
        works_url: format!(
            "/api/v1/tags/{}/works",
            crate::view::encode_segment(&detail.tag.name)
        ),
    }))
}

/// A series and the works of it the caller may see, in order.
#[utoipa::path(
    get, path = "/api/v1/series/{id}", tag = "series",
    params(("id" = i64, Path, description = "Series id")),
    responses(
        (status = 200, description = "The series", body = SeriesJson),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such series, or not visible", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn series(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<SeriesJson>, ApiFailure> {
    let id = params::id(&id, "series")?;
    let viewer = caller.visitor().viewer();
    let series = st
        .db(move |s| s.series(id, viewer))
        .await?
        .ok_or_else(|| missing("Series"))?;
    Ok(Json(SeriesJson::of(&series)))
}
