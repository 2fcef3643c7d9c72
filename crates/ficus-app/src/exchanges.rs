//! Gift exchanges for the pages, the API and anything else: the
//! maintainers' settings, a participant's sign-up (the form checked by
//! `ficus_core::exchange::rules` against the exchange's settings),
//! matching, sending assignments out, defaulting and pinch hitting — each
//! one store transaction. Posting to an assignment is part of posting a
//! work (`posting.rs`).

use chrono::NaiveDateTime;
use ficus_core::access::Viewer;
use ficus_core::exchange::rules::{ExchangeForm, ExchangeRefusal, PromptForm, check_signup};
use ficus_store::exchanges::MatchSummary;
use ficus_store::{Store, StoreError};

/// `Ok(Err(_))` is a refusal the participant caused.
pub type Outcome<T> = Result<Result<T, ExchangeRefusal>, StoreError>;

/// Makes collection `cid` a gift exchange, or changes its settings (its
/// maintainers).
pub fn set_up(
    store: &Store,
    viewer: Viewer,
    cid: i64,
    form: &ExchangeForm<'_>,
    now: NaiveDateTime,
) -> Outcome<()> {
    match form.check() {
        Ok(settings) => store.set_exchange(viewer, cid, &settings, now),
        Err(r) => Ok(Err(r)),
    }
}

/// Signs `viewer` up for exchange `cid` (or replaces their sign-up); the
/// sign-up's id.
pub fn sign_up(
    store: &Store,
    viewer: Viewer,
    cid: i64,
    requests: &[PromptForm],
    offers: &[PromptForm],
    now: NaiveDateTime,
) -> Outcome<i64> {
    let Some(exchange) = store.exchange(cid)? else {
        return Ok(Err(ExchangeRefusal::NotAnExchange));
    };
    match check_signup(&exchange.settings, requests, offers) {
        Ok(draft) => store.save_signup(viewer, cid, &draft, now),
        Err(r) => Ok(Err(r)),
    }
}

/// Withdraws sign-up `id` (its participant, or a maintainer).
pub fn withdraw(store: &Store, viewer: Viewer, id: i64, now: NaiveDateTime) -> Outcome<()> {
    store.delete_signup(viewer, id, now)
}

/// Matches exchange `cid`'s sign-ups (its maintainers, sign-ups closed).
pub fn run_matching(
    store: &Store,
    viewer: Viewer,
    cid: i64,
    now: NaiveDateTime,
) -> Outcome<MatchSummary> {
    store.run_matching(viewer, cid, now)
}

/// Sends exchange `cid`'s assignments out (its maintainers, after
/// matching).
pub fn send_out(store: &Store, viewer: Viewer, cid: i64, now: NaiveDateTime) -> Outcome<usize> {
    store.send_assignments(viewer, cid, now)
}

/// The writer of assignment `id` defaults on it.
pub fn default(store: &Store, viewer: Viewer, id: i64, now: NaiveDateTime) -> Outcome<()> {
    store.default_assignment(viewer, id, now)
}

/// A maintainer names `login` pinch hitter of assignment `id`.
pub fn cover(
    store: &Store,
    viewer: Viewer,
    id: i64,
    login: &str,
    now: NaiveDateTime,
) -> Outcome<()> {
    store.cover_assignment(viewer, id, login, now)
}
