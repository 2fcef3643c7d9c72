//! New bookmarks: the form and creation for a work (`/works/{id}/bookmarks`),
//! a series (`/series/{id}/bookmarks`) and an external work (the form at
//! `GET /external_works/new`, sent to `POST /bookmarks` with AO3's
//! `bookmark[external][…]` fields). A refused form comes back filled in,
//! with the reason.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::bookmarks::BookmarkOf;
use ficus_core::bookmarks::{BookmarkKind, BookmarkRefusal};
use ficus_core::external_works::ExternalWorkForm;
use ficus_core::tag::{CATEGORIES, Rating, TagType};
use ficus_store::bookmarks::ExternalWorkRecord;

use super::{BookmarkFormPage, Typed};
use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap, StrictForm};
use crate::session::Visitor;
use crate::templates::Chrome;

/// The item a form is about, and where it is sent.
pub struct FormItem {
    pub title: String,
    /// The item's page, when the bookmarker may see it.
    pub href: Option<String>,
    pub action: String,
}

/// An external work's fields on the form, as typed (AO3's
/// `bookmark[external][…]` names).
#[derive(Debug, Clone, Default)]
pub struct ExternalFields {
    pub url: String,
    pub title: String,
    pub creator: String,
    pub summary: String,
    pub fandoms: String,
    pub rating: String,
    pub categories: Vec<String>,
    pub relationships: String,
    pub characters: String,
}

impl ExternalFields {
    fn of(form: &StrictForm) -> ExternalFields {
        let f = |name: &str| {
            form.field(&format!("bookmark[external][{name}]"))
                .to_string()
        };
        ExternalFields {
            url: f("url"),
            title: f("title"),
            creator: f("author"),
            summary: f("summary"),
            fandoms: f("fandom_string"),
            rating: f("rating_string"),
            categories: form
                .fields("bookmark[external][category_strings][]")
                .into_iter()
                .map(str::to_string)
                .collect(),
            relationships: f("relationship_string"),
            characters: f("character_string"),
        }
    }

    /// Filled from an external work already bookmarked.
    fn from_record(e: &ExternalWorkRecord) -> ExternalFields {
        let names =
            |kind: TagType| -> Vec<String> { e.tags_of(kind).map(|t| t.name.clone()).collect() };
        ExternalFields {
            url: e.url.clone(),
            title: e.title.clone(),
            creator: e.creator.clone(),
            summary: e.summary.clone(),
            fandoms: names(TagType::Fandom).join(", "),
            rating: names(TagType::Rating)
                .into_iter()
                .next()
                .unwrap_or_default(),
            categories: names(TagType::Category),
            relationships: names(TagType::Relationship).join(", "),
            characters: names(TagType::Character).join(", "),
        }
    }

    /// The use case's input.
    fn form(&self) -> ExternalWorkForm<'_> {
        ExternalWorkForm {
            url: &self.url,
            title: &self.title,
            creator: &self.creator,
            summary: &self.summary,
            fandoms: &self.fandoms,
            rating: &self.rating,
            categories: &self.categories,
            relationships: &self.relationships,
            characters: &self.characters,
        }
    }

    /// The rating choices: (name, chosen).
    pub fn ratings(&self) -> Vec<(&'static str, bool)> {
        Rating::NAMES
            .iter()
            .map(|n| (*n, n.eq_ignore_ascii_case(self.rating.trim())))
            .collect()
    }

    /// The category choices: (name, chosen).
    pub fn category_choices(&self) -> Vec<(&'static str, bool)> {
        CATEGORIES
            .iter()
            .map(|c| {
                (
                    *c,
                    self.categories.iter().any(|x| x.eq_ignore_ascii_case(c)),
                )
            })
            .collect()
    }
}

/// The form page, filled from `typed`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn form_page(
    st: &AppState,
    visitor: &Visitor,
    user_id: i64,
    login: &str,
    item: FormItem,
    editing: bool,
    typed: Typed,
    external: Option<ExternalFields>,
    error: Option<String>,
) -> Result<Response, WebError> {
    let l = login.to_string();
    let (own, default) = st
        .db(move |s| Ok((s.pseuds_of(user_id)?, s.default_pseud_of(&l)?)))
        .await?;
    let chosen = typed.pseud_id.or(default.map(|(p, _)| p));
    let page = BookmarkFormPage {
        chrome: Chrome::of(visitor),
        verb: if editing { "Editing" } else { "New" },
        editing,
        action: item.action,
        item_href: item.href,
        item_title: item.title,
        external,
        pseuds: own
            .into_iter()
            .map(|(id, name)| (id, name, Some(id) == chosen))
            .collect(),
        notes: typed.notes,
        tag_string: typed.tag_string,
        private: typed.private,
        rec: typed.rec,
        error: error.clone(),
    };
    let mut response = Html(page.render()?).into_response();
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The item's form heading and address, or the response instead (log in,
/// 404) when the visitor may not see it.
async fn item_of(
    st: &AppState,
    visitor: &Visitor,
    of: BookmarkKind,
    id: i64,
) -> Result<Result<FormItem, Response>, WebError> {
    match of {
        BookmarkKind::Work => {
            let path = format!("/works/{id}/bookmarks/new");
            let reading = match super::super::works::load(
                st,
                visitor,
                id,
                ficus_store::ChapterChoice::NoText,
                &path,
            )
            .await?
            {
                Ok(r) => r,
                Err(r) => return Ok(Err(r)),
            };
            Ok(Ok(FormItem {
                title: reading.work.title,
                href: Some(format!("/works/{id}")),
                action: format!("/works/{id}/bookmarks"),
            }))
        }
        BookmarkKind::Series => {
            let viewer = visitor.viewer();
            let series = st.db(move |s| s.series(id, viewer)).await?.ok_or_else(|| {
                WebError::NotFound("This series does not exist, or is not visible to you.".into())
            })?;
            Ok(Ok(FormItem {
                title: series.title,
                href: Some(format!("/series/{id}")),
                action: format!("/series/{id}/bookmarks"),
            }))
        }
        BookmarkKind::ExternalWork => Ok(Ok(external_item())),
    }
}

fn external_item() -> FormItem {
    FormItem {
        title: "an external work".into(),
        href: None,
        action: "/bookmarks".into(),
    }
}

fn blank() -> Typed {
    Typed {
        pseud_id: None,
        notes: String::new(),
        tag_string: String::new(),
        private: false,
        rec: false,
    }
}

/// The new-bookmark form of a work or series (or the visitor's bookmark
/// of it, to edit).
async fn new_of(
    st: AppState,
    visitor: Visitor,
    user: ficus_store::UserRecord,
    of: BookmarkKind,
    id: i64,
) -> Result<Response, WebError> {
    let item = match item_of(&st, &visitor, of, id).await? {
        Ok(item) => item,
        Err(r) => return Ok(r),
    };
    let uid = user.id;
    if let Some(existing) = st.db(move |s| s.bookmark_of_item(uid, of, id)).await? {
        return Ok(Redirect::to(&format!("/bookmarks/{existing}/edit")).into_response());
    }
    form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        item,
        false,
        blank(),
        None,
        None,
    )
    .await
}

/// Creates a bookmark of `of` from the form, or gives the form back with
/// the reason.
async fn save(
    st: AppState,
    visitor: Visitor,
    user: ficus_store::UserRecord,
    of: BookmarkKind,
    id: i64,
    form: StrictForm,
) -> Result<Response, WebError> {
    let typed = Typed::of(&form);
    let external = (of == BookmarkKind::ExternalWork).then(|| ExternalFields::of(&form));
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let (input, fields) = (typed.clone(), external.clone());
    let outcome = st
        .db(move |s| {
            let target = match (&fields, of) {
                (Some(e), _) => BookmarkOf::External(e.form()),
                (None, BookmarkKind::Series) => BookmarkOf::Series(id),
                (None, _) => BookmarkOf::Work(id),
            };
            ficus_app::bookmarks::create(s, viewer, target, &input.form(), now)
        })
        .await?;
    let refusal = match outcome {
        Ok(bid) => {
            return Ok(Redirect::to(&format!("/bookmarks/{bid}?bookmark=created")).into_response());
        }
        Err(BookmarkRefusal::NotFound) => {
            return Err(WebError::NotFound(format!(
                "This {} does not exist, or is not visible to you.",
                of.noun()
            )));
        }
        Err(r) => r,
    };
    let item = match item_of(&st, &visitor, of, id).await? {
        Ok(item) => item,
        Err(r) => return Ok(r),
    };
    form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        item,
        false,
        typed,
        external,
        Some(refusal.to_string()),
    )
    .await
}

/// `GET /works/{id}/bookmarks/new`.
pub async fn new_form(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    new_of(st, visitor, user, BookmarkKind::Work, id).await
}

/// `POST /works/{id}/bookmarks`.
pub async fn create(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    save(st, visitor, user, BookmarkKind::Work, id, form).await
}

/// `GET /series/{id}/bookmarks/new`.
pub async fn new_for_series(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "series")?;
    new_of(st, visitor, user, BookmarkKind::Series, id).await
}

/// `POST /series/{id}/bookmarks`.
pub async fn create_for_series(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "series")?;
    save(st, visitor, user, BookmarkKind::Series, id, form).await
}

/// `GET /external_works/new`: the form for a work elsewhere; with
/// `?external_work_id=N`, filled from that external work (bookmarking
/// its address again joins it).
pub async fn new_external(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let fields = match q.get("external_work_id") {
        None => ExternalFields::default(),
        Some(raw) => {
            let id = params::id(raw, "external work")?;
            let record = st
                .db(move |s| s.external_work(id))
                .await?
                .ok_or_else(|| WebError::NotFound("There is no such external work.".into()))?;
            let uid = user.id;
            if let Some(existing) = st
                .db(move |s| s.bookmark_of_item(uid, BookmarkKind::ExternalWork, id))
                .await?
            {
                return Ok(Redirect::to(&format!("/bookmarks/{existing}/edit")).into_response());
            }
            ExternalFields::from_record(&record)
        }
    };
    form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        external_item(),
        false,
        blank(),
        Some(fields),
        None,
    )
    .await
}

/// `POST /bookmarks`: a bookmark of an external work.
pub async fn create_external(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    save(st, visitor, user, BookmarkKind::ExternalWork, 0, form).await
}
