//! Collection pages, AO3's URLs: `/collections` (the list), the form
//! (`/collections/new`, `POST /collections`; `/collections/{name}/edit`,
//! `POST /collections/{name}`), a collection's page `/collections/{name}`
//! (its profile and participants; the works are
//! `/collections/{name}/works`, in `discover.rs`), its participants
//! (`POST /collections/{name}/participants`), the maintainers' queue
//! (`/collections/{name}/items`), adding a work
//! (`/collection_items/new?work_id=N`, `POST /collection_items`), answering
//! or removing an item (`POST /collection_items/{id}`), and a creator's
//! items and invitations (`/users/{login}/collection_items`). Rules are the
//! use case's (`ficus_app::collections`) and the store's.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::collections::{Approval, CollectionForm, CollectionRefusal, Role, Settings};
use ficus_store::collections::{CollectionRecord, ItemRecord, ItemsShown};

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap, StrictForm};
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{Pager, encode_segment, pager};

#[derive(Template)]
#[template(path = "collections_index.html")]
struct IndexPage {
    chrome: Chrome,
    collections: Vec<CollectionRecord>,
    heading: String,
    pager: Pager,
    signed_in: bool,
}

#[derive(Template)]
#[template(path = "collection_form.html")]
struct FormPage {
    chrome: Chrome,
    editing: Option<String>,
    error: Option<String>,
    name: String,
    title: String,
    description: String,
    intro: String,
    settings: Settings,
}

#[derive(Template)]
#[template(path = "collection_show.html")]
struct ShowPage {
    chrome: Chrome,
    c: CollectionRecord,
    /// Works of it not revealed yet.
    mysteries: i64,
    maintainer: bool,
    message: Option<&'static str>,
    error: Option<String>,
    /// Its gift exchange, if it is one.
    exchange: Option<ficus_store::exchanges::ExchangeRecord>,
    /// The visitor's sign-up for it.
    my_signup: Option<i64>,
    signups_open: bool,
}

#[derive(Template)]
#[template(path = "collection_items.html")]
struct ItemsPage {
    chrome: Chrome,
    heading: String,
    /// (tab label, href, current)
    tabs: Vec<(&'static str, String, bool)>,
    items: Vec<ItemView>,
    empty: &'static str,
    /// This page, to come back to after an answer.
    back: String,
}

#[derive(Template)]
#[template(path = "collection_add.html")]
struct AddPage {
    chrome: Chrome,
    work_id: i64,
    work_title: String,
    names: String,
    error: Option<String>,
}

/// An item on a queue, with the answers the visitor may give.
struct ItemView {
    id: i64,
    work_id: i64,
    work_title: String,
    collection_href: String,
    collection_title: String,
    status: String,
    /// Approve / reject buttons.
    answer: bool,
}

fn approval_text(a: Approval) -> &'static str {
    match a {
        Approval::Approved => "approved",
        Approval::Unreviewed => "waiting",
        Approval::Rejected => "rejected",
    }
}

fn item_view(i: &ItemRecord, answer: bool) -> ItemView {
    ItemView {
        id: i.id,
        work_id: i.work_id,
        work_title: i.work_title.clone(),
        collection_href: format!("/collections/{}", encode_segment(&i.collection_name)),
        collection_title: i.collection_title.clone(),
        status: format!(
            "Creator: {}; collection: {}{}{}",
            approval_text(i.user_approval),
            approval_text(i.collection_approval),
            if i.unrevealed { "; unrevealed" } else { "" },
            if i.anonymous { "; anonymous" } else { "" },
        ),
        answer,
    }
}

/// The form's fields, typed.
struct Typed {
    name: String,
    title: String,
    description: String,
    intro: String,
    settings: Settings,
}

impl Typed {
    fn of(form: &StrictForm) -> Typed {
        let on = |k: &str| form.fields(k).contains(&"1");
        Typed {
            name: form.field("collection[name]").to_string(),
            title: form.field("collection[title]").to_string(),
            description: form.field("collection[description]").to_string(),
            intro: form
                .field("collection[collection_profile_attributes][intro]")
                .to_string(),
            settings: Settings {
                moderated: on("collection[collection_preference_attributes][moderated]"),
                closed: on("collection[collection_preference_attributes][closed]"),
                unrevealed: on("collection[collection_preference_attributes][unrevealed]"),
                anonymous: on("collection[collection_preference_attributes][anonymous]"),
            },
        }
    }

    fn form(&self) -> CollectionForm<'_> {
        CollectionForm {
            name: &self.name,
            title: &self.title,
            description: &self.description,
            intro: &self.intro,
            settings: self.settings,
        }
    }

    fn page(self, visitor: &Visitor, editing: Option<String>, error: Option<String>) -> FormPage {
        FormPage {
            chrome: Chrome::of(visitor),
            editing,
            error,
            name: self.name,
            title: self.title,
            description: self.description,
            intro: self.intro,
            settings: self.settings,
        }
    }
}

fn refused_form(page: FormPage) -> Result<Response, WebError> {
    let mut r = Html(page.render()?).into_response();
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

fn href(c: &CollectionRecord) -> String {
    format!("/collections/{}", encode_segment(&c.name))
}

pub(crate) async fn by_name(st: &AppState, name: &str) -> Result<CollectionRecord, WebError> {
    let lookup = name.to_string();
    st.db(move |s| s.collection_by_name(&lookup))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no collection named {name:?}.")))
}

pub(crate) fn maintains(c: &CollectionRecord, visitor: &Visitor) -> bool {
    visitor
        .user
        .as_ref()
        .and_then(|u| c.role_of(&u.login))
        .is_some_and(Role::maintains)
}

/// `GET /collections`.
pub async fn index(
    State(st): State<AppState>,
    visitor: Visitor,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let listed = st.db(move |s| s.collections_page(page)).await?;
    let n = listed.total;
    let out = IndexPage {
        chrome: Chrome::of(&visitor),
        heading: format!(
            "{} {}",
            crate::view::thousands(n as i64),
            if n == 1 { "Collection" } else { "Collections" }
        ),
        pager: pager("/collections", listed.page, listed.page_count()),
        collections: listed.items,
        signed_in: visitor.user.is_some(),
    };
    Ok(Html(out.render()?).into_response())
}

/// `GET /collections/new`.
pub async fn new_form(SignedIn { visitor, .. }: SignedIn) -> Result<Response, WebError> {
    let page = Typed {
        name: String::new(),
        title: String::new(),
        description: String::new(),
        intro: String::new(),
        settings: Settings::default(),
    }
    .page(&visitor, None, None);
    Ok(Html(page.render()?).into_response())
}

/// `POST /collections`.
pub async fn create(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let typed = Typed::of(&form);
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let (outcome, typed) = st
        .db(move |s| {
            let r = ficus_app::collections::create(s, viewer, &typed.form(), now)?;
            Ok((r, typed))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(Redirect::to(&format!(
            "/collections/{}?collection=created",
            encode_segment(typed.name.trim())
        ))
        .into_response()),
        Err(r) => refused_form(typed.page(&visitor, None, Some(r.to_string()))),
    }
}

/// `GET /collections/{name}`.
pub async fn show(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(name): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let c = by_name(&st, &name).await?;
    let id = c.id;
    let uid = visitor.user.as_ref().map(|u| u.id);
    let (mysteries, exchange, my_signup) = st
        .db(move |s| {
            let exchange = s.exchange(id)?;
            let mine = match (uid, &exchange) {
                (Some(u), Some(_)) => s.signup_of(id, u)?.map(|x| x.id),
                _ => None,
            };
            Ok((s.unrevealed_in(id)?, exchange, mine))
        })
        .await?;
    let now = chrono::Utc::now().naive_utc();
    let page = ShowPage {
        signups_open: exchange
            .as_ref()
            .is_some_and(|e| e.sent_at.is_none() && e.settings.signups_open(now)),
        exchange,
        my_signup,
        mysteries,
        chrome: Chrome::of(&visitor),
        maintainer: maintains(&c, &visitor),
        message: match q.get("collection").map(String::as_str) {
            Some("created") => Some("Collection was successfully created."),
            Some("updated") => Some("Collection was successfully updated."),
            Some("participant") => Some("Participant added."),
            Some("exchange") => Some("Challenge was successfully created."),
            Some("exchange_updated") => Some("Challenge was successfully updated."),
            Some("withdrawn") => Some("Sign-up was deleted."),
            _ => None,
        },
        error: None,
        c,
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /collections/{name}/edit`.
pub async fn edit_form(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let c = by_name(&st, &name).await?;
    if !maintains(&c, &visitor) {
        return Err(WebError::Forbidden(
            CollectionRefusal::NotMaintainer.to_string(),
        ));
    }
    let page = Typed {
        name: c.name.clone(),
        title: c.title,
        description: c.description,
        intro: c.intro,
        settings: c.settings,
    }
    .page(&visitor, Some(c.name), None);
    Ok(Html(page.render()?).into_response())
}

/// `POST /collections/{name}`: the edit form.
pub async fn update(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let c = by_name(&st, &name).await?;
    let typed = Typed::of(&form);
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let id = c.id;
    let (outcome, typed) = st
        .db(move |s| {
            let r = ficus_app::collections::update(s, viewer, id, &typed.form(), now)?;
            Ok((r, typed))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!(
            "/collections/{}?collection=updated",
            encode_segment(typed.name.trim())
        ))
        .into_response()),
        Err(CollectionRefusal::NotMaintainer) => Err(WebError::Forbidden(
            CollectionRefusal::NotMaintainer.to_string(),
        )),
        Err(r) => refused_form(typed.page(&visitor, Some(c.name), Some(r.to_string()))),
    }
}

/// `POST /collections/{name}/participants`: a maintainer gives an account
/// a role (`participant[login]`, `participant[role]`: moderator or
/// member).
pub async fn add_participant(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let c = by_name(&st, &name).await?;
    let role = match form.field("participant[role]") {
        "moderator" => Role::Moderator,
        "member" => Role::Member,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not a role (moderator or member)."
            )));
        }
    };
    let login = form.field("participant[login]").to_string();
    let viewer = visitor.viewer();
    let id = c.id;
    let now = chrono::Utc::now().naive_utc();
    let outcome = st
        .db(move |s| ficus_app::collections::add_participant(s, viewer, id, &login, role, now))
        .await?;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!("{}?collection=participant", href(&c))).into_response()),
        Err(CollectionRefusal::NotMaintainer) => Err(WebError::Forbidden(
            CollectionRefusal::NotMaintainer.to_string(),
        )),
        Err(r) => {
            let page = ShowPage {
                exchange: None,
                my_signup: None,
                signups_open: false,
                mysteries: 0,
                chrome: Chrome::of(&visitor),
                maintainer: maintains(&c, &visitor),
                message: None,
                error: Some(r.to_string()),
                c,
            };
            let mut resp = Html(page.render()?).into_response();
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}

/// `GET /collections/{name}/items?status=unreviewed|approved|rejected|invited`:
/// the maintainers' queue.
pub async fn items(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let c = by_name(&st, &name).await?;
    if !maintains(&c, &visitor) {
        return Err(WebError::Forbidden(
            CollectionRefusal::NotMaintainer.to_string(),
        ));
    }
    let status = q.get("status").map(String::as_str).unwrap_or("unreviewed");
    let shown = match status {
        "unreviewed" => ItemsShown::Unreviewed,
        "approved" => ItemsShown::Approved,
        "rejected" => ItemsShown::Rejected,
        "invited" => ItemsShown::Invited,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not an item status (unreviewed, approved, rejected or invited)."
            )));
        }
    };
    let id = c.id;
    let listed = st.db(move |s| s.collection_items(id, shown)).await?;
    let base = format!("{}/items", href(&c));
    let page = ItemsPage {
        chrome: Chrome::of(&visitor),
        heading: format!("Items in {}", c.title),
        tabs: [
            ("Awaiting Approval", "unreviewed"),
            ("Approved", "approved"),
            ("Rejected", "rejected"),
            ("Invited", "invited"),
        ]
        .into_iter()
        .map(|(label, s)| (label, format!("{base}?status={s}"), s == status))
        .collect(),
        items: listed
            .iter()
            .map(|i| item_view(i, shown != ItemsShown::Invited))
            .collect(),
        empty: "No items here.",
        back: format!("{base}?status={status}"),
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /users/{login}/collection_items`: where the account's works are,
/// and the invitations waiting for it (its own page only).
pub async fn user_items(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    if user.login != login {
        return Err(WebError::Forbidden(
            "Only the account's owner sees its collection items.".into(),
        ));
    }
    let uid = user.id;
    let listed = st.db(move |s| s.user_collection_items(uid)).await?;
    let page = ItemsPage {
        chrome: Chrome::of(&visitor),
        heading: "My Collection Items".into(),
        tabs: Vec::new(),
        items: listed.iter().map(|i| item_view(i, true)).collect(),
        empty: "None of your works is in a collection.",
        back: format!("/users/{}/collection_items", encode_segment(&login)),
    };
    Ok(Html(page.render()?).into_response())
}

/// A work the visitor may see, or the response instead (log in, 404).
async fn visible_work(
    st: &AppState,
    visitor: &Visitor,
    work_id: i64,
    path: &str,
) -> Result<Result<ficus_store::WorkRecord, Response>, WebError> {
    Ok(super::works::load(
        st,
        visitor,
        work_id,
        ficus_store::ChapterChoice::NoText,
        path,
    )
    .await?
    .map(|reading| reading.work))
}

/// `GET /collection_items/new?work_id=N`: "Add To Collections".
pub async fn add_form(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let work_id = params::id(q.get("work_id").map(String::as_str).unwrap_or(""), "work")?;
    let path = format!("/collection_items/new?work_id={work_id}");
    let work = match visible_work(&st, &visitor, work_id, &path).await? {
        Ok(w) => w,
        Err(r) => return Ok(r),
    };
    let page = AddPage {
        chrome: Chrome::of(&visitor),
        work_id,
        work_title: work.title,
        names: String::new(),
        error: None,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /collection_items`: `work_id` and `collection_names`
/// (comma-separated); all or none.
pub async fn add(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let work_id = params::id(form.field("work_id"), "work")?;
    let names = form.field("collection_names").to_string();
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let typed = names.clone();
    let outcome = st
        .db(move |s| ficus_app::collections::add_work(s, viewer, work_id, &typed, now))
        .await?;
    match outcome {
        Ok(added) => {
            let waiting = added.iter().any(|a| {
                a.collection_approval != Approval::Approved || a.user_approval != Approval::Approved
            });
            Ok(Redirect::to(&format!(
                "/works/{work_id}?collection_items={}",
                if waiting { "waiting" } else { "added" }
            ))
            .into_response())
        }
        Err(CollectionRefusal::NotFound) => Err(WebError::NotFound(
            "This work does not exist, or is not visible to you.".into(),
        )),
        Err(r) => {
            let path = format!("/collection_items/new?work_id={work_id}");
            let work = match visible_work(&st, &visitor, work_id, &path).await? {
                Ok(w) => w,
                Err(r) => return Ok(r),
            };
            let page = AddPage {
                chrome: Chrome::of(&visitor),
                work_id,
                work_title: work.title,
                names,
                error: Some(r.to_string()),
            };
            let mut resp = Html(page.render()?).into_response();
            *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
    }
}

/// `POST /collection_items/{id}`: `answer=approve|reject`, or
/// `_method=delete` to take the work out; back to `return_to` (a local
/// path) or the work.
pub async fn answer(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "collection item")?;
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let outcome = if form.field("_method") == "delete" {
        st.db(move |s| s.remove_item(viewer, id, now)).await?
    } else {
        let approve = match form.field("answer") {
            "approve" => true,
            "reject" => false,
            other => {
                return Err(WebError::BadRequest(format!(
                    "{other:?} is not an answer (approve or reject)."
                )));
            }
        };
        st.db(move |s| s.review_item(viewer, id, approve, now))
            .await?
    };
    match outcome {
        Ok(()) => {
            let back = form.field("return_to");
            let back =
                if back.starts_with('/') && !back.starts_with("//") && !back.starts_with("/\\") {
                    back.to_string()
                } else {
                    "/".to_string()
                };
            Ok(Redirect::to(&back).into_response())
        }
        Err(r) => Err(WebError::NotFound(r.to_string())),
    }
}
