//! Where a request comes from and where the archive lives: the client's
//! address and scheme (trusting `X-Forwarded-*` headers only from the
//! configured reverse proxies), and the public base URL of absolute links
//! (feeds, OPDS).
//!
//! [`client_origin`] runs first on every request: from a peer that is not
//! a trusted proxy it removes the `X-Forwarded-*` headers, so nothing
//! later (the session cookie's `Secure` flag, feed links) can be steered
//! by a client; from a trusted proxy it takes the client's address from
//! `X-Forwarded-For`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;
pub use ipnet::IpNet;

use crate::AppState;

/// How this archive is reached.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    /// Reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto`
    /// are believed (`--trusted-proxy`).
    pub trusted_proxies: Vec<IpNet>,
    /// The archive's public address, e.g. `https://archive.example.org`
    /// (`--public-url`), for absolute links; without it they follow the
    /// request's `Host`.
    pub public_url: Option<String>,
}

impl Origin {
    fn trusts(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|net| net.contains(&ip))
    }

    /// The client behind a trusted proxy: the right-most address of
    /// `X-Forwarded-For` that is not itself a trusted proxy.
    fn forwarded_client(&self, headers: &HeaderMap) -> Option<IpAddr> {
        let chain: Vec<IpAddr> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|a| a.trim().parse::<IpAddr>())
            .collect::<Result<_, _>>()
            .ok()?;
        chain.into_iter().rev().find(|ip| !self.trusts(*ip))
    }
}

/// Parses a `--trusted-proxy` value: an address or a network (CIDR).
pub fn parse_proxy(raw: &str) -> Result<IpNet, String> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{raw:?} is neither an IP address nor a network such as 10.0.0.0/8"))
}

/// Parses a `--public-url` value: an absolute http(s) URL without path,
/// query or fragment (a trailing slash is dropped).
pub fn parse_public_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw.trim()).map_err(|e| format!("{raw:?}: {e}"))?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    if !plain {
        return Err(format!(
            "{raw:?} must be an http or https address without a path, such as https://archive.example.org"
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// The client's address as [`client_origin`] found it.
#[derive(Debug, Clone, Copy)]
struct ClientAddr(Option<IpAddr>);

/// Middleware: see the module documentation.
pub async fn client_origin(State(st): State<AppState>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let trusted = peer.is_some_and(|p| st.origin.trusts(p));
    let client = if trusted {
        st.origin.forwarded_client(req.headers()).or(peer)
    } else {
        let headers = req.headers_mut();
        for name in ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"] {
            headers.remove(name);
        }
        peer
    };
    req.extensions_mut().insert(ClientAddr(client));
    next.run(req).await
}

/// The client's IP address: the socket's peer, or the client a trusted
/// proxy forwarded for ("unknown" when the server was built without
/// connection info, as in-process tests may be).
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = match parts.extensions.get::<ClientAddr>() {
            Some(ClientAddr(ip)) => *ip,
            None => parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip()),
        };
        Ok(ClientIp(ip.map_or_else(
            || "unknown".to_string(),
            |ip| ip.to_string(),
        )))
    }
}

/// Whether the request came over https: directly, or through a trusted
/// proxy that says so (others' `X-Forwarded-Proto` never gets this far).
pub fn is_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The base of absolute links (`https://host`, no trailing slash): the
/// configured public URL, else the request's scheme and `Host`.
#[derive(Debug, Clone)]
pub struct BaseUrl(pub String);

impl FromRequestParts<AppState> for BaseUrl {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(url) = &st.origin.public_url {
            return Ok(BaseUrl(url.clone()));
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.chars().all(|c| {
                        c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']')
                    })
            })
            .unwrap_or("localhost");
        let scheme = if is_https(&parts.headers) {
            "https"
        } else {
            "http"
        };
        Ok(BaseUrl(format!("{scheme}://{host}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxies_and_public_urls_parse_strictly() {
        assert_eq!(
            parse_proxy("10.0.0.0/8").map(|n| n.to_string()),
            Ok("10.0.0.0/8".into())
        );
        assert_eq!(
            parse_proxy("127.0.0.1").map(|n| n.to_string()),
            Ok("127.0.0.1/32".into())
        );
        assert!(parse_proxy("::1").is_ok());
        assert!(parse_proxy("proxy.local").is_err());
        assert_eq!(
            parse_public_url("https://archive.example.org/"),
            Ok("https://archive.example.org".into())
        );
        assert!(parse_public_url("https://archive.example.org/sub").is_err());
        assert!(parse_public_url("ftp://archive.example.org").is_err());
        assert!(parse_public_url("archive.example.org").is_err());
    }

    #[test]
    fn the_client_is_the_last_address_no_proxy_of_ours_added() {
        let origin = Origin {
            trusted_proxies: vec![parse_proxy("10.0.0.0/8").expect("net")],
            public_url: None,
        };
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.9, 10.1.2.3".parse().expect("value"),
        );
        assert_eq!(
            origin.forwarded_client(&h),
            Some("203.0.113.9".parse().expect("ip"))
        );
        h.insert("x-forwarded-for", "not an address".parse().expect("value"));
        assert_eq!(origin.forwarded_client(&h), None);
    }
}
