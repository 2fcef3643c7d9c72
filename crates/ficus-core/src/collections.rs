//! Collections (AO3's): a named group of works people add to, with
//! settings — moderated, closed, unrevealed, anonymous — and maintainers
//! (the owner and moderators). A work is in a collection when both its
//! creator and the collection approve the item: a creator adding their own
//! work approves it, and the collection does at once unless it is
//! moderated (then a maintainer does, or the poster is a maintainer or
//! member); a maintainer adding someone else's work is an invitation the
//! creator accepts or refuses.

use crate::posting::MAX_SUMMARY_CHARS;

/// The longest URL name and title, in characters.
pub const MAX_NAME_CHARS: usize = 255;

/// The longest introduction (rules, FAQ), in characters of text.
pub const MAX_INTRO_CHARS: usize = 10_000;

/// Collections one work may be in (each item is a separate approval).
pub const MAX_COLLECTIONS_PER_WORK: usize = 20;

/// Collections on a listing page.
pub const COLLECTIONS_PER_PAGE: u32 = 20;

/// A participant's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Moderator,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Moderator => "moderator",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Owner, Role::Moderator, Role::Member]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    /// Owners and moderators maintain the collection.
    pub fn maintains(self) -> bool {
        matches!(self, Role::Owner | Role::Moderator)
    }

    /// As AO3 words it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Moderator => "Moderator",
            Role::Member => "Member",
        }
    }
}

/// One side's answer on an item (AO3's approval statuses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    Rejected,
    Unreviewed,
    Approved,
}

impl Approval {
    /// As stored (AO3's −1, 0, 1).
    pub fn code(self) -> i32 {
        match self {
            Approval::Rejected => -1,
            Approval::Unreviewed => 0,
            Approval::Approved => 1,
        }
    }

    pub fn from_code(code: i32) -> Approval {
        match code {
            c if c < 0 => Approval::Rejected,
            0 => Approval::Unreviewed,
            _ => Approval::Approved,
        }
    }
}

/// A collection's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Settings {
    /// Items wait for a maintainer's approval (unless the poster is a
    /// maintainer or member).
    pub moderated: bool,
    /// Only maintainers add works.
    pub closed: bool,
    /// New items' works are hidden ("Mystery Work") until revealed.
    pub unrevealed: bool,
    /// New items' creators are shown as "Anonymous" until revealed.
    pub anonymous: bool,
}

/// Why a collection action was refused, worded for the reader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CollectionRefusal {
    #[error(
        "Collection name must be 1 to {MAX_NAME_CHARS} characters: letters, numbers and underscores only."
    )]
    BadName,
    #[error("Sorry, that collection name is already taken.")]
    NameTaken,
    #[error("Please enter a title.")]
    NoTitle,
    #[error("The title must be at most {MAX_NAME_CHARS} characters long.")]
    TitleTooLong,
    #[error("The description must be at most {MAX_SUMMARY_CHARS} characters long.")]
    DescriptionTooLong,
    #[error("The introduction must be at most {MAX_INTRO_CHARS} characters long.")]
    IntroTooLong,
    #[error("There is no collection named {0:?}.")]
    NoSuchCollection(String),
    #[error("{0} is closed: only its maintainers can add works to it.")]
    Closed(String),
    #[error("This work is already in {0}, or waiting to be.")]
    AlreadyIn(String),
    #[error("A work can be in at most {MAX_COLLECTIONS_PER_WORK} collections.")]
    TooMany,
    #[error("Only the collection's maintainers can do that.")]
    NotMaintainer,
    #[error("Only the work's creators can do that.")]
    NotCreator,
    #[error("There is no such user: {0:?}.")]
    NoSuchUser(String),
    #[error("You cannot do that while your account is suspended or banned.")]
    Suspended,
    /// No such work or item, or not one this viewer may see.
    #[error("There is no such work or collection item, or it is not visible to you.")]
    NotFound,
}

/// A collection's form, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionDraft {
    /// As given (its case kept for display).
    pub name: String,
    pub title: String,
    /// Sanitized HTML (empty: none).
    pub description: String,
    /// Sanitized HTML (empty: none): rules, FAQ.
    pub intro: String,
    pub settings: Settings,
}

/// The form as typed.
#[derive(Debug, Clone, Copy, Default)]
pub struct CollectionForm<'a> {
    pub name: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub intro: &'a str,
    pub settings: Settings,
}

/// The key a name is unique by.
pub fn name_key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// Checks a URL name: 1 to 255 ASCII letters, digits and underscores.
pub fn check_name(raw: &str) -> Result<String, CollectionRefusal> {
    let name = raw.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return Err(CollectionRefusal::BadName);
    }
    Ok(name.to_string())
}

fn text_chars(html: &str) -> usize {
    crate::html::plain_text(html).trim().chars().count()
}

fn formatted(text: &str) -> String {
    if text.trim().is_empty() {
        String::new()
    } else {
        crate::html::format_user_text(text, true)
    }
}

impl CollectionForm<'_> {
    /// Checks the form; the first problem found.
    pub fn check(&self) -> Result<CollectionDraft, CollectionRefusal> {
        let name = check_name(self.name)?;
        let title = crate::text::clean_line(self.title).trim().to_string();
        if title.is_empty() {
            return Err(CollectionRefusal::NoTitle);
        }
        if title.chars().count() > MAX_NAME_CHARS {
            return Err(CollectionRefusal::TitleTooLong);
        }
        if self.description.chars().count() > 4 * MAX_SUMMARY_CHARS
            || text_chars(self.description) > MAX_SUMMARY_CHARS
        {
            return Err(CollectionRefusal::DescriptionTooLong);
        }
        if self.intro.chars().count() > 4 * MAX_INTRO_CHARS
            || text_chars(self.intro) > MAX_INTRO_CHARS
        {
            return Err(CollectionRefusal::IntroTooLong);
        }
        Ok(CollectionDraft {
            name,
            title,
            description: formatted(self.description),
            intro: formatted(self.intro),
            settings: self.settings,
        })
    }
}

/// Who is adding a work to a collection, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Adder {
    /// A creator of the work.
    pub creator: bool,
    /// Their role in the collection, if any.
    pub role: Option<Role>,
}

/// The approvals a new item starts with, or why it may not be made: a
/// closed collection takes works from maintainers only; someone neither
/// creator nor maintainer adds nothing.
pub fn new_item(
    settings: Settings,
    adder: Adder,
    collection_title: &str,
) -> Result<(Approval, Approval), CollectionRefusal> {
    let maintainer = adder.role.is_some_and(Role::maintains);
    if settings.closed && !maintainer {
        return Err(CollectionRefusal::Closed(collection_title.to_string()));
    }
    if !adder.creator && !maintainer {
        return Err(CollectionRefusal::NotCreator);
    }
    let user = if adder.creator {
        Approval::Approved
    } else {
        Approval::Unreviewed
    };
    let collection = if maintainer || adder.role.is_some() || !settings.moderated {
        Approval::Approved
    } else {
        Approval::Unreviewed
    };
    Ok((user, collection))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_forms_are_checked() {
        assert_eq!(
            check_name(" Summer_Fest2026 ").as_deref(),
            Ok("Summer_Fest2026")
        );
        for bad in [
            "",
            "has space",
            "dash-ed",
            "slash/",
            "ünï",
            &"a".repeat(256),
        ] {
            assert_eq!(check_name(bad), Err(CollectionRefusal::BadName), "{bad:?}");
        }
        assert_eq!(name_key("Summer_Fest"), "summer_fest");
        let form = CollectionForm {
            name: "fest",
            title: "A Fest",
            description: "Short.\n\n<script>x</script>",
            ..CollectionForm::default()
        };
        let d = form.check().expect("valid");
        assert!(d.description.starts_with("<p>Short.</p>"));
        assert!(!d.description.contains("script"));
        assert_eq!(
            CollectionForm { title: " ", ..form }.check(),
            Err(CollectionRefusal::NoTitle)
        );
        let long = "x".repeat(MAX_SUMMARY_CHARS + 1);
        assert_eq!(
            CollectionForm {
                description: &long,
                ..form
            }
            .check(),
            Err(CollectionRefusal::DescriptionTooLong)
        );
    }

    #[test]
    fn who_adds_what_and_who_approves() {
        let open = Settings::default();
        let moderated = Settings {
            moderated: true,
            ..open
        };
        let closed = Settings {
            closed: true,
            ..open
        };
        let creator = Adder {
            creator: true,
            role: None,
        };
        let member = Adder {
            creator: true,
            role: Some(Role::Member),
        };
        let maintainer = Adder {
            creator: false,
            role: Some(Role::Moderator),
        };
        let stranger = Adder {
            creator: false,
            role: None,
        };
        use Approval::*;
        assert_eq!(new_item(open, creator, "F"), Ok((Approved, Approved)));
        assert_eq!(
            new_item(moderated, creator, "F"),
            Ok((Approved, Unreviewed))
        );
        assert_eq!(new_item(moderated, member, "F"), Ok((Approved, Approved)));
        assert_eq!(
            new_item(moderated, maintainer, "F"),
            Ok((Unreviewed, Approved)),
            "an invitation"
        );
        assert_eq!(
            new_item(closed, creator, "F"),
            Err(CollectionRefusal::Closed("F".into()))
        );
        assert_eq!(
            new_item(closed, maintainer, "F"),
            Ok((Unreviewed, Approved))
        );
        assert_eq!(
            new_item(open, stranger, "F"),
            Err(CollectionRefusal::NotCreator)
        );
        for a in [Rejected, Unreviewed, Approved] {
            assert_eq!(Approval::from_code(a.code()), a);
        }
        assert!(Role::Owner.maintains() && Role::Moderator.maintains());
        assert!(!Role::Member.maintains());
    }
}
