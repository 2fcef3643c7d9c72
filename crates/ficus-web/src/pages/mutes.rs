//! A reader's muted tags and creators (`/mutes`): saved for accounts, a
//! browser-session cookie for guests ([`ficus_app::mutes::GuestMutes`]).

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::mutes::{MAX_GUEST_MUTES, MuteToken};
use ficus_store::{Store, StoreError, TagRecord};

use crate::AppState;
use crate::error::WebError;
use crate::params::{self, GUEST_MUTES_COOKIE, StrictForm, guest_mutes_cookie};
use crate::session::{CSRF_FIELD, Visitor, cookie_header, is_https, verify_csrf};
use crate::templates::Chrome;
use crate::view::tag_href;

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
            let mutes = guest_mutes_cookie(headers);
            let (tag_ids, creator_ids) = (mutes.tag_ids(), mutes.creator_ids());
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
    verify_csrf(&st, &headers, Some(form.field(CSRF_FIELD)))?;
    let mute = match form.field("action") {
        "mute" => true,
        "unmute" => false,
        other => {
            return Err(WebError::BadRequest(format!(
                "{other:?} is not an action: mute or unmute."
            )));
        }
    };
    let tag_name = form.field("tag_name").trim().to_string();
    let creator_name = form.field("creator_name").trim().to_string();
    let tag_id = form.field("tag_id").trim();
    let creator_id = form.field("creator_id").trim();
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
                ficus_app::mutes::apply_to_account(s, uid, &tokens, mute)?;
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
        let mut current = guest_mutes_cookie(&headers);
        if mute {
            if !current.mute(&tokens) {
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
            current.unmute(&tokens);
        }
        let value = current.cookie_value();
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
