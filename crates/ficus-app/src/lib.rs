//! Ficus use cases: each user action or workflow is one function here,
//! called with typed input by the web pages, the JSON API and the command
//! line alike. Handlers only translate HTTP (or arguments) to these inputs
//! and the results to HTML, JSON or text; nothing here knows HTTP.
//!
//! - [`discovery`]: a reader's filters → one search-index request.
//! - [`mutes`]: guests' mutes as kept in their cookie.
//! - [`posting`]: posting and editing a work (co-creators, series, publishing)
//!   as one store transaction.
//! - [`wrangling`]: a wrangler's form for one tag → its changes, applied
//!   all or nothing.
//! - [`export`]: a stored work → a download.
//! - [`bookmarks`]: bookmarking a work, changing or deleting a bookmark.
//! - [`kudos`]: leaving kudos (an account, or a guest by a keyed hash).
//! - [`comments`]: posting, replying, editing, deleting and moderating
//!   comments, with the pluggable spam check.
//! - [`mail`]: sending the queued mail (SMTP), composing messages,
//!   one-click unsubscribe tokens.
//! - [`subscriptions`]: following works, series, accounts, tags and saved
//!   searches, only where the reader may see.
//! - [`visitors`]: the keyed hash that knows a guest again.
//! - [`sign_in`]: a login and a password → an account, under limits that
//!   count failures (the log-in form and HTTP Basic alike).

pub mod bookmarks;
pub mod collections;
pub mod comments;
pub mod discovery;
pub mod exchanges;
pub mod export;
pub mod kudos;
pub mod mail;
pub mod mutes;
pub mod posting;
pub mod sign_in;
pub mod subscriptions;
pub mod visitors;
pub mod wrangling;

/// Why a use case that reaches beyond the store could not be carried
/// out. Use cases that only use the store return its `StoreError`; a
/// refusal the user caused (a rule broken, a form to correct) is a typed
/// answer of the use case, never an error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Store(#[from] ficus_store::StoreError),
    #[error(transparent)]
    Export(#[from] ficus_export::ExportError),
}
