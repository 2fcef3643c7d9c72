//! Gifts pages, AO3's URLs: `/users/{login}/gifts` (the works given to the
//! account that the visitor may see; `?refused=true` lists the refused
//! ones, for the account itself) and `POST /gifts/{id}/toggle_rejected`
//! (the recipient refuses a gift, or accepts it again).

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap};
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{Blurb, Pager, blurb_for, encode_segment, pager, thousands};

#[derive(Template)]
#[template(path = "gifts.html")]
struct GiftsPage {
    chrome: Chrome,
    heading: String,
    login: String,
    /// The account's own page (refuse / accept buttons, the refused list).
    own: bool,
    refused: bool,
    message: Option<&'static str>,
    /// (gift id, blurb)
    gifts: Vec<(i64, Blurb)>,
    pager: Pager,
}

/// `GET /users/{login}/gifts`.
pub async fn index(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(login): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let page = params::page(&q)?;
    let refused = q.get("refused").is_some_and(|v| v == "true");
    let lookup = login.clone();
    let user = st
        .db(move |s| s.user_for_login(&lookup))
        .await?
        .map(|(u, _)| u)
        .ok_or_else(|| WebError::NotFound(format!("There is no user named {login:?}.")))?;
    let own = visitor.user.as_ref().is_some_and(|u| u.id == user.id);
    if refused && !own {
        return Err(WebError::Forbidden(
            "Only the recipient sees the gifts they refused.".into(),
        ));
    }
    let viewer = visitor.viewer();
    let uid = user.id;
    let listed = st
        .db(move |s| s.user_gifts(uid, viewer, refused, page))
        .await?;
    let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
    let n = listed.total;
    let base = format!(
        "/users/{}/gifts{}",
        encode_segment(&user.login),
        if refused { "?refused=true" } else { "" }
    );
    let out = GiftsPage {
        chrome: Chrome::of(&visitor),
        heading: format!(
            "{} {} for {}",
            thousands(n as i64),
            match (refused, n == 1) {
                (true, true) => "Refused Gift",
                (true, false) => "Refused Gifts",
                (false, true) => "Gift",
                (false, false) => "Gifts",
            },
            user.login
        ),
        login: user.login.clone(),
        own,
        refused,
        message: match q.get("gift").map(String::as_str) {
            Some("refused") => Some("This work will no longer be listed among your gifts."),
            Some("accepted") => Some("This work will now be listed among your gifts."),
            _ => None,
        },
        gifts: listed
            .items
            .iter()
            .map(|g| (g.id, blurb_for(&g.work, &prefs)))
            .collect(),
        pager: pager(&base, listed.page, listed.page_count()),
    };
    Ok(Html(out.render()?).into_response())
}

/// `POST /gifts/{id}/toggle_rejected`.
pub async fn toggle_rejected(
    State(st): State<AppState>,
    SignedIn { user, .. }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(_form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "gift")?;
    let uid = user.id;
    let state = st
        .db(move |s| s.toggle_gift_rejected(uid, id))
        .await?
        .ok_or_else(|| WebError::NotFound("There is no such gift of yours.".into()))?;
    Ok(Redirect::to(&format!(
        "/users/{}/gifts?gift={}",
        encode_segment(&user.login),
        if state { "refused" } else { "accepted" }
    ))
    .into_response())
}
