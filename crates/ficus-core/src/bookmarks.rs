//! Bookmarks: a reader's saved work, with their notes and tags, public or
//! private, a rec or not. One per account per work (the database holds it
//! with a unique index); notes up to 5,000 characters, sanitized as a
//! guest comment is (no `class`, images as links); the bookmarker's tags
//! up to 150 characters each. A private bookmark is its owner's alone —
//! not even moderators see it — and counts only in the creator's
//! statistics, never in the public count.

use crate::access::{Viewer, WorkAccess};
use crate::external_works::ExternalWorkRefusal;
use crate::tag::TagName;

/// The longest notes, in characters of text (AO3's `NOTES_MAX`): the
/// markup does not count, so notes saved once can be saved again as the
/// edit form gives them back (as stored HTML).
pub const NOTES_MAX: usize = 5_000;

/// The longest notes as sent, markup included.
pub const NOTES_MAX_SENT: usize = 4 * NOTES_MAX;

/// The longest bookmarker's tag, in characters (AO3's `TAG_MAX`).
pub const TAG_MAX: usize = 150;

/// The most tags one bookmark carries (AO3 sets none; a bound keeps one
/// form from creating thousands of tags).
pub const TAGS_MAX: usize = 75;

/// Bookmarks on a listing page.
pub const BOOKMARKS_PER_PAGE: u32 = 20;

/// Why a bookmark was not saved, worded for the reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookmarkRefusal {
    #[error("You have already bookmarked that.")]
    AlreadyBookmarked,
    #[error("You can't bookmark with that pseud.")]
    NotYourPseud,
    #[error("Notes must be less than {NOTES_MAX} characters long.")]
    NotesTooLong,
    #[error("Your tags must be less than {TAG_MAX} characters long each: {0}")]
    TagTooLong(String),
    #[error("A bookmark can carry at most {TAGS_MAX} of your tags.")]
    TooManyTags,
    #[error("Your tags cannot be used: {0}")]
    BadTag(String),
    #[error("You cannot bookmark while your account is suspended or banned.")]
    Suspended,
    /// Not the viewer's bookmark (edit, delete).
    #[error("Sorry, you don't have permission to access the page you were trying to reach.")]
    NotYours,
    /// No such work or bookmark, or not one this viewer may see.
    #[error("There is no such work or bookmark, or it is not visible to you.")]
    NotFound,
    /// The external work's details were refused.
    #[error("{0}")]
    External(#[from] ExternalWorkRefusal),
}

/// What a bookmark is of (AO3's bookmarkable types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookmarkKind {
    Work,
    Series,
    /// A work elsewhere on the web ([`crate::external_works`]).
    ExternalWork,
}

impl BookmarkKind {
    /// As stored and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            BookmarkKind::Work => "work",
            BookmarkKind::Series => "series",
            BookmarkKind::ExternalWork => "external_work",
        }
    }

    pub fn parse(s: &str) -> Option<BookmarkKind> {
        [
            BookmarkKind::Work,
            BookmarkKind::Series,
            BookmarkKind::ExternalWork,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The item's name in a sentence ("a deleted work").
    pub fn noun(self) -> &'static str {
        match self {
            BookmarkKind::Work => "work",
            BookmarkKind::Series => "series",
            BookmarkKind::ExternalWork => "external work",
        }
    }
}

/// A bookmark as its owner filled in the form, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookmarkDraft {
    /// Sanitized HTML (empty: no notes).
    pub notes: String,
    /// The bookmarker's tags, in their order, without repeats (by case).
    pub tags: Vec<TagName>,
    pub private: bool,
    pub rec: bool,
}

impl BookmarkDraft {
    /// Checks a bookmark form: `notes` as typed (plain text with blank
    /// lines between paragraphs, or HTML), `tag_string` comma-separated
    /// (full-width commas too, as AO3).
    pub fn parse(
        notes: &str,
        tag_string: &str,
        private: bool,
        rec: bool,
    ) -> Result<BookmarkDraft, BookmarkRefusal> {
        if notes.chars().count() > NOTES_MAX_SENT
            || crate::html::plain_text(notes).trim().chars().count() > NOTES_MAX
        {
            return Err(BookmarkRefusal::NotesTooLong);
        }
        let notes = if notes.trim().is_empty() {
            String::new()
        } else {
            crate::html::format_user_text(notes, true)
        };
        let mut tags: Vec<TagName> = Vec::new();
        for raw in tag_string.split([',', '，']) {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            if raw.chars().count() > TAG_MAX {
                return Err(BookmarkRefusal::TagTooLong(raw.chars().take(40).collect()));
            }
            let name = TagName::parse(raw).map_err(|e| BookmarkRefusal::BadTag(e.to_string()))?;
            if !tags.iter().any(|t| t.key() == name.key()) {
                tags.push(name);
            }
        }
        if tags.len() > TAGS_MAX {
            return Err(BookmarkRefusal::TooManyTags);
        }
        Ok(BookmarkDraft {
            notes,
            tags,
            private,
            rec,
        })
    }
}

/// Whether `viewer` may bookmark a work with `access`: any account that
/// may see it (its own creators too, as on AO3); never a guest.
pub fn may_bookmark(viewer: Viewer, access: &WorkAccess<'_>) -> Result<(), BookmarkRefusal> {
    if !viewer.is_member() || !viewer.may_see(access) || !access.posted {
        return Err(BookmarkRefusal::NotFound);
    }
    Ok(())
}

/// Whether a bookmark counts in the public count and shows on public
/// listings.
pub fn is_public(private: bool, hidden_by_admin: bool) -> bool {
    !private && !hidden_by_admin
}

/// What a viewer sees of one bookmark's item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemSight {
    /// The work itself.
    Shown,
    /// AO3's placeholder: the work was deleted ("This has been deleted,
    /// sorry!").
    Deleted,
    /// A placeholder: the work is for registered users only, or hidden,
    /// or not posted — not for this viewer.
    Unavailable,
}

/// What a viewer sees of a bookmarked series: `None` when it was
/// deleted; else whether any of its works is visible to them (or the
/// series is theirs), as the series page decides.
pub fn series_sight(visible: Option<bool>) -> ItemSight {
    match visible {
        None => ItemSight::Deleted,
        Some(true) => ItemSight::Shown,
        Some(false) => ItemSight::Unavailable,
    }
}

/// What `viewer` sees of a bookmarked work (`None`: it was deleted).
pub fn item_sight(viewer: Viewer, work: Option<&WorkAccess<'_>>) -> ItemSight {
    match work {
        None => ItemSight::Deleted,
        Some(w) if viewer.may_see(w) && w.posted => ItemSight::Shown,
        Some(_) => ItemSight::Unavailable,
    }
}

/// Whether `viewer` sees a bookmark at all (owned by `owner`): a private
/// one only its owner; a bookmark an admin hid, its owner and moderators;
/// one of a deleted work, its owner only.
pub fn may_see_bookmark(
    viewer: Viewer,
    owner: i64,
    private: bool,
    hidden_by_admin: bool,
    item: ItemSight,
) -> bool {
    let mine = viewer.user_id() == Some(owner);
    if mine {
        return true;
    }
    if private || item == ItemSight::Deleted {
        return false;
    }
    !hidden_by_admin || viewer.moderates()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Role;

    #[test]
    fn a_draft_is_checked_and_its_tags_deduplicated() {
        let d = BookmarkDraft::parse(
            "Loved it.\n\nRead twice. <script>x</script><img src=\"https://i.example/a.png\">",
            "comfort read, Comfort Read，slow burn , ",
            true,
            false,
        )
        .expect("valid");
        assert_eq!(
            d.tags.iter().map(TagName::as_str).collect::<Vec<_>>(),
            vec!["comfort read", "slow burn"]
        );
        assert!(d.notes.starts_with("<p>Loved it.</p>"), "{}", d.notes);
        assert!(!d.notes.contains("<script"), "{}", d.notes);
        assert!(
            !d.notes.contains("<img"),
            "images become links: {}",
            d.notes
        );
        assert!(d.private && !d.rec);
        assert_eq!(
            BookmarkDraft::parse(&"x".repeat(NOTES_MAX + 1), "", false, false),
            Err(BookmarkRefusal::NotesTooLong)
        );
        assert!(BookmarkDraft::parse(&"x".repeat(NOTES_MAX), "", false, false).is_ok());
        // Saved notes come back as HTML: the markup does not count.
        let long = BookmarkDraft::parse(&"A line.\n".repeat(NOTES_MAX / 8 - 1), "", false, false)
            .expect("under the limit");
        assert!(long.notes.chars().count() > NOTES_MAX, "the markup adds up");
        assert!(BookmarkDraft::parse(&long.notes, "", false, false).is_ok());
        assert_eq!(
            BookmarkDraft::parse(&"<b></b>".repeat(NOTES_MAX), "", false, false),
            Err(BookmarkRefusal::NotesTooLong),
            "markup is bounded too"
        );
        assert!(matches!(
            BookmarkDraft::parse("", &"t".repeat(TAG_MAX + 1), false, false),
            Err(BookmarkRefusal::TagTooLong(_))
        ));
        let many: Vec<String> = (0..=TAGS_MAX).map(|i| format!("tag {i}")).collect();
        assert_eq!(
            BookmarkDraft::parse("", &many.join(","), false, false),
            Err(BookmarkRefusal::TooManyTags)
        );
        assert_eq!(
            BookmarkDraft::parse("  ", "", false, true)
                .expect("empty notes")
                .notes,
            ""
        );
    }

    #[test]
    fn kinds_read_back_and_series_are_seen_through_their_works() {
        for k in [
            BookmarkKind::Work,
            BookmarkKind::Series,
            BookmarkKind::ExternalWork,
        ] {
            assert_eq!(BookmarkKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(BookmarkKind::parse("Work"), None);
        assert_eq!(series_sight(None), ItemSight::Deleted);
        assert_eq!(series_sight(Some(false)), ItemSight::Unavailable);
        assert_eq!(series_sight(Some(true)), ItemSight::Shown);
    }

    #[test]
    fn who_sees_a_bookmark_and_its_work() {
        let owners = [7];
        let open = WorkAccess {
            posted: true,
            restricted: false,
            hidden: false,
            unrevealed: false,
            owners: &owners,
        };
        let restricted = WorkAccess {
            restricted: true,
            ..open
        };
        let hidden = WorkAccess {
            hidden: true,
            ..open
        };
        let member = Viewer::User {
            id: 2,
            role: Role::User,
        };
        let moderator = Viewer::User {
            id: 3,
            role: Role::Moderator,
        };
        assert_eq!(item_sight(Viewer::Guest, Some(&open)), ItemSight::Shown);
        assert_eq!(
            item_sight(Viewer::Guest, Some(&restricted)),
            ItemSight::Unavailable
        );
        assert_eq!(item_sight(member, Some(&restricted)), ItemSight::Shown);
        assert_eq!(item_sight(member, Some(&hidden)), ItemSight::Unavailable);
        assert_eq!(item_sight(member, None), ItemSight::Deleted);
        // Private: the owner only, not even a moderator.
        assert!(may_see_bookmark(member, 2, true, false, ItemSight::Shown));
        assert!(!may_see_bookmark(
            moderator,
            2,
            true,
            false,
            ItemSight::Shown
        ));
        assert!(!may_see_bookmark(
            Viewer::Guest,
            2,
            true,
            false,
            ItemSight::Shown
        ));
        // Of a deleted work: the owner only.
        assert!(may_see_bookmark(
            member,
            2,
            false,
            false,
            ItemSight::Deleted
        ));
        assert!(!may_see_bookmark(
            Viewer::Guest,
            2,
            false,
            false,
            ItemSight::Deleted
        ));
        // Hidden by an admin: the owner and moderators.
        assert!(may_see_bookmark(
            moderator,
            2,
            false,
            true,
            ItemSight::Shown
        ));
        assert!(!may_see_bookmark(
            Viewer::Guest,
            2,
            false,
            true,
            ItemSight::Shown
        ));
        assert!(may_bookmark(Viewer::Guest, &open).is_err());
        assert!(may_bookmark(member, &open).is_ok());
        assert!(may_bookmark(member, &hidden).is_err());
    }
}
