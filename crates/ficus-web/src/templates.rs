//! Compiled askama templates (files in `crates/ficus-web/templates/`).

use askama::Template;

use crate::pages::comments::view::{CommentForm, ThreadItem};
use crate::view::{Blurb, CreatorLink, Pager, Stats, TagGroup};

/// Shown on every page's header and title.
pub const SITE_NAME: &str = "Ficus";

/// What every page's frame shows: the site, who is logged in, and the CSRF
/// token for the log-out button.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub site_name: &'static str,
    pub login: Option<String>,
    pub csrf: String,
}

impl Chrome {
    /// The frame for a visitor.
    pub fn of(visitor: &crate::session::Visitor) -> Chrome {
        Chrome {
            site_name: SITE_NAME,
            login: visitor.user.as_ref().map(|u| u.login.clone()),
            csrf: visitor.csrf.clone(),
        }
    }

    /// The frame of error pages, which know nobody.
    pub fn anonymous() -> Chrome {
        Chrome {
            site_name: SITE_NAME,
            login: None,
            csrf: String::new(),
        }
    }

    /// AO3's body class: `logged-in` or `logged-out`.
    pub fn body_class(&self) -> &'static str {
        if self.login.is_some() {
            "logged-in"
        } else {
            "logged-out"
        }
    }
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub total: u64,
    pub total_text: String,
    pub blurbs: Vec<Blurb>,
}

#[derive(Template)]
#[template(path = "listing.html")]
pub struct ListingPage {
    pub chrome: Chrome,
    /// Plain heading, for `<title>`.
    pub heading: String,
    /// Heading as (escaped) HTML, e.g. "1 - 20 of 57 Works in <a>…</a>".
    pub heading_html: String,
    pub intro: Option<String>,
    pub empty_text: String,
    pub blurbs: Vec<Blurb>,
    pub pager: Pager,
    /// Subscribe / Unsubscribe to the account whose works these are.
    pub subscribe: Option<crate::view::SubscribeButton>,
}

/// One row of the API tokens page.
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub last_used: String,
}

/// `/users/{login}/api_tokens`.
#[derive(Template)]
#[template(path = "api_tokens.html")]
pub struct ApiTokensPage {
    pub chrome: Chrome,
    pub login: String,
    pub tokens: Vec<TokenRow>,
    /// A token just made, shown once.
    pub new_token: Option<String>,
    pub error: Option<String>,
}

/// `/series/{id}`.
#[derive(Template)]
#[template(path = "series.html")]
pub struct SeriesPage {
    pub chrome: Chrome,
    pub title: String,
    pub creators: Vec<String>,
    pub begun: String,
    pub updated: String,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub words: String,
    pub complete: bool,
    /// The visitor owns it (an edit link).
    pub editable: bool,
    pub id: i64,
    pub blurbs: Vec<crate::view::Blurb>,
    /// Subscribe / Unsubscribe, for accounts.
    pub subscribe: Option<crate::view::SubscribeButton>,
    /// "Bookmark Series" / "Edit Bookmark", for accounts.
    pub bookmark_href: Option<(String, &'static str)>,
    /// Its public bookmarks.
    pub bookmarks: String,
}

/// `/series/{id}/edit`.
#[derive(Template)]
#[template(path = "series_form.html")]
pub struct SeriesFormPage {
    pub chrome: Chrome,
    pub id: i64,
    pub title: String,
    pub summary: String,
    pub notes: String,
    pub complete: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub heading: String,
    pub message: String,
}

/// Chapter navigation of the by-chapter view.
#[derive(Debug, Clone)]
pub struct ChapterNav {
    pub full_href: String,
    pub index_href: String,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// One chapter as the work page shows it.
#[derive(Debug, Clone)]
pub struct ChapterView {
    pub position: i32,
    pub href: String,
    pub title: Option<String>,
    pub plain_title: String,
    pub published: String,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    pub body: String,
}

#[derive(Template)]
#[template(path = "work.html")]
pub struct WorkPage {
    pub chrome: Chrome,
    pub page_title: String,
    pub work_id: i64,
    pub title: String,
    pub creators: Vec<CreatorLink>,
    pub meta: Vec<TagGroup>,
    pub stats: Stats,
    /// The series the work is in, with its position in each.
    pub series: Vec<ficus_store::SeriesPlace>,
    /// The collections it is in: (href, title).
    pub collections: Vec<(String, String)>,
    /// Its gifts: (name, the recipient's gifts page for an account).
    pub gifts: Vec<(String, Option<String>)>,
    pub summary: Option<String>,
    pub notes: Option<String>,
    pub end_notes: Option<String>,
    pub show_work_preface: bool,
    pub show_work_end_notes: bool,
    pub is_multi_chapter: bool,
    pub by_chapter_href: String,
    pub nav: Option<ChapterNav>,
    pub chapters: Vec<ChapterView>,
    /// (label, href)
    pub downloads: Vec<(&'static str, String)>,
    /// Edit / add chapter / delete links, for the work's creators.
    pub owner_actions: bool,
    /// Shown on drafts.
    pub draft_notice: bool,
    /// The day a draft will be purged.
    pub draft_deleted_on: String,
    /// Shown on restricted works.
    pub is_restricted: bool,
    /// For moderators: whether the hide form shows (and the work is hidden).
    pub can_moderate: bool,
    pub is_hidden: bool,
    pub kudos: KudosBox,
    /// "Bookmark" (the form) or "Edit Bookmark" (the reader's own), for
    /// accounts: (href, text).
    pub bookmark_link: Option<(String, &'static str)>,
    /// Whether the reader marked the work for later (`None`: no button).
    pub marked_for_later: Option<bool>,
    /// Subscribe / Unsubscribe, for accounts on posted works.
    pub subscribe: Option<crate::view::SubscribeButton>,
    /// The comment threads shown (with `show_comments=true`), rendered
    /// by [`ThreadList`] (or kept from an earlier page: `comment_cache`).
    pub threads: std::sync::Arc<crate::comment_cache::RenderedComments>,
    /// The comment form, when the visitor may comment.
    pub cform: Option<CommentForm>,
    /// The comment pages.
    pub pager: Pager,
    pub comments: CommentsBox,
}

/// Comment threads on their own (`ol.thread`), as a work page shows them.
#[derive(Template)]
#[template(path = "comment_thread.html")]
pub struct ThreadList<'a> {
    pub items: &'a [ThreadItem],
    /// The form token of the one-button actions (creators' and
    /// moderators' only: a guest's threads hold none).
    pub chrome: &'a Chrome,
}

/// The comments part of a work page, besides the threads and the form.
pub struct CommentsBox {
    /// "Comments (N)": every comment every reader sees.
    pub count: String,
    /// The threads are shown.
    pub show: bool,
    pub show_href: String,
    pub hide_href: String,
    /// Why the visitor gets no form.
    pub refusal: Option<String>,
    /// The message after a comment action.
    pub message: Option<&'static str>,
    /// Comments waiting for approval (creators and moderators).
    pub unreviewed: u64,
    pub unreviewed_href: String,
    /// A comment page past the last.
    pub too_far: bool,
}

/// The kudos part of a work page: the button, the message after leaving
/// kudos, and who left them.
pub struct KudosBox {
    /// Everyone but the work's creators gets the button.
    pub button: bool,
    /// (class, text) after leaving kudos.
    pub message: Option<(&'static str, String)>,
    pub sentence: ficus_core::kudos::KudosSentence,
}

impl KudosBox {
    /// The connector before item `i` of the sentence (names, then the
    /// "more users" link).
    pub fn connector(&self, i: impl std::borrow::Borrow<usize>) -> &'static str {
        let items = self.sentence.names.len() + usize::from(self.sentence.more_users > 0);
        ficus_core::kudos::KudosSentence::connector(*i.borrow(), items)
    }
}

#[derive(Template)]
#[template(path = "people.html")]
pub struct PeoplePage {
    pub chrome: Chrome,
    pub login: String,
    /// "blocked" / "muted".
    pub page: &'static str,
    /// "block" / "mute".
    pub verb: &'static str,
    pub verb_title: &'static str,
    pub heading: &'static str,
    pub explanation: &'static str,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub typed: String,
    /// (id, login)
    pub people: Vec<(i64, String)>,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "kudos_index.html")]
pub struct KudosIndexPage {
    pub chrome: Chrome,
    pub work_id: i64,
    pub title: String,
    /// (login, date), newest first.
    pub names: Vec<(String, String)>,
    pub first_number: u64,
    pub guests: u64,
    pub page: u32,
    pub pager: crate::view::Pager,
}

#[derive(Template)]
#[template(path = "navigate.html")]
pub struct NavigatePage {
    pub chrome: Chrome,
    pub work_id: i64,
    pub title: String,
    pub creators: Vec<CreatorLink>,
    pub chapters: Vec<ChapterView>,
}

#[derive(Template)]
#[template(path = "interstitial.html")]
pub struct InterstitialPage {
    pub chrome: Chrome,
    pub title: String,
    pub continue_href: String,
    pub b: Blurb,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub chrome: Chrome,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub login: String,
    pub return_to: String,
}

#[derive(Template)]
#[template(path = "signup.html")]
pub struct SignupPage {
    pub chrome: Chrome,
    /// Sign-ups need an invitation code.
    pub invitation_only: bool,
    pub errors: Vec<String>,
    pub login: String,
    pub email: String,
}

/// A posting form's preview.
#[derive(Debug, Clone)]
pub struct Preview {
    pub title: String,
    pub summary: Option<String>,
    pub body: String,
}

#[derive(Template)]
#[template(path = "work_form.html")]
pub struct WorkFormPage {
    pub chrome: Chrome,
    pub heading: String,
    pub action: String,
    pub errors: Vec<ficus_core::posting::FieldError>,
    pub preview: Option<Preview>,
    pub form: ficus_core::posting::WorkForm,
    pub plain_text: bool,
    /// (name, selected)
    pub ratings: Vec<(&'static str, bool)>,
    pub warnings: Vec<(&'static str, bool)>,
    pub categories: Vec<(&'static str, bool)>,
    /// (id, name, checked)
    pub pseuds: Vec<(i64, String, bool)>,
    /// (kind, the most used tags of that kind) for the tag fields'
    /// suggestion lists.
    pub suggestions: Vec<(&'static str, Vec<String>)>,
    pub show_text: bool,
    pub can_draft: bool,
    pub post_label: &'static str,
    /// The work's series (editing): (series id, position, title).
    pub series: Vec<(i64, i32, String)>,
    /// The writer's gift-exchange assignments still to fulfil: (id,
    /// label, chosen).
    pub assignments: Vec<(i64, String, bool)>,
}

impl WorkFormPage {
    /// "Who can comment on this work": (form value, label, checked), in
    /// AO3's order; registered users only when the form has no choice.
    pub fn comment_choices(&self) -> Vec<(&'static str, &'static str, bool)> {
        let chosen = ficus_core::comments::CommentPermission::parse(&self.form.comment_permission)
            .unwrap_or_default();
        ficus_core::comments::CommentPermission::ALL
            .iter()
            .map(|p| (p.as_str(), p.label(), *p == chosen))
            .collect()
    }
}

#[derive(Template)]
#[template(path = "confirm_delete.html")]
pub struct ConfirmDeletePage {
    pub chrome: Chrome,
    pub work_id: i64,
    pub title: String,
}

#[derive(Template)]
#[template(path = "chapter_form.html")]
pub struct ChapterFormPage {
    pub chrome: Chrome,
    pub heading: &'static str,
    pub action: String,
    pub submit_label: &'static str,
    pub work_id: i64,
    pub title: String,
    pub errors: Vec<String>,
    pub chapter_title: String,
    pub notes: String,
    pub text: String,
    pub plain_text: bool,
}

/// One row of the audit log page.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub work_id: Option<i64>,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub chrome: Chrome,
    pub entries: Vec<AuditRow>,
}

#[derive(Template)]
#[template(path = "orphan.html")]
pub struct OrphanPage {
    pub chrome: Chrome,
    pub work_id: i64,
    pub title: String,
}

#[derive(Template)]
#[template(path = "creatorships.html")]
pub struct CreatorshipsPage {
    pub chrome: Chrome,
    /// (work id, work title, invited pseud)
    pub invitations: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub login: String,
    pub email: String,
    pub prefs: ficus_store::Preferences,
    pub notice: Option<String>,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "manage_chapters.html")]
pub struct ManageChaptersPage {
    pub chrome: Chrome,
    pub work_id: i64,
    pub title: String,
    /// (chapter id, position, title)
    pub chapters: Vec<(i64, i32, String)>,
}

/// A pseud as its page lists it.
#[derive(Debug, Clone)]
pub struct PseudView {
    pub id: i64,
    pub name: String,
    pub href_name: String,
    pub description: Option<String>,
    pub description_text: String,
    pub is_default: bool,
}

#[derive(Template)]
#[template(path = "pseuds.html")]
pub struct PseudsPage {
    pub chrome: Chrome,
    pub login: String,
    pub own: bool,
    pub error: Option<String>,
    pub pseuds: Vec<PseudView>,
}

#[derive(Template)]
#[template(path = "claim.html")]
pub struct ClaimPage {
    pub chrome: Chrome,
    pub token: String,
    pub name: String,
    pub works: i64,
    /// (pseud id, name)
    pub pseuds: Vec<(i64, String)>,
}
