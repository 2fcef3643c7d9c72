//! Collections and gifts through the API, on the same use cases as the
//! pages: `GET`/`POST /api/v1/collections`, `GET`/`PATCH
//! /api/v1/collections/{name}` (settings; unticking unrevealed or
//! anonymous reveals), `GET /api/v1/collections/{name}/works` (the works
//! listing's filters), `GET /api/v1/collections/{name}/items`
//! (maintainers), `POST /api/v1/works/{id}/collections` (add a work),
//! `PATCH`/`DELETE /api/v1/collection_items/{id}` (answer, take out);
//! `GET /api/v1/users/{login}/gifts` and `PATCH /api/v1/gifts/{id}`
//! (refuse or accept again).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use ficus_core::collections::{Approval, CollectionForm, CollectionRefusal, Role, Settings};
use ficus_core::posting::FieldError;
use ficus_store::collections::{CollectionRecord, ItemRecord, ItemsShown};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::read::{Source, list};
use super::schema::{ErrorBody, WorkFilters, WorkJson, WorkList};
use super::{ApiCaller, ApiFailure, ApiJson, ApiQuery};
use crate::AppState;
use crate::error::WebError;
use crate::params;

/// A collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollectionJson {
    /// The URL name.
    pub name: String,
    pub title: String,
    /// Sanitized HTML.
    pub description: String,
    /// Sanitized HTML: rules, FAQ.
    pub intro: String,
    pub moderated: bool,
    pub closed: bool,
    pub unrevealed: bool,
    pub anonymous: bool,
    /// Maintainers' logins (owner first).
    pub maintainers: Vec<String>,
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    pub created_at: String,
}

impl CollectionJson {
    fn of(c: &CollectionRecord) -> CollectionJson {
        CollectionJson {
            name: c.name.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            intro: c.intro.clone(),
            moderated: c.settings.moderated,
            closed: c.settings.closed,
            unrevealed: c.settings.unrevealed,
            anonymous: c.settings.anonymous,
            maintainers: c
                .participants
                .iter()
                .filter(|(_, r)| r.maintains())
                .map(|(l, _)| l.clone())
                .collect(),
            created_at: c
                .created_at
                .and_utc()
                .format("%Y-%m-%dT%H:%M:%SZ")
                .to_string(),
        }
    }
}

/// A page of collections.
#[derive(Debug, Serialize, ToSchema)]
pub struct CollectionsJson {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub collections: Vec<CollectionJson>,
}

/// A new collection, or its new settings. On `PATCH` an omitted setting
/// keeps its value (so a PATCH that changes the title reveals nothing);
/// `false` for unrevealed or anonymous reveals every work at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionInputJson {
    /// Letters, digits and underscores; unique by case.
    pub name: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub intro: Option<String>,
    #[serde(default)]
    pub moderated: Option<bool>,
    #[serde(default)]
    pub closed: Option<bool>,
    #[serde(default)]
    pub unrevealed: Option<bool>,
    #[serde(default)]
    pub anonymous: Option<bool>,
}

/// A work in (or on its way into) a collection.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemJson {
    pub id: i64,
    pub collection: String,
    pub work_id: i64,
    pub work_title: String,
    /// `approved`, `unreviewed` or `rejected`.
    pub creator_approval: String,
    pub collection_approval: String,
    pub unrevealed: bool,
    pub anonymous: bool,
}

fn approval(a: Approval) -> String {
    match a {
        Approval::Approved => "approved",
        Approval::Unreviewed => "unreviewed",
        Approval::Rejected => "rejected",
    }
    .into()
}

impl ItemJson {
    fn of(i: &ItemRecord) -> ItemJson {
        ItemJson {
            id: i.id,
            collection: i.collection_name.clone(),
            work_id: i.work_id,
            work_title: i.work_title.clone(),
            creator_approval: approval(i.user_approval),
            collection_approval: approval(i.collection_approval),
            unrevealed: i.unrevealed,
            anonymous: i.anonymous,
        }
    }
}

/// `?page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    pub page: Option<u32>,
}

/// `?status=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct ItemsQuery {
    /// `unreviewed` (the default), `approved`, `rejected` or `invited`.
    pub status: Option<String>,
}

/// Collections to add a work to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddToCollectionsJson {
    /// URL names; all or none are added.
    pub collections: Vec<String>,
}

/// One collection a work was added to.
#[derive(Debug, Serialize, ToSchema)]
pub struct AddedJson {
    pub collection: String,
    /// `approved` or `unreviewed` (an invitation waits for the creator).
    pub creator_approval: String,
    /// `approved` or `unreviewed` (a moderated collection's maintainers).
    pub collection_approval: String,
}

/// An answer on an item.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerJson {
    /// `approve` or `reject`.
    pub answer: String,
}

/// A gift on its recipient's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct GiftJson {
    pub id: i64,
    pub refused: bool,
    pub work: WorkJson,
}

/// A page of gifts.
#[derive(Debug, Serialize, ToSchema)]
pub struct GiftsJson {
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
    pub gifts: Vec<GiftJson>,
}

/// `?refused=true` (the recipient only) and `?page=`.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct GiftsQuery {
    pub refused: Option<bool>,
    pub page: Option<u32>,
}

/// Refusing a gift, or accepting it again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiftInputJson {
    pub refused: bool,
}

fn refused(r: CollectionRefusal) -> ApiFailure {
    let field = match r {
        CollectionRefusal::NotFound => {
            return WebError::NotFound(r.to_string()).into();
        }
        CollectionRefusal::NotMaintainer | CollectionRefusal::NotCreator => {
            return WebError::Forbidden(r.to_string()).into();
        }
        CollectionRefusal::BadName | CollectionRefusal::NameTaken => "name",
        CollectionRefusal::NoTitle | CollectionRefusal::TitleTooLong => "title",
        CollectionRefusal::DescriptionTooLong => "description",
        CollectionRefusal::IntroTooLong => "intro",
        _ => "collections",
    };
    ApiFailure::Invalid(vec![FieldError {
        field,
        message: r.to_string(),
    }])
}

async fn by_name(st: &AppState, name: String) -> Result<CollectionRecord, ApiFailure> {
    let lookup = name.clone();
    st.db(move |s| s.collection_by_name(&lookup))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no collection named {name:?}.")).into())
}

/// The archive's collections, newest first.
#[utoipa::path(
    get, path = "/api/v1/collections", tag = "collections",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of collections", body = CollectionsJson),
        (status = 400, description = "Bad page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn index(
    State(st): State<AppState>,
    _caller: ApiCaller,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> Result<Json<CollectionsJson>, ApiFailure> {
    let page = super::page_param(q.page)?;
    let listed = st.db(move |s| s.collections_page(page)).await?;
    Ok(Json(CollectionsJson {
        total: listed.total,
        page: listed.page,
        per_page: listed.per_page,
        collections: listed.items.iter().map(CollectionJson::of).collect(),
    }))
}

/// One collection.
#[utoipa::path(
    get, path = "/api/v1/collections/{name}", tag = "collections",
    params(("name" = String, Path, description = "URL name")),
    responses(
        (status = 200, description = "The collection", body = CollectionJson),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn show(
    State(st): State<AppState>,
    _caller: ApiCaller,
    Path(name): Path<String>,
) -> Result<Json<CollectionJson>, ApiFailure> {
    Ok(Json(CollectionJson::of(&by_name(&st, name).await?)))
}

/// The form `input` stands for over `current` (a new collection's are
/// the defaults): omitted settings and texts keep their values.
fn form_of<'a>(
    input: &'a CollectionInputJson,
    current: &'a CollectionRecord,
) -> CollectionForm<'a> {
    let was = current.settings;
    CollectionForm {
        name: &input.name,
        title: &input.title,
        description: input.description.as_deref().unwrap_or(&current.description),
        intro: input.intro.as_deref().unwrap_or(&current.intro),
        settings: Settings {
            moderated: input.moderated.unwrap_or(was.moderated),
            closed: input.closed.unwrap_or(was.closed),
            unrevealed: input.unrevealed.unwrap_or(was.unrevealed),
            anonymous: input.anonymous.unwrap_or(was.anonymous),
        },
    }
}

/// What a new collection starts from.
fn blank() -> CollectionRecord {
    CollectionRecord {
        id: 0,
        name: String::new(),
        title: String::new(),
        description: String::new(),
        intro: String::new(),
        settings: Settings::default(),
        created_at: chrono::NaiveDateTime::default(),
        updated_at: chrono::NaiveDateTime::default(),
        participants: Vec::new(),
    }
}

/// Make a collection (you own it).
#[utoipa::path(
    post, path = "/api/v1/collections", tag = "collections",
    request_body = CollectionInputJson,
    responses(
        (status = 201, description = "Made", body = CollectionJson),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: bad or taken name, no title…", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn create(
    State(st): State<AppState>,
    caller: ApiCaller,
    body: Result<ApiJson<CollectionInputJson>, ApiFailure>,
) -> Result<(StatusCode, Json<CollectionJson>), ApiFailure> {
    caller.writer()?;
    let ApiJson(input) = body?;
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    let name = input.name.trim().to_string();
    st.db(move |s| ficus_app::collections::create(s, viewer, &form_of(&input, &blank()), now))
        .await?
        .map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(CollectionJson::of(&by_name(&st, name).await?)),
    ))
}

/// Change a collection (its maintainers).
#[utoipa::path(
    patch, path = "/api/v1/collections/{name}", tag = "collections",
    params(("name" = String, Path, description = "URL name")),
    request_body = CollectionInputJson,
    responses(
        (status = 200, description = "The collection as it is now", body = CollectionJson),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Not a maintainer", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn update(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    body: Result<ApiJson<CollectionInputJson>, ApiFailure>,
) -> Result<Json<CollectionJson>, ApiFailure> {
    caller.writer()?;
    let c = by_name(&st, name).await?;
    let ApiJson(input) = body?;
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    let new_name = input.name.trim().to_string();
    let id = c.id;
    st.db(move |s| ficus_app::collections::update(s, viewer, id, &form_of(&input, &c), now))
        .await?
        .map_err(refused)?;
    Ok(Json(CollectionJson::of(&by_name(&st, new_name).await?)))
}

/// A collection's works, with the browsing filters.
#[utoipa::path(
    get, path = "/api/v1/collections/{name}/works", tag = "collections",
    params(("name" = String, Path, description = "URL name"), WorkFilters),
    responses(
        (status = 200, description = "A page of works", body = WorkList),
        (status = 400, description = "Bad parameters or query", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 404, description = "No such collection or tag", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn works(
    State(st): State<AppState>,
    caller: ApiCaller,
    headers: HeaderMap,
    Path(name): Path<String>,
    ApiQuery(filters): ApiQuery<WorkFilters>,
) -> Result<Json<WorkList>, ApiFailure> {
    list(st, caller, headers, filters, Source::Collection(name)).await
}

/// A collection's items of one status (its maintainers).
#[utoipa::path(
    get, path = "/api/v1/collections/{name}/items", tag = "collections",
    params(("name" = String, Path, description = "URL name"), ItemsQuery),
    responses(
        (status = 200, description = "The items", body = [ItemJson]),
        (status = 400, description = "Bad status", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Not a maintainer", body = ErrorBody),
        (status = 404, description = "No such collection", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn items(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(name): Path<String>,
    ApiQuery(q): ApiQuery<ItemsQuery>,
) -> Result<Json<Vec<ItemJson>>, ApiFailure> {
    let user = caller.writer()?;
    let c = by_name(&st, name).await?;
    if !c.role_of(&user.login).is_some_and(Role::maintains) {
        return Err(WebError::Forbidden(CollectionRefusal::NotMaintainer.to_string()).into());
    }
    let shown = match q.status.as_deref().unwrap_or("unreviewed") {
        "unreviewed" => ItemsShown::Unreviewed,
        "approved" => ItemsShown::Approved,
        "rejected" => ItemsShown::Rejected,
        "invited" => ItemsShown::Invited,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not an item status (unreviewed, approved, rejected or invited)."
            ))
            .into());
        }
    };
    let id = c.id;
    let listed = st.db(move |s| s.collection_items(id, shown)).await?;
    Ok(Json(listed.iter().map(ItemJson::of).collect()))
}

/// Add a work to collections (its creators; a maintainer's is an
/// invitation the creator answers).
#[utoipa::path(
    post, path = "/api/v1/works/{id}/collections", tag = "collections",
    params(("id" = i64, Path, description = "Work id")),
    request_body = AddToCollectionsJson,
    responses(
        (status = 201, description = "Where the work went", body = [AddedJson]),
        (status = 400, description = "Bad id or malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 403, description = "Not the work's creator nor a maintainer", body = ErrorBody),
        (status = 404, description = "No such work, or not visible", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Refused: no such collection, closed, already in…", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn add(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<AddToCollectionsJson>, ApiFailure>,
) -> Result<(StatusCode, Json<Vec<AddedJson>>), ApiFailure> {
    caller.writer()?;
    let work_id = params::id(&id, "work")?;
    let ApiJson(input) = body?;
    if let Some(bad) = input.collections.iter().find(|n| n.contains(',')) {
        return Err(refused(CollectionRefusal::NoSuchCollection(bad.clone())));
    }
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    let names = input.collections.join(",");
    let added = st
        .db(move |s| ficus_app::collections::add_work(s, viewer, work_id, &names, now))
        .await?
        .map_err(refused)?;
    Ok((
        StatusCode::CREATED,
        Json(
            added
                .iter()
                .map(|a| AddedJson {
                    collection: a.collection.clone(),
                    creator_approval: approval(a.user_approval),
                    collection_approval: approval(a.collection_approval),
                })
                .collect(),
        ),
    ))
}

/// Answer an item: a maintainer for the collection, a creator for the
/// work.
#[utoipa::path(
    patch, path = "/api/v1/collection_items/{id}", tag = "collections",
    params(("id" = i64, Path, description = "Item id")),
    request_body = AnswerJson,
    responses(
        (status = 204, description = "Answered"),
        (status = 400, description = "Bad id, answer or JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such item of yours", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn answer(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<AnswerJson>, ApiFailure>,
) -> Result<StatusCode, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "collection item")?;
    let ApiJson(input) = body?;
    let approve = match input.answer.as_str() {
        "approve" => true,
        "reject" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not an answer (approve or reject)."
            ))
            .into());
        }
    };
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    st.db(move |s| s.review_item(viewer, id, approve, now))
        .await?
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Take a work out of a collection (a creator or a maintainer).
#[utoipa::path(
    delete, path = "/api/v1/collection_items/{id}", tag = "collections",
    params(("id" = i64, Path, description = "Item id")),
    responses(
        (status = 204, description = "Taken out"),
        (status = 400, description = "Bad id", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such item of yours", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn remove(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiFailure> {
    caller.writer()?;
    let id = params::id(&id, "collection item")?;
    let viewer = caller.visitor().viewer();
    let now = chrono::Utc::now().naive_utc();
    st.db(move |s| s.remove_item(viewer, id, now))
        .await?
        .map_err(refused)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The works given to an account that the caller may see (`refused=true`:
/// the ones it refused, for the account itself).
#[utoipa::path(
    get, path = "/api/v1/users/{login}/gifts", tag = "gifts",
    params(("login" = String, Path, description = "Account login"), GiftsQuery),
    responses(
        (status = 200, description = "A page of gifts", body = GiftsJson),
        (status = 400, description = "Bad page", body = ErrorBody),
        (status = 401, description = "Invalid API token", body = ErrorBody),
        (status = 403, description = "Someone else's refused gifts", body = ErrorBody),
        (status = 404, description = "No such account", body = ErrorBody),
    ),
    security((), ("token" = []))
)]
pub async fn gifts(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(login): Path<String>,
    ApiQuery(q): ApiQuery<GiftsQuery>,
) -> Result<Json<GiftsJson>, ApiFailure> {
    let page = super::page_param(q.page)?;
    let refused = q.refused.unwrap_or(false);
    let viewer = caller.visitor().viewer();
    let listed = st
        .db(move |s| match s.user_for_login(&login)? {
            Some((u, _)) => {
                if refused && viewer.user_id() != Some(u.id) {
                    return Ok(Err(WebError::Forbidden(
                        "Only the recipient sees the gifts they refused.".into(),
                    )));
                }
                Ok(Ok(s.user_gifts(u.id, viewer, refused, page)?))
            }
            None => Ok(Err(WebError::NotFound("No such account.".into()))),
        })
        .await??;
    Ok(Json(GiftsJson {
        total: listed.total,
        page: listed.page,
        per_page: listed.per_page,
        gifts: listed
            .items
            .iter()
            .map(|g| GiftJson {
                id: g.id,
                refused: g.rejected,
                work: WorkJson::of(&g.work),
            })
            .collect(),
    }))
}

/// Refuse a gift, or accept it again (its recipient).
#[utoipa::path(
    patch, path = "/api/v1/gifts/{id}", tag = "gifts",
    params(("id" = i64, Path, description = "Gift id")),
    request_body = GiftInputJson,
    responses(
        (status = 204, description = "Done"),
        (status = 400, description = "Bad id or JSON", body = ErrorBody),
        (status = 401, description = "No valid API token", body = ErrorBody),
        (status = 404, description = "No such gift of yours", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    ),
    security(("token" = []))
)]
pub async fn set_gift(
    State(st): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<ApiJson<GiftInputJson>, ApiFailure>,
) -> Result<StatusCode, ApiFailure> {
    let user = caller.writer()?;
    let id = params::id(&id, "gift")?;
    let ApiJson(input) = body?;
    let uid = user.id;
    let refused = input.refused;
    if st
        .db(move |s| s.set_gift_rejected(uid, id, refused))
        .await?
    {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(WebError::NotFound("No such gift of yours.".into()).into())
    }
}
