//! An OPDS 1.2 catalog for e-reader apps (KOReader, Calibre, Thorium):
//! `/opds` (navigation), `/opds/recent`, `/opds/fandoms`,
//! `/opds/tags/{name}`, `/opds/search?q=` (acquisition feeds with EPUB
//! links, paginated) and `/opds/search.xml` (OpenSearch description).
//!
//! E-reader apps cannot log in through a form: restricted works appear
//! only with HTTP Basic authentication (an account's login and password),
//! which the EPUB links accept too. Built with `atom_syndication`.

use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use chrono::{DateTime, Utc};
use ficus_app::sign_in::SignInError;
use ficus_core::TagType;
use ficus_core::access::Viewer;
use ficus_core::search_query::{self, SortColumn, SortDirection};
use ficus_core::tag::{tag_from_url_name, tag_to_url_name};
use ficus_search::{Request, ResolvedQuery};
use ficus_store::{Store, WorkRecord};

use crate::AppState;
use crate::error::WebError;
use crate::origin::{BaseUrl, ClientIp};
use crate::params;
use crate::view::{self, encode_query, encode_segment};

/// Entries per page.
const PER_PAGE: usize = 25;
const NAV: &str = "application/atom+xml;profile=opds-catalog;kind=navigation";
const ACQ: &str = "application/atom+xml;profile=opds-catalog;kind=acquisition";

/// The viewer an `Authorization: Basic` header from the client at `ip`
/// proves, if any: `Ok(None)` without the header, 401 for wrong
/// credentials, 429 under the limits of [`ficus_app::sign_in`] (the same
/// as the log-in form's).
pub fn basic_viewer(
    store: &Store,
    headers: &HeaderMap,
    ip: &str,
) -> Result<Option<Viewer>, WebError> {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    let Some(encoded) = value.strip_prefix("Basic ") else {
        return Ok(None);
    };
    let unauthorized = || WebError::Unauthorized("Wrong login or password.".into());
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| unauthorized())?;
    let text = String::from_utf8(decoded).map_err(|_| unauthorized())?;
    let (login, password) = text.split_once(':').ok_or_else(unauthorized)?;
    let now = Utc::now().timestamp();
    match ficus_app::sign_in::authenticate(store, login, password, ip, now) {
        Ok(user) => Ok(Some(Viewer::User {
            id: user.id,
            role: user.role,
        })),
        Err(SignInError::WrongCredentials) => Err(unauthorized()),
        Err(SignInError::Throttled { retry_after, from }) => Err(WebError::TooManyRequests {
            message: format!("Too many failed log-in attempts {from}; wait {retry_after} seconds."),
            retry_after,
        }),
        Err(SignInError::Store(e)) => Err(e.into()),
    }
}

/// What an OPDS request brings: its headers (HTTP Basic), the client's
/// address (the sign-in limits) and the base of absolute links.
#[derive(Clone)]
pub struct OpdsClient {
    headers: HeaderMap,
    ip: String,
    base: String,
}

impl FromRequestParts<AppState> for OpdsClient {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let ClientIp(ip) = ClientIp::from_request_parts(parts, st).await?;
        let BaseUrl(base) = BaseUrl::from_request_parts(parts, st).await?;
        Ok(OpdsClient {
            headers: parts.headers.clone(),
            ip,
            base,
        })
    }
}

impl OpdsClient {
    /// The viewer its credentials prove (a guest without any).
    fn viewer(&self, store: &Store) -> Result<Viewer, WebError> {
        Ok(basic_viewer(store, &self.headers, &self.ip)?.unwrap_or(Viewer::Guest))
    }
}

fn link(href: String, rel: &str, mime: &str) -> Link {
    Link {
        href,
        rel: rel.into(),
        mime_type: Some(mime.into()),
        ..Link::default()
    }
}

fn now() -> atom_syndication::FixedDateTime {
    Utc::now().fixed_offset()
}

fn feed(base: &str, path: &str, title: &str, kind: &str, entries: Vec<Entry>) -> Feed {
    Feed {
        id: format!("{base}{path}"),
        title: Text::plain(title),
        updated: now(),
        links: vec![
            link(format!("{base}{path}"), "self", kind),
            link(format!("{base}/opds"), "start", NAV),
            link(
                format!("{base}/opds/search.xml"),
                "search",
                "application/opensearchdescription+xml",
            ),
        ],
        entries,
        ..Feed::default()
    }
}

fn respond(feed: Feed) -> Response {
    super::feeds::atom_response(feed)
}

fn nav_entry(base: &str, id: &str, title: &str, href: String, rel: &str, kind: &str) -> Entry {
    Entry {
        id: format!("{base}{id}"),
        title: Text::plain(title),
        updated: now(),
        links: vec![link(href, rel, kind)],
        ..Entry::default()
    }
}

fn work_entry(base: &str, w: &WorkRecord) -> Entry {
    let slug = ficus_export::slug(&w.title);
    let updated = DateTime::<Utc>::from_timestamp(w.changed_at, 0)
        .unwrap_or_default()
        .fixed_offset();
    let mut summary = format!(
        "<p>{} · {} words · {} chapters</p>",
        ficus_core::html::escape(w.rating.name()),
        view::thousands(w.word_count),
        w.chapter_count
    );
    if let Some(s) = &w.summary {
        summary.push_str(s);
    }
    Entry {
        id: format!("{base}/works/{}", w.id),
        title: Text::plain(w.title.clone()),
        updated,
        authors: w
            .creators
            .iter()
            .map(|c| Person {
                name: c.clone(),
                ..Person::default()
            })
            .collect(),
        links: vec![
            link(
                format!(
                    "{base}/downloads/{}/{slug}.epub?updated_at={}",
                    w.id, w.changed_at
                ),
                "http://opds-spec.org/acquisition",
                "application/epub+zip",
            ),
            link(
                format!(
                    "{base}/downloads/{}/{slug}.pdf?updated_at={}",
                    w.id, w.changed_at
                ),
                "http://opds-spec.org/acquisition",
                "application/pdf",
            ),
            link(format!("{base}/works/{}", w.id), "alternate", "text/html"),
        ],
        content: Some(Content {
            content_type: Some("html".into()),
            value: Some(summary),
            ..Content::default()
        }),
        ..Entry::default()
    }
}

/// `GET /opds`: the root navigation feed.
pub async fn root(State(st): State<AppState>, client: OpdsClient) -> Result<Response, WebError> {
    let base = client.base.clone();
    st.web_blocking(move |store| client.viewer(store)).await?;
    let entries = vec![
        nav_entry(
            &base,
            "/opds/recent",
            "Recent works",
            format!("{base}/opds/recent"),
            "http://opds-spec.org/sort/new",
            ACQ,
        ),
        nav_entry(
            &base,
            "/opds/fandoms",
            "By fandom",
            format!("{base}/opds/fandoms"),
            "subsection",
            NAV,
        ),
        nav_entry(
            &base,
            "/opds/tags",
            "By tag",
            format!("{base}/opds/tags"),
            "subsection",
            NAV,
        ),
    ];
    Ok(respond(feed(&base, "/opds", "Ficus catalog", NAV, entries)))
}

fn page_of(raw: Option<&str>) -> Result<(u32, Option<String>), WebError> {
    let pairs = params::parse_form(raw.unwrap_or("").as_bytes())?;
    let mut page = 1;
    let mut q = None;
    for (k, v) in pairs {
        match k.as_str() {
            "page" => {
                let mut m = std::collections::HashMap::new();
                m.insert("page".to_string(), v);
                page = params::page(&m)?;
            }
            "q" => q = Some(v),
            _ => {}
        }
    }
    Ok((page, q))
}

/// An acquisition feed of `req`'s results, with pagination links.
async fn acquisition(
    st: AppState,
    client: OpdsClient,
    path: String,
    title: String,
    query_suffix: String,
    page: u32,
    mut req: Request,
) -> Result<Response, WebError> {
    let search = st.search.clone();
    let base = client.base.clone();
    let graph = st.search.graph();
    let (total, works) = st
        .web_blocking(move |store| {
            let viewer = client.viewer(store)?;
            req.members = viewer.is_member();
            // An account's app sees what the account's listings show: its
            // mutes, blocked and muted accounts left out.
            if let Some(id) = viewer.user_id() {
                let mutes = ficus_app::discovery::account_mutes(store, id)?;
                ficus_app::discovery::apply_mutes(&mut req, &graph, mutes);
            }
            req.offset = (page as usize - 1) * PER_PAGE;
            req.limit = PER_PAGE;
            let hits = search.index.search(&req)?;
            Ok((hits.total, store.works_by_ids(&hits.ids)?))
        })
        .await?;
    let pages = total.div_ceil(PER_PAGE as u64).max(1) as u32;
    if page > pages {
        return Err(WebError::NotFound(format!(
            "There are only {pages} pages here."
        )));
    }
    let mut f = feed(
        &base,
        &path,
        &title,
        ACQ,
        works.iter().map(|w| work_entry(&base, w)).collect(),
    );
    let href = |n: u32| format!("{base}{path}?{query_suffix}page={n}");
    f.links.push(link(href(1), "first", ACQ));
    f.links.push(link(href(pages), "last", ACQ));
    if page > 1 {
        f.links.push(link(href(page - 1), "previous", ACQ));
    }
    if page < pages {
        f.links.push(link(href(page + 1), "next", ACQ));
    }
    Ok(respond(f))
}

/// `GET /opds/recent`.
pub async fn recent(
    State(st): State<AppState>,
    client: OpdsClient,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (page, _) = page_of(raw.as_deref())?;
    let req = Request {
        sort: SortColumn::Posted,
        direction: SortDirection::Desc,
        ..Request::default()
    };
    acquisition(
        st,
        client,
        "/opds/recent".into(),
        "Recent works".into(),
        String::new(),
        page,
        req,
    )
    .await
}

/// `GET /opds/fandoms` and `GET /opds/tags`: the most used tags (fandoms,
/// or every type), each a link to its acquisition feed.
async fn tag_list(
    st: AppState,
    client: OpdsClient,
    kinds: &'static [TagType],
    path: &str,
    title: &str,
) -> Result<Response, WebError> {
    let search = st.search.clone();
    let base = client.base.clone();
    let tags = st
        .web_blocking(move |store| {
            let viewer = client.viewer(store)?;
            let hits = search.index.search(&Request {
                members: viewer.is_member(),
                limit: 0,
                facets: true,
                ..Request::default()
            })?;
            let mut top: Vec<(i64, u32)> = hits
                .facets
                .iter()
                .filter(|(k, _)| kinds.contains(k))
                .flat_map(|(_, l)| l.iter().copied())
                .collect();
            top.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            top.truncate(200);
            let ids: Vec<i64> = top.iter().map(|t| t.0).collect();
            let names: std::collections::HashMap<i64, String> = store
                .tags_by_ids(&ids)?
                .into_iter()
                .map(|t| (t.id, t.name))
                .collect();
            Ok(top
                .into_iter()
                .filter_map(|(id, n)| names.get(&id).map(|name| (name.clone(), n)))
                .collect::<Vec<_>>())
        })
        .await?;
    let entries = tags
        .iter()
        .map(|(name, n)| {
            let href = format!(
                "{base}/opds/tags/{}",
                encode_segment(&tag_to_url_name(name))
            );
            let mut e = nav_entry(
                &base,
                &format!("/opds/tags/{name}"),
                name,
                href,
                "subsection",
                ACQ,
            );
            e.content = Some(Content {
                content_type: Some("text".into()),
                value: Some(format!("{} works", view::thousands(i64::from(*n)))),
                ..Content::default()
            });
            e
        })
        .collect();
    Ok(respond(feed(&base, path, title, NAV, entries)))
}

/// `GET /opds/fandoms`.
pub async fn fandoms(State(st): State<AppState>, client: OpdsClient) -> Result<Response, WebError> {
    tag_list(st, client, &[TagType::Fandom], "/opds/fandoms", "Fandoms").await
}

/// `GET /opds/tags`.
pub async fn tags(State(st): State<AppState>, client: OpdsClient) -> Result<Response, WebError> {
    tag_list(
        st,
        client,
        &[TagType::Relationship, TagType::Character, TagType::Freeform],
        "/opds/tags",
        "Tags",
    )
    .await
}

/// `GET /opds/tags/{name}`: works whose filter tags include the tag.
pub async fn tag(
    State(st): State<AppState>,
    client: OpdsClient,
    Path(raw_name): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (page, _) = page_of(raw.as_deref())?;
    let name = tag_from_url_name(&raw_name);
    let lookup = name.clone();
    let tags = st.db(move |s| s.tags_named(&lookup)).await?;
    if tags.is_empty() {
        return Err(WebError::NotFound(format!(
            "There is no tag named {name:?}."
        )));
    }
    let graph = st.search.graph();
    let mut forms: Vec<i64> = tags.iter().map(|t| graph.filter_form(t.id)).collect();
    forms.sort_unstable();
    forms.dedup();
    let req = Request {
        include: vec![forms],
        sort: SortColumn::Updated,
        direction: SortDirection::Desc,
        ..Request::default()
    };
    let path = format!(
        "/opds/tags/{}",
        encode_segment(&tag_to_url_name(&tags[0].name))
    );
    acquisition(
        st,
        client,
        path,
        tags[0].name.clone(),
        String::new(),
        page,
        req,
    )
    .await
}

/// `GET /opds/search?q=`: the search box's syntax, best match first.
pub async fn search(
    State(st): State<AppState>,
    client: OpdsClient,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let (page, q) = page_of(raw.as_deref())?;
    let q = q.unwrap_or_default();
    let parsed = search_query::parse(&q)
        .map_err(|e| WebError::BadRequest(format!("The search could not be read: {e}")))?;
    let store = st.store.clone();
    let graph = st.search.graph();
    let today = Utc::now().date_naive();
    let resolved = tokio::task::spawn_blocking(move || {
        ResolvedQuery::resolve(parsed, today, |kind, name| {
            store
                .tags_named(name)
                .map(|tags| {
                    tags.into_iter()
                        .filter(|t| kind.is_none_or(|k| k == t.kind))
                        .map(|t| graph.filter_form(t.id))
                        .collect()
                })
                .unwrap_or_default()
        })
    })
    .await?;
    let req = Request {
        sort: SortColumn::BestMatch,
        query: Some(resolved),
        ..Request::default()
    };
    let suffix = format!("q={}&", encode_query(&q));
    acquisition(
        st,
        client,
        "/opds/search".into(),
        format!("Search: {q}"),
        suffix,
        page,
        req,
    )
    .await
}

/// `GET /opds/search.xml`: the OpenSearch description.
pub async fn opensearch(BaseUrl(base): BaseUrl) -> Response {
    let base = ficus_core::html::escape(&base);
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OpenSearchDescription xmlns=\"http://a9.com/-/spec/opensearch/1.1/\">\n<ShortName>Ficus</ShortName>\n<Description>Search the works of this archive, their text included.</Description>\n<InputEncoding>UTF-8</InputEncoding>\n<OutputEncoding>UTF-8</OutputEncoding>\n<Url type=\"{ACQ}\" template=\"{base}/opds/search?q={{searchTerms}}\"/>\n</OpenSearchDescription>\n"
    );
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/opensearchdescription+xml; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
