//! Ficus web front end: axum routes, AO3-compatible server-rendered pages
//! and the JSON API.
//!
//! - [`router`]: every URL and the middleware (security headers).
//! - `pages/`: HTML handlers (`works.rs` for the work page family,
//!   `listings.rs` for indexes); `api.rs`: JSON.
//! - [`view`]: view models, URLs and AO3 class names; `templates/`: markup.
//!
//! Handlers never touch SQL: they call [`ficus_store::Store`] on the
//! blocking pool through [`AppState::db`].

pub mod api;
pub mod comment_cache;
pub mod error;
mod extract;
pub mod fanout;
pub mod filter_form;
pub mod hits;
pub mod mail;
pub mod origin;
mod owner;
pub mod page_cache;
pub mod pages;
mod params;
pub mod reading_log;
pub mod search;
pub mod session;
mod state;
pub mod templates;
pub mod view;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use ficus_store::Store;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::WebError;
pub use crate::state::{AppState, AppStateParts};

const CSS: &str = include_str!("../static/ficus.css");

const CSP: &str = "default-src 'none'; style-src 'self'; img-src http: https: data:; \
                   form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::listings::home))
        .route(
            "/works",
            get(pages::discover::works_index).post(pages::posting::create_work),
        )
        .route("/works/new", get(pages::posting::new_work))
        .route(
            "/works/{id}/edit",
            get(pages::posting::edit_work).post(pages::posting::update_work),
        )
        .route(
            "/works/{id}/confirm_delete",
            get(pages::posting::confirm_delete),
        )
        .route("/works/{id}/delete", post(pages::posting::delete_work))
        .route(
            "/works/{id}/orphan",
            get(pages::posting::orphan_form).post(pages::posting::orphan),
        )
        .route("/works/{id}/hide", post(pages::moderation::hide))
        .route("/works/{id}/unhide", post(pages::moderation::unhide))
        .route("/admin/audit", get(pages::moderation::audit))
        .route("/works/{id}/chapters/new", get(pages::posting::new_chapter))
        .route("/works/{id}/chapters", post(pages::posting::create_chapter))
        .route("/works/{id}", get(pages::works::show))
        .route("/works/{id}/navigate", get(pages::works::navigate))
        .route("/works/{id}/kudos", get(pages::kudos::index))
        .route("/kudos", post(pages::kudos::create))
        .route(
            "/works/{id}/comments",
            post(pages::comments::create_on_work),
        )
        .route(
            "/chapters/{chapter_id}/comments",
            post(pages::comments::create_on_chapter),
        )
        .route(
            "/works/{id}/comments/unreviewed",
            get(pages::comments::unreviewed),
        )
        .route(
            "/works/{id}/comments/review_all",
            post(pages::comments::review_all),
        )
        .route(
            "/works/{id}/bookmarks",
            get(pages::bookmarks::work_bookmarks).post(pages::bookmarks::create),
        )
        .route("/works/{id}/bookmarks/new", get(pages::bookmarks::new_form))
        .route(
            "/bookmarks",
            get(pages::bookmarks::recent).post(pages::bookmarks::create_external),
        )
        .route(
            "/series/{id}/bookmarks",
            get(pages::bookmarks::series_bookmarks).post(pages::bookmarks::create_for_series),
        )
        .route(
            "/series/{id}/bookmarks/new",
            get(pages::bookmarks::new_for_series),
        )
        .route(
            "/tags/{name}/bookmarks",
            get(pages::discover::tag_bookmarks),
        )
        .route(
            "/collections",
            get(pages::collections::index).post(pages::collections::create),
        )
        .route("/collections/new", get(pages::collections::new_form))
        .route(
            "/collections/{name}",
            get(pages::collections::show).post(pages::collections::update),
        )
        .route(
            "/collections/{name}/edit",
            get(pages::collections::edit_form),
        )
        .route(
            "/collections/{name}/works",
            get(pages::discover::collection_works),
        )
        .route(
            "/collections/{name}/participants",
            post(pages::collections::add_participant),
        )
        .route("/collections/{name}/items", get(pages::collections::items))
        .route(
            "/collections/{name}/gift_exchange",
            post(pages::exchanges::save_settings),
        )
        .route(
            "/collections/{name}/gift_exchange/new",
            get(pages::exchanges::settings_form),
        )
        .route(
            "/collections/{name}/gift_exchange/edit",
            get(pages::exchanges::settings_form),
        )
        .route(
            "/collections/{name}/signups",
            get(pages::exchanges::signups).post(pages::exchanges::save_signup),
        )
        .route(
            "/collections/{name}/signups/new",
            get(pages::exchanges::new_signup),
        )
        .route(
            "/collections/{name}/signups/{id}",
            get(pages::exchanges::signup).post(pages::exchanges::withdraw_signup),
        )
        .route(
            "/collections/{name}/signups/{id}/edit",
            get(pages::exchanges::edit_signup),
        )
        .route(
            "/collections/{name}/potential_matches",
            get(pages::exchanges::matches),
        )
        .route(
            "/collections/{name}/potential_matches/generate",
            post(pages::exchanges::generate_matches),
        )
        .route(
            "/collections/{name}/assignments",
            get(pages::exchanges::assignments),
        )
        .route(
            "/collections/{name}/assignments/send_out",
            post(pages::exchanges::send_out),
        )
        .route(
            "/collections/{name}/assignments/{id}",
            get(pages::exchanges::assignment),
        )
        .route(
            "/collections/{name}/assignments/{id}/default",
            post(pages::exchanges::default),
        )
        .route(
            "/collections/{name}/assignments/{id}/cover",
            post(pages::exchanges::cover),
        )
        .route(
            "/users/{login}/assignments",
            get(pages::exchanges::user_assignments),
        )
        .route("/collection_items", post(pages::collections::add))
        .route("/collection_items/new", get(pages::collections::add_form))
        .route("/collection_items/{id}", post(pages::collections::answer))
        .route(
            "/users/{login}/collection_items",
            get(pages::collections::user_items),
        )
        .route("/users/{login}/gifts", get(pages::gifts::index))
        .route(
            "/gifts/{id}/toggle_rejected",
            post(pages::gifts::toggle_rejected),
        )
        .route("/external_works/new", get(pages::bookmarks::new_external))
        .route("/external_works/{id}", get(pages::bookmarks::external_work))
        .route(
            "/external_works/{id}/bookmarks",
            get(pages::bookmarks::external_work),
        )
        .route(
            "/bookmarks/{id}",
            get(pages::bookmarks::show).post(pages::bookmarks::update_or_delete),
        )
        .route(
            "/bookmarks/{id}/hide",
            post(pages::moderation::hide_bookmark),
        )
        .route(
            "/bookmarks/{id}/unhide",
            post(pages::moderation::unhide_bookmark),
        )
        .route("/bookmarks/{id}/edit", get(pages::bookmarks::edit_form))
        .route(
            "/bookmarks/{id}/confirm_delete",
            get(pages::bookmarks::confirm_delete),
        )
        .route(
            "/users/{login}/bookmarks",
            get(pages::bookmarks::user_bookmarks),
        )
        .route("/users/{login}/readings", get(pages::readings::show))
        .route(
            "/users/{login}/subscriptions",
            get(pages::subscriptions::show).post(pages::subscriptions::create),
        )
        .route(
            "/users/{login}/subscriptions/{id}/delete",
            post(pages::subscriptions::delete),
        )
        .route(
            "/users/{login}/subscriptions/{id}",
            post(pages::subscriptions::update),
        )
        .route(
            "/users/{login}/inbox/updates",
            get(pages::subscriptions::updates),
        )
        .route(
            "/users/{login}/readings/clear",
            get(pages::readings::confirm_clear).post(pages::readings::clear),
        )
        .route(
            "/users/{login}/readings/{work_id}/delete",
            post(pages::readings::delete),
        )
        .route(
            "/works/{id}/mark_for_later",
            post(pages::readings::mark_for_later),
        )
        .route(
            "/works/{id}/mark_as_read",
            post(pages::readings::mark_as_read),
        )
        .route("/comments/{id}", get(pages::comments::show))
        .route("/comments/{id}/comments", post(pages::comments::reply))
        .route(
            "/comments/{id}/edit",
            get(pages::comments::edit_form).post(pages::comments::update),
        )
        .route(
            "/comments/{id}/delete",
            get(pages::comments::confirm_delete).post(pages::comments::delete),
        )
        .route("/comments/{id}/freeze", post(pages::comments::freeze))
        .route("/comments/{id}/unfreeze", post(pages::comments::unfreeze))
        .route("/comments/{id}/hide", post(pages::comments::hide))
        .route("/comments/{id}/unhide", post(pages::comments::unhide))
        .route("/comments/{id}/review", post(pages::comments::review))
        .route("/comments/{id}/spam", post(pages::comments::spam))
        .route("/comments/{id}/not_spam", post(pages::comments::not_spam))
        .route("/admin/comments/spam", get(pages::comments::spam_queue))
        .route("/abuse_reports/new", get(pages::reports::new))
        .route("/abuse_reports", post(pages::reports::create))
        .route("/admin/reports", get(pages::reports::queue))
        .route("/admin/reports/{id}/resolve", post(pages::reports::resolve))
        .route("/admin/users/by_id/{id}", get(pages::reports::user_by_id))
        .route("/admin/users/{login}", get(pages::reports::standing))
        .route(
            "/admin/users/{login}/standing",
            post(pages::reports::set_standing),
        )
        .route(
            "/unsubscribe/{user}/{topic}/{token}",
            get(mail::ask).post(mail::confirm),
        )
        .route("/users/{login}/stats", get(pages::stats::show))
        .route(
            "/users/{login}/inbox",
            get(pages::inbox::show).post(pages::inbox::update),
        )
        .route(
            "/works/{id}/chapters/{chapter_id}",
            get(pages::works::chapter),
        )
        .route(
            "/chapters/{chapter_id}",
            get(pages::works::chapter_redirect),
        )
        .route("/series/{id}", get(pages::series::show))
        .route(
            "/series/{id}/edit",
            get(pages::series::edit).post(pages::series::update),
        )
        .route("/tags/{name}", get(pages::tags::show))
        .route(
            "/tags/{name}/edit",
            get(pages::wrangling::edit).post(pages::wrangling::update),
        )
        .route("/tag_wranglers", get(pages::wrangling::wranglers))
        .route(
            "/mutes",
            get(pages::mutes::mutes).post(pages::mutes::update_mutes),
        )
        .route("/tags/{name}/works", get(pages::discover::tag_works))
        .route("/works/search", get(pages::discover::search))
        .route("/downloads/{id}/{file}", get(pages::downloads::download))
        .route("/tags/{name}/feed.atom", get(pages::feeds::tag_feed))
        .route("/opds", get(pages::opds::root))
        .route("/opds/recent", get(pages::opds::recent))
        .route("/opds/fandoms", get(pages::opds::fandoms))
        .route("/opds/tags", get(pages::opds::tags))
        .route("/opds/tags/{name}", get(pages::opds::tag))
        .route("/opds/search", get(pages::opds::search))
        .route("/opds/search.xml", get(pages::opds::opensearch))
        .route("/users/{login}/feed.atom", get(pages::feeds::creator_feed))
        .route(
            "/users/login",
            get(pages::accounts::login_form).post(pages::accounts::login),
        )
        .route("/users/logout", post(pages::accounts::logout))
        .route(
            "/signup",
            get(pages::accounts::signup_form).post(pages::accounts::signup),
        )
        .route("/users/{login}", get(pages::listings::user_redirect))
        .route(
            "/users/{login}/creatorships",
            get(pages::posting::creatorships),
        )
        .route(
            "/creatorships/{id}",
            post(pages::posting::answer_creatorship),
        )
        .route(
            "/works/{id}/chapters/manage",
            get(pages::posting::manage_chapters),
        )
        .route(
            "/works/{id}/chapters/reorder",
            post(pages::posting::reorder_chapters),
        )
        .route(
            "/works/{id}/chapters/{chapter_id}/edit",
            get(pages::posting::edit_chapter).post(pages::posting::update_chapter),
        )
        .route(
            "/works/{id}/chapters/{chapter_id}/delete",
            post(pages::posting::delete_chapter),
        )
        .route(
            "/users/{login}/pseuds",
            get(pages::pseuds::index).post(pages::pseuds::create),
        )
        .route(
            "/users/{login}/pseuds/{pseud}/edit",
            post(pages::pseuds::update),
        )
        .route(
            "/claims/{token}",
            get(pages::pseuds::claim_form).post(pages::pseuds::claim),
        )
        .route("/users/{login}/edit", get(pages::settings::edit))
        .route(
            "/users/{login}/preferences",
            post(pages::settings::preferences),
        )
        .route("/users/{login}/password", post(pages::settings::password))
        .route("/users/{login}/email", post(pages::settings::email))
        .route("/users/{login}/delete", post(pages::settings::delete))
        .route("/users/{login}/works", get(pages::listings::user_works))
        .route(
            "/users/{login}/blocked",
            get(pages::people::blocked).post(pages::people::change_blocked),
        )
        .route(
            "/users/{login}/muted",
            get(pages::people::muted).post(pages::people::change_muted),
        )
        .route(
            "/users/{login}/api_tokens",
            get(pages::api_tokens::index).post(pages::api_tokens::create),
        )
        .route(
            "/users/{login}/api_tokens/{id}/delete",
            post(pages::api_tokens::revoke),
        )
        .route(
            "/users/{login}/pseuds/{pseud}",
            get(pages::listings::pseud_redirect),
        )
        .route(
            "/users/{login}/pseuds/{pseud}/works",
            get(pages::listings::pseud_works),
        )
        .merge(api::routes())
        .route("/static/ficus.css", get(css))
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            search::read_your_writes,
        ))
        .layer(axum::middleware::from_fn(session::csrf_cookie))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            general_limit,
        ))
        // First of all: who the client is (trusted proxies only).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin::client_origin,
        ))
        // Chapter text may be 500,000 characters, percent-encoded in a form.
        .layer(axum::extract::DefaultBodyLimit::max(16 * 1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        .with_state(state)
}

/// The general per-IP limit (when configured), counted in the database so
/// it holds across web nodes. The stylesheet is not counted.
async fn general_limit(
    axum::extract::State(st): axum::extract::State<AppState>,
    ip: session::ClientIp,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if st.requests_per_ip == 0 || req.uri().path().starts_with("/static/") {
        return next.run(req).await;
    }
    let window = st.request_window_secs.max(1);
    let now = chrono::Utc::now().timestamp();
    let bucket = format!("req:ip:{}", ip.0);
    let api = req.uri().path().starts_with("/api/");
    let refusal = match st.db(move |s| s.throttle_hit(&bucket, window, now)).await {
        Ok(t) if t.hits() > st.requests_per_ip => {
            let retry_after = t.retry_after(st.requests_per_ip);
            WebError::TooManyRequests {
                message: format!(
                    "Too many requests from your address. Please wait {retry_after} seconds."
                ),
                retry_after,
            }
        }
        Ok(_) => return next.run(req).await,
        Err(e) => e,
    };
    if api {
        refusal.into_json()
    } else {
        refusal.into_response()
    }
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn not_found() -> WebError {
    WebError::NotFound("There is no page at this address.".into())
}

/// Deletes expired drafts and forgets old guest address hashes (kudos,
/// comments), now and then every hour. Several nodes doing this at once is harmless:
/// deleting a deleted work deletes nothing.
async fn purge_drafts_hourly(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        tick.tick().await;
        let keys_before = chrono::Utc::now().naive_utc()
            - chrono::Duration::days(ficus_app::visitors::GUEST_KUDOS_KEY_DAYS);
        if let Err(e) = state
            .db(move |s| {
                s.forget_guest_keys(keys_before)?;
                s.forget_comment_visitor_keys(keys_before)
            })
            .await
        {
            tracing::warn!(error = %e, "could not forget old guest keys");
        }
        let cutoff = chrono::Utc::now().naive_utc() - chrono::Duration::days(state.draft_days);
        match state.db(move |s| s.purge_drafts(cutoff)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "deleted expired drafts"),
            Err(e) => tracing::warn!(error = %e, "could not purge drafts"),
        }
    }
}

/// Seconds between checks for gift exchanges whose reveal date has come.
const REVEAL_CHECK_SECS: u64 = 30;

/// Reveals gift exchanges whose reveal date has come, every
/// [`REVEAL_CHECK_SECS`] seconds. Several nodes doing it at once is
/// harmless: the second finds nothing left to reveal.
async fn reveal_exchanges(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(REVEAL_CHECK_SECS));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now().naive_utc();
        match state.db(move |s| s.reveal_due_exchanges(now)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(revealed = n, "revealed gift exchanges"),
            Err(e) => tracing::warn!(error = %e, "could not reveal gift exchanges"),
        }
    }
}

/// Serves the archive on `addr` until Ctrl-C. Prints the bound address
/// (useful with port 0) on stdout as `listening on http://ADDR`.
/// Settings of a running archive.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Drafts are deleted this many days after they were created.
    pub draft_days: i64,
    /// Sign-ups allowed per IP address per hour.
    pub signups_per_hour: u32,
    /// General limit: requests per IP address per window (0 = off).
    pub requests_per_ip: u32,
    /// The general limit's window, in seconds.
    pub request_window_secs: i64,
    /// Memory for rendered comment threads, in bytes (0: none).
    pub comment_cache_bytes: u64,
    /// Memory for guests' whole work pages, in bytes (0: none).
    pub page_cache_bytes: u64,
    /// Trusted proxies and the public URL.
    pub origin: origin::Origin,
    /// Where mail goes (none: jobs wait in the queue).
    pub mail: mail::MailOptions,
}

impl Default for ServeOptions {
    /// The command line's defaults.
    fn default() -> Self {
        ServeOptions {
            draft_days: 30,
            signups_per_hour: 5,
            requests_per_ip: 0,
            request_window_secs: 300,
            comment_cache_bytes: 64 * 1024 * 1024,
            page_cache_bytes: 128 * 1024 * 1024,
            origin: origin::Origin::default(),
            mail: mail::MailOptions::default(),
        }
    }
}

/// Serves the archive on `addr` until Ctrl-C (see [`serve_with`]).
pub async fn serve(
    addr: SocketAddr,
    store: Store,
    index_dir: &std::path::Path,
    downloads_dir: &std::path::Path,
    options: ServeOptions,
) -> std::io::Result<()> {
    let search = {
        let store = store.clone();
        let dir = index_dir.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let node = ficus_search::consumer_name(&dir)?;
            search::SearchHandle::start(store, &dir, &node)
        })
        .await
        .map_err(std::io::Error::other)?
        .map_err(std::io::Error::other)?
    };
    serve_with(addr, store, search, downloads_dir.to_path_buf(), options).await
}

async fn serve_with(
    addr: SocketAddr,
    store: Store,
    search: std::sync::Arc<search::SearchHandle>,
    downloads_dir: std::path::PathBuf,
    options: ServeOptions,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tracing::info!(%local, backend = store.backend_name(), "serving");
    let mail = options.mail.clone();
    let public_url = options.origin.public_url.clone();
    let state = {
        let store = store.clone();
        tokio::task::spawn_blocking(move || AppState::new(store, search, downloads_dir, options))
            .await
            .map_err(std::io::Error::other)?
            .map_err(std::io::Error::other)?
    };
    tokio::spawn(purge_drafts_hourly(state.clone()));
    tokio::spawn(reveal_exchanges(state.clone()));
    tokio::spawn(hits::flush_every_few_seconds(state.clone()));
    tokio::spawn(fanout::every_few_seconds(state.clone()));
    tokio::spawn(page_cache::follow_the_log(state.clone()));
    if let Some(url) = &mail.smtp_url {
        let sender =
            ficus_app::mail::SmtpSender::new(url, &mail.from).map_err(std::io::Error::other)?;
        let site = ficus_app::mail::MailSite {
            base_url: public_url
                .clone()
                .unwrap_or_else(|| format!("http://{local}"))
                .trim_end_matches('/')
                .to_string(),
            name: templates::SITE_NAME.to_string(),
            key: state.mail_key.to_vec(),
            retry_base: chrono::Duration::seconds(mail.retry_base_secs.max(1)),
        };
        tokio::spawn(mail::deliver_every_few_seconds(
            state.clone(),
            std::sync::Arc::new(sender),
            std::sync::Arc::new(site),
        ));
    }
    let app = router(state.clone());
    println!("listening on http://{local}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    // The last hits of this node.
    let counted = hits::flush(&state).await;
    reading_log::flush(&state).await;
    tracing::info!(hits = counted, "stopped");
    Ok(())
}

/// Ctrl-C, or SIGTERM (service managers) on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
