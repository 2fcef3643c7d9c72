//! Subscriptions, AO3's URLs: `POST /users/{login}/subscriptions`
//! (`subscription[subscribable_type]` Work, Series, User or Tag, and
//! `subscription[subscribable_id]`; or Search, and `subscription[search]`
//! the listing's address), `POST /users/{login}/subscriptions/{id}/delete`
//! (Unsubscribe), `POST /users/{login}/subscriptions/{id}` (its e-mail,
//! `subscription[mail]`), the list `/users/{login}/subscriptions`
//! (`?type=works|series|users|tags|searches`), and the updates they
//! brought, `/users/{login}/inbox/updates`. Each is its owner's alone.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::subscriptions::Target;
use ficus_core::mail::SubscriptionMail;
use ficus_store::subscriptions::SubscriptionKind;

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap, StrictForm};
use crate::templates::Chrome;
use crate::view::{self, Pager, encode_segment, thousands};

/// One subscription as listed.
pub struct SubscriptionRow {
    pub id: i64,
    pub name: String,
    pub href: Option<String>,
    pub kind_label: &'static str,
    pub mail: Vec<MailChoice>,
}

/// One e-mail choice of a subscription.
pub struct MailChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

fn mail_choices(current: SubscriptionMail) -> Vec<MailChoice> {
    SubscriptionMail::ALL
        .into_iter()
        .map(|m| MailChoice {
            value: m.as_str(),
            label: m.label(),
            selected: m == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "subscriptions.html")]
pub struct SubscriptionsPage {
    pub chrome: Chrome,
    pub login: String,
    pub message: Option<&'static str>,
    pub rows: Vec<SubscriptionRow>,
}

/// One update as listed.
pub struct UpdateRow {
    /// "work" or "chapter" (a class).
    pub event: String,
    /// (href, title) when the work is still there for the reader.
    pub work: Option<(String, String)>,
    pub what: &'static str,
    pub why: &'static str,
    pub when: String,
}

#[derive(Template)]
#[template(path = "subscription_updates.html")]
pub struct UpdatesPage {
    pub chrome: Chrome,
    pub login: String,
    pub count: String,
    pub updates: Vec<UpdateRow>,
    pub pager: Pager,
}

fn own(user: &ficus_store::UserRecord, login: &str) -> Result<(), WebError> {
    super::only_own(user, login, "list")
}

fn list_href(login: &str) -> String {
    format!("/users/{}/subscriptions", encode_segment(login))
}

/// A local path the form asked to come back to, or the list.
fn back(form: &StrictForm, login: &str) -> String {
    super::accounts::safe_return_to(form.field("return_to")).unwrap_or_else(|| list_href(login))
}

/// `POST /users/{login}/subscriptions`: Subscribe.
pub async fn create(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let id = || {
        params::id(
            form.field("subscription[subscribable_id]"),
            "subscription target",
        )
    };
    let target = match form.field("subscription[subscribable_type]") {
        "Work" => Target::Work(id()?),
        "Series" => Target::Series(id()?),
        "User" => Target::User(id()?),
        "Tag" => Target::Tag(id()?),
        "Search" => Target::Search(crate::filter_form::saved_search(
            form.field("subscription[search]"),
        )?),
        other => {
            return Err(WebError::BadRequest(format!(
                "subscription[subscribable_type] is Work, Series, User, Tag or Search, not {other:?}."
            )));
        }
    };
    let mail = mail_field(&form)?;
    let viewer = visitor.viewer();
    let uid = user.id;
    let now = chrono::Utc::now().naive_utc();
    let done = st
        .db(move |s| ficus_app::subscriptions::follow(s, uid, viewer, &target, mail, now))
        .await?;
    done?;
    Ok(Redirect::to(&back(&form, &user.login)).into_response())
}

/// `POST /users/{login}/subscriptions/{id}/delete`: Unsubscribe.
pub async fn delete(
    State(st): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path((login, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let id = params::id(&id, "subscription")?;
    let uid = user.id;
    if !st.db(move |s| s.unsubscribe(uid, id)).await? {
        return Err(WebError::NotFound(
            "There is no such subscription of yours.".into(),
        ));
    }
    Ok(Redirect::to(&back(&form, &user.login)).into_response())
}

/// The e-mail a form chose (`subscription[mail]`), if it chose.
fn mail_field(form: &StrictForm) -> Result<Option<SubscriptionMail>, WebError> {
    match form.field("subscription[mail]") {
        "" => Ok(None),
        raw => SubscriptionMail::parse(raw).map(Some).ok_or_else(|| {
            WebError::BadRequest(format!(
                "subscription[mail] is immediate, daily, weekly or off, not {raw:?}."
            ))
        }),
    }
}

/// `POST /users/{login}/subscriptions/{id}`: how its updates come by
/// e-mail.
pub async fn update(
    State(st): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path((login, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let id = params::id(&id, "subscription")?;
    let mail = mail_field(&form)?.ok_or_else(|| {
        WebError::BadRequest("Choose how this subscription reaches you by e-mail.".into())
    })?;
    let uid = user.id;
    if !st
        .db(move |s| s.set_subscription_mail(uid, id, mail))
        .await?
    {
        return Err(WebError::NotFound(
            "There is no such subscription of yours.".into(),
        ));
    }
    Ok(Redirect::to(&back(&form, &user.login)).into_response())
}

/// `GET /users/{login}/subscriptions[?type=works|series|users|tags|searches]`.
pub async fn show(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let q = params::query(q)?;
    let only = match q.get("type").map(String::as_str) {
        None | Some("") => None,
        Some("works") => Some(SubscriptionKind::Work),
        Some("series") => Some(SubscriptionKind::Series),
        Some("users") => Some(SubscriptionKind::User),
        Some("tags") => Some(SubscriptionKind::Tag),
        Some("searches") => Some(SubscriptionKind::Search),
        Some(other) => {
            return Err(WebError::BadRequest(format!(
                "type is works, series, users, tags or searches, not {other:?}."
            )));
        }
    };
    let uid = user.id;
    let viewer = visitor.viewer();
    let rows = st
        .db(move |s| {
            let mut rows = Vec::new();
            for sub in s.subscriptions_of(uid)? {
                if only.is_some_and(|k| k != sub.kind) {
                    continue;
                }
                let (name, href, kind_label) = match sub.kind {
                    SubscriptionKind::Work => match s.work(sub.target_id, viewer)? {
                        Some(w) => (w.title, Some(format!("/works/{}", sub.target_id)), "Work"),
                        None => ("A work no longer available".into(), None, "Work"),
                    },
                    SubscriptionKind::Series => match s.series(sub.target_id, viewer)? {
                        Some(series) => (
                            series.title,
                            Some(format!("/series/{}", sub.target_id)),
                            "Series",
                        ),
                        None => ("A series no longer available".into(), None, "Series"),
                    },
                    SubscriptionKind::User => match s.user(sub.target_id)? {
                        Some((u, _)) => (
                            u.login.clone(),
                            Some(format!("/users/{}/works", encode_segment(&u.login))),
                            "User",
                        ),
                        None => ("A deleted account".into(), None, "User"),
                    },
                    SubscriptionKind::Tag => match s.tag(sub.target_id)? {
                        Some(t) => (t.name.clone(), Some(view::tag_href(&t.name)), "Tag"),
                        None => ("A tag no longer there".into(), None, "Tag"),
                    },
                    SubscriptionKind::Search => match &sub.search {
                        Some(search) => (
                            // Only names the reader could find (as for
                            // following a tag): none from drafts alone.
                            search_label(search, |id| {
                                s.tag_detail(id, viewer)
                                    .ok()
                                    .flatten()
                                    .filter(|d| d.canonical || d.direct_uses > 0)
                                    .map(|d| d.tag.name.clone())
                            }),
                            Some(search.href()),
                            "Search",
                        ),
                        None => ("A search no longer there".into(), None, "Search"),
                    },
                };
                rows.push(SubscriptionRow {
                    id: sub.id,
                    name,
                    href,
                    kind_label,
                    mail: mail_choices(sub.mail),
                });
            }
            Ok(rows)
        })
        .await?;
    let page = SubscriptionsPage {
        chrome: Chrome::of(&visitor),
        login: user.login.clone(),
        message: None,
        rows,
    };
    Ok(Html(page.render()?).into_response())
}

/// A saved search in words: its listing and what it asks.
fn search_label(
    search: &ficus_store::subscriptions::SavedSearch,
    tag_name: impl Fn(i64) -> Option<String>,
) -> String {
    let listing = match search.path.as_str() {
        "/works" => "All works".to_string(),
        "/works/search" => "Search".to_string(),
        other => {
            let name = other
                .strip_prefix("/tags/")
                .and_then(|r| r.strip_suffix("/works"))
                .unwrap_or(other);
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            format!("Works in {}", ficus_core::tag::tag_from_url_name(&name))
        }
    };
    let asked: Vec<String> = params::parse_form(search.query.as_bytes())
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| {
            let k = k
                .trim_start_matches("work_search[")
                .trim_end_matches("[]")
                .trim_end_matches(']');
            // Tags chosen in the sidebar are ids in the address: named.
            match k {
                "excluded_tag_ids" => format!("without: {}", named(&v, &tag_name)),
                k if k.ends_with("_ids") => format!("with: {}", named(&v, &tag_name)),
                k => format!("{}: {v}", k.replace('_', " ")),
            }
        })
        .collect();
    if asked.is_empty() {
        listing
    } else {
        format!("{listing} ({})", asked.join("; "))
    }
}

fn named(id: &str, tag_name: impl Fn(i64) -> Option<String>) -> String {
    id.parse()
        .ok()
        .and_then(tag_name)
        .unwrap_or_else(|| "a tag no longer there".into())
}

/// `GET /users/{login}/inbox/updates`: what subscriptions brought.
pub async fn updates(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    own(&user, &login)?;
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let uid = user.id;
    let viewer = visitor.viewer();
    let listed = st
        .db(move |s| s.subscription_updates(uid, viewer, page))
        .await?;
    let base = format!("/users/{}/inbox/updates", encode_segment(&user.login));
    let page = UpdatesPage {
        chrome: Chrome::of(&visitor),
        login: user.login.clone(),
        count: format!(
            "{} {}",
            thousands(i64::try_from(listed.total).unwrap_or(i64::MAX)),
            if listed.total == 1 {
                "update"
            } else {
                "updates"
            }
        ),
        updates: listed
            .items
            .iter()
            .map(|u| UpdateRow {
                event: u.event.clone(),
                work: u.work.as_ref().map(|w| {
                    let href = if u.event == "chapter" {
                        format!("/works/{}/chapters/{}", w.id, u.chapter_id)
                    } else {
                        format!("/works/{}", w.id)
                    };
                    (href, w.title.clone())
                }),
                what: if u.event == "chapter" {
                    "a new chapter"
                } else {
                    "a new work"
                },
                why: match u.reason.as_str() {
                    "work" => "you follow this work",
                    "series" => "you follow its series",
                    "user" => "you follow its creator",
                    "search" => "it matches a search you follow",
                    _ => "you follow one of its tags",
                },
                when: u.created_at.format("%d %b %Y %H:%M UTC").to_string(),
            })
            .collect(),
        pager: view::pager(&base, listed.page, listed.page_count()),
    };
    Ok(Html(page.render()?).into_response())
}
