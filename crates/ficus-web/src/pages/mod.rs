//! HTML page handlers.

pub mod accounts;
pub mod api_tokens;
pub mod bookmarks;
pub mod collections;
pub mod comments;
pub mod discover;
pub mod downloads;
pub mod exchanges;
pub mod feeds;
pub mod gifts;
pub mod inbox;
pub mod kudos;
pub mod listings;
pub mod moderation;
pub mod mutes;
pub mod opds;
pub mod people;
pub mod posting;
pub mod pseuds;
pub mod readings;
pub mod reports;
pub mod series;
pub mod settings;
pub mod stats;
pub mod subscriptions;
pub mod tags;
pub mod works;
pub mod wrangling;

/// Refuses unless `user` is the account named `login`: for the pages that
/// are one account's alone (`what` names them in the refusal).
pub(crate) fn only_own(
    user: &ficus_store::UserRecord,
    login: &str,
    what: &str,
) -> Result<(), crate::error::WebError> {
    if user.login.eq_ignore_ascii_case(login) {
        Ok(())
    } else {
        Err(crate::error::WebError::Forbidden(format!(
            "Sorry, you don't have permission to see that {what}."
        )))
    }
}
