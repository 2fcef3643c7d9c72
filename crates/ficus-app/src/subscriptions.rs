//! Following: subscribing to a work, a series, an account, a tag or a
//! saved search — only to what exists and the reader may see — and
//! choosing how each subscription's updates come by e-mail. The pages and
//! the API call these.

use chrono::NaiveDateTime;
use ficus_core::access::Viewer;
use ficus_core::mail::SubscriptionMail;
use ficus_store::subscriptions::{SavedSearch, Subscribed, SubscriptionKind};
use ficus_store::{Store, StoreError};

/// What to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Work(i64),
    Series(i64),
    User(i64),
    Tag(i64),
    /// A listing's filters, normalized by the caller.
    Search(SavedSearch),
}

impl Target {
    pub fn kind(&self) -> SubscriptionKind {
        match self {
            Target::Work(_) => SubscriptionKind::Work,
            Target::Series(_) => SubscriptionKind::Series,
            Target::User(_) => SubscriptionKind::User,
            Target::Tag(_) => SubscriptionKind::Tag,
            Target::Search(_) => SubscriptionKind::Search,
        }
    }
}

/// Saved searches an account may follow: each is matched against every
/// new work, so their number is bounded.
pub const MAX_SEARCHES: usize = 100;

/// Why a subscription was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowRefusal {
    /// Nothing there to follow, or the account may not see it (a draft,
    /// a hidden or restricted work it cannot read; itself; a tag only
    /// drafts carry).
    NotThere,
    /// The account follows [`MAX_SEARCHES`] saved searches already.
    TooManySearches,
}

/// Follows `target` for account `user_id` (seeing as `viewer`), with
/// `mail` or the kind's default; following again keeps the subscription
/// and applies `mail` when one is given.
pub fn follow(
    store: &Store,
    user_id: i64,
    viewer: Viewer,
    target: &Target,
    mail: Option<SubscriptionMail>,
    now: NaiveDateTime,
) -> Result<Result<Subscribed, FollowRefusal>, StoreError> {
    let made = match subscribe(store, user_id, viewer, target, mail, now)? {
        Ok(made) => made,
        Err(refusal) => return Ok(Err(refusal)),
    };
    if let Some(mail) = mail
        && !made.new
    {
        store.set_subscription_mail(user_id, made.id, mail)?;
    }
    Ok(Ok(made))
}

fn subscribe(
    store: &Store,
    user_id: i64,
    viewer: Viewer,
    target: &Target,
    mail: Option<SubscriptionMail>,
    now: NaiveDateTime,
) -> Result<Result<Subscribed, FollowRefusal>, StoreError> {
    let mail = mail.unwrap_or(target.kind().default_mail());
    let (kind, id) = match target {
        Target::Search(search) => {
            return Ok(store
                .subscribe_search(user_id, search, mail, MAX_SEARCHES, now)?
                .ok_or(FollowRefusal::TooManySearches));
        }
        Target::Work(id) => {
            let ok = store.work(*id, viewer)?.is_some_and(|w| w.posted);
            (ok.then_some(SubscriptionKind::Work), *id)
        }
        Target::Series(id) => (
            store
                .series(*id, viewer)?
                .is_some()
                .then_some(SubscriptionKind::Series),
            *id,
        ),
        Target::User(id) => (
            store
                .user(*id)?
                .is_some_and(|(u, _)| u.id != user_id)
                .then_some(SubscriptionKind::User),
            *id,
        ),
        // A tag readers can find: canonical, or on a work they see.
        Target::Tag(id) => (
            store
                .tag_detail(*id, viewer)?
                .is_some_and(|d| d.canonical || d.direct_uses > 0)
                .then_some(SubscriptionKind::Tag),
            *id,
        ),
    };
    match kind {
        Some(kind) => store.subscribe(user_id, kind, id, mail, now).map(Ok),
        None => Ok(Err(FollowRefusal::NotThere)),
    }
}
