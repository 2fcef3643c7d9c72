//! A gift exchange's settings and sign-ups as forms check them: how many
//! requests and offers a sign-up holds, when sign-ups are open, what a
//! match needs; each prompt's tags by kind (names here; the store resolves
//! them to the archive's tags). Refusals are worded for the participant.

use chrono::NaiveDateTime;

use super::MatchRules;
use crate::posting::split_tags;

/// Prompts of one kind a sign-up may hold at most (AO3's PROMPTS_MAX).
pub const MAX_PROMPTS: u32 = 10;

/// Tags of each kind one prompt may name at most (AO3's PROMPT_TAGS_MAX).
pub const MAX_PROMPT_TAGS: usize = 20;

/// The longest prompt description, in characters.
pub const MAX_PROMPT_DESCRIPTION_CHARS: usize = 2_000;

/// The longest sign-up instructions, in characters of text.
pub const MAX_INSTRUCTIONS_CHARS: usize = 10_000;

/// A gift exchange's settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ExchangeSettings {
    /// The maintainers' switch: sign-ups are taken (within the dates).
    pub signup_open: bool,
    pub signups_open_at: Option<NaiveDateTime>,
    pub signups_close_at: Option<NaiveDateTime>,
    pub assignments_due_at: Option<NaiveDateTime>,
    /// When the collection reveals its works and creators by itself.
    pub reveal_at: Option<NaiveDateTime>,
    pub requests_required: u32,
    pub requests_allowed: u32,
    pub offers_required: u32,
    pub offers_allowed: u32,
    /// What a giver's offer and a recipient's request must share.
    pub rules: MatchRules,
    /// Sanitized HTML (empty: none).
    pub instructions: String,
}

impl Default for ExchangeSettings {
    /// One request and one offer, sharing a fandom (AO3's defaults).
    fn default() -> Self {
        ExchangeSettings {
            signup_open: false,
            signups_open_at: None,
            signups_close_at: None,
            assignments_due_at: None,
            reveal_at: None,
            requests_required: 1,
            requests_allowed: 1,
            offers_required: 1,
            offers_allowed: 1,
            rules: MatchRules::default(),
            instructions: String::new(),
        }
    }
}

impl ExchangeSettings {
    /// Whether a sign-up made or changed at `now` is taken.
    pub fn signups_open(&self, now: NaiveDateTime) -> bool {
        self.signup_open
            && self.signups_open_at.is_none_or(|t| t <= now)
            && self.signups_close_at.is_none_or(|t| now < t)
    }
}

/// Why an exchange action was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeRefusal {
    #[error("This collection is not a gift exchange.")]
    NotAnExchange,
    #[error("Sign-ups are closed.")]
    SignupsClosed,
    #[error("Sign-ups must be closed before matching.")]
    SignupsStillOpen,
    #[error("You have already signed up for this challenge.")]
    AlreadySignedUp,
    #[error("{}", prompt_count(*.0, *.1, .2))]
    PromptCount(u32, u32, &'static str),
    #[error("{0} {1}: please name at least {2} {3}.")]
    TooFewTags(&'static str, usize, u32, &'static str),
    #[error("{0} {1}: at most {MAX_PROMPT_TAGS} {2} per prompt.")]
    TooManyTags(&'static str, usize, &'static str),
    #[error("{0} {1}: the description must be at most {MAX_PROMPT_DESCRIPTION_CHARS} characters.")]
    DescriptionTooLong(&'static str, usize),
    #[error("There is no {0} tag named {1:?} on the archive.")]
    NoSuchTag(&'static str, String),
    #[error(
        "Required counts must be between 0 and the allowed count; allowed counts between 1 and {MAX_PROMPTS}."
    )]
    BadCounts,
    #[error("Sign-ups must close after they open.")]
    BadDates,
    #[error("The reveal date must be in the future.")]
    RevealInPast,
    #[error("A match can ask for at most {MAX_PROMPT_TAGS} shared tags of a kind.")]
    BadMatchRules,
    #[error("{0:?} is not a date and time (use YYYY-MM-DD HH:MM, in UTC).")]
    BadDate(String),
    #[error("The instructions must be at most {MAX_INSTRUCTIONS_CHARS} characters long.")]
    InstructionsTooLong,
    #[error("Assignments have been sent out: sign-ups and matches can no longer change.")]
    AlreadySent,
    #[error("There are no matches to send: run matching first.")]
    NotMatched,
    #[error("There are no sign-ups to match.")]
    NoSignups,
    #[error("This assignment is already fulfilled by a work.")]
    AlreadyFulfilled,
    #[error("A participant cannot write their own gift.")]
    OwnGift,
    #[error("Only the assignment's writer can do that.")]
    NotYourAssignment,
    #[error("Only the collection's maintainers can do that.")]
    NotMaintainer,
    #[error("There is no such user: {0:?}.")]
    NoSuchUser(String),
    #[error("You cannot do that while your account is suspended or banned.")]
    Suspended,
    /// No such sign-up or assignment, or not one this viewer may see.
    #[error("There is no such sign-up or assignment, or it is not visible to you.")]
    NotFound,
}

/// How many prompts of a kind a sign-up needs, in words.
fn prompt_count(required: u32, allowed: u32, what: &str) -> String {
    if required == allowed {
        let what = if required == 1 {
            what.trim_end_matches('s')
        } else {
            what
        };
        format!("Please give exactly {required} {what}.")
    } else {
        format!("Please give between {required} and {allowed} {what}.")
    }
}

/// The exchange settings' form as typed: dates as `YYYY-MM-DD HH:MM`
/// (UTC), empty for none.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExchangeForm<'a> {
    pub signup_open: bool,
    pub signups_open_at: &'a str,
    pub signups_close_at: &'a str,
    pub assignments_due_at: &'a str,
    pub reveal_at: &'a str,
    pub requests_required: &'a str,
    pub requests_allowed: &'a str,
    pub offers_required: &'a str,
    pub offers_allowed: &'a str,
    pub match_fandoms: &'a str,
    pub match_characters: &'a str,
    pub match_relationships: &'a str,
    pub match_freeforms: &'a str,
    pub instructions: &'a str,
}

/// A date and time as forms take it (`YYYY-MM-DD HH:MM`, a `T` or a
/// plain date too), empty for none.
pub fn parse_when(raw: &str) -> Result<Option<NaiveDateTime>, ExchangeRefusal> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Ok(Some(t));
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0));
    }
    Err(ExchangeRefusal::BadDate(s.chars().take(40).collect()))
}

/// A date and time as forms show it.
pub fn show_when(t: Option<NaiveDateTime>) -> String {
    t.map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn count(raw: &str, default: u32) -> Result<u32, ExchangeRefusal> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(default);
    }
    s.parse::<u32>().map_err(|_| ExchangeRefusal::BadCounts)
}

impl ExchangeForm<'_> {
    /// Checks the form; the first problem found.
    pub fn check(&self) -> Result<ExchangeSettings, ExchangeRefusal> {
        let requests_required = count(self.requests_required, 1)?;
        let requests_allowed = count(self.requests_allowed, requests_required.max(1))?;
        let offers_required = count(self.offers_required, 1)?;
        let offers_allowed = count(self.offers_allowed, offers_required.max(1))?;
        for (required, allowed) in [
            (requests_required, requests_allowed),
            (offers_required, offers_allowed),
        ] {
            if allowed == 0 || allowed > MAX_PROMPTS || required > allowed {
                return Err(ExchangeRefusal::BadCounts);
            }
        }
        let minimum = |raw: &str, default: u32| -> Result<u32, ExchangeRefusal> {
            let n = count(raw, default)?;
            if n as usize > MAX_PROMPT_TAGS {
                return Err(ExchangeRefusal::BadMatchRules);
            }
            Ok(n)
        };
        let rules = MatchRules {
            fandoms: minimum(self.match_fandoms, 1)?,
            characters: minimum(self.match_characters, 0)?,
            relationships: minimum(self.match_relationships, 0)?,
            freeforms: minimum(self.match_freeforms, 0)?,
        };
        let signups_open_at = parse_when(self.signups_open_at)?;
        let signups_close_at = parse_when(self.signups_close_at)?;
        if let (Some(open), Some(close)) = (signups_open_at, signups_close_at)
            && close <= open
        {
            return Err(ExchangeRefusal::BadDates);
        }
        if self.instructions.chars().count() > 4 * MAX_INSTRUCTIONS_CHARS
            || crate::html::plain_text(self.instructions)
                .trim()
                .chars()
                .count()
                > MAX_INSTRUCTIONS_CHARS
        {
            return Err(ExchangeRefusal::InstructionsTooLong);
        }
        Ok(ExchangeSettings {
            signup_open: self.signup_open,
            signups_open_at,
            signups_close_at,
            assignments_due_at: parse_when(self.assignments_due_at)?,
            reveal_at: parse_when(self.reveal_at)?,
            requests_required,
            requests_allowed,
            offers_required,
            offers_allowed,
            rules,
            instructions: if self.instructions.trim().is_empty() {
                String::new()
            } else {
                crate::html::format_user_text(self.instructions, true)
            },
        })
    }
}

/// Whether a prompt asks for something (a request) or offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptKind {
    Request,
    Offer,
}

impl PromptKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PromptKind::Request => "request",
            PromptKind::Offer => "offer",
        }
    }

    pub fn parse(s: &str) -> Option<PromptKind> {
        match s {
            "request" => Some(PromptKind::Request),
            "offer" => Some(PromptKind::Offer),
            _ => None,
        }
    }

    /// As headings name it.
    pub fn label(self) -> &'static str {
        match self {
            PromptKind::Request => "Request",
            PromptKind::Offer => "Offer",
        }
    }
}

/// One prompt of a sign-up form as typed: comma-separated tag names of
/// each kind, and a free description.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptForm {
    pub fandoms: String,
    pub characters: String,
    pub relationships: String,
    pub freeforms: String,
    pub description: String,
}

impl PromptForm {
    /// Whether nothing was typed (an unused row of the form).
    pub fn is_blank(&self) -> bool {
        [
            &self.fandoms,
            &self.characters,
            &self.relationships,
            &self.freeforms,
            &self.description,
        ]
        .iter()
        .all(|s| s.trim().is_empty())
    }
}

/// One prompt, checked: tag names by kind (no repeats, by case), and its
/// description as sanitized HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PromptDraft {
    pub fandoms: Vec<String>,
    pub characters: Vec<String>,
    pub relationships: Vec<String>,
    pub freeforms: Vec<String>,
    pub description: String,
}

/// A sign-up, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignupDraft {
    pub requests: Vec<PromptDraft>,
    pub offers: Vec<PromptDraft>,
}

fn names(raw: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in split_tags(raw) {
        let name = crate::text::clean_line(name).trim().to_string();
        if !name.is_empty() && !out.iter().any(|n| n.to_lowercase() == name.to_lowercase()) {
            out.push(name);
        }
    }
    out
}

fn check_prompt(
    form: &PromptForm,
    kind: PromptKind,
    number: usize,
    rules: &MatchRules,
) -> Result<PromptDraft, ExchangeRefusal> {
    let label = kind.label();
    let draft = PromptDraft {
        fandoms: names(&form.fandoms),
        characters: names(&form.characters),
        relationships: names(&form.relationships),
        freeforms: names(&form.freeforms),
        description: if form.description.trim().is_empty() {
            String::new()
        } else {
            crate::html::format_user_text(&form.description, true)
        },
    };
    for (list, needed, what) in [
        (&draft.fandoms, rules.fandoms, "fandoms"),
        (&draft.characters, rules.characters, "characters"),
        (&draft.relationships, rules.relationships, "relationships"),
        (&draft.freeforms, rules.freeforms, "additional tags"),
    ] {
        if list.len() > MAX_PROMPT_TAGS {
            return Err(ExchangeRefusal::TooManyTags(label, number, what));
        }
        // A prompt with fewer tags than a match needs could never match.
        if (list.len() as u32) < needed {
            return Err(ExchangeRefusal::TooFewTags(label, number, needed, what));
        }
    }
    if crate::html::plain_text(&draft.description)
        .trim()
        .chars()
        .count()
        > MAX_PROMPT_DESCRIPTION_CHARS
        || form.description.chars().count() > 4 * MAX_PROMPT_DESCRIPTION_CHARS
    {
        return Err(ExchangeRefusal::DescriptionTooLong(label, number));
    }
    Ok(draft)
}

/// Checks a sign-up form against the exchange's settings: blank rows are
/// dropped, the count of each kind must be within the settings, and each
/// prompt must name enough tags of each kind to be matched at all.
pub fn check_signup(
    settings: &ExchangeSettings,
    requests: &[PromptForm],
    offers: &[PromptForm],
) -> Result<SignupDraft, ExchangeRefusal> {
    let mut out = SignupDraft::default();
    for (forms, kind, required, allowed, what, into) in [
        (
            requests,
            PromptKind::Request,
            settings.requests_required,
            settings.requests_allowed,
            "requests",
            &mut out.requests,
        ),
        (
            offers,
            PromptKind::Offer,
            settings.offers_required,
            settings.offers_allowed,
            "offers",
            &mut out.offers,
        ),
    ] {
        let filled: Vec<&PromptForm> = forms.iter().filter(|f| !f.is_blank()).collect();
        if (filled.len() as u32) < required || filled.len() as u32 > allowed {
            return Err(ExchangeRefusal::PromptCount(required, allowed, what));
        }
        for (i, form) in filled.into_iter().enumerate() {
            into.push(check_prompt(form, kind, i + 1, &settings.rules)?);
        }
    }
    Ok(out)
}

/// Where an assignment stands (AO3's status groups).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentStatus {
    /// Someone is writing it.
    Open,
    /// A posted work fulfils it.
    Complete,
    /// The giver defaulted (or no giver was matched) and no pinch hitter
    /// covers it yet.
    Defaulted,
    /// A pinch hitter covers it.
    PinchHit,
}

impl AssignmentStatus {
    /// From what is stored: a posted work fulfils; a pinch hitter covers;
    /// a default (or no giver) leaves it for one.
    pub fn of(fulfilled: bool, has_giver: bool, defaulted: bool, pinch_hitter: bool) -> Self {
        if fulfilled {
            AssignmentStatus::Complete
        } else if pinch_hitter {
            AssignmentStatus::PinchHit
        } else if defaulted || !has_giver {
            AssignmentStatus::Defaulted
        } else {
            AssignmentStatus::Open
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AssignmentStatus::Open => "open",
            AssignmentStatus::Complete => "complete",
            AssignmentStatus::Defaulted => "defaulted",
            AssignmentStatus::PinchHit => "pinch_hit",
        }
    }

    pub fn parse(s: &str) -> Option<AssignmentStatus> {
        [
            AssignmentStatus::Open,
            AssignmentStatus::Complete,
            AssignmentStatus::Defaulted,
            AssignmentStatus::PinchHit,
        ]
        .into_iter()
        .find(|a| a.as_str() == s)
    }

    /// As AO3's assignment tabs name it.
    pub fn label(self) -> &'static str {
        match self {
            AssignmentStatus::Open => "Open",
            AssignmentStatus::Complete => "Complete",
            AssignmentStatus::Defaulted => "Defaulted",
            AssignmentStatus::PinchHit => "Pinch Hits",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        parse_when(s).expect("date").expect("some")
    }

    #[test]
    fn settings_form_is_checked() {
        let form = ExchangeForm {
            signup_open: true,
            signups_open_at: "2026-12-01 10:00",
            signups_close_at: "2026-12-10",
            requests_required: "1",
            requests_allowed: "3",
            offers_required: "2",
            offers_allowed: "2",
            match_characters: "1",
            instructions: "Be kind.\n\n<script>x</script>",
            ..ExchangeForm::default()
        };
        let s = form.check().expect("valid");
        assert_eq!((s.requests_required, s.requests_allowed), (1, 3));
        assert_eq!((s.offers_required, s.offers_allowed), (2, 2));
        assert_eq!(s.rules.fandoms, 1, "the default minimum");
        assert_eq!(s.rules.characters, 1);
        assert!(!s.instructions.contains("script"));
        assert!(!s.signups_open(at("2026-12-01 09:59")));
        assert!(s.signups_open(at("2026-12-01 10:00")));
        assert!(
            !s.signups_open(at("2026-12-10 00:00")),
            "closes at midnight"
        );
        assert!(
            !ExchangeSettings {
                signup_open: false,
                ..s.clone()
            }
            .signups_open(at("2026-12-05"))
        );
        for bad in [
            ExchangeForm {
                requests_required: "4",
                ..form
            },
            ExchangeForm {
                offers_allowed: "11",
                ..form
            },
            ExchangeForm {
                offers_required: "0",
                offers_allowed: "0",
                ..form
            },
            ExchangeForm {
                requests_allowed: "many",
                ..form
            },
        ] {
            assert_eq!(bad.check(), Err(ExchangeRefusal::BadCounts));
        }
        assert_eq!(
            ExchangeForm {
                signups_close_at: "2026-11-30",
                ..form
            }
            .check(),
            Err(ExchangeRefusal::BadDates)
        );
        assert!(matches!(
            ExchangeForm {
                reveal_at: "next week",
                ..form
            }
            .check(),
            Err(ExchangeRefusal::BadDate(_))
        ));
        assert_eq!(show_when(Some(at("2026-12-01T10:00"))), "2026-12-01 10:00");
    }

    #[test]
    fn signups_are_checked_against_the_settings() {
        let settings = ExchangeSettings {
            requests_required: 1,
            requests_allowed: 2,
            rules: MatchRules {
                fandoms: 1,
                characters: 1,
                ..MatchRules::default()
            },
            ..ExchangeSettings::default()
        };
        let prompt = |f: &str, c: &str| PromptForm {
            fandoms: f.into(),
            characters: c.into(),
            ..PromptForm::default()
        };
        let ok = check_signup(
            &settings,
            &[
                prompt("Sherlock, sherlock , Merlin", "John"),
                PromptForm::default(),
            ],
            &[prompt("Sherlock", "Molly")],
        )
        .expect("valid");
        assert_eq!(ok.requests.len(), 1, "the blank row is dropped");
        assert_eq!(ok.requests[0].fandoms, ["Sherlock", "Merlin"], "no repeats");
        assert_eq!(
            check_signup(&settings, &[], &[prompt("Sherlock", "Molly")]),
            Err(ExchangeRefusal::PromptCount(1, 2, "requests"))
        );
        assert_eq!(
            check_signup(
                &settings,
                &[prompt("A", "B"), prompt("A", "C"), prompt("A", "D")],
                &[prompt("A", "B")]
            ),
            Err(ExchangeRefusal::PromptCount(1, 2, "requests"))
        );
        assert_eq!(
            check_signup(&settings, &[prompt("A", "")], &[prompt("A", "B")]),
            Err(ExchangeRefusal::TooFewTags("Request", 1, 1, "characters"))
        );
        let many = (0..=MAX_PROMPT_TAGS)
            .map(|i| format!("F{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            check_signup(&settings, &[prompt("A", "B")], &[prompt(&many, "B")]),
            Err(ExchangeRefusal::TooManyTags("Offer", 1, "fandoms"))
        );
    }

    #[test]
    fn assignment_statuses() {
        use AssignmentStatus::*;
        assert_eq!(AssignmentStatus::of(false, true, false, false), Open);
        assert_eq!(AssignmentStatus::of(true, true, true, true), Complete);
        assert_eq!(AssignmentStatus::of(false, true, true, false), Defaulted);
        assert_eq!(AssignmentStatus::of(false, false, false, false), Defaulted);
        assert_eq!(AssignmentStatus::of(false, true, true, true), PinchHit);
        for s in [Open, Complete, Defaulted, PinchHit] {
            assert_eq!(AssignmentStatus::parse(s.as_str()), Some(s));
        }
    }
}
