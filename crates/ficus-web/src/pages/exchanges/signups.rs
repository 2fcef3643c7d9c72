//! Sign-up pages: the form (`/collections/{name}/signups/new`,
//! `/collections/{name}/signups/{id}/edit`, `POST
//! /collections/{name}/signups`), one sign-up
//! (`/collections/{name}/signups/{id}`: its participant, the maintainers,
//! and once assignments are out the writer of a gift for it), the
//! maintainers' list (`/collections/{name}/signups`) and withdrawing
//! (`POST /collections/{name}/signups/{id}` with `_method=delete`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::exchange::rules::{ExchangeSettings, MAX_PROMPTS, PromptForm, PromptKind};
use ficus_store::collections::CollectionRecord;
use ficus_store::exchanges::{ExchangeRecord, SignupRecord};

use super::{collection_href, exchange_of, must_maintain, refusal_status};
use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, StrictForm};
use crate::session::Visitor;
use crate::templates::Chrome;

#[derive(Template)]
#[template(path = "signup_form.html")]
struct FormPage {
    chrome: Chrome,
    c: CollectionRecord,
    settings: ExchangeSettings,
    open: bool,
    editing: bool,
    error: Option<String>,
    /// (kind, its rows)
    sections: Vec<(PromptKind, Vec<PromptForm>)>,
}

#[derive(Template)]
#[template(path = "signup_show.html")]
struct ShowPage {
    chrome: Chrome,
    c: CollectionRecord,
    s: SignupRecord,
    /// The participant's own: edit and withdraw while sign-ups are open.
    own: bool,
    open: bool,
    maintainer: bool,
    message: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "signups_index.html")]
struct IndexPage {
    chrome: Chrome,
    c: CollectionRecord,
    exchange: ExchangeRecord,
    signups: Vec<SignupRecord>,
}

fn field(kind: PromptKind, i: usize, key: &str) -> String {
    format!(
        "challenge_signup[{}s_attributes][{i}][{key}]",
        kind.as_str()
    )
}

/// The form's rows of one kind (as many as the exchange allows).
fn rows_of(form: &StrictForm, kind: PromptKind, allowed: u32) -> Vec<PromptForm> {
    (0..allowed.min(MAX_PROMPTS) as usize)
        .map(|i| PromptForm {
            fandoms: form.field(&field(kind, i, "fandom_tagnames")).to_string(),
            characters: form
                .field(&field(kind, i, "character_tagnames"))
                .to_string(),
            relationships: form
                .field(&field(kind, i, "relationship_tagnames"))
                .to_string(),
            freeforms: form.field(&field(kind, i, "freeform_tagnames")).to_string(),
            description: form.field(&field(kind, i, "description")).to_string(),
        })
        .collect()
}

/// Rows filled from a stored sign-up, padded with blank ones up to what
/// the exchange allows.
fn rows_from(stored: &[ficus_store::exchanges::PromptRecord], allowed: u32) -> Vec<PromptForm> {
    let mut rows: Vec<PromptForm> = stored
        .iter()
        .map(|p| PromptForm {
            fandoms: p.fandoms.join(", "),
            characters: p.characters.join(", "),
            relationships: p.relationships.join(", "),
            freeforms: p.freeforms.join(", "),
            description: p.description.clone(),
        })
        .collect();
    while rows.len() < allowed.min(MAX_PROMPTS) as usize {
        rows.push(PromptForm::default());
    }
    rows
}

fn signup_href(c: &CollectionRecord, id: i64) -> String {
    format!("{}/signups/{id}", collection_href(c))
}

async fn render_form(
    visitor: &Visitor,
    c: CollectionRecord,
    exchange: ExchangeRecord,
    existing: Option<&SignupRecord>,
    error: Option<String>,
    typed: Option<(Vec<PromptForm>, Vec<PromptForm>)>,
) -> Result<Response, WebError> {
    let s = exchange.settings;
    let (requests, offers) = match typed {
        Some(rows) => rows,
        None => match existing {
            Some(e) => (
                rows_from(&e.requests, s.requests_allowed),
                rows_from(&e.offers, s.offers_allowed),
            ),
            None => (
                rows_from(&[], s.requests_allowed),
                rows_from(&[], s.offers_allowed),
            ),
        },
    };
    let now = chrono::Utc::now().naive_utc();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = FormPage {
        chrome: Chrome::of(visitor),
        c,
        open: s.signups_open(now),
        editing: existing.is_some(),
        error,
        sections: vec![(PromptKind::Request, requests), (PromptKind::Offer, offers)],
        settings: s,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /collections/{name}/signups/new`: the form (a participant who
/// signed up already gets theirs to change).
pub async fn new_signup(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let (c, exchange) = exchange_of(&st, &name).await?;
    let (cid, uid) = (c.id, user.id);
    if let Some(mine) = st.db(move |s| s.signup_of(cid, uid)).await? {
        return Ok(Redirect::to(&format!("{}/edit", signup_href(&c, mine.id))).into_response());
    }
    render_form(&visitor, c, exchange, None, None, None).await
}

/// `GET /collections/{name}/signups/{id}/edit`: the participant's own.
pub async fn edit_signup(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path((name, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "sign-up")?;
    let (c, exchange) = exchange_of(&st, &name).await?;
    let mine = st
        .db(move |s| s.signup(id))
        .await?
        .filter(|s| s.user_id == user.id && s.collection_id == c.id)
        .ok_or_else(|| {
            WebError::NotFound("There is no such sign-up, or it is not yours.".into())
        })?;
    render_form(&visitor, c, exchange, Some(&mine), None, None).await
}

/// `POST /collections/{name}/signups`: makes or replaces the visitor's
/// sign-up.
pub async fn save_signup(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let (c, exchange) = exchange_of(&st, &name).await?;
    let s = &exchange.settings;
    let requests = rows_of(&form, PromptKind::Request, s.requests_allowed);
    let offers = rows_of(&form, PromptKind::Offer, s.offers_allowed);
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let (cid, uid) = (c.id, user.id);
    let (outcome, requests, offers, existing) = st
        .db(move |s| {
            let r = ficus_app::exchanges::sign_up(s, viewer, cid, &requests, &offers, now)?;
            let existing = s.signup_of(cid, uid)?;
            Ok((r, requests, offers, existing))
        })
        .await?;
    match outcome {
        Ok(id) => {
            Ok(Redirect::to(&format!("{}?signup=saved", signup_href(&c, id))).into_response())
        }
        Err(r) => {
            if let Some(e) = refusal_status(&r) {
                return Err(e);
            }
            render_form(
                &visitor,
                c,
                exchange,
                existing.as_ref(),
                Some(r.to_string()),
                Some((requests, offers)),
            )
            .await
        }
    }
}

/// `GET /collections/{name}/signups/{id}`.
pub async fn signup(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path((name, id)): Path<(String, String)>,
    q: params::QueryMap,
) -> Result<Response, WebError> {
    let q = params::query(q)?;
    let id = params::id(&id, "sign-up")?;
    let (c, exchange) = exchange_of(&st, &name).await?;
    let maintainer = super::maintains(&c, &visitor);
    let cid = c.id;
    let uid = user.id;
    let (found, writes_for_it) = st
        .db(move |s| {
            let found = s.signup(id)?.filter(|s| s.collection_id == cid);
            // The writer of a sent assignment reads its recipient's
            // requests.
            let writes = s
                .user_assignments(uid)?
                .iter()
                .any(|a| a.recipient_signup_id == id);
            Ok((found, writes))
        })
        .await?;
    let not_found =
        || WebError::NotFound("There is no such sign-up, or it is not visible to you.".into());
    let s = found.ok_or_else(not_found)?;
    let own = s.user_id == user.id;
    if !own && !maintainer && !writes_for_it {
        return Err(not_found());
    }
    let page = ShowPage {
        chrome: Chrome::of(&visitor),
        open: exchange
            .settings
            .signups_open(chrono::Utc::now().naive_utc())
            && exchange.sent_at.is_none(),
        c,
        s,
        own,
        maintainer,
        message: match q.get("signup").map(String::as_str) {
            Some("saved") => Some("Sign-up was successfully saved."),
            _ => None,
        },
    };
    Ok(Html(page.render()?).into_response())
}

/// `GET /collections/{name}/signups`: the maintainers' list.
pub async fn signups(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let (c, exchange) = exchange_of(&st, &name).await?;
    must_maintain(&c, &visitor)?;
    let cid = c.id;
    let signups = st.db(move |s| s.exchange_signups(cid)).await?;
    let page = IndexPage {
        chrome: Chrome::of(&visitor),
        c,
        exchange,
        signups,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /collections/{name}/signups/{id}` with `_method=delete`.
pub async fn withdraw_signup(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path((name, id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "sign-up")?;
    if form.field("_method") != "delete" {
        return Err(WebError::BadRequest(
            "A sign-up is changed from its edit form; this address only withdraws it (_method=delete).".into(),
        ));
    }
    let (c, _) = exchange_of(&st, &name).await?;
    let cid = c.id;
    if st
        .db(move |s| s.signup(id))
        .await?
        .is_none_or(|s| s.collection_id != cid)
    {
        return Err(WebError::NotFound(
            "There is no such sign-up in this collection.".into(),
        ));
    }
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    match st
        .db(move |s| ficus_app::exchanges::withdraw(s, viewer, id, now))
        .await?
    {
        Ok(()) => Ok(
            Redirect::to(&format!("{}?collection=withdrawn", collection_href(&c))).into_response(),
        ),
        Err(r) => Err(refusal_status(&r).unwrap_or(WebError::BadRequest(r.to_string()))),
    }
}
