//! Compiled askama templates (files in `crates/ficus-web/templates/`).

use askama::Template;

use crate::view::{Blurb, CreatorLink, Pager, Stats, TagGroup};

/// Shown on every page's header and title.
pub const SITE_NAME: &str = "Ficus";

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub site_name: &'static str,
    pub total: u64,
    pub total_text: String,
    pub blurbs: Vec<Blurb>,
}

#[derive(Template)]
#[template(path = "listing.html")]
pub struct ListingPage {
    pub site_name: &'static str,
    /// Plain heading, for `<title>`.
    pub heading: String,
    /// Heading as (escaped) HTML, e.g. "1 - 20 of 57 Works in <a>…</a>".
    pub heading_html: String,
    pub intro: Option<String>,
    pub empty_text: String,
    pub blurbs: Vec<Blurb>,
    pub pager: Pager,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub site_name: &'static str,
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
    pub site_name: &'static str,
    pub page_title: String,
    pub work_id: i64,
    pub title: String,
    pub creators: Vec<CreatorLink>,
    pub meta: Vec<TagGroup>,
    pub stats: Stats,
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
}

#[derive(Template)]
#[template(path = "navigate.html")]
pub struct NavigatePage {
    pub site_name: &'static str,
    pub work_id: i64,
    pub title: String,
    pub creators: Vec<CreatorLink>,
    pub chapters: Vec<ChapterView>,
}

#[derive(Template)]
#[template(path = "interstitial.html")]
pub struct InterstitialPage {
    pub site_name: &'static str,
    pub title: String,
    pub continue_href: String,
    pub b: Blurb,
}
