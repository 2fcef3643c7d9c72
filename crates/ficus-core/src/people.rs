//! Blocking and muting other accounts: the rules both share.
//!
//! Blocking keeps an account away from you: it cannot leave kudos on your
//! works (nor, as they arrive, comment on them, reply to your comments or
//! give you gifts), and its works disappear from what you see. Muting only
//! hides its works from your listings, searches, feeds and catalogs (with
//! exact counts). Both are private: nobody is told.

/// Most accounts one account may block, and mute (AO3's limits).
pub const MAX_PER_LIST: usize = 2_000;

/// The two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Block,
    Mute,
}

impl Relation {
    /// "block" / "mute".
    pub fn verb(self) -> &'static str {
        match self {
            Relation::Block => "block",
            Relation::Mute => "mute",
        }
    }

    /// The page: "blocked" / "muted" (`/users/{login}/blocked`).
    pub fn page(self) -> &'static str {
        match self {
            Relation::Block => "blocked",
            Relation::Mute => "muted",
        }
    }
}

/// Why an account could not be added to a list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeopleRefusal {
    #[error("You can't {0} yourself.")]
    Yourself(&'static str),
    #[error("There is no account named {0:?}.")]
    NoSuchAccount(String),
    #[error("You can {verb} at most 2,000 accounts; remove one first.")]
    Full { verb: &'static str },
}
