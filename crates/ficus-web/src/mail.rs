//! Mail on the web node: the delivery task (every few seconds, the jobs
//! due, through `ficus_app::mail`), and the one-click unsubscribe pages
//! (`/unsubscribe/{user}/{topic}/{token}`: GET asks, POST — a person's
//! button or a mail program's RFC 8058 one-click request — turns the
//! topic off; the signed token is the authority, so neither needs a
//! session or a CSRF token).

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use ficus_app::mail::{MailSender, MailSite};
use ficus_core::mail::MailTopic;

use crate::AppState;
use crate::error::WebError;
use crate::params;
use crate::templates::Chrome;

/// How mail leaves this node.
#[derive(Debug, Clone)]
pub struct MailOptions {
    /// `smtp://host:port`; no mail is sent without it (jobs wait).
    pub smtp_url: Option<String>,
    /// The sender address.
    pub from: String,
    /// The first retry's wait, in seconds (doubling, at most an hour).
    pub retry_base_secs: i64,
}

impl Default for MailOptions {
    fn default() -> Self {
        MailOptions {
            smtp_url: None,
            from: "Ficus <noreply@localhost>".into(),
            retry_base_secs: 30,
        }
    }
}

/// How often the delivery task looks for due jobs.
pub const DELIVERY_SECS: u64 = 2;

/// Sends due mail every [`DELIVERY_SECS`] seconds, for as long as the
/// node runs. A failing server only delays its jobs (they are retried
/// later); pages never wait for mail.
pub async fn deliver_every_few_seconds(
    state: AppState,
    sender: Arc<dyn MailSender>,
    site: Arc<MailSite>,
) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(DELIVERY_SECS));
    loop {
        tick.tick().await;
        let (sender, site) = (sender.clone(), site.clone());
        let outcome = state
            .db(move |s| {
                ficus_app::mail::deliver_due(
                    s,
                    sender.as_ref(),
                    &site,
                    chrono::Utc::now().naive_utc(),
                )
            })
            .await;
        match outcome {
            Ok(d) if d.sent + d.failed + d.dropped > 0 => {
                tracing::info!(
                    sent = d.sent,
                    failed = d.failed,
                    dropped = d.dropped,
                    late = d.late,
                    "mail"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "mail delivery failed"),
        }
    }
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
pub struct UnsubscribePage {
    pub chrome: Chrome,
    pub topic: &'static str,
    pub question: &'static str,
    pub outcome: &'static str,
    pub action: String,
    pub done: bool,
}

/// What the page asks, and says once done.
fn wording(topic: MailTopic) -> (&'static str, &'static str) {
    match topic {
        MailTopic::Comments => (
            "Stop e-mail about comments on your works and comments?",
            "Done: you will get no more e-mail about comments. You can turn it back on in your preferences.",
        ),
        MailTopic::Kudos => (
            "Stop e-mail about kudos on your works?",
            "Done: you will get no more e-mail about kudos. You can turn it back on in your preferences.",
        ),
        MailTopic::Subscription(_) => (
            "Stop e-mail from this subscription? Its updates still come to your inbox.",
            "Done: this subscription sends no more e-mail; its updates still come to your inbox. You can choose its e-mail again on your subscriptions page.",
        ),
        MailTopic::Subscriptions => (
            "Stop e-mail from all your subscriptions? Their updates still come to your inbox.",
            "Done: your subscriptions send no more e-mail; their updates still come to your inbox. You can choose each one's e-mail again on your subscriptions page.",
        ),
        MailTopic::Challenges => (
            "Stop e-mail about your gift exchange assignments? They are still listed on your assignments page.",
            "Done: you will get no more e-mail about gift exchange assignments; they are still listed on your assignments page. You can turn it back on in your preferences.",
        ),
    }
}

fn parse(user: &str, topic: &str) -> Result<(i64, MailTopic), WebError> {
    let user = params::id(user, "account")?;
    let topic = MailTopic::parse(topic)
        .ok_or_else(|| WebError::NotFound("There is no such unsubscribe link.".into()))?;
    Ok((user, topic))
}

/// `GET /unsubscribe/{user}/{topic}/{token}`: asks first (a link
/// scanner that follows links changes nothing).
pub async fn ask(
    State(st): State<AppState>,
    Path((user, topic, token)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (user, topic) = parse(&user, &topic)?;
    if !ficus_app::mail::token_ok(&st.mail_key, user, topic, &token) {
        return Err(WebError::NotFound(
            "There is no such unsubscribe link.".into(),
        ));
    }
    let page = UnsubscribePage {
        chrome: Chrome::anonymous(),
        topic: topic.words(),
        question: wording(topic).0,
        outcome: wording(topic).1,
        action: format!("/unsubscribe/{user}/{}/{token}", topic.name()),
        done: false,
    };
    Ok(Html(page.render()?).into_response())
}

/// `POST /unsubscribe/{user}/{topic}/{token}`: turns the topic off.
pub async fn confirm(
    State(st): State<AppState>,
    Path((user, topic, token)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let (user, topic) = parse(&user, &topic)?;
    let key = st.mail_key.clone();
    let done = st
        .db(move |s| ficus_app::mail::unsubscribe(s, &key, user, topic, &token))
        .await?;
    if !done {
        return Err(WebError::NotFound(
            "There is no such unsubscribe link.".into(),
        ));
    }
    let page = UnsubscribePage {
        chrome: Chrome::anonymous(),
        topic: topic.words(),
        question: wording(topic).0,
        outcome: wording(topic).1,
        action: String::new(),
        done: true,
    };
    Ok((StatusCode::OK, Html(page.render()?)).into_response())
}
