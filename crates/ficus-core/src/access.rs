//! The one place that decides who may see a work.
//!
//! Every view (pages, listings, API, and later search, feeds and
//! downloads) asks [`Viewer::may_see`]; listings filter with the same rule
//! in SQL (`ficus-store`'s `list`), and the access-matrix tests hold the two
//! to each other.

use crate::account::Role;

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Not logged in.
    Guest,
    /// A logged-in account.
    User { id: i64, role: Role },
    /// The archive itself (command-line tools): sees everything.
    System,
}

/// What access depends on, for one work.
#[derive(Debug, Clone, Copy)]
pub struct WorkAccess<'a> {
    /// Posted (not a draft).
    pub posted: bool,
    /// Registered users only.
    pub restricted: bool,
    /// Hidden by a moderator or admin.
    pub hidden: bool,
    /// In an unrevealed collection (a "Mystery Work" until revealed).
    pub unrevealed: bool,
    /// Accounts whose pseuds are on the byline.
    pub owners: &'a [i64],
}

impl Viewer {
    /// Whether this viewer is logged in (or is the archive itself).
    pub fn is_member(self) -> bool {
        !matches!(self, Viewer::Guest)
    }

    /// The account, if any.
    pub fn user_id(self) -> Option<i64> {
        match self {
            Viewer::User { id, .. } => Some(id),
            _ => None,
        }
    }

    /// Whether this viewer is one of the work's creators.
    pub fn owns(self, work: &WorkAccess<'_>) -> bool {
        self.user_id().is_some_and(|id| work.owners.contains(&id))
    }

    /// Whether this viewer moderates (admin or moderator).
    pub fn moderates(self) -> bool {
        matches!(
            self,
            Viewer::User {
                role: Role::Admin | Role::Moderator,
                ..
            }
        )
    }

    /// Whether a guest asking for the work is sent to log in first: it is
    /// posted and restricted to logged-in accounts. (A hidden restricted
    /// work sends them too, as it always has: whether that tells guests
    /// too much is a question for the moderation issue.)
    pub fn must_log_in(self, work: &WorkAccess<'_>) -> bool {
        self == Viewer::Guest && work.posted && work.restricted
    }

    /// Whether the work is visible to this viewer: its creators always;
    /// drafts to nobody else; hidden and unrevealed works to admins only;
    /// restricted works to logged-in accounts only.
    pub fn may_see(self, work: &WorkAccess<'_>) -> bool {
        match self {
            Viewer::System => true,
            _ if self.owns(work) => true,
            Viewer::User {
                role: Role::Admin, ..
            } if work.hidden || work.unrevealed => work.posted,
            _ => {
                work.posted
                    && !work.hidden
                    && !work.unrevealed
                    && (!work.restricted || self.is_member())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn work(posted: bool, restricted: bool, owners: &[i64]) -> WorkAccess<'_> {
        WorkAccess {
            posted,
            restricted,
            hidden: false,
            unrevealed: false,
            owners,
        }
    }

    #[test]
    fn the_rule() {
        let me = Viewer::User {
            id: 7,
            role: Role::User,
        };
        let other = Viewer::User {
            id: 8,
            role: Role::User,
        };
        let g = Viewer::Guest;
        assert!(g.may_see(&work(true, false, &[7])));
        assert!(!g.may_see(&work(true, true, &[7])));
        assert!(!g.may_see(&work(false, false, &[7])));
        assert!(other.may_see(&work(true, true, &[7])));
        assert!(
            !other.may_see(&work(false, false, &[7])),
            "drafts are private"
        );
        assert!(
            me.may_see(&work(false, true, &[7])),
            "creators see their drafts"
        );
        assert!(Viewer::System.may_see(&work(false, true, &[])));
        let hidden = WorkAccess {
            posted: true,
            restricted: false,
            hidden: true,
            unrevealed: false,
            owners: &[7],
        };
        assert!(me.may_see(&hidden));
        assert!(!other.may_see(&hidden) && !g.may_see(&hidden));
        assert!(
            Viewer::User {
                id: 9,
                role: Role::Admin
            }
            .may_see(&hidden)
        );
        assert!(
            !Viewer::User {
                id: 9,
                role: Role::Moderator
            }
            .may_see(&hidden)
        );
    }
}
