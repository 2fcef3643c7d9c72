//! The work page family: whole work, one chapter, entire work, chapter
//! index, chapter redirect, and the adult-content interstitial.

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_store::readers::ReaderOfWork;
use ficus_store::{ChapterChoice, ChapterRecord, ChapterSummary, Found, Reading};

use crate::AppState;
use crate::comment_cache::ViewerClass;
use crate::error::WebError;
use crate::origin::ClientIp;
use crate::page_cache::{Audience, CachedPage, Fill, PageFacts, PageKey, Slot};
use crate::params::{self, QueryMap};
use crate::session::{SessionKey, Visitor};
use crate::templates::{
    ChapterNav, ChapterView, Chrome, InterstitialPage, KudosBox, NavigatePage, WorkPage,
};
use crate::view::{self, creator_links, meta_groups, stats};

/// The cookie that remembers "Yes, Continue" for the browser session.
pub const ADULT_COOKIE: &str = "view_adult";

fn not_found_work() -> WebError {
    WebError::NotFound("This work does not exist, or is not visible to you.".into())
}

/// The work, its chapter list and the chosen texts, or a 404.
///
/// A guest asking for a restricted work is sent to the log-in page
/// instead, and comes back to the work afterwards.
pub(crate) async fn load(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
    choice: ChapterChoice,
    path: &str,
) -> Result<Result<Reading, Response>, WebError> {
    let viewer = visitor.viewer();
    match st.db(move |s| s.read_work(id, viewer, choice)).await? {
        Found::Visible(reading) => Ok(Ok(reading)),
        Found::LogInFirst => {
            let to = format!(
                "/users/login?restricted=true&return_to={}",
                crate::view::encode_segment(path)
            );
            Ok(Err(Redirect::to(&to).into_response()))
        }
        Found::NotFound => {
            // A work in an unrevealed collection is a mystery, not gone.
            if st.db(move |s| s.work_is_unrevealed(id)).await? {
                return Err(WebError::NotFound(
                    "Mystery Work: this is part of an ongoing challenge and will be revealed soon!"
                        .into(),
                ));
            }
            Err(not_found_work())
        }
    }
}

/// `GET /works/{id}`: a one-chapter work whole; a multi-chapter work on its
/// first chapter unless `view_full_work=true`.
pub async fn show(
    State(st): State<AppState>,
    visitor: SessionKey,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    q: QueryMap,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let q = params::query(q)?;
    let full = params::flag(&q, "view_full_work");
    render(&st, visitor, &ip, id, None, full, &q, &headers).await
}

/// `GET /works/{id}/chapters/{chapter_id}`.
pub async fn chapter(
    State(st): State<AppState>,
    visitor: SessionKey,
    ClientIp(ip): ClientIp,
    Path((id, chapter_id)): Path<(String, String)>,
    q: QueryMap,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let chapter_id = params::id(&chapter_id, "chapter")?;
    let q = params::query(q)?;
    render(&st, visitor, &ip, id, Some(chapter_id), false, &q, &headers).await
}

/// `GET /chapters/{chapter_id}`: redirects to the chapter under its work,
/// keeping the query (`?show_comments=true`, `page=N`, as AO3's clients
/// ask for a chapter's comments).
pub async fn chapter_redirect(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(chapter_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let chapter_id = params::id(&chapter_id, "chapter")?;
    let work_id = st
        .db(move |s| s.chapter_work_id(chapter_id))
        .await?
        .ok_or_else(|| WebError::NotFound("This chapter does not exist.".into()))?;
    let target = format!("/works/{work_id}/chapters/{chapter_id}");
    if let Err(login) = load(&st, &visitor, work_id, ChapterChoice::NoText, &target).await? {
        return Ok(login);
    }
    let query = query
        .filter(|q| !q.is_empty())
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    Ok(Redirect::permanent(&format!("{target}{query}")).into_response())
}

/// `GET /works/{id}/navigate`: the chapter index.
pub async fn navigate(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "work")?;
    let path = format!("/works/{id}/navigate");
    let Reading {
        work,
        chapters: list,
        ..
    } = match load(&st, &visitor, id, ChapterChoice::NoText, &path).await? {
        Ok(reading) => reading,
        Err(login) => return Ok(login),
    };
    let page = NavigatePage {
        chrome: Chrome::of(&visitor),
        work_id: id,
        title: work.title.clone(),
        creators: creator_links(&work),
        chapters: list.iter().map(|c| summary_view(id, c)).collect(),
    };
    Ok(Html(page.render()?).into_response())
}

fn chapter_href(work_id: i64, chapter_id: i64) -> String {
    format!("/works/{work_id}/chapters/{chapter_id}")
}

fn plain_title(position: i32, title: Option<&str>) -> String {
    match title {
        Some(t) if !t.trim().is_empty() => t.to_string(),
        _ => format!("Chapter {position}"),
    }
}

fn summary_view(work_id: i64, c: &ChapterSummary) -> ChapterView {
    ChapterView {
        position: c.position,
        href: chapter_href(work_id, c.id),
        title: c.title.clone(),
        plain_title: plain_title(c.position, c.title.as_deref()),
        published: view::iso(c.published),
        summary: None,
        notes: None,
        end_notes: None,
        body: String::new(),
    }
}

fn full_view(c: ChapterRecord) -> ChapterView {
    ChapterView {
        position: c.position,
        href: chapter_href(c.work_id, c.id),
        plain_title: plain_title(c.position, c.title.as_deref()),
        title: c.title.filter(|t| !t.trim().is_empty()),
        published: view::iso(c.published),
        summary: c.summary,
        notes: c.notes,
        end_notes: c.end_notes,
        body: c.body,
    }
}

#[allow(clippy::too_many_arguments)]
async fn render(
    st: &AppState,
    visitor: SessionKey,
    ip: &str,
    id: i64,
    chapter_id: Option<i64>,
    full: bool,
    q: &std::collections::HashMap<String, String>,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    // Noted before any read: a change seen while rendering keeps the page
    // from being kept.
    let generation = st.pages.generation();
    // The session and, for an account, its own relation to the work (what
    // its page shows of it, and whether it shares the page of the work's
    // plain readers): one call.
    let SessionKey { csrf, session_hash } = visitor;
    let (visitor, reader) = match session_hash {
        None => (Visitor { user: None, csrf }, None),
        Some(hash) => {
            let now = chrono::Utc::now().naive_utc();
            let (user, reader) = st
                .db(move |s| s.session_reader_of_work(&hash, now, id))
                .await?;
            (Visitor { user, csrf }, reader)
        }
    };
    let visitor = &visitor;
    let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
    let full = full || (chapter_id.is_none() && prefs.full_work);
    // A multi-chapter work opens on one chapter unless the full view is
    // asked for (or preferred); a one-chapter work's first chapter is all of it.
    let choice = match (chapter_id, full) {
        (Some(cid), _) => ChapterChoice::One(cid),
        (None, true) => ChapterChoice::All,
        (None, false) => ChapterChoice::First,
    };
    let path = match chapter_id {
        Some(cid) => chapter_href(id, cid),
        None => format!("/works/{id}"),
    };
    let adult_ok_by_query = params::flag(q, "view_adult");
    let adult_ok = adult_ok_by_query || params::cookie(headers, ADULT_COOKIE) == Some("true");

    // Guests and plain readers share kept pages, rendered once with
    // markers for their own values (see `page_cache`).
    let cache_key = (st.pages.enabled() && plain_query(q))
        .then(|| audience(visitor, reader.as_ref()))
        .flatten()
        .map(|audience| PageKey {
            work_id: id,
            chapter: chapter_id,
            full,
            audience,
        });
    let fill = Fill {
        token: &visitor.csrf,
        login: visitor.user.as_ref().map(|u| u.login.as_str()),
        bookmark: reader.as_ref().and_then(|r| r.bookmark),
        subscription: reader.as_ref().and_then(|r| r.subscription),
        pseud: reader.as_ref().and_then(|r| r.pseuds.first()).map(|p| p.0),
    };
    // A browser that just changed something (on any node) has the log's
    // head then in a cookie: this node reads up to it first.
    let mut behind = false;
    if cache_key.is_some()
        && let Some(wanted) = params::cookie(headers, crate::page_cache::SEEN_COOKIE)
            .and_then(|v| v.parse::<i64>().ok())
        && wanted > st.pages.seen()
    {
        let pages = st.pages.clone();
        let store = st.store.clone();
        let _ = tokio::task::spawn_blocking(move || pages.catch_up_or_forget(&store)).await;
        behind = wanted > st.pages.seen();
    }
    if let Some(key) = &cache_key
        && !behind
        && let Some(page) = st.pages.get(key)
        && (adult_ok || prefs.skip_adult || !page.adult)
        && let Some(response) = cached_response(&page, &fill, headers, adult_ok_by_query, true)
    {
        if page.counts_hit {
            count_hit(st, visitor, ip, id, headers);
            if let Some(u) = visitor.user.as_ref().filter(|u| u.prefs.history) {
                st.readings.record(u.id, id, page.changed_at);
            }
        }
        return Ok(response);
    }
    // A shared page has markers for the visitor's own values.
    let shared;
    let page_visitor = match cache_key {
        Some(_) => {
            shared = Visitor {
                user: visitor.user.as_ref().map(|u| ficus_store::UserRecord {
                    login: st.pages.marker(Slot::Login),
                    ..u.clone()
                }),
                csrf: st.pages.marker(Slot::Token),
            };
            &shared
        }
        None => visitor,
    };
    let own = |slot: Slot, value: i64| {
        if cache_key.is_some() {
            st.pages.marker_id(slot)
        } else {
            value
        }
    };

    let Reading {
        work,
        chapters: list,
        texts,
    } = match load(st, visitor, id, choice, &path).await? {
        Ok(reading) => reading,
        Err(login) => return Ok(login),
    };
    if let Some(cid) = chapter_id
        && !list.iter().any(|c| c.id == cid)
    {
        return Err(WebError::NotFound(
            "This chapter does not exist in this work.".into(),
        ));
    }
    let multi = list.len() > 1;
    let series = work.series.clone();

    let owner = visitor.viewer().owns(&work.access());
    if work.rating.needs_adult_interstitial() && !adult_ok && !owner && !prefs.skip_adult {
        let continue_href = if full {
            format!("{path}?view_full_work=true&view_adult=true")
        } else {
            format!("{path}?view_adult=true")
        };
        let page = InterstitialPage {
            chrome: Chrome::of(visitor),
            title: work.title.clone(),
            continue_href,
            b: view::blurb_for(&work, &prefs),
        };
        return Ok(Html(page.render()?).into_response());
    }

    // A reader reads: one hit (counted once a day, not for the work's own
    // creators, robots, drafts or hidden works).
    let counts_hit = work.posted && !work.hidden;
    if counts_hit && !owner {
        count_hit(st, visitor, ip, id, headers);
    }
    // An account's reading history (unless turned off), batched the same way.
    if let Some(u) = &visitor.user
        && u.prefs.history
        && work.posted
        && !work.hidden
        && !owner
    {
        st.readings.record(u.id, id, work.changed_at);
    }
    // Whether the comments may come from the comment cache, and as whose
    // view (a guest's depends on the archive's guest-comment switch; an
    // account's only when it is a plain reader of the work). One call.
    let guest = visitor.user.is_none();
    let (kudos_sentence, guest_comments_off, (collections, gifts)) = st
        .db(move |s| {
            let guest_comments_off = guest && s.comment_limits()?.guest_comments_off;
            let collections = s
                .collections_of_works(&[id])?
                .remove(&id)
                .unwrap_or_default();
            let gifts = s.gifts_of_work(id)?;
            Ok((
                s.kudos_sentence(id)?,
                guest_comments_off,
                (collections, gifts),
            ))
        })
        .await?;
    let plain_role = !visitor.viewer().moderates() && !owner;
    let cache_as = match &reader {
        Some(r) => (plain_role && r.plain_comments).then_some(ViewerClass::PlainAccount),
        None => Some(ViewerClass::Guest { guest_comments_off }),
    };
    // The button is not offered to an account a creator has blocked.
    let blocked = reader.as_ref().is_some_and(|r| r.blocked);
    let kudos = KudosBox {
        button: work.posted && !work.hidden && !owner && !blocked,
        message: q.get("kudos").and_then(|k| kudos_message(k)),
        sentence: kudos_sentence,
    };

    let by_chapter = multi && !full;
    let current = if by_chapter {
        texts.first().map(|c| c.id)
    } else {
        None
    };
    let chrome = Chrome::of(page_visitor);
    let comments = super::comments::work_page_box(
        st,
        page_visitor,
        &chrome,
        &work,
        current,
        texts.last().map(|c| c.id),
        full,
        &path,
        q,
        cache_as,
        reader.as_ref().map(|r| {
            r.pseuds
                .iter()
                .enumerate()
                .map(|(i, (pseud, name))| (own(Slot::Pseud, *pseud), name.clone(), i == 0))
                .collect()
        }),
    )
    .await?;

    let comments_seen = comments.threads.clone();
    let chapters: Vec<ChapterView> = texts.into_iter().map(full_view).collect();
    let index = current.and_then(|cid| list.iter().position(|c| c.id == cid));
    let nav = index.map(|i| ChapterNav {
        full_href: format!("/works/{id}?view_full_work=true"),
        index_href: format!("/works/{id}/navigate"),
        prev: i.checked_sub(1).map(|p| chapter_href(id, list[p].id)),
        next: list.get(i + 1).map(|c| chapter_href(id, c.id)),
    });
    let is_first = index.is_none_or(|i| i == 0);
    let is_last = index.is_none_or(|i| i + 1 == list.len());

    let updated_at = work.changed_at;
    let file = ficus_export::slug(&work.title);
    let downloads = ficus_export::Format::ALL
        .into_iter()
        .map(|f| {
            (
                f.label(),
                format!(
                    "/downloads/{id}/{file}.{}?updated_at={updated_at}",
                    f.extension()
                ),
            )
        })
        .collect();
    let page_title = match (index, chapters.first()) {
        (Some(_), Some(c)) => format!("{} - Chapter {}", work.title, c.position),
        _ => work.title.clone(),
    };
    let page = WorkPage {
        chrome,
        page_title,
        work_id: id,
        title: work.title.clone(),
        creators: creator_links(&work),
        meta: meta_groups(&work, &prefs),
        stats: stats(&work),
        series,
        gifts: gifts
            .into_iter()
            .map(|g| {
                let href = g
                    .login
                    .map(|l: String| format!("/users/{}/gifts", view::encode_segment(&l)));
                (g.name, href)
            })
            .collect(),
        collections: collections
            .into_iter()
            .map(|c| {
                (
                    format!("/collections/{}", view::encode_segment(&c.name)),
                    c.title,
                )
            })
            .collect(),
        summary: work.summary.clone(),
        notes: work.notes.clone(),
        end_notes: work.end_notes.clone(),
        show_work_preface: is_first,
        show_work_end_notes: is_last,
        is_multi_chapter: multi,
        by_chapter_href: list
            .first()
            .map(|c| chapter_href(id, c.id))
            .unwrap_or_default(),
        nav,
        chapters,
        downloads,
        owner_actions: owner,
        draft_notice: !work.posted,
        draft_deleted_on: view::iso(
            (work.created_at + chrono::Duration::days(st.draft_days)).date(),
        ),
        is_restricted: work.restricted,
        can_moderate: visitor.viewer().moderates(),
        is_hidden: work.hidden,
        kudos,
        bookmark_link: match reader.as_ref().map(|r| r.bookmark) {
            None => None,
            Some(Some(b)) => Some((
                format!("/bookmarks/{}/edit", own(Slot::Bookmark, b)),
                "Edit Bookmark",
            )),
            Some(None) if work.posted => Some((format!("/works/{id}/bookmarks/new"), "Bookmark")),
            Some(None) => None,
        },
        // "Mark for Later" / "Mark as Read", for accounts on posted works.
        marked_for_later: reader.as_ref().filter(|_| work.posted).map(|r| r.marked),
        subscribe: page_visitor.user.as_ref().filter(|_| work.posted).map(|u| {
            crate::view::SubscribeButton {
                login: u.login.clone(),
                kind: "Work",
                target_id: id,
                existing: reader
                    .as_ref()
                    .and_then(|r| r.subscription)
                    .map(|s| own(Slot::Subscription, s)),
                back: path.clone(),
            }
        }),
        threads: comments.threads.clone(),
        cform: comments.form,
        pager: comments.pager,
        comments: comments.rest,
    };
    // One buffer the size of the page: the chapters' text, the chrome
    // and the comments' markup, so a long page is not copied over and
    // over as it grows.
    let mut html = String::with_capacity(
        16 * 1024
            + page.chapters.iter().map(|c| c.body.len()).sum::<usize>()
            + page.threads.threads_html.len(),
    );
    page.render_into(&mut html)?;
    if let Some(key) = cache_key {
        let facts = PageFacts {
            adult: work.rating.needs_adult_interstitial(),
            counts_hit,
            changed_at: work.changed_at,
        };
        // The page is the audience's only if what the render read agrees
        // with what decided the audience (a reader who became a creator
        // or was blocked meanwhile gets it alone; blocks are not logged).
        let still_plain = match key.audience {
            Audience::Guest => true,
            Audience::Reader { .. } => {
                !owner
                    && !matches!(
                        comments_seen.may_comment,
                        Err(ficus_core::comments::CommentRefusal::BlockedByCreator)
                    )
                    && comments_seen.unreviewed == 0
            }
        };
        let page = if still_plain {
            st.pages.insert(key, &html, generation, facts)
        } else {
            st.pages.cut(&html, generation, facts).0
        };
        // The visitor's values are the ones the page was cut for.
        return cached_response(&page, &fill, headers, adult_ok_by_query, false).ok_or_else(|| {
            WebError::Unavailable("This page could not be put together; please reload.".into())
        });
    }
    let mut response = Html(html).into_response();
    if adult_ok_by_query {
        response.headers_mut().append(
            header::SET_COOKIE,
            HeaderValue::from_static("view_adult=true; Path=/; HttpOnly; SameSite=Lax"),
        );
    }
    Ok(response)
}

/// Whether a work page request asks for nothing but the page (the kudos
/// message after leaving kudos, and a page of comments, are rendered for
/// the request).
fn plain_query(q: &std::collections::HashMap<String, String>) -> bool {
    q.keys().all(|k| k == "view_adult" || k == "view_full_work")
}

/// Notes a reader's visit (a hit), unless a robot's.
fn count_hit(st: &AppState, visitor: &Visitor, ip: &str, id: i64, headers: &HeaderMap) {
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if crate::hits::is_bot(user_agent) {
        return;
    }
    let visitor_id = match &visitor.user {
        Some(u) => format!("u{}", u.id),
        None => format!("g{}", st.visitor_key.guest(ip)),
    };
    st.hits.record(id, visitor_id);
}

/// Who shares the page `visitor` gets: guests; plain reading accounts
/// (the `user` role, not a creator, no blocks either way, no comment of
/// their own on the work, one pseud) by preferences and their relation
/// to the work; `None` for anyone else, whose page is their own.
fn audience(visitor: &Visitor, reader: Option<&ReaderOfWork>) -> Option<Audience> {
    let Some(user) = &visitor.user else {
        return Some(Audience::Guest);
    };
    let r = reader?;
    let plain = user.role == ficus_core::account::Role::User
        && !r.owner
        && !r.blocked
        && r.plain_comments
        && r.pseuds.len() == 1;
    plain.then_some(Audience::Reader {
        hide_warnings: user.prefs.hide_warnings,
        hide_freeforms: user.prefs.hide_freeforms,
        bookmarked: r.bookmark.is_some(),
        marked: r.marked,
        subscribed: r.subscription.is_some(),
    })
}

/// A kept page for this visitor: with their own values, or `304 Not
/// Modified` when their browser holds this very page (`If-None-Match`).
/// Its ETag covers those values, and `private, no-cache` keeps shared
/// caches out and makes the browser ask again each time; `X-Cache` says
/// whether the page was kept before this request (`hit`) or rendered for
/// it. `None` when the visitor lacks a value the page needs.
fn cached_response(
    page: &CachedPage,
    fill: &Fill,
    headers: &HeaderMap,
    set_adult_cookie: bool,
    hit: bool,
) -> Option<Response> {
    let etag = page.etag(fill);
    let held = headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == etag);
    let mut response = if held {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Html(page.filled(fill)?).into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(
        "x-cache",
        HeaderValue::from_static(if hit { "hit" } else { "miss" }),
    );
    if set_adult_cookie {
        h.append(
            header::SET_COOKIE,
            HeaderValue::from_static("view_adult=true; Path=/; HttpOnly; SameSite=Lax"),
        );
    }
    Some(response)
}

/// The message over the kudos after leaving them (`?kudos=` on the
/// redirect back): (class, text).
fn kudos_message(outcome: &str) -> Option<(&'static str, String)> {
    use ficus_core::kudos::KudosRefusal;
    let refusal = match outcome {
        "left" => return Some(("kudos_notice", "Thank you for leaving kudos!".into())),
        "already" => KudosRefusal::AlreadyLeft,
        "own" => KudosRefusal::OwnWork,
        "restricted" => KudosRefusal::GuestOnRestricted,
        "blocked" => KudosRefusal::Blocked,
        "suspended" => KudosRefusal::Suspended,
        _ => return None,
    };
    Some(("kudos_error", refusal.to_string()))
}
