//! The work page next to the very same bytes served statically, in one
//! run: by the same HTTP stack (tokio, hyper and axum in this process, no
//! database, no template) and by nginx when it is installed. The load
//! comes from `wrk` when installed (the tool of the figures),
//! else from the built-in client.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};

use super::LoadResult;

/// One measured server: what, and its figures.
pub(crate) struct Row {
    pub what: &'static str,
    pub result: LoadResult,
}

/// Measures `path` on `base` (the work page) as a guest (`cookie`) and,
/// given `account_cookie`, as a signed-in plain reader, and the guest's
/// bytes served statically; prints the rows and the ratios.
pub(crate) fn compare(
    base: &str,
    path: &str,
    cookie: &str,
    account_cookie: Option<&str>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<Vec<Row>> {
    let client = reqwest::blocking::Client::new();
    let resp = client
        .get(format!("{base}{path}"))
        .header(reqwest::header::COOKIE, cookie)
        .send()?;
    if !resp.status().is_success() {
        bail!("{path} answered {}", resp.status());
    }
    let bytes = resp.bytes()?.to_vec();
    println!(
        "the work page {path}: {:.1} KB; load: {}",
        bytes.len() as f64 / 1e3,
        if wrk_path().is_some() {
            format!("wrk -t2 -c{clients} -d{seconds}s --latency")
        } else {
            format!(
                "built-in client, {clients} connections, {seconds} s (install wrk for the issue's tool)"
            )
        }
    );
    let mut rows = vec![Row {
        what: "work page (ficus serve, a guest, page cache)",
        result: measure(base, path, cookie, clients, seconds)?,
    }];
    if let Some(account) = account_cookie {
        let resp = client
            .get(format!("{base}{path}"))
            .header(reqwest::header::COOKIE, account)
            .send()?;
        let shared = resp.headers().contains_key(reqwest::header::ETAG);
        let body = resp.text()?;
        if !body.contains("logged-in") {
            bail!("{path} did not show the signed-in reader's page");
        }
        if !shared {
            bail!("{path} was rendered for the signed-in plain reader, not kept");
        }
        println!(
            "the work page as a signed-in plain reader: {:.1} KB, a kept page",
            body.len() as f64 / 1e3
        );
        rows.push(Row {
            what: "work page (ficus serve, a signed-in plain reader, page cache)",
            result: measure(base, path, account, clients, seconds)?,
        });
    }
    let pages = rows.len();
    {
        let (_runtime, same_stack) = serve_bytes(bytes.clone())?;
        rows.push(Row {
            what: "same bytes, static, same stack (axum)",
            result: measure(&same_stack, "/page.html", cookie, clients, seconds)?,
        });
    }
    match Nginx::start(&bytes)? {
        Some(nginx) => rows.push(Row {
            what: "same bytes, static, nginx",
            result: measure(&nginx.base, "/page.html", cookie, clients, seconds)?,
        }),
        None => println!("nginx is not installed: no nginx row"),
    }
    for row in &rows {
        row.result.print(row.what);
    }
    for page in &rows[..pages] {
        for row in &rows[pages..] {
            println!(
                "ratio {} / {}: {:.2}",
                page.what,
                row.what,
                page.result.rps / row.result.rps.max(1e-9)
            );
        }
    }
    Ok(rows)
}

fn measure(
    base: &str,
    path: &str,
    cookie: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<LoadResult> {
    if let Some(wrk) = wrk_path() {
        return run_wrk(&wrk, &format!("{base}{path}"), cookie, clients, seconds);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let path = path.to_string();
    runtime.block_on(super::load_as(
        base,
        clients,
        Duration::from_secs(seconds),
        Arc::new(move |_| path.clone()),
        Some(cookie),
    ))
}

fn wrk_path() -> Option<PathBuf> {
    find_program("wrk")
}

fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/usr/local/sbin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs wrk and reads its summary (`--latency` percentiles).
fn run_wrk(
    wrk: &Path,
    url: &str,
    cookie: &str,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<LoadResult> {
    let out = Command::new(wrk)
        .args(["-t2", &format!("-c{clients}"), &format!("-d{seconds}s")])
        .args(["--latency", "-H", &format!("Cookie: {cookie}"), url])
        .output()
        .context("running wrk")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    if !out.status.success() {
        bail!("wrk failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    }
    parse_wrk(&text, clients)
}

fn parse_wrk(text: &str, clients: usize) -> anyhow::Result<LoadResult> {
    if let Some(line) = text.lines().find(|l| l.contains("Non-2xx")) {
        bail!("wrk saw errors: {}", line.trim());
    }
    let field = |prefix: &str| {
        text.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(prefix))
            .map(str::trim)
            .with_context(|| format!("no {prefix:?} in wrk's output:\n{text}"))
    };
    let rps: f64 = field("Requests/sec:")?.parse()?;
    let p50 = duration(field("50%")?)?;
    let p99 = duration(field("99%")?)?;
    let summary = text
        .lines()
        .find(|l| l.contains("requests in"))
        .context("no request count in wrk's output")?;
    let requests: usize = summary
        .split_whitespace()
        .next()
        .context("request count")?
        .parse()?;
    let read = summary
        .split(", ")
        .nth(1)
        .and_then(|s| s.strip_suffix(" read"))
        .context("bytes read")?;
    Ok(LoadResult {
        requests,
        rps,
        p50,
        p99,
        bytes: bytes(read.trim())?,
        clients,
    })
}

fn duration(s: &str) -> anyhow::Result<Duration> {
    let (num, scale) = if let Some(n) = s.strip_suffix("us") {
        (n, 1e-6)
    } else if let Some(n) = s.strip_suffix("ms") {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60.0)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1.0)
    } else {
        bail!("a duration from wrk: {s:?}")
    };
    Ok(Duration::from_secs_f64(num.trim().parse::<f64>()? * scale))
}

fn bytes(s: &str) -> anyhow::Result<usize> {
    let units = [("GB", 1e9), ("MB", 1e6), ("KB", 1e3), ("B", 1.0)];
    for (unit, scale) in units {
        if let Some(n) = s.strip_suffix(unit) {
            // wrk counts in binary units.
            let binary = scale
                * match unit {
                    "GB" => 1.073_741_824,
                    "MB" => 1.048_576,
                    "KB" => 1.024,
                    _ => 1.0,
                };
            return Ok((n.trim().parse::<f64>()? * binary) as usize);
        }
    }
    bail!("a size from wrk: {s:?}")
}

/// The bytes on `/page.html` from axum on its own two-thread runtime.
fn serve_bytes(bytes: Vec<u8>) -> anyhow::Result<(tokio::runtime::Runtime, String)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let body = axum::body::Bytes::from(bytes);
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().route(
        "/page.html",
        axum::routing::get(move || {
            let body = body.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    body,
                )
            }
        }),
    );
    runtime.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((runtime, format!("http://{addr}")))
}

/// nginx serving the bytes as `/page.html` from a temporary prefix.
struct Nginx {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl Nginx {
    fn start(bytes: &[u8]) -> anyhow::Result<Option<Nginx>> {
        let Some(nginx) = find_program("nginx") else {
            return Ok(None);
        };
        let dir = tempfile::Builder::new()
            .prefix("ficus-bench-nginx-")
            .tempdir()?;
        let root = dir.path().join("html");
        std::fs::create_dir_all(&root)?;
        std::fs::create_dir_all(dir.path().join("logs"))?;
        std::fs::write(root.join("page.html"), bytes)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let conf = dir.path().join("nginx.conf");
        let mut f = std::fs::File::create(&conf)?;
        write!(
            f,
            "daemon off;\nworker_processes 2;\npid {pid};\nerror_log {err} warn;\n\
             events {{ worker_connections 1024; }}\n\
             http {{\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n\
             keepalive_requests 1000000;\n  client_body_temp_path {tmp};\n\
             proxy_temp_path {tmp};\n  fastcgi_temp_path {tmp};\n  uwsgi_temp_path {tmp};\n\
             scgi_temp_path {tmp};\n  types {{ text/html html; }}\n\
             server {{ listen 127.0.0.1:{port}; root {root}; }}\n}}\n",
            pid = dir.path().join("nginx.pid").display(),
            err = dir.path().join("logs/error.log").display(),
            tmp = dir.path().display(),
            root = root.display(),
        )?;
        let child = Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting nginx")?;
        let base = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::blocking::get(format!("{base}/page.html"))
                .is_ok_and(|r| r.status().is_success())
            {
                return Ok(Some(Nginx {
                    child,
                    base,
                    _dir: dir,
                }));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("nginx did not start (see {})", dir.path().display())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM: the master stops its workers (SIGKILL would leave them).
        let stopped = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrks_summary() {
        let out = "Running 10s test @ http://127.0.0.1:1/page.html
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.50ms    1.10ms  30.00ms   90.00%
    Req/Sec    20.00k     1.00k   25.00k    70.00%
  Latency Distribution
     50%  850.00us
     75%    1.20ms
     90%    2.00ms
     99%    5.12ms
  400000 requests in 10.00s, 15.00GB read
Requests/sec:  39990.12
Transfer/sec:      1.50GB
";
        let r = parse_wrk(out, 64).expect("parsed");
        assert_eq!(r.requests, 400_000);
        assert!((r.rps - 39_990.12).abs() < 0.01);
        assert_eq!(r.p50, Duration::from_micros(850));
        assert_eq!(r.p99, Duration::from_micros(5_120));
        assert!(r.bytes > 16_000_000_000);
        assert!(parse_wrk("Non-2xx or 3xx responses: 3\n", 1).is_err());
    }
}
