//! A tag's page (`/tags/{name}`) and what the tag pages share. Wrangling
//! is in `wrangling.rs`, a reader's mutes in `mutes.rs`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_core::access::Viewer;
use ficus_core::account::Role;
use ficus_core::tag::tag_from_url_name;
use ficus_store::wrangling::TagDetail;
use ficus_store::{Store, StoreError, TagRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params;
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{self, encode_segment, tag_href};

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Whether the visitor may wrangle tags: tag wranglers, moderators, admins.
pub(super) fn wrangles(visitor: &Visitor) -> bool {
    visitor
        .user
        .as_ref()
        .is_some_and(|u| matches!(u.role, Role::TagWrangler | Role::Moderator | Role::Admin))
}

pub(super) fn login_redirect(return_to: &str) -> Response {
    Redirect::to(&format!(
        "/users/login?return_to={}",
        encode_segment(return_to)
    ))
    .into_response()
}

/// `None` for a wrangler; the log-in page for guests; 403 for other accounts.
pub(super) fn require_wrangler(
    visitor: &Visitor,
    return_to: &str,
) -> Result<Option<Response>, WebError> {
    match &visitor.user {
        None => Ok(Some(login_redirect(return_to))),
        Some(_) if wrangles(visitor) => Ok(None),
        Some(_) => Err(WebError::Forbidden(
            "Only tag wranglers, moderators and admins can wrangle tags.".into(),
        )),
    }
}

pub(super) fn no_such_tag(name: &str) -> WebError {
    WebError::NotFound(format!("There is no tag named {name:?}."))
}

pub(super) fn edit_href(name: &str) -> String {
    format!("{}/edit", tag_href(name))
}

/// Every tag named `name` (any type), with what its page shows to
/// `viewer` (use counts follow the listings' access rule).
pub(super) fn details_named(
    s: &Store,
    name: &str,
    viewer: Viewer,
) -> Result<Vec<TagDetail>, StoreError> {
    let mut out = Vec::new();
    for t in s.tags_named(name)? {
        if let Some(d) = s.tag_detail(t.id, viewer)? {
            out.push(d);
        }
    }
    Ok(out)
}

/// "1 work" / "1,234 works".
pub(super) fn works_text(n: i64) -> String {
    if n == 1 {
        "1 work".to_string()
    } else {
        format!("{} works", view::thousands(n))
    }
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
    pub bookmarks_href: String,
    pub edit_href: String,
    pub muted: bool,
    /// Subscribe / Unsubscribe, for accounts.
    pub subscribe: Option<crate::view::SubscribeButton>,
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
        bookmarks_href: format!("{}/bookmarks", tag_href(&d.tag.name)),
        edit_href: edit_href(&d.tag.name),
        muted: muted.contains(&d.tag.id),
        subscribe: None,
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
    let viewer = visitor.viewer();
    let guest = params::guest_mutes_cookie(&headers).tag_ids();
    let (details, muted, subscribed) = st
        .db(move |s| {
            let details = details_named(s, &lookup, viewer)?;
            let muted = match user {
                Some(uid) if !details.is_empty() => s.mutes(uid)?.tag_ids(),
                Some(_) => Vec::new(),
                None => guest,
            };
            let mut subscribed = Vec::new();
            if let Some(uid) = user {
                for d in &details {
                    subscribed.push(s.subscription_to(
                        uid,
                        ficus_store::subscriptions::SubscriptionKind::Tag,
                        d.tag.id,
                    )?);
                }
            }
            Ok::<_, StoreError>((details, muted, subscribed))
        })
        .await?;
    let Some(first) = details.first() else {
        return Err(no_such_tag(&name));
    };
    let page = TagShowPage {
        chrome: Chrome::of(&visitor),
        name: first.tag.name.clone(),
        tags: details
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut shown = tag_show(d, &muted);
                shown.subscribe = visitor.user.as_ref().map(|u| crate::view::SubscribeButton {
                    login: u.login.clone(),
                    kind: "Tag",
                    target_id: d.tag.id,
                    existing: subscribed.get(i).copied().flatten(),
                    back: tag_href(&d.tag.name),
                });
                shown
            })
            .collect(),
        wrangler: wrangles(&visitor),
    };
    Ok(Html(page.render()?).into_response())
}
