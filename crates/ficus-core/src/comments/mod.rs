//! Comments: who may comment, reply, edit, delete, freeze, hide and
//! approve, what each viewer sees of a comment, and the checks on the
//! text itself. AO3's rules and wording (see ARCHITECTURE.md for where
//! Ficus differs: spam is held for moderators instead of refused, and
//! comments by accounts you blocked are hidden from you).

use crate::access::{Viewer, WorkAccess};

mod limits;
mod spam;

pub use limits::{CommentLimits, RateLimit};
pub use spam::{SpamCandidate, looks_like_spam, spam_score};

/// Longest comment, in characters (AO3's `COMMENT_MAX`).
pub const MAX_CHARS: usize = 10_000;
/// Replies shown nested below a thread's root before "N more comments in
/// this thread" links to the comment's own page (AO3's
/// `COMMENT_THREAD_MAX_DEPTH`).
pub const DISPLAY_DEPTH: i32 = 5;
/// Threads per page of comments (AO3's `ITEMS_PER_PAGE`).
pub const THREADS_PER_PAGE: u32 = 25;
/// Characters an edit may change before an approved comment in a
/// moderated work goes back to review (AO3's
/// `COMMENT_MODERATION_THRESHOLD`).
pub const MODERATION_EDIT_THRESHOLD: usize = 10;
/// Longest guest name, in characters.
pub const MAX_GUEST_NAME_CHARS: usize = 100;
/// Longest guest e-mail address, in characters.
pub const MAX_GUEST_EMAIL_CHARS: usize = 254;

/// "Who can comment on this work" (AO3's `comment_permissions`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
pub enum CommentPermission {
    /// Registered users and guests.
    #[serde(rename = "enable_all")]
    Everyone,
    /// Only registered users (AO3's default since 2024).
    #[default]
    #[serde(rename = "disable_anon")]
    RegisteredOnly,
    /// No one.
    #[serde(rename = "disable_all")]
    NoOne,
}

impl CommentPermission {
    /// Every choice, in the order the posting form offers them.
    pub const ALL: [CommentPermission; 3] = [
        CommentPermission::Everyone,
        CommentPermission::RegisteredOnly,
        CommentPermission::NoOne,
    ];

    /// The stored and form value (AO3's enum names).
    pub fn as_str(self) -> &'static str {
        match self {
            CommentPermission::Everyone => "enable_all",
            CommentPermission::RegisteredOnly => "disable_anon",
            CommentPermission::NoOne => "disable_all",
        }
    }

    /// Reads a stored or form value.
    pub fn parse(value: &str) -> Option<CommentPermission> {
        Self::ALL.into_iter().find(|p| p.as_str() == value)
    }

    /// The posting form's label (AO3's wording).
    pub fn label(self) -> &'static str {
        match self {
            CommentPermission::Everyone => "Registered users and guests can comment",
            CommentPermission::RegisteredOnly => "Only registered users can comment",
            CommentPermission::NoOne => "No one can comment",
        }
    }
}

/// A work's comment settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct CommentSettings {
    pub permission: CommentPermission,
    /// New comments by others wait for a creator's approval.
    pub moderated: bool,
}

/// A comment's state flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommentState {
    /// Waiting for a creator's approval (moderated works).
    pub unreviewed: bool,
    /// Hidden by a moderator.
    pub hidden: bool,
    /// Deleted while it had replies: kept as "(Previous comment deleted.)".
    pub deleted: bool,
    /// No replies and no edits (it and everything below it).
    pub frozen: bool,
    /// Held as spam until a moderator releases or deletes it.
    pub spam: bool,
}

impl CommentState {
    /// Whether the comment counts in "Comments (N)": visible to every
    /// reader of the work.
    pub fn counts(&self) -> bool {
        !(self.unreviewed || self.hidden || self.deleted || self.spam)
    }

    /// Whether it may get replies.
    pub fn open_for_replies(&self) -> bool {
        self.counts() && !self.frozen
    }
}

/// Why a comment action was refused. The texts are AO3's where AO3 has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommentRefusal {
    #[error("Brevity is the soul of wit, but we need your comment to have text in it.")]
    Empty,
    #[error("Comment must be less than {MAX_CHARS} characters long. (It is {0}.)")]
    TooLong(usize),
    #[error(
        "You've already left this comment here. (It may not appear right away for performance reasons.)"
    )]
    Duplicate,
    #[error("Please enter your name.")]
    GuestNameMissing,
    #[error("Your name must be at most {MAX_GUEST_NAME_CHARS} characters long.")]
    GuestNameTooLong,
    #[error("Please enter a valid email address.")]
    GuestEmailInvalid,
    #[error("Sorry, this work doesn't allow comments.")]
    NoComments,
    #[error("Sorry, this work doesn't allow non-Archive users to comment.")]
    RegisteredOnly,
    #[error("Sorry, the Archive doesn't allow guests to comment right now.")]
    GuestCommentsOff,
    #[error("Sorry, you can't comment on a draft.")]
    Draft,
    #[error("Sorry, you can't add or edit comments on a hidden work.")]
    HiddenWork,
    #[error("Sorry, you have been blocked by one or more of this work's creators.")]
    BlockedByCreator,
    #[error("Sorry, you have been blocked by that user.")]
    BlockedByParent,
    #[error("Sorry, this user doesn't allow non-Archive users to reply to their comments.")]
    GuestRepliesOff,
    #[error("Please log in to comment on a work for registered users only.")]
    LogInFirst,
    #[error("This comment thread is frozen: it takes no replies or edits.")]
    Frozen,
    #[error("Sorry, you cannot reply to an unapproved comment.")]
    ReplyToUnreviewed,
    #[error("Sorry, you cannot reply to a hidden or deleted comment.")]
    ReplyToUnavailable,
    #[error("Comments with replies cannot be edited.")]
    HasReplies,
    #[error("Sorry, you don't have permission to do that.")]
    NotAllowed,
    #[error(
        "You have made too many comments in a short time. Please wait {0} seconds and try again."
    )]
    RateLimited(u64),
    #[error("Sorry, your account is suspended or banned: you can read, but not comment.")]
    Suspended,
    /// No such comment or work, or not one this viewer may see.
    #[error("There is no such comment.")]
    NotFound,
}

/// Who is writing a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Commenter {
    Account {
        viewer: Viewer,
        user_id: i64,
        /// The pseud it is posted under (checked to be the account's).
        pseud_id: i64,
    },
    Guest {
        name: String,
        email: String,
    },
}

impl Commenter {
    /// The viewer behind the comment.
    pub fn viewer(&self) -> Viewer {
        match self {
            Commenter::Account { viewer, .. } => *viewer,
            Commenter::Guest { .. } => Viewer::Guest,
        }
    }

    /// The account, if any.
    pub fn user_id(&self) -> Option<i64> {
        match self {
            Commenter::Account { user_id, .. } => Some(*user_id),
            Commenter::Guest { .. } => None,
        }
    }
}

/// Checks a comment's text as typed: not empty (once markup is gone), at
/// most [`MAX_CHARS`].
pub fn check_text(text: &str) -> Result<(), CommentRefusal> {
    let n = text.chars().count();
    if n > MAX_CHARS {
        return Err(CommentRefusal::TooLong(n));
    }
    if crate::html::plain_text(text).trim().is_empty() {
        return Err(CommentRefusal::Empty);
    }
    Ok(())
}

/// Checks a guest's name and e-mail, returning them trimmed.
pub fn check_guest(name: &str, email: &str) -> Result<(String, String), CommentRefusal> {
    let name = crate::text::clean_line(name.trim()).into_owned();
    if name.is_empty() {
        return Err(CommentRefusal::GuestNameMissing);
    }
    if name.chars().count() > MAX_GUEST_NAME_CHARS {
        return Err(CommentRefusal::GuestNameTooLong);
    }
    let email =
        crate::account::parse_email(email).map_err(|_| CommentRefusal::GuestEmailInvalid)?;
    if email.chars().count() > MAX_GUEST_EMAIL_CHARS {
        return Err(CommentRefusal::GuestEmailInvalid);
    }
    Ok((name, email))
}

/// A comment's text as typed → the HTML stored: text without paragraph
/// markup gets paragraphs at blank lines and line breaks at single ones
/// (as AO3 formats comments), then everything goes through the comment
/// sanitizer (no `class`; a guest's images become links).
pub fn format_body(text: &str, guest: bool) -> String {
    crate::html::format_user_text(text, guest)
}

/// What a new comment or reply depends on, besides its text.
#[derive(Debug, Clone, Copy)]
pub struct CommentContext<'a> {
    pub work: WorkAccess<'a>,
    pub settings: CommentSettings,
    /// The archive-wide switch that turns guest comments off.
    pub guest_comments_off: bool,
    /// The commenter is blocked by one of the work's creators.
    pub blocked_by_creator: bool,
}

/// Whether `who` may comment on the work at all (before the parent
/// comment, the text and the rate limits are looked at).
pub fn may_comment(who: Viewer, cx: &CommentContext<'_>) -> Result<(), CommentRefusal> {
    let work = &cx.work;
    if who.must_log_in(work) {
        return Err(CommentRefusal::LogInFirst);
    }
    if !who.may_see(work) {
        return Err(CommentRefusal::NotFound);
    }
    if !work.posted {
        return Err(CommentRefusal::Draft);
    }
    if work.hidden {
        return Err(CommentRefusal::HiddenWork);
    }
    if who.owns(work) {
        // Creators may always comment on their own works.
        return Ok(());
    }
    if cx.blocked_by_creator {
        return Err(CommentRefusal::BlockedByCreator);
    }
    match (cx.settings.permission, who.is_member()) {
        (CommentPermission::NoOne, _) => Err(CommentRefusal::NoComments),
        (CommentPermission::RegisteredOnly, false) => Err(CommentRefusal::RegisteredOnly),
        (_, false) if cx.guest_comments_off => Err(CommentRefusal::GuestCommentsOff),
        _ => Ok(()),
    }
}

/// Whether a new comment by `who` waits for approval.
pub fn starts_unreviewed(who: Viewer, cx: &CommentContext<'_>) -> bool {
    cx.settings.moderated && !who.owns(&cx.work)
}

/// What the parent comment of a reply must allow.
#[derive(Debug, Clone, Copy)]
pub struct ParentFacts {
    pub state: CommentState,
    /// The parent's author has blocked the replier.
    pub author_blocked_replier: bool,
    /// The parent's author refuses guest replies (their preference), and
    /// is not a creator of the work (the preference does not apply there).
    pub author_refuses_guests: bool,
}

/// Whether `who` may reply to a comment with `parent`.
pub fn may_reply(who: Viewer, parent: &ParentFacts) -> Result<(), CommentRefusal> {
    let s = parent.state;
    if s.frozen {
        return Err(CommentRefusal::Frozen);
    }
    if s.unreviewed {
        return Err(CommentRefusal::ReplyToUnreviewed);
    }
    if !s.counts() {
        return Err(CommentRefusal::ReplyToUnavailable);
    }
    if parent.author_blocked_replier {
        return Err(CommentRefusal::BlockedByParent);
    }
    if !who.is_member() && parent.author_refuses_guests {
        return Err(CommentRefusal::GuestRepliesOff);
    }
    Ok(())
}

/// A comment as the permission rules see it.
#[derive(Debug, Clone, Copy)]
pub struct CommentFacts<'a> {
    pub work: WorkAccess<'a>,
    /// The writing account (`None` for guests and deleted accounts).
    pub author: Option<i64>,
    pub state: CommentState,
    pub has_replies: bool,
}

impl CommentFacts<'_> {
    fn by(&self, who: Viewer) -> bool {
        self.author.is_some() && self.author == who.user_id()
    }

    /// What `who` sees of this comment, given they may see the work.
    pub fn sight(&self, who: Viewer) -> Sight {
        let s = self.state;
        let privileged = who.moderates() || who == Viewer::System;
        if s.spam {
            return if privileged {
                Sight::Full
            } else {
                Sight::Nothing
            };
        }
        if s.deleted {
            return Sight::Deleted;
        }
        if s.hidden {
            return if privileged || self.by(who) {
                Sight::Full
            } else {
                Sight::HiddenMessage
            };
        }
        if s.unreviewed && !(privileged || self.by(who) || who.owns(&self.work)) {
            return Sight::Nothing;
        }
        Sight::Full
    }

    /// Whether `who` may edit it: its own author, while it has no replies
    /// and is not frozen, deleted or on a hidden work.
    pub fn may_edit(&self, who: Viewer) -> Result<(), CommentRefusal> {
        // A comment hidden by a moderator stays as it was (it is under
        // review): its author may not rewrite it meanwhile.
        if !self.by(who) || self.state.deleted || self.state.spam || self.state.hidden {
            return Err(CommentRefusal::NotAllowed);
        }
        if self.work.hidden {
            return Err(CommentRefusal::HiddenWork);
        }
        if self.state.frozen {
            return Err(CommentRefusal::Frozen);
        }
        if self.has_replies {
            return Err(CommentRefusal::HasReplies);
        }
        Ok(())
    }

    /// Whether `who` may delete it: its author, a creator of the work, a
    /// moderator.
    pub fn may_delete(&self, who: Viewer) -> bool {
        !self.state.deleted && (self.by(who) || who.owns(&self.work) || who.moderates())
    }

    /// Whether `who` may freeze or unfreeze its thread: a creator of the
    /// work or a moderator.
    pub fn may_freeze(&self, who: Viewer) -> bool {
        !self.state.deleted && (who.owns(&self.work) || who.moderates())
    }

    /// Whether `who` may approve it: a creator or a moderator, while it is
    /// unreviewed.
    pub fn may_approve(&self, who: Viewer) -> bool {
        self.state.unreviewed && !self.state.spam && (who.owns(&self.work) || who.moderates())
    }

    /// Whether `who` may mark it as spam: moderators always; creators a
    /// guest's comment on their work (as on AO3). Never one with replies:
    /// spam leaves the page with everything below it, and the replies are
    /// other people's (a moderator hides such a comment instead).
    pub fn may_mark_spam(&self, who: Viewer) -> bool {
        !self.state.spam
            && !self.state.deleted
            && !self.has_replies
            && (who.moderates() || (self.author.is_none() && who.owns(&self.work)))
    }
}

/// What a viewer sees of one comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    /// The comment itself (with notices for its state).
    Full,
    /// "(This comment is under review by an admin and is currently
    /// unavailable.)": replies below it still show.
    HiddenMessage,
    /// "(Previous comment deleted.)": replies below it still show.
    Deleted,
    /// Not shown at all (nor anything below it).
    Nothing,
}

/// Characters an edit changed: the length of the differing middle once the
/// common beginning and end are set aside (a cheap, linear measure, close
/// to an edit distance for the usual small edit; used against
/// [`MODERATION_EDIT_THRESHOLD`]).
pub fn chars_changed(old: &str, new: &str) -> usize {
    let a: Vec<char> = old.chars().collect();
    let b: Vec<char> = new.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let rest_a = &a[prefix..];
    let rest_b = &b[prefix..];
    let suffix = rest_a
        .iter()
        .rev()
        .zip(rest_b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (rest_a.len() - suffix).max(rest_b.len() - suffix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::Role;

    fn user(id: i64) -> Viewer {
        Viewer::User {
            id,
            role: Role::User,
        }
    }

    fn cx<'a>(owners: &'a [i64], permission: CommentPermission) -> CommentContext<'a> {
        CommentContext {
            work: WorkAccess {
                posted: true,
                restricted: false,
                hidden: false,
                unrevealed: false,
                owners,
            },
            settings: CommentSettings {
                permission,
                moderated: false,
            },
            guest_comments_off: false,
            blocked_by_creator: false,
        }
    }

    #[test]
    fn who_may_comment() {
        let owners = [1];
        let everyone = cx(&owners, CommentPermission::Everyone);
        assert_eq!(may_comment(Viewer::Guest, &everyone), Ok(()));
        assert_eq!(may_comment(user(2), &everyone), Ok(()));
        let registered = cx(&owners, CommentPermission::RegisteredOnly);
        assert_eq!(
            may_comment(Viewer::Guest, &registered),
            Err(CommentRefusal::RegisteredOnly)
        );
        assert_eq!(may_comment(user(2), &registered), Ok(()));
        let none = cx(&owners, CommentPermission::NoOne);
        assert_eq!(may_comment(user(2), &none), Err(CommentRefusal::NoComments));
        assert_eq!(may_comment(user(1), &none), Ok(()), "creators may");
        let off = CommentContext {
            guest_comments_off: true,
            ..everyone
        };
        assert_eq!(
            may_comment(Viewer::Guest, &off),
            Err(CommentRefusal::GuestCommentsOff)
        );
        let blocked = CommentContext {
            blocked_by_creator: true,
            ..everyone
        };
        assert_eq!(
            may_comment(user(2), &blocked),
            Err(CommentRefusal::BlockedByCreator)
        );
        let mut restricted = everyone;
        restricted.work.restricted = true;
        assert_eq!(
            may_comment(Viewer::Guest, &restricted),
            Err(CommentRefusal::LogInFirst)
        );
        let mut draft = everyone;
        draft.work.posted = false;
        assert_eq!(may_comment(user(2), &draft), Err(CommentRefusal::NotFound));
        assert_eq!(may_comment(user(1), &draft), Err(CommentRefusal::Draft));
        assert_eq!(CommentPermission::default().as_str(), "disable_anon");
    }

    #[test]
    fn what_each_viewer_sees() {
        let owners = [1];
        let work = cx(&owners, CommentPermission::Everyone).work;
        let facts = |state: CommentState| CommentFacts {
            work,
            author: Some(2),
            state,
            has_replies: false,
        };
        let moderator = Viewer::User {
            id: 9,
            role: Role::Moderator,
        };
        let unreviewed = facts(CommentState {
            unreviewed: true,
            ..Default::default()
        });
        assert_eq!(unreviewed.sight(user(2)), Sight::Full, "its author");
        assert_eq!(unreviewed.sight(user(1)), Sight::Full, "the creator");
        assert_eq!(unreviewed.sight(user(3)), Sight::Nothing);
        assert_eq!(unreviewed.sight(Viewer::Guest), Sight::Nothing);
        let hidden = facts(CommentState {
            hidden: true,
            ..Default::default()
        });
        assert_eq!(hidden.sight(user(3)), Sight::HiddenMessage);
        assert_eq!(hidden.sight(user(1)), Sight::HiddenMessage);
        assert_eq!(hidden.sight(user(2)), Sight::Full);
        assert_eq!(hidden.sight(moderator), Sight::Full);
        let spam = facts(CommentState {
            spam: true,
            ..Default::default()
        });
        assert_eq!(spam.sight(user(2)), Sight::Nothing);
        assert_eq!(spam.sight(moderator), Sight::Full);
        let deleted = facts(CommentState {
            deleted: true,
            ..Default::default()
        });
        assert_eq!(deleted.sight(moderator), Sight::Deleted);
    }

    #[test]
    fn edits_deletes_and_freezes() {
        let owners = [1];
        let work = cx(&owners, CommentPermission::Everyone).work;
        let plain = CommentFacts {
            work,
            author: Some(2),
            state: CommentState::default(),
            has_replies: false,
        };
        assert_eq!(plain.may_edit(user(2)), Ok(()));
        assert_eq!(plain.may_edit(user(1)), Err(CommentRefusal::NotAllowed));
        let replied = CommentFacts {
            has_replies: true,
            ..plain
        };
        assert_eq!(replied.may_edit(user(2)), Err(CommentRefusal::HasReplies));
        let frozen = CommentFacts {
            state: CommentState {
                frozen: true,
                ..Default::default()
            },
            ..plain
        };
        assert_eq!(frozen.may_edit(user(2)), Err(CommentRefusal::Frozen));
        assert!(plain.may_delete(user(2)) && plain.may_delete(user(1)));
        assert!(!plain.may_delete(user(3)) && !plain.may_delete(Viewer::Guest));
        assert!(plain.may_freeze(user(1)) && !plain.may_freeze(user(2)));
        assert!(!plain.may_mark_spam(user(1)), "a registered user's comment");
        let guest = CommentFacts {
            author: None,
            ..plain
        };
        assert!(guest.may_mark_spam(user(1)));
        assert_eq!(
            guest.may_edit(Viewer::Guest),
            Err(CommentRefusal::NotAllowed)
        );
    }

    #[test]
    fn replies_respect_the_parent() {
        let open = ParentFacts {
            state: CommentState::default(),
            author_blocked_replier: false,
            author_refuses_guests: true,
        };
        assert_eq!(may_reply(user(3), &open), Ok(()));
        assert_eq!(
            may_reply(Viewer::Guest, &open),
            Err(CommentRefusal::GuestRepliesOff)
        );
        let blocked = ParentFacts {
            author_blocked_replier: true,
            ..open
        };
        assert_eq!(
            may_reply(user(3), &blocked),
            Err(CommentRefusal::BlockedByParent)
        );
        let unreviewed = ParentFacts {
            state: CommentState {
                unreviewed: true,
                ..Default::default()
            },
            ..open
        };
        assert_eq!(
            may_reply(user(3), &unreviewed),
            Err(CommentRefusal::ReplyToUnreviewed)
        );
    }

    #[test]
    fn bodies_get_paragraphs_and_are_sanitized() {
        assert_eq!(
            format_body("Hello\nthere\n\n<em>Bye</em>", false),
            "<p>Hello<br>there</p>\n<p><em>Bye</em></p>"
        );
        assert_eq!(
            format_body("<p class=\"x\">Kept</p><script>no</script>", false),
            "<p>Kept</p>"
        );
        assert!(
            format_body("<img src=\"https://i.example/a.png\" alt=\"a\">", true).contains("<a ")
        );
    }

    #[test]
    fn text_checks() {
        assert_eq!(check_text("  <p> </p> "), Err(CommentRefusal::Empty));
        assert_eq!(check_text("Loved it"), Ok(()));
        let long = "a".repeat(MAX_CHARS + 1);
        assert_eq!(
            check_text(&long),
            Err(CommentRefusal::TooLong(MAX_CHARS + 1))
        );
        assert_eq!(check_text(&"a".repeat(MAX_CHARS)), Ok(()));
        assert_eq!(
            check_guest(" Reader ", "r@example.org"),
            Ok(("Reader".into(), "r@example.org".into()))
        );
        assert_eq!(
            check_guest("", "r@example.org"),
            Err(CommentRefusal::GuestNameMissing)
        );
        assert_eq!(
            check_guest("R", "not an address"),
            Err(CommentRefusal::GuestEmailInvalid)
        );
    }

    #[test]
    fn changed_characters() {
        assert_eq!(chars_changed("hello world", "hello world"), 0);
        assert_eq!(chars_changed("hello world", "hello brave world"), 6);
        assert_eq!(chars_changed("abc", ""), 3);
        assert_eq!(chars_changed("typo teh end", "typo the end"), 2);
    }
}
