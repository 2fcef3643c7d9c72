//! Gift exchange pages, AO3's URLs under a collection: the maintainers'
//! settings (`/collections/{name}/gift_exchange/new|edit`,
//! `POST /collections/{name}/gift_exchange`), sign-ups (`signups.rs`),
//! matching and assignments (`assignments.rs`). Rules are the use case's
//! (`ficus_app::exchanges`) and the store's.

mod assignments;
mod signups;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::exchange::rules::{
    ExchangeForm, ExchangeRefusal, ExchangeSettings, MAX_PROMPTS, show_when,
};
use ficus_store::collections::CollectionRecord;
use ficus_store::exchanges::ExchangeRecord;

pub use assignments::{
    assignment, assignments, cover, default, generate_matches, matches, send_out, user_assignments,
};
pub use signups::{edit_signup, new_signup, save_signup, signup, signups, withdraw_signup};

use super::collections::{by_name, maintains};
use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::StrictForm;
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::encode_segment;

#[derive(Template)]
#[template(path = "exchange_form.html")]
struct FormPage {
    chrome: Chrome,
    c: CollectionRecord,
    creating: bool,
    error: Option<String>,
    f: Fields,
    max_prompts: u32,
}

/// The settings form's fields as shown (typed or stored).
struct Fields {
    signup_open: bool,
    signups_open_at: String,
    signups_close_at: String,
    assignments_due_at: String,
    reveal_at: String,
    requests_required: String,
    requests_allowed: String,
    offers_required: String,
    offers_allowed: String,
    match_fandoms: String,
    match_characters: String,
    match_relationships: String,
    match_freeforms: String,
    instructions: String,
}

const FIELD: &str = "gift_exchange";

fn name(key: &str) -> String {
    format!("{FIELD}[{key}]")
}

impl Fields {
    fn of_settings(s: &ExchangeSettings) -> Fields {
        Fields {
            signup_open: s.signup_open,
            signups_open_at: show_when(s.signups_open_at),
            signups_close_at: show_when(s.signups_close_at),
            assignments_due_at: show_when(s.assignments_due_at),
            reveal_at: show_when(s.reveal_at),
            requests_required: s.requests_required.to_string(),
            requests_allowed: s.requests_allowed.to_string(),
            offers_required: s.offers_required.to_string(),
            offers_allowed: s.offers_allowed.to_string(),
            match_fandoms: s.rules.fandoms.to_string(),
            match_characters: s.rules.characters.to_string(),
            match_relationships: s.rules.relationships.to_string(),
            match_freeforms: s.rules.freeforms.to_string(),
            instructions: s.instructions.clone(),
        }
    }

    fn of_form(form: &StrictForm) -> Fields {
        let f = |k: &str| form.field(&name(k)).to_string();
        let m = |k: &str| {
            form.field(&format!(
                "{FIELD}[potential_match_settings_attributes][num_required_{k}]"
            ))
            .to_string()
        };
        Fields {
            signup_open: form.fields(&name("signup_open")).contains(&"1"),
            signups_open_at: f("signups_open_at_string"),
            signups_close_at: f("signups_close_at_string"),
            assignments_due_at: f("assignments_due_at_string"),
            reveal_at: f("works_reveal_at_string"),
            requests_required: f("requests_num_required"),
            requests_allowed: f("requests_num_allowed"),
            offers_required: f("offers_num_required"),
            offers_allowed: f("offers_num_allowed"),
            match_fandoms: m("fandoms"),
            match_characters: m("characters"),
            match_relationships: m("relationships"),
            match_freeforms: m("freeforms"),
            instructions: f("signup_instructions_general"),
        }
    }

    fn form(&self) -> ExchangeForm<'_> {
        ExchangeForm {
            signup_open: self.signup_open,
            signups_open_at: &self.signups_open_at,
            signups_close_at: &self.signups_close_at,
            assignments_due_at: &self.assignments_due_at,
            reveal_at: &self.reveal_at,
            requests_required: &self.requests_required,
            requests_allowed: &self.requests_allowed,
            offers_required: &self.offers_required,
            offers_allowed: &self.offers_allowed,
            match_fandoms: &self.match_fandoms,
            match_characters: &self.match_characters,
            match_relationships: &self.match_relationships,
            match_freeforms: &self.match_freeforms,
            instructions: &self.instructions,
        }
    }
}

fn collection_href(c: &CollectionRecord) -> String {
    format!("/collections/{}", encode_segment(&c.name))
}

/// The collection and its exchange, or 404.
async fn exchange_of(
    st: &AppState,
    name: &str,
) -> Result<(CollectionRecord, ExchangeRecord), WebError> {
    let c = by_name(st, name).await?;
    let id = c.id;
    let exchange = st
        .db(move |s| s.exchange(id))
        .await?
        .ok_or_else(|| WebError::NotFound(ExchangeRefusal::NotAnExchange.to_string()))?;
    Ok((c, exchange))
}

/// A maintainer-only page's check.
fn must_maintain(c: &CollectionRecord, visitor: &Visitor) -> Result<(), WebError> {
    if maintains(c, visitor) {
        Ok(())
    } else {
        Err(WebError::Forbidden(
            ExchangeRefusal::NotMaintainer.to_string(),
        ))
    }
}

/// A refusal as a response: 404 for what the visitor may not see, 403 for
/// what only maintainers may do, 422 otherwise (re-rendered by `page`).
fn refusal_status(r: &ExchangeRefusal) -> Option<WebError> {
    match r {
        ExchangeRefusal::NotFound | ExchangeRefusal::NotAnExchange => {
            Some(WebError::NotFound(r.to_string()))
        }
        ExchangeRefusal::NotMaintainer => Some(WebError::Forbidden(r.to_string())),
        _ => None,
    }
}

/// `GET /collections/{name}/gift_exchange/new` and `…/edit`: the
/// maintainers' settings (a collection becomes an exchange by saving it).
pub async fn settings_form(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let c = by_name(&st, &name).await?;
    must_maintain(&c, &visitor)?;
    let id = c.id;
    let exchange = st.db(move |s| s.exchange(id)).await?;
    let page = FormPage {
        chrome: Chrome::of(&visitor),
        creating: exchange.is_none(),
        f: Fields::of_settings(&exchange.map(|e| e.settings).unwrap_or_default()),
        c,
        error: None,
        max_prompts: MAX_PROMPTS,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /collections/{name}/gift_exchange`.
pub async fn save_settings(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(name): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let c = by_name(&st, &name).await?;
    let fields = Fields::of_form(&form);
    let viewer = visitor.viewer();
    let now = chrono::Utc::now().naive_utc();
    let id = c.id;
    let (outcome, fields, creating) = st
        .db(move |s| {
            let creating = s.exchange(id)?.is_none();
            let r = ficus_app::exchanges::set_up(s, viewer, id, &fields.form(), now)?;
            Ok((r, fields, creating))
        })
        .await?;
    match outcome {
        Ok(()) => Ok(Redirect::to(&format!(
            "{}?collection={}",
            collection_href(&c),
            if creating {
                "exchange"
            } else {
                "exchange_updated"
            }
        ))
        .into_response()),
        Err(r) => {
            if let Some(e) = refusal_status(&r) {
                return Err(e);
            }
            let page = FormPage {
                chrome: Chrome::of(&visitor),
                creating,
                f: fields,
                c,
                error: Some(r.to_string()),
                max_prompts: MAX_PROMPTS,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}
