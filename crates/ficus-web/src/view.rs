//! View models: what templates and the API show, built from store records.
//! URLs, number and date formats and AO3's class names are decided here.

use chrono::NaiveDate;
use ficus_core::tag::tag_to_url_name;
use ficus_core::{Rating, TagType};
use ficus_store::{TagRecord, WorkRecord};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters escaped in one path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'*')
    .remove(b'!')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// Percent-encodes one path segment.
pub fn encode_segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Percent-encodes a query-string key or value.
pub fn encode_query(s: &str) -> String {
    utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// `/tags/{name}/works` for a tag name, with AO3's special-character coding.
pub fn tag_works_href(name: &str) -> String {
    format!("/tags/{}/works", encode_segment(&tag_to_url_name(name)))
}

/// `/tags/{name}`: the tag's own page, with AO3's special-character coding.
pub fn tag_href(name: &str) -> String {
    format!("/tags/{}", encode_segment(&tag_to_url_name(name)))
}

/// The byline link of a pseud of `login` (or of a bare name, whose
/// "login" is the name itself).
pub fn creator_href(login: &str, name: &str) -> String {
    format!(
        "/users/{}/pseuds/{}",
        encode_segment(login),
        encode_segment(name)
    )
}

/// A linked tag.
#[derive(Debug, Clone)]
pub struct TagLink {
    pub name: String,
    pub href: String,
}

impl TagLink {
    pub fn of(t: &TagRecord) -> TagLink {
        TagLink {
            name: t.name.clone(),
            href: tag_works_href(&t.name),
        }
    }
    fn named(name: &str) -> TagLink {
        TagLink {
            name: name.to_string(),
            href: tag_works_href(name),
        }
    }
}

/// A linked creator.
#[derive(Debug, Clone)]
pub struct CreatorLink {
    pub name: String,
    pub href: String,
}

/// Creator links of a work, in byline order.
pub fn creator_links(work: &WorkRecord) -> Vec<CreatorLink> {
    if work.anonymous {
        // The byline says "Anonymous", linking nowhere.
        return Vec::new();
    }
    work.creators
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let login = work.creator_logins.get(i).cloned().flatten();
            CreatorLink {
                name: name.clone(),
                href: creator_href(login.as_deref().unwrap_or(name), name),
            }
        })
        .collect()
}

/// One `dt`/`dd` pair of the work meta block.
#[derive(Debug, Clone)]
pub struct TagGroup {
    pub class: &'static str,
    pub label: &'static str,
    pub tags: Vec<TagLink>,
    /// Folded away behind "Show …" (the reader's preference).
    pub hidden: bool,
}

/// The tag rows of the meta block, rating first, empty types left out;
/// warnings and additional tags folded when the reader prefers.
pub fn meta_groups(work: &WorkRecord, prefs: &ficus_store::Preferences) -> Vec<TagGroup> {
    let mut groups = Vec::new();
    for kind in TagType::ALL {
        let tags: Vec<TagLink> = if kind == TagType::Rating {
            vec![TagLink::named(work.rating.name())]
        } else {
            work.tags_of(kind).map(TagLink::of).collect()
        };
        if tags.is_empty() {
            continue;
        }
        groups.push(TagGroup {
            class: kind.css_class(),
            label: kind.label(tags.len() > 1),
            tags,
            hidden: (kind == TagType::ArchiveWarning && prefs.hide_warnings)
                || (kind == TagType::Freeform && prefs.hide_freeforms),
        });
    }
    groups
}

/// `5,688`.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2/3`, or `2/?` when the total is unknown.
pub fn chapters_text(work: &WorkRecord) -> String {
    match work.expected_chapters {
        Some(n) => format!("{}/{}", work.chapter_count, n),
        None => format!("{}/?", work.chapter_count),
    }
}

/// The language, or "Unknown".
pub fn language_text(work: &WorkRecord) -> String {
    work.language
        .clone()
        .unwrap_or_else(|| "Unknown".to_string())
}

/// The stats block of the work page.
#[derive(Debug, Clone)]
pub struct Stats {
    pub language: String,
    pub published: String,
    /// ("Completed" | "Updated", date) when it differs from publication or
    /// the work is complete with several chapters.
    pub status: Option<(&'static str, String)>,
    pub words: String,
    pub chapters: String,
    pub comments: String,
    pub kudos: String,
    pub bookmarks: String,
    pub hits: String,
}

/// Builds [`Stats`] for a work.
pub fn stats(work: &WorkRecord) -> Stats {
    let status = if work.complete && work.chapter_count > 1 {
        Some(("Completed", iso(work.updated)))
    } else if work.updated != work.published {
        Some((
            if work.complete {
                "Completed"
            } else {
                "Updated"
            },
            iso(work.updated),
        ))
    } else {
        None
    };
    Stats {
        language: language_text(work),
        published: iso(work.published),
        status,
        words: thousands(work.word_count),
        chapters: chapters_text(work),
        comments: thousands(work.stats.comments),
        kudos: thousands(work.stats.kudos),
        bookmarks: thousands(work.stats.bookmarks),
        hits: thousands(work.stats.hits),
    }
}

/// `2025-06-09`.
pub fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A listing entry (AO3 blurb).
#[derive(Debug, Clone)]
pub struct Blurb {
    pub id: i64,
    pub title: String,
    pub href: String,
    pub creators: Vec<CreatorLink>,
    pub fandoms: Vec<TagLink>,
    pub rating: &'static str,
    pub rating_class: String,
    pub warning_class: &'static str,
    pub warning_title: String,
    pub category_class: &'static str,
    pub category_title: String,
    pub complete_class: &'static str,
    pub complete_text: &'static str,
    pub date: String,
    pub warnings: Vec<TagLink>,
    pub relationships: Vec<TagLink>,
    pub characters: Vec<TagLink>,
    pub freeforms: Vec<TagLink>,
    pub summary: Option<String>,
    pub language: String,
    pub words: String,
    pub chapters: String,
    /// Fold warnings / additional tags (the reader's preference).
    pub hide_warnings: bool,
    pub hide_freeforms: bool,
    pub comments: String,
    pub kudos: String,
    pub bookmarks: String,
    pub hits: String,
    /// A highlighted passage of the text (search results), as safe HTML.
    pub snippet: Option<String>,
    /// The series it is part of: (position, series URL, series title).
    pub series: Vec<(i32, String, String)>,
}

/// The blurb of a work as a reader with `prefs` sees it.
pub fn blurb_for(work: &WorkRecord, prefs: &ficus_store::Preferences) -> Blurb {
    Blurb {
        hide_warnings: prefs.hide_warnings,
        hide_freeforms: prefs.hide_freeforms,
        ..blurb(work)
    }
}

/// Builds the blurb of a work.
pub fn blurb(work: &WorkRecord) -> Blurb {
    let links = |kind| work.tags_of(kind).map(TagLink::of).collect::<Vec<_>>();
    let warnings = links(TagType::ArchiveWarning);
    let categories: Vec<&str> = work
        .tags_of(TagType::Category)
        .map(|t| t.name.as_str())
        .collect();
    let warning_names: Vec<&str> = warnings.iter().map(|t| t.name.as_str()).collect();
    let warning_class = if warning_names.is_empty()
        || warning_names
            .iter()
            .all(|w| *w == ficus_core::tag::NO_WARNING_GIVEN)
    {
        "warning-choosenotto"
    } else if warning_names
        .iter()
        .all(|w| *w == "No Archive Warnings Apply")
    {
        "warning-no"
    } else {
        "warning-yes"
    };
    let category_class = match categories.as_slice() {
        [] => "category-none",
        [one] => match *one {
            "F/F" => "category-femslash",
            "F/M" => "category-het",
            "M/M" => "category-slash",
            "Gen" => "category-gen",
            "Multi" => "category-multi",
            _ => "category-other",
        },
        _ => "category-multi",
    };
    Blurb {
        id: work.id,
        title: work.title.clone(),
        href: format!("/works/{}", work.id),
        creators: creator_links(work),
        fandoms: links(TagType::Fandom),
        rating: work.rating.name(),
        rating_class: format!("rating-{}", rating_class_suffix(work.rating)),
        warning_class,
        warning_title: if warning_names.is_empty() {
            ficus_core::tag::NO_WARNING_GIVEN.to_string()
        } else {
            warning_names.join(", ")
        },
        category_class,
        category_title: if categories.is_empty() {
            "No category".into()
        } else {
            categories.join(", ")
        },
        complete_class: if work.complete {
            "complete-yes"
        } else {
            "complete-no"
        },
        complete_text: if work.complete {
            "Complete Work"
        } else {
            "Work in Progress"
        },
        date: work.updated.format("%d %b %Y").to_string(),
        warnings,
        relationships: links(TagType::Relationship),
        characters: links(TagType::Character),
        freeforms: links(TagType::Freeform),
        summary: work.summary.clone(),
        language: language_text(work),
        words: thousands(work.word_count),
        chapters: chapters_text(work),
        hide_warnings: false,
        hide_freeforms: false,
        comments: thousands(work.stats.comments),
        kudos: thousands(work.stats.kudos),
        bookmarks: thousands(work.stats.bookmarks),
        hits: thousands(work.stats.hits),
        snippet: None,
        series: work
            .series
            .iter()
            .map(|p| {
                (
                    p.position,
                    format!("/series/{}", p.series_id),
                    p.title.clone(),
                )
            })
            .collect(),
    }
}

fn rating_class_suffix(r: Rating) -> &'static str {
    r.css_suffix()
}

/// One page link of the pager.
#[derive(Debug, Clone)]
pub struct PageLink {
    pub number: u32,
    pub href: String,
    pub current: bool,
    pub gap: bool,
}

/// AO3-style pagination.
#[derive(Debug, Clone, Default)]
pub struct Pager {
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
}

/// Builds the pager for `current` of `count` pages; `base` is the path.
pub fn pager(base: &str, current: u32, count: u32) -> Pager {
    let sep = if base.contains('?') { '&' } else { '?' };
    let href = |n: u32| format!("{base}{sep}page={n}");
    let mut pages = Vec::new();
    let mut last_shown = 0;
    for n in 1..=count {
        let near = n.abs_diff(current) <= 2;
        if n <= 2 || n + 1 >= count || near {
            if last_shown + 1 < n {
                pages.push(PageLink {
                    number: 0,
                    href: String::new(),
                    current: false,
                    gap: true,
                });
            }
            pages.push(PageLink {
                number: n,
                href: href(n),
                current: n == current,
                gap: false,
            });
            last_shown = n;
        }
    }
    Pager {
        prev: (current > 1 && current <= count).then(|| href(current - 1)),
        next: (current < count).then(|| href(current + 1)),
        pages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(5688), "5,688");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn tag_hrefs_use_ao3_coding() {
        assert_eq!(
            tag_works_href("Harry Potter/Draco Malfoy"),
            "/tags/Harry%20Potter*s*Draco%20Malfoy/works"
        );
        assert_eq!(tag_works_href("A & B."), "/tags/A%20*a*%20B*d*/works");
        assert_eq!(tag_href("A/B"), "/tags/A*s*B");
    }

    #[test]
    fn pager_shows_ends_and_neighbours() {
        let p = pager("/works", 10, 40);
        let shown: Vec<u32> = p
            .pages
            .iter()
            .filter(|p| !p.gap)
            .map(|p| p.number)
            .collect();
        assert_eq!(shown, vec![1, 2, 8, 9, 10, 11, 12, 39, 40]);
        assert_eq!(p.pages.iter().filter(|p| p.gap).count(), 2);
        assert_eq!(p.prev.as_deref(), Some("/works?page=9"));
        assert_eq!(p.next.as_deref(), Some("/works?page=11"));
        assert!(pager("/works", 1, 1).next.is_none());
    }
}

/// A Subscribe / Unsubscribe button (AO3's `li.subscribe` form) for a
/// signed-in account.
#[derive(Debug, Clone)]
pub struct SubscribeButton {
    /// The subscriber's login (the form posts to their subscriptions).
    pub login: String,
    /// AO3's `subscribable_type`: "Work", "Series", "User" or "Tag".
    pub kind: &'static str,
    pub target_id: i64,
    /// Their subscription, when they have one (the button unsubscribes).
    pub existing: Option<i64>,
    /// Where to come back to.
    pub back: String,
}
