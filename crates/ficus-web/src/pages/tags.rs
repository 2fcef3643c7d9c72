//! Tags and mutes: a tag's page (`/tags/{name}`), wrangling
//! (`/tags/{name}/edit`, `/tag_wranglers`) and a reader's muted tags and
//! creators (`/mutes`; saved for accounts, a browser-session cookie for
//! guests).

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::TagType;
use ficus_core::account::Role;
use ficus_core::tag::{TagName, tag_from_url_name};
use ficus_store::wrangling::{TagDetail, WrangleChange};
use ficus_store::{Store, StoreError, TagRecord};

use crate::AppState;
use crate::error::WebError;
use crate::pages::discover::GUEST_MUTES_COOKIE;
use crate::params::{self, StrictForm};
use crate::session::{CSRF_FIELD, Visitor, cookie_header, is_https, verify_csrf};
use crate::templates::Chrome;
use crate::view::{self, encode_segment, tag_href};

/// Most mutes a guest's cookie holds (tags and creators together).
pub const MAX_GUEST_MUTES: usize = 200;
/// Most unwrangled tags `/tag_wranglers` lists.
const UNWRANGLED_LIMIT: i64 = 200;

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

fn field<'a>(form: &'a StrictForm, name: &str) -> &'a str {
    form.0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn fields<'a>(form: &'a StrictForm, name: &str) -> Vec<&'a str> {
    form.0
        .iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Whether the visitor may wrangle tags: tag wranglers, moderators, admins.
fn wrangles(visitor: &Visitor) -> bool {
    visitor
        .user
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::TagWrangler | Role::Moderator | Role::Admin))
}

fn login_redirect(return_to: &str) -> Response {
    Redirect::to(&format!(
        "/users/login?return_to={}",
        encode_segment(return_to)
    ))
    .into_response()
}

/// `None` for a wrangler; the log-in page for guests; 403 for other accounts.
fn require_wrangler(visitor: &Visitor, return_to: &str) -> Result<Option<Response>, WebError> {
    match &visitor.user {
        None => Ok(Some(login_redirect(return_to))),
        Some(_) if wrangles(visitor) => Ok(None),
        Some(_) => Err(WebError::Forbidden(
            "Only tag wranglers, moderators and admins can wrangle tags.".into(),
        )),
    }
}

fn no_such_tag(name: &str) -> WebError {
    WebError::NotFound(format!("There is no tag named {name:?}."))
}

fn edit_href(name: &str) -> String {
    format!("{}/edit", tag_href(name))
}

/// Every tag named `name` (any type), with what its page shows.
fn details_named(s: &Store, name: &str) -> Result<Vec<TagDetail>, StoreError> {
    let mut out = Vec::new();
    for t in s.tags_named(name)? {
        if let Some(d) = s.tag_detail(t.id)? {
            out.push(d);
        }
    }
    Ok(out)
}

/// "1 work" / "1,234 works".
fn works_text(n: i64) -> String {
    if n == 1 {
        "1 work".to_string()
    } else {
        format!("{} works", view::thousands(n))
    }
}

// ---------------------------------------------------------------------------
// Guests' mutes cookie: dot-separated `t<tag id>` and `c<creator id>`
// ---------------------------------------------------------------------------

/// One muted thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MuteToken {
    Tag(i64),
    Creator(i64),
}

/// The guest's mutes, parsed from the cookie: only positive integers are
/// kept, duplicates dropped, at most [`MAX_GUEST_MUTES`].
fn guest_tokens(headers: &HeaderMap) -> Vec<MuteToken> {
    let mut out: Vec<MuteToken> = Vec::new();
    let Some(raw) = params::cookie(headers, GUEST_MUTES_COOKIE) else {
        return out;
    };
    for part in raw.split('.').take(4 * MAX_GUEST_MUTES) {
        let number = |n: &str| {
            if n.bytes().all(|b| b.is_ascii_digit()) {
                n.parse::<i64>().ok().filter(|n| *n > 0)
            } else {
                None
            }
        };
        let token = if let Some(n) = part.strip_prefix('t') {
            number(n).map(MuteToken::Tag)
        } else if let Some(n) = part.strip_prefix('c') {
            number(n).map(MuteToken::Creator)
        } else {
            None
        };
        if let Some(t) = token
            && !out.contains(&t)
        {
            out.push(t);
        }
        if out.len() >= MAX_GUEST_MUTES {
            break;
        }
    }
    out
}

fn guest_cookie_value(tokens: &[MuteToken]) -> String {
    tokens
        .iter()
        .map(|t| match t {
            MuteToken::Tag(n) => format!("t{n}"),
            MuteToken::Creator(n) => format!("c{n}"),
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn guest_tag_ids(tokens: &[MuteToken]) -> Vec<i64> {
    tokens
        .iter()
        .filter_map(|t| match t {
            MuteToken::Tag(n) => Some(*n),
            MuteToken::Creator(_) => None,
        })
        .collect()
}

fn guest_creator_ids(tokens: &[MuteToken]) -> Vec<i64> {
    tokens
        .iter()
        .filter_map(|t| match t {
            MuteToken::Creator(n) => Some(*n),
            MuteToken::Tag(_) => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------
// GET /tags/{name}
// ---------------------------------------------------------------------------

/// A linked tag in a list box, with its type when the list mixes types.
pub struct TagItem {
    pub name: String,
    pub href: String,
    pub kind: Option<&'static str>,
}

/// One `div.listbox` of the tag page.
pub struct ListBox {
    pub class: &'static str,
    pub heading: &'static str,
    pub tags: Vec<TagItem>,
}

/// One tag on its page.
pub struct TagShow {
    pub id: i64,
    pub name: String,
    pub kind_label: &'static str,
    pub kind_class: &'static str,
    pub canonical: bool,
    pub merger: Option<TagItem>,
    pub boxes: Vec<ListBox>,
    pub uses_text: String,
    pub works_href: String,
    pub edit_href: String,
    pub muted: bool,
}

#[derive(Template)]
#[template(path = "tag_show.html")]
struct TagShowPage {
    chrome: Chrome,
    name: String,
    tags: Vec<TagShow>,
    wrangler: bool,
}

fn item(t: &TagRecord, with_kind: bool) -> TagItem {
    TagItem {
        name: t.name.clone(),
        href: tag_href(&t.name),
        kind: with_kind.then(|| t.kind.label(false)),
    }
}

fn list_box(
    class: &'static str,
    heading: &'static str,
    tags: &[TagRecord],
    with_kind: bool,
) -> Option<ListBox> {
    (!tags.is_empty()).then(|| ListBox {
        class,
        heading,
        tags: tags.iter().map(|t| item(t, with_kind)).collect(),
    })
}

fn tag_show(d: &TagDetail, muted: &[i64]) -> TagShow {
    let boxes = [
        list_box("parent", "Parent Tags (more general):", &d.parents, true),
        list_box("synonym", "Tags with the same meaning:", &d.synonyms, false),
        list_box("meta", "Metatags:", &d.metas, false),
        list_box("sub", "Subtags:", &d.subs, false),
        list_box("child", "Child Tags (more specific):", &d.children, true),
    ]
    .into_iter()
    .flatten()
    .collect();
    let uses_text = if d.direct_uses == 1 {
        "1 work uses this tag itself.".to_string()
    } else {
        format!("{} use this tag itself.", works_text(d.direct_uses))
    };
    TagShow {
        id: d.tag.id,
        name: d.tag.name.clone(),
        kind_label: d.tag.kind.label(false),
        kind_class: d.tag.kind.css_class(),
        canonical: d.canonical,
        merger: d.merger.as_ref().map(|m| item(m, false)),
        boxes,
        uses_text,
        works_href: view::tag_works_href(&d.tag.name),
        edit_href: edit_href(&d.tag.name),
        muted: muted.contains(&d.tag.id),
    }
}

/// `GET /tags/{name}`: every tag of that name (usually one), with its
/// wrangling, use count and mute button.
pub async fn show(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Path(raw_name): Path<String>,
) -> Result<Response, WebError> {
    let name = tag_from_url_name(&raw_name);
    let lookup = name.clone();
    let user = visitor.user.as_ref().map(|u| u.id);
    let guest = guest_tag_ids(&guest_tokens(&headers));
    let (details, muted) = st
        .db(move |s| {
            let details = details_named(s, &lookup)?;
            let muted = match user {
                Some(uid) if !details.is_empty() => s.mutes(uid)?.tag_ids(),
                Some(_) => Vec::new(),
                None => guest,
            };
            Ok::<_, StoreError>((details, muted))
        })
        .await?;
    let Some(first) = details.first() else {
        return Err(no_such_tag(&name));
    };
    let page = TagShowPage {
        chrome: Chrome::of(&visitor),
        name: first.tag.name.clone(),
        tags: details.iter().map(|d| tag_show(d, &muted)).collect(),
        wrangler: wrangles(&visitor),
    };
    Ok(Html(page.render()?).into_response())
}

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

/// What a wrangler submitted for one tag.
#[derive(Debug, Clone, Default)]
struct EditForm {
    canonical: bool,
    synonym: String,
    add_meta: String,
    add_parent: String,
    parent_type: String,
    remove_metas: Vec<i64>,
    remove_parents: Vec<i64>,
}

fn removable(t: &TagRecord) -> RemovableTag {
    RemovableTag {
        id: t.id,
        name: t.name.clone(),
        href: tag_href(&t.name),
        kind: t.kind.label(false),
    }
}

fn tag_edit(d: &TagDetail, typed: Option<(&EditForm, String)>) -> TagEdit {
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
    failed: Option<(i64, &EditForm, String)>,
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
    let details = st.db(move |s| details_named(s, &lookup)).await?;
    if details.is_empty() {
        return Err(no_such_tag(&name));
    }
    render_edit(&visitor, &details, StatusCode::OK, None)
}

/// Why a wrangling form could not be applied.
enum EditFailure {
    /// Bad input or a wrangling rule: shown on the form (422).
    Rule(String),
    Web(WebError),
}

/// "a tag name cannot be empty" → "A tag name cannot be empty."
fn sentence(s: &str) -> String {
    let mut chars = s.chars();
    let mut out: String = match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

impl From<StoreError> for EditFailure {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Wrangle(w) => EditFailure::Rule(w.to_string()),
            StoreError::TagName(t) => EditFailure::Rule(sentence(&t.to_string())),
            StoreError::NotFound(what) => EditFailure::Rule(format!(
                "That {what} no longer exists. Reload the page and try again."
            )),
            other => EditFailure::Web(WebError::Store(other)),
        }
    }
}

/// Applies a wrangling form to one tag, in order: removals, canonical and
/// synonym, new meta tag, new parent. Everything that can be checked
/// without writing is checked first.
fn apply_edit(s: &Store, d: &TagDetail, f: &EditForm) -> Result<(), EditFailure> {
    let id = d.tag.id;
    let kind = d.tag.kind;
    let target = if f.synonym.is_empty() {
        None
    } else {
        match s.tag_of_type(kind, &f.synonym)? {
            Some(t) => Some(t.id),
            None => {
                return Err(EditFailure::Rule(format!(
                    "There is no {} tag named {:?} to make this tag a synonym of.",
                    kind.label(false),
                    f.synonym
                )));
            }
        }
    };
    if !f.add_meta.is_empty()
        && let Err(e) = TagName::parse(&f.add_meta)
    {
        return Err(EditFailure::Rule(sentence(&e.to_string())));
    }
    let parent_type = if f.add_parent.is_empty() {
        None
    } else {
        if let Err(e) = TagName::parse(&f.add_parent) {
            return Err(EditFailure::Rule(sentence(&e.to_string())));
        }
        match TagType::parse(&f.parent_type).filter(|t| kind.parent_types().contains(t)) {
            Some(t) => Some(t),
            None => {
                let allowed: Vec<&str> =
                    kind.parent_types().iter().map(|t| t.label(false)).collect();
                return Err(EditFailure::Rule(if allowed.is_empty() {
                    format!("A {} tag cannot have parents.", kind.label(false))
                } else {
                    format!(
                        "A {} tag's parent must be a {} tag.",
                        kind.label(false),
                        allowed.join(" or ")
                    )
                }));
            }
        }
    };

    for &meta in &f.remove_metas {
        s.wrangle(id, &WrangleChange::RemoveMeta(meta))?;
    }
    for &parent in &f.remove_parents {
        s.wrangle(id, &WrangleChange::RemoveParent(parent))?;
    }
    if d.canonical && !f.canonical {
        s.wrangle(id, &WrangleChange::SetCanonical(false))?;
    }
    if target != d.merger.as_ref().map(|m| m.id) {
        s.wrangle(id, &WrangleChange::SynonymOf(target))?;
    }
    if !d.canonical && f.canonical {
        s.wrangle(id, &WrangleChange::SetCanonical(true))?;
    }
    if !f.add_meta.is_empty() {
        let meta = s.find_or_create_tag(kind, &f.add_meta)?;
        s.wrangle(id, &WrangleChange::AddMeta(meta.id))?;
    }
    if let Some(ptype) = parent_type {
        let parent = s.find_or_create_tag(ptype, &f.add_parent)?;
        s.wrangle(id, &WrangleChange::AddParent(parent.id))?;
    }
    Ok(())
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
    verify_csrf(&headers, Some(field(&form, CSRF_FIELD)))?;
    let tag_id = params::id(field(&form, "tag_id").trim(), "tag")?;
    let edit = EditForm {
        canonical: field(&form, "canonical") == "1",
        synonym: field(&form, "synonym_of").trim().to_string(),
        add_meta: field(&form, "add_meta").trim().to_string(),
        add_parent: field(&form, "add_parent").trim().to_string(),
        parent_type: field(&form, "parent_type").trim().to_string(),
        remove_metas: parse_ids(&fields(&form, "remove_meta"))?,
        remove_parents: parse_ids(&fields(&form, "remove_parent"))?,
    };
    let lookup = name.clone();
    let submitted = edit.clone();
    let outcome = st
        .web_blocking(move |s| {
            let details = details_named(s, &lookup)?;
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
            match apply_edit(s, detail, &submitted) {
                Ok(()) => Ok(EditOutcome::Saved(detail.tag.name.clone())),
                Err(EditFailure::Rule(message)) => {
                    Ok(EditOutcome::Refused(details_named(s, &lookup)?, message))
                }
                Err(EditFailure::Web(e)) => Err(e),
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

// ---------------------------------------------------------------------------
// GET/POST /mutes
// ---------------------------------------------------------------------------

/// A muted tag.
pub struct MutedTag {
    pub id: i64,
    pub name: String,
    pub href: String,
    pub kind: &'static str,
}

/// A muted creator (byline entry).
pub struct MutedCreator {
    pub id: i64,
    pub name: String,
}

#[derive(Template)]
#[template(path = "mutes.html")]
struct MutesPage {
    chrome: Chrome,
    guest: bool,
    max_guest: usize,
    error: Option<String>,
    tags: Vec<MutedTag>,
    creators: Vec<MutedCreator>,
    tag_name: String,
    creator_name: String,
}

/// The visitor's mutes: saved ones for accounts, the cookie's for guests.
async fn load_mutes(
    st: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
) -> Result<(Vec<TagRecord>, Vec<(i64, String)>), WebError> {
    match visitor.user.as_ref().map(|u| u.id) {
        Some(uid) => {
            let m = st.db(move |s| s.mutes(uid)).await?;
            Ok((m.tags, m.creators))
        }
        None => {
            let tokens = guest_tokens(headers);
            let tag_ids = guest_tag_ids(&tokens);
            let creator_ids = guest_creator_ids(&tokens);
            st.db(move |s| {
                let mut tags = s.tags_by_ids(&tag_ids)?;
                ficus_store::wrangling::sort_tags(&mut tags);
                let creators = s.creators_by_ids(&creator_ids)?;
                Ok::<_, StoreError>((tags, creators))
            })
            .await
        }
    }
}

async fn render_mutes(
    st: &AppState,
    visitor: &Visitor,
    headers: &HeaderMap,
    status: StatusCode,
    error: Option<String>,
    tag_name: String,
    creator_name: String,
) -> Result<Response, WebError> {
    let (tags, creators) = load_mutes(st, visitor, headers).await?;
    let page = MutesPage {
        chrome: Chrome::of(visitor),
        guest: visitor.user.is_none(),
        max_guest: MAX_GUEST_MUTES,
        error,
        tags: tags
            .iter()
            .map(|t| MutedTag {
                id: t.id,
                name: t.name.clone(),
                href: tag_href(&t.name),
                kind: t.kind.label(false),
            })
            .collect(),
        creators: creators
            .into_iter()
            .map(|(id, name)| MutedCreator { id, name })
            .collect(),
        tag_name,
        creator_name,
    };
    Ok((status, Html(page.render()?)).into_response())
}

/// `GET /mutes`: what the visitor has muted, and forms to mute more.
pub async fn mutes(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    render_mutes(
        &st,
        &visitor,
        &headers,
        StatusCode::OK,
        None,
        String::new(),
        String::new(),
    )
    .await
}

/// What a mute form names.
#[derive(Debug, Clone)]
enum MuteAsk {
    TagId(i64),
    CreatorId(i64),
    TagName(String),
    CreatorName(String),
}

/// The tokens a mute form means, or a message for the reader. Ids are
/// checked to exist when muting (unmuting a vanished one just forgets it).
fn resolve_mute(
    s: &Store,
    ask: &MuteAsk,
    mute: bool,
) -> Result<Result<Vec<MuteToken>, String>, StoreError> {
    Ok(match ask {
        MuteAsk::TagId(id) => {
            if mute && s.tag(*id)?.is_none() {
                Err("That tag does not exist.".to_string())
            } else {
                Ok(vec![MuteToken::Tag(*id)])
            }
        }
        MuteAsk::CreatorId(id) => {
            if mute && s.creators_by_ids(&[*id])?.is_empty() {
                Err("That creator does not exist.".to_string())
            } else {
                Ok(vec![MuteToken::Creator(*id)])
            }
        }
        MuteAsk::TagName(name) => {
            let tokens: Vec<MuteToken> = s
                .tags_named(name)?
                .into_iter()
                .map(|t| MuteToken::Tag(t.id))
                .collect();
            if tokens.is_empty() {
                Err(format!("There is no tag named {name:?}."))
            } else {
                Ok(tokens)
            }
        }
        MuteAsk::CreatorName(name) => {
            let tokens: Vec<MuteToken> = s
                .creators_named(name)?
                .into_iter()
                .map(|(id, _)| MuteToken::Creator(id))
                .collect();
            if tokens.is_empty() {
                Err(format!("There is no creator named {name:?}."))
            } else {
                Ok(tokens)
            }
        }
    })
}

/// `POST /mutes`: `action` = mute | unmute and one of `tag_id`,
/// `creator_id`, `tag_name`, `creator_name`. Saved for accounts; kept in
/// the `ficus_mutes` cookie for guests.
pub async fn update_mutes(
    State(st): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    form: StrictForm,
) -> Result<Response, WebError> {
    verify_csrf(&headers, Some(field(&form, CSRF_FIELD)))?;
    let mute = match field(&form, "action") {
        "mute" => true,
        "unmute" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not an action: mute or unmute."
            )));
        }
    };
    let tag_name = field(&form, "tag_name").trim().to_string();
    let creator_name = field(&form, "creator_name").trim().to_string();
    let tag_id = field(&form, "tag_id").trim();
    let creator_id = field(&form, "creator_id").trim();
    let ask = if !tag_id.is_empty() {
        MuteAsk::TagId(params::id(tag_id, "tag")?)
    } else if !creator_id.is_empty() {
        MuteAsk::CreatorId(params::id(creator_id, "creator")?)
    } else if !tag_name.is_empty() {
        MuteAsk::TagName(tag_name.clone())
    } else if !creator_name.is_empty() {
        MuteAsk::CreatorName(creator_name.clone())
    } else {
        return render_mutes(
            &st,
            &visitor,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("Please enter the name of a tag or a creator.".into()),
            tag_name,
            creator_name,
        )
        .await;
    };
    let user = visitor.user.as_ref().map(|u| u.id);
    let resolved = st
        .web_blocking(move |s| {
            let tokens = match resolve_mute(s, &ask, mute)? {
                Ok(tokens) => tokens,
                Err(message) => return Ok(Err(message)),
            };
            if let Some(uid) = user {
                for t in &tokens {
                    match *t {
                        MuteToken::Tag(id) => {
                            s.set_tag_muted(uid, id, mute)?;
                        }
                        MuteToken::Creator(id) => {
                            s.set_creator_muted(uid, id, mute)?;
                        }
                    }
                }
            }
            Ok(Ok(tokens))
        })
        .await?;
    let tokens = match resolved {
        Ok(tokens) => tokens,
        Err(message) => {
            return render_mutes(
                &st,
                &visitor,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                tag_name,
                creator_name,
            )
            .await;
        }
    };
    let mut resp = Redirect::to("/mutes").into_response();
    if visitor.user.is_none() {
        let mut current = guest_tokens(&headers);
        if mute {
            for t in tokens {
                if !current.contains(&t) {
                    current.push(t);
                }
            }
            if current.len() > MAX_GUEST_MUTES {
                return render_mutes(
                    &st,
                    &visitor,
                    &headers,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(format!(
                        "Without an account you can mute at most {MAX_GUEST_MUTES} tags and creators. Unmute some first, or log in to keep more."
                    )),
                    tag_name,
                    creator_name,
                )
                .await;
            }
        } else {
            current.retain(|t| !tokens.contains(t));
        }
        let value = guest_cookie_value(&current);
        let max_age = if value.is_empty() { Some(0) } else { None };
        resp.headers_mut().append(
            header::SET_COOKIE,
            cookie_header(
                GUEST_MUTES_COOKIE,
                &value,
                max_age,
                "Lax",
                is_https(&headers),
            ),
        );
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn cookie_headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_str(&format!("{GUEST_MUTES_COOKIE}={value}")).expect("header"),
        );
        h
    }

    #[test]
    fn guest_cookie_parses_only_positive_integers() {
        let tokens = guest_tokens(&cookie_headers(
            "t5.c7.t5.x1.t-3.t0.c+2.t99999999999999999999.t12",
        ));
        assert_eq!(
            tokens,
            vec![MuteToken::Tag(5), MuteToken::Creator(7), MuteToken::Tag(12)]
        );
        assert_eq!(guest_cookie_value(&tokens), "t5.c7.t12");
        assert!(guest_tokens(&HeaderMap::new()).is_empty());
    }

    #[test]
    fn guest_cookie_is_capped() {
        let raw: Vec<String> = (1..=500).map(|n| format!("t{n}")).collect();
        assert_eq!(
            guest_tokens(&cookie_headers(&raw.join("."))).len(),
            MAX_GUEST_MUTES
        );
    }

    #[test]
    fn sentences() {
        assert_eq!(
            sentence("a tag name cannot be empty"),
            "A tag name cannot be empty."
        );
        assert_eq!(sentence("Done."), "Done.");
    }
}
