//! Wrangling pages: a tag's wrangling form (`/tags/{name}/edit`) and
//! unwrangled tags by fandom (`/tag_wranglers`). The form's changes are
//! applied by [`ficus_app::wrangling::apply`], all or nothing.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::wrangling::WranglingEdit;
use ficus_core::TagType;
use ficus_core::tag::tag_from_url_name;
use ficus_store::TagRecord;
use ficus_store::wrangling::TagDetail;

use super::tags::{details_named, edit_href, no_such_tag, require_wrangler};
use crate::AppState;
use crate::error::WebError;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, verify_csrf};
use crate::templates::Chrome;
use crate::view::{self, tag_href};

/// Most unwrangled tags `/tag_wranglers` lists.
const UNWRANGLED_LIMIT: i64 = 200;

// ---------------------------------------------------------------------------
// GET/POST /tags/{name}/edit
// ---------------------------------------------------------------------------

/// A choice of parent type.
pub struct ParentChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// A meta tag or parent with a remove checkbox.
pub struct RemovableTag {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub kind: &'static str,
}

/// One tag's wrangling form.
pub struct TagEdit {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub kind_label: &'static str,
    /// Free tags and media can be wrangled; ratings, warnings and
    /// categories cannot.
    pub wranglable: bool,
    pub canonical: bool,
    pub synonym: String,
    pub add_meta: String,
    pub add_parent: String,
    pub parent_choices: Vec<ParentChoice>,
    pub metas: Vec<RemovableTag>,
    pub parents: Vec<RemovableTag>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "tag_edit.html")]
struct TagEditPage {
    chrome: Chrome,
    name: String,
    show_href: String,
    action: String,
    tags: Vec<TagEdit>,
}

fn removable(t: &TagRecord) -> RemovableTag {
    RemovableTag {
        id: t.id,
        name: t.name.clone(),
        href: tag_href(&t.name),
        kind: t.kind.label(false),
    }
}

fn tag_edit(d: &TagDetail, typed: Option<(&WranglingEdit, String)>) -> TagEdit {
    let kind = d.tag.kind;
    let (synonym, add_meta, add_parent, parent_type, error) = match typed {
        Some((f, message)) => (
            f.synonym.clone(),
            f.add_meta.clone(),
            f.add_parent.clone(),
            f.parent_type.clone(),
            Some(message),
        ),
        None => (
            d.merger
                .as_ref()
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            String::new(),
            String::new(),
            String::new(),
            None,
        ),
    };
    TagEdit {
        id: d.tag.id,
        name: d.tag.name.clone(),
        href: tag_href(&d.tag.name),
        kind_label: kind.label(false),
        wranglable: kind.is_free() || kind == TagType::Media,
        canonical: d.canonical,
        synonym,
        add_meta,
        add_parent,
        parent_choices: kind
            .parent_types()
            .iter()
            .map(|p| ParentChoice {
                value: p.as_str(),
                label: p.label(false),
                selected: p.as_str() == parent_type,
            })
            .collect(),
        metas: d.metas.iter().map(removable).collect(),
        parents: d.parents.iter().map(removable).collect(),
        error,
    }
}

fn render_edit(
    visitor: &Visitor,
    details: &[TagDetail],
    status: StatusCode,
    failed: Option<(i64, &WranglingEdit, String)>,
) -> Result<Response, WebError> {
    let name = details
        .first()
        .map(|d| d.tag.name.clone())
        .unwrap_or_default();
    let tags = details
        .iter()
        .map(|d| {
            let typed = match &failed {
                Some((id, form, message)) if *id == d.tag.id => Some((*form, message.clone())),
                _ => None,
            };
            tag_edit(d, typed)
        })
        .collect();
    let page = TagEditPage {
        chrome: Chrome::of(visitor),
        show_href: tag_href(&name),
        action: edit_href(&name),
        name,
        tags,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /tags/{name}/edit` (wranglers).
pub async fn edit(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(raw_name): Path<String>,
) -> Result<Response, WebError> {
    let name = tag_from_url_name(&raw_name);
    if let Some(r) = require_wrangler(&visitor, &edit_href(&name))? {
        return Ok(r);
    }
    let lookup = name.clone();
    let viewer = visitor.viewer();
    let details = st.db(move |s| details_named(s, &lookup, viewer)).await?;
    if details.is_empty() {
        return Err(no_such_tag(&name));
    }
    render_edit(&visitor, &details, StatusCode::OK, None)
}

fn parse_ids(raw: &[&str]) -> Result<Vec<i64>, WebError> {
    raw.iter()
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .map(|v| params::id(v, "tag"))
        .collect()
}

/// What a wrangling POST came to.
enum EditOutcome {
    Saved(String),
    Refused(Vec<TagDetail>, String),
}

/// `POST /tags/{name}/edit` (wranglers): one tag's form (`tag_id`).
pub async fn update(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(raw_name): Path<String>,
    form: StrictForm,
) -> Result<Response, WebError> {
    let name = tag_from_url_name(&raw_name);
    if let Some(r) = require_wrangler(&visitor, &edit_href(&name))? {
        return Ok(r);
    }
    verify_csrf(&st, &headers, Some(form.field(CSRF_FIELD)))?;
    let tag_id = params::id(form.field("tag_id").trim(), "tag")?;
    let edit = WranglingEdit {
        canonical: form.field("canonical") == "1",
        synonym: form.field("synonym_of").trim().to_string(),
        add_meta: form.field("add_meta").trim().to_string(),
        add_parent: form.field("add_parent").trim().to_string(),
        parent_type: form.field("parent_type").trim().to_string(),
        remove_metas: parse_ids(&form.fields("remove_meta"))?,
        remove_parents: parse_ids(&form.fields("remove_parent"))?,
    };
    let lookup = name.clone();
    let viewer = visitor.viewer();
    let submitted = edit.clone();
    let outcome = st
        .web_blocking(move |s| {
            let details = details_named(s, &lookup, viewer)?;
            let Some(detail) = details.iter().find(|d| d.tag.id == tag_id) else {
                return Err(if details.is_empty() {
                    no_such_tag(&lookup)
                } else {
                    WebError::BadRequest(
                        "This form is for a tag of another name. Go back, reload the page and try again."
                            .into(),
                    )
                });
            };
            match ficus_app::wrangling::apply(s, detail, &submitted)? {
                Ok(()) => Ok(EditOutcome::Saved(detail.tag.name.clone())),
                Err(message) => Ok(EditOutcome::Refused(details_named(s, &lookup, viewer)?, message)),
            }
        })
        .await?;
    match outcome {
        EditOutcome::Saved(tag_name) => Ok(Redirect::to(&tag_href(&tag_name)).into_response()),
        EditOutcome::Refused(details, message) => render_edit(
            &visitor,
            &details,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some((tag_id, &edit, message)),
        ),
    }
}

// ---------------------------------------------------------------------------
// GET /tag_wranglers
// ---------------------------------------------------------------------------

/// One unwrangled tag.
pub struct UnwrangledRow {
    pub kind: &'static str,
    pub name: String,
    pub href: String,
    pub edit_href: String,
    pub uses: String,
}

#[derive(Template)]
#[template(path = "tag_wranglers.html")]
struct WranglersPage {
    chrome: Chrome,
    fandom: String,
    error: Option<String>,
    limit: i64,
    rows: Vec<UnwrangledRow>,
}

/// `GET /tag_wranglers[?fandom=NAME]` (wranglers): unwrangled tags, most
/// used first, optionally only those on works of one fandom.
pub async fn wranglers(
    State(st): State<AppState>,
    visitor: Visitor,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    if let Some(r) = require_wrangler(&visitor, "/tag_wranglers")? {
        return Ok(r);
    }
    let pairs = params::parse_form(raw.as_deref().unwrap_or("").as_bytes())?;
    let fandom = pairs
        .iter()
        .find(|(k, _)| k == "fandom")
        .map(|(_, v)| v.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let lookup = fandom.clone();
    let found: Option<Vec<(TagRecord, i64)>> = st
        .db(move |s| {
            if lookup.is_empty() {
                return Ok(Some(s.unwrangled_tags(None, UNWRANGLED_LIMIT)?));
            }
            match s.tag_of_type(TagType::Fandom, &lookup)? {
                None => Ok(None),
                // `unwrangled_tags` expands the fandom (its synonym's
                // canonical, subtags) itself.
                Some(t) => Ok(Some(s.unwrangled_tags(Some(t.id), UNWRANGLED_LIMIT)?)),
            }
        })
        .await?;
    let (status, error, rows) = match found {
        Some(rows) => (StatusCode::OK, None, rows),
        None => (
            StatusCode::NOT_FOUND,
            Some(format!("There is no fandom named {fandom:?}.")),
            Vec::new(),
        ),
    };
    let page = WranglersPage {
        chrome: Chrome::of(&visitor),
        fandom,
        error,
        limit: UNWRANGLED_LIMIT,
        rows: rows
            .iter()
            .map(|(t, n)| UnwrangledRow {
                kind: t.kind.label(false),
                name: t.name.clone(),
                href: tag_href(&t.name),
                edit_href: edit_href(&t.name),
                uses: view::thousands(*n),
            })
            .collect(),
    };
    Ok((status, Html(page.render()?)).into_response())
}
