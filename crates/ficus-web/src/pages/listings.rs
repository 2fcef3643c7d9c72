//! Listings: the front page, all works, a tag's works, a creator's works.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::html::escape;
use ficus_store::{Page, WorkRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, QueryMap};
use crate::session::Visitor;
use crate::templates::{Chrome, HomePage, ListingPage};
use crate::view::{self, blurb_for, encode_segment, pager};

/// Works per listing page, as on AO3.
pub const PER_PAGE: u32 = 20;

/// `GET /`.
pub async fn home(State(st): State<AppState>, visitor: Visitor) -> Result<Response, WebError> {
    let viewer = visitor.viewer();
    let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
    let page = st.db(move |s| s.list_works(viewer, 1, PER_PAGE)).await?;
    let total = page.total;
    let home = HomePage {
        chrome: Chrome::of(&visitor),
        total,
        total_text: format!(
            "{} {}",
            view::thousands(total as i64),
            if total == 1 { "work" } else { "works" }
        ),
        blurbs: page.items.iter().map(|w| blurb_for(w, &prefs)).collect(),
    };
    Ok(Html(home.render()?).into_response())
}

/// "1 - 20 of 57 Works".
fn range_text(page: &Page<WorkRecord>) -> String {
    if page.total == 0 {
        return "0 Works".to_string();
    }
    let first = u64::from(page.page - 1) * u64::from(page.per_page) + 1;
    let last = first + page.items.len().saturating_sub(1) as u64;
    if first > page.total {
        return format!("{} Works", view::thousands(page.total as i64));
    }
    format!(
        "{} - {} of {} Works",
        view::thousands(first as i64),
        view::thousands(last as i64),
        view::thousands(page.total as i64)
    )
}

fn listing(
    visitor: &Visitor,
    base: &str,
    page: Page<WorkRecord>,
    heading: String,
    heading_html: String,
    empty_text: &str,
    subscribe: Option<crate::view::SubscribeButton>,
) -> Result<Response, WebError> {
    let page_count = page.page_count();
    if page.page > page_count {
        return Err(WebError::NotFound(format!(
            "There are only {page_count} pages here; page {} does not exist.",
            page.page
        )));
    }
    let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
    let out = ListingPage {
        chrome: Chrome::of(visitor),
        heading,
        heading_html,
        intro: None,
        empty_text: empty_text.to_string(),
        blurbs: page.items.iter().map(|w| blurb_for(w, &prefs)).collect(),
        pager: pager(base, page.page, page_count),
        subscribe,
    };
    Ok(Html(out.render()?).into_response())
}

/// `GET /users/{login}`.
pub async fn user_redirect(Path(login): Path<String>) -> Redirect {
    Redirect::to(&format!("/users/{}/works", encode_segment(&login)))
}

/// `GET /users/{login}/pseuds/{pseud}`.
pub async fn pseud_redirect(Path((login, pseud)): Path<(String, String)>) -> Redirect {
    Redirect::to(&format!(
        "/users/{}/pseuds/{}/works",
        encode_segment(&login),
        encode_segment(&pseud)
    ))
}

/// `GET /users/{login}/works`: works by a creator name.
pub async fn user_works(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let viewer = visitor.viewer();
    let q = params::query(q)?;
    let n = params::page(&q)?;
    let lookup = login.clone();
    let reader = visitor.user.as_ref().map(|u| u.id);
    let (listed, account) = st
        .db(move |s| {
            // The account (to follow), and the reader's subscription to it.
            let account = match (reader, s.user_for_login(&lookup)?) {
                (Some(uid), Some((u, _))) if u.id != uid => Some((
                    u.id,
                    s.subscription_to(
                        uid,
                        ficus_store::subscriptions::SubscriptionKind::User,
                        u.id,
                    )?,
                )),
                _ => None,
            };
            Ok((s.list_works_by_user(&lookup, viewer, n, PER_PAGE)?, account))
        })
        .await?;
    match listed {
        Some((display, page)) => {
            let range = range_text(&page);
            let base = format!("/users/{}/works", encode_segment(&display));
            let heading_html = format!("{} by {}", escape(&range), escape(&display));
            listing(
                &visitor,
                &base,
                page,
                format!("{range} by {display}"),
                heading_html,
                "No visible works yet.",
                visitor
                    .user
                    .as_ref()
                    .zip(account)
                    .map(|(u, (target_id, existing))| crate::view::SubscribeButton {
                        login: u.login.clone(),
                        kind: "User",
                        target_id,
                        existing,
                        back: base.clone(),
                    }),
            )
        }
        // Not an account: an imported creator name.
        None => {
            let pseud = login.clone();
            creator_works(st, visitor, login, pseud, Ok(axum::extract::Query(q))).await
        }
    }
}

/// `GET /users/{login}/pseuds/{pseud}/works`. Until accounts exist, a pseud
/// is a creator name.
pub async fn pseud_works(
    State(st): State<AppState>,
    visitor: Visitor,
    Path((login, pseud)): Path<(String, String)>,
    q: QueryMap,
) -> Result<Response, WebError> {
    creator_works(st, visitor, login, pseud, q).await
}

async fn creator_works(
    st: AppState,
    visitor: Visitor,
    login: String,
    name: String,
    q: QueryMap,
) -> Result<Response, WebError> {
    let viewer = visitor.viewer();
    let q = params::query(q)?;
    let n = params::page(&q)?;
    let (l, p) = (login.clone(), name.clone());
    let (creator_id, display) = st
        .db(move |s| s.creator_for(&l, &p))
        .await?
        .ok_or_else(|| WebError::NotFound(format!("There is no creator named {name:?}.")))?;
    let page = st
        .db(move |s| s.list_works_by_creator(creator_id, viewer, n, PER_PAGE))
        .await?;
    let range = range_text(&page);
    let base = format!(
        "/users/{}/pseuds/{}/works",
        encode_segment(&login),
        encode_segment(&display)
    );
    let heading_html = format!("{} by {}", escape(&range), escape(&display));
    listing(
        &visitor,
        &base,
        page,
        format!("{range} by {display}"),
        heading_html,
        "This creator has no visible works.",
        None,
    )
}
