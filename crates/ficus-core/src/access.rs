//! The one place that decides who may see a work.
//!
//! Every view (pages, listings, API, and later search, feeds and
//! downloads) asks [`Viewer::may_see`] or filters with the same rule.

/// Who is looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Not logged in.
    Guest,
    /// A logged-in member of the archive.
    Member,
}

impl Viewer {
    /// Whether this viewer is logged in.
    pub fn is_member(self) -> bool {
        matches!(self, Viewer::Member)
    }

    /// Whether a work with these flags is visible to this viewer: drafts
    /// (not posted) to nobody here, restricted works to members only.
    pub fn may_see(self, posted: bool, restricted: bool) -> bool {
        posted && (!restricted || self.is_member())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guests_do_not_see_restricted_or_drafts() {
        assert!(Viewer::Guest.may_see(true, false));
        assert!(!Viewer::Guest.may_see(true, true));
        assert!(!Viewer::Guest.may_see(false, false));
        assert!(Viewer::Member.may_see(true, true));
        assert!(!Viewer::Member.may_see(false, false));
    }
}
