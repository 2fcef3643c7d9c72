//! Page behaviour that needs no second process, through the real router
//! in-process (`tower::ServiceExt::oneshot`): who is sent to log in and
//! where they come back to, bad ids, CSRF, who may change a work. The
//! tests under `crates/ficus/tests/` keep the real server where the
//! process boundary matters.

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{Duration, Utc};
use ficus_core::access::Viewer;
use ficus_core::account::{Login, Role, random_token, token_hash};
use ficus_store::Store;
use ficus_store::testing::TestStore;
use ficus_web::search::SearchHandle;
use ficus_web::view::encode_segment;
use ficus_web::{AppState, ServeOptions, router};
use tower::ServiceExt;

/// An archive on a fresh SQLite store, its router, and what must live as
/// long as it.
struct Archive {
    store: TestStore,
    app: Router,
    /// The archive's CSRF key, to make form tokens as its pages do.
    csrf_key: std::sync::Arc<Vec<u8>>,
    _dir: tempfile::TempDir,
}

fn archive() -> Archive {
    let store = TestStore::sqlite();
    let dir = ficus_testkit::temp_dir();
    let search = SearchHandle::start(store.store().clone(), &dir.path().join("index"), "main")
        .expect("index");
    let state = AppState::new(
        store.store().clone(),
        search,
        dir.path().join("downloads"),
        ServeOptions {
            signups_per_hour: 100,
            ..ServeOptions::default()
        },
    )
    .expect("state");
    let csrf_key = state.csrf_key.clone();
    Archive {
        store,
        app: router(state),
        csrf_key,
        _dir: dir,
    }
}

/// An account with a live session: (user id, session cookie value).
fn signed_in(store: &Store, name: &str) -> (i64, String) {
    let now = Utc::now().naive_utc();
    let user = store
        .create_user(
            &Login::parse(name).expect("login"),
            &format!("{name}@example.org"),
            "$h",
            Role::User,
            now,
        )
        .expect("user");
    let token = random_token();
    store
        .create_session(&token_hash(&token), user.id, now, now + Duration::hours(1))
        .expect("session");
    (user.id, token)
}

/// A posted work by `user`'s default pseud.
fn work_of(store: &Store, user: i64, title: &str, posted: bool) -> i64 {
    let pseud = store.pseuds_of(user).expect("pseuds")[0].0;
    let work = ficus_testkit::work(title)
        .pseud(pseud)
        .posted(posted)
        .build();
    store.insert_work(&work).expect("insert").work_id()
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, String) {
    let resp = app.clone().oneshot(req).await.expect("response");
    let location = resp
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (resp.status(), location)
}

fn get(uri: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request")
}

/// A form post; with a session cookie when `session`, and with a CSRF
/// cookie and the form token the archive with key `csrf` expects for it.
fn post(uri: &str, session: Option<&str>, csrf: Option<&[u8]>, fields: &str) -> Request<Body> {
    let token = random_token();
    let mut cookies = Vec::new();
    if let Some(s) = session {
        cookies.push(format!("ficus_session={s}"));
    }
    let mut body = fields.to_string();
    if let Some(key) = csrf {
        cookies.push(format!("ficus_csrf={token}"));
        if !body.is_empty() {
            body.push('&');
        }
        let form_token = ficus_web::session::form_token(key, &token, session);
        body.push_str(&format!("authenticity_token={form_token}"));
    }
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if !cookies.is_empty() {
        req = req.header(header::COOKIE, cookies.join("; "));
    }
    req.body(Body::from(body)).expect("request")
}

fn log_in_then(path: &str) -> String {
    format!("/users/login?return_to={}", encode_segment(path))
}

#[tokio::test]
async fn a_guest_logs_in_first_and_comes_back_to_the_page_of_the_form() {
    let a = archive();
    for (request, back) in [
        (get("/works/new"), "/works/new"),
        (get("/works/7/edit"), "/works/7/edit"),
        (get("/works/7/chapters/manage"), "/works/7/chapters/manage"),
        (post("/works", None, None, ""), "/works/new"),
        (post("/works/7/edit", None, None, ""), "/works/7/edit"),
        (post("/works/7/delete", None, None, ""), "/works/7"),
        (
            post("/works/7/chapters", None, None, ""),
            "/works/7/chapters/new",
        ),
        (
            post("/works/7/chapters/9/delete", None, None, ""),
            "/works/7/chapters/manage",
        ),
        (post("/works/7/orphan", None, None, ""), "/works/7/orphan"),
        (post("/creatorships/7", None, None, ""), "/"),
    ] {
        let uri = request.uri().to_string();
        let (status, location) = send(&a.app, request).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{uri}");
        assert_eq!(location, log_in_then(back), "{uri}");
    }
}

#[tokio::test]
async fn malformed_ids_are_a_400_before_anything_else() {
    let a = archive();
    for request in [
        get("/works/seven/edit"),
        get("/works/7/chapters/nine/edit"),
        post("/works/seven/delete", None, None, ""),
        post("/creatorships/x", None, None, ""),
    ] {
        let uri = request.uri().to_string();
        let (status, _) = send(&a.app, request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[tokio::test]
async fn a_work_page_answers_log_in_first_or_not_found() {
    let a = archive();
    let (ada, _) = signed_in(&a.store, "ada");
    let restricted = {
        let pseud = a.store.pseuds_of(ada).expect("pseuds")[0].0;
        let work = ficus_testkit::work("Members")
            .pseud(pseud)
            .restricted(true)
            .build();
        a.store.insert_work(&work).expect("insert").work_id()
    };
    let draft = work_of(&a.store, ada, "Draft", false);
    let (status, location) = send(&a.app, get(&format!("/works/{restricted}"))).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        location,
        format!(
            "/users/login?restricted=true&return_to={}",
            encode_segment(&format!("/works/{restricted}"))
        )
    );
    for id in [draft, 999_999] {
        let (status, _) = send(&a.app, get(&format!("/works/{id}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "work {id}");
    }
}

#[tokio::test]
async fn only_a_creator_with_a_valid_form_changes_a_work() {
    let a = archive();
    let (ada, ada_session) = signed_in(&a.store, "ada");
    let (_, bea_session) = signed_in(&a.store, "bea");
    let work = work_of(&a.store, ada, "Ada's", true);
    let draft = work_of(&a.store, ada, "Ada's draft", false);
    let delete = |id: i64| format!("/works/{id}/delete");
    let exists = |id: i64| a.store.work(id, Viewer::System).expect("read").is_some();

    // No CSRF token: 403, nothing deleted.
    let (status, _) = send(&a.app, post(&delete(work), Some(&ada_session), None, "")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(exists(work));
    // Someone else: 403 on a work they can see, 404 on a draft they cannot.
    let (status, _) = send(
        &a.app,
        post(&delete(work), Some(&bea_session), Some(&a.csrf_key), ""),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send(
        &a.app,
        post(&delete(draft), Some(&bea_session), Some(&a.csrf_key), ""),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(exists(work) && exists(draft));
    // The creator with the token: deleted.
    let (status, location) = send(
        &a.app,
        post(&delete(work), Some(&ada_session), Some(&a.csrf_key), ""),
    )
    .await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    assert!(!exists(work));
}
