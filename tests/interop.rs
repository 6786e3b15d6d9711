//! Interop: the crate against scim2-server 0.8.3, a real SCIM 2.0 server
//! from PyPI that nobody here wrote, through the blocking and the async
//! client. `tests/interop/scim2-server.sh` installs it into `.venv` in the
//! checkout when missing, starts it on 127.0.0.1 on a free port and stops
//! it by its PID.
//!
//! When the server cannot start, the tests fail, with the reason and what
//! to do: they never pass without having run. Outside CI, a run without
//! Python can opt out with `SCIM_INTEROP_SKIP=1`; under CI (`CI` set) the
//! opt-out is refused.
#![cfg(feature = "ureq")]

mod support;

use std::path::PathBuf;
use std::process::Command;

use scim_client::{ClientOptions, ScimClient};

struct Scim2Server {
    base_url: String,
    state: PathBuf,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/interop/scim2-server.sh")
}

impl Scim2Server {
    /// Starts a fresh server, or explains why not (failing under CI).
    fn start(name: &str, http11: bool) -> Option<Scim2Server> {
        let state = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("scim2-server-{name}"));
        let mut command = Command::new("bash");
        command.arg(script()).arg("start").arg(&state);
        if http11 {
            command.arg("http11");
        }
        let output = command.output();
        let failure = match output {
            Ok(out) if out.status.success() => {
                let base_url = String::from_utf8_lossy(&out.stdout).trim().to_owned();
                return Some(Scim2Server { base_url, state });
            }
            Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
            Err(e) => format!("could not run bash: {e}"),
        };
        let opted_out = std::env::var("SCIM_INTEROP_SKIP").is_ok_and(|v| v == "1");
        if opted_out && std::env::var_os("CI").is_none() {
            eprintln!("SKIPPED (SCIM_INTEROP_SKIP=1): scim2-server could not start:\n{failure}");
            return None;
        }
        panic!(
            "scim2-server could not start, so the interop suite did not run.\n\
             It needs python3 with venv and pip (PyPI reachable): \
             `bash tests/interop/scim2-server.sh install` shows what fails. \
             To run the other tests without it, set SCIM_INTEROP_SKIP=1 (refused under CI).\n\
             {failure}"
        );
    }
}

impl Drop for Scim2Server {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.state)
            .status();
    }
}

#[test]
fn blocking_client_passes_every_scenario_against_scim2_server() {
    let Some(server) = Scim2Server::start("blocking", false) else {
        return;
    };
    let client =
        ScimClient::with_options("interop-token", ClientOptions::scim2(&server.base_url)).unwrap();
    support::interop::all(&client);
}

#[cfg(feature = "surf-rustls")]
#[test]
fn async_client_over_surf_passes_every_scenario_against_scim2_server() {
    // surf's HTTP/1.1 backend refuses the CLI's HTTP/1.0 answers, so the same
    // CLI is served over HTTP/1.1 (tests/interop/serve_http11.py).
    let Some(server) = Scim2Server::start("async", true) else {
        return;
    };
    let options = ClientOptions::scim2(&server.base_url);
    let transport = scim_client::transports::surf::SurfTransport::from_options(&options).unwrap();
    let client =
        scim_client::AsyncScimClient::with_transport("interop-token", options, transport).unwrap();
    support::interop::all(&client);
}

#[cfg(feature = "tokio")]
#[test]
fn async_client_over_tokio_passes_every_scenario_against_scim2_server() {
    // hyper reads the CLI's own HTTP/1.0 answers: no HTTP/1.1 wrapper needed.
    let Some(server) = Scim2Server::start("tokio", false) else {
        return;
    };
    let client = support::scenarios::OnTokio::new(|| {
        scim_client::AsyncScimClient::with_options(
            "interop-token",
            ClientOptions::scim2(&server.base_url),
        )
    })
    .unwrap();
    support::interop::all(&client);
}
