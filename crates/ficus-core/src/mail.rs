//! E-mail about feedback: what a job is, and what a reader chose.

/// What a queued message tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    /// One new comment (on your work, or a reply to you).
    Comment,
    /// A day's comments in one message.
    CommentDigest,
    /// A day's kudos on your works in one message.
    KudosDigest,
}

impl MailKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Comment => "comment",
            MailKind::CommentDigest => "comment_digest",
            MailKind::KudosDigest => "kudos_digest",
        }
    }

    pub fn parse(s: &str) -> Option<MailKind> {
        [
            MailKind::Comment,
            MailKind::CommentDigest,
            MailKind::KudosDigest,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The topic its unsubscribe link turns off.
    pub fn topic(self) -> MailTopic {
        match self {
            MailKind::Comment | MailKind::CommentDigest => MailTopic::Comments,
            MailKind::KudosDigest => MailTopic::Kudos,
        }
    }
}

/// What a reader may stop getting mail about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailTopic {
    Comments,
    Kudos,
}

impl MailTopic {
    pub fn as_str(self) -> &'static str {
        match self {
            MailTopic::Comments => "comments",
            MailTopic::Kudos => "kudos",
        }
    }

    pub fn parse(s: &str) -> Option<MailTopic> {
        [MailTopic::Comments, MailTopic::Kudos]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// How often a reader gets mail on a topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailPref {
    /// A message for each (comments' default, as AO3).
    #[default]
    Immediate,
    /// One digest a day (kudos' default).
    Daily,
    Off,
}

impl MailPref {
    pub fn as_str(self) -> &'static str {
        match self {
            MailPref::Immediate => "immediate",
            MailPref::Daily => "daily",
            MailPref::Off => "off",
        }
    }

    pub fn parse(s: &str) -> Option<MailPref> {
        [MailPref::Immediate, MailPref::Daily, MailPref::Off]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            MailPref::Immediate => "A message for each",
            MailPref::Daily => "One digest a day",
            MailPref::Off => "No e-mail",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in [
            MailKind::Comment,
            MailKind::CommentDigest,
            MailKind::KudosDigest,
        ] {
            assert_eq!(MailKind::parse(k.as_str()), Some(k));
        }
        for p in [MailPref::Immediate, MailPref::Daily, MailPref::Off] {
            assert_eq!(MailPref::parse(p.as_str()), Some(p));
        }
        assert_eq!(MailKind::CommentDigest.topic(), MailTopic::Comments);
        assert_eq!(MailTopic::parse("kudos"), Some(MailTopic::Kudos));
        assert_eq!(MailPref::parse("weekly"), None);
    }
}
