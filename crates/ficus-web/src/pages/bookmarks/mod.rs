//! Bookmark pages, AO3's URLs: one bookmark (`GET /bookmarks/{id}`), its
//! edit form, update or delete (`POST /bookmarks/{id}` with
//! `_method=put|delete`, as AO3's forms send them) and the delete
//! confirmation, here; the new-bookmark forms and creation for works,
//! series and external works in `new.rs`; the listings in `listings.rs`.
//! Every rule is the use case's (`ficus_app::bookmarks`) and the
//! store's; handlers only translate.

mod listings;
mod new;

pub use listings::{external_work, recent, series_bookmarks, user_bookmarks, work_bookmarks};
pub use new::{create, create_external, create_for_series, new_external, new_for_series, new_form};

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use ficus_app::bookmarks::BookmarkForm;
use ficus_core::TagType;
use ficus_core::bookmarks::{BookmarkRefusal, ItemSight};
use ficus_store::bookmarks::{BookmarkItem, BookmarkRecord, ExternalWorkRecord};
use ficus_store::{Found, SeriesRecord};

use crate::AppState;
use crate::error::WebError;
use crate::extract::{CsrfForm, SignedIn};
use crate::params::{self, QueryMap, StrictForm};
use crate::session::Visitor;
use crate::templates::Chrome;
use crate::view::{self, Blurb, Pager, TagLink, encode_segment, thousands};

/// A bookmarked series as a bookmark shows it (AO3's series blurb).
pub struct SeriesBlurb {
    pub id: i64,
    pub title: String,
    pub creators: Vec<String>,
    pub fandoms: Vec<TagLink>,
    pub date: String,
    pub summary: Option<String>,
    pub words: String,
    pub works: usize,
    pub complete: bool,
}

impl SeriesBlurb {
    pub fn of(s: &SeriesRecord) -> SeriesBlurb {
        let mut fandoms: Vec<TagLink> = Vec::new();
        for (_, w) in &s.works {
            for t in w.tags_of(ficus_core::TagType::Fandom) {
                if !fandoms.iter().any(|f| f.name == t.name) {
                    fandoms.push(TagLink::of(t));
                }
            }
        }
        SeriesBlurb {
            id: s.id,
            title: s.title.clone(),
            creators: s.creators(),
            fandoms,
            date: s.updated_at.format("%d %b %Y").to_string(),
            summary: s.summary.clone().filter(|x| !x.trim().is_empty()),
            words: thousands(s.word_count()),
            works: s.works.len(),
            complete: s.complete,
        }
    }
}

/// A bookmarked external work (AO3's external work blurb): its title
/// links to its address, marked as external.
pub struct ExternalBlurb {
    pub id: i64,
    pub url: String,
    pub title: String,
    pub creator: String,
    pub fandoms: Vec<TagLink>,
    pub rating: Option<TagLink>,
    pub categories: Vec<TagLink>,
    pub relationships: Vec<TagLink>,
    pub characters: Vec<TagLink>,
    pub summary: Option<String>,
    pub date: String,
}

impl ExternalBlurb {
    pub fn of(e: &ExternalWorkRecord) -> ExternalBlurb {
        let links = |kind: TagType| -> Vec<TagLink> { e.tags_of(kind).map(TagLink::of).collect() };
        ExternalBlurb {
            id: e.id,
            url: e.url.clone(),
            title: e.title.clone(),
            creator: e.creator.clone(),
            fandoms: links(TagType::Fandom),
            rating: links(TagType::Rating).into_iter().next(),
            categories: links(TagType::Category),
            relationships: links(TagType::Relationship),
            characters: links(TagType::Character),
            summary: (!e.summary.is_empty()).then(|| e.summary.clone()),
            date: e.created_at.format("%d %b %Y").to_string(),
        }
    }
}

/// What a bookmark shows of its item.
pub enum ItemView {
    Work(Box<Blurb>),
    Series(SeriesBlurb),
    External(ExternalBlurb),
    /// The placeholder's words instead (deleted, unavailable).
    Placeholder,
}

/// One bookmark as a listing or its own page shows it (AO3's
/// `li.bookmark.blurb.group`).
pub struct BookmarkView {
    pub id: i64,
    pub li_class: String,
    /// "N Bookmarks" (the item's public count).
    pub status_title: String,
    /// `private`, `hidden`, `rec` or `public`, and its words.
    pub symbol_class: &'static str,
    pub symbol_text: &'static str,
    /// The item's bookmarks page and its public count.
    pub count: Option<(String, String)>,
    /// The item, when the viewer sees it.
    pub item: ItemView,
    /// Said instead of the item.
    pub placeholder: &'static str,
    pub log_in_href: Option<String>,
    pub own: bool,
    pub pseud: String,
    pub bookmarker_href: String,
    pub date: String,
    /// (name, href)
    pub tags: Vec<(String, String)>,
    pub notes: Option<String>,
}

impl BookmarkView {
    pub fn of(b: &BookmarkRecord, visitor: &Visitor) -> BookmarkView {
        let prefs = visitor.user.as_ref().map(|u| u.prefs).unwrap_or_default();
        let own = visitor.user.as_ref().is_some_and(|u| u.id == b.user_id);
        let withheld = b.item != ItemSight::Shown && !own;
        let mut li_class = String::from("bookmark blurb group");
        match (&b.shown, b.item_id) {
            (Some(BookmarkItem::Work(work)), Some(id)) => {
                li_class.push_str(&format!(" work-{id}"));
                // An anonymous work names no account, not even in a class.
                if !work.anonymous {
                    for owner in &work.owners {
                        li_class.push_str(&format!(" user-{owner}"));
                    }
                }
            }
            (Some(BookmarkItem::Series(_)), Some(id)) => {
                li_class.push_str(&format!(" series-{id}"))
            }
            (Some(BookmarkItem::External(_)), Some(id)) => {
                li_class.push_str(&format!(" external_work-{id}"))
            }
            _ => {}
        }
        let me = format!(" user-{}", b.user_id);
        if !li_class.contains(&me) {
            li_class.push_str(&me);
        }
        let (symbol_class, symbol_text) = if b.private {
            ("private", "Private Bookmark")
        } else if b.hidden_by_admin {
            ("hidden", "Bookmark Hidden by Admin")
        } else if b.rec {
            ("rec", "Rec")
        } else {
            ("public", "Public Bookmark")
        };
        let count = b.item_href().map(|href| {
            let n = b.item_bookmarks;
            (
                format!("{href}/bookmarks"),
                if n >= 100 { "*".into() } else { thousands(n) },
            )
        });
        let noun = b.kind.noun();
        let placeholder = match b.item {
            ItemSight::Shown => "",
            ItemSight::Deleted => "This has been deleted, sorry!",
            ItemSight::Unavailable if b.log_in_to_see => {
                "This work is only available to registered users of the archive."
            }
            ItemSight::Unavailable if noun == "series" => "This series is not available.",
            ItemSight::Unavailable => "This work is not available.",
        };
        let item = match &b.shown {
            Some(BookmarkItem::Work(w)) => ItemView::Work(Box::new(view::blurb_for(w, &prefs))),
            Some(BookmarkItem::Series(s)) => ItemView::Series(SeriesBlurb::of(s)),
            Some(BookmarkItem::External(e)) => ItemView::External(ExternalBlurb::of(e)),
            None => ItemView::Placeholder,
        };
        BookmarkView {
            id: b.id,
            li_class,
            status_title: if b.shown.is_some() {
                format!("{} Bookmarks", thousands(b.item_bookmarks))
            } else {
                "Bookmark".into()
            },
            symbol_class,
            symbol_text,
            count,
            item,
            placeholder,
            log_in_href: b.log_in_to_see.then(|| {
                format!(
                    "/users/login?restricted=true&return_to={}",
                    encode_segment(&format!("/bookmarks/{}", b.id))
                )
            }),
            own,
            pseud: b.pseud.clone(),
            bookmarker_href: format!("/users/{}/bookmarks", encode_segment(&b.login)),
            date: b.created_at.format("%d %b %Y").to_string(),
            // Notes and tags often tell about the work: with the
            // placeholder, only its owner sees them.
            tags: if withheld {
                Vec::new()
            } else {
                b.tags
                    .iter()
                    .map(|(_, name)| (name.clone(), view::tag_href(name)))
                    .collect()
            },
            notes: (!withheld && !b.notes.is_empty()).then(|| b.notes.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "bookmark_form.html")]
pub struct BookmarkFormPage {
    pub chrome: Chrome,
    pub verb: &'static str,
    pub editing: bool,
    pub action: String,
    /// The item's page, when the bookmarker may still see it.
    pub item_href: Option<String>,
    pub item_title: String,
    /// The external work's fields (a new bookmark of one).
    pub external: Option<new::ExternalFields>,
    pub error: Option<String>,
    /// (id, name, selected)
    pub pseuds: Vec<(i64, String, bool)>,
    pub notes: String,
    pub tag_string: String,
    pub private: bool,
    pub rec: bool,
}

#[derive(Template)]
#[template(path = "bookmark_page.html")]
pub struct BookmarkPage {
    pub chrome: Chrome,
    pub message: Option<&'static str>,
    pub bm: BookmarkView,
    pub back_href: String,
    /// For a moderator: whether the bookmark is hidden (the Hide /
    /// Unhide button).
    pub moderation: Option<bool>,
}

#[derive(Template)]
#[template(path = "bookmark_list.html")]
pub struct BookmarkListPage {
    pub chrome: Chrome,
    pub title: String,
    pub heading: String,
    pub heading_link: Option<(String, String)>,
    pub message: Option<&'static str>,
    /// "Bookmark" / "Edit Bookmark" on an item's bookmarks page.
    pub bookmark_href: Option<(String, &'static str)>,
    /// The external work itself, on its page.
    pub external: Option<ExternalBlurb>,
    pub bookmarks: Vec<BookmarkView>,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "bookmark_delete.html")]
pub struct BookmarkDeletePage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
}

fn no_bookmark() -> WebError {
    WebError::NotFound("There is no such bookmark, or it is not visible to you.".into())
}

fn log_in_then(path: &str) -> Response {
    Redirect::to(&format!(
        "/users/login?restricted=true&return_to={}",
        encode_segment(path)
    ))
    .into_response()
}

/// The message after a bookmark action (`?bookmark=` on the redirect).
fn outcome_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "Bookmark was successfully created.",
        "updated" => "Bookmark was successfully updated.",
        "deleted" => "Bookmark was successfully deleted.",
        _ => return None,
    })
}

/// "1 - 20 of N Bookmarks" (or "N Bookmarks" on one page), as AO3.
fn heading(total: u64, page: u32, per_page: u32) -> String {
    let noun = if total == 1 { "Bookmark" } else { "Bookmarks" };
    let n = thousands(i64::try_from(total).unwrap_or(i64::MAX));
    if total <= u64::from(per_page) {
        return format!("{n} {noun}");
    }
    let first = u64::from(page.max(1) - 1) * u64::from(per_page) + 1;
    if first > total {
        // A page past the last: the list is empty; say what there is.
        return format!("{n} {noun}");
    }
    let last = (first + u64::from(per_page) - 1).min(total);
    format!(
        "{} - {} of {n} {noun}",
        thousands(first as i64),
        thousands(last as i64)
    )
}

/// The form's fields, typed.
#[derive(Clone)]
struct Typed {
    pseud_id: Option<i64>,
    notes: String,
    tag_string: String,
    private: bool,
    rec: bool,
}

impl Typed {
    /// The use case's input.
    fn form(&self) -> BookmarkForm<'_> {
        BookmarkForm {
            pseud_id: self.pseud_id,
            notes: &self.notes,
            tag_string: &self.tag_string,
            private: self.private,
            rec: self.rec,
        }
    }

    fn of(form: &StrictForm) -> Typed {
        let checked = |name: &str| form.fields(name).contains(&"1");
        Typed {
            pseud_id: form.field("bookmark[pseud_id]").parse().ok(),
            notes: form.field("bookmark[bookmarker_notes]").to_string(),
            tag_string: form.field("bookmark[tag_string]").to_string(),
            private: checked("bookmark[private]"),
            rec: checked("bookmark[rec]"),
        }
    }
}

/// One bookmark as the visitor sees it, or the response instead.
async fn load(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Result<BookmarkRecord, Response>, WebError> {
    let viewer = visitor.viewer();
    match st.db(move |s| s.bookmark(id, viewer)).await? {
        Found::Visible(b) => Ok(Ok(b)),
        Found::LogInFirst => Ok(Err(log_in_then(&format!("/bookmarks/{id}")))),
        Found::NotFound => Err(no_bookmark()),
    }
}

/// `GET /bookmarks/{id}`.
pub async fn show(
    State(st): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    q: QueryMap,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let q = params::query(q)?;
    let b = match load(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let page = BookmarkPage {
        chrome: Chrome::of(&visitor),
        message: q.get("bookmark").and_then(|c| outcome_message(c)),
        back_href: format!("/users/{}/bookmarks", encode_segment(&b.login)),
        bm: BookmarkView::of(&b, &visitor),
        moderation: visitor.viewer().moderates().then_some(b.hidden_by_admin),
    };
    Ok(Html(page.render()?).into_response())
}

/// The visitor's own bookmark, or a refusal.
async fn own(
    st: &AppState,
    visitor: &Visitor,
    id: i64,
) -> Result<Result<BookmarkRecord, Response>, WebError> {
    let b = match load(st, visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(Err(r)),
    };
    if visitor.user.as_ref().map(|u| u.id) != Some(b.user_id) {
        return Err(WebError::Forbidden(BookmarkRefusal::NotYours.to_string()));
    }
    Ok(Ok(b))
}

/// `GET /bookmarks/{id}/edit`.
pub async fn edit_form(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let b = match own(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let typed = Typed {
        pseud_id: Some(b.pseud_id),
        notes: b.notes.clone(),
        tag_string: b
            .tags
            .iter()
            .map(|t| t.1.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        private: b.private,
        rec: b.rec,
    };
    new::form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        new::FormItem {
            title: b.item_title(),
            href: b.item_href(),
            action: format!("/bookmarks/{id}"),
        },
        true,
        typed,
        None,
        None,
    )
    .await
}

/// `POST /bookmarks/{id}`: an update, or with `_method=delete` a delete.
pub async fn update_or_delete(
    State(st): State<AppState>,
    SignedIn { visitor, user }: SignedIn,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let viewer = visitor.viewer();
    if form.field("_method") == "delete" {
        return match st
            .db(move |s| ficus_app::bookmarks::delete(s, viewer, id))
            .await?
        {
            Ok(_) => Ok(Redirect::to(&format!(
                "/users/{}/bookmarks?bookmark=deleted",
                encode_segment(&user.login)
            ))
            .into_response()),
            Err(BookmarkRefusal::NotFound) => Err(no_bookmark()),
            Err(r) => Err(WebError::Forbidden(r.to_string())),
        };
    }
    let typed = Typed::of(&form);
    let input = typed.clone();
    let now = chrono::Utc::now().naive_utc();
    let outcome = st
        .db(move |s| ficus_app::bookmarks::update(s, viewer, id, &input.form(), now))
        .await?;
    let refusal = match outcome {
        Ok(()) => {
            return Ok(Redirect::to(&format!("/bookmarks/{id}?bookmark=updated")).into_response());
        }
        Err(BookmarkRefusal::NotFound) => return Err(no_bookmark()),
        Err(BookmarkRefusal::NotYours) => {
            return Err(WebError::Forbidden(BookmarkRefusal::NotYours.to_string()));
        }
        Err(r) => r,
    };
    let b = match own(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    new::form_page(
        &st,
        &visitor,
        user.id,
        &user.login,
        new::FormItem {
            title: b.item_title(),
            href: b.item_href(),
            action: format!("/bookmarks/{id}"),
        },
        true,
        typed,
        None,
        Some(refusal.to_string()),
    )
    .await
}

/// `GET /bookmarks/{id}/confirm_delete`.
pub async fn confirm_delete(
    State(st): State<AppState>,
    SignedIn { visitor, .. }: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = params::id(&id, "bookmark")?;
    let b = match own(&st, &visitor, id).await? {
        Ok(b) => b,
        Err(r) => return Ok(r),
    };
    let page = BookmarkDeletePage {
        chrome: Chrome::of(&visitor),
        id,
        title: b.item_title(),
    };
    Ok(Html(page.render()?).into_response())
}

#[cfg(test)]
mod tests {
    use super::heading;

    #[test]
    fn listing_headings_as_ao3_words_them() {
        assert_eq!(heading(0, 1, 20), "0 Bookmarks");
        assert_eq!(heading(1, 1, 20), "1 Bookmark");
        assert_eq!(heading(20, 1, 20), "20 Bookmarks");
        assert_eq!(heading(25, 1, 20), "1 - 20 of 25 Bookmarks");
        assert_eq!(heading(25, 2, 20), "21 - 25 of 25 Bookmarks");
        assert_eq!(heading(25, 3, 20), "25 Bookmarks", "a page past the last");
        assert_eq!(heading(1_234, 2, 20), "21 - 40 of 1,234 Bookmarks");
    }
}
