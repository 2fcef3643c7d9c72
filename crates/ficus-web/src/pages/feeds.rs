//! Atom feeds: `/tags/{name}/feed.atom` (the newest works whose filter
//! tags include the tag, through the index) and `/users/{login}/feed.atom`
//! (an account's newest works). Feeds are public: restricted works, drafts
//! and hidden works are never in them. Built with `atom_syndication`.

use atom_syndication::{Category, Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use ficus_core::access::Viewer;
use ficus_core::search_query::{SortColumn, SortDirection};
use ficus_core::tag::tag_from_url_name;
use ficus_search::Request;
use ficus_store::WorkRecord;

use crate::AppState;
use crate::error::WebError;
use crate::origin::BaseUrl;
use crate::view;

/// Entries per feed.
const ENTRIES: usize = 20;

/// An Atom document as a response. The writer cannot emit a character
/// XML 1.0 forbids: such characters never enter the database
/// ([`ficus_core::text`]), and the serialized document is filtered once
/// more, for rows stored before that rule.
pub(crate) fn atom_response(feed: Feed) -> Response {
    xml_response("application/atom+xml; charset=utf-8", &feed.to_string())
}

/// An XML document as a response, without [`ficus_core::text::is_forbidden`]
/// characters (none of them can be markup, so dropping them is safe).
pub(crate) fn xml_response(content_type: &'static str, xml: &str) -> Response {
    (
        [(header::CONTENT_TYPE, content_type)],
        ficus_core::text::clean_block(xml).into_owned(),
    )
        .into_response()
}

fn at(date: NaiveDate) -> FixedDateTime {
    let dt: DateTime<Utc> = date.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    dt.fixed_offset()
}

fn entry(base: &str, w: &WorkRecord) -> Entry {
    let href = format!("{base}/works/{}", w.id);
    let changed = DateTime::<Utc>::from_timestamp(w.changed_at, 0)
        .map(|d| d.fixed_offset())
        .unwrap_or_else(|| at(w.updated));
    let mut e = Entry {
        id: href.clone(),
        title: Text::plain(w.title.clone()),
        updated: changed,
        published: Some(at(w.published)),
        links: vec![Link {
            href,
            rel: "alternate".into(),
            mime_type: Some("text/html".into()),
            ..Link::default()
        }],
        authors: w
            .creators
            .iter()
            .map(|c| Person {
                name: c.clone(),
                ..Person::default()
            })
            .collect(),
        categories: std::iter::once(w.rating.name().to_string())
            .chain(w.tags.iter().map(|t| t.name.clone()))
            .map(|t| Category {
                term: t,
                ..Category::default()
            })
            .collect(),
        ..Entry::default()
    };
    let mut summary = String::new();
    summary.push_str(&format!(
        "<p>Words: {} · Chapters: {}/{} · Language: {}</p>",
        view::thousands(w.word_count),
        w.chapter_count,
        w.expected_chapters
            .map_or("?".to_string(), |n| n.to_string()),
        ficus_core::html::escape(w.language.as_deref().unwrap_or("Unknown"))
    ));
    if let Some(s) = &w.summary {
        summary.push_str(s);
    }
    e.content = Some(Content {
        content_type: Some("html".into()),
        value: Some(summary),
        ..Content::default()
    });
    e
}

fn feed_response(base: &str, path: &str, title: String, works: &[WorkRecord]) -> Response {
    let self_href = format!("{base}{path}");
    let updated = works
        .iter()
        .filter_map(|w| DateTime::<Utc>::from_timestamp(w.changed_at, 0))
        .max()
        .unwrap_or_else(|| DateTime::<Utc>::from_timestamp(0, 0).unwrap_or_default())
        .fixed_offset();
    let feed = Feed {
        id: self_href.clone(),
        title: Text::plain(title),
        updated,
        links: vec![Link {
            href: self_href,
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        }],
        generator: Some(atom_syndication::Generator {
            value: "Ficus".into(),
            ..Default::default()
        }),
        entries: works.iter().map(|w| entry(base, w)).collect(),
        ..Feed::default()
    };
    atom_response(feed)
}

/// `GET /tags/{name}/feed.atom`.
pub async fn tag_feed(
    State(st): State<AppState>,
    BaseUrl(base): BaseUrl,
    Path(raw): Path<String>,
) -> Result<Response, WebError> {
    let name = tag_from_url_name(&raw);
    let lookup = name.clone();
    let search = st.search.clone();
    let found = st
        .web_blocking(move |store| {
            let tags = store.tags_named(&lookup)?;
            if tags.is_empty() {
                return Ok(None);
            }
            let graph = search.graph();
            let mut forms: Vec<i64> = tags.iter().map(|t| graph.filter_form(t.id)).collect();
            forms.sort_unstable();
            forms.dedup();
            let hits = search.index.search(&Request {
                include: vec![forms],
                members: false,
                sort: SortColumn::Posted,
                direction: SortDirection::Desc,
                limit: ENTRIES,
                ..Request::default()
            })?;
            Ok(Some((tags[0].name.clone(), store.works_by_ids(&hits.ids)?)))
        })
        .await?;
    let Some((display, works)) = found else {
        return Err(WebError::NotFound(format!(
            "There is no tag named {name:?}."
        )));
    };
    let path = format!(
        "/tags/{}/feed.atom",
        view::encode_segment(&ficus_core::tag::tag_to_url_name(&display))
    );
    Ok(feed_response(
        &base,
        &path,
        format!("{display} works"),
        &works,
    ))
}

/// `GET /users/{login}/feed.atom`.
pub async fn creator_feed(
    State(st): State<AppState>,
    BaseUrl(base): BaseUrl,
    Path(login): Path<String>,
) -> Result<Response, WebError> {
    let lookup = login.clone();
    let found = st
        .db(move |s| s.list_works_by_user(&lookup, Viewer::Guest, 1, ENTRIES as u32))
        .await?;
    let Some((login, page)) = found else {
        return Err(WebError::NotFound(format!(
            "There is no account named {login:?}."
        )));
    };
    let path = format!("/users/{}/feed.atom", view::encode_segment(&login));
    Ok(feed_response(
        &base,
        &path,
        format!("Works by {login}"),
        &page.items,
    ))
}
