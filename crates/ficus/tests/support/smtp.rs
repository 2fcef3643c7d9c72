//! A real SMTP server on loopback (Python's aiosmtpd from the test tools'
//! virtualenv) that keeps what it receives in a Maildir, and a server
//! that sends its mail there.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ficus_testkit::ServerProcess;

/// A Python with aiosmtpd (the test tools' virtualenv), or why not.
pub fn python() -> Result<PathBuf, String> {
    super::venv_python("aiosmtpd")
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An SMTP server that keeps what it receives in a Maildir.
pub struct Smtp(Child);

impl Smtp {
    pub fn start(python: &Path, port: u16, maildir: &Path) -> Smtp {
        let child = Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "aiosmtpd never listened"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Smtp(child)
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One received message: headers (lower-case names) and body.
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn received(maildir: &Path) -> Vec<Received> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let raw = std::fs::read_to_string(&path)
            .expect("message")
            .replace("\r\n", "\n");
        let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
        let mut headers: Vec<(String, String)> = Vec::new();
        for line in head.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some(last) = headers.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            } else if let Some((n, v)) = line.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        out.push(Received {
            headers,
            body: body.replace("=\n", "").replace("=3D", "="),
        });
    }
    out
}

/// Waits until `maildir` holds `n` messages (and no more for a moment).
pub fn wait_for(maildir: &Path, n: usize) -> Vec<Received> {
    let start = Instant::now();
    loop {
        let got = received(maildir);
        if got.len() >= n {
            std::thread::sleep(Duration::from_millis(300));
            return received(maildir);
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "waited for {n} messages, have {}",
            got.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

pub fn serve(data_dir: &Path, smtp_port: u16) -> ServerProcess {
    super::serve_with(
        data_dir,
        &[
            "--smtp-url",
            &format!("smtp://127.0.0.1:{smtp_port}"),
            "--mail-from",
            "Ficus Test <archive@example.org>",
            "--mail-retry-secs",
            "1",
        ],
    )
}
